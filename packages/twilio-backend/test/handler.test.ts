// The reference backend with the official twilio library against the local
// stub of Twilio's REST API (never the real one).
import { createServer, type Server } from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createCallControlHandler } from "../src/index.js";
import { STUB_AUTH_TOKEN, TwilioRestStub, type StubConference } from "../src/testing/index.js";

let stub: TwilioRestStub;
let server: Server;
let base = "";
let allow = true;
let conference: StubConference;
const CUSTOMER = "CA" + "c".repeat(32);
const AGENT = "CA" + "a".repeat(32);

beforeAll(async () => {
  stub = await TwilioRestStub.start();
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/call-control`;
  const handler = createCallControlHandler({ client: stub.client(), publicUrl: base, callerId: "+15550001111", authToken: STUB_AUTH_TOKEN, authenticate: () => Promise.resolve(allow ? "agent" : undefined) });
  server.on("request", (req, res) => void handler(req, res));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await stub.close();
});
beforeEach(() => {
  allow = true;
  stub.conferences.clear();
  conference = stub.addConference({ customerCallSid: CUSTOMER, customerNumber: "+15550100", agentCallSid: AGENT });
});
afterEach(() => stub.removeAllListeners());

async function post(operation: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/${operation}`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const customer = () => conference.participants.get(CUSTOMER)!;

describe("call-control contract over the Twilio REST stub", () => {
  it("hold and resume put the customer participant on and off hold", async () => {
    expect(await post("hold", { callSid: AGENT })).toEqual({ status: 200, json: {} });
    expect(customer().hold).toBe(true);
    expect(stub.requests.at(-1)).toMatchObject({ method: "POST", path: expect.stringContaining(`/Participants/${CUSTOMER}.json`), form: { Hold: "true" } });
    await post("resume", { callSid: AGENT });
    expect(customer().hold).toBe(false);
  });

  it("blind transfer dials the target into the conference and removes the agent's leg", async () => {
    const removed = new Promise((resolve) => stub.once("participantRemoved", (_c, p) => resolve(p.callSid)));
    expect((await post("blindTransfer", { callSid: AGENT, to: "+15550143" })).status).toBe(200);
    expect(await removed).toBe(AGENT);
    const added = [...conference.participants.values()].find((p) => p.label === "transfer");
    expect(added).toMatchObject({ to: "+15550143", endConferenceOnExit: false });
    expect(stub.requests.find((r) => r.method === "POST" && r.path.endsWith("/Participants.json"))?.form).toMatchObject({ From: "+15550001111", To: "+15550143" });
  });

  it("consult holds the customer, dials the party with a status callback, and its answer reaches the agent's call as a user-defined message", async () => {
    const { status, json } = await post("consult", { callSid: AGENT, to: "+15550144" });
    expect(status).toBe(200);
    const party = json.callSid as string;
    expect(party).toMatch(/^CA/);
    expect(customer().hold).toBe(true);
    const message = new Promise<[string, string]>((resolve) => stub.once("userDefinedMessage", (sid, content) => resolve([sid, content])));
    await stub.answer(party);
    const [to, content] = await message;
    expect(to).toBe(AGENT);
    expect(JSON.parse(content)).toEqual({ opencti: "party", callSid: party, status: "in-progress" });
  });

  it("complete transfer takes the customer off hold and removes the agent; conference only takes the customer off hold", async () => {
    const { json } = await post("consult", { callSid: AGENT, to: "+15550144" });
    await post("conference", { callSid: AGENT, consultCallSid: json.callSid });
    expect(customer().hold).toBe(false);
    expect(conference.participants.has(AGENT)).toBe(true);
    await post("hold", { callSid: AGENT });
    await post("completeTransfer", { callSid: AGENT, consultCallSid: json.callSid });
    expect(customer().hold).toBe(false);
    expect(conference.participants.has(AGENT)).toBe(false);
  });

  it("drop party removes an added party, never the customer", async () => {
    const { json } = await post("consult", { callSid: AGENT, to: "+15550144" });
    expect((await post("dropParty", { callSid: AGENT, partyCallSid: json.callSid })).status).toBe(200);
    expect(conference.participants.has(json.callSid as string)).toBe(false);
    expect(await post("dropParty", { callSid: AGENT, partyCallSid: CUSTOMER })).toMatchObject({ status: 400, json: { error: { code: "INVALID_ARGUMENT" } } });
  });
});

describe("errors", () => {
  it("a call in no conference is INVALID_STATE; a bad destination is INVALID_DESTINATION; bad JSON and unknown operations are refused", async () => {
    expect(await post("hold", { callSid: "CA" + "9".repeat(32) })).toMatchObject({ status: 409, json: { error: { code: "INVALID_STATE" } } });
    expect(await post("blindTransfer", { callSid: AGENT, to: "<script>" })).toMatchObject({ status: 400, json: { error: { code: "INVALID_DESTINATION" } } });
    expect(await post("hold", "{nope")).toMatchObject({ status: 400, json: { error: { code: "INVALID_ARGUMENT" } } });
    expect(await post("hold", {})).toMatchObject({ status: 400, json: { error: { code: "INVALID_ARGUMENT" } } });
    expect(await post("explode", { callSid: AGENT })).toMatchObject({ status: 404 });
  });

  it("requests the integrator's authenticate() refuses get AUTH_FAILED and change nothing", async () => {
    allow = false;
    expect(await post("hold", { callSid: AGENT })).toMatchObject({ status: 401, json: { error: { code: "AUTH_FAILED" } } });
    expect(customer().hold).toBe(false);
  });

  it("a status callback without a valid Twilio signature is refused and sends no message", async () => {
    const sent = vi.fn();
    stub.on("userDefinedMessage", sent);
    const res = await fetch(`${base}/status?agentCallSid=${AGENT}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "forged" },
      body: new URLSearchParams({ CallSid: CUSTOMER, CallStatus: "completed" }).toString(),
    });
    expect(res.status).toBe(403);
    expect(sent).not.toHaveBeenCalled();
  });

  it("Twilio's own credentials errors surface as AUTH_FAILED", async () => {
    const { createCallControlHandler: create } = await import("../src/index.js");
    const { default: twilio } = await import("twilio");
    const bad = twilio("AC" + "0".repeat(32), "wrong-token", { httpClient: (stub.client() as unknown as { httpClient: unknown }).httpClient as never });
    const handler = create({ client: bad, publicUrl: base, callerId: "+15550001111", authToken: STUB_AUTH_TOKEN, authenticate: () => "agent" });
    const res = { status: 0, body: "", writeHead(s: number) { this.status = s; }, end(b?: string) { this.body = b ?? ""; } };
    const { Readable } = await import("node:stream");
    const req = Object.assign(Readable.from([Buffer.from(JSON.stringify({ callSid: AGENT }))]), { method: "POST", url: "/call-control/hold", headers: { "content-type": "application/json" } });
    await handler(req as never, res as never);
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: "AUTH_FAILED" } });
    expect(res.body).not.toContain("wrong-token");
  });
});
