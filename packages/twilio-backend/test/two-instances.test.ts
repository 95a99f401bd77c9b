// Two backend instances behind a load balancer, one real redis-server between
// them (127.0.0.1, a free port, stopped by its PID): the agent's browser holds
// its stream on instance B, Twilio's signed transcription callback lands on
// instance A, and the line reaches the browser through Redis pub/sub, once.
import { createAgentStream, type AgentStream } from "@opencti/agent-stream";
import { startRedisServer } from "@opencti/agent-stream/testing";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TwilioRestStub, stubAccessToken } from "../src/testing/index.js";
import { startBackend, transcriptionContent, type BackendInstance } from "./support.js";

const AGENT_LEG = "CA" + "a".repeat(32);
const CUSTOMER_LEG = "CA" + "c".repeat(32);
const GT = "GT" + "7".repeat(32);

interface Instance {
  backend: BackendInstance;
  base: string;
  stream: AgentStream;
}

let stub: TwilioRestStub;
let redis: Awaited<ReturnType<typeof startRedisServer>>;
const instances: Instance[] = [];
const reported: Error[] = [];
let source: EventSource | undefined;

/** One backend instance on its own port, its agent stream on the shared Redis. */
async function instance(): Promise<Instance> {
  const stream = createAgentStream({ redis: { url: redis.url }, onError: (e) => reported.push(e) });
  const backend = await startBackend(stub, { agentStream: stream, onError: (e) => reported.push(e) });
  return { backend, base: backend.base, stream };
}

beforeAll(async () => {
  redis = await startRedisServer();
  stub = await TwilioRestStub.start();
  stub.addConference({ customerCallSid: CUSTOMER_LEG, customerNumber: "+15550100", agentCallSid: AGENT_LEG, agentIdentity: "alice" });
  instances.push(await instance(), await instance());
});

afterAll(async () => {
  source?.close();
  for (const i of instances) {
    await i.stream.close();
    await i.backend.close();
  }
  await stub?.close();
  await redis?.stop();
});

it("a transcription callback received by instance A reaches alice's stream on instance B through Redis, exactly once and in order", async () => {
  const [a, b] = instances as [Instance, Instance];
  // Alice's browser: a ticket from instance A (the balancer's choice), its stream on instance B.
  const res = await fetch(`${a.base}/stream-ticket`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${stubAccessToken("alice")}` }, body: "{}" });
  expect(res.status).toBe(200);
  const { ticket } = (await res.json()) as { ticket: string };
  source = new EventSource(`${b.base}/events?ticket=${encodeURIComponent(ticket)}`);
  const got: { callId: string; sequence: number; segment: { text: string; final: boolean; speaker: string } }[] = [];
  source.addEventListener("transcript", (e) => got.push(JSON.parse(e.data) as (typeof got)[number]));
  await new Promise<void>((resolve, reject) => {
    source!.onopen = () => resolve();
    source!.onerror = () => reject(new Error("alice's stream did not open on instance B"));
  });

  // Twilio's callbacks, all to instance A, signed for A's public URL.
  const callback = (sequence: number, transcript: string, final: boolean) => stub.postSigned(`${a.base}/transcription`, transcriptionContent(CUSTOMER_LEG, { transcriptionSid: GT, track: "inbound_track", sequence, transcript, final }));
  expect(await callback(1, "I need to", false)).toBe(204);
  expect(await callback(2, "I need to change my address.", true)).toBe(204);
  const end = Date.now() + 5000;
  while (got.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 100)); // a duplicate would have arrived by now
  expect(got.map((m) => [m.callId, m.sequence, m.segment.speaker, m.segment.text, m.segment.final])).toEqual([
    [AGENT_LEG, 1, "customer", "I need to", false],
    [AGENT_LEG, 2, "customer", "I need to change my address.", true],
  ]);
  expect(reported).toEqual([]);
});
