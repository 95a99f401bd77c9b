/**
 * The normalized model: what every connector's vendor state is reduced to.
 * Plain data only (no classes) so snapshots serialize to JSON unchanged and
 * validate against the published JSON Schema.
 */

/**
 * Every enumeration of the model is written once, as an `as const` array; its
 * union type is derived from it, the validators check against it and the JSON
 * Schema (scripts/schema-source.mjs) is generated from it.
 */

/** Stable error codes. Hosts switch on these; never on messages. */
export const CTI_ERROR_CODES = [
  "NOT_LOGGED_IN",
  "INVALID_STATE",
  "NOT_SUPPORTED",
  "INVALID_ARGUMENT",
  "INVALID_DESTINATION",
  "DESTINATION_BUSY",
  "CALL_REJECTED",
  "REQUEST_TIMEOUT",
  "LINK_DOWN",
  "AUTH_FAILED",
  "MEDIA_PERMISSION_DENIED",
  "INVALID_VENDOR_EVENT",
  "VENDOR_ERROR",
] as const;
/** A stable error code (see CTI_ERROR_CODES and the README's error table). */
export type CtiErrorCode = (typeof CTI_ERROR_CODES)[number];

/** The CTI link states (Pega's pyLinkState), in the order a link usually goes. */
export const LINK_STATES = ["connecting", "connected", "reconnecting", "disconnected"] as const;
/** The CTI link (Pega's pyLinkState): is the desktop talking to the vendor? */
export type LinkState = (typeof LINK_STATES)[number];

/** The normalized agent states every vendor's states are reduced to. */
export const AGENT_STATES = ["logged_out", "not_ready", "ready", "busy", "after_call_work", "error"] as const;
/** A normalized agent state. */
export type AgentStateKind = (typeof AGENT_STATES)[number];

/** A vendor-configured agent state ("Ready", "Not Ready: Lunch", …). */
export interface AgentReason {
  /** Stable id the connector understands (a vendor state ARN, a code); 1 to `LIMITS.id` (256) characters. */
  readonly id: string;
  /** The normalized state this reason puts the agent in. */
  readonly state: AgentStateKind;
  /** What a person sees; at most `LIMITS.id` (256) characters. */
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

/**
 * Who placed a call: `consult` is the agent's consult leg, `internal` agent to
 * agent, `monitor` a supervisor's session on another agent's call (see
 * `desktop.monitor`).
 */
export const CALL_DIRECTIONS = ["inbound", "outbound", "consult", "internal", "monitor", "unknown"] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];

/** Call states, in lifecycle order: `ringing|dialing → connected ⇄ held → wrapup → ended`. */
export const CALL_STATES = ["ringing", "dialing", "connected", "held", "wrapup", "ended"] as const;
export type CallState = (typeof CALL_STATES)[number];

/** Who a party on a call is. */
export const PARTY_ROLES = ["agent", "customer", "third_party", "supervisor"] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

/** The state of one party's leg of a call. */
export const PARTY_STATES = ["ringing", "dialing", "connected", "held", "disconnected"] as const;
export type PartyState = (typeof PARTY_STATES)[number];

/**
 * How a supervisor is on a call: `monitor` listens (nobody hears the
 * supervisor), `whisper` coaches (the agent hears the supervisor, the customer
 * does not), `barge` joins the conversation (everyone hears everyone).
 */
export const MONITOR_MODES = ["monitor", "whisper", "barge"] as const;
export type MonitorMode = (typeof MONITOR_MODES)[number];

/**
 * A call's recording: `active` (being recorded), `paused` (the agent paused
 * it, e.g. while the customer reads out card details), `off` (not recorded).
 */
export const RECORDING_STATES = ["active", "paused", "off"] as const;
export type RecordingState = (typeof RECORDING_STATES)[number];

