// Review of the supervisor features (issue 16), through the official twilio
// library against the loopback REST stub: a session ends with the agent's
// part in the call (transfer, the agent's own hang-up), an identity cannot
// split the dial URL, completeTransfer / conference name only a consulted
// party, and a change of mode targets the agent leg recorded at the start.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCallControlHandler, type SupervisorRequest } from "../src/index.js";
import { STUB_AUTH_TOKEN, TwilioRestStub, type StubConference } from "../src/testing/index.js";

let stub: TwilioRestStub;
let server: Server;
let base = "";
let conference: StubConference;
const asked: SupervisorRequest[] = [];
const CUSTOMER = "CA" + "c".repeat(32);
const AGENT = "CA" + "a".repeat(32);

// The identity is the test's header (accessTokenAuthenticator is tested elsewhere); publicUrl is the server's own, so the stub's signed conference callbacks verify.
const authenticate = (req: { headers: Record<string, string | string[] | undefined> }) => req.headers["x-identity"] as string | undefined;

beforeAll(async () => {
  stub = await TwilioRestStub.start();
  const mounted: { handler?: ReturnType<typeof createCallControlHandler> } = {};
  server = createServer((req, res) => void mounted.handler!(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/call-control`;
  mounted.handler = createCallControlHandler({
    client: stub.client(),
    publicUrl: base,
    callerId: "+15550001111",
    authToken: STUB_AUTH_TOKEN,
    authenticate,
    // Any identity starting with "sup" supervises "agent" (so a malformed "sup…" identity is authorized: only the identity check stops it).
    authorizeSupervisor: (request) => {
      asked.push(request);
      return request.supervisor.startsWith("sup") && request.agent === "agent";
    },
  });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await stub.close();
});
beforeEach(() => {
  asked.length = 0;
  stub.conferences.clear();
  stub.calls.clear();
  stub.removeAllListeners();
  stub.requests.length = 0;
  conference = stub.addConference({ customerCallSid: CUSTOMER, customerNumber: "+15550100", agentCallSid: AGENT, statusCallback: `${base}/conference-status` });
});

async function post(operation: string, body: unknown, identity = "agent"): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/${operation}`, { method: "POST", headers: { "content-type": "application/json", "x-identity": identity }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
const refusal = (status: number, code: string) => ({ status, json: { error: { code, message: expect.any(String) } } });
const labels = (c = conference) => [...c.participants.values()].map((p) => p.label.replace(/^supervisor:.*/, "supervisor")).sort();
const created = () => stub.requests.filter((r) => r.method === "POST" && r.path.endsWith("/Participants.json"));
async function supervise(mode = "monitor", identity = "sup"): Promise<string> {
  const { status, json } = await post("monitor", { target: AGENT, mode }, identity);
  expect(status).toBe(200);
  await stub.settled();
  return json.callSid as string;
}

describe("a session does not outlive the agent's part in the call", () => {
  it("completeTransfer removes every supervisor with the agent: the customer and the consulted party are left alone", async () => {
    const sup = await supervise("monitor");
    const sup2 = await supervise("whisper", "sup2");
    const { json } = await post("consult", { callSid: AGENT, to: "+15550200" });
    await stub.answer(json.callSid as string);
    expect(labels()).toEqual(["agent", "consult", "customer", "supervisor", "supervisor"]);
    expect(await post("completeTransfer", { callSid: AGENT, consultCallSid: json.callSid })).toEqual({ status: 200, json: {} });
    await stub.settled();
    expect(labels()).toEqual(["consult", "customer"]);
    expect(conference.participants.has(sup) || conference.participants.has(sup2)).toBe(false);
  });

  it("blindTransfer removes every supervisor with the agent", async () => {
    await supervise("barge");
    expect(await post("blindTransfer", { callSid: AGENT, to: "+15550300" })).toEqual({ status: 200, json: {} });
    await stub.settled();
    expect(labels()).toEqual(["customer", "transfer"]);
  });

  it("the agent hanging up its own leg: the conference callback removes the supervisors watching it", async () => {
    const sup = await supervise("monitor");
    await stub.hangup(AGENT);
    await stub.settled();
    expect(labels()).toEqual(["customer"]);
    expect(conference.participants.has(sup)).toBe(false);
  });

  it("stopMonitor removes the caller's own leg when the watched agent is gone; setMonitorMode then answers 409, others still 403", async () => {
    // A conference without status callbacks: nothing removes the session when the agent leaves.
    stub.conferences.clear();
    conference = stub.addConference({ customerCallSid: CUSTOMER, customerNumber: "+15550100", agentCallSid: AGENT });
    const sup = await supervise("monitor");
    await stub.hangup(AGENT);
    expect(await post("setMonitorMode", { callSid: sup, mode: "barge" }, "sup")).toEqual(refusal(409, "INVALID_STATE"));
    expect(conference.participants.get(sup)).toMatchObject({ muted: true });
    expect(await post("stopMonitor", { callSid: sup }, "mallory")).toEqual(refusal(403, "AUTH_FAILED"));
    expect(await post("stopMonitor", { callSid: sup }, "sup")).toEqual({ status: 200, json: {} });
    expect(labels()).toEqual(["customer"]);
  });
});

describe("if Twilio kept `?opencti=monitor` in the Call resource's `to` (unverified against the live API)", () => {
  it("the supervisor's leg is nobody's by the ownership check: setMonitorMode and stopMonitor fail closed (403), nothing changes", async () => {
    const sup = await supervise("monitor");
    stub.calls.get(sup)!.to = "client:sup?opencti=monitor";
    expect(await post("setMonitorMode", { callSid: sup, mode: "barge" }, "sup")).toEqual(refusal(403, "AUTH_FAILED"));
    expect(await post("stopMonitor", { callSid: sup }, "sup")).toEqual(refusal(403, "AUTH_FAILED"));
    expect(conference.participants.get(sup)).toMatchObject({ muted: true });
    // The agent leaving still ends the session.
    await stub.hangup(AGENT);
    await stub.settled();
    expect(labels()).toEqual(["customer"]);
  });
});

describe("the supervisor's identity in the dial destination", () => {
  it("an identity that could split `client:<identity>?opencti=monitor` is refused; Twilio dials nobody", async () => {
    for (const identity of ["sup?x=", "sup&opencti=x", "sup/../bob", "sup bob", "sup%3Fx"]) {
      expect(await post("monitor", { target: AGENT, mode: "monitor" }, identity)).toEqual(refusal(403, "AUTH_FAILED"));
    }
    expect(created()).toEqual([]);
    expect(labels()).toEqual(["agent", "customer"]);
    // The identities the `client:` grammar allows still work.
    await supervise("monitor", "sup.visor@example-1_x");
    expect(created().at(-1)?.form.To).toBe("client:sup.visor@example-1_x?opencti=monitor");
  });
});

describe("completeTransfer and conference name only a consulted party", () => {
  it("the supervisor's leg, the customer's or the agent's own as consultCallSid: 400, nobody unheld or removed", async () => {
    const sup = await supervise("monitor");
    await post("hold", { callSid: AGENT });
    for (const consult of [sup, CUSTOMER, AGENT]) {
      expect(await post("completeTransfer", { callSid: AGENT, consultCallSid: consult })).toEqual(refusal(400, "INVALID_ARGUMENT"));
      expect(await post("conference", { callSid: AGENT, consultCallSid: consult })).toEqual(refusal(400, "INVALID_ARGUMENT"));
    }
    expect(labels()).toEqual(["agent", "customer", "supervisor"]);
    expect(conference.participants.get(CUSTOMER)?.hold).toBe(true);
    // A real consult still completes.
    const { json } = await post("consult", { callSid: AGENT, to: "+15550200" });
    expect((await post("conference", { callSid: AGENT, consultCallSid: json.callSid })).status).toBe(200);
  });
});

describe("a change of mode targets the agent leg recorded at the session's start", () => {
  it("with an unlabelled customer listed first (a browser's internal call), whisper still coaches the agent, never the customer", async () => {
    // The integrator's TwiML did not label the customer, whose leg is another browser's (inbound from client:carol).
    conference.participants.get(CUSTOMER)!.label = "";
    stub.addCall({ sid: CUSTOMER, from: "client:carol", to: "+15550009999", status: "in-progress", direction: "inbound" });
    const sup = await supervise("monitor");
    expect(await post("setMonitorMode", { callSid: sup, mode: "whisper" }, "sup")).toEqual({ status: 200, json: { mode: "whisper" } });
    expect(conference.participants.get(sup)).toMatchObject({ muted: false, coaching: true, callSidToCoach: AGENT });
    expect(asked.map((a) => [a.agent, a.agentCallSid, a.mode])).toEqual([
      ["agent", AGENT, "monitor"],
      ["agent", AGENT, "whisper"],
    ]);
  });

  it("a session whose label names no agent leg (a bare `supervisor`) cannot change mode (409) but can leave", async () => {
    const sup = await supervise("monitor");
    conference.participants.get(sup)!.label = "supervisor";
    expect(await post("setMonitorMode", { callSid: sup, mode: "barge" }, "sup")).toEqual(refusal(409, "INVALID_STATE"));
    expect(await post("stopMonitor", { callSid: sup }, "sup")).toEqual({ status: 200, json: {} });
    expect(labels()).toEqual(["agent", "customer"]);
  });
});
