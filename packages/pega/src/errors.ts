/** Our CtiError codes → Pega's `{errCode, errMessage}`. */
import { isCtiError, redact, type CtiErrorCode } from "@opencti/core";
import type { PegaError, PegaErrorCode } from "./types.js";

/**
 * One Pega code per CtiError code. Pega's list has no code for a missing
 * capability, a bad argument or a refused microphone, so those use the
 * closest documented one (405 "method not allowed", generic operation).
 */
export const PEGA_ERROR_MAP: Readonly<Record<CtiErrorCode, PegaErrorCode>> = {
  NOT_LOGGED_IN: "OPENCTI_AGENT_NOT_LOGGED_IN",
  INVALID_STATE: "OPENCTI_CF_INVALID_OBJECT_STATE",
  NOT_SUPPORTED: "OPENCTI_HTTP_ERROR_405",
  INVALID_ARGUMENT: "OPENCTI_CF_GENERIC_OPERATION",
  INVALID_DESTINATION: "OPENCTI_CF_INVALID_DESTINATION",
  DESTINATION_BUSY: "OPENCTI_DEST_BUSY",
  CALL_REJECTED: "OPENCTI_CALL_REJECTED",
  REQUEST_TIMEOUT: "OPENCTI_HTTP_ERROR_408",
  LINK_DOWN: "OPENCTI_HTTP_ERROR_503",
  AUTH_FAILED: "OPENCTI_HTTP_ERROR_401",
  MEDIA_PERMISSION_DENIED: "OPENCTI_CF_GENERIC_OPERATION",
  INVALID_VENDOR_EVENT: "OPENCTI_HTTP_ERROR_502",
  VENDOR_ERROR: "OPENCTI_CF_GENERIC_OPERATION",
};

/** A failure the adapter itself decides, with Pega's own code. */
export class PegaFailure extends Error {
  override readonly name = "PegaFailure";
  constructor(
    readonly errCode: PegaErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const MAX_MESSAGE = 500;

/**
 * Anything a request failed with, as Pega's error object. `secrets` (the
 * agent's password) are blanked out of the message whatever the vendor
 * echoed; other secret-looking text is redacted by core's rules.
 */
export function toPegaError(error: unknown, secrets: readonly string[] = []): PegaError {
  let errCode: PegaErrorCode = "OPENCTI_CF_GENERIC_OPERATION";
  let message = "The telephony request failed.";
  if (error instanceof PegaFailure) {
    errCode = error.errCode;
    message = error.message;
  } else if (isCtiError(error)) {
    errCode = error.code === "INVALID_STATE" && error.request === "login" ? "OPENCTI_AGENT_LOGGED_IN" : PEGA_ERROR_MAP[error.code];
    message = error.message;
  } else if (error instanceof Error && error.message) message = error.message;
  else if (typeof error === "string" && error) message = error;
  for (const secret of secrets) if (secret) message = message.split(secret).join("[redacted]");
  const redacted = redact(message);
  return { errCode, errMessage: (typeof redacted === "string" ? redacted : message).slice(0, MAX_MESSAGE) };
}
