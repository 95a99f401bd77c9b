/**
 * Pega Call OpenCTI vocabulary: the events a Desktop Implementation forwards
 * (JSON, every leaf a string), the error object it hands to failure
 * callbacks, and the Desktop Interface functions Pega's Call Control Panel
 * calls. Names and values follow Pega's documentation.
 */
import type { InsightKind } from "@opencti/core";

export const PEGA_CALL_TYPES = ["INTERNAL", "INBOUND", "OUTBOUND", "CONSULT", "UNKNOWN"] as const;
export type PegaCallType = (typeof PEGA_CALL_TYPES)[number];

export const PEGA_CALL_EVENT_NAMES = ["Abandoned", "Alerting", "Connected", "Disconnected", "Established", "Held", "Initiated", "Retrieved"] as const;
export type PegaCallEventName = (typeof PEGA_CALL_EVENT_NAMES)[number];

export const PEGA_AGENT_EVENT_NAMES = ["Ready", "NotReady", "Login", "Logout", "Unknown"] as const;
export type PegaAgentEventName = (typeof PEGA_AGENT_EVENT_NAMES)[number];

export const PEGA_WORK_MODES = ["MODE_NONE", "MODE_AUTO_IN", "MODE_MANUAL_IN", "ACW", "BUSY", "AUX_WORK"] as const;
export type PegaWorkMode = (typeof PEGA_WORK_MODES)[number];

export const PEGA_AGENT_STATES = ["Ready", "NotReady", "Login", "Logout", "Busy", "Unknown"] as const;
export type PegaAgentState = (typeof PEGA_AGENT_STATES)[number];

/** CallEvent: a call changed state. */
export interface PegaCallEvent {
  readonly pyEventType: "CallStateEvent";
  readonly pyEventName: PegaCallEventName;
  readonly pyCallId: string;
  readonly pyCallType: PegaCallType;
  /** Who called: the caller (inbound) or the agent's line (outbound). */
  readonly pyANI: string;
  /** The far end's number. */
  readonly pyOtherDN: string;
  readonly pyMedia: string;
  /** Disconnected / Abandoned only: the end reason (local_hangup, busy, failed, missed, …). This package's completion of Pega's list. */
  readonly pyDisconnectReason?: string;
  /** When the vendor said why the call failed: the failure's code in Pega's errCode vocabulary (as a failure callback gets it). */
  readonly pyErrCode?: PegaErrorCode;
  /** The failure in words (redacted, at most 500 characters). */
  readonly pyErrMessage?: string;
  /** The failure's CtiError code (DESTINATION_BUSY, INVALID_DESTINATION, MEDIA_PERMISSION_DENIED, VENDOR_ERROR, …), finer than pyErrCode. */
  readonly pyFailureCode?: string;
  /** The vendor's own code for it, when it gave one: a SIP status ("486"), a Twilio code, a Connect state, a Q.850 cause. */
  readonly pyVendorCode?: string;
}

/** AgentEvent: the agent's state changed. */
export interface PegaAgentEvent {
  readonly pyEventType: "AgentStateEvent";
  readonly pyEventName: PegaAgentEventName;
  /** The NotReady or Logout reason. */
  readonly pyReasonCode: string;
  readonly pyWorkMode: PegaWorkMode;
  readonly pyMedia: string;
}

/** One live call inside a Snapshot. */
export interface PegaSnapshotCall {
  readonly pyCallId: string;
  readonly pyCallType: PegaCallType;
  /** The call's state as the CallEvent name that led to it (Alerting, Established, Held, …). */
  readonly pyCallState: PegaCallEventName;
  readonly pyANI: string;
  readonly pyOtherDN: string;
}

/** Snapshot: the whole picture, after login, logout and every link change. */
export interface PegaSnapshotEvent {
  readonly pyEventType: "SnapshotEvent";
  readonly pyEventName: "Snapshot";
  readonly pyAgentId: string;
  readonly pyAgentState: PegaAgentState;
  readonly pyDeviceState: "OPENED" | "CLOSED";
  readonly pyLinkState: "CONNECTED" | "DISCONNECTED";
  readonly pyReasonCode: string;
  readonly pyWorkMode: PegaWorkMode;
  readonly pyThisDN: string;
  readonly pyMedia: string;
  readonly pyCalls: readonly PegaSnapshotCall[];
}

