/**
 * Hand-written guards for what connectors report. No schema library: they
 * must stay tiny and run under a strict CSP. Each returns a problem in words,
 * or undefined when the value is fine.
 */
import { INSIGHT_KINDS, TRANSCRIPT_SPEAKERS } from "./events.js";
import { AGENT_STATES, AUDIO_DEVICE_KINDS, AUDIO_USES, CALL_DIRECTIONS, DIRECTORY_KINDS, CALL_STATES, CTI_ERROR_CODES, END_REASONS, LINK_STATES, MEDIA_STATES, MONITOR_MODES, PARTY_ROLES, PARTY_STATES, RECORDING_STATES, type AgentReason, type Party } from "./model.js";

export { AGENT_STATES, END_REASONS, LINK_STATES };

type Problem = string | undefined;

/**
 * What the model accepts, in characters (strings) or entries (collections).
 * Reports beyond them are refused as INVALID_VENDOR_EVENT, requests as
 * INVALID_ARGUMENT; messages are clipped. Listed in the README.
 */
export const LIMITS = Object.freeze({
  /** Call, vendor call, party, segment, reason and agent ids; reason labels; codes; languages. */
  id: 256,
  /** from, fromName, to, queue, party address and displayName, dispositions, link reasons. */
  text: 1024,
  /** Notes, transcript and insight text, one call data value. */
  longText: 8192,
  /** Entries of one call data (or insight data) object; each key is at most `id` long. */
  dataEntries: 200,
  /** Keys and values of one data object together. */
  dataChars: 65536,
  /** Parties on one call. */
  parties: 64,
  /** Live calls at once, unless the desktop sets `maxCalls`. */
  calls: 64,
  /** Agent reasons. */
  reasons: 256,
  /** Directory entries (transfer and consult targets). */
  directory: 1000,
  /** Audio devices (inputs and outputs together). */
  devices: 64,
  /** Error and warning messages (longer ones are clipped). */
  message: 1024,
  /** The redacted raw payload of an error event. */
  raw: 4096,
  /** What redact() returns by default, and each log line. */
  redacted: 16384,
});

/** `text` cut to at most `max` characters, marked with "…" when cut. */
export const clip = (text: string, max: number = LIMITS.message): string => (text.length > max ? text.slice(0, max - 1) + "…" : text);
/** A value, briefly, for a message. */
export const show = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v.slice(0, 40)) : typeof v);

/**
 * A type guard for one enumeration: `isOneOf(CALL_STATES)(v)` narrows `v` to
 * `CallState`.
 */
export const isOneOf =
  <T extends string>(values: readonly T[]) =>
  (v: unknown): v is T =>
    (values as readonly unknown[]).includes(v);
export const isEndReason = isOneOf(END_REASONS);

type Check = (v: unknown) => unknown;
/** Each known field of an object and its check; fields not listed are dropped. */
type Spec = Record<string, Check>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** A string of 1 to `max` characters (an id by default). */
export const isText = (v: unknown, max: number = LIMITS.id): v is string => typeof v === "string" && v.length > 0 && v.length <= max;
/** A string of at most `max` characters, possibly empty. */
const upTo =
  (max: number) =>
  (v: unknown): v is string =>
    typeof v === "string" && v.length <= max;
const opt =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);
const text = upTo(LIMITS.text);
const longText = upTo(LIMITS.longText);
const isNumber: Check = (v) => typeof v === "number";
const isBoolean: Check = (v) => typeof v === "boolean";

/**
 * A copy of `v` with only the fields `spec` knows, or undefined when `v` is
 * not an object or one of them fails its check.
 */
export function read<T>(v: unknown, spec: Spec): T | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, unknown> = {};
  for (const key in spec) {
    if (!spec[key]!(v[key])) return undefined;
    if (v[key] !== undefined) out[key] = v[key];
  }
  return out as T;
}

