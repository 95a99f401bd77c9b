import type {
  AgentReason,
  AudioDevice,
  AudioDevices,
  AudioUse,
  CallFailure,
  MediaState,
  AgentStateKind,
  Call,
  CallData,
  CallDirection,
  CallState,
  Capability,
  DirectoryEntry,
  EndReason,
  LinkState,
  MonitorMode,
  Party,
  RecordingState,
  PendingAgentState,
  WrapUp,
} from "./model.js";
import type { CtiErrorCode } from "./model.js";
import type { Insight, TranscriptSegment } from "./events.js";
import type { Logger } from "./logger.js";

/**
 * What a connector says about one call: the facts as they are now.
 * Omitted optional fields keep their previous value; `parties` and `data`,
 * when given, replace the previous ones. `actions` is never reported: core
 * derives it.
 */
export interface CallReport {
  readonly id: string;
  readonly state: CallState;
  readonly vendorCallId?: string;
  readonly direction?: CallDirection;
  readonly from?: string;
  readonly fromName?: string;
  readonly to?: string;
  readonly queue?: string;
  readonly relatedCallId?: string;
  readonly parties?: readonly Party[];
  readonly muted?: boolean;
  readonly data?: CallData;
  readonly endReason?: EndReason;
  /**
   * Why it failed, when the vendor said (a SIP status, a Twilio code, a Connect
   * error state): report it with the end (state `wrapup` or `ended`); on a live
   * call it is ignored. A `failed` call without one gets VENDOR_ERROR.
   */
  readonly failure?: CallFailure;
  readonly media?: MediaState;
  readonly wrapUp?: WrapUp;
  /** When the vendor ends after-call work on its own, epoch ms (see Call.wrapUpEndsAt); report it with state `wrapup`. */
  readonly wrapUpEndsAt?: number;
  /** The call's recording, where the vendor says. */
  readonly recording?: RecordingState;
  /** A monitoring session's (direction `monitor`) current mode. */
  readonly monitorMode?: MonitorMode;
  /** The call's live audio stream reference (see Call.mediaStream); `null` clears it (the stream stopped). */
  readonly mediaStream?: string | null;
}

export interface AgentReport {
  readonly state: AgentStateKind;
  /** The reason id (resolved against the connector's reasons) or the reason itself. */
  readonly reason?: string | AgentReason;
  /** `null` clears a pending state. */
  readonly pendingState?: PendingAgentState | null;
  readonly agentId?: string;
}

/** A full picture after (re)connecting: calls not listed have ended. */
export interface SyncReport {
  readonly agent?: AgentReport;
  readonly calls: readonly CallReport[];
  /** How the calls that vanished ended; "lost" unless the vendor knows better. */
  readonly missingEndReason?: EndReason;
}

/** Things that happen but are not state: transcripts, insights, warnings, vendor errors. */
export type Signal =
  | { readonly kind: "transcript"; readonly callId: string; readonly segment: TranscriptSegment }
  | { readonly kind: "insight"; readonly callId: string; readonly insight: Insight }
  | { readonly kind: "warning"; readonly code: string; readonly message: string; readonly callId?: string }
  | {
      readonly kind: "error";
      readonly code: CtiErrorCode;
      readonly message: string;
      readonly callId?: string;
      /** The vendor payload, for INVALID_VENDOR_EVENT. Redacted before it leaves core. */
      readonly raw?: unknown;
    };

/**
 * How a connector reports facts. Every method validates its input and never
 * throws: bad reports become `error` events (INVALID_VENDOR_EVENT).
 */
export interface ConnectorContext {
  upsertCall(report: CallReport): void;
  /** Ends a call (as `upsertCall` with state `ended`), with why it failed when the vendor said. */
  removeCall(id: string, endReason?: EndReason, failure?: CallFailure): void;
  setAgent(report: AgentReport): void;
  setLink(state: LinkState, reason?: string): void;
  /** Replace the agent's selectable reasons (vendors that load them at login). */
  setReasons(reasons: readonly AgentReason[]): void;
  /** Replace the transfer and consult targets (vendors that load them at login, e.g. Connect's quick connects). */
  setDirectory(entries: readonly DirectoryEntry[]): void;
  /**
   * The agent's audio devices and the ones in use, whole (connectors with
   * `audioDevices`; the toolkit's `watchAudioDevices` reports for browsers'
   * own lists). At most `LIMITS.devices` (64) devices.
   */
  setAudioDevices(audio: AudioDevices): void;
  sync(report: SyncReport): void;
  signal(signal: Signal): void;
  /** Shorthand for an INVALID_VENDOR_EVENT error signal with the raw payload. */
  invalidVendorEvent(message: string, raw: unknown, callId?: string): void;
  /** The desktop's current view of a call (undefined once ended). */
  getCall(id: string): Call | undefined;
  readonly logger: Logger;
}

