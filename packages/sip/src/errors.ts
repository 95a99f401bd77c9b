/**
 * SIP failures (a SipFailure's status, a refused microphone) → the desktop's typed errors.
 *
 * vendor error → CtiError: callError (calls), registerError (REGISTER).
 */
import { CtiError } from "@opencti/core";
import { errorMessage } from "@opencti/core/connector";
import { SipFailure } from "./stack.js";

const MEDIA_DENIED = /^(NotAllowedError|PermissionDeniedError|SecurityError)$/;

/** Walks an error and its causes: getUserMedia refusals arrive wrapped by the library. */
function isMediaDenied(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const name = (e as { name?: unknown }).name;
    if (typeof name === "string" && MEDIA_DENIED.test(name)) return true;
  }
  return false;
}

/** A failure while placing or answering a call, as the desktop's typed error. */
export function callError(error: unknown, request: string): CtiError {
  if (error instanceof CtiError) return error;
  if (isMediaDenied(error)) return new CtiError("MEDIA_PERMISSION_DENIED", "The browser refused access to the microphone. Allow it for this site and try again.", { request, cause: error });
  if (error instanceof SipFailure) {
    if (error.status === 486 || error.status === 600) return new CtiError("DESTINATION_BUSY", error.message, { request, cause: error });
    if (error.status === 603) return new CtiError("CALL_REJECTED", error.message, { request, cause: error });
    if (error.status === 404 || error.status === 484 || error.status === 416) return new CtiError("INVALID_DESTINATION", error.message, { request, cause: error });
    if (error.status === 408) return new CtiError("REQUEST_TIMEOUT", error.message, { request, cause: error });
  }
  return new CtiError("VENDOR_ERROR", errorMessage(error, "The SIP stack failed"), { request, cause: error });
}

/** A registration failure: credentials are AUTH_FAILED, silence is LINK_DOWN. */
export function registerError(error: unknown, request: string): CtiError {
  const status = error instanceof SipFailure ? error.status : 0;
  if (status === 401 || status === 407 || status === 403) {
    return new CtiError("AUTH_FAILED", `The SIP registrar refused the credentials (${errorMessage(error, String(status))}). Check the SIP user and password.`, { request, cause: error });
  }
  if (status === 408 || status === 0 || status === 503) {
    return new CtiError("LINK_DOWN", "The SIP registrar did not answer the registration. Check the server address and your network.", { request, cause: error, retryable: true });
  }
  return new CtiError("VENDOR_ERROR", `The SIP registrar refused the registration (${errorMessage(error, String(status))}).`, { request, cause: error });
}