/** One leg of a call (the agent's own included). A call has at most `LIMITS.parties` (64); on a call in wrap-up or ended, every party is `disconnected`. */
export interface Party {
  /** 1 to `LIMITS.id` (256) characters, unique on the call. */
  readonly id: string;
  readonly role: PartyRole;
  readonly state: PartyState;
  /** A phone number or SIP address; 1 to `LIMITS.text` (1024) characters. */
  readonly address?: string;
  /** At most `LIMITS.text` (1024) characters. */
  readonly displayName?: string;
  /** A `supervisor` party's mode, where the vendor says (the agent's desktop sees monitoring only where the vendor exposes it). */
  readonly monitorMode?: MonitorMode;
}

/**
 * Why a call ended (`call.ended`'s `call.endReason`). One meaning each, so two
 * connectors map the same vendor situation the same way (the core README has
 * the table with each vendor's source):
 *
 * - `local_hangup`: a connected call the agent's side ended: the agent hung up,
 *   or the vendor SDK hung up on the agent's behalf (another call answered,
 *   the page unloading). Also an outbound call the agent cancelled.
 * - `remote_hangup`: a connected call the far end (customer, third party) ended.
 * - `rejected`: an offered call the agent declined.
 * - `missed`: a call offered to the agent and never answered: the ring timed
 *   out, or the vendor moved it on (Connect's `MissedCallAgent`).
 * - `abandoned`: the caller gave up while it rang at the agent or queued.
 * - `busy`: outbound: the far end was busy or declined (SIP 486/600/603,
 *   Twilio busy); `failure.code` DESTINATION_BUSY.
 * - `no_answer`: outbound: the far end rang and did not pick up (SIP 408/480
 *   after ringing, Twilio no-answer).
 * - `transferred`: the agent left by a blind or completed consult transfer.
 * - `merged`: a consult call merged into its primary (a conference).
 * - `failed`: anything else that stopped the call, always with `failure`
 *   (an unknown number: INVALID_DESTINATION; a server error: VENDOR_ERROR;
 *   no microphone: MEDIA_PERMISSION_DENIED).
 * - `lost`: the desktop lost sight of it (gone after a reconnect).
 * - `unknown`: the vendor did not say.
 */
export const END_REASONS = ["local_hangup", "remote_hangup", "rejected", "missed", "abandoned", "busy", "no_answer", "transferred", "merged", "failed", "lost", "unknown"] as const;
export type EndReason = (typeof END_REASONS)[number];

/**
 * Why a call failed, when the vendor said: on an ended call with `failed`,
 * `busy` or `no_answer` (and any other end reason the vendor explained).
 */
export interface CallFailure {
  /** The typed cause: INVALID_DESTINATION, DESTINATION_BUSY, MEDIA_PERMISSION_DENIED, VENDOR_ERROR, … */
  readonly code: CtiErrorCode;
  /** The vendor's own code: a SIP status ("503"), a Twilio error code ("31486"), a Connect state ("BadAddressCustomer"). At most `LIMITS.id` characters. */
  readonly vendorCode?: string;
  /** What happened, for a person (redacted, at most `LIMITS.text` characters). */
  readonly message: string;
}

/**
 * The condition of one call's audio, apart from the desktop's link: `ok`, or
 * `reconnecting` while the vendor restores the media (requests on the call
 * still go through).
 */
export const MEDIA_STATES = ["ok", "reconnecting"] as const;
export type MediaState = (typeof MEDIA_STATES)[number];

/**
 * Attached call data: contact attributes, custom parameters, SIP X- headers.
 * String values only; at most `LIMITS.dataEntries` (200) entries, keys of at
 * most `LIMITS.id` (256) and values of at most `LIMITS.longText` (8192)
 * characters, `LIMITS.dataChars` (65 536) characters in all.
 */
export type CallData = Readonly<Record<string, string>>;

