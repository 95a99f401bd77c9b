/**
 * The normalized model: what every connector's vendor state is reduced to.
 * Plain data only (no classes) so snapshots serialize to JSON unchanged and
 * validate against the published JSON Schema.
 */

/** The CTI link (Pega's pyLinkState): is the desktop talking to the vendor? */
export type LinkState = "connecting" | "connected" | "reconnecting" | "disconnected";

export type AgentStateKind =
  | "logged_out"
  | "not_ready"
  | "ready"
  | "busy"
  | "after_call_work"
  | "error";

/** A vendor-configured agent state ("Ready", "Not Ready: Lunch", …). */
export interface AgentReason {
  /** Stable id the connector understands (a vendor state ARN, a code). */
  readonly id: string;
  /** The normalized state this reason puts the agent in. */
  readonly state: AgentStateKind;
  /** What a person sees. */
  readonly label: string;
}

export interface PendingAgentState {
  readonly state: AgentStateKind;
  readonly reason?: AgentReason;
}

export interface Agent {
  readonly state: AgentStateKind;
  readonly reason?: AgentReason;
  /** A state the vendor has queued until the current call ends. */
  readonly pendingState?: PendingAgentState;
  readonly agentId?: string;
  /** Epoch ms when `state` (or its reason) last changed. */
  readonly since: number;
}

export type CallDirection = "inbound" | "outbound" | "consult" | "internal" | "unknown";

export type CallState = "ringing" | "dialing" | "connected" | "held" | "wrapup" | "ended";

export type PartyRole = "agent" | "customer" | "third_party" | "supervisor";

export type PartyState = "ringing" | "dialing" | "connected" | "held" | "disconnected";

export interface Party {
  readonly id: string;
  readonly role: PartyRole;
  readonly state: PartyState;
  readonly address?: string;
  readonly displayName?: string;
}

export type EndReason =
  | "local_hangup"
  | "remote_hangup"
  | "rejected"
  | "missed"
  | "abandoned"
  | "busy"
  | "no_answer"
  | "transferred"
  | "merged"
  | "failed"
  | "lost"
  | "unknown";

/** Attached call data: contact attributes, custom parameters, SIP X- headers. */
export type CallData = Readonly<Record<string, string>>;

/** A request that can be made on one call. */
export type CallAction =
  | "answer"
  | "reject"
  | "hangup"
  | "hold"
  | "resume"
  | "mute"
  | "unmute"
  | "sendDtmf"
  | "blindTransfer"
  | "consult"
  | "completeTransfer"
  | "conference"
  | "swap"
  | "dropParty"
  | "completeWrapUp";

export interface WrapUp {
  readonly disposition?: string;
  readonly notes?: string;
}

/** An immutable call snapshot. A new object is made for every change. */
export interface Call {
  /** Stable id, chosen by the connector, unique for the desktop's lifetime. */
  readonly id: string;
  /** The vendor's own id (contactId, CallSid, SIP Call-ID). */
  readonly vendorCallId: string;
  readonly direction: CallDirection;
  readonly state: CallState;
  /** ANI: who called (inbound) or the agent's line (outbound). */
  readonly from?: string;
  readonly fromName?: string;
  /** DNIS: the number dialled. */
  readonly to?: string;
  readonly queue?: string;
  /** For a consult call: the call it consults from. */
  readonly relatedCallId?: string;
  readonly parties: readonly Party[];
  readonly muted: boolean;
  readonly data: CallData;
  /** Epoch ms: first seen, connected, ended. */
  readonly startedAt: number;
  readonly connectedAt?: number;
  readonly endedAt?: number;
  readonly endReason?: EndReason;
  readonly wrapUp?: WrapUp;
  /** The requests allowed on this call right now (state ∩ capabilities). */
  readonly actions: readonly CallAction[];
}

/** What a connector can do. A request outside it is refused with NOT_SUPPORTED. */
export type Capability =
  | "agentState"
  | "dial"
  | "answer"
  | "reject"
  | "hangup"
  | "hold"
  | "mute"
  | "dtmf"
  | "blindTransfer"
  | "consult"
  | "completeTransfer"
  | "conference"
  | "swap"
  | "dropParty"
  | "wrapUp"
  | "transcripts";

/** Pega's telephony modes, derived from capabilities. */
export type TelephonyMode = "screen_pop" | "agent_state" | "full";

export interface DesktopSnapshot {
  readonly connector: string;
  readonly link: LinkState;
  readonly agent: Agent;
  /** Calls that have not ended, oldest first. */
  readonly calls: readonly Call[];
  readonly capabilities: readonly Capability[];
  readonly reasons: readonly AgentReason[];
  readonly mode: TelephonyMode;
}