export function checkData(v: unknown): boolean {
  if (!isObject(v)) return false;
  const keys = Object.keys(v);
  let chars = 0;
  for (const k of keys) {
    const x = v[k];
    if (k.length > LIMITS.id || !longText(x) || (chars += k.length + x.length) > LIMITS.dataChars) return false;
  }
  return keys.length <= LIMITS.dataEntries;
}

/** vendorCode: "503", "31486", "LineEngagedCustomer", "microphone_not_shared" (at most 64 characters, no spaces, so no prose or secrets). */
export const FAILURE: Spec = { code: isOneOf(CTI_ERROR_CODES), vendorCode: opt((v) => isText(v, 64) && /^[\w.:-]+$/.test(v)), message: (v) => isText(v, LIMITS.text) };
export const WRAP_UP: Spec = { disposition: opt(text), notes: opt(longText) };
const REASON: Spec = { id: isText, state: isOneOf(AGENT_STATES), label: isText };
export const SEGMENT: Spec = {
  id: isText,
  speaker: isOneOf(TRANSCRIPT_SPEAKERS),
  text: longText,
  final: isBoolean,
  language: opt(isText),
  startMs: opt(isNumber),
  endMs: opt(isNumber),
};
/** A directory entry: its destination dialable as it is (see normalizeDestination). */
export const DIRECTORY_ENTRY: Spec = { id: isText, label: (v) => isText(v, LIMITS.text), kind: isOneOf(DIRECTORY_KINDS), destination: (v) => typeof v === "string" && normalizeDestination(v) === v };
/** An audio device; a device list is checked with `list` like the directory. */
export const AUDIO_DEVICE: Spec = { id: isText, label: (v) => isText(v, LIMITS.text), kind: isOneOf(AUDIO_DEVICE_KINDS) };
/** The ids in use, one per use (the list is checked apart). */
export const AUDIO_IN_USE: Spec = Object.fromEntries(AUDIO_USES.map((use) => [use, opt(isText)]));
export const INSIGHT: Spec = { kind: isOneOf(INSIGHT_KINDS), text: longText, score: opt(isNumber), data: opt(checkData) };

/** Whether `p` is a party (straight-line: every call report's parties pass here). */
const isParty = (p: unknown): p is Party =>
  isObject(p) &&
  isText(p.id) &&
  PARTY_ROLES.includes(p.role as never) &&
  PARTY_STATES.includes(p.state as never) &&
  (p.address === undefined || isText(p.address, LIMITS.text)) &&
  (p.displayName === undefined || text(p.displayName)) &&
  (p.monitorMode === undefined || MONITOR_MODES.includes(p.monitorMode as never));

/** Whether `v` is a list of at most `LIMITS.parties` parties (an index loop: `every` would skip holes). */
function isParties(v: unknown): boolean {
  if (!Array.isArray(v) || v.length > LIMITS.parties) return false;
  for (let i = 0; i < v.length; i++) if (!isParty(v[i])) return false;
  return true;
}

/** A copy of party `p` (checked by callProblem) with only its known fields: a vendor object's extras (even a password) stay out. */
export function readParty(p: Party): Party {
  const party = { id: p.id, role: p.role, state: p.state } as { -readonly [K in keyof Party]: Party[K] };
  if (p.address !== undefined) party.address = p.address;
  if (p.displayName !== undefined) party.displayName = p.displayName;
  if (p.monitorMode !== undefined) party.monitorMode = p.monitorMode;
  return party;
}

/**
 * What is wrong with call report `r`, in words (its first bad field, in the
 * order of CallReport's fields), or undefined. Straight-line: every call
 * report passes here.
 */