/** PartyInfo: who is on a call now. */
export interface PegaPartyInfoEvent {
  readonly pyEventType: "PartyInfoEvent";
  readonly pyEventName: "PartyInfo";
  readonly pyCallId: string;
  /** The agent's monitored device. */
  readonly pyThisDN: string;
  readonly pyMedia: string;
  readonly pyParties: readonly { readonly pyDN: string }[];
}

/**
 * CallInfo: a call's data, sent when it changes. Pega lists `CallInfoEvent`
 * among the Snapshot's event types (8.7 "Snapshot event schema") but
 * publishes no schema for it in the client-side guide; the fields follow
 * PartyInfo's (pyCallId, pyThisDN, pyMedia) and Pega Call's call class
 * (pyUserData, the value group of named call data: "Configuring call data",
 * Pega Call implementation guide 8.6). pyDNIS is this package's name for the
 * number the caller dialled.
 */
export interface PegaCallInfoEvent {
  readonly pyEventType: "CallInfoEvent";
  readonly pyEventName: "CallInfo";
  readonly pyCallId: string;
  /** The agent's monitored device. */
  readonly pyThisDN: string;
  readonly pyMedia: string;
  /** The number the caller dialled (the call's `to` on a call that reached the agent), "" when unknown or placed by the agent. */
  readonly pyDNIS: string;
  /** The call's data, name → value (contact attributes, custom parameters, SIP X- headers, IVR input): strings only, as core bounds them (≤ 200 entries). */
  readonly pyUserData: Readonly<Record<string, string>>;
}

/**
 * Pega Voice AI's AI session properties, as Pega names them: the
 * properties its "Integrating Voice AI with a CTI system" page (Pega
 * Customer Service implementation guide 8.6/8.7) has a custom CTI set for
 * each call before notifying the Voice AI desktop app. Every value a string
 * (AIRecordOnlyMode "true" / "false"); AIMediaStream is this package's name.
 */
export interface PegaVoiceAiSession {
  /** .AISessionID: a GUID, version 4 (Pega generates it with @Utilities.pxGetNewGUID()). */
  readonly AISessionID: string;
  /** .AIChannelID: the Voice AI configuration set's Voice AI Channel ID; "" when not configured. */
  readonly AIChannelID: string;
  /** .AIIsolationID: the configuration set's Isolation ID; "" when not configured. */
  readonly AIIsolationID: string;
  /** .AILanguageModel: the configuration set's Language Model; "" when not configured. */
  readonly AILanguageModel: string;
  /** .AISpeechModel: the configuration set's Speech Model; "" when not configured. */
  readonly AISpeechModel: string;
  /** .AIRecordOnlyMode: the configuration set's VAD Record Only Mode, "true" or "false". */
  readonly AIRecordOnlyMode: "true" | "false";
  /** The call's live audio stream reference (Call.mediaStream: a Kinesis Video Stream ARN, a Twilio Media Stream SID, …); "" when unknown. This package's name. */
  readonly AIMediaStream: string;
}

/**
 * VoiceAIEvent: the notification Pega's Voice AI needs from a custom CTI,
 * "call connections and disconnections", with the call's AI session
 * properties. Connected when the call is first connected, Updated when its
 * media stream reference changes while it is live, Disconnected right after
 * its CallEvent Disconnected / Abandoned. Pega documents the properties, not
 * a client-side event: pyEventType and the names are this package's.
 */
export interface PegaVoiceAiEvent extends PegaVoiceAiSession {
  readonly pyEventType: "VoiceAIEvent";
  readonly pyEventName: "Connected" | "Updated" | "Disconnected";
  readonly pyCallId: string;
  /** The agent's monitored device. */
  readonly pyThisDN: string;
  readonly pyMedia: string;
}

