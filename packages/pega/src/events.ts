/**
 * Normalized desktop state → Pega event JSON. Pure functions: the
 * implementation decides when to send, these decide what.
 */
import { CtiError, type Agent, type Call, type CallDirection, type CallState, type DesktopSnapshot, type LinkState } from "@opencti/core";
import { toPegaError } from "./errors.js";
import type {
  PegaAgentEvent,
  PegaAgentState,
  PegaCallEvent,
  PegaCallEventName,
  PegaCallInfoEvent,
  PegaCallType,
  PegaPartyInfoEvent,
  PegaSnapshotCall,
  PegaSnapshotEvent,
  PegaWorkMode,
} from "./types.js";

/** What the mapping needs besides the desktop's state. */
export interface PegaContext {
  /** pyMedia on every event. */
  readonly media: string;
  /** The agent's device (pyThisDN): the login extension. */
  readonly thisDN: string;
  /** The agent id given at login, when the vendor does not report one. */
  readonly agentId: string;
  /** Work mode reported with Ready (what agentReady asked for). */
  readonly readyWorkMode: PegaWorkMode;
  /** Our reason id → Pega reason code. */
  readonly reasonCode: (reasonId: string) => string;
  /** Reason code of the logout in progress (Pega's, not the vendor's). */
  readonly logoutReasonCode: string;
}

export const CALL_TYPE: Readonly<Record<CallDirection, PegaCallType>> = {
  inbound: "INBOUND",
  outbound: "OUTBOUND",
  consult: "CONSULT",
  internal: "INTERNAL",
  // A supervisor's monitoring session: agent to agent, inside the contact centre.
  monitor: "INTERNAL",
  unknown: "UNKNOWN",
};

/** Directions a call can reach the agent with (not placed by the agent, not a monitoring session). */
const REACHED_AGENT: ReadonlySet<CallDirection> = new Set<CallDirection>(["inbound", "internal", "unknown"]);

/**
 * Pega's call type: the call's direction, except that a call transferred to
 * this agent is CONSULT (Pega's type for consult and transferred calls), not
 * INBOUND, INTERNAL or UNKNOWN. The signal is call data `callKind:
 * "transfer"`, which only the connector sets: Amazon Connect from the
 * contact's `transfer` initiation method (an agent transferred it; a flow's
 * `queue_transfer` is a plain inbound call, and a contact attribute named
 * callKind never becomes call data). The SIP and Twilio connectors report no
 * transfer signal, so their transferred calls keep their direction's type. A
 * queued callback (`callKind: "callback"`) is the type its direction says.
 */
export const callType = (call: Call): PegaCallType => (call.data.callKind === "transfer" && REACHED_AGENT.has(call.direction) ? "CONSULT" : CALL_TYPE[call.direction]);

/** The CallEvent that puts a call in each live state. */
export const CALL_STATE_EVENT: Readonly<Record<Exclude<CallState, "ended" | "wrapup">, PegaCallEventName>> = {
  ringing: "Alerting",
  dialing: "Initiated",
  connected: "Established",
  held: "Held",
};

/**
 * A caller who hung up before anyone answered. A `missed` call (the ring timed
 * out, the caller still there) was not abandoned: it is Disconnected for the
 * agent, with pyDisconnectReason "missed".
 */
function wasAbandoned(call: Call): boolean {
  return call.endReason === "abandoned";
}

/** The far end: the caller on an inbound call, the number dialled otherwise. */
function otherDN(call: Call): string {
  if (call.direction === "inbound" || call.direction === "internal") return call.from ?? "";
  return call.to ?? call.parties.find((p) => p.role !== "agent")?.address ?? "";
}

/**
 * The call's last CallEvent, Abandoned or Disconnected, with how it ended:
 * pyDisconnectReason (the end reason) and, when the vendor said why it
 * failed, the failure as Pega's error vocabulary (pyErrCode, pyErrMessage,
 * redacted like a failure callback's) plus our code and the vendor's own.
 */
export function endEvent(call: Call, ctx: PegaContext): PegaCallEvent {
  const event: PegaCallEvent = { ...callEvent(wasAbandoned(call) ? "Abandoned" : "Disconnected", call, ctx), pyDisconnectReason: call.endReason ?? "unknown" };
  const failure = call.failure;
  if (!failure) return event;
  const { errCode, errMessage } = toPegaError(new CtiError(failure.code, failure.message));
  return { ...event, pyErrCode: errCode, pyErrMessage: errMessage, pyFailureCode: failure.code, ...(failure.vendorCode ? { pyVendorCode: failure.vendorCode } : {}) };
}

export function callEvent(name: PegaCallEventName, call: Call, ctx: PegaContext): PegaCallEvent {
  return {
    pyEventType: "CallStateEvent",
    pyEventName: name,
    pyCallId: call.id,
    pyCallType: callType(call),
    pyANI: call.from ?? "",
    pyOtherDN: otherDN(call),
    pyMedia: ctx.media,
  };
}

