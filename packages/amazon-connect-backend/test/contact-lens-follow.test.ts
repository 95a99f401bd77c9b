// followContactLens and the agent stream routes, with the official AWS SDK clients (Connect and Contact Lens)
// against the local stub of Connect's API (never the real one), and a recording agent stream.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createConnectBackendHandler, type AgentStream, type AgentStreamEvent, type ConnectBackendHandler, type ConnectBackendOptions } from "../src/index.js";
import { ConnectApiStub, STUB_INSTANCE_ID, STUB_SECRET_ACCESS_KEY } from "../src/testing/index.js";

const AGENT = "aaaaaaaa-0000-4000-8000-000000000001";
const OTHER_AGENT = "aaaaaaaa-0000-4000-8000-000000000002";
const TOKENS: Record<string, string> = { "agent-session": AGENT, "other-session": OTHER_AGENT };
const LIST_PATH = "/realtime-contact-analysis/analysis-segments";
const POLL_MS = 40;

/** An agent stream that records what it is given. */
class RecordingStream implements AgentStream {
  readonly published: { agentId: string; event: AgentStreamEvent }[] = [];
  readonly tickets: string[] = [];
  failPublish = false;
  issueTicket(agentId: string): Promise<{ ticket: string; expiresInMs: number }> {
    this.tickets.push(agentId);
    return Promise.resolve({ ticket: `ticket-for-${agentId}`, expiresInMs: 30_000 });
  }
  handleEvents(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end(`: ok ${new URL(req.url ?? "/", "http://x").searchParams.get("ticket")}\n\n`);
    return Promise.resolve();
  }
  publish(agentId: string, event: AgentStreamEvent): Promise<void> {
    if (this.failPublish) return Promise.reject(new Error("redis down"));
    this.published.push({ agentId, event });
    return Promise.resolve();
  }
  eventsFor(contactId: string): AgentStreamEvent[] {
    return this.published.filter((p) => p.event.callId === contactId).map((p) => p.event);
  }
}

let stub: ConnectApiStub;
let stream: RecordingStream;
let errors: Error[];
const running: { handler: ConnectBackendHandler; server: Server }[] = [];

/** A backend on a free port with these options (an `undefined` one is left out). */
async function start(over: { [K in keyof ConnectBackendOptions]?: ConnectBackendOptions[K] | undefined } = {}): Promise<string> {
  const options: Record<string, unknown> = {
    client: stub.client(),
    instanceId: STUB_INSTANCE_ID,
    authenticate: (req: IncomingMessage) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      const userId = token ? TOKENS[token] : undefined;
      return userId ? { userId } : undefined;
    },
    agentStream: stream,
    contactLens: { client: stub.contactLensClient(), pollMs: POLL_MS, describeEveryPolls: 2 },
    onError: (e: Error) => errors.push(e),
    operationTimeoutMs: 2000,
    ...over,
  };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  const handler = createConnectBackendHandler(options as unknown as ConnectBackendOptions);
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  running.push({ handler, server });
  const address = server.address();
  return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/connect`;
}

async function post(base: string, operation: string, body: unknown, session = "agent-session"): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/${operation}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${session}` }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const lists = (contactId: string) => stub.requests.filter((r) => r.path === LIST_PATH && (r.body as { ContactId?: string }).ContactId === contactId);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Polling has stopped: no new request for the contact over several intervals. */
async function expectStopped(contactId: string): Promise<void> {
  const count = lists(contactId).length;
  await sleep(POLL_MS * 6);
  expect(lists(contactId).length).toBe(count);
}

const say = (id: string, role: string, content: string, extra: Record<string, unknown> = {}) => ({
  Transcript: { Id: id, ParticipantId: role, ParticipantRole: role, Content: content, BeginOffsetMillis: 1000, EndOffsetMillis: 2000, ...extra },
});

