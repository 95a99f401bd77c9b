import { CTI_ERROR_CODES, CtiError, type Call } from "@opencti/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { callType, PEGA_ERROR_CODES, PEGA_ERROR_MAP, PEGA_FUNCTIONS, toPegaError, type PegaAgentEvent, type PegaCallEvent, type PegaPartyInfoEvent, type PegaSnapshotEvent } from "../src/index.js";
import { disposeRigs, fails, outcome, rig, succeeds } from "./helpers.js";
import { pegaSchemaProblems } from "./support.js";

afterEach(disposeRigs);

const CALLER = "+15550100";

describe("the Desktop Interface", () => {
  it("has exactly Pega's functions, each a function, the telephony mode, a name and a version", () => {
    const { impl } = rig();
    const functions = Object.keys(impl).filter((k) => typeof (impl as unknown as Record<string, unknown>)[k] === "function");
    expect(functions.sort()).toEqual([...PEGA_FUNCTIONS].sort());
    expect(Object.keys(impl).filter((k) => !functions.includes(k))).toEqual(["telephonyMode", "name", "version"]);
    expect(impl.telephonyMode).toBe("FullTelephony");
  });
});

describe("login and logout", () => {
  it("login forwards Login and the agent's state, then a Snapshot, and only then calls success", async () => {
    const r = rig();
    let eventsAtSuccess = -1;
    const result = await outcome((s, f) =>
      r.impl.login("agent-7", "", "4001", { name: "link" }, {}, () => {
        eventsAtSuccess = r.events.length;
        s();
      }, f, r.forward),
    );
    expect(result.ok).toBe(true);
    expect(r.events.map((e) => `${e.pyEventType}:${e.pyEventName}`)).toEqual(["AgentStateEvent:Login", "AgentStateEvent:NotReady", "SnapshotEvent:Snapshot"]);
    expect(eventsAtSuccess).toBe(3);
    expect(r.events[1]).toMatchObject({ pyReasonCode: "break", pyWorkMode: "AUX_WORK", pyMedia: "Phone" });
    expect(r.events[2]).toEqual({
      pyEventType: "SnapshotEvent",
      pyEventName: "Snapshot",
      pyAgentId: "agent-7",
      pyAgentState: "NotReady",
      pyDeviceState: "OPENED",
      pyLinkState: "CONNECTED",
      pyReasonCode: "break",
      pyWorkMode: "AUX_WORK",
      pyThisDN: "4001",
      pyMedia: "Phone",
      pyCalls: [],
    } satisfies PegaSnapshotEvent);
  });

  it("a wrong password fails with 401, never shows the password, and forwards nothing", async () => {
    const password = "hunter2-not-this";
    const r = rig({ sim: { credentials: { "agent-7": "the-right-one" } } });
    const error = await fails((s, f) => r.impl.login("agent-7", password, "", {}, {}, s, f, r.forward));
    expect(error.errCode).toBe("OPENCTI_HTTP_ERROR_401");
    expect(JSON.stringify(error)).not.toContain(password);
    expect(r.events).toEqual([]);
    // The password reaching the vendor is fine; the right one logs in.
    await succeeds((s, f) => r.impl.login("agent-7", "the-right-one", "", {}, {}, s, f, r.forward));
    expect(JSON.stringify(r.events)).not.toContain("the-right-one");
  });

  it("a second login fails with OPENCTI_AGENT_LOGGED_IN; login without forwardEvent fails", async () => {
    const r = rig();
    expect((await fails((s, f) => r.impl.login("agent-7", "", "", {}, {}, s, f, undefined))).errCode).toBe("OPENCTI_CF_GENERIC_OPERATION");
    await r.login();
    expect((await fails((s, f) => r.impl.login("agent-7", "", "", {}, {}, s, f, r.forward))).errCode).toBe("OPENCTI_AGENT_LOGGED_IN");
  });

  it("logout forwards Logout with Pega's reason code and a Snapshot, then stops forwarding", async () => {
    const r = rig();
    await r.login();
    const from = r.events.length;
    await succeeds((s, f) => r.impl.logout("agent-7", "EndOfShift", {}, s, f));
    expect(r.events.slice(from)).toEqual([
      { pyEventType: "AgentStateEvent", pyEventName: "Logout", pyReasonCode: "EndOfShift", pyWorkMode: "MODE_NONE", pyMedia: "Phone" },
      expect.objectContaining({ pyEventType: "SnapshotEvent", pyAgentState: "Logout", pyDeviceState: "CLOSED", pyLinkState: "CONNECTED", pyReasonCode: "EndOfShift" }),
    ]);
    const after = r.events.length;
    r.server.ringInbound({ from: CALLER });
    await vi.waitFor(() => expect(r.desktop.snapshot().calls).toHaveLength(1));
    expect(r.events.length).toBe(after);
    expect((await fails((s, f) => r.impl.logout("agent-7", "", {}, s, f))).errCode).toBe("OPENCTI_AGENT_NOT_LOGGED_IN");
  });

  it("logout during after-call work finishes the wrap-up first", async () => {
    const r = rig();
    await r.login();
    const id = r.server.ringInbound({ from: CALLER });
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Alerting" });
    await succeeds((s, f) => r.impl.answerCall(id, {}, s, f));
    await succeeds((s, f) => r.impl.hangUpCall(id, {}, s, f));
    await r.next<PegaAgentEvent>({ pyEventType: "AgentStateEvent", pyWorkMode: "ACW" });
    await succeeds((s, f) => r.impl.logout("agent-7", "", {}, s, f));
    expect(r.desktop.snapshot()).toMatchObject({ calls: [], agent: { state: "logged_out" } });
  });
});

