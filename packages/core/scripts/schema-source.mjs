// The published JSON Schema for every desktop event, built from one source.
// `pnpm schema` writes packages/core/schema/*.json; a test fails when the
// committed files differ from what this builds, and the conformance suite
// validates every event it sees against them, so types and schema cannot drift.

const BASE = "urn:opencti:schema:";

const str = (extra = {}) => ({ type: "string", ...extra });
const enumOf = (...values) => ({ type: "string", enum: values });
const obj = (properties, required = [], extra = {}) => ({ type: "object", properties, required, additionalProperties: false, ...extra });

export const AGENT_STATES = ["logged_out", "not_ready", "ready", "busy", "after_call_work", "error"];
export const LINK_STATES = ["connecting", "connected", "reconnecting", "disconnected"];
export const CALL_STATES = ["ringing", "dialing", "connected", "held", "wrapup", "ended"];
export const CALL_ACTIONS = ["answer", "reject", "hangup", "hold", "resume", "mute", "unmute", "sendDtmf", "blindTransfer", "consult", "completeTransfer", "conference", "swap", "dropParty", "completeWrapUp"];
export const ERROR_CODES = ["NOT_LOGGED_IN", "INVALID_STATE", "NOT_SUPPORTED", "INVALID_ARGUMENT", "INVALID_DESTINATION", "DESTINATION_BUSY", "CALL_REJECTED", "REQUEST_TIMEOUT", "LINK_DOWN", "AUTH_FAILED", "MEDIA_PERMISSION_DENIED", "INVALID_VENDOR_EVENT", "VENDOR_ERROR"];
export const CALL_EVENT_TYPES = ["call.ringing", "call.dialing", "call.connected", "call.held", "call.resumed", "call.muted", "call.unmuted", "call.parties", "call.data", "call.updated", "call.transferred", "call.conferenced", "call.wrapup", "call.ended"];

/** The model's limits: the same as LIMITS in src/validate.ts (a test checks). */
export const LIMITS = { id: 256, text: 1024, longText: 8192, dataEntries: 200, dataChars: 65536, parties: 64, calls: 64, reasons: 256, message: 1024, raw: 4096, redacted: 16384 };
const id = (extra = {}) => str({ maxLength: LIMITS.id, ...extra });
const text = () => str({ maxLength: LIMITS.text });
const longText = () => str({ maxLength: LIMITS.longText });

const timestamp = { type: "number", minimum: 0 };
// dataChars (keys and values together) cannot be said in JSON Schema.
const stringMap = { type: "object", maxProperties: LIMITS.dataEntries, propertyNames: { type: "string", maxLength: LIMITS.id }, additionalProperties: { type: "string", maxLength: LIMITS.longText } };

const defs = {
  AgentReason: obj({ id: id({ minLength: 1 }), state: { $ref: "#/$defs/AgentState" }, label: id() }, ["id", "state", "label"]),
  AgentState: enumOf(...AGENT_STATES),
  LinkState: enumOf(...LINK_STATES),
  Agent: obj(
    {
      state: { $ref: "#/$defs/AgentState" },
      reason: { $ref: "#/$defs/AgentReason" },
      pendingState: obj({ state: { $ref: "#/$defs/AgentState" }, reason: { $ref: "#/$defs/AgentReason" } }, ["state"]),
      agentId: id(),
      since: timestamp,
    },
    ["state", "since"],
  ),
  Party: obj(
    {
      id: id({ minLength: 1 }),
      role: enumOf("agent", "customer", "third_party", "supervisor"),
      state: enumOf("ringing", "dialing", "connected", "held", "disconnected"),
      address: text(),
      displayName: text(),
    },
    ["id", "role", "state"],
  ),
  Call: obj(
    {
      id: id({ minLength: 1 }),
      vendorCallId: id({ minLength: 1 }),
      direction: enumOf("inbound", "outbound", "consult", "internal", "unknown"),
      state: enumOf(...CALL_STATES),
      from: text(),
      fromName: text(),
      to: text(),
      queue: text(),
      relatedCallId: id(),
      parties: { type: "array", items: { $ref: "#/$defs/Party" }, maxItems: LIMITS.parties },
      muted: { type: "boolean" },
      data: stringMap,
      startedAt: timestamp,
      connectedAt: timestamp,
      endedAt: timestamp,
      endReason: enumOf("local_hangup", "remote_hangup", "rejected", "missed", "abandoned", "busy", "no_answer", "transferred", "merged", "failed", "lost", "unknown"),
      wrapUp: obj({ disposition: text(), notes: longText() }),
      actions: { type: "array", items: enumOf(...CALL_ACTIONS), uniqueItems: true },
    },
    ["id", "vendorCallId", "direction", "state", "parties", "muted", "data", "startedAt", "actions"],
  ),
};

