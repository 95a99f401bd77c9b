// Voice AI through the handler: the agent stream's routes, and Twilio's signed
// Real-Time Transcription and Media Streams callbacks (posted like Twilio, with
// the official library's signature) published to the agent of the call, which
// the handler finds with the official twilio client against the REST stub.
import twilio from "twilio";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AgentStream, AgentStreamEvent } from "../src/index.js";
import { STUB_ACCOUNT_SID, STUB_AUTH_TOKEN, TwilioRestStub, stubAccessToken, type StubConference } from "../src/testing/index.js";
import { startBackend, transcriptionContent, type BackendInstance, type BackendOptions } from "./support.js";

let stub: TwilioRestStub;
let backend: BackendInstance;
let base = "";

const CUSTOMER = "CA" + "c".repeat(32);
const AGENT = "CA" + "a".repeat(32);
const GT = "GT" + "1".repeat(32);
const MZ = "MZ" + "2".repeat(32);
const ALICE = stubAccessToken("alice");
let conference: StubConference;

/** A stand-in agent stream: what was published to whom, and what failed. */
const published: { agentId: string; event: AgentStreamEvent }[] = [];
const tickets: string[] = [];
/** When set, publish rejects with it. */
let publishFails: Error | undefined;
const stream: AgentStream = {
  publish(agentId, event) {
    if (publishFails) return Promise.reject(publishFails);
    published.push({ agentId, event });
    return Promise.resolve();
  },
  issueTicket(agentId) {
    tickets.push(agentId);
    return Promise.resolve({ ticket: `ticket-for-${agentId}`, expiresInMs: 30_000 });
  },
  handleEvents(_req, res) {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end(": ok\n\n");
    return Promise.resolve();
  },
};
const reported: Error[] = [];

/** Mounts a handler with the stand-in stream, overridable per test (undefined removes an option). */
const mount = (overrides: BackendOptions = {}): void => backend.mount(overrides);

beforeAll(async () => {
  stub = await TwilioRestStub.start();
  backend = await startBackend(stub, { agentStream: stream, onError: (e: Error) => reported.push(e) });
  base = backend.base;
});
afterAll(async () => {
  await backend.close();
  await stub.close();
});
beforeEach(() => {
  stub.conferences.clear();
  stub.calls.clear();
  stub.requests.length = 0;
  stub.stalled.clear();
  published.length = 0;
  tickets.length = 0;
  reported.length = 0;
  publishFails = undefined;
  conference = stub.addConference({ customerCallSid: CUSTOMER, customerNumber: "+15550100", agentCallSid: AGENT, agentIdentity: "alice" });
  mount();
});

/** A transcription-content callback for this file's transcription. */
const content = (callSid: string, track: "inbound_track" | "outbound_track", sequence: number, transcript: string, final: boolean, extra: Record<string, string> = {}) =>
  transcriptionContent(callSid, { transcriptionSid: GT, track, sequence, transcript, final }, extra);
const transcription = (params: Record<string, string>) => stub.postSigned(`${base}/transcription`, params);
const mediaStream = (callSid: string, event: string, extra: Record<string, string> = {}) =>
  stub.postSigned(`${base}/media-stream`, { AccountSid: STUB_ACCOUNT_SID, CallSid: callSid, StreamSid: MZ, StreamName: "voice-ai", StreamEvent: event, Timestamp: new Date().toISOString(), ...extra });
const segments = () => published.map(({ agentId, event }) => ({ agentId, ...event }));

/** Another instance of the backend (the same options, its own caches) on its own port. */
const secondInstance = () => startBackend(stub, { agentStream: stream, onError: (e: Error) => reported.push(e) });