/** The requests that can be made on one call (the Desktop method of the same name). */
export const CALL_ACTIONS = [
  "answer",
  "reject",
  "hangup",
  "hold",
  "resume",
  "mute",
  "unmute",
  "sendDtmf",
  "blindTransfer",
  "consult",
  "completeTransfer",
  "conference",
  "swap",
  "dropParty",
  "completeWrapUp",
  "pauseRecording",
  "resumeRecording",
  "setMonitorMode",
] as const;
/** A request that can be made on one call. */
export type CallAction = (typeof CALL_ACTIONS)[number];

/** After-call work's outcome. */
export interface WrapUp {
  /** At most `LIMITS.text` (1024) characters. */
  readonly disposition?: string;
  /** At most `LIMITS.longText` (8192) characters. */
  readonly notes?: string;
}

/** An immutable call snapshot. A new object is made for every change. */
export interface Call {
  /** Stable id, chosen by the connector, unique for the desktop's lifetime; 1 to `LIMITS.id` (256) characters. */
  readonly id: string;
  /** The vendor's own id (contactId, CallSid, SIP Call-ID); the id when the vendor has none. At most `LIMITS.id` characters. */
  readonly vendorCallId: string;
  readonly direction: CallDirection;
  readonly state: CallState;
  /** ANI: who called (inbound) or the agent's line (outbound). `from`, `fromName`, `to` and `queue`: at most `LIMITS.text` (1024) characters. */
  readonly from?: string;
  readonly fromName?: string;
  /** DNIS: the number dialled. */
  readonly to?: string;
  readonly queue?: string;
  /** For a consult call: the call it consults from. */
  readonly relatedCallId?: string;
  /** At most `LIMITS.parties` (64). */
  readonly parties: readonly Party[];
  /** The agent's microphone on this call. */
  readonly muted: boolean;
  readonly data: CallData;
  /** Epoch ms: first seen, connected, ended. */
  readonly startedAt: number;
  readonly connectedAt?: number;
  readonly endedAt?: number;
  readonly endReason?: EndReason;
  /** Why it failed, when the vendor said (see CallFailure). */
  readonly failure?: CallFailure;
  /** Its audio's condition, once the connector reported one (see MEDIA_STATES). */
  readonly media?: MediaState;
  readonly wrapUp?: WrapUp;
  /**
   * When after-call work ends on its own, epoch ms: a vendor or connector
   * that limits wrap-up (the SIP connector's and the simulator's
   * `wrapUpLimitMs`) says so, and the panel counts down. Absent: no limit.
   */
  readonly wrapUpEndsAt?: number;
  /** Its recording, where the vendor says (see RECORDING_STATES); a change is a `call.recording` event. */
  readonly recording?: RecordingState;
  /** A monitoring session's (direction `monitor`) current mode: how the supervisor is on the watched call. */
  readonly monitorMode?: MonitorMode;
  /**
   * A reference to the call's live audio stream for Voice AI, at most
   * `LIMITS.text` (1024) characters: Amazon Connect the Kinesis Video Stream
   * ARN (a contact attribute), Twilio the Media Stream SID (MZ…), SIP what
   * the media server reports. A change is a `call.updated` event.
   */
  readonly mediaStream?: string;
  /** The requests allowed on this call right now (state ∩ capabilities). */
  readonly actions: readonly CallAction[];
}

/**
 * What a connector can do. A request outside its capabilities is refused with
 * NOT_SUPPORTED. `agentState` covers setAgentState, `dtmf` sendDtmf, `hold`
 * hold and resume, `mute` mute and unmute, `wrapUp` completeWrapUp; `transcripts`
 * means the connector signals Voice AI transcripts and insights;
 * `audioDevices` that it lists the agent's audio devices (`snapshot().audio`)
 * and takes `selectAudioDevice`; `recordingControl` pauseRecording and
 * resumeRecording; `monitor` a supervisor's silent monitoring (`desktop.monitor`,
 * `setMonitorMode` to "monitor"), `whisper` and `barge` its other modes.
 */