beforeEach(async () => {
  stub = await ConnectApiStub.start();
  stream = new RecordingStream();
  errors = [];
});
afterEach(async () => {
  for (const { handler, server } of running.splice(0)) {
    handler.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await stub.close();
});

describe("followContactLens: Contact Lens real-time analysis to the agent's stream", () => {
  it("publishes transcript, sentiment, issue and category in order to the caller's stream, callId = the contact id", async () => {
    const base = await start();
    const contact = stub.addContact({ agentId: AGENT });
    stub.addSegments(
      contact.id,
      say("t-1", "AGENT", "Thanks for calling, how can I help?", { Sentiment: "POSITIVE" }),
      say("t-2", "CUSTOMER", "I was charged twice for my order.", { Sentiment: "NEGATIVE", IssuesDetected: [{ CharacterOffsets: { BeginOffsetChar: 2, EndOffsetChar: 19 } }] }),
      { Categories: { MatchedCategories: ["Billing"], MatchedDetails: { Billing: { PointsOfInterest: [{ BeginOffsetMillis: 1000, EndOffsetMillis: 2000 }] } } } },
    );
    expect(await post(base, "followContactLens", { contactId: contact.id })).toEqual({ status: 200, json: { contactId: contact.id, started: true } });
    await vi.waitFor(() => expect(stream.published).toHaveLength(6), { timeout: 3000, interval: 10 });
    expect(stream.published.every((p) => p.agentId === AGENT)).toBe(true);
    expect(stream.published.map((p) => p.event)).toEqual([
      { type: "transcript", callId: contact.id, segment: { id: "t-1", speaker: "agent", text: "Thanks for calling, how can I help?", final: true, startMs: 1000, endMs: 2000 } },
      { type: "insight", callId: contact.id, insight: { kind: "sentiment", text: "positive", score: 1, data: { segmentId: "t-1" } } },
      { type: "transcript", callId: contact.id, segment: { id: "t-2", speaker: "customer", text: "I was charged twice for my order.", final: true, startMs: 1000, endMs: 2000 } },
      { type: "insight", callId: contact.id, insight: { kind: "sentiment", text: "negative", score: -1, data: { segmentId: "t-2" } } },
      { type: "insight", callId: contact.id, insight: { kind: "issue", text: "was charged twice", data: { segmentId: "t-2" } } },
      { type: "insight", callId: contact.id, insight: { kind: "category", text: "Billing" } },
    ]);
    // DescribeContact (whose contact) first, then the SDK's Contact Lens request in the documented shape.
    expect(stub.requests[0]!.path).toBe(`/contacts/${STUB_INSTANCE_ID}/${contact.id}`);
    expect(lists(contact.id)[0]!.body).toEqual({ InstanceId: STUB_INSTANCE_ID, ContactId: contact.id, MaxResults: 100 });
    expect(lists(contact.id)[0]!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIA\w+\/\d{8}\/us-east-1\/connect\/aws4_request, /);
    expect(errors).toEqual([]);
  });

  it("carries NextToken between polls: segments analyzed later are published once, categories once per contact; a full page is followed at once", async () => {
    const base = await start();
    const contact = stub.addContact({ agentId: AGENT });
    stub.addSegments(contact.id, say("t-1", "CUSTOMER", "Hello"), { Categories: { MatchedCategories: ["Greeting"] } });
    await post(base, "followContactLens", { contactId: contact.id });
    await vi.waitFor(() => expect(stream.eventsFor(contact.id)).toHaveLength(2), { timeout: 3000, interval: 10 });
    await vi.waitFor(() => expect(lists(contact.id).length).toBeGreaterThanOrEqual(3), { timeout: 3000, interval: 10 });
    stub.addSegments(contact.id, say("t-2", "AGENT", "Hi"), { Categories: { MatchedCategories: ["Greeting", "Upsell"] } });
    // 150 more at once: two pages, the second asked for right after the first.
    stub.addSegments(contact.id, ...Array.from({ length: 150 }, (_, i) => say(`bulk-${i}`, "CUSTOMER", `line ${i}`)));
    await vi.waitFor(() => expect(stream.eventsFor(contact.id)).toHaveLength(2 + 2 + 150), { timeout: 3000, interval: 10 });
    await sleep(POLL_MS * 3);
    const ids = stream.eventsFor(contact.id).map((e) => (e.type === "transcript" ? e.segment.id : e.type === "insight" ? `${e.insight.kind}:${e.insight.text}` : ""));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.startsWith("category:"))).toEqual(["category:Greeting", "category:Upsell"]);
    const bodies = lists(contact.id).map((r) => r.body as { NextToken?: string });
    expect(bodies[0]!.NextToken).toBeUndefined();
    expect(bodies.slice(1).every((b) => typeof b.NextToken === "string")).toBe(true);
    // The page after a full one (100 segments) was asked for at once, not an interval later.
    const times = lists(contact.id).map((r) => r.at);
    expect(times.slice(1).some((t, i) => t - times[i]! < POLL_MS * 0.75)).toBe(true);
  });

  it("stops when the analysis completes (no NextToken) and when DescribeContact shows the contact ended (after the grace period)", async () => {
    const base = await start({ contactLens: { client: stub.contactLensClient(), pollMs: POLL_MS, describeEveryPolls: 2, afterContactGraceMs: POLL_MS * 3 } });
    const completed = stub.addContact({ agentId: AGENT });
    await post(base, "followContactLens", { contactId: completed.id });
    await vi.waitFor(() => expect(lists(completed.id).length).toBeGreaterThanOrEqual(1), { timeout: 3000, interval: 10 });
    stub.addSegments(completed.id, say("last", "CUSTOMER", "Bye"));
    stub.endContact(completed.id);
    await vi.waitFor(() => expect(stream.eventsFor(completed.id)).toHaveLength(1), { timeout: 3000, interval: 10 });
    await expectStopped(completed.id);

    // The analysis never says it is over: DescribeContact's DisconnectTimestamp ends the polling, afterContactGraceMs later.
    const ended = stub.addContact({ agentId: AGENT });
    await post(base, "followContactLens", { contactId: ended.id });
    await vi.waitFor(() => expect(lists(ended.id).length).toBeGreaterThanOrEqual(1), { timeout: 3000, interval: 10 });
    stub.endContact(ended.id, { analysisCompleted: false });
    stub.addSegments(ended.id, say("after", "AGENT", "Goodbye"));
    await vi.waitFor(() => expect(stream.eventsFor(ended.id)).toHaveLength(1), { timeout: 3000, interval: 10 });
    await sleep(POLL_MS * 4);
    await expectStopped(ended.id);
    expect(stub.requests.some((r) => r.method === "GET" && r.path.endsWith(ended.id))).toBe(true);
    expect(errors).toEqual([]);
  });

  it("someone else's contact, a queued one or an ended one is refused before any Contact Lens request", async () => {
    const base = await start();
    const theirs = stub.addContact({ agentId: OTHER_AGENT });
    expect(await post(base, "followContactLens", { contactId: theirs.id })).toEqual({ status: 403, json: { error: { code: "AUTH_FAILED", message: "The contact is not this agent's" } } });
    const queued = stub.addContact();
    expect((await post(base, "followContactLens", { contactId: queued.id })).status).toBe(403);
    const ended = stub.addContact({ agentId: AGENT });
    stub.endContact(ended.id);
    expect((await post(base, "followContactLens", { contactId: ended.id })).json).toEqual({ error: { code: "INVALID_STATE", message: "The contact is not a live voice contact" } });
    expect((await post(base, "followContactLens", { contactId: "not-a-contact" })).status).toBe(400);
    expect((await post(base, "followContactLens", { contactId: theirs.id }, "nobody")).status).toBe(401);
    await sleep(POLL_MS * 2);
    expect(stub.requests.filter((r) => r.path === LIST_PATH)).toEqual([]);
  });

  it("since (a new poller for a browser that showed part of the contact) skips what ended by then, insights and categories included; a running poller ignores it; a bad since is a 400", async () => {
    const base = await start();
    const contact = stub.addContact({ agentId: AGENT });
    const at = (id: string, end: number, extra: Record<string, unknown> = {}) => ({ Transcript: { ...say(id, "CUSTOMER", `${id} text`, extra).Transcript, BeginOffsetMillis: end - 500, EndOffsetMillis: end } });
    stub.addSegments(
      contact.id,
      at("t-1", 2000, { Sentiment: "NEUTRAL" }),
      { Categories: { MatchedCategories: ["Greeting"] } },
      at("t-2", 4000, { Sentiment: "NEGATIVE", IssuesDetected: [{ CharacterOffsets: { BeginOffsetChar: 0, EndOffsetChar: 3 } }] }),
      { Categories: { MatchedCategories: ["Billing"] } },
      at("t-3", 6000, { Sentiment: "POSITIVE" }),
      { Categories: { MatchedCategories: ["Billing", "Refund"] } },
    );
    for (const since of [-1, "4000", Number.MAX_VALUE, null]) expect((await post(base, "followContactLens", { contactId: contact.id, since })).status).toBe(400);
    expect((await post(base, "followContactLens", { contactId: contact.id, since: 4000 })).json).toEqual({ contactId: contact.id, started: true });
    await vi.waitFor(() => expect(stream.eventsFor(contact.id)).toHaveLength(3), { timeout: 3000, interval: 10 });
    await sleep(POLL_MS * 3);
    expect(stream.eventsFor(contact.id).map((e) => (e.type === "transcript" ? e.segment.id : e.type === "insight" ? `${e.insight.kind}:${e.insight.text}` : ""))).toEqual(["t-3", "sentiment:positive", "category:Refund"]);
    // Joined: the running poller goes on from where it is.
    expect((await post(base, "followContactLens", { contactId: contact.id, since: 0 })).json).toEqual({ contactId: contact.id, started: false });
    stub.addSegments(contact.id, at("t-4", 8000));
    await vi.waitFor(() => expect(stream.eventsFor(contact.id)).toHaveLength(4), { timeout: 3000, interval: 10 });
    await sleep(POLL_MS * 3);
    expect(stream.eventsFor(contact.id)).toHaveLength(4);
  });

  it("the same contact followed twice (two tabs, a retry) is one poller", async () => {
    const base = await start();
    const contact = stub.addContact({ agentId: AGENT });
    stub.addSegments(contact.id, say("t-1", "CUSTOMER", "Hello"));
    const [a, b] = await Promise.all([post(base, "followContactLens", { contactId: contact.id }), post(base, "followContactLens", { contactId: contact.id })]);
    expect([a.json.started, b.json.started].sort()).toEqual([false, true]);
    expect((await post(base, "followContactLens", { contactId: contact.id })).json).toEqual({ contactId: contact.id, started: false });
    await vi.waitFor(() => expect(lists(contact.id).length).toBeGreaterThanOrEqual(5), { timeout: 3000, interval: 10 });
    // One poller: never two requests for the contact closer than most of an interval apart.
    const times = lists(contact.id).map((r) => r.at);
    for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(POLL_MS * 0.75);
    expect(stream.eventsFor(contact.id)).toHaveLength(1);
  });

  it("throttling backs off (the interval doubles) without reporting, then polling goes on", async () => {
    const base = await start();
    const contact = stub.addContact({ agentId: AGENT });
    stub.failNext("ListRealtimeContactAnalysisSegments", "ThrottlingException", 429, 3);
    stub.addSegments(contact.id, say("t-1", "CUSTOMER", "Hello"));
    await post(base, "followContactLens", { contactId: contact.id });
    await vi.waitFor(() => expect(stream.eventsFor(contact.id)).toHaveLength(1), { timeout: 5000, interval: 10 });
    const times = lists(contact.id).map((r) => r.at);
    const gaps = times.slice(1, 4).map((t, i) => t - times[i]!);
    // After the 1st, 2nd and 3rd throttled answers: 2×, 4×, 8× the interval.
    expect(gaps[0]).toBeGreaterThanOrEqual(POLL_MS * 2 - 5);
    expect(gaps[1]).toBeGreaterThanOrEqual(POLL_MS * 4 - 5);
    expect(gaps[2]).toBeGreaterThanOrEqual(POLL_MS * 8 - 5);
    expect(errors).toEqual([]);
  });

  it("other failures are reported scrubbed and stop the poller after three in a row; a contact without analysis stops it silently", async () => {
    const base = await start();
    const contact = stub.addContact({ agentId: AGENT });
    stub.failNext("ListRealtimeContactAnalysisSegments", "InternalServiceException", 500, 3);
    await post(base, "followContactLens", { contactId: contact.id });
    await vi.waitFor(() => expect(errors).toHaveLength(3), { timeout: 3000, interval: 10 });
    await expectStopped(contact.id);
    expect(lists(contact.id)).toHaveLength(3);
    expect(errors.map((e) => e.name)).toEqual(["InternalServiceException", "InternalServiceException", "InternalServiceException"]);
    expect(JSON.stringify(errors.map((e) => [e.message, e.stack]))).not.toMatch(/Signature=[0-9a-f]|AKIA|Credential=[^[]/);

    const dark = stub.addContact({ agentId: AGENT, contactLens: false });
    errors.length = 0;
    await post(base, "followContactLens", { contactId: dark.id });
    await vi.waitFor(() => expect(lists(dark.id)).toHaveLength(1), { timeout: 3000, interval: 10 });
    await expectStopped(dark.id);
    expect(errors).toEqual([]);
    // It may be followed again later (e.g. after the agent's stream reconnects): a new poller.
    expect((await post(base, "followContactLens", { contactId: dark.id })).json).toEqual({ contactId: dark.id, started: true });
  });

  it("refused credentials (AccessDenied-like) are reported once and stop the poller; a failing publish is reported and polling goes on", async () => {
    const base = await start({ contactLens: { client: stub.contactLensClient({ accessKeyId: "AKIAWRONGWRONGWRONG1", secretAccessKey: STUB_SECRET_ACCESS_KEY }), pollMs: POLL_MS, maxConsecutiveFailures: 2 } });
    const contact = stub.addContact({ agentId: AGENT });
    await post(base, "followContactLens", { contactId: contact.id });
    await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(2), { timeout: 3000, interval: 10 });
    await expectStopped(contact.id);
    expect(errors[0]!.name).toBe("UnrecognizedClientException");
    expect(JSON.stringify(errors.map((e) => [e.message, e.stack]))).not.toContain(STUB_SECRET_ACCESS_KEY);

    errors.length = 0;
    const base2 = await start();
    const denied = stub.addContact({ agentId: AGENT });
    stub.failNext("ListRealtimeContactAnalysisSegments", "AccessDeniedException", 403);
    await post(base2, "followContactLens", { contactId: denied.id });
    await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 3000, interval: 10 });
    await expectStopped(denied.id);
    expect(lists(denied.id)).toHaveLength(1);

    errors.length = 0;
    stream.failPublish = true;
    const flaky = stub.addContact({ agentId: AGENT });
    stub.addSegments(flaky.id, say("t-1", "CUSTOMER", "Hello"));
    await post(base2, "followContactLens", { contactId: flaky.id });
    await vi.waitFor(() => expect(errors.map((e) => e.message)).toEqual(["redis down"]), { timeout: 3000, interval: 10 });
    stream.failPublish = false;
    stub.addSegments(flaky.id, say("t-2", "CUSTOMER", "Anyone?"));
    await vi.waitFor(() => expect(stream.eventsFor(flaky.id).map((e) => e.type === "transcript" && e.segment.id)).toEqual(["t-2"]), { timeout: 3000, interval: 10 });
  });

  it("maxDurationMs ends a poller; close() stops every poller and later follows start none", async () => {
    const base = await start({ contactLens: { client: stub.contactLensClient(), pollMs: POLL_MS, maxDurationMs: POLL_MS * 3 } });
    const long = stub.addContact({ agentId: AGENT });
    await post(base, "followContactLens", { contactId: long.id });
    await vi.waitFor(() => expect(lists(long.id).length).toBeGreaterThanOrEqual(2), { timeout: 3000, interval: 10 });
    await sleep(POLL_MS * 4);
    await expectStopped(long.id);
    expect(lists(long.id).length).toBeLessThanOrEqual(4);

    const base2 = await start();
    const contact = stub.addContact({ agentId: AGENT });
    await post(base2, "followContactLens", { contactId: contact.id });
    await vi.waitFor(() => expect(lists(contact.id).length).toBeGreaterThanOrEqual(1), { timeout: 3000, interval: 10 });
    running.at(-1)!.handler.close();
    await expectStopped(contact.id);
    const other = stub.addContact({ agentId: AGENT });
    expect((await post(base2, "followContactLens", { contactId: other.id })).json).toEqual({ contactId: other.id, started: false });
    await sleep(POLL_MS * 2);
    expect(lists(other.id)).toEqual([]);
  });

  it("rejects bad Contact Lens settings at creation", () => {
    expect(() => createConnectBackendHandler({ client: stub.client(), instanceId: STUB_INSTANCE_ID, authenticate: () => undefined, agentStream: stream, contactLens: { client: stub.contactLensClient(), pollMs: 5 } })).toThrow(TypeError);
  });
});

