/**
 * An independent table of the events' shapes, written for the tests from
 * Pega Call's developer guide for client-side integration (8.6/8.7 "Call
 * event schema", "Snapshot event schema", "PartyInfo event schema", "Agent
 * event schema") plus this package's documented completions (README: the
 * end-of-call fields, the Snapshot's pyWorkMode/pyThisDN/pyCalls, CallInfo),
 * not from the schema files. Pega's own schemas list no required properties;
 * these are what @opencti/pega promises to send, checked strictly by
 * support.ts on top of the published (lenient) schemas.
 *
 * The Voice AI entries follow Pega's "Integrating Voice AI with a CTI
 * system" (below, PEGA_VOICE_AI_PROPERTIES) for the AI session properties;
 * Pega documents no client-side event for them nor for transcripts and
 * insights, so those events' types, names and other fields are this
 * package's documented choices (README, "Voice AI"), marked OURS below.
 */
export interface DocumentedShape {
  /** pyEventType and pyEventName values. */
  readonly eventType: string;
  readonly eventNames: readonly string[];
  /** Always present; every one a string unless listed in `arrays` / `objects`. */
  readonly required: readonly string[];
  /** This package's completions, present only in some events. */
  readonly optional: readonly string[];
  /** Array properties: the fields each item always carries (all strings). */
  readonly arrays?: Readonly<Record<string, readonly string[]>>;
  /** Object properties whose values are all strings (call data). */
  readonly objects?: readonly string[];
  /** String properties limited to a closed list. */
  readonly enums?: Readonly<Record<string, readonly string[]>>;
  /** String properties that must match a pattern. */
  readonly patterns?: Readonly<Record<string, string>>;
}

/**
 * Pega Voice AI's AI session properties, as Pega names them, and where each
 * value comes from: Pega Customer Service implementation guide 8.6 and 8.7
 * "Integrating Voice AI with a CTI system"
 * (https://docs-previous.pega.com/pega-customer-service-implementation-guide/86/integrating-voice-ai-cti-system,
 * https://docs-previous.pega.com/pega-customer-service-implementation-guide/87/integrating-voice-ai-cti-system;
 * the same list in Pega Sales Automation 8.7, https://docs-previous.pega.com/node/2530536).
 * "If you use a custom CTI integration, you must implement a mechanism to
 * notify the Voice AI desktop app of call connections and disconnections";
 * the REST service sets these before the notification. The copy we could
 * read ends after .AIRecordOnlyMode (how the app is then invoked is cut off).
 */
export const PEGA_VOICE_AI_PROPERTIES = {
  AISessionID: "a GUIDV4 string, from @Utilities.pxGetNewGUID()",
  AIChannelID: "the Voice AI Channel ID setting of the Voice AI configuration set",
  AIIsolationID: "the Isolation ID setting",
  AILanguageModel: "the Language Model setting",
  AISpeechModel: "the Speech Model setting",
  AIRecordOnlyMode: "the VAD Record Only Mode setting",
} as const;

/** A GUID version 4, as .AISessionID is documented ("GUIDV4"): RFC 4122 layout, version nibble 4, variant 8–b. */
export const GUID_V4_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$";

/** The fields every Voice AI event (OURS) carries, PartyInfo's call-level trio. */
const VOICE_AI_HEAD = ["pyEventType", "pyEventName", "pyCallId", "pyThisDN", "pyMedia"] as const;

export const DOCUMENTED_SHAPES: Readonly<Record<string, DocumentedShape>> = {
  CallEvent: {
    eventType: "CallStateEvent",
    eventNames: ["Abandoned", "Alerting", "Connected", "Disconnected", "Established", "Held", "Initiated", "Retrieved"],
    required: ["pyEventType", "pyEventName", "pyCallId", "pyCallType", "pyANI", "pyOtherDN", "pyMedia"],
    optional: ["pyDisconnectReason", "pyErrCode", "pyErrMessage", "pyFailureCode", "pyVendorCode"],
  },
  AgentEvent: {
    eventType: "AgentStateEvent",
    eventNames: ["Ready", "NotReady", "Login", "Logout", "Unknown"],
    required: ["pyEventType", "pyEventName", "pyReasonCode", "pyWorkMode", "pyMedia"],
    optional: [],
  },
  Snapshot: {
    eventType: "SnapshotEvent",
    eventNames: ["Snapshot"],
    required: ["pyEventType", "pyEventName", "pyAgentId", "pyAgentState", "pyDeviceState", "pyLinkState", "pyReasonCode", "pyWorkMode", "pyThisDN", "pyMedia", "pyCalls"],
    optional: [],
    arrays: { pyCalls: ["pyCallId", "pyCallType", "pyCallState", "pyANI", "pyOtherDN"] },
  },
  PartyInfo: {
    eventType: "PartyInfoEvent",
    eventNames: ["PartyInfo"],
    required: ["pyEventType", "pyEventName", "pyCallId", "pyThisDN", "pyMedia", "pyParties"],
    optional: [],
    arrays: { pyParties: ["pyDN"] },
  },
  CallInfo: {
    eventType: "CallInfoEvent",
    eventNames: ["CallInfo"],
    required: ["pyEventType", "pyEventName", "pyCallId", "pyThisDN", "pyMedia", "pyDNIS", "pyUserData"],
    optional: [],
    objects: ["pyUserData"],
  },
  // OURS: Pega's documented properties (PEGA_VOICE_AI_PROPERTIES) plus AIMediaStream, at connect and disconnect.
  VoiceAI: {
    eventType: "VoiceAIEvent",
    eventNames: ["Connected", "Updated", "Disconnected"],
    required: [...VOICE_AI_HEAD, ...Object.keys(PEGA_VOICE_AI_PROPERTIES), "AIMediaStream"],
    optional: [],
    enums: { AIRecordOnlyMode: ["true", "false"] },
    patterns: { AISessionID: GUID_V4_PATTERN },
  },
  // OURS: refused session properties, in the failure callbacks' vocabulary (errCode, errMessage) and CallEvent's pyFailureCode.
  VoiceAIError: {
    eventType: "VoiceAIErrorEvent",
    eventNames: ["Error"],
    required: [...VOICE_AI_HEAD, "pyErrCode", "pyErrMessage", "pyFailureCode"],
    optional: [],
    enums: { pyErrCode: ["OPENCTI_CF_GENERIC_OPERATION"], pyFailureCode: ["INVALID_ARGUMENT"] },
  },
  // OURS: a transcript segment, Partial until final.
  VoiceAITranscript: {
    eventType: "VoiceAITranscriptEvent",
    eventNames: ["Partial", "Final"],
    required: [...VOICE_AI_HEAD, "AISessionID", "pySegmentId", "pySpeaker", "pyText"],
    optional: ["pyLanguage", "pyStartMs", "pyEndMs"],
    enums: { pySpeaker: ["AGENT", "CUSTOMER", "THIRD_PARTY", "SYSTEM"] },
    patterns: { AISessionID: GUID_V4_PATTERN, pyStartMs: "^[0-9]+$", pyEndMs: "^[0-9]+$" },
  },
  // OURS: an insight, named by its kind.
  VoiceAIInsight: {
    eventType: "VoiceAIInsightEvent",
    eventNames: ["Sentiment", "Summary", "Intent", "Suggestion", "Entity", "Issue", "Category"],
    required: [...VOICE_AI_HEAD, "AISessionID", "pyText", "pyData"],
    optional: ["pyScore"],
    objects: ["pyData"],
    patterns: { AISessionID: GUID_V4_PATTERN },
  },
};
