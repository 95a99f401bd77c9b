// The pure mapping on plain data: server messages in, reports out; no server, no wire, no desktop.
import { describe, expect, it } from "vitest";
import { agentReasons, agentReport, aiSignal, LISTEN_FOR, serverMessage, syncReport, toCallReport } from "./mapping.js";
import { DEFAULT_AGENT_STATES, DEFAULT_REASONS } from "./options.js";
import type { VAudio, VCall, VCause, VLeg, VListen, VRecorder } from "./protocol.js";

const agentLeg: VLeg = { legId: "c1-agent", type: "agent", status: "talking" };
const callerLeg: VLeg = { legId: "c1-caller", type: "caller", status: "talking", number: "+15550100", name: "Ada" };
const call = (extra: Partial<VCall> = {}): VCall => ({ callId: "c1", kind: "in", status: "talking", attached: {}, legs: [agentLeg, callerLeg], micMuted: false, ...extra });

describe("calls", () => {
  it("takes callId as id and vendorCallId, and ani, callerName, dnis, queue, parent, attached and micMuted field by field", () => {
    expect(toCallReport(call({ ani: "+15550100", callerName: "Ada", dnis: "+18005550000", queue: "Support", parent: "c0", attached: { customerId: "C-42" }, micMuted: true }))).toEqual({
      id: "c1",
      vendorCallId: "c1",
      state: "connected",
      direction: "inbound",
      from: "+15550100",
      fromName: "Ada",
      to: "+18005550000",
      queue: "Support",
      relatedCallId: "c0",
      muted: true,
      data: { customerId: "C-42" },
      parties: [
        { id: "c1-agent", role: "agent", state: "connected" },
        { id: "c1-caller", role: "customer", state: "connected", address: "+15550100", displayName: "Ada" },
      ],
    });
  });

  it("leaves out what the server does not send, and reads missing attached data as none", () => {
    const { attached: _, ...bare } = call();
    const report = toCallReport(bare);
    expect(report).toEqual({ id: "c1", vendorCallId: "c1", state: "connected", direction: "inbound", muted: false, data: {}, parties: expect.any(Array) });
  });

  it("maps every call status", () => {
    const states = { alerting: "ringing", originating: "dialing", talking: "connected", onhold: "held", acw: "wrapup", done: "ended" } as const;
    for (const [status, state] of Object.entries(states)) expect(toCallReport(call({ status: status as VCall["status"] })).state).toBe(state);
  });

  it("maps every call kind to a direction", () => {
    expect(toCallReport(call({ kind: "in" })).direction).toBe("inbound");
    expect(toCallReport(call({ kind: "out" })).direction).toBe("outbound");
    expect(toCallReport(call({ kind: "consult" })).direction).toBe("consult");
  });
});

describe("parties", () => {
  it("lists the agent's own leg first, the others in the server's order", () => {
    const third: VLeg = { legId: "c1-third", type: "third", status: "held", number: "+15550144" };
    expect(toCallReport(call({ legs: [callerLeg, third, agentLeg] })).parties?.map((p) => [p.id, p.role])).toEqual([
      ["c1-agent", "agent"],
      ["c1-caller", "customer"],
      ["c1-third", "third_party"],
    ]);
  });

  it("maps every leg status to a party state", () => {
    const states = { alerting: "ringing", talking: "connected", held: "held", gone: "disconnected" } as const;
    for (const [status, state] of Object.entries(states)) expect(toCallReport(call({ legs: [{ ...callerLeg, status: status as VLeg["status"] }] })).parties?.[0]?.state).toBe(state);
  });
});

