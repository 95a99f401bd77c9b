/** Words and numbers the panel shows. Pure functions, so they are easy to test. */
import type { AgentStateKind, Call, CallAction, EndReason, LinkState } from "@opencti/core";

export const AGENT_STATE_LABEL: Readonly<Record<AgentStateKind, string>> = {
  logged_out: "Logged out",
  not_ready: "Not ready",
  ready: "Ready",
  busy: "On a call",
  after_call_work: "After call work",
  error: "Error",
};

export const LINK_LABEL: Readonly<Record<LinkState, string>> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  disconnected: "Disconnected",
};

export const CALL_STATE_LABEL: Readonly<Record<Call["state"], string>> = {
  ringing: "Ringing",
  dialing: "Dialing",
  connected: "Connected",
  held: "On hold",
  wrapup: "Wrap-up",
  ended: "Ended",
};

/** How a call ended, in words (`call.endReason`). */
export const END_REASON_LABEL: Readonly<Record<EndReason, string>> = {
  local_hangup: "You hung up",
  remote_hangup: "The other side hung up",
  rejected: "Declined",
  missed: "Missed: not answered in time",
  abandoned: "The caller hung up before it was answered",
  busy: "Busy",
  no_answer: "No answer",
  transferred: "Transferred",
  merged: "Merged into the conference",
  failed: "Call failed",
  lost: "Lost track of the call",
  unknown: "Ended",
};

/** "Busy: User busy (17)": the end reason, then the vendor's reason when it gave one. */
export function callOutcome(call: Call): string {
  const reason = END_REASON_LABEL[call.endReason ?? "unknown"];
  const f = call.failure;
  return f ? `${reason}: ${f.message}${f.vendorCode ? ` (${f.vendorCode})` : ""}` : reason;
}

/** Labels of the buttons rendered from `call.actions` (the rest have their own forms). */
export const ACTION_LABEL: Partial<Readonly<Record<CallAction, string>>> = {
  answer: "Answer",
  reject: "Reject",
  hangup: "Hang up",
  hold: "Hold",
  resume: "Resume",
  mute: "Mute",
  unmute: "Unmute",
  completeTransfer: "Complete transfer",
  conference: "Conference",
  swap: "Swap",
};

/** What a request is called in an error message: "Could not hold: …". */
export const REQUEST_VERB: Readonly<Record<string, string>> = {
  login: "log in",
  logout: "log out",
  setAgentState: "change your state",
  dial: "place the call",
  answer: "answer",
  reject: "reject the call",
  hangup: "hang up",
  hold: "put the call on hold",
  resume: "resume the call",
  mute: "mute",
  unmute: "unmute",
  sendDtmf: "send the tones",
  blindTransfer: "transfer the call",
  consult: "start the consult call",
  completeTransfer: "complete the transfer",
  conference: "start the conference",
  swap: "swap calls",
  dropParty: "drop the party",
  completeWrapUp: "finish wrap-up",
};

/** "0:07", "12:03", "1:02:03". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** A moment as the agent's clock shows it: "14:07" (the browser's locale and time zone). */
export function formatClock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

/** Who is on the other end, for a heading: the name when known, else the number. */
export function callTitle(call: Call): string {
  const remote = call.direction === "inbound" ? call.fromName || call.from : call.to;
  if (remote) return remote;
  const party = call.parties.find((p) => p.role !== "agent");
  return party?.displayName || party?.address || "Unknown caller";
}

export function directionLabel(call: Pick<Call, "direction">): string {
  switch (call.direction) {
    case "inbound":
      return "Inbound";
    case "outbound":
      return "Outbound";
    case "consult":
      return "Consult";
    case "internal":
      return "Internal";
    default:
      return "Call";
  }
}

/** The moment a call's timer counts from: connection, else first seen. */
export function callClockStart(call: Call): number {
  return call.connectedAt ?? call.startedAt;
}