/** Passed to every request so a connector can stop work the desktop gave up on. */
export interface RequestContext {
  readonly signal: AbortSignal;
}

/** `desktop.login()`'s argument, passed to the connector as it is (plus `signal`). */
export interface LoginRequest {
  readonly agentId?: string;
  /** Connector-specific secret (password, token); never logged. */
  readonly password?: string;
  readonly extension?: string;
  /** The state to enter after login; the connector's default otherwise. */
  readonly initialState?: AgentStateKind;
}

/** `desktop.dial()`'s options. */
export interface DialOptions {
  /** Data to attach to the call (see CallData for its limits); INVALID_ARGUMENT beyond them. */
  readonly data?: CallData;
}

export interface CallRequest extends RequestContext {
  readonly call: Call;
}

/**
 * The Desktop Implementation contract. Requests resolve when the vendor
 * confirms; the state change itself arrives as a report. Core has already
 * checked link, login, state and capability before calling.
 */
export interface Connector {
  /** Appears as `connector` on every event, e.g. "simulator". */
  readonly name: string;
  readonly capabilities: readonly Capability[];
  /** The agent states a person can pick; may be replaced later with ctx.setReasons. */
  readonly reasons: readonly AgentReason[];
  /** Transfer and consult targets known at once (from options); may be replaced later with ctx.setDirectory. */
  readonly directory?: readonly DirectoryEntry[];
  /** Begin talking to the vendor; report link state through ctx. */
  start(ctx: ConnectorContext): void | Promise<void>;
  /** Release everything (sockets, timers, SDK objects). */
  stop(): void | Promise<void>;

  login(request: LoginRequest & RequestContext): Promise<void>;
  logout(request: { readonly reason?: AgentReason } & RequestContext): Promise<void>;
  setAgentState?(request: { readonly reason: AgentReason } & RequestContext): Promise<void>;
  /** Resolves with the new call's id once the vendor accepted the dial. */
  dial?(request: { readonly destination: string; readonly options: DialOptions } & RequestContext): Promise<{ callId: string }>;
  answer?(request: CallRequest): Promise<void>;
  reject?(request: CallRequest): Promise<void>;
  hangup?(request: CallRequest): Promise<void>;
  hold?(request: CallRequest): Promise<void>;
  resume?(request: CallRequest): Promise<void>;
  mute?(request: CallRequest): Promise<void>;
  unmute?(request: CallRequest): Promise<void>;
  sendDtmf?(request: CallRequest & { readonly digits: string }): Promise<void>;
  blindTransfer?(request: CallRequest & { readonly destination: string }): Promise<void>;
  /** Resolves with the consult call's id. */
  consult?(request: CallRequest & { readonly destination: string }): Promise<{ callId: string }>;
  /** `call` is the primary call; `consultCall` its consult leg. */
  completeTransfer?(request: CallRequest & { readonly consultCall: Call }): Promise<void>;
  conference?(request: CallRequest & { readonly consultCall: Call }): Promise<void>;
  /** `call` is the one to make active. */
  swap?(request: CallRequest & { readonly otherCall: Call }): Promise<void>;
  dropParty?(request: CallRequest & { readonly party: Party }): Promise<void>;
  completeWrapUp?(request: CallRequest & { readonly wrapUp: WrapUp }): Promise<void>;
  /**
   * Uses `device` for `use` (with `audioDevices`): on the live call at once
   * (input track replaced, output sink changed), and for later calls. Report
   * the new choice with ctx.setAudioDevices. May run while logged out.
   */
  selectAudioDevice?(request: { readonly use: AudioUse; readonly device: AudioDevice } & RequestContext): Promise<void>;
  /** Pauses the call's recording (with `recordingControl`); report `recording: "paused"`. */
  pauseRecording?(request: CallRequest): Promise<void>;
  /** Resumes it; report `recording: "active"`. */
  resumeRecording?(request: CallRequest): Promise<void>;
  /**
   * A supervisor starts a session on `target` (a vendor call or agent id: a
   * Connect contact id, a Twilio CallSid, a SIP extension) in `mode`, and
   * resolves with the session's call id: a call with direction `monitor` and
   * its `monitorMode`, left with hangup.
   */
  monitor?(request: { readonly target: string; readonly mode: MonitorMode } & RequestContext): Promise<{ callId: string }>;
  /** Changes a monitoring session's mode; report the new `monitorMode`. */
  setMonitorMode?(request: CallRequest & { readonly mode: MonitorMode }): Promise<void>;
}