describe("Snapshot after reconnect", () => {
  it("sends a Snapshot when the link drops and another with the surviving calls when it is back", async () => {
    const r = rig();
    await r.login();
    const id = r.server.ringInbound({ from: CALLER });
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Alerting" });
    await succeeds((s, f) => r.impl.answerCall(id, {}, s, f));
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Established" });
    const from = r.events.length;
    r.server.dropLink();
    const down = await r.next<PegaSnapshotEvent>({ pyEventType: "SnapshotEvent", pyLinkState: "DISCONNECTED" }, from);
    expect(down.pyDeviceState).toBe("CLOSED");
    expect((await fails((s, f) => r.impl.holdCall(id, {}, s, f))).errCode).toBe("OPENCTI_HTTP_ERROR_503");
    r.server.restoreLink();
    const up = await r.next<PegaSnapshotEvent>({ pyEventType: "SnapshotEvent", pyLinkState: "CONNECTED" }, from);
    expect(up).toMatchObject({ pyDeviceState: "OPENED", pyAgentState: "Busy", pyCalls: [{ pyCallId: id, pyCallType: "INBOUND", pyCallState: "Established", pyANI: CALLER, pyOtherDN: CALLER }] });
    expect(pegaSchemaProblems(up)).toEqual([]);
    // Nothing about the call was replayed.
    expect(r.events.slice(from).filter((e) => e.pyEventType === "CallStateEvent")).toEqual([]);
  });

  it("a desktop logged in elsewhere is mirrored with forwardEvent from the options, Snapshot included", async () => {
    const events: unknown[] = [];
    const r = rig({ pega: { forwardEvent: (e) => events.push(e) } });
    await r.connected();
    expect(events).toEqual([expect.objectContaining({ pyEventName: "Snapshot", pyLinkState: "CONNECTED", pyAgentState: "Logout" })]);
    events.length = 0;
    await r.desktop.login({ agentId: "agent-9" });
    await vi.waitFor(() => expect(events.map((e) => (e as { pyEventName: string }).pyEventName)).toEqual(["Login", "NotReady", "Snapshot"]));
    expect(events[2]).toMatchObject({ pyAgentId: "agent-9", pyAgentState: "NotReady" });
  });
});