describe("the agent stream's routes", () => {
  it("POST /stream-ticket gives the authenticated agent a ticket from issueTicket(identity)", async () => {
    const res = await fetch(`${base}/stream-ticket`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ALICE}` }, body: "{}" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ticket: "ticket-for-alice", expiresInMs: 30_000 });
    expect(tickets).toEqual(["alice"]);
  });

  it("refuses a ticket without a valid token (401), from another origin (403), without JSON (415), and without an identity (insecure lab mode, 400)", async () => {
    const ask = (headers: Record<string, string>) => fetch(`${base}/stream-ticket`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" });
    expect((await ask({})).status).toBe(401);
    expect((await ask({ authorization: `Bearer ${stubAccessToken("alice", { ttl: -300 })}` })).status).toBe(401);
    expect((await ask({ authorization: `Bearer ${ALICE}`, origin: "https://evil.example" })).status).toBe(403);
    expect((await fetch(`${base}/stream-ticket`, { method: "POST", headers: { "content-type": "text/plain", authorization: `Bearer ${ALICE}` }, body: "{}" })).status).toBe(415);
    mount({ authenticate: undefined, insecureAllowAnyAgentForLocalTesting: true });
    const lab = await ask({});
    expect(lab.status).toBe(400);
    expect(await lab.json()).toMatchObject({ error: { code: "INVALID_ARGUMENT" } });
    expect(tickets).toEqual([]);
  });

  it("GET /events is the stream's handleEvents", async () => {
    const res = await fetch(`${base}/events?ticket=x`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(await res.text()).toBe(": ok\n\n");
  });

  it("without agentStream, every Voice AI route is an unknown operation (404) and nothing is published", async () => {
    mount({ agentStream: undefined });
    expect((await fetch(`${base}/events?ticket=x`)).status).toBe(404);
    expect((await fetch(`${base}/stream-ticket`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ALICE}` }, body: "{}" })).status).toBe(404);
    expect(await transcription(content(CUSTOMER, "inbound_track", 1, "hello", true))).toBe(404);
    expect(await mediaStream(CUSTOMER, "stream-started")).toBe(404);
    expect(published).toEqual([]);
  });
});

