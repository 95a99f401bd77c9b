// Supervisors and recording through the official twilio library against the
// local stub of Twilio's REST API: monitor / whisper / barge as a Conference
// participant dialling the supervisor's Client, leaving by removing it, and
// pause / resume through the Recordings API; who may do what.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCallControlHandler, type SupervisorRequest } from "../src/index.js";
import { STUB_AUTH_TOKEN, TwilioRestStub, type StubConference } from "../src/testing/index.js";

let stub: TwilioRestStub;
let server: Server;
let base = "";
let conference: StubConference;
const asked: SupervisorRequest[] = [];
/** Who may watch whom: supervisor "sup" may watch "agent" (barge only while `bargeAllowed`). */
let bargeAllowed = true;
const CUSTOMER = "CA" + "c".repeat(32);
const AGENT = "CA" + "a".repeat(32);

async function listen(handler: ReturnType<typeof createCallControlHandler>): Promise<{ server: Server; base: string }> {
  const s = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const address = s.address();
  return { server: s, base: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/call-control` };
}

// The identity is the test's header here (the README's accessTokenAuthenticator is tested elsewhere).
const authenticate = (req: { headers: Record<string, string | string[] | undefined> }) => req.headers["x-identity"] as string | undefined;

beforeAll(async () => {
  stub = await TwilioRestStub.start();
  ({ server, base } = await listen(
    createCallControlHandler({
      client: stub.client(),
      publicUrl: "http://127.0.0.1/call-control",
      callerId: "+15550001111",
      authToken: STUB_AUTH_TOKEN,
      authenticate,
      authorizeSupervisor: (request) => {
        asked.push(request);
        return request.supervisor === "sup" && request.agent === "agent" && (request.mode !== "barge" || bargeAllowed);
      },
    }),
  ));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await stub.close();
});
beforeEach(() => {
  bargeAllowed = true;
  asked.length = 0;
  stub.conferences.clear();
  stub.recordings.clear();
  stub.removeAllListeners();
  stub.requests.length = 0;
  conference = stub.addConference({ customerCallSid: CUSTOMER, customerNumber: "+15550100", agentCallSid: AGENT, recorded: true });
});

async function post(operation: string, body: unknown, identity = "agent", at = base): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${at}/${operation}`, { method: "POST", headers: { "content-type": "application/json", "x-identity": identity }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
const refusal = (status: number, code: string) => ({ status, json: { error: { code, message: expect.any(String) } } });
const recording = () => stub.currentRecording(CUSTOMER)!;
const recordingUpdates = () => stub.requests.filter((r) => r.path.includes("/Recordings/"));

describe("recording pause and resume (Recordings API, Twilio.CURRENT)", () => {
  it("pause and resume update the customer call's current recording and answer the new state", async () => {
    expect(recording().status).toBe("in-progress");
    expect(await post("pauseRecording", { callSid: AGENT })).toEqual({ status: 200, json: { recording: "paused" } });
    expect(recording().status).toBe("paused");
    expect(recordingUpdates().at(-1)).toMatchObject({ method: "POST", path: expect.stringMatching(new RegExp(`/Calls/${CUSTOMER}/Recordings/Twilio\\.CURRENT\\.json$`)), form: { Status: "paused" } });
    expect(await post("resumeRecording", { callSid: AGENT })).toEqual({ status: 200, json: { recording: "active" } });
    expect(recording().status).toBe("in-progress");
    expect(recordingUpdates().at(-1)?.form).toEqual({ Status: "in-progress" });
  });

  it("a call without a recording in progress: 409 INVALID_STATE", async () => {
    stub.recordings.clear();
    expect(await post("pauseRecording", { callSid: AGENT })).toEqual(refusal(409, "INVALID_STATE"));
  });

  it("only the owning agent: another identity, the customer's leg, a supervisor's leg are refused and nothing changes", async () => {
    expect(await post("pauseRecording", { callSid: AGENT }, "mallory")).toEqual(refusal(403, "AUTH_FAILED"));
    expect(await post("pauseRecording", { callSid: AGENT }, "sup")).toEqual(refusal(403, "AUTH_FAILED"));
    const { json } = await post("monitor", { target: AGENT, mode: "monitor" }, "sup");
    expect(await post("pauseRecording", { callSid: json.callSid }, "sup")).toEqual(refusal(403, "AUTH_FAILED"));
    expect(await post("pauseRecording", { callSid: "not-a-sid" })).toEqual(refusal(400, "INVALID_ARGUMENT"));
    expect(recordingUpdates()).toEqual([]);
    expect(recording().status).toBe("in-progress");
  });
});

describe("monitor, whisper, barge, leave (a supervisor Conference participant)", () => {
  it("monitor dials the supervisor's Client muted, whisper coaches the agent's leg, barge unmutes without coaching, stopMonitor removes it", async () => {
    const created = new Promise<unknown>((resolve) => stub.once("participantCreated", (_c, p, client) => resolve({ label: p.label, client })));
    const { status, json } = await post("monitor", { target: AGENT, mode: "monitor" }, "sup");
    expect(status).toBe(200);
    expect(json).toEqual({ callSid: expect.stringMatching(/^CA[0-9a-f]{32}$/), mode: "monitor" });
    const leg = json.callSid as string;
    // The label records the watched agent leg (unique per session: Twilio wants labels unique within a conference).
    const label = expect.stringMatching(new RegExp(`^supervisor:${AGENT}:[0-9a-f]{8}$`));
    expect(await created).toEqual({ label, client: { identity: "sup", parameters: { opencti: "monitor" } } });
    expect(stub.requests.find((r) => r.method === "POST" && r.path.endsWith("/Participants.json"))?.form).toMatchObject({ To: "client:sup?opencti=monitor", From: "+15550001111", Label: label, Muted: "true", Coaching: "false", EndConferenceOnExit: "false" });
    expect(conference.participants.get(leg)).toMatchObject({ muted: true, coaching: false });
    expect(asked).toEqual([{ supervisor: "sup", agent: "agent", agentCallSid: AGENT, mode: "monitor" }]);

    expect(await post("setMonitorMode", { callSid: leg, mode: "whisper" }, "sup")).toEqual({ status: 200, json: { mode: "whisper" } });
    expect(conference.participants.get(leg)).toMatchObject({ muted: false, coaching: true, callSidToCoach: AGENT });
    expect(stub.requests.at(-1)).toMatchObject({ path: expect.stringContaining(`/Participants/${leg}.json`), form: { Muted: "false", Coaching: "true", CallSidToCoach: AGENT } });

    expect(await post("setMonitorMode", { callSid: leg, mode: "barge" }, "sup")).toEqual({ status: 200, json: { mode: "barge" } });
    expect(conference.participants.get(leg)).toMatchObject({ muted: false, coaching: false });
    expect(conference.participants.get(leg)?.callSidToCoach).toBeUndefined();

    await post("setMonitorMode", { callSid: leg, mode: "monitor" }, "sup");
    expect(conference.participants.get(leg)).toMatchObject({ muted: true, coaching: false });

    const removed = new Promise((resolve) => stub.once("participantRemoved", (_c, p) => resolve(p.callSid)));
    expect(await post("stopMonitor", { callSid: leg }, "sup")).toEqual({ status: 200, json: {} });
    expect(await removed).toBe(leg);
    expect([...conference.participants.values()].map((p) => p.label).sort()).toEqual(["agent", "customer"]);
  });

  it("whisper from the start: the participant is created coaching the agent's leg", async () => {
    const { json } = await post("monitor", { target: AGENT, mode: "whisper" }, "sup");
    expect(conference.participants.get(json.callSid as string)).toMatchObject({ muted: false, coaching: true, callSidToCoach: AGENT });
  });

  it("default deny: without authorizeSupervisor nobody may monitor", async () => {
    const closed = await listen(createCallControlHandler({ client: stub.client(), publicUrl: "http://127.0.0.1/call-control", callerId: "+15550001111", authToken: STUB_AUTH_TOKEN, authenticate }));
    try {
      expect(await post("monitor", { target: AGENT, mode: "monitor" }, "sup", closed.base)).toEqual(refusal(403, "AUTH_FAILED"));
      expect(conference.participants.size).toBe(2);
    } finally {
      closed.server.closeAllConnections();
      await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    }
  });

  it("refusals: not authorized, one's own call, an unknown or malformed target, a customer's leg, a bad mode; nothing dialled", async () => {
    expect(await post("monitor", { target: AGENT, mode: "monitor" }, "mallory")).toEqual(refusal(403, "AUTH_FAILED"));
    expect(await post("monitor", { target: AGENT, mode: "monitor" }, "agent")).toEqual(refusal(403, "AUTH_FAILED"));
    expect(await post("monitor", { target: "CA" + "f".repeat(32), mode: "monitor" }, "sup")).toEqual(refusal(400, "INVALID_DESTINATION"));
    expect(await post("monitor", { target: "no-such-call-or-agent", mode: "monitor" }, "sup")).toEqual(refusal(400, "INVALID_DESTINATION"));
    expect(await post("monitor", { target: "../Calls", mode: "monitor" }, "sup")).toEqual(refusal(400, "INVALID_DESTINATION"));
    expect(await post("monitor", { target: CUSTOMER, mode: "monitor" }, "sup")).toEqual(refusal(400, "INVALID_DESTINATION"));
    expect(await post("monitor", { target: AGENT, mode: "spy" }, "sup")).toEqual(refusal(400, "INVALID_ARGUMENT"));
    expect(await post("monitor", { target: AGENT }, "sup")).toEqual(refusal(400, "INVALID_ARGUMENT"));
    expect(await post("monitor", { target: AGENT, mode: "barge" }, "")).toEqual(refusal(401, "AUTH_FAILED"));
    bargeAllowed = false;
    expect(await post("monitor", { target: AGENT, mode: "barge" }, "sup")).toEqual(refusal(403, "AUTH_FAILED"));
    expect(stub.requests.filter((r) => r.method === "POST" && r.path.endsWith("/Participants.json"))).toEqual([]);
    // The authorization is asked with the watched leg's own identity, never the caller's word.
    expect(asked.every((a) => a.agent === "agent" && a.agentCallSid === AGENT)).toBe(true);
  });

  it("a session's mode is the supervisor's alone, re-authorized per mode; the agent cannot drop the supervisor nor act through that leg", async () => {
    const { json } = await post("monitor", { target: AGENT, mode: "monitor" }, "sup");
    const leg = json.callSid as string;
    // Another identity on the supervisor's leg, and the agent naming its own leg as a session.
    expect(await post("setMonitorMode", { callSid: leg, mode: "barge" }, "mallory")).toEqual(refusal(403, "AUTH_FAILED"));
    expect(await post("setMonitorMode", { callSid: leg, mode: "barge" }, "agent")).toEqual(refusal(403, "AUTH_FAILED"));
    expect(await post("setMonitorMode", { callSid: AGENT, mode: "barge" }, "agent")).toEqual(refusal(403, "AUTH_FAILED"));
    expect(await post("stopMonitor", { callSid: leg }, "agent")).toEqual(refusal(403, "AUTH_FAILED"));
    bargeAllowed = false;
    expect(await post("setMonitorMode", { callSid: leg, mode: "barge" }, "sup")).toEqual(refusal(403, "AUTH_FAILED"));
    expect(conference.participants.get(leg)).toMatchObject({ muted: true, coaching: false });
    expect(await post("setMonitorMode", { callSid: leg, mode: "shout" }, "sup")).toEqual(refusal(400, "INVALID_ARGUMENT"));
    // The agent's own requests: the supervisor is not a party it may drop, and the supervisor leg is no agent leg.
    expect(await post("dropParty", { callSid: AGENT, partyCallSid: leg })).toEqual(refusal(400, "INVALID_ARGUMENT"));
    expect(await post("hold", { callSid: leg }, "sup")).toEqual(refusal(403, "AUTH_FAILED"));
    // With a supervisor listening, the agent's own call control goes on.
    expect((await post("hold", { callSid: AGENT })).status).toBe(200);
    expect(conference.participants.get(CUSTOMER)?.hold).toBe(true);
    expect(conference.participants.has(leg)).toBe(true);
  });
});
