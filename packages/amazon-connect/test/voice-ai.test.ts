/**
 * Voice AI end to end on loopback: real Streams against the fake CCP, the
 * connector with `agentStream: true`, the real backend handler (its AWS SDK
 * clients against the Connect API stub, Contact Lens included) with the real
 * @opencti/agent-stream, and the `eventsource` client standing in for the
 * browser's EventSource. A contact the agent answers is followed through the
 * backend; what Contact Lens analyzes reaches the desktop as call.transcript
 * and call.insight.
 */
import { createAgentStream, type AgentStream } from "@opencti/agent-stream";
import type { ConnectApiStub } from "@opencti/amazon-connect-backend/testing";
import { createRecordedDesktop } from "@opencti/testkit";
import { EventSource } from "eventsource";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAmazonConnectConnector, createHttpAmazonConnectBackend } from "../src/index.js";
import { createBackendHarness, type BackendHarness } from "./support/backend.js";

const LIST_PATH = "/realtime-contact-analysis/analysis-segments";
const ARN = "arn:aws:kinesisvideo:us-east-1:123456789012:stream/connect-example-contact-1/1700000000000";

/** The EventSources the connector opened (the global a browser has; Node has none). */
const opened: TrackedEventSource[] = [];
class TrackedEventSource extends EventSource {
  constructor(url: string | URL) {
    super(url);
    opened.push(this);
  }
}

let h: BackendHarness | undefined;
let agentStream: AgentStream;
const original = (globalThis as { EventSource?: unknown }).EventSource;

beforeEach(() => {
  (globalThis as { EventSource?: unknown }).EventSource = TrackedEventSource;
  agentStream = createAgentStream({});
  opened.length = 0;
});
afterEach(async () => {
  await h?.dispose();
  h = undefined;
  await agentStream.close();
  (globalThis as { EventSource?: unknown }).EventSource = original;
});

const lensRequests = (stub: ConnectApiStub, contactId: string) => stub.requests.filter((r) => r.path === LIST_PATH && (r.body as { ContactId?: string }).ContactId === contactId);