/** VoiceAIErrorEvent: the call's AI session properties were refused, so the call has no Voice AI (this package's event). */
export interface PegaVoiceAiErrorEvent {
  readonly pyEventType: "VoiceAIErrorEvent";
  readonly pyEventName: "Error";
  readonly pyCallId: string;
  readonly pyThisDN: string;
  readonly pyMedia: string;
  /** As a failure callback gets it: OPENCTI_CF_GENERIC_OPERATION for refused properties. */
  readonly pyErrCode: PegaErrorCode;
  /** Which property was refused and why (never its value), at most 500 characters. */
  readonly pyErrMessage: string;
  /** The CtiError code: INVALID_ARGUMENT. */
  readonly pyFailureCode: string;
}

/** VoiceAITranscriptEvent: a transcript segment (core's call.transcript) of a call with a Voice AI session (this package's event). */
export interface PegaVoiceAiTranscriptEvent {
  readonly pyEventType: "VoiceAITranscriptEvent";
  /** Partial while the recognizer may still revise the segment; Final once it will not. */
  readonly pyEventName: "Partial" | "Final";
  readonly pyCallId: string;
  readonly pyThisDN: string;
  readonly pyMedia: string;
  readonly AISessionID: string;
  /** Stable per segment: a Partial and its Final share it. */
  readonly pySegmentId: string;
  readonly pySpeaker: "AGENT" | "CUSTOMER" | "THIRD_PARTY" | "SYSTEM";
  readonly pyText: string;
  /** The segment's language, when the source said. */
  readonly pyLanguage?: string;
  /** Offsets from the call's start, milliseconds as decimal strings, when the source said. */
  readonly pyStartMs?: string;
  readonly pyEndMs?: string;
}

/** VoiceAIInsightEvent: an insight (core's call.insight) on a call with a Voice AI session (this package's event). */
export interface PegaVoiceAiInsightEvent {
  readonly pyEventType: "VoiceAIInsightEvent";
  /** The insight's kind, capitalized: Sentiment, Summary, Intent, Suggestion, Entity, Issue, Category. */
  readonly pyEventName: Capitalize<InsightKind>;
  readonly pyCallId: string;
  readonly pyThisDN: string;
  readonly pyMedia: string;
  readonly AISessionID: string;
  /** The insight in words: the summary, the suggestion, "negative", … */
  readonly pyText: string;
  /** A decimal string: [-1, 1] for Sentiment, a [0, 1] confidence otherwise; only when the source gave one. */
  readonly pyScore?: string;
  /** The insight's details, name → value (strings); {} when none. */
  readonly pyData: Readonly<Record<string, string>>;
}

export type PegaEvent =
  | PegaCallEvent
  | PegaAgentEvent
  | PegaSnapshotEvent
  | PegaPartyInfoEvent
  | PegaCallInfoEvent
  | PegaVoiceAiEvent
  | PegaVoiceAiErrorEvent
  | PegaVoiceAiTranscriptEvent
  | PegaVoiceAiInsightEvent;

/** What Pega's failure callbacks receive. */
export interface PegaError {
  readonly errCode: PegaErrorCode;
  readonly errMessage: string;
}

export const PEGA_ERROR_CODES = [
  "OPENCTI_AGENT_LOGGED_IN",
  "OPENCTI_AGENT_NOT_LOGGED_IN",
  "OPENCTI_CALL_REJECTED",
  "OPENCTI_CF_GENERIC_OPERATION",
  "OPENCTI_CF_INVALID_DESTINATION",
  "OPENCTI_CF_INVALID_OBJECT_STATE",
  "OPENCTI_CONF_ALREADY_PRESENT",
  "OPENCTI_DEST_BUSY",
  "OPENCTI_HTTP_ERROR_401",
  "OPENCTI_HTTP_ERROR_404",
  "OPENCTI_HTTP_ERROR_405",
  "OPENCTI_HTTP_ERROR_408",
  "OPENCTI_HTTP_ERROR_500",
  "OPENCTI_HTTP_ERROR_502",
  "OPENCTI_HTTP_ERROR_503",
  "OPENCTI_HTTP_ERROR_504",
  "OPENCTI_IN_SAME_STATE",
] as const;
export type PegaErrorCode = (typeof PEGA_ERROR_CODES)[number];