describe("calls in Pega's vocabulary", () => {
  it("a call another agent transferred here (callKind transfer) is CONSULT, not INBOUND; a callback is its direction's type", async () => {
    const r = rig();
    await r.login();
    await succeeds((s, f) => r.impl.agentReady("agent-7", "MODE_AUTO_IN", "", {}, {}, s, f));
    const id = r.server.ringInbound({ from: CALLER, data: { callKind: "transfer" } });
    expect(await r.next<PegaCallEvent>({ pyEventType: "CallStateEvent", pyEventName: "Alerting", pyCallId: id })).toMatchObject({ pyCallType: "CONSULT", pyANI: CALLER, pyOtherDN: CALLER });
    expect(callType({ direction: "inbound", data: { callKind: "callback" } } as unknown as Call)).toBe("INBOUND");
    expect(callType({ direction: "outbound", data: { callKind: "callback" } } as unknown as Call)).toBe("OUTBOUND");
    expect(callType({ direction: "inbound", data: {} } as unknown as Call)).toBe("INBOUND");
  });

  it("inbound: Alerting → Established → Held → Retrieved → DTMF → Disconnected, then ACW and Ready", async () => {
    const r = rig();
    await r.login();
    await succeeds((s, f) => r.impl.agentReady("agent-7", "MODE_AUTO_IN", "", {}, {}, s, f));
    expect(await r.next<PegaAgentEvent>({ pyEventType: "AgentStateEvent", pyEventName: "Ready" })).toMatchObject({ pyWorkMode: "MODE_AUTO_IN", pyReasonCode: "" });
    const id = r.server.ringInbound({ from: CALLER, to: "+15550009999", queue: "Support" });
    const alerting = await r.next<PegaCallEvent>({ pyEventType: "CallStateEvent", pyEventName: "Alerting" });
    expect(alerting).toEqual({ pyEventType: "CallStateEvent", pyEventName: "Alerting", pyCallId: id, pyCallType: "INBOUND", pyANI: CALLER, pyOtherDN: CALLER, pyMedia: "Phone" });
    expect(await r.next<PegaPartyInfoEvent>({ pyEventType: "PartyInfoEvent", pyCallId: id })).toMatchObject({ pyThisDN: "4001", pyParties: [{ pyDN: CALLER }] });
    for (const [fn, name] of [["answerCall", "Established"], ["holdCall", "Held"], ["retrieveCall", "Retrieved"]] as const) {
      const from = r.events.length;
      await succeeds((s, f) => r.impl[fn](id, {}, s, f));
      await r.next({ pyEventType: "CallStateEvent", pyEventName: name, pyCallId: id }, from);
    }
    await succeeds((s, f) => r.impl.sendDTMF(id, "12#", {}, s, f));
    await vi.waitFor(() => expect(r.server.dtmf.get(id)).toBe("12#"));
    await succeeds((s, f) => r.impl.hangUpCall(id, {}, s, f));
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Disconnected", pyCallId: id });
    await r.next<PegaAgentEvent>({ pyEventType: "AgentStateEvent", pyEventName: "NotReady", pyWorkMode: "ACW" });
    // Ready after ACW: the adapter finishes the wrap-up Pega knows nothing about.
    const from = r.events.length;
    await succeeds((s, f) => r.impl.agentReady("agent-7", "MODE_AUTO_IN", "", {}, {}, s, f));
    await r.next({ pyEventType: "AgentStateEvent", pyEventName: "Ready" }, from);
    await vi.waitFor(() => expect(r.desktop.snapshot().calls).toEqual([]));
    const calls = r.events.filter((e) => e.pyEventType === "CallStateEvent").map((e) => e.pyEventName);
    expect(calls).toEqual(["Alerting", "Established", "Held", "Retrieved", "Disconnected"]);
  });

  it("a caller who hangs up before answer is Abandoned, never Disconnected", async () => {
    const r = rig();
    await r.login();
    const id = r.server.ringInbound({ from: CALLER });
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Alerting" });
    r.server.abandon(id);
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Abandoned", pyCallId: id });
    await vi.waitFor(() => expect(r.desktop.snapshot().calls).toEqual([]));
    expect(r.events.filter((e) => e.pyEventType === "CallStateEvent").map((e) => e.pyEventName)).toEqual(["Alerting", "Abandoned"]);
    expect((await fails((s, f) => r.impl.answerCall(id, {}, s, f))).errCode).toBe("OPENCTI_CF_INVALID_OBJECT_STATE");
  });

  it("a dialled number that is busy or does not exist: Disconnected says how it ended and why, in Pega's error vocabulary", async () => {
    const r = rig({ sim: { farEnds: { "+15550166": "busy", "+15550177": "not_found" } } });
    await r.login();
    await succeeds((s, f) => r.impl.makeCall("+15550166", {}, s, f));
    const busy = await r.next<PegaCallEvent>({ pyEventType: "CallStateEvent", pyEventName: "Disconnected" });
    expect(busy).toMatchObject({ pyDisconnectReason: "busy", pyErrCode: "OPENCTI_DEST_BUSY", pyFailureCode: "DESTINATION_BUSY", pyVendorCode: "17", pyErrMessage: "User busy" });
    const from = r.events.length;
    await succeeds((s, f) => r.impl.makeCall("+15550177", {}, s, f));
    const missing = await r.next<PegaCallEvent>({ pyEventType: "CallStateEvent", pyEventName: "Disconnected" }, from);
    expect(missing).toMatchObject({ pyDisconnectReason: "failed", pyErrCode: "OPENCTI_CF_INVALID_DESTINATION", pyFailureCode: "INVALID_DESTINATION", pyVendorCode: "1" });
    for (const e of [busy, missing]) expect(pegaSchemaProblems(e)).toEqual([]);
    // A call that simply ended says so, with no failure fields.
    const id = r.server.ringInbound({ from: CALLER });
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Alerting", pyCallId: id });
    r.server.abandon(id);
    const abandoned = await r.next<PegaCallEvent>({ pyEventType: "CallStateEvent", pyEventName: "Abandoned", pyCallId: id });
    expect(abandoned.pyDisconnectReason).toBe("abandoned");
    expect(Object.keys(abandoned).filter((k) => /Err|Failure|Vendor/.test(k))).toEqual([]);
    // Nobody answered in time, the caller still there: not abandoned.
    const missed = r.server.ringInbound({ from: CALLER });
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Alerting", pyCallId: missed });
    r.server.missInbound(missed);
    expect(await r.next<PegaCallEvent>({ pyEventType: "CallStateEvent", pyEventName: "Disconnected", pyCallId: missed })).toMatchObject({ pyDisconnectReason: "missed" });
  });

  it("hangUpCall on a ringing call declines it", async () => {
    const r = rig();
    await r.login();
    const id = r.server.ringInbound({ from: CALLER });
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Alerting" });
    await succeeds((s, f) => r.impl.hangUpCall(id, {}, s, f));
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Disconnected", pyCallId: id });
    expect(r.server.requests.map((q) => q.op)).toContain("reject");
  });

  it("makeCall: Initiated OUTBOUND with its call data, Established when the far end answers", async () => {
    const r = rig();
    await r.login();
    await succeeds((s, f) => r.impl.makeCall("+1 (555) 014-2", { callData: { caseId: "C-9" } }, s, f));
    const initiated = await r.next<PegaCallEvent>({ pyEventType: "CallStateEvent", pyEventName: "Initiated" });
    expect(initiated).toMatchObject({ pyCallType: "OUTBOUND", pyOtherDN: "+15550142", pyANI: "+15550001000" });
    expect(r.server.getCall(initiated.pyCallId)?.attached).toEqual({ caseId: "C-9" });
    r.server.remoteAnswer(initiated.pyCallId);
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Established", pyCallId: initiated.pyCallId });
  });

  it("conference: conferenceInitiate (CONSULT), a second one refused, conferenceComplete, dropParty by DN", async () => {
    const r = rig();
    await r.login();
    const id = r.server.ringInbound({ from: CALLER });
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Alerting" });
    await succeeds((s, f) => r.impl.answerCall(id, {}, s, f));
    await succeeds((s, f) => r.impl.conferenceInitiate(id, "+15550144", {}, s, f));
    const consult = await r.next<PegaCallEvent>({ pyEventType: "CallStateEvent", pyEventName: "Initiated", pyCallType: "CONSULT" });
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Held", pyCallId: id });
    expect((await fails((s, f) => r.impl.conferenceInitiate(id, "+15550145", {}, s, f))).errCode).toBe("OPENCTI_CONF_ALREADY_PRESENT");
    r.server.remoteAnswer(consult.pyCallId);
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Established", pyCallId: consult.pyCallId });
    const from = r.events.length;
    await succeeds((s, f) => r.impl.conferenceComplete(id, consult.pyCallId, {}, s, f));
    const parties = await r.next<PegaPartyInfoEvent>({ pyEventType: "PartyInfoEvent", pyCallId: id }, from);
    expect(parties.pyParties.map((p) => p.pyDN).sort()).toEqual([CALLER, "+15550144"].sort());
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Disconnected", pyCallId: consult.pyCallId }, from);
    const before = r.events.length;
    await succeeds((s, f) => r.impl.dropParty(id, "+15550144", {}, s, f));
    const after = await r.next<PegaPartyInfoEvent>({ pyEventType: "PartyInfoEvent", pyCallId: id }, before);
    expect(after.pyParties).toEqual([{ pyDN: CALLER }]);
  });

  it("transferInitiate then transferComplete, and blindTransfer: the agent's call is Disconnected", async () => {
    const r = rig();
    await r.login();
    const id = r.server.ringInbound({ from: CALLER });
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Alerting" });
    await succeeds((s, f) => r.impl.answerCall(id, {}, s, f));
    await succeeds((s, f) => r.impl.transferInitiate(id, "+15550144", {}, s, f));
    const consult = await r.next<PegaCallEvent>({ pyEventType: "CallStateEvent", pyEventName: "Initiated", pyCallType: "CONSULT" });
    r.server.remoteAnswer(consult.pyCallId);
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Established", pyCallId: consult.pyCallId });
    await succeeds((s, f) => r.impl.transferComplete(id, consult.pyCallId, {}, s, f));
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Disconnected", pyCallId: id });
    await succeeds((s, f) => r.impl.agentReady("agent-7", "", "", {}, {}, s, f));

    const second = r.server.ringInbound({ from: "+15550101" });
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Alerting", pyCallId: second });
    await succeeds((s, f) => r.impl.answerCall(second, {}, s, f));
    await succeeds((s, f) => r.impl.blindTransfer(second, "+15550143", {}, s, f));
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Disconnected", pyCallId: second });
  });
});