describe("followContactLens: the end of the contact and who it belongs to", () => {
  const summary = (content: string) => ({ PostContactSummary: { Status: "COMPLETED", Content: content } });
  const describes = (contactId: string) => stub.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/${contactId}`));

  it("after the contact ends, a backlog over 100 segments is published whole, then the post-contact summary produced later; polling stops once the analysis completes", async () => {
    const base = await start();
    const contact = stub.addContact({ agentId: AGENT });
    await post(base, "followContactLens", { contactId: contact.id });
    await vi.waitFor(() => expect(lists(contact.id).length).toBeGreaterThanOrEqual(1), { timeout: 3000, interval: 10 });
    // The contact ends with 250 segments not yet polled (e.g. after throttling); Contact Lens is still working on it.
    stub.addSegments(contact.id, ...Array.from({ length: 250 }, (_, i) => say(`b-${i}`, "CUSTOMER", `line ${i}`)));
    stub.endContact(contact.id, { analysisCompleted: false });
    await vi.waitFor(() => expect(stream.eventsFor(contact.id)).toHaveLength(250), { timeout: 3000, interval: 10 });
    // The summary comes after the contact is over, then the analysis completes (no NextToken).
    await sleep(POLL_MS * 4);
    stub.addSegments(contact.id, summary("The customer was charged twice; refund issued."));
    stub.contacts.get(contact.id)!.contactLens!.completed = true;
    await vi.waitFor(() => expect(stream.eventsFor(contact.id).at(-1)).toEqual({ type: "insight", callId: contact.id, insight: { kind: "summary", text: "The customer was charged twice; refund issued." } }), { timeout: 3000, interval: 10 });
    expect(stream.published.every((p) => p.agentId === AGENT)).toBe(true);
    await expectStopped(contact.id);
    expect(errors).toEqual([]);
  });

  it("after the contact ends, polling stops afterContactGraceMs later when the analysis never completes, backing off meanwhile", async () => {
    const base = await start({ contactLens: { client: stub.contactLensClient(), pollMs: POLL_MS, describeEveryPolls: 2, afterContactGraceMs: POLL_MS * 12 } });
    const contact = stub.addContact({ agentId: AGENT });
    await post(base, "followContactLens", { contactId: contact.id });
    await vi.waitFor(() => expect(lists(contact.id).length).toBeGreaterThanOrEqual(1), { timeout: 3000, interval: 10 });
    stub.endContact(contact.id, { analysisCompleted: false });
    await vi.waitFor(() => expect(describes(contact.id).length).toBeGreaterThanOrEqual(2), { timeout: 3000, interval: 10 });
    const atEnd = lists(contact.id).length;
    await sleep(POLL_MS * 16);
    await expectStopped(contact.id);
    // Intervals double after the end (40, 80, 160, 320 ms…): a handful of polls in the grace period, not one per interval.
    const after = lists(contact.id).length - atEnd;
    expect(after).toBeGreaterThanOrEqual(2);
    expect(after).toBeLessThanOrEqual(6);
    expect(() => createConnectBackendHandler({ client: stub.client(), instanceId: STUB_INSTANCE_ID, authenticate: () => undefined, agentStream: stream, contactLens: { client: stub.contactLensClient(), afterContactGraceMs: -1 } })).toThrow(TypeError);
  });

  it("the contact passed to another agent (a transfer): nothing more to the first agent, who never gets the rest nor the summary", async () => {
    const base = await start();
    const contact = stub.addContact({ agentId: AGENT });
    stub.addSegments(contact.id, say("a-1", "AGENT", "Let me transfer you."));
    await post(base, "followContactLens", { contactId: contact.id });
    await vi.waitFor(() => expect(stream.eventsFor(contact.id)).toHaveLength(1), { timeout: 3000, interval: 10 });
    stub.users.add(OTHER_AGENT);
    stub.contacts.get(contact.id)!.agentId = OTHER_AGENT;
    const seen = describes(contact.id).length;
    await vi.waitFor(() => expect(describes(contact.id).length).toBeGreaterThan(seen), { timeout: 3000, interval: 10 });
    stub.addSegments(contact.id, say("b-1", "CUSTOMER", "My card number is…"), summary("Card issue."));
    stub.endContact(contact.id);
    await expectStopped(contact.id);
    expect(stream.published.map((p) => [p.agentId, p.event.type === "transcript" ? p.event.segment.id : p.event.type])).toEqual([[AGENT, "a-1"]]);
  });

  it("the agent left (after-contact work) while the contact goes on: nothing more to that agent, not even the summary", async () => {
    const base = await start();
    const contact = stub.addContact({ agentId: AGENT });
    stub.addSegments(contact.id, say("a-1", "AGENT", "I'll leave you with my colleague."));
    await post(base, "followContactLens", { contactId: contact.id });
    await vi.waitFor(() => expect(stream.eventsFor(contact.id)).toHaveLength(1), { timeout: 3000, interval: 10 });
    stub.contacts.get(contact.id)!.afterContactWorkAt = Date.now();
    const seen = describes(contact.id).length;
    // Once DescribeContact said so, the third party's words that follow never reach the agent who left.
    await vi.waitFor(() => expect(describes(contact.id).length).toBeGreaterThan(seen), { timeout: 3000, interval: 5 });
    stub.addSegments(contact.id, say("c-1", "THIRD_PARTY", "Hello, I'm the specialist."));
    await sleep(POLL_MS * 6);
    stub.addSegments(contact.id, summary("Escalated to a specialist."));
    stub.endContact(contact.id);
    await expectStopped(contact.id);
    expect(stream.eventsFor(contact.id).map((e) => (e.type === "transcript" ? e.segment.id : e.type))).toEqual(["a-1"]);
  });

  it("the agent who stays to the end gets the summary, also when after-contact work shows a moment before the disconnect", async () => {
    const base = await start({ contactLens: { client: stub.contactLensClient(), pollMs: 150, describeEveryPolls: 1 } });
    const contact = stub.addContact({ agentId: AGENT });
    await post(base, "followContactLens", { contactId: contact.id });
    await vi.waitFor(() => expect(lists(contact.id).length).toBeGreaterThanOrEqual(1), { timeout: 3000, interval: 5 });
    // DescribeContact shows the agent in after-contact work while the contact is still live…
    stub.contacts.get(contact.id)!.afterContactWorkAt = Date.now();
    const seen = describes(contact.id).length;
    await vi.waitFor(() => expect(describes(contact.id).length).toBe(seen + 1), { timeout: 3000, interval: 5 });
    // …and at the next check the contact is over: the agent was the last on it.
    stub.addSegments(contact.id, say("a-9", "AGENT", "Goodbye."), summary("Resolved."));
    stub.endContact(contact.id);
    await vi.waitFor(() => expect(stream.eventsFor(contact.id).map((e) => (e.type === "transcript" ? e.segment.id : e.type === "insight" ? e.insight.kind : ""))).toEqual(["a-9", "summary"]), { timeout: 3000, interval: 10 });
  });
});

describe("the agent stream routes", () => {
  it("POST /stream-ticket: authenticated like every operation → issueTicket(the caller's Connect user id)", async () => {
    const base = await start();
    expect(await post(base, "stream-ticket", {})).toEqual({ status: 200, json: { ticket: `ticket-for-${AGENT}`, expiresInMs: 30_000 } });
    expect(stream.tickets).toEqual([AGENT]);
    expect((await post(base, "stream-ticket", {}, "nobody")).status).toBe(401);
    const evil = await fetch(`${base}/stream-ticket`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer agent-session", origin: "https://evil.example" }, body: "{}" });
    expect(evil.status).toBe(403);
    expect((await fetch(`${base}/stream-ticket`, { method: "POST", headers: { authorization: "Bearer agent-session" }, body: "{}" })).status).toBe(415);
    expect(stream.tickets).toEqual([AGENT]);
  });

  it("GET /events goes to handleEvents (no deadline, no session); other methods are 405", async () => {
    const base = await start({ operationTimeoutMs: 50 });
    const res = await fetch(`${base}/events?ticket=abc`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(": ok abc\n\n");
    expect((await fetch(`${base}/events`, { method: "POST" })).status).toBe(405);
  });

  it("without agentStream the routes and followContactLens are unknown operations (404); without contactLens followContactLens is", async () => {
    const bare = await start({ agentStream: undefined });
    const contact = stub.addContact({ agentId: AGENT });
    expect((await post(bare, "stream-ticket", {})).status).toBe(404);
    expect((await fetch(`${bare}/events?ticket=abc`)).status).toBe(404);
    expect((await post(bare, "followContactLens", { contactId: contact.id })).json).toEqual({ error: { code: "INVALID_ARGUMENT", message: "Unknown operation" } });
    const noLens = await start({ contactLens: undefined });
    expect((await post(noLens, "followContactLens", { contactId: contact.id })).status).toBe(404);
    expect((await post(noLens, "stream-ticket", {})).status).toBe(200);
    expect(stub.requests).toEqual([]);
  });
});
