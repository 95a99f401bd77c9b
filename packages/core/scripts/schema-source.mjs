// The published JSON Schema for every desktop event, built from the model's
// own enumerations and limits: every enum and bound below is read from
// @opencti/core (its built dist under Node, its source under vitest), never
// restated. `pnpm build && pnpm schema` writes packages/core/schema/*.json; a
// test fails when the committed files differ from what this builds or when any
// enum in them differs from its array, and the conformance suite validates
// every event it sees against them, so types and schema cannot drift.
import {
  AGENT_STATES,
  AUDIO_DEVICE_KINDS,
  AUDIO_USES,
  CALL_ACTIONS,
  CALL_DIRECTIONS,
  CALL_EVENT_TYPES,
  CALL_STATES,
  CTI_ERROR_CODES,
  END_REASONS,
  INSIGHT_KINDS,
  LIMITS,
  LINK_STATES,
  MEDIA_STATES,
  MONITOR_MODES,
  PARTY_ROLES,
  RECORDING_STATES,
  PARTY_STATES,
  TRANSCRIPT_SPEAKERS,
} from "@opencti/core";

// The arrays the schema is built from (the tests compare them with the model's).
export { AGENT_STATES, CALL_ACTIONS, CALL_EVENT_TYPES, LIMITS, LINK_STATES, CTI_ERROR_CODES as ERROR_CODES };

const BASE = "urn:opencti:schema:";

const str = (extra = {}) => ({ type: "string", ...extra });
const enumOf = (values) => ({ type: "string", enum: [...values] });
const obj = (properties, required = [], extra = {}) => ({ type: "object", properties, required, additionalProperties: false, ...extra });

const id = (extra = {}) => str({ maxLength: LIMITS.id, ...extra });
const text = () => str({ maxLength: LIMITS.text });
const longText = () => str({ maxLength: LIMITS.longText });

const timestamp = { type: "number", minimum: 0 };
// dataChars (keys and values together) cannot be said in JSON Schema.
const stringMap = { type: "object", maxProperties: LIMITS.dataEntries, propertyNames: { type: "string", maxLength: LIMITS.id }, additionalProperties: { type: "string", maxLength: LIMITS.longText } };

const defs = {
  AudioDevices: obj(
    {
      devices: { type: "array", maxItems: LIMITS.devices, items: obj({ id: id({ minLength: 1 }), label: str({ minLength: 1, maxLength: LIMITS.text }), kind: enumOf(AUDIO_DEVICE_KINDS) }, ["id", "label", "kind"]) },
      ...Object.fromEntries(AUDIO_USES.map((use) => [use, id({ minLength: 1 })])),
    },
    ["devices"],
  ),
  AgentReason: obj({ id: id({ minLength: 1 }), state: { $ref: "#/$defs/AgentState" }, label: id() }, ["id", "state", "label"]),
  AgentState: enumOf(AGENT_STATES),
  LinkState: enumOf(LINK_STATES),
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
      role: enumOf(PARTY_ROLES),
      state: enumOf(PARTY_STATES),
      address: text(),
      displayName: text(),
      monitorMode: enumOf(MONITOR_MODES),
    },
    ["id", "role", "state"],
  ),
  Call: obj(
    {
      id: id({ minLength: 1 }),
      vendorCallId: id({ minLength: 1 }),
      direction: enumOf(CALL_DIRECTIONS),
      state: enumOf(CALL_STATES),
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
      endReason: enumOf(END_REASONS),
      failure: obj({ code: enumOf(CTI_ERROR_CODES), vendorCode: id(), message: text() }, ["code", "message"]),
      media: enumOf(MEDIA_STATES),
      wrapUp: obj({ disposition: text(), notes: longText() }),
      wrapUpEndsAt: timestamp,
      recording: enumOf(RECORDING_STATES),
      monitorMode: enumOf(MONITOR_MODES),
      mediaStream: text(),
      actions: { type: "array", items: enumOf(CALL_ACTIONS), uniqueItems: true },
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
  "call.recording": "The call's recording changed: active, paused or off.",
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
    "audio.changed": eventSchema(
      "audio.changed",
      "Audio devices came or went, or the device in use for input, output or the ringer changed.",
      { audio: { $ref: "#/$defs/AudioDevices" }, previous: { $ref: "#/$defs/AudioDevices" } },
      ["audio", "previous"],
    ),
  };
  for (const type of CALL_EVENT_TYPES) events[type] = eventSchema(type, CALL_DESCRIPTIONS[type], { call: { $ref: "#/$defs/Call" } }, ["call"]);
  events["call.transcript"] = eventSchema(
    "call.transcript",
    "A Voice AI transcript segment. A partial and its final share the segment id.",
    {
      callId: id({ minLength: 1 }),
      segment: obj(
        { id: id({ minLength: 1 }), speaker: enumOf(TRANSCRIPT_SPEAKERS), text: longText(), final: { type: "boolean" }, language: id(), startMs: { type: "number" }, endMs: { type: "number" } },
        ["id", "speaker", "text", "final"],
      ),
    },
    ["callId", "segment"],
  );
  events["call.insight"] = eventSchema(
    "call.insight",
    "A Voice AI insight: sentiment, summary, intent, suggestion, entity, issue or category.",
    {
      callId: id({ minLength: 1 }),
      insight: obj({ kind: enumOf(INSIGHT_KINDS), text: longText(), score: { type: "number" }, data: stringMap }, ["kind", "text"]),
    },
    ["callId", "insight"],
  );
  events.warning = eventSchema("warning", "Something degraded but still works (network quality, a late report).", { code: id({ minLength: 1 }), message: str({ maxLength: LIMITS.message }), callId: id() }, ["code", "message"]);
  events.error = eventSchema(
    "error",
    "Something failed outside a request: a malformed vendor event (INVALID_VENDOR_EVENT, with the redacted payload in raw), a lost link, a vendor error.",
    { code: enumOf(CTI_ERROR_CODES), message: str({ maxLength: LIMITS.message }), retryable: { type: "boolean" }, callId: id(), request: str(), raw: {} },
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
