// End to end on loopback: the real @opencti/agent-stream (in memory, one instance), the official AWS SDK clients
// against the Connect API stub, and the `eventsource` client a browser's EventSource stands for:
// POST /stream-ticket → GET /events?ticket= → followContactLens → a segment Contact Lens analyzed → the agent's stream.
import { createServer, type Server } from "node:http";
import { createAgentStream, type AgentStream } from "@opencti/agent-stream";
import { EventSource } from "eventsource";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createConnectBackendHandler, type ConnectBackendHandler } from "../src/index.js";
import { ConnectApiStub, STUB_INSTANCE_ID } from "../src/testing/index.js";

const AGENT = "aaaaaaaa-0000-4000-8000-000000000001";
const OTHER_AGENT = "aaaaaaaa-0000-4000-8000-000000000002";
const TOKENS: Record<string, string> = { "agent-session": AGENT, "other-session": OTHER_AGENT };

let stub: ConnectApiStub;
let agentStream: AgentStream;
let handler: ConnectBackendHandler;
let server: Server;
let base = "";
const sources: EventSource[] = [];
const errors: Error[] = [];

beforeEach(async () => {
  stub = await ConnectApiStub.start();
  agentStream = createAgentStream({ onError: (e) => errors.push(e) });
  handler = createConnectBackendHandler({
    client: stub.client(),
    instanceId: STUB_INSTANCE_ID,
    authenticate: (req) => {
      const userId = TOKENS[/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? ""];
      return userId ? { userId } : undefined;
    },
    agentStream,
    contactLens: { client: stub.contactLensClient(), pollMs: 30 },
    onError: (e) => errors.push(e),
  });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/connect`;
  errors.length = 0;
});
afterEach(async () => {
  for (const source of sources.splice(0)) source.close();
  handler.close();
  await agentStream.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await stub.close();
});

const post = async (operation: string, body: unknown, session = "agent-session") => {
  const res = await fetch(`${base}/${operation}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${session}` }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

/** Opens the agent's stream as the browser toolkit does: a fresh ticket, then EventSource on /events. */
async function open(session: string): Promise<{ received: { type: string; data: unknown }[] }> {
  const { status, json } = await post("stream-ticket", {}, session);
  expect(status).toBe(200);
  expect(json).toEqual({ ticket: expect.any(String), expiresInMs: 30_000 });
  const source = new EventSource(`${base}/events?ticket=${encodeURIComponent(json.ticket as string)}`);
  sources.push(source);
  const received: { type: string; data: unknown }[] = [];
  for (const type of ["transcript", "insight", "media"]) source.addEventListener(type, (e) => received.push({ type, data: JSON.parse((e as MessageEvent<string>).data) }));
  await new Promise<void>((resolve, reject) => {
    source.onopen = () => resolve();
    source.onerror = () => reject(new Error("the event stream did not open"));
  });
  return { received };
}

describe("end to end: Contact Lens → the real agent stream → the agent's EventSource", () => {
  it("a segment Contact Lens analyzed arrives on the agent's stream, and only there", async () => {
    const agent = await open("agent-session");
    const other = await open("other-session");
    const contact = stub.addContact({ agentId: AGENT });
    expect(await post("followContactLens", { contactId: contact.id })).toEqual({ status: 200, json: { contactId: contact.id, started: true } });
    stub.addSegments(contact.id, {
      Transcript: { Id: "seg-1", ParticipantId: "CUSTOMER", ParticipantRole: "CUSTOMER", Content: "I want to cancel my subscription.", BeginOffsetMillis: 4100, EndOffsetMillis: 6300, Sentiment: "NEGATIVE" },
    });
    await vi.waitFor(() => expect(agent.received).toHaveLength(2), { timeout: 5000, interval: 20 });
    expect(agent.received).toEqual([
      { type: "transcript", data: { callId: contact.id, segment: { id: "seg-1", speaker: "customer", text: "I want to cancel my subscription.", final: true, startMs: 4100, endMs: 6300 } } },
      { type: "insight", data: { callId: contact.id, insight: { kind: "sentiment", text: "negative", score: -1, data: { segmentId: "seg-1" } } } },
    ]);
    expect(other.received).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("a used ticket is refused (401 AUTH_FAILED from the real stream)", async () => {
    const { json } = await post("stream-ticket", {});
    const first = await fetch(`${base}/events?ticket=${encodeURIComponent(json.ticket as string)}`);
    expect(first.status).toBe(200);
    await first.body?.cancel();
    const again = await fetch(`${base}/events?ticket=${encodeURIComponent(json.ticket as string)}`);
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ code: "AUTH_FAILED" });
  });
});
