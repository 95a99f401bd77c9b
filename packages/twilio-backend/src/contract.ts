/**
 * What the browser may hear: contract error codes (a subset of @opencti/core's
 * CTI_ERROR_CODES) with FIXED messages, never text from Twilio, the network
 * or the integrator's code (those can name hosts, accounts or credentials).
 * What the operator hears: onError, with credentials scrubbed.
 */

export type ErrorCode = "INVALID_ARGUMENT" | "INVALID_STATE" | "INVALID_DESTINATION" | "AUTH_FAILED" | "REQUEST_TIMEOUT" | "VENDOR_ERROR";

export class ContractError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const fail = (status: number, code: ErrorCode, message: string) => () => new ContractError(status, code, message);

/** Every answer the handler can give besides 200/204. */
export const FAIL = {
  postOnly: fail(405, "INVALID_ARGUMENT", "POST only"),
  unknownOperation: fail(404, "INVALID_ARGUMENT", "Unknown operation"),
  tooLarge: fail(413, "INVALID_ARGUMENT", "Request too large"),
  notJsonType: fail(415, "INVALID_ARGUMENT", "content-type must be application/json"),
  notJson: fail(400, "INVALID_ARGUMENT", "The body is not a JSON object"),
  missing: (key: string) => new ContractError(400, "INVALID_ARGUMENT", `"${key}" is required`),
  notSid: (key: string) => new ContractError(400, "INVALID_ARGUMENT", `"${key}" is not a Twilio CallSid`),
  badCallback: fail(400, "INVALID_ARGUMENT", "Incomplete status callback"),
  onlyAddedParty: fail(400, "INVALID_ARGUMENT", "Only an added party can be dropped"),
  badMode: fail(400, "INVALID_ARGUMENT", '"mode" must be monitor, whisper or barge'),
  unknownTarget: fail(400, "INVALID_DESTINATION", "Nothing to monitor there: not an agent's call in an active conference"),
  supervisorIdentity: fail(400, "INVALID_ARGUMENT", "Monitoring needs an authenticated supervisor"),
  streamIdentity: fail(400, "INVALID_ARGUMENT", "The event stream needs an authenticated agent"),
  notAllowedToMonitor: fail(403, "AUTH_FAILED", "Not allowed to monitor that call"),
  notSupervisorLeg: fail(403, "AUTH_FAILED", "The call is not a supervisor's session"),
  noRecording: fail(409, "INVALID_STATE", "The call has no recording in progress"),
  destination: fail(400, "INVALID_DESTINATION", "That destination is not allowed"),
  unauthenticated: fail(401, "AUTH_FAILED", "Not authenticated"),
  badIdentity: fail(403, "AUTH_FAILED", "The authenticated identity is not a usable Twilio Client identity"),
  notConsultParty: fail(400, "INVALID_ARGUMENT", "That party is not a consult or transfer party"),
  sessionWithoutAgent: fail(409, "INVALID_STATE", "The session's watched agent is no longer in the conference"),
  notYourCall: fail(403, "AUTH_FAILED", "The call is not this agent's"),
  notOwningAgent: fail(403, "AUTH_FAILED", "Only the conference's owning agent can do that"),
  origin: fail(403, "AUTH_FAILED", "Origin not allowed"),
  signature: fail(403, "AUTH_FAILED", "Bad Twilio signature"),
  noConference: fail(409, "INVALID_STATE", "The call is not in an active conference"),
  noCustomer: fail(409, "INVALID_STATE", "The conference has no customer"),
  ambiguousAgent: fail(409, "INVALID_STATE", "The conference has more than one agent leg"),
  notInConference: fail(409, "INVALID_STATE", "That party is not in the agent's conference"),
  twilioUndialable: fail(400, "INVALID_DESTINATION", "Twilio cannot dial that destination"),
  twilioCredentials: fail(502, "AUTH_FAILED", "The backend's Twilio credentials were refused"),
  twilio: fail(502, "VENDOR_ERROR", "Twilio request failed"),
  timeout: fail(504, "REQUEST_TIMEOUT", "Twilio did not answer in time"),
  internal: fail(500, "VENDOR_ERROR", "The call-control backend failed"),
  streamUnavailable: fail(503, "VENDOR_ERROR", "The agent event stream is unavailable"),
} as const;

/** A Twilio REST failure as a contract error (its own text stays on the server). */
export function fromTwilio(error: unknown): ContractError {
  if (error instanceof ContractError) return error;
  const e = (error ?? {}) as { status?: unknown; code?: unknown };
  if (e.code === 21211 || e.code === 21217 || e.code === 13223) return FAIL.twilioUndialable();
  if (e.status === 404) return FAIL.noConference();
  if (e.status === 401 || e.status === 403) return FAIL.twilioCredentials();
  return FAIL.twilio();
}

const REDACTED = "[REDACTED]";

/** Removes credentials from free text: auth header values, JWTs, URL userinfo, and the given secrets. */
function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 6) out = out.split(secret).join(REDACTED);
  return out
    .replace(/\b(Basic|Bearer|Digest)(\s+)[^\s"',;]+/gi, `$1$2${REDACTED}`)
    .replace(/\beyJ[\w-]*\.[\w-]*\.[\w-]*/g, REDACTED)
    .replace(/\b([a-z][\w+.-]*:\/\/)[^\s/@]+@/gi, `$1${REDACTED}@`);
}

/**
 * A copy of a failure safe to hand to onError: name, message and stack
 * scrubbed, plus the diagnostic fields (`code`, `status`, `moreInfo`), and
 * nothing else — an axios/twilio error carries the request config with its
 * `Authorization: Basic …` header, so the original object never leaves.
 */
export function scrubError(error: unknown, secrets: readonly string[]): Error {
  const source = (typeof error === "object" && error !== null ? error : { message: String(error) }) as Record<string, unknown>;
  const text = (value: unknown): string => scrubText(typeof value === "string" ? value : "", secrets);
  const out = new Error(text(source.message) || text(source.code) || "Unknown failure");
  out.name = text(source.name) || "Error";
  out.stack = typeof source.stack === "string" ? text(source.stack) : `${out.name}: ${out.message}`;
  const extra = out as Error & Record<string, unknown>;
  for (const key of ["code", "status", "moreInfo"]) {
    const value = source[key];
    if (typeof value === "number") extra[key] = value;
    else if (typeof value === "string") extra[key] = text(value);
  }
  return out;
}
