/**
 * An independent table of the events' shapes, written for the tests from
 * Pega Call's developer guide for client-side integration (8.6/8.7 "Call
 * event schema", "Snapshot event schema", "PartyInfo event schema", "Agent
 * event schema") plus this package's documented completions (README: the
 * end-of-call fields, the Snapshot's pyWorkMode/pyThisDN/pyCalls, CallInfo),
 * not from the schema files. Pega's own schemas list no required properties;
 * these are what @opencti/pega promises to send, checked strictly by
 * support.ts on top of the published (lenient) schemas.
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
}

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
};
