// End to end with the real @opencti/agent-stream (one instance, no Redis): an
// agent's browser takes a ticket with its Voice access token, follows
// GET /events with an EventSource (the `eventsource` package), and Twilio's
// signed callbacks for its call arrive there — and only there.
import { createAgentStream, type AgentStream } from "@opencti/agent-stream";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STUB_ACCOUNT_SID, TwilioRestStub, stubAccessToken } from "../src/testing/index.js";
import { startBackend, transcriptionContent, type BackendInstance } from "./support.js";

let stub: TwilioRestStub;
let backend: BackendInstance;
let stream: AgentStream;
let base = "";
const sources: EventSource[] = [];
const reported: Error[] = [];

const ALICE_AGENT = "CA" + "a".repeat(32);
const ALICE_CUSTOMER = "CA" + "c".repeat(32);
const BOB_AGENT = "CA" + "b".repeat(32);
const BOB_CUSTOMER = "CA" + "d".repeat(32);
const GT = "GT" + "1".repeat(32);

beforeAll(async () => {
  stub = await TwilioRestStub.start();
  stream = createAgentStream({ onError: (e) => reported.push(e) });
  backend = await startBackend(stub, { agentStream: stream, onError: (e) => reported.push(e) });
  base = backend.base;
  stub.addConference({ customerCallSid: ALICE_CUSTOMER, customerNumber: "+15550100", agentCallSid: ALICE_AGENT, agentIdentity: "alice" });
  stub.addConference({ customerCallSid: BOB_CUSTOMER, customerNumber: "+15550101", agentCallSid: BOB_AGENT, agentIdentity: "bob" });
});
afterAll(async () => {
  for (const source of sources) source.close();
  await stream.close();
  await backend.close();
  await stub.close();
});

/** What a browser does: a ticket with its access token, then an EventSource on /events; resolves once open, with every message it gets. */
async function follow(identity: string): Promise<{ type: string; data: unknown }[]> {
  const res = await fetch(`${base}/stream-ticket`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${stubAccessToken(identity)}` }, body: "{}" });
  expect(res.status).toBe(200);
  const { ticket, expiresInMs } = (await res.json()) as { ticket: string; expiresInMs: number };
  expect(expiresInMs).toBe(30_000);
  const source = new EventSource(`${base}/events?ticket=${encodeURIComponent(ticket)}`);
  sources.push(source);
  const messages: { type: string; data: unknown }[] = [];
  for (const type of ["transcript", "insight", "media"]) source.addEventListener(type, (e) => messages.push({ type, data: JSON.parse(e.data) as unknown }));
  await new Promise<void>((resolve, reject) => {
    source.onopen = () => resolve();
    source.onerror = () => reject(new Error(`${identity}'s stream did not open`));
  });
  return messages;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const content = (callSid: string, sequence: number, transcript: string, final: boolean): Record<string, string> => transcriptionContent(callSid, { transcriptionSid: GT, track: "inbound_track", sequence, transcript, final });

describe("Twilio callbacks to the agent's browser through @opencti/agent-stream", () => {
  it("alice's transcript and media stream reach alice's EventSource, not bob's; a used ticket is refused", async () => {
    const alice = await follow("alice");
    const bob = await follow("bob");

    expect(await stub.postSigned(`${base}/transcription`, content(ALICE_CUSTOMER, 5, "My card was charged twice", true))).toBe(204);
    expect(await stub.postSigned(`${base}/media-stream`, { AccountSid: STUB_ACCOUNT_SID, CallSid: ALICE_AGENT, StreamSid: "MZ" + "2".repeat(32), StreamEvent: "stream-started", StreamName: "ai" })).toBe(204);
    await until(() => alice.length === 2);
    expect(alice).toEqual([
      { type: "transcript", data: { callId: ALICE_AGENT, sequence: 5, segment: { id: `${GT}:inbound_track`, speaker: "customer", text: "My card was charged twice", final: true, language: "en-US" } } },
      { type: "media", data: { callId: ALICE_AGENT, mediaStream: "MZ" + "2".repeat(32) } },
    ]);

    // Bob's own event comes after alice's: when it is there, alice's would have been too.
    expect(await stub.postSigned(`${base}/transcription`, content(BOB_CUSTOMER, 1, "Hello Bob", false))).toBe(204);
    await until(() => bob.length === 1);
    expect(bob).toEqual([{ type: "transcript", data: { callId: BOB_AGENT, sequence: 1, segment: { id: `${GT}:inbound_track`, speaker: "customer", text: "Hello Bob", final: false, language: "en-US" } } }]);
    expect(alice).toHaveLength(2);
    expect(reported).toEqual([]);
  });

  it("a ticket is single-use and only the backend's authenticate gets one", async () => {
    const res = await fetch(`${base}/stream-ticket`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${stubAccessToken("alice")}` }, body: "{}" });
    const { ticket } = (await res.json()) as { ticket: string };
    const first = await fetch(`${base}/events?ticket=${encodeURIComponent(ticket)}`);
    expect(first.status).toBe(200);
    await first.body?.cancel();
    const again = await fetch(`${base}/events?ticket=${encodeURIComponent(ticket)}`);
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ code: "AUTH_FAILED" });
    expect((await fetch(`${base}/stream-ticket`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(401);
  });
});