export function callProblem(r: unknown): Problem {
  if (!isObject(r)) return "a call report must be an object";
  if (!isText(r.id)) return invalidField(r, "id");
  if (!CALL_STATES.includes(r.state as never)) return invalidField(r, "state");
  const { vendorCallId, direction, relatedCallId, parties, muted, data, endReason, failure, media, wrapUp } = r;
  // The optional fields: undefined, or passing their check.
  if (vendorCallId !== undefined && !isText(vendorCallId)) return invalidField(r, "vendorCallId");
  if (direction !== undefined && !CALL_DIRECTIONS.includes(direction as never)) return invalidField(r, "direction");
  if (r.from !== undefined && !text(r.from)) return invalidField(r, "from");
  if (r.fromName !== undefined && !text(r.fromName)) return invalidField(r, "fromName");
  if (r.to !== undefined && !text(r.to)) return invalidField(r, "to");
  if (r.queue !== undefined && !text(r.queue)) return invalidField(r, "queue");
  if (relatedCallId !== undefined && !isText(relatedCallId)) return invalidField(r, "relatedCallId");
  if (parties !== undefined && !isParties(parties)) return invalidField(r, "parties");
  if (muted !== undefined && typeof muted !== "boolean") return invalidField(r, "muted");
  if (data !== undefined && !checkData(data)) return invalidField(r, "data");
  if (endReason !== undefined && !isEndReason(endReason)) return invalidField(r, "endReason");
  if (failure !== undefined && !read(failure, FAILURE)) return invalidField(r, "failure");
  if (media !== undefined && !MEDIA_STATES.includes(media as never)) return invalidField(r, "media");
  if (wrapUp !== undefined && !read(wrapUp, WRAP_UP)) return invalidField(r, "wrapUp");
  if (r.wrapUpEndsAt !== undefined && !(Number.isFinite(r.wrapUpEndsAt) && (r.wrapUpEndsAt as number) >= 0)) return invalidField(r, "wrapUpEndsAt");
  if (r.recording !== undefined && !RECORDING_STATES.includes(r.recording as never)) return invalidField(r, "recording");
  if (r.monitorMode !== undefined && !MONITOR_MODES.includes(r.monitorMode as never)) return invalidField(r, "monitorMode");
  if (r.mediaStream != null && !text(r.mediaStream)) return invalidField(r, "mediaStream");
  return undefined;
}
/** "`key` is invalid (…)", for a problem. */
const invalidField = (r: Record<string, unknown>, key: string): string => `${key} is invalid (${show(r[key])})`;

/** A copy of the agent reason `v` (only its known fields), or undefined when `v` is not one. */
export const readReason = (v: unknown): AgentReason | undefined => read(v, REASON);

const AGENT: Spec = {
  state: REASON.state!,
  reason: opt((x) => isText(x) || readReason(x)),
  pendingState: (x) => x == null || read(x, { state: REASON.state!, reason: opt(readReason) }),
  agentId: opt(isText),
};

/** What is wrong with agent report `v`, in words (its first field that fails AGENT), or undefined. */
export function agentProblem(v: unknown): Problem {
  if (!isObject(v)) return "an agent report must be an object";
  const key = Object.keys(AGENT).find((k) => !AGENT[k]!(v[k]));
  return key && invalidField(v, key);
}

/** DTMF: digits, * #, A–D, and "," or "w" for a pause. */
export const DTMF = /^[0-9*#A-Da-d,w]{1,64}$/;

/**
 * A dialable destination, normalized: phone numbers lose their formatting;
 * SIP URIs, extensions and quick-connect names pass as they are.
 * Returns undefined when it is not dialable.
 */
export function normalizeDestination(value: unknown): string | undefined {
  // (An empty text matches none of the patterns below.)
  const text = typeof value === "string" ? value.trim() : "";
  if (text.length > LIMITS.id) return undefined;
  if (/^[+\d\s().-]+$/.test(text)) {
    const compact = text.replace(/[\s().-]/g, "");
    return /^\+?\d{2,32}$/.test(compact) ? compact : undefined;
  }
  // A SIP URI or extension, or a named target: a queue or quick connect ("Sales Queue").
  return /^((sips?:)?[\w.!~*()&=+$,;?/%#-]+(@[A-Za-z0-9.-]+(:\d{1,5})?)?|[A-Za-z][\w .-]{0,63})$/.test(text) ? text : undefined;
}