export const CAPABILITIES = [
  "agentState",
  "dial",
  "answer",
  "reject",
  "hangup",
  "hold",
  "mute",
  "dtmf",
  "blindTransfer",
  "consult",
  "completeTransfer",
  "conference",
  "swap",
  "dropParty",
  "wrapUp",
  "transcripts",
  "callWaiting",
  "audioDevices",
  "recordingControl",
  "monitor",
  "whisper",
  "barge",
] as const;
/** What a connector can do. A request outside it is refused with NOT_SUPPORTED. */
export type Capability = (typeof CAPABILITIES)[number];

/** What a directory entry is: another agent, a queue, or a number (an external party, a speed dial). */
export const DIRECTORY_KINDS = ["agent", "queue", "number"] as const;
export type DirectoryKind = (typeof DIRECTORY_KINDS)[number];

/**
 * A transfer or consult target the agent can pick instead of typing a number
 * (Amazon Connect's quick connects; a list from the connector's options
 * elsewhere). At most `LIMITS.directory` (1000) entries.
 */
export interface DirectoryEntry {
  /** Unique in the list: the vendor's id (a quick connect's ARN) or the destination. At most `LIMITS.id` characters. */
  readonly id: string;
  /** What the agent reads ("Billing queue", "Grace Hopper (Tier 2)"); at most `LIMITS.text` characters. */
  readonly label: string;
  readonly kind: DirectoryKind;
  /**
   * What `consult` and `blindTransfer` take for it: a number, a SIP URI or a
   * named target the connector resolves (Connect: the quick connect's name).
   * Dialable (see `normalizeDestination`).
   */
  readonly destination: string;
}

/** What an audio device does: capture (a microphone, a headset's mic) or play (speakers, a headset). */
export const AUDIO_DEVICE_KINDS = ["input", "output"] as const;
export type AudioDeviceKind = (typeof AUDIO_DEVICE_KINDS)[number];

/**
 * What a chosen device is used for: `input` the agent's microphone on calls,
 * `output` the call's audio, `ringer` the ring of an offered call (an output
 * device, often the speakers while the call's audio goes to the headset).
 */
export const AUDIO_USES = ["input", "output", "ringer"] as const;
export type AudioUse = (typeof AUDIO_USES)[number];

/** One audio device, as the browser (or the vendor SDK) lists it. */
export interface AudioDevice {
  /** The browser's deviceId ("default" for the system's choice); 1 to `LIMITS.id` characters. */
  readonly id: string;
  /** What the agent reads ("Jabra Evolve2 65"); 1 to `LIMITS.text` characters. */
  readonly label: string;
  readonly kind: AudioDeviceKind;
}

/**
 * The agent's audio devices and the one in use for each of `AUDIO_USES`
 * (an id from `devices`; absent: the vendor's default). At most
 * `LIMITS.devices` (64) devices. Empty without the `audioDevices` capability.
 */
export interface AudioDevices {
  readonly devices: readonly AudioDevice[];
  readonly input?: string;
  readonly output?: string;
  readonly ringer?: string;
}

/** Pega's telephony modes, least first, derived from capabilities (see `telephonyMode`). */
export const TELEPHONY_MODES = ["screen_pop", "agent_state", "full"] as const;
export type TelephonyMode = (typeof TELEPHONY_MODES)[number];

/** `desktop.snapshot()`: the whole state at once. */
export interface DesktopSnapshot {
  readonly connector: string;
  readonly link: LinkState;
  readonly agent: Agent;
  /** Calls that have not ended, oldest first; at most the desktop's `maxCalls` (default `LIMITS.calls`, 64). */
  readonly calls: readonly Call[];
  readonly capabilities: readonly Capability[];
  readonly reasons: readonly AgentReason[];
  /** Transfer and consult targets (empty when the connector has none). */
  readonly directory: readonly DirectoryEntry[];
  /** The agent's audio devices and those in use (no devices without the `audioDevices` capability). */
  readonly audio: AudioDevices;
  readonly mode: TelephonyMode;
}