/** Pega's three telephony modes. */
export type PegaTelephonyMode = "SimpleTelephony" | "SimpleTelephonyWithAgentState" | "FullTelephony";

export type ForwardEvent = (event: PegaEvent) => void;
/** Pega passes these; anything else (undefined, a non-function) is ignored. */
export type SuccessCallback = (...args: unknown[]) => void;
export type FailureCallback = (error: PegaError) => void;

/** Per-request options Pega passes through; only `callData` is read (makeCall). */
export interface PegaRequestOptions {
  /** Attached call data for makeCall: string values only. */
  readonly callData?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

/**
 * The Desktop Interface functions, with Pega's argument order. Every
 * function returns nothing; exactly one of success / failure is called,
 * once, asynchronously.
 */
export interface PegaDesktopImplementation {
  readonly telephonyMode: PegaTelephonyMode;
  /**
   * The implementation's name, for Pega's implementation-version support
   * (the client-side guide's step "Set the version of your implementation";
   * we found no page giving the property names, so `name` and `version` are
   * this package's). Default "OpenCTI for TypeScript"; the `name` option.
   */
  readonly name: string;
  /** The implementation's version: this package's version (semver, e.g. "0.2.0"). */
  readonly version: string;
  login(agentID: string, agentPwd: string, extension: string, linkDefinition: unknown, options: unknown, success: unknown, failure: unknown, forwardEvent: unknown): void;
  logout(agentID: string, reasonCode: string, options: unknown, success: unknown, failure: unknown): void;
  /**
   * Pega documents `agentReady(agentId, workMode, options, success, failure)`
   * (Pega Call developer guide for client-side integration 8.5, "The
   * agentReady function"). The seven-argument form of agentNotReady,
   * `(agentID, workMode, reasonCode, linkDefinition, options, success,
   * failure)`, is accepted too: it is told apart by argument types (a
   * function in the 6th or 7th position).
   */
  agentReady(agentID: string, workMode: string, ...rest: unknown[]): void;
  agentNotReady(agentID: string, workMode: string, reasonCode: string, linkDefinition: unknown, options: unknown, success: unknown, failure: unknown): void;
  answerCall(callId: string, options: unknown, success: unknown, failure: unknown): void;
  holdCall(callId: string, options: unknown, success: unknown, failure: unknown): void;
  retrieveCall(callId: string, options: unknown, success: unknown, failure: unknown): void;
  hangUpCall(callId: string, options: unknown, success: unknown, failure: unknown): void;
  makeCall(destination: string, options: unknown, success: unknown, failure: unknown): void;
  sendDTMF(callId: string, digits: string, options: unknown, success: unknown, failure: unknown): void;
  blindTransfer(callId: string, destination: string, options: unknown, success: unknown, failure: unknown): void;
  consultationCall(callId: string, destination: string, options: unknown, success: unknown, failure: unknown): void;
  transferInitiate(callId: string, destination: string, options: unknown, success: unknown, failure: unknown): void;
  transferComplete(heldCallId: string, activeCallId: string, options: unknown, success: unknown, failure: unknown): void;
  conferenceInitiate(callId: string, destination: string, options: unknown, success: unknown, failure: unknown): void;
  conferenceComplete(heldCallId: string, activeCallId: string, options: unknown, success: unknown, failure: unknown): void;
  dropParty(callId: string, partyDN: string, options: unknown, success: unknown, failure: unknown): void;
}

/** The Desktop Interface function names, in Pega's order. */
export const PEGA_FUNCTIONS = [
  "login",
  "logout",
  "agentReady",
  "agentNotReady",
  "answerCall",
  "holdCall",
  "retrieveCall",
  "hangUpCall",
  "makeCall",
  "sendDTMF",
  "blindTransfer",
  "consultationCall",
  "transferInitiate",
  "transferComplete",
  "conferenceInitiate",
  "conferenceComplete",
  "dropParty",
] as const satisfies readonly Exclude<keyof PegaDesktopImplementation, "telephonyMode" | "name" | "version">[];
