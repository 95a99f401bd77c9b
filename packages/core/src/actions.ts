import { CALL_ACTIONS, type Call, type CallAction, type Capability, type Party } from "./model.js";

/** Call actions whose capability has another name; every other action needs the capability of its own name. */
const RENAMED = { resume: "hold", unmute: "mute", sendDtmf: "dtmf", completeWrapUp: "wrapUp", pauseRecording: "recordingControl", resumeRecording: "recordingControl", setMonitorMode: "monitor" } as const satisfies Partial<Record<CallAction, Capability>>;
// Compile-time check: every other action is itself a capability.
const _sameName: readonly Capability[] = [] as Exclude<CallAction, keyof typeof RENAMED>[];

/** The capability each call action needs: `{ answer: "answer", resume: "hold", sendDtmf: "dtmf", … }`. */
export const ACTION_CAPABILITY = Object.fromEntries(CALL_ACTIONS.map((a) => [a, (RENAMED as Partial<Record<CallAction, Capability>>)[a] ?? a])) as Readonly<Record<CallAction, Capability>>;


/** The call has ended or is in wrap-up (or is no longer known): what hangup, reject and the transfers bring. */
export const over = (c: Pick<Call, "state"> | undefined): boolean => !c || c.state === "wrapup" || c.state === "ended";

/**
 * The requests allowed on `call` now: its state, its consult partner and the
 * other calls, intersected with the connector's capabilities. A ringing call
 * offers `answer` only while no other call is connected or dialing (hold it
 * first), nor held unless the connector has `callWaiting`. (The store derives
 * the same with `actionsFor`, from its counts and indexes instead of a walk.)
 */
export function deriveActions(call: Call, calls: Iterable<Call>, capabilities: ReadonlySet<Capability>): CallAction[] {
  // The other calls, by id (`calls` may hold this one).
  const others = [...calls].filter((c) => c.id !== call.id);
  const other = (...states: Call["state"][]): boolean => others.some((c) => states.includes(c.state));
  // Its consult partner: the consult leg of a primary call, or the primary of a consult leg (the first live one).
  const partner = others.find((c) => !over(c) && (c.relatedCallId === call.id || call.relatedCallId === c.id));
  return actionsFor(call, partner, other("connected", "dialing"), other("held"), capabilities);
}

/**
 * `deriveActions`, given what the actions depend on besides the call itself:
 * its consult partner, and whether another call is talking (connected or
 * dialing) or held.
 */
export function actionsFor(call: Call, partner: Call | undefined, othersTalking: boolean, othersHeld: boolean, capabilities: ReadonlySet<Capability>): CallAction[] {
  const live = call.state === "connected" || call.state === "held";
  // Hangup first, on every call that can be hung up.
  const wanted: CallAction[] = live || call.state === "dialing" ? ["hangup"] : [];
  // A supervisor's monitoring session: leave it, or change how the supervisor is on the watched call.
  if (call.direction === "monitor") {
    if (call.state === "connected") wanted.push("setMonitorMode");
    // (A vendor that puts a session through after-call work: it can be finished.)
    else if (call.state === "wrapup") wanted.push("completeWrapUp");
    return wanted.filter((a) => capabilities.has(ACTION_CAPABILITY[a]));
  }
  if (live && call.recording === "active") wanted.push("pauseRecording");
  if (live && call.recording === "paused") wanted.push("resumeRecording");
  if (call.state === "ringing") {
    // Call waiting: a second call is answered only once the first is held (the
    // panel offers "hold and answer"), and only with `callWaiting` while one is held.
    if (!othersTalking && !(othersHeld && !capabilities.has("callWaiting"))) wanted.push("answer");
    wanted.push("reject");
  } else if (call.state === "connected") {
    wanted.push("hold", call.muted ? "unmute" : "mute", "sendDtmf");
    if (!partner && call.direction !== "consult") wanted.push("blindTransfer", "consult");
  } else if (call.state === "held") {
    if (call.muted) wanted.push("unmute");
    // Not while another call talks or dials out (that one would be on hold first).
    if (!partner && !othersTalking) wanted.push("resume");
  } else if (call.state === "wrapup") wanted.push("completeWrapUp");
  if (live && liveRemotes(call.parties) > 1) wanted.push("dropParty");
  if (partner && live && (partner.state === "connected" || partner.state === "held")) {
    wanted.push("completeTransfer", "conference");
    if (call.state !== partner.state) wanted.push("swap");
  }
  return wanted.filter((a) => capabilities.has(ACTION_CAPABILITY[a]));
}

/** How many parties other than the agent (and a supervisor, who is not in the conversation the agent runs) are still on the call. */
export const liveRemotes = (parties: readonly Party[]): number => {
  let n = 0;
  for (let i = 0; i < parties.length; i++) n += +isLiveRemote(parties[i]!);
  return n;
};

/** Whether a party other than the agent or a supervisor is still on the call (the agent cannot drop a supervisor). */
export const isLiveRemote = (p: Party): boolean => p.role !== "agent" && p.role !== "supervisor" && p.state !== "disconnected";