describe("end reasons and wrap-up", () => {
  it("maps every cause to an end reason", () => {
    const reasons = { local: "local_hangup", remote: "remote_hangup", rejected: "rejected", missed: "missed", abandoned: "abandoned", busy: "busy", no_answer: "no_answer", not_found: "failed", unavailable: "failed", transferred: "transferred", merged: "merged", failed: "failed" } as const;
    for (const [cause, endReason] of Object.entries(reasons)) expect(toCallReport(call({ status: "done", cause: cause as VCause })).endReason).toBe(endReason);
    expect(toCallReport(call()).endReason).toBeUndefined();
  });

  it("gives a failure to the causes that are failures: the Q.850 cause as vendorCode, its words as message", () => {
    expect(toCallReport(call({ status: "done", cause: "busy", q850: 17, causeText: "User busy" })).failure).toEqual({ code: "DESTINATION_BUSY", vendorCode: "17", message: "User busy" });
    expect(toCallReport(call({ status: "done", cause: "not_found", q850: 1, causeText: "Unallocated (unassigned) number" })).failure).toEqual({ code: "INVALID_DESTINATION", vendorCode: "1", message: "Unallocated (unassigned) number" });
    expect(toCallReport(call({ status: "done", cause: "unavailable", q850: 38, causeText: "Network out of order" })).failure).toEqual({ code: "VENDOR_ERROR", vendorCode: "38", message: "Network out of order" });
    // Without a release cause, the failure still says why, in words of its own.
    expect(toCallReport(call({ status: "done", cause: "failed" })).failure).toEqual({ code: "VENDOR_ERROR", message: "The call failed." });
    for (const cause of ["local", "remote", "rejected", "missed", "abandoned", "no_answer", "transferred", "merged"] as const) expect(toCallReport(call({ status: "done", cause, q850: 16 })).failure, cause).toBeUndefined();
  });

  it("maps the call's audio to its media, once the server reports one", () => {
    expect(toCallReport(call()).media).toBeUndefined();
    expect(toCallReport(call({ audio: "recovering" })).media).toBe("reconnecting");
    expect(toCallReport(call({ audio: "flowing" })).media).toBe("ok");
    expect(() => toCallReport(call({ audio: "crackling" as VAudio }))).toThrow(/audio "crackling"/);
  });

  it("carries the disposition and notes that are not empty as wrapUp", () => {
    expect(toCallReport(call({ status: "done", disposition: "sale", notes: "upgrade" })).wrapUp).toEqual({ disposition: "sale", notes: "upgrade" });
    expect(toCallReport(call({ status: "done", disposition: "sale", notes: "" })).wrapUp).toEqual({ disposition: "sale" });
    expect(toCallReport(call({ status: "done", disposition: "", notes: "" })).wrapUp).toBeUndefined();
  });
});

describe("recording and monitoring", () => {
  it("maps the recorder to the call's recording, absent until the server says", () => {
    expect(toCallReport(call()).recording).toBeUndefined();
    const states = { on: "active", paused: "paused", off: "off" } as const;
    for (const [recorder, recording] of Object.entries(states)) expect(toCallReport(call({ recorder: recorder as VRecorder })).recording).toBe(recording);
  });

  it("maps a monitor session: kind monitor is direction monitor, its listen mode its monitorMode", () => {
    const third: VLeg = { legId: "c1-third", type: "third", status: "talking", number: "agent-2" };
    const report = toCallReport(call({ kind: "monitor", listen: "coach", watches: "floor-1", dnis: "agent-2", legs: [agentLeg, callerLeg, third] }));
    expect(report).toMatchObject({ direction: "monitor", monitorMode: "whisper", to: "agent-2", state: "connected" });
    expect(report.parties?.map((p) => p.role)).toEqual(["agent", "customer", "third_party"]);
    const modes = { silent: "monitor", coach: "whisper", join: "barge" } as const;
    for (const [listen, mode] of Object.entries(modes)) expect(toCallReport(call({ kind: "monitor", listen: listen as VListen })).monitorMode).toBe(mode);
    expect(toCallReport(call()).monitorMode).toBeUndefined();
  });

  it("maps a supervisor leg to a supervisor party with its monitorMode (none once it has no listen mode)", () => {
    const supervisor: VLeg = { legId: "c1-supervisor", type: "supervisor", status: "talking", name: "Supervisor", listen: "join" };
    expect(toCallReport(call({ legs: [agentLeg, callerLeg, supervisor] })).parties?.[2]).toEqual({ id: "c1-supervisor", role: "supervisor", state: "connected", displayName: "Supervisor", monitorMode: "barge" });
    const { listen: _, ...gone } = { ...supervisor, status: "gone" as const };
    expect(toCallReport(call({ legs: [agentLeg, gone] })).parties?.[1]).toEqual({ id: "c1-supervisor", role: "supervisor", state: "disconnected", displayName: "Supervisor" });
  });

  it("sends each monitoring mode as the server's listen mode, the inverse of the reading", () => {
    expect(LISTEN_FOR).toEqual({ monitor: "silent", whisper: "coach", barge: "join" });
    for (const [mode, listen] of Object.entries(LISTEN_FOR)) expect(toCallReport(call({ kind: "monitor", listen })).monitorMode).toBe(mode);
  });
});

