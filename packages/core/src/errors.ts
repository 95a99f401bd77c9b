import { hostText } from "./logger.js";
import { CTI_ERROR_CODES, type CtiErrorCode } from "./model.js";
import { clip, isOneOf, LIMITS } from "./validate.js";


export interface CtiErrorOptions {
  retryable?: boolean;
  cause?: unknown;
  /** The desktop request that failed, e.g. "hold". */
  request?: string | undefined;
  callId?: string | undefined;
}

/**
 * Every request rejects with one. `message` is written for the agent to act on
 * (at most `LIMITS.message` characters, secrets redacted as in logs); switch on `code`, never on the
 * message. `retryable`: whether the same request may succeed as it is
 * (REQUEST_TIMEOUT, LINK_DOWN, DESTINATION_BUSY, VENDOR_ERROR by default).
 */
export class CtiError extends Error {
  override readonly name = "CtiError";
  // Declared only (no class fields): `request` and `callId` exist only when given.
  declare readonly code: CtiErrorCode;
  declare readonly retryable: boolean;
  declare readonly request?: string;
  declare readonly callId?: string;

  constructor(code: CtiErrorCode, message: string, options: CtiErrorOptions = {}) {
    super(hostText(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    // Codes worth retrying as they are; the others need something to change first.
    this.retryable = options.retryable ?? ["REQUEST_TIMEOUT", "LINK_DOWN", "DESTINATION_BUSY", "VENDOR_ERROR"].includes(code);
    if (options.request !== undefined) this.request = options.request;
    if (options.callId !== undefined) this.callId = clip(options.callId, LIMITS.id);
  }
}

/** Whether `value` is one of CTI_ERROR_CODES (for connectors mapping a code that crossed a wire). */
export const isCtiErrorCode = isOneOf(CTI_ERROR_CODES);

/** A CtiError, or an object shaped like one (another copy of core, a structured clone). */
export function isCtiError(value: unknown): value is CtiError {
  return value instanceof CtiError || (typeof value === "object" && value !== null && (value as { name?: unknown }).name === "CtiError" && isCtiErrorCode((value as { code?: unknown }).code));
}

/** Anything a connector threw, as a CtiError (vendor failures become VENDOR_ERROR with the failure as `cause`). */
export function toCtiError(value: unknown, request?: string): CtiError {
  if (isCtiError(value)) return value;
  return new CtiError("VENDOR_ERROR", value instanceof Error ? value.message : typeof value === "string" ? value : "The vendor reported an error", { cause: value, request });
}
