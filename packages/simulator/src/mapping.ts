/**
 * The simulator's wire → the normalized model, as pure functions: server
 * messages in (protocol.ts), connector reports out. No wire, no timers, no
 * context. Anything unreadable throws; the connector's guard turns that into
 * an INVALID_VENDOR_EVENT error event carrying the raw message.
 *
 * The rules:
 * - A call's callId is both its id and its vendorCallId; ani, callerName, dnis, queue and parent become from, fromName, to, queue and relatedCallId, attached becomes data (`{}` when absent) and micMuted muted.
 * - Call states: alerting is ringing, originating dialing, talking connected, onhold held, acw wrapup and done ended.
 * - Directions: in is inbound, out outbound, consult consult, monitor monitor (the agent's session listening in on a floor call; its legs are the agent's own, the customer's and the watched agent's, a third party).
 * - Parties: one per leg, the agent's own leg first and the others in the server's order (the conformance suite checks the agent comes first).
 * - A party's role is the leg's type (agent is agent, caller customer, third third_party, supervisor supervisor), its id the legId, its address the leg's number and its displayName the leg's name. (The convention every connector follows: a far-end party's id is the vendor's own id for that leg when the vendor gives one, else its role; the simulator always gives one.)
 * - Party states: alerting is ringing, talking connected, held held, gone disconnected.
 * - Listen modes are monitoring modes, on a monitor session (its monitorMode) and on a supervisor leg (the party's monitorMode): silent is monitor, coach whisper, join barge; requests send them back the same way (LISTEN_FOR).
 * - The recorder is the call's recording: on is active, paused paused, off off (absent until the call talks).
 * - End causes: local is local_hangup, remote remote_hangup, not_found and unavailable failed, and rejected, missed, abandoned, busy, no_answer, transferred, merged and failed keep their names.
 * - A call the far end or the network refused carries a failure: busy DESTINATION_BUSY, not_found INVALID_DESTINATION, unavailable and failed VENDOR_ERROR; the release cause number (Q.850) is its vendorCode and the cause's words its message. no_answer is an outcome, not a failure.
 * - A call's audio (present once it was interrupted) is its media: flowing ok, recovering reconnecting.
 * - The disposition and notes entered at wrap-up come back as the call's wrapUp (only the ones that are not empty).
 * - Agent states: offline is logged_out, ready ready, not_ready not_ready, acw after_call_work, busy busy; the reasonCode is the reason's id.
 * - A state chosen during a call or wrap-up is the agent's pendingState, with its reason when the connector knows it; none is `null`, which clears it.
 * - Reasons: each of the server's agent states, its status as the state.
 * - A snapshot lists the calls that ended while the connector was away before the live ones, so they end with their real end reason.
 * - Transcript lines and insights pass through as signals.
 */
import type { AgentReason, AgentReport, CallFailure, CallReport, CtiErrorCode, EndReason, MonitorMode, Party, Signal, SyncReport } from "@opencti/core";
import { isKeyOf, isRecord } from "@opencti/core/connector";
import type { AgentStateOption } from "./options.js";
import type { ServerMessage, VAgent, VCall, VCause, VLeg, VListen } from "./protocol.js";

const STATUS = { alerting: "ringing", originating: "dialing", talking: "connected", onhold: "held", acw: "wrapup", done: "ended" } as const;
const KIND = { in: "inbound", out: "outbound", consult: "consult", monitor: "monitor" } as const;
const LEG_ROLE = { agent: "agent", caller: "customer", third: "third_party", supervisor: "supervisor" } as const;
const LISTEN = { silent: "monitor", coach: "whisper", join: "barge" } as const;
/** A monitoring mode as the server's listen mode, for the monitor and listen requests. */
export const LISTEN_FOR = { monitor: "silent", whisper: "coach", barge: "join" } as const satisfies Record<MonitorMode, VListen>;
const RECORDER = { on: "active", paused: "paused", off: "off" } as const;
const LEG_STATE = { alerting: "ringing", talking: "connected", held: "held", gone: "disconnected" } as const;
const CAUSE: Record<VCause, EndReason> = {
  local: "local_hangup",
  remote: "remote_hangup",
  rejected: "rejected",
  missed: "missed",
  abandoned: "abandoned",
  busy: "busy",
  no_answer: "no_answer",
  not_found: "failed",
  unavailable: "failed",
  transferred: "transferred",
  merged: "merged",
  failed: "failed",
};
/** The causes that are failures, and their typed code. */
const FAILURE: Partial<Record<VCause, CtiErrorCode>> = { busy: "DESTINATION_BUSY", not_found: "INVALID_DESTINATION", unavailable: "VENDOR_ERROR", failed: "VENDOR_ERROR" };
const AUDIO = { flowing: "ok", recovering: "reconnecting" } as const;
const AGENT = { offline: "logged_out", ready: "ready", not_ready: "not_ready", acw: "after_call_work", busy: "busy" } as const;

/** A server message the connector cannot read. */
class BadMessage extends Error {}

function pick<T extends Record<string, string>>(map: T, value: unknown, what: string): T[keyof T] {
  if (isKeyOf(map, value)) return map[value];
  throw new BadMessage(`unknown ${what} ${JSON.stringify(value)}`);
}

