import { CtiError, type CtiErrorCode } from "@opencti/core";

/** The parts of a TwilioError the connector reads (the SDK's errors carry more). */
export interface TwilioErrorLike {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly description?: unknown;
  readonly explanation?: unknown;
}

const AUTH = new Set([20101, 20104, 20151]);
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

/** A Twilio SDK error code → the stable CtiError code. */
export function ctiCodeFor(code: unknown): CtiErrorCode {
  if (typeof code !== "number") return "VENDOR_ERROR";
  if (AUTH.has(code) || (code >= 31201 && code <= 31212 && code !== 31208)) return "AUTH_FAILED";
  if (LINK.has(code)) return "LINK_DOWN";
  return BY_CODE.get(code) ?? "VENDOR_ERROR";
}

/** A readable message for the agent; never the token or other secrets (the SDK's messages carry none). */
function messageOf(error: TwilioErrorLike): string {
  for (const text of [error.explanation, error.description, error.message]) if (typeof text === "string" && text !== "") return text;
  return "Twilio reported an error";
}

/** Any SDK failure as a CtiError with the Twilio code in the message and the original as `cause`. */
export function toTwilioCtiError(error: unknown, request?: string): CtiError {
  if (error instanceof CtiError) return error;
  const e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as TwilioErrorLike;
  const code = ctiCodeFor(e.code);
  const message = typeof e.code === "number" ? `${messageOf(e)} (Twilio ${e.code})` : messageOf(e);
  return new CtiError(code, message, request === undefined ? { cause: error } : { cause: error, request });
}