describe("Real-Time Transcription callbacks", () => {
  it("on the customer's leg: inbound is the customer, outbound the agent; published to the agent under its leg's CallSid", async () => {
    expect(await transcription(content(CUSTOMER, "inbound_track", 3, "I need help with my bill", true))).toBe(204);
    expect(await transcription(content(CUSTOMER, "outbound_track", 4, "Sure, let me look", true))).toBe(204);
    expect(segments()).toEqual([
      { agentId: "alice", type: "transcript", callId: AGENT, sequence: 3, segment: { id: `${GT}:inbound_track`, speaker: "customer", text: "I need help with my bill", final: true, language: "en-US" } },
      { agentId: "alice", type: "transcript", callId: AGENT, sequence: 4, segment: { id: `${GT}:outbound_track`, speaker: "agent", text: "Sure, let me look", final: true, language: "en-US" } },
    ]);
  });

  it("on the agent's leg the tracks are the other way round", async () => {
    await transcription(content(AGENT, "inbound_track", 1, "Good morning", true));
    await transcription(content(AGENT, "outbound_track", 2, "Hi", true));
    expect(segments().map((s) => [s.agentId, s.type === "transcript" && s.callId, s.type === "transcript" && s.segment.speaker])).toEqual([
      ["alice", AGENT, "agent"],
      ["alice", AGENT, "customer"],
    ]);
  });

  it("without participant labels, the agent's leg is the one that is a Twilio Client's", async () => {
    conference.participants.get(CUSTOMER)!.label = "";
    conference.participants.get(AGENT)!.label = "";
    await transcription(content(CUSTOMER, "inbound_track", 1, "from the customer's leg", true));
    await transcription(content(AGENT, "inbound_track", 2, "from the agent's leg", true));
    expect(segments().map((s) => s.type === "transcript" && [s.callId, s.segment.speaker])).toEqual([
      [AGENT, "customer"],
      [AGENT, "agent"],
    ]);
  });

  it("partials then a final share the utterance stream id and carry Twilio's SequenceId; one lookup serves the partials, the final re-lists the participants", async () => {
    await transcription(content(CUSTOMER, "inbound_track", 7, "I need", false));
    const lookups = stub.requests.length;
    expect(lookups).toBeGreaterThan(0);
    await transcription(content(CUSTOMER, "inbound_track", 8, "I need to change", false));
    expect(stub.requests.length).toBe(lookups);
    await transcription(content(CUSTOMER, "inbound_track", 9, "I need to change my address.", true));
    expect(segments().map((s) => s.type === "transcript" && [s.segment.id, s.sequence, s.segment.final, s.segment.text])).toEqual([
      [`${GT}:inbound_track`, 7, false, "I need"],
      [`${GT}:inbound_track`, 8, false, "I need to change"],
      [`${GT}:inbound_track`, 9, true, "I need to change my address."],
    ]);
    expect(stub.requests.slice(lookups).map((r) => `${r.method} ${r.path.replace(/^.*\/Accounts\/AC\w+/, "")}`)).toEqual([`GET /Conferences/${conference.sid}/Participants.json`]);
  });

  it("partials arriving together share one lookup", async () => {
    const before = stub.requests.length;
    await Promise.all([1, 2, 3, 4].map((n) => transcription(content(CUSTOMER, "inbound_track", n, "word ".repeat(n), false))));
    expect(published).toHaveLength(4);
    // One search: the conference list, one participant list, the agent leg's Call.
    expect(stub.requests.slice(before).map((r) => `${r.method} ${r.path.replace(/^.*\/Accounts\/AC\w+/, "")}`)).toEqual([
      "GET /Conferences.json",
      `GET /Conferences/${conference.sid}/Participants.json`,
      `GET /Calls/${AGENT}.json`,
    ]);
  });

  it("a conference known from its status callbacks is not searched for", async () => {
    stub.conferences.clear();
    conference = stub.addConference({ customerCallSid: CUSTOMER, customerNumber: "+15550100", agentCallSid: AGENT, agentIdentity: "alice", statusCallback: `${base}/conference-status` });
    await stub.settled();
    const before = stub.requests.length;
    await transcription(content(CUSTOMER, "inbound_track", 1, "hello", true));
    expect(published).toHaveLength(1);
    expect(stub.requests.slice(before).some((r) => r.path.endsWith("/Conferences.json"))).toBe(false);
  });

  it("text is cut to 8192 characters and 12 KiB of UTF-8, between characters; a language that is no BCP-47 tag is left out", async () => {
    await transcription(content(CUSTOMER, "inbound_track", 1, "x".repeat(10_000), true, { LanguageCode: "en US<script>" }));
    await transcription(content(CUSTOMER, "inbound_track", 2, "é".repeat(10_000), true));
    await transcription(content(CUSTOMER, "inbound_track", 3, "a" + "😀".repeat(5000), true));
    const texts = segments().map((s) => (s.type === "transcript" ? s.segment.text : ""));
    expect(texts.map((t) => [t.length, Buffer.byteLength(t)])).toEqual([
      [8192, 8192],
      [6144, 12_288],
      [1 + 2 * 3071, 1 + 4 * 3071],
    ]);
    expect(texts[2]!.endsWith("😀")).toBe(true);
    const [first] = segments();
    expect(first?.type === "transcript" && "language" in first.segment).toBe(false);
  });

  it("a callback without a valid X-Twilio-Signature is refused (403) and publishes nothing", async () => {
    const params = content(CUSTOMER, "inbound_track", 1, "hello", true);
    const post = (signature: string, body: Record<string, string>) =>
      fetch(`${base}/transcription`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature }, body: new URLSearchParams(body).toString() });
    expect((await post("forged", params)).status).toBe(403);
    // Signed for other parameters (the transcript changed in transit), or with another auth token.
    expect((await post(twilio.getExpectedTwilioSignature(STUB_AUTH_TOKEN, `${base}/transcription`, params), { ...params, TranscriptionData: JSON.stringify({ transcript: "forged" }) })).status).toBe(403);
    expect((await post(twilio.getExpectedTwilioSignature("another-token", `${base}/transcription`, params), params)).status).toBe(403);
    expect(published).toEqual([]);
    // The same callback, correctly signed, is published.
    expect(twilio.validateRequest(STUB_AUTH_TOKEN, twilio.getExpectedTwilioSignature(STUB_AUTH_TOKEN, `${base}/transcription`, params), `${base}/transcription`, params)).toBe(true);
    expect((await post(twilio.getExpectedTwilioSignature(STUB_AUTH_TOKEN, `${base}/transcription`, params), params)).status).toBe(204);
    expect(published).toHaveLength(1);
  });

  it("calls with no agent answer 204 and publish nothing: in no conference, alone in it, a consult party, an agent leg that is no Client", async () => {
    stub.addCall({ sid: "CA" + "9".repeat(32), from: "+15550199", to: "+15550009999", status: "in-progress", direction: "inbound" });
    expect(await transcription(content("CA" + "9".repeat(32), "inbound_track", 1, "still in the IVR", true))).toBe(204);
    // A consulted party's leg.
    const consult = await fetch(`${base}/consult`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ALICE}` }, body: JSON.stringify({ callSid: AGENT, to: "+15550144" }) });
    const party = ((await consult.json()) as { callSid: string }).callSid;
    expect(await transcription(content(party, "inbound_track", 1, "the consulted party", true))).toBe(204);
    // The agent's leg rang a phone number, not a Client.
    const other = stub.addConference({ customerCallSid: "CA" + "d".repeat(32), customerNumber: "+15550101", agentCallSid: "CA" + "b".repeat(32) });
    stub.calls.get("CA" + "b".repeat(32))!.to = "+15550177";
    expect(await transcription(content("CA" + "d".repeat(32), "inbound_track", 1, "no client", true))).toBe(204);
    // The customer alone, the agent gone.
    other.participants.delete("CA" + "b".repeat(32));
    expect(await transcription(content("CA" + "d".repeat(32), "inbound_track", 2, "anyone?", true))).toBe(204);
    expect(published).toEqual([]);
    expect(reported).toEqual([]);
  });

  it("transcription-started and -stopped publish nothing; transcription-error goes to onError", async () => {
    const base_ = { AccountSid: STUB_ACCOUNT_SID, CallSid: CUSTOMER, TranscriptionSid: GT, Timestamp: new Date().toISOString() };
    expect(await transcription({ ...base_, TranscriptionEvent: "transcription-started", ProviderConfiguration: "{}" })).toBe(204);
    expect(await transcription({ ...base_, TranscriptionEvent: "transcription-stopped" })).toBe(204);
    expect(await transcription({ ...base_, TranscriptionEvent: "transcription-error", TranscriptionErrorCode: "32650" })).toBe(204);
    expect(published).toEqual([]);
    expect(reported.map((e) => e.message)).toEqual([`Twilio Real-Time Transcription error on call ${CUSTOMER} (code 32650)`]);
  });

  it("a signed callback of another shape is 400, reported without what was said, and publishes nothing", async () => {
    expect(await transcription(content(CUSTOMER, "inbound_track", 1, "secret words", true, { Track: "customer" }))).toBe(400);
    expect(await transcription(content(CUSTOMER, "inbound_track", 1, "secret words", true, { TranscriptionData: "secret words" }))).toBe(400);
    expect(await transcription(content(CUSTOMER, "inbound_track", 1, "secret words", true, { SequenceId: "-1" }))).toBe(400);
    expect(await transcription(content("CA../../Accounts", "inbound_track", 1, "secret words", true))).toBe(400);
    expect(published).toEqual([]);
    expect(reported).toHaveLength(4);
    for (const e of reported) expect(e.message).not.toContain("secret");
    expect(stub.requests).toEqual([]);
  });

  it("a publish that fails: a partial is reported and answered 204 (no retry), a final answers 503 (Twilio retries it)", async () => {
    publishFails = new Error("redis down");
    expect(await transcription(content(CUSTOMER, "inbound_track", 1, "partial", false))).toBe(204);
    expect(await transcription(content(CUSTOMER, "inbound_track", 2, "final", true))).toBe(503);
    // An event the stream refuses as invalid would be refused again: not retried.
    publishFails = Object.assign(new Error("event.segment.text is too long"), { code: "INVALID_ARGUMENT" });
    expect(await transcription(content(CUSTOMER, "inbound_track", 2, "final", true))).toBe(204);
    expect(reported.map((e) => e.message)).toEqual(["redis down", "redis down", "event.segment.text is too long"]);
    publishFails = undefined;
    expect(await transcription(content(CUSTOMER, "inbound_track", 2, "final", true))).toBe(204);
    expect(published).toHaveLength(1);
  });

  it("after the agent leaves (a conference status callback), the customer's transcript is no longer its own", async () => {
    stub.conferences.clear();
    conference = stub.addConference({ customerCallSid: CUSTOMER, customerNumber: "+15550100", agentCallSid: AGENT, agentIdentity: "alice", statusCallback: `${base}/conference-status` });
    await stub.settled();
    await transcription(content(CUSTOMER, "inbound_track", 1, "before", true));
    await stub.hangup(AGENT);
    await stub.settled();
    await transcription(content(CUSTOMER, "inbound_track", 2, "after", true));
    expect(segments().map((s) => s.type === "transcript" && s.segment.text)).toEqual(["before"]);
  });

  it("after the agent leaves, heard by another instance only: a final or media change on this one goes to nobody (re-checked), a partial within 2 s may still", async () => {
    stub.conferences.clear();
    conference = stub.addConference({ customerCallSid: CUSTOMER, customerNumber: "+15550100", agentCallSid: AGENT, agentIdentity: "alice", statusCallback: `${base}/conference-status` });
    await stub.settled();
    const other = await secondInstance();
    try {
      expect(await stub.postSigned(`${other.base}/transcription`, content(CUSTOMER, "inbound_track", 1, "before", true))).toBe(204);
      await stub.hangup(AGENT); // the leave reaches the first instance
      await stub.settled();
      expect(await stub.postSigned(`${other.base}/transcription`, content(CUSTOMER, "inbound_track", 2, "after", true))).toBe(204);
      expect(await stub.postSigned(`${other.base}/media-stream`, { AccountSid: STUB_ACCOUNT_SID, CallSid: CUSTOMER, StreamSid: MZ, StreamEvent: "stream-started" })).toBe(204);
      expect(segments().map((s) => s.type === "transcript" && s.segment.text)).toEqual(["before"]);
    } finally {
      await other.close();
    }
  });

  it("a partial whose lookup outlives the deadline answers 204 (Twilio would retry a 504); a final 504", async () => {
    mount({ operationTimeoutMs: 300 });
    stub.stalled.add("call");
    expect(await transcription(content(CUSTOMER, "inbound_track", 1, "partial", false))).toBe(204);
    stub.stalled.add("call");
    expect(await transcription(content(CUSTOMER, "inbound_track", 2, "final", true))).toBe(504);
    expect(published).toEqual([]);
    expect(reported.map((e) => e.message)).toEqual([`call-control request /call-control/transcription timed out after 300 ms`, `call-control request /call-control/transcription timed out after 300 ms`]);
  });

  it("without labels, a customer calling from a browser (two Client legs) is ambiguous: nothing published", async () => {
    conference.participants.get(CUSTOMER)!.label = "";
    conference.participants.get(AGENT)!.label = "";
    Object.assign(stub.calls.get(CUSTOMER)!, { from: "client:web-visitor-1", direction: "inbound" });
    expect(await transcription(content(CUSTOMER, "inbound_track", 1, "from the web", true))).toBe(204);
    expect(await transcription(content(AGENT, "inbound_track", 2, "from the agent", true))).toBe(204);
    expect(published).toEqual([]);
  });

  it('conferenceStatusCallbacks "all": a call that started after the first callback and joined nothing is not searched for; an older one is', async () => {
    mount({ conferenceStatusCallbacks: "all" });
    stub.conferences.clear();
    conference = stub.addConference({ customerCallSid: CUSTOMER, customerNumber: "+15550100", agentCallSid: AGENT, agentIdentity: "alice", statusCallback: `${base}/conference-status` });
    await stub.settled();
    const IVR = "CA" + "9".repeat(32);
    stub.addCall({ sid: IVR, from: "+15550199", to: "+15550009999", status: "in-progress", direction: "inbound", startTime: new Date(Date.now() + 120_000) });
    let before = stub.requests.length;
    expect(await transcription(content(IVR, "inbound_track", 1, "still in the IVR", true))).toBe(204);
    expect(stub.requests.slice(before).map((r) => `${r.method} ${r.path.replace(/^.*\/Accounts\/AC\w+/, "")}`)).toEqual([`GET /Calls/${IVR}.json`]);
    // Bridged before this handler heard anything (e.g. it restarted): searched for and found.
    const OLD_CUSTOMER = "CA" + "d".repeat(32);
    stub.addConference({ customerCallSid: OLD_CUSTOMER, customerNumber: "+15550101", agentCallSid: "CA" + "b".repeat(32), agentIdentity: "bob" });
    stub.calls.get(OLD_CUSTOMER)!.startTime = new Date(Date.now() - 3_600_000);
    before = stub.requests.length;
    expect(await transcription(content(OLD_CUSTOMER, "inbound_track", 1, "been here an hour", true))).toBe(204);
    expect(stub.requests.slice(before).some((r) => r.path.endsWith("/Conferences.json"))).toBe(true);
    expect(segments().map((s) => [s.agentId, s.type === "transcript" && s.segment.text])).toEqual([["bob", "been here an hour"]]);
  });

  it("after a blind transfer through this backend (no conference callbacks), likewise", async () => {
    await transcription(content(CUSTOMER, "inbound_track", 1, "before", true));
    const res = await fetch(`${base}/blindTransfer`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ALICE}` }, body: JSON.stringify({ callSid: AGENT, to: "+15550143" }) });
    expect(res.status).toBe(200);
    await transcription(content(CUSTOMER, "inbound_track", 2, "after", true));
    expect(segments().map((s) => s.type === "transcript" && s.segment.text)).toEqual(["before"]);
  });
});

