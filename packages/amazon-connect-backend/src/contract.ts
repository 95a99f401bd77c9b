/**
 * What the browser may hear: contract error codes (a subset of @opencti/core's
 * CTI_ERROR_CODES) with FIXED messages, never text from AWS, the network or
 * the integrator's code (those can name accounts, ARNs or credentials). What
 * the operator hears: onError, with credentials scrubbed.
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

/** Every answer the handler can give besides 200. */
export const FAIL = {
  postOnly: fail(405, "INVALID_ARGUMENT", "POST only"),
  getOnly: fail(405, "INVALID_ARGUMENT", "GET only"),
  unknownOperation: fail(404, "INVALID_ARGUMENT", "Unknown operation"),
  tooLarge: fail(413, "INVALID_ARGUMENT", "Request too large"),
  notJsonType: fail(415, "INVALID_ARGUMENT", "content-type must be application/json"),
  notJson: fail(400, "INVALID_ARGUMENT", "The body is not a JSON object"),
  missing: (key: string) => new ContractError(400, "INVALID_ARGUMENT", `"${key}" is required`),
  notContactId: (key: string) => new ContractError(400, "INVALID_ARGUMENT", `"${key}" is not an Amazon Connect contact id`),
  badSince: fail(400, "INVALID_ARGUMENT", '"since" must be a number of milliseconds ≥ 0'),
  badCapabilities: fail(400, "INVALID_ARGUMENT", '"capabilities" must list SILENT_MONITOR and optionally BARGE'),
  unauthenticated: fail(401, "AUTH_FAILED", "Not authenticated"),
  origin: fail(403, "AUTH_FAILED", "Origin not allowed"),
  notYourContact: fail(403, "AUTH_FAILED", "The contact is not this agent's"),
  mayNotMonitor: fail(403, "AUTH_FAILED", "This user may not monitor that contact"),
  ownToMonitor: fail(403, "AUTH_FAILED", "A user may not monitor its own contact"),
  notACustomerContact: fail(403, "AUTH_FAILED", "A monitoring session is not a contact to monitor"),
  noAgentToMonitor: fail(409, "INVALID_STATE", "The contact has no agent to monitor"),
  notLiveVoice: fail(409, "INVALID_STATE", "The contact is not a live voice contact"),
  nothingToMonitor: fail(409, "INVALID_DESTINATION", "No live voice contact to monitor"),
  connectRefused: fail(409, "INVALID_STATE", "Amazon Connect refused the request for this contact"),
  connectCredentials: fail(502, "AUTH_FAILED", "The backend's AWS credentials were refused"),
  connect: fail(502, "VENDOR_ERROR", "Amazon Connect request failed"),
  timeout: fail(504, "REQUEST_TIMEOUT", "Amazon Connect did not answer in time"),
  internal: fail(500, "VENDOR_ERROR", "The backend failed"),
} as const;

/**
 * An AWS SDK failure as a contract error (its own text stays on the server):
 * ResourceNotFoundException (the contact is gone, or not on this instance),
 * InvalidRequestException / InvalidParameterException (Connect refuses it for
 * this contact: not recorded, not monitorable) → 409 INVALID_STATE;
 * AccessDeniedException and the credential errors → 502 AUTH_FAILED;
 * anything else → 502 VENDOR_ERROR.
 */
export function fromConnect(error: unknown): ContractError {
  if (error instanceof ContractError) return error;
  const e = (error ?? {}) as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const name = typeof e.name === "string" ? e.name : "";
  if (name === "ResourceNotFoundException" || name === "InvalidRequestException" || name === "InvalidParameterException") return FAIL.connectRefused();
  if (name === "AccessDeniedException" || name === "UnrecognizedClientException" || name === "InvalidSignatureException" || name === "ExpiredTokenException" || e.$metadata?.httpStatusCode === 401) return FAIL.connectCredentials();
  return FAIL.connect();
}

const REDACTED = "[REDACTED]";

/** Removes credentials from free text: auth header values, SigV4 signatures and credentials, JWTs, URL userinfo, and the given secrets. */
function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 6) out = out.split(secret).join(REDACTED);
  return out
    .replace(/\b(Basic|Bearer|Digest)(\s+)[^\s"',;]+/gi, `$1$2${REDACTED}`)
    .replace(/\b(Credential|Signature)=[^\s"',;]+/g, `$1=${REDACTED}`)
    .replace(/\b(A3T[A-Z0-9]|AKIA|ASIA)[A-Z0-9]{12,}/g, REDACTED)
    .replace(/\beyJ[\w-]*\.[\w-]*\.[\w-]*/g, REDACTED)
    .replace(/\b([a-z][\w+.-]*:\/\/)[^\s/@]+@/gi, `$1${REDACTED}@`);
}

/**
 * A copy of a failure safe to hand to onError: name, message and stack
 * scrubbed, plus `$metadata.httpStatusCode` and `requestId` as `status` and
 * `requestId`, nothing else (an SDK error can carry the signed request).
 */
export function scrubError(error: unknown, secrets: readonly string[]): Error {
  const source = (typeof error === "object" && error !== null ? error : { message: String(error) }) as Record<string, unknown>;
  const text = (value: unknown): string => scrubText(typeof value === "string" ? value : "", secrets);
  const out = new Error(text(source.message) || text(source.name) || "Unknown failure");
  out.name = text(source.name) || "Error";
  out.stack = typeof source.stack === "string" ? text(source.stack) : `${out.name}: ${out.message}`;
  const extra = out as Error & Record<string, unknown>;
  const meta = (typeof source.$metadata === "object" && source.$metadata !== null ? source.$metadata : {}) as Record<string, unknown>;
  if (typeof meta.httpStatusCode === "number") extra.status = meta.httpStatusCode;
  if (typeof meta.requestId === "string") extra.requestId = text(meta.requestId);
  return out;
}