describe("agent state", () => {
  it("maps Pega reason codes to the connector's reasons and back", async () => {
    const r = rig({ pega: { reasonCodes: { "LUNCH-01": "lunch" } } });
    await r.login();
    await succeeds((s, f) => r.impl.agentNotReady("agent-7", "AUX_WORK", "LUNCH-01", {}, {}, s, f));
    expect(await r.next<PegaAgentEvent>({ pyEventType: "AgentStateEvent", pyReasonCode: "LUNCH-01" })).toMatchObject({ pyEventName: "NotReady", pyWorkMode: "AUX_WORK" });
    // Labels work too ("Training").
    await succeeds((s, f) => r.impl.agentNotReady("agent-7", "", "Training", {}, {}, s, f));
    await r.next<PegaAgentEvent>({ pyEventType: "AgentStateEvent", pyReasonCode: "training" });
    expect((await fails((s, f) => r.impl.agentNotReady("agent-7", "", "Training", {}, {}, s, f))).errCode).toBe("OPENCTI_IN_SAME_STATE");
    expect((await fails((s, f) => r.impl.agentNotReady("agent-7", "", "NoSuchCode", {}, {}, s, f))).errCode).toBe("OPENCTI_CF_GENERIC_OPERATION");
    // The simulator has no ACW state an agent can pick.
    expect((await fails((s, f) => r.impl.agentNotReady("agent-7", "ACW", "", {}, {}, s, f))).errCode).toBe("OPENCTI_HTTP_ERROR_405");
  });
});