describe("amazon-connect Voice AI (real Streams, fake CCP, real backend and agent stream)", () => {
  it("agentStream: true — transcripts, sentiment and categories of the answered contact reach the desktop; its KVS ARN is the call's mediaStream", async () => {
    h = await createBackendHarness({ connector: { agentStream: true, mediaStreamAttribute: "kvsStreamArn" } }, undefined, (stub) => ({ agentStream, contactLens: { client: stub.contactLensClient(), pollMs: 30 } }));
    expect(h.connector.capabilities).toContain("transcripts");
    const rec = createRecordedDesktop(h.connector, { requestTimeoutMs: 2000, timeoutMs: 5000, intervalMs: 5 });
    await rec.connected();
    await rec.desktop.login({});
    await rec.waitFor(() => opened.length === 1, "the agent stream to open");
    await h.driver.ringInbound({ from: "+15550100", data: { kvsStreamArn: ARN, customerId: "C-7" } });
    const ringing = await rec.next("call.ringing");
    const id = ringing.call.id;
    expect(ringing.call.mediaStream).toBe(ARN);
    expect(ringing.call.data).toEqual({ customerId: "C-7" });
    // Ringing is not followed yet: only a connected contact is.
    expect(lensRequests(h.stub, id)).toEqual([]);
    await rec.desktop.answer(id);
    await rec.waitFor(() => lensRequests(h!.stub, id).length > 0, "the backend to poll Contact Lens for the contact");
    h.stub.addSegments(
      id,
      { Transcript: { Id: "seg-1", ParticipantId: "CUSTOMER", ParticipantRole: "CUSTOMER", Content: "My order never arrived.", BeginOffsetMillis: 1500, EndOffsetMillis: 3200, Sentiment: "NEGATIVE" } },
      { Categories: { MatchedCategories: ["Delivery"], MatchedDetails: {} } },
    );
    const transcript = await rec.next("call.transcript");
    expect(transcript).toMatchObject({ callId: id, segment: { id: "seg-1", speaker: "customer", text: "My order never arrived.", final: true, startMs: 1500, endMs: 3200 } });
    await rec.waitFor(() => rec.events.filter((e) => e.type === "call.insight").length === 2, "the sentiment and the category");
    const insights = rec.events.flatMap((e) => (e.type === "call.insight" ? [e.insight] : []));
    expect(insights).toEqual([
      { kind: "sentiment", text: "negative", score: -1, data: { segmentId: "seg-1" } },
      { kind: "category", text: "Delivery" },
    ]);
    await rec.desktop.destroy();
  });

  it("a contact is followed once; the stream closes at logout and on stop, and a separate source is followed too", async () => {
    const urls: string[] = [];
    // A separate source (here: the same backend's tickets, counted) instead of `true`; asked at each (re)connection.
    const source = {
      url: (signal: AbortSignal) => {
        urls.push("asked");
        return createHttpAmazonConnectBackend({ url: h!.backendUrl, headers: () => ({ authorization: "Bearer supervisor-session" }) }).agentStream!.url(signal);
      },
    };
    h = await createBackendHarness({ connector: { agentStream: source } }, undefined, (stub) => ({ agentStream, contactLens: { client: stub.contactLensClient(), pollMs: 30 } }));
    const rec = createRecordedDesktop(h.connector, { requestTimeoutMs: 2000, timeoutMs: 5000, intervalMs: 5 });
    await rec.connected();
    // Not signed in yet (Offline): no stream.
    expect(opened).toEqual([]);
    await rec.desktop.login({});
    await rec.waitFor(() => opened.length === 1 && opened[0]!.readyState === 1, "the agent stream to open");
    await h.driver.ringInbound({ from: "+15550100" });
    const id = (await rec.next("call.ringing")).call.id;
    await rec.desktop.answer(id);
    await rec.desktop.hold(id);
    await rec.desktop.resume(id);
    await rec.waitFor(() => lensRequests(h!.stub, id).length >= 3, "a few polls");
    // Asked once for the contact, whatever the snapshots since (hold, resume).
    expect(h.backendRequests.filter((r) => r === "POST /connect/followContactLens")).toHaveLength(1);
    expect(h.backendRequests.filter((r) => r === "POST /connect/stream-ticket")).toHaveLength(1);
    await rec.desktop.hangup(id);
    await rec.waitFor(() => rec.desktop.getCall(id)?.state === "wrapup", "wrap-up");
    await rec.desktop.completeWrapUp(id);
    await rec.desktop.logout();
    await rec.waitFor(() => opened[0]!.readyState === 2, "the stream to close at logout");
    await rec.desktop.login({});
    await rec.waitFor(() => opened.length === 2 && opened[1]!.readyState === 1, "a new stream after login");
    // A fresh ticket for the new stream.
    expect(urls).toHaveLength(2);
    expect(h.backendRequests.filter((r) => r === "POST /connect/stream-ticket")).toHaveLength(2);
    await rec.desktop.destroy();
    expect(opened[1]!.readyState).toBe(2);
  });

  it("when the stream reconnects (fresh ticket), the live contact is asked for again; the backend keeps one poller", async () => {
    // One stream per agent: opening another for the same agent ends the connector's, which then reconnects.
    await agentStream.close();
    agentStream = createAgentStream({ maxClientsPerAgent: 1 });
    h = await createBackendHarness({ connector: { agentStream: true } }, undefined, (stub) => ({ agentStream, contactLens: { client: stub.contactLensClient(), pollMs: 30 } }));
    const rec = createRecordedDesktop(h.connector, { requestTimeoutMs: 2000, timeoutMs: 8000, intervalMs: 5 });
    await rec.connected();
    await rec.desktop.login({});
    await h.driver.ringInbound({ from: "+15550100" });
    const id = (await rec.next("call.ringing")).call.id;
    await rec.desktop.answer(id);
    await rec.waitFor(() => h!.backendRequests.includes("POST /connect/followContactLens") && opened[0]?.readyState === 1, "the contact followed and the stream open");
    const USER_ID = "aaaaaaaa-0000-4000-8000-0000000000a1";
    const { ticket } = await agentStream.issueTicket(USER_ID);
    const intruder = new EventSource(`${h.backendUrl}/events?ticket=${encodeURIComponent(ticket)}`);
    try {
      await rec.next("warning", (w) => w.code === "VOICE_AI_UNAVAILABLE");
      await rec.waitFor(() => h!.backendRequests.filter((r) => r === "POST /connect/followContactLens").length === 2, "the contact asked for again after the reconnection");
      await rec.next("warning", (w) => w.code === "VOICE_AI_RESTORED");
    } finally {
      intruder.close();
    }
    // Still one poller for the contact: no request for it closer than most of an interval to the previous.
    const times = lensRequests(h.stub, id).map((r) => r.at);
    for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(20);
    // Transcripts flow on the new stream.
    h.stub.addSegments(id, { Transcript: { Id: "after", ParticipantId: "AGENT", ParticipantRole: "AGENT", Content: "Still there?", BeginOffsetMillis: 9000, EndOffsetMillis: 9800 } });
    expect((await rec.next("call.transcript")).segment).toMatchObject({ id: "after", speaker: "agent", text: "Still there?" });
    await rec.desktop.destroy();
  });

  it("without agentStream: no transcripts capability and no stream; agentStream: true without a backend stream is a TypeError", async () => {
    h = await createBackendHarness();
    expect(h.connector.capabilities).not.toContain("transcripts");
    const rec = createRecordedDesktop(h.connector, { requestTimeoutMs: 2000, timeoutMs: 5000, intervalMs: 5 });
    await rec.connected();
    await rec.desktop.login({});
    expect(opened).toEqual([]);
    await rec.desktop.destroy();
    expect(() => createAmazonConnectConnector({ ccpUrl: "https://example.my.connect.aws/ccp-v2/", container: h!.dom.container, agentStream: true })).toThrow(TypeError);
    expect(() =>
      createAmazonConnectConnector({ ccpUrl: "https://example.my.connect.aws/ccp-v2/", container: h!.dom.container, agentStream: true, backend: { monitor: () => Promise.reject(new Error()), suspendRecording: () => Promise.resolve(), resumeRecording: () => Promise.resolve() } }),
    ).toThrow(/backend with an agent stream/);
  });

  it("a backend without Contact Lens (followContactLens 404) is asked once: one warning, the stream still followed", async () => {
    h = await createBackendHarness({ connector: { agentStream: true } }, undefined, () => ({ agentStream }));
    const rec = createRecordedDesktop(h.connector, { requestTimeoutMs: 2000, timeoutMs: 5000, intervalMs: 5 });
    await rec.connected();
    await rec.desktop.login({});
    await h.driver.ringInbound({ from: "+15550100" });
    const id = (await rec.next("call.ringing")).call.id;
    await rec.desktop.answer(id);
    const warning = await rec.next("warning", (w) => w.code === "CONTACT_LENS_UNAVAILABLE");
    expect(warning.message).toBe("No Contact Lens transcripts: the backend does not follow Contact Lens");
    await rec.desktop.hold(id);
    await rec.desktop.resume(id);
    expect(rec.events.filter((e) => e.type === "warning" && e.code === "CONTACT_LENS_UNAVAILABLE")).toHaveLength(1);
    expect(opened).toHaveLength(1);
    await rec.desktop.destroy();
  });
});
