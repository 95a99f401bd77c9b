/**
 * Hand-written guards for what connectors report. No schema library: they
 * must stay tiny and run under a strict CSP. Each returns a problem in words,
 * or undefined when the value is fine.
 */
import type { AgentReport, CallReport } from "./connector.js";
import type { AgentReason, PendingAgentState } from "./model.js";

type Problem = string | undefined;

const CALL_STATES = ["ringing", "dialing", "connected", "held", "wrapup", "ended"];
const DIRECTIONS = ["inbound", "outbound", "consult", "internal", "unknown"];
const PARTY_ROLES = ["agent", "customer", "third_party", "supervisor"];
const PARTY_STATES = ["ringing", "dialing", "connected", "held", "disconnected"];
export const AGENT_STATES = ["logged_out", "not_ready", "ready", "busy", "after_call_work", "error"];
export const LINK_STATES = ["connecting", "connected", "reconnecting", "disconnected"];
export const END_REASONS = ["local_hangup", "remote_hangup", "rejected", "missed", "abandoned", "busy", "no_answer", "transferred", "merged", "failed", "lost", "unknown"];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
export const isText = (v: unknown, max = 1024): v is string => typeof v === "string" && v.length > 0 && v.length <= max;
const oneOf = (v: unknown, allowed: readonly string[]): boolean => typeof v === "string" && allowed.includes(v);

function optional(obj: Record<string, unknown>, key: string, check: (v: unknown) => boolean): Problem {
  const v = obj[key];
  return v === undefined || check(v) ? undefined : `${key} is invalid (${typeof v === "string" ? JSON.stringify(v.slice(0, 40)) : typeof v})`;
}

function first(...problems: Problem[]): Problem {
  return problems.find((p) => p !== undefined);
}

export function checkData(v: unknown): boolean {
  if (!isObject(v)) return false;
  const entries = Object.entries(v);
  return entries.length <= 200 && entries.every(([k, x]) => k.length <= 256 && typeof x === "string" && x.length <= 8192);
}

function checkParty(v: unknown): boolean {
  return (
    isObject(v) &&
    isText(v.id, 256) &&
    oneOf(v.role, PARTY_ROLES) &&
    oneOf(v.state, PARTY_STATES) &&
    (v.address === undefined || isText(v.address)) &&
    (v.displayName === undefined || typeof v.displayName === "string")
  );
}

export function checkCallReport(v: unknown): Problem {
  if (!isObject(v)) return "a call report must be an object";
  if (!isText(v.id, 256)) return "call id must be a non-empty string";
  if (!oneOf(v.state, CALL_STATES)) return `call state ${JSON.stringify(v.state)} is not one of ${CALL_STATES.join(", ")}`;
  return first(
    optional(v, "vendorCallId", (x) => isText(x, 256)),
    optional(v, "direction", (x) => oneOf(x, DIRECTIONS)),
    optional(v, "from", (x) => typeof x === "string" && x.length <= 1024),
    optional(v, "fromName", (x) => typeof x === "string" && x.length <= 1024),
    optional(v, "to", (x) => typeof x === "string" && x.length <= 1024),
    optional(v, "queue", (x) => typeof x === "string" && x.length <= 1024),
    optional(v, "relatedCallId", (x) => isText(x, 256)),
    optional(v, "parties", (x) => Array.isArray(x) && x.length <= 64 && x.every(checkParty)),
    optional(v, "muted", (x) => typeof x === "boolean"),
    optional(v, "data", checkData),
    optional(v, "endReason", (x) => oneOf(x, END_REASONS)),
    optional(v, "wrapUp", (x) => isObject(x) && (x.disposition === undefined || typeof x.disposition === "string") && (x.notes === undefined || typeof x.notes === "string")),
  );
}

export function checkReason(v: unknown): v is AgentReason {
  return isObject(v) && isText(v.id, 256) && isText(v.label, 256) && oneOf(v.state, AGENT_STATES);
}

function checkPending(v: unknown): v is PendingAgentState | null {
  return v === null || (isObject(v) && oneOf(v.state, AGENT_STATES) && (v.reason === undefined || checkReason(v.reason)));
}

export function checkAgentReport(v: unknown): Problem {
  if (!isObject(v)) return "an agent report must be an object";
  if (!oneOf(v.state, AGENT_STATES)) return `agent state ${JSON.stringify(v.state)} is not one of ${AGENT_STATES.join(", ")}`;
  return first(
    optional(v, "reason", (x) => isText(x, 256) || checkReason(x)),
    optional(v, "pendingState", checkPending),
    optional(v, "agentId", (x) => isText(x, 256)),
  );
}

export function checkAgentReportValue(v: unknown): v is AgentReport {
  return checkAgentReport(v) === undefined;
}

export function checkCallReportValue(v: unknown): v is CallReport {
  return checkCallReport(v) === undefined;
}

/** DTMF: digits, * #, A–D, and "," or "w" for a pause. */
export const DTMF = /^[0-9*#A-Da-d,w]{1,64}$/;

/**
 * A dialable destination, normalized: phone numbers lose their formatting;
 * SIP URIs, extensions and quick-connect names pass as they are.
 * Returns undefined when it is not dialable.
 */
export function normalizeDestination(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (text.length === 0 || text.length > 256) return undefined;
  if (/^[+\d\s().-]+$/.test(text)) {
    const compact = text.replace(/[\s().-]/g, "");
    return /^\+?\d{2,32}$/.test(compact) ? compact : undefined;
  }
  if (/^(sips?:)?[\w.!~*()&=+$,;?/%#-]+(@[A-Za-z0-9.-]+(:\d{1,5})?)?$/.test(text)) return text;
  // A named target: a queue or quick connect ("Sales Queue").
  return /^[A-Za-z][\w .-]{0,63}$/.test(text) ? text : undefined;
}