describe("Media Streams callbacks", () => {
  it("stream-started publishes the StreamSid to the agent, stream-stopped null", async () => {
    expect(await mediaStream(CUSTOMER, "stream-started")).toBe(204);
    expect(await mediaStream(CUSTOMER, "stream-stopped")).toBe(204);
    expect(segments()).toEqual([
      { agentId: "alice", type: "media", callId: AGENT, mediaStream: MZ },
      { agentId: "alice", type: "media", callId: AGENT, mediaStream: null },
    ]);
  });

  it("stream-error publishes null and is reported; an unknown call publishes nothing; a publish failure answers 503", async () => {
    expect(await mediaStream(AGENT, "stream-error", { StreamError: "WebSocket connection failed" })).toBe(204);
    expect(segments()).toEqual([{ agentId: "alice", type: "media", callId: AGENT, mediaStream: null }]);
    expect(reported.map((e) => e.message)).toEqual([`Twilio Media Stream ${MZ} error on call ${AGENT}: WebSocket connection failed`]);
    expect(await mediaStream("CA" + "9".repeat(32), "stream-started")).toBe(204);
    expect(published).toHaveLength(1);
    publishFails = new Error("redis down");
    expect(await mediaStream(CUSTOMER, "stream-started")).toBe(503);
  });

  it("a forged or malformed media callback is refused", async () => {
    const res = await fetch(`${base}/media-stream`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "forged" }, body: new URLSearchParams({ CallSid: CUSTOMER, StreamSid: MZ, StreamEvent: "stream-started" }).toString() });
    expect(res.status).toBe(403);
    expect(await mediaStream(CUSTOMER, "stream-paused")).toBe(400);
    expect(await stub.postSigned(`${base}/media-stream`, { CallSid: CUSTOMER, StreamSid: "MZ../x", StreamEvent: "stream-started" })).toBe(400);
    expect(published).toEqual([]);
  });
});
