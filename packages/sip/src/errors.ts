/**
 * SIP failures (a SipFailure's status, a refused microphone) → the desktop's typed errors.
 *
 * vendor error → CtiError: callError (calls), transferError (a transfer's
 * sipfrag), registerError (REGISTER), deviceError (an audio device that
 * getUserMedia or setSinkId refused). SIP statuses follow mapping.ts's one
 * table (sipStatusOutcome).
 */
import { CtiError, type AudioUse } from "@opencti/core";
import { errorMessage } from "@opencti/core/connector";
import { sipStatusOutcome } from "./mapping.js";
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
  // The same status table as a dial's end (mapping.ts), so a transfer to a busy number fails as a dial to it does.
  if (error instanceof SipFailure && error.status > 0) return new CtiError(sipStatusOutcome(error.status).failure.code, error.message, { request, cause: error });
  return new CtiError("VENDOR_ERROR", errorMessage(error, "The SIP stack failed"), { request, cause: error });
}

const DEVICE_GONE = /^(NotFoundError|OverconstrainedError)$/;

/**
 * An audio device the browser would not open (getUserMedia) or play on (setSinkId): a refusal
 * (NotAllowedError…) is MEDIA_PERMISSION_DENIED, a device that is not there (NotFoundError,
 * OverconstrainedError for an `exact` deviceId) INVALID_ARGUMENT, anything else (NotReadableError:
 * another application holds it) VENDOR_ERROR.
 */
export function deviceError(error: unknown, use: AudioUse, label: string): CtiError {
  const request = "selectAudioDevice";
  if (error instanceof CtiError) return error;
  if (isMediaDenied(error)) {
    const message = use === "input" ? "The browser refused access to the microphone. Allow it for this site and try again." : `The browser refused to play audio on ${label}.`;
    return new CtiError("MEDIA_PERMISSION_DENIED", message, { request, cause: error });
  }
  const name = (error as { name?: unknown } | undefined)?.name;
  if (typeof name === "string" && DEVICE_GONE.test(name)) return new CtiError("INVALID_ARGUMENT", `${label} is not available any more.`, { request, cause: error });
  return new CtiError("VENDOR_ERROR", `${label} could not be used: ${errorMessage(error, "the browser refused")}`, { request, cause: error });
}

/** A transfer whose target answered a final non-2xx status (the NOTIFY's sipfrag), as the desktop's typed error. */
export function transferError(status: number, reasonPhrase: string | undefined, request: string): CtiError {
  const { failure } = sipStatusOutcome(status, reasonPhrase);
  return new CtiError(failure.code, `The transfer failed: ${failure.message}`, { request });
}

/**
 * A Record INFO the PBX refused (pauseRecording / resumeRecording): 403, 405 or 501 (Asterisk answers
 * 403 when the endpoint has no one_touch_recording or no record feature) is NOT_SUPPORTED, 481 (the
 * dialog is gone) INVALID_STATE, 408 or no answer REQUEST_TIMEOUT (not retryable: a toggling PBX may
 * have acted on it), anything else VENDOR_ERROR. The
 * message names the status; the call's recording stays as it was.
 */
export function recordingError(error: unknown, request: "pauseRecording" | "resumeRecording"): CtiError {
  if (error instanceof CtiError) return error;
  const status = error instanceof SipFailure ? error.status : 0;
  const words = `The PBX refused to ${request === "pauseRecording" ? "pause" : "resume"} the recording (${errorMessage(error, String(status))})`;
  if (status === 403 || status === 405 || status === 501) return new CtiError("NOT_SUPPORTED", `${words}: it does not take one-touch recording (Record INFO) from this phone.`, { request, cause: error });
  if (status === 481) return new CtiError("INVALID_STATE", `${words}: the call is gone.`, { request, cause: error });
  // Not retryable: a PBX whose record feature toggles (Asterisk's default automixmon) may have acted on it, and a retry would flip it back.
  if (status === 408) return new CtiError("REQUEST_TIMEOUT", `${words}: the recording's state is unknown; check it before you try again.`, { request, cause: error, retryable: false });
  return new CtiError("VENDOR_ERROR", `${words}.`, { request, cause: error });
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
