/**
 * Twilio SDK errors as CtiErrors: the stable code for each Twilio code, the SDK's own words in the message.
 *
 * vendor error → CtiError: toTwilioCtiError (ctiCodeFor for a code alone; registrationError for a login's).
 * LINK_DOWN is the connection class (31005, 31009, 53000, 53001, and a 31000
 * from the SDK's own WebSocket): while the signalling is down the Device
 * session makes those the link state instead of error events (device.ts).
 */
import { CtiError, type CtiErrorCode } from "@opencti/core";
import { describe, isRecord } from "@opencti/core/connector";

/** The parts of a TwilioError the connector reads (the SDK's errors carry more). */
export interface TwilioErrorLike {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly description?: unknown;
  readonly explanation?: unknown;
}

const AUTH = new Set([20101, 20104, 20151]);
/** The signalling connection's codes: 31005 (socket closed abnormally, or the gateway's connection error), 31009 (no transport to send on), 53000, 53001. */
const LINK = new Set([31005, 31009, 53000, 53001]);
const BY_CODE: ReadonlyMap<number, CtiErrorCode> = new Map([
  [31401, "MEDIA_PERMISSION_DENIED"],
  [31402, "MEDIA_PERMISSION_DENIED"],
  [31208, "MEDIA_PERMISSION_DENIED"],
  [31486, "DESTINATION_BUSY"],
  [31603, "CALL_REJECTED"],
  [31404, "INVALID_DESTINATION"],
  [31400, "INVALID_DESTINATION"],
]);

/**
 * Errors without a Twilio code, by name: the browser's getUserMedia refusals
 * (DOMException names, which the SDK's `AudioHelper.setInputDevice` passes
 * through as they are) and the SDK's own named errors (errors/index.ts).
 */
const BY_NAME: ReadonlyMap<string, CtiErrorCode> = new Map([
  ["NotAllowedError", "MEDIA_PERMISSION_DENIED"],
  ["PermissionDeniedError", "MEDIA_PERMISSION_DENIED"],
  ["SecurityError", "MEDIA_PERMISSION_DENIED"],
  // getUserMedia found no such device (it went away): the choice is not there to use.
  ["NotFoundError", "INVALID_ARGUMENT"],
  ["OverconstrainedError", "INVALID_ARGUMENT"],
  ["InvalidArgumentError", "INVALID_ARGUMENT"],
  ["NotSupportedError", "NOT_SUPPORTED"],
  ["InvalidStateError", "INVALID_STATE"],
]);

/** A Twilio SDK error code → the stable CtiError code. */
export function ctiCodeFor(code: unknown): CtiErrorCode {
  if (typeof code !== "number") return "VENDOR_ERROR";
  if (AUTH.has(code) || (code >= 31201 && code <= 31212 && code !== 31208)) return "AUTH_FAILED";
  if (LINK.has(code)) return "LINK_DOWN";
  return BY_CODE.get(code) ?? "VENDOR_ERROR";
}

/**
 * A 31000 the SDK raised for its own WebSocket (a socket `error` event, a
 * socket it could not open, one closed without a reason): the SDK tags those
 * with its ConnectionDisconnected (53001) in `originalError.twilioError`; a
 * 31000 from Twilio (an unknown gateway error) carries no such tag.
 */
export function isSocketFailure(error: unknown): boolean {
  if (!isRecord(error) || error.code !== 31000 || !isRecord(error.originalError)) return false;
  const tag = error.originalError.twilioError;
  return isRecord(tag) && tag.code === 53001;
}

/**
 * Any SDK failure as a CtiError with the Twilio code in the message and the
 * original as `cause`; a socket failure (isSocketFailure) is LINK_DOWN; an
 * error without a Twilio code goes by its name (BY_NAME: a refused
 * microphone is MEDIA_PERMISSION_DENIED).
 */
export function toTwilioCtiError(error: unknown, request?: string): CtiError {
  if (error instanceof CtiError) return error;
  const e: TwilioErrorLike = isRecord(error) ? error : { message: String(error) };
  // Twilio's codes have five digits; a DOMException's legacy `code` (0 for NotAllowedError) is none of Twilio's.
  const twilioCode = typeof e.code === "number" && e.code >= 10_000 ? e.code : undefined;
  const name = isRecord(error) && typeof error.name === "string" ? error.name : undefined;
  const byName = twilioCode === undefined && name !== undefined ? BY_NAME.get(name) : undefined;
  const code = isSocketFailure(error) ? "LINK_DOWN" : (byName ?? ctiCodeFor(e.code));
  // A readable message for the agent; never the token or other secrets (the SDK's messages carry none). An OverconstrainedError has only its name.
  const text = describe(e, ["explanation", "description", "message"]) ?? (byName ? name : undefined) ?? "Twilio reported an error";
  const message = twilioCode === undefined ? text : `${text} (Twilio ${twilioCode})`;
  return new CtiError(code, message, request === undefined ? { cause: error } : { cause: error, request });
}

/** An SDK error that fails a pending registration (login): authentication, or the signalling link (31005, 53000); undefined for others (a call's, a warning's). */
export function registrationError(error: unknown): CtiError | undefined {
  const cti = toTwilioCtiError(error, "login");
  const code = isRecord(error) ? error.code : undefined;
  return cti.code === "AUTH_FAILED" || code === 31005 || code === 53000 ? cti : undefined;
}

/** A 31400 whose message says "malformed" is a signalling frame from Twilio the SDK could not read (an INVALID_VENDOR_EVENT), not a bad destination. */
export function isMalformedFrame(error: TwilioErrorLike): boolean {
  return error.code === 31400 && /malformed/i.test(String(error.message));
}