const envelope = (type) => ({
  type: { const: type },
  seq: { type: "integer", minimum: 1 },
  at: timestamp,
  connector: str({ minLength: 1 }),
});
const ENVELOPE_REQUIRED = ["type", "seq", "at", "connector"];

function eventSchema(type, description, properties, required) {
  return obj({ ...envelope(type), ...properties }, [...ENVELOPE_REQUIRED, ...required], { description });
}

const CALL_DESCRIPTIONS = {
  "call.ringing": "A call is offered to the agent (inbound, internal or consult) and can be answered. Screen-pop here.",
  "call.dialing": "An outbound call is being placed.",
  "call.connected": "The call is talking.",
  "call.held": "The call was put on hold.",
  "call.resumed": "A held call is talking again.",
  "call.muted": "The agent's microphone is muted on this call.",
  "call.unmuted": "The agent's microphone is live again.",
  "call.parties": "The parties on the call changed.",
  "call.data": "The attached call data changed.",
  "call.updated": "Other call fields or the allowed actions changed.",
  "call.transferred": "The agent transferred the call away; its end follows.",
  "call.conferenced": "The call became a conference with two or more remote parties.",
  "call.wrapup": "The conversation ended and after-call work started.",
  "call.ended": "The call is over for this desktop. Exactly one per call.",
};

/** Every event's schema, keyed by event type. */
export function eventSchemas() {
  const events = {
    "link.changed": eventSchema("link.changed", "The CTI link changed state.", { link: { $ref: "#/$defs/LinkState" }, previous: { $ref: "#/$defs/LinkState" }, reason: text() }, ["link", "previous"]),
    "agent.changed": eventSchema("agent.changed", "The agent's state, reason or pending state changed.", { agent: { $ref: "#/$defs/Agent" }, previous: { $ref: "#/$defs/Agent" } }, ["agent", "previous"]),
  };
  for (const type of CALL_EVENT_TYPES) events[type] = eventSchema(type, CALL_DESCRIPTIONS[type], { call: { $ref: "#/$defs/Call" } }, ["call"]);
  events["call.transcript"] = eventSchema(
    "call.transcript",
    "A Voice AI transcript segment. A partial and its final share the segment id.",
    {
      callId: id({ minLength: 1 }),
      segment: obj(
        { id: id({ minLength: 1 }), speaker: enumOf("agent", "customer", "third_party", "system"), text: longText(), final: { type: "boolean" }, language: id(), startMs: { type: "number" }, endMs: { type: "number" } },
        ["id", "speaker", "text", "final"],
      ),
    },
    ["callId", "segment"],
  );
  events["call.insight"] = eventSchema(
    "call.insight",
    "A Voice AI insight: sentiment, summary, intent, suggestion or entity.",
    {
      callId: id({ minLength: 1 }),
      insight: obj({ kind: enumOf("sentiment", "summary", "intent", "suggestion", "entity"), text: longText(), score: { type: "number" }, data: stringMap }, ["kind", "text"]),
    },
    ["callId", "insight"],
  );
  events.warning = eventSchema("warning", "Something degraded but still works (network quality, a late report).", { code: id({ minLength: 1 }), message: str({ maxLength: LIMITS.message }), callId: id() }, ["code", "message"]);
  events.error = eventSchema(
    "error",
    "Something failed outside a request: a malformed vendor event (INVALID_VENDOR_EVENT, with the redacted payload in raw), a lost link, a vendor error.",
    { code: enumOf(...ERROR_CODES), message: str({ maxLength: LIMITS.message }), retryable: { type: "boolean" }, callId: id(), request: str(), raw: {} },
    ["code", "message", "retryable"],
  );

  const files = {};
  for (const [type, schema] of Object.entries(events)) {
    const used = usedDefs(schema);
    files[`${type}.json`] = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: `${BASE}${type}`,
      title: type,
      ...schema,
      ...(used.length ? { $defs: Object.fromEntries(used.map((d) => [d, defs[d]])) } : {}),
    };
  }
  files["event.json"] = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `${BASE}event`,
    title: "DesktopEvent",
    description: "Any event a Desktop emits, discriminated by type.",
    oneOf: Object.keys(events).map((type) => ({ $ref: `#/$defs/event:${type}` })),
    $defs: { ...defs, ...Object.fromEntries(Object.entries(events).map(([type, schema]) => [`event:${type}`, schema])) },
  };
  return files;
}

/** The $defs a schema refers to, transitively. */
function usedDefs(schema) {
  const found = new Set();
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith("#/$defs/")) {
        const name = value.slice(8);
        if (!found.has(name)) {
          found.add(name);
          visit(defs[name]);
        }
      } else visit(value);
    }
  };
  visit(schema);
  return [...found].sort();
}