describe("callback conventions", () => {
  it("a success callback that throws does not trigger failure, and the next request works", async () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (m: string) => void errors.push(m) };
    const r = rig({ pega: { logger } });
    let failures = 0;
    let successes = 0;
    r.impl.login("agent-7", "", "", {}, {}, () => {
      successes++;
      throw new Error("Pega's handler broke");
    }, () => failures++, r.forward);
    await vi.waitFor(() => expect(successes).toBe(1));
    await new Promise((res) => setTimeout(res, 30));
    expect(failures).toBe(0);
    expect(errors).toEqual(["Pega's success callback for login threw"]);
    await succeeds((s, f) => r.impl.agentReady("agent-7", "", "", {}, {}, s, f));
  });

  it("a failure callback that throws is contained, and success is not called instead", async () => {
    const r = rig();
    let successes = 0;
    let failures = 0;
    r.impl.answerCall("nope", {}, () => successes++, () => {
      failures++;
      throw new Error("boom");
    });
    await vi.waitFor(() => expect(failures).toBe(1));
    await new Promise((res) => setTimeout(res, 30));
    expect(successes).toBe(0);
  });

  it("missing or non-function callbacks are ignored, and the request still happens", async () => {
    const r = rig();
    await r.login();
    r.impl.agentReady("agent-7", "", "", {}, {}, undefined, "not a function");
    await r.next({ pyEventType: "AgentStateEvent", pyEventName: "Ready" });
  });

  it("a forwardEvent that throws loses nothing: later events and requests still work", async () => {
    const r = rig();
    const seen: string[] = [];
    await succeeds((s, f) =>
      r.impl.login("agent-7", "", "", {}, {}, s, f, (e: { pyEventName: string }) => {
        seen.push(e.pyEventName);
        throw new Error("Pega blew up");
      }),
    );
    expect(seen).toEqual(["Login", "NotReady", "Snapshot"]);
    const id = r.server.ringInbound({ from: CALLER });
    await vi.waitFor(() => expect(seen).toContain("Alerting"));
    await succeeds((s, f) => r.impl.answerCall(id, {}, s, f));
    await vi.waitFor(() => expect(seen).toContain("Established"));
  });
});