/** Anything with a string `type` is a server message; which one, the connector's switch decides. */
export function serverMessage(raw: unknown): ServerMessage {
  if (!isRecord(raw) || typeof raw.type !== "string") throw new BadMessage("message without a type");
  return raw as ServerMessage;
}

/** The call's legs as parties, the agent's own first. */
function parties(legs: readonly VLeg[]): Party[] {
  const all = legs.map((leg): Party => {
    if (!isRecord(leg) || typeof leg.legId !== "string") throw new BadMessage("leg without legId");
    return {
      id: leg.legId,
      role: pick(LEG_ROLE, leg.type, "leg type"),
      state: pick(LEG_STATE, leg.status, "leg status"),
      ...(typeof leg.number === "string" ? { address: leg.number } : {}),
      ...(typeof leg.name === "string" ? { displayName: leg.name } : {}),
      ...(leg.listen !== undefined ? { monitorMode: pick(LISTEN, leg.listen, "listen mode") } : {}),
    };
  });
  return [...all.filter((p) => p.role === "agent"), ...all.filter((p) => p.role !== "agent")];
}

/** A server call → a call report. Throws on anything it cannot read. */
export function toCallReport(v: unknown): CallReport {
  if (!isRecord(v) || typeof v.callId !== "string" || v.callId === "") throw new BadMessage("call without callId");
  if (!Array.isArray(v.legs)) throw new BadMessage("call without legs");
  const c = v as unknown as VCall;
  const report: Record<string, unknown> = {
    id: c.callId,
    vendorCallId: c.callId,
    parties: parties(c.legs),
    state: pick(STATUS, c.status, "call status"),
    direction: pick(KIND, c.kind, "call kind"),
    muted: c.micMuted === true,
    data: isRecord(c.attached) ? c.attached : {},
  };
  if (typeof c.ani === "string") report.from = c.ani;
  if (typeof c.callerName === "string") report.fromName = c.callerName;
  if (typeof c.dnis === "string") report.to = c.dnis;
  if (typeof c.queue === "string") report.queue = c.queue;
  if (typeof c.parent === "string") report.relatedCallId = c.parent;
  if (c.cause !== undefined) report.endReason = pick(CAUSE, c.cause, "cause");
  const code = c.cause !== undefined ? FAILURE[c.cause] : undefined;
  if (code) report.failure = { code, message: typeof c.causeText === "string" && c.causeText ? c.causeText : "The call failed.", ...(typeof c.q850 === "number" ? { vendorCode: String(c.q850) } : {}) } satisfies CallFailure;
  if (c.audio !== undefined) report.media = pick(AUDIO, c.audio, "audio");
  if (typeof c.acwEndsAt === "number") report.wrapUpEndsAt = c.acwEndsAt;
  if (c.recorder !== undefined) report.recording = pick(RECORDER, c.recorder, "recorder state");
  if (c.listen !== undefined) report.monitorMode = pick(LISTEN, c.listen, "listen mode");
  if (c.disposition || c.notes) report.wrapUp = { ...(c.disposition ? { disposition: c.disposition } : {}), ...(c.notes ? { notes: c.notes } : {}) };
  return report as unknown as CallReport;
}

/** The server's agent states as the connector's reasons. */
export function agentReasons(states: readonly AgentStateOption[]): AgentReason[] {
  return states.map((s) => ({ id: s.id, state: s.status, label: s.label }));
}

/** A server agent → an agent report; `reasons` resolve the pending state's reason code. */
export function agentReport(v: unknown, reasons: readonly AgentReason[]): AgentReport {
  if (!isRecord(v)) throw new BadMessage("agent is not an object");
  const a = v as unknown as VAgent;
  const next = isRecord(a.next) ? a.next : undefined;
  const nextReason = next ? reasons.find((r) => r.id === next.reasonCode) : undefined;
  return {
    state: pick(AGENT, a.status, "agent status"),
    ...(typeof a.reasonCode === "string" ? { reason: a.reasonCode } : {}),
    ...(typeof a.agentId === "string" ? { agentId: a.agentId } : {}),
    pendingState: next ? { state: pick(AGENT, next.status, "agent status"), ...(nextReason ? { reason: nextReason } : {}) } : null,
  };
}

/** A snapshot → the full report a (re)connect syncs from. */
export function syncReport(m: Extract<ServerMessage, { type: "snapshot" }>, reasons: readonly AgentReason[]): SyncReport {
  if (!Array.isArray(m.calls) || !Array.isArray(m.recentlyEnded)) throw new BadMessage("snapshot without calls");
  return { agent: agentReport(m.agent, reasons), calls: [...m.recentlyEnded, ...m.calls].map(toCallReport) };
}

/** A transcript line or an insight → its signal. */
export function aiSignal(m: Extract<ServerMessage, { type: "transcript" | "insight" }>): Signal {
  return m.type === "transcript"
    ? { kind: "transcript", callId: m.callId, segment: { id: m.segmentId, speaker: m.speaker, text: m.text, final: m.final } }
    : { kind: "insight", callId: m.callId, insight: { kind: m.kind, text: m.text, ...(m.score !== undefined ? { score: m.score } : {}) } };
}
