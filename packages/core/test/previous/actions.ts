import { CALL_ACTIONS, type Call, type CallAction, type Capability, type Party } from "../../src/model.js";

/** Call actions whose capability has another name; every other action needs the capability of its own name. */
const RENAMED = { resume: "hold", unmute: "mute", sendDtmf: "dtmf", completeWrapUp: "wrapUp" } as const satisfies Partial<Record<CallAction, Capability>>;
// Compile-time check: every other action is itself a capability.
// (The one edit since it was frozen: the call actions issue 16 added, which the oracle never derives, are left out of this check.)
const _sameName: readonly Capability[] = [] as Exclude<CallAction, keyof typeof RENAMED | "pauseRecording" | "resumeRecording" | "setMonitorMode">[];

/** The capability each call action needs: `{ answer: "answer", resume: "hold", sendDtmf: "dtmf", … }`. */
export const ACTION_CAPABILITY = Object.fromEntries(CALL_ACTIONS.map((a) => [a, (RENAMED as Partial<Record<CallAction, Capability>>)[a] ?? a])) as Readonly<Record<CallAction, Capability>>;


/** The call has ended or is in wrap-up (or is no longer known): what hangup, reject and the transfers bring. */
export const over = (c: Pick<Call, "state"> | undefined): boolean => !c || c.state === "wrapup" || c.state === "ended";

/** The consult leg of a primary call, or the primary of a consult leg. */
export function consultPartner(call: Call, calls: Iterable<Call>): Call | undefined {
  for (const other of calls) {
    if (other.id === call.id || over(other)) continue;
    if (other.relatedCallId === call.id || call.relatedCallId === other.id) return other;
  }
  return undefined;
}

/**
 * The requests allowed on `call` now: its state, its consult partner and the
 * other calls, intersected with the connector's capabilities. A ringing call
 * offers `answer` only while no other call is connected or dialing (hold it
 * first), nor held unless the connector has `callWaiting`.
 */
export function deriveActions(call: Call, calls: Iterable<Call>, capabilities: ReadonlySet<Capability>): CallAction[] {
  const all = [...calls];
  const partner = consultPartner(call, all);
  const live = call.state === "connected" || call.state === "held";
  // Hangup first, on every call that can be hung up.
  const wanted: CallAction[] = live || call.state === "dialing" ? ["hangup"] : [];
  if (call.state === "ringing") {
    // Call waiting: a second call is answered only once the first is held (the
    // panel offers "hold and answer"), and only with `callWaiting` while one is held.
    if (!all.some((c) => c.id !== call.id && (c.state === "connected" || c.state === "dialing" || (c.state === "held" && !capabilities.has("callWaiting"))))) wanted.push("answer");
    wanted.push("reject");
  } else if (call.state === "connected") {
    wanted.push("hold", call.muted ? "unmute" : "mute", "sendDtmf");
    if (!partner && call.direction !== "consult") wanted.push("blindTransfer", "consult");
  } else if (call.state === "held") {
    if (call.muted) wanted.push("unmute");
    // Not while another call talks or dials out (that one would be on hold first).
    if (!partner && !all.some((c) => c.id !== call.id && (c.state === "connected" || c.state === "dialing"))) wanted.push("resume");
  } else if (call.state === "wrapup") wanted.push("completeWrapUp");
  if (live && liveRemotes(call.parties) > 1) wanted.push("dropParty");
  if (partner && live && (partner.state === "connected" || partner.state === "held")) {
    wanted.push("completeTransfer", "conference");
    if (call.state !== partner.state) wanted.push("swap");
  }
  return wanted.filter((a) => capabilities.has(ACTION_CAPABILITY[a]));
}

/** How many parties other than the agent are still on the call. */
export const liveRemotes = (parties: readonly Party[]): number => parties.filter(isLiveRemote).length;

/** Whether a party other than the agent is still on the call. */
export const isLiveRemote = (p: Party): boolean => p.role !== "agent" && p.role !== "supervisor" && p.state !== "disconnected";