describe("errors", () => {
  it("maps every CtiError code to one of Pega's codes", () => {
    for (const code of CTI_ERROR_CODES) {
      const error = toPegaError(new CtiError(code, `msg ${code}`));
      expect(PEGA_ERROR_CODES).toContain(error.errCode);
      expect(error).toEqual({ errCode: PEGA_ERROR_MAP[code], errMessage: `msg ${code}` });
    }
    expect(toPegaError(new CtiError("INVALID_STATE", "x", { request: "login" })).errCode).toBe("OPENCTI_AGENT_LOGGED_IN");
    expect(toPegaError(new TypeError("weird")).errCode).toBe("OPENCTI_CF_GENERIC_OPERATION");
    expect(toPegaError(new CtiError("VENDOR_ERROR", "bad pw p4ss in sip:bob:p4ss@host"), ["p4ss"]).errMessage).not.toContain("p4ss");
  });

  it("maps failures of real requests", async () => {
    const r = rig();
    await r.connected();
    expect((await fails((s, f) => r.impl.agentReady("agent-7", "", "", {}, {}, s, f))).errCode).toBe("OPENCTI_AGENT_NOT_LOGGED_IN");
    await r.login();
    await succeeds((s, f) => r.impl.agentReady("agent-7", "", "", {}, {}, s, f));
    expect((await fails((s, f) => r.impl.agentReady("agent-7", "", "", {}, {}, s, f))).errCode).toBe("OPENCTI_IN_SAME_STATE");
    expect((await fails((s, f) => r.impl.makeCall("<not a number>", {}, s, f))).errCode).toBe("OPENCTI_CF_INVALID_DESTINATION");
    expect((await fails((s, f) => r.impl.answerCall("", {}, s, f))).errCode).toBe("OPENCTI_CF_GENERIC_OPERATION");
    r.server.failNext("dial", { code: "CALL_REJECTED", message: "Declined" });
    expect(await fails((s, f) => r.impl.makeCall("+15550142", {}, s, f))).toEqual({ errCode: "OPENCTI_CALL_REJECTED", errMessage: "Declined" });
    const id = r.server.ringInbound({ from: CALLER });
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Alerting" });
    expect((await fails((s, f) => r.impl.holdCall(id, {}, s, f))).errCode).toBe("OPENCTI_CF_INVALID_OBJECT_STATE");
    await succeeds((s, f) => r.impl.answerCall(id, {}, s, f));
    r.server.failNext("blindTransfer", { code: "DESTINATION_BUSY", message: "Busy" });
    expect((await fails((s, f) => r.impl.blindTransfer(id, "+15550143", {}, s, f))).errCode).toBe("OPENCTI_DEST_BUSY");
    r.server.stallNext("hold");
    expect((await fails((s, f) => r.impl.holdCall(id, {}, s, f))).errCode).toBe("OPENCTI_HTTP_ERROR_408");
  });
});