describe("unreadable calls", () => {
  it.each([
    ["not an object", "call", /callId/],
    ["no callId", { ...call(), callId: undefined }, /callId/],
    ["an empty callId", call({ callId: "" }), /callId/],
    ["no legs", { ...call(), legs: undefined }, /legs/],
    ["a leg without legId", call({ legs: [{ type: "caller", status: "talking" } as unknown as VLeg] }), /legId/],
    ["an unknown leg type", call({ legs: [{ ...callerLeg, type: "robot" as VLeg["type"] }] }), /leg type "robot"/],
    ["an unknown leg status", call({ legs: [{ ...callerLeg, status: "sideways" as VLeg["status"] }] }), /leg status "sideways"/],
    ["an unknown status", call({ status: "exploding" as VCall["status"] }), /call status "exploding"/],
    ["an unknown kind", call({ kind: "sideways" as VCall["kind"] }), /call kind/],
    ["an unknown cause", call({ cause: "gremlins" as VCause }), /cause "gremlins"/],
    ["an unknown recorder state", call({ recorder: "tape" as VRecorder }), /recorder state "tape"/],
    ["an unknown listen mode", call({ kind: "monitor", listen: "shout" as VListen }), /listen mode "shout"/],
    ["an unknown leg listen mode", call({ legs: [{ ...callerLeg, type: "supervisor", listen: "peek" as VListen }] }), /listen mode "peek"/],
  ])("throws on %s", (_, value, message) => {
    expect(() => toCallReport(value)).toThrow(message);
  });
});

describe("agent", () => {
  it("maps every agent status", () => {
    const states = { offline: "logged_out", ready: "ready", not_ready: "not_ready", acw: "after_call_work", busy: "busy" } as const;
    for (const [status, state] of Object.entries(states)) expect(agentReport({ status }, DEFAULT_REASONS).state).toBe(state);
  });

  it("takes the reason code as the reason's id, the agent id, and no pending state as null", () => {
    expect(agentReport({ agentId: "a1", status: "not_ready", reasonCode: "lunch" }, DEFAULT_REASONS)).toEqual({ state: "not_ready", reason: "lunch", agentId: "a1", pendingState: null });
  });

  it("reports a state chosen during a call as pendingState, with the reason when it is known", () => {
    expect(agentReport({ status: "busy", next: { status: "not_ready", reasonCode: "lunch" } }, DEFAULT_REASONS).pendingState).toEqual({ state: "not_ready", reason: { id: "lunch", state: "not_ready", label: "Lunch" } });
    expect(agentReport({ status: "acw", next: { status: "ready", reasonCode: "elsewhere" } }, DEFAULT_REASONS).pendingState).toEqual({ state: "ready" });
  });

  it("throws on an agent it cannot read", () => {
    expect(() => agentReport("ready", DEFAULT_REASONS)).toThrow(/not an object/);
    expect(() => agentReport({ status: "sleeping" }, DEFAULT_REASONS)).toThrow(/agent status "sleeping"/);
    expect(() => agentReport({ status: "busy", next: { status: "napping" } }, DEFAULT_REASONS)).toThrow(/agent status "napping"/);
  });

  it("offers the server's agent states as reasons: the defaults are DEFAULT_REASONS", () => {
    expect(agentReasons(DEFAULT_AGENT_STATES)).toEqual(DEFAULT_REASONS);
    expect(agentReasons([{ id: "wrap", status: "not_ready", label: "Paperwork" }])).toEqual([{ id: "wrap", state: "not_ready", label: "Paperwork" }]);
  });
});

describe("snapshots, signals and messages", () => {
  it("lists the calls that ended while away before the live ones, so they keep their end reason", () => {
    const ended = call({ callId: "c0", status: "done", cause: "abandoned", legs: [] });
    const report = syncReport({ type: "snapshot", agent: { status: "ready", reasonCode: "available" }, calls: [call()], recentlyEnded: [ended] }, DEFAULT_REASONS);
    expect(report.agent).toEqual({ state: "ready", reason: "available", pendingState: null });
    expect(report.calls.map((c) => [c.id, c.state, c.endReason])).toEqual([
      ["c0", "ended", "abandoned"],
      ["c1", "connected", undefined],
    ]);
  });

  it("throws on a snapshot without its call lists", () => {
    expect(() => syncReport({ type: "snapshot" } as never, DEFAULT_REASONS)).toThrow(/snapshot without calls/);
  });

  it("passes transcript lines and insights through as signals", () => {
    expect(aiSignal({ type: "transcript", callId: "c1", segmentId: "s1", speaker: "customer", text: "I want a refund", final: false })).toEqual({ kind: "transcript", callId: "c1", segment: { id: "s1", speaker: "customer", text: "I want a refund", final: false } });
    expect(aiSignal({ type: "insight", callId: "c1", kind: "sentiment", text: "negative", score: -0.6 })).toEqual({ kind: "insight", callId: "c1", insight: { kind: "sentiment", text: "negative", score: -0.6 } });
    expect(aiSignal({ type: "insight", callId: "c1", kind: "summary", text: "refund asked" })).toEqual({ kind: "insight", callId: "c1", insight: { kind: "summary", text: "refund asked" } });
  });

  it("reads anything with a string type as a message, and nothing else", () => {
    expect(serverMessage({ type: "martian" })).toEqual({ type: "martian" });
    for (const raw of [null, "text", 42, [], { no: "type" }, { type: 7 }]) expect(() => serverMessage(raw)).toThrow(/without a type/);
  });
});