/** Remote parties still on the call, as Pega DNs (address, else the party id dropParty accepts). */
export function partyDNs(call: Call): string[] {
  return call.parties.filter((p) => p.role !== "agent" && p.state !== "disconnected").map((p) => p.address ?? p.id);
}

export function partyInfoEvent(call: Call, ctx: PegaContext): PegaPartyInfoEvent {
  return {
    pyEventType: "PartyInfoEvent",
    pyEventName: "PartyInfo",
    pyCallId: call.id,
    pyThisDN: ctx.thisDN,
    pyMedia: ctx.media,
    pyParties: partyDNs(call).map((pyDN) => ({ pyDN })),
  };
}

/** The number the caller dialled: `to` on a call that reached the agent; "" on one the agent placed. */
function dnis(call: Call): string {
  return REACHED_AGENT.has(call.direction) ? (call.to ?? "") : "";
}

/**
 * CallInfo: the call's DNIS and data (named values, Pega's pyUserData value
 * group). Sent when they change, never about a call Pega was told is over.
 */
export function callInfoEvent(call: Call, ctx: PegaContext): PegaCallInfoEvent {
  return {
    pyEventType: "CallInfoEvent",
    pyEventName: "CallInfo",
    pyCallId: call.id,
    pyThisDN: ctx.thisDN,
    pyMedia: ctx.media,
    pyDNIS: dnis(call),
    pyUserData: { ...call.data },
  };
}

/** Pega's AgentEvent name, work mode and reason for an agent. */
function agentParts(agent: Agent, ctx: PegaContext): { name: PegaAgentEvent["pyEventName"]; state: PegaAgentState; workMode: PegaWorkMode; reasonCode: string } {
  const reason = agent.reason ? ctx.reasonCode(agent.reason.id) : "";
  switch (agent.state) {
    case "ready":
      return { name: "Ready", state: "Ready", workMode: ctx.readyWorkMode, reasonCode: "" };
    case "not_ready":
      return { name: "NotReady", state: "NotReady", workMode: "AUX_WORK", reasonCode: reason };
    case "after_call_work":
      return { name: "NotReady", state: "NotReady", workMode: "ACW", reasonCode: reason };
    case "busy":
      return { name: "NotReady", state: "Busy", workMode: "BUSY", reasonCode: "" };
    case "logged_out":
      return { name: "Logout", state: "Logout", workMode: "MODE_NONE", reasonCode: ctx.logoutReasonCode };
    case "error":
      return { name: "Unknown", state: "Unknown", workMode: "MODE_NONE", reasonCode: "" };
  }
}

export function agentEvent(agent: Agent, ctx: PegaContext): PegaAgentEvent {
  const { name, workMode, reasonCode } = agentParts(agent, ctx);
  return { pyEventType: "AgentStateEvent", pyEventName: name, pyReasonCode: reasonCode, pyWorkMode: workMode, pyMedia: ctx.media };
}

/** AgentEvent Login: sent before the state the agent logs in to. */
export function loginEvent(ctx: PegaContext): PegaAgentEvent {
  return { pyEventType: "AgentStateEvent", pyEventName: "Login", pyReasonCode: "", pyWorkMode: "MODE_NONE", pyMedia: ctx.media };
}

export function linkState(link: LinkState): PegaSnapshotEvent["pyLinkState"] {
  return link === "connected" ? "CONNECTED" : "DISCONNECTED";
}

function snapshotCall(call: Call): PegaSnapshotCall {
  const state: PegaCallEventName = call.state === "wrapup" || call.state === "ended" ? "Disconnected" : CALL_STATE_EVENT[call.state];
  return { pyCallId: call.id, pyCallType: callType(call), pyCallState: state, pyANI: call.from ?? "", pyOtherDN: otherDN(call) };
}

export function snapshotEvent(snapshot: DesktopSnapshot, ctx: PegaContext): PegaSnapshotEvent {
  const { state, workMode, reasonCode } = agentParts(snapshot.agent, ctx);
  const loggedIn = snapshot.agent.state !== "logged_out";
  return {
    pyEventType: "SnapshotEvent",
    pyEventName: "Snapshot",
    pyAgentId: snapshot.agent.agentId ?? ctx.agentId,
    pyAgentState: state,
    pyDeviceState: loggedIn && snapshot.link === "connected" ? "OPENED" : "CLOSED",
    pyLinkState: linkState(snapshot.link),
    pyReasonCode: reasonCode,
    pyWorkMode: workMode,
    pyThisDN: ctx.thisDN,
    pyMedia: ctx.media,
    // A call in wrap-up is over for Pega (it got Disconnected); only live calls are listed.
    pyCalls: snapshot.calls.filter((c) => c.state !== "wrapup" && c.state !== "ended").map(snapshotCall),
  };
}