describe("telephony modes", () => {
  it("simple telephony (no agent state, no call control): screen pops only", async () => {
    const r = rig({ capabilities: [] });
    expect(r.impl.telephonyMode).toBe("SimpleTelephony");
    await r.login();
    expect((await fails((s, f) => r.impl.agentReady("agent-7", "", "", {}, {}, s, f))).errCode).toBe("OPENCTI_HTTP_ERROR_405");
    const id = r.server.ringInbound({ from: CALLER });
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Alerting", pyCallId: id });
    expect((await fails((s, f) => r.impl.answerCall(id, {}, s, f))).errCode).toBe("OPENCTI_HTTP_ERROR_405");
    expect(r.server.requests.map((q) => q.op)).not.toContain("answer");
    expect(r.server.requests.map((q) => q.op)).not.toContain("setState");
  });

  it("simple telephony with agent state: Ready/NotReady work, call control does not", async () => {
    const r = rig({ capabilities: ["agentState"] });
    expect(r.impl.telephonyMode).toBe("SimpleTelephonyWithAgentState");
    await r.login();
    await succeeds((s, f) => r.impl.agentReady("agent-7", "", "", {}, {}, s, f));
    expect((await fails((s, f) => r.impl.makeCall("+15550142", {}, s, f))).errCode).toBe("OPENCTI_HTTP_ERROR_405");
    expect(r.server.requests.map((q) => q.op)).not.toContain("dial");
  });

  it("the configured mode can narrow what the connector allows, never widen it", async () => {
    const narrowed = rig({ pega: { telephonyMode: "SimpleTelephonyWithAgentState" } });
    expect(narrowed.impl.telephonyMode).toBe("SimpleTelephonyWithAgentState");
    await narrowed.login();
    expect((await fails((s, f) => narrowed.impl.makeCall("+15550142", {}, s, f))).errCode).toBe("OPENCTI_HTTP_ERROR_405");
    expect(rig({ capabilities: ["agentState"], pega: { telephonyMode: "FullTelephony" } }).impl.telephonyMode).toBe("SimpleTelephonyWithAgentState");
  });
});
