/**
 * Streams errors → CtiError, and BadVendorData: what the snapshot reader and
 * the mapping throw for a payload they cannot read (the connector reports it
 * as INVALID_VENDOR_EVENT and goes on).
 *
 * vendor error → CtiError: streamsFailure (API callbacks), softphoneFailure
 * (`agent::softphone_error`); softphoneWarning, the softphone errors that
 * are only a warning.
 */
import { CtiError, type CtiErrorCode } from "@opencti/core";
import { describe, isRecord } from "@opencti/core/connector";

/** A Streams payload the connector cannot read; its message says what is wrong. */
export class BadVendorData extends Error {}

/** Where a Streams failure callback `(err, data)` puts its words, in order (not the toolkit's MESSAGE_KEYS: Streams has no description or reason). */
const STREAMS_MESSAGE_KEYS = ["message", "errorMessage", "type", "code"];

/** The vendor's own words from a Streams failure callback `(err, data)`. */
function vendorMessage(err: unknown, data?: unknown): string {
  return describe(err, STREAMS_MESSAGE_KEYS) ?? describe(data, STREAMS_MESSAGE_KEYS) ?? "no reason given";
}

function codeFor(err: unknown, message: string): CtiErrorCode {
  const str = (v: unknown): string => (typeof v === "string" || typeof v === "number" ? String(v) : "");
  const kind = `${isRecord(err) ? `${str(err.name)} ${str(err.type)} ${str(err.code)} ${str(err.statusCode)}` : ""} ${message}`;
  if (/AccessDenied|Unauthori[sz]ed|\b40[13]\b/i.test(kind)) return "AUTH_FAILED";
  if (/InvalidState|StateError/i.test(kind)) return "INVALID_STATE";
  if (/BadEndpoint|InvalidDestination|not a valid (phone|number)|Invalid.*endpoint/i.test(kind)) return "INVALID_DESTINATION";
  if (/busy/i.test(kind)) return "DESTINATION_BUSY";
  return "VENDOR_ERROR";
}

/** A Streams failure callback → CtiError carrying the vendor's message and the raw error as cause. */
export function streamsFailure(what: string, err: unknown, data?: unknown): CtiError {
  const message = vendorMessage(err, data);
  return new CtiError(codeFor(err, message), `Amazon Connect could not ${what}: ${message}`, { cause: err ?? data });
}

/**
 * What each softphone error Streams publishes (`agent::softphone_error`, its
 * SoftphoneErrorTypes plus the two it sends by name) means for the desktop:
 * the error code, and whether the same attempt may work as it is
 * (retryable). A refused microphone is MEDIA_PERMISSION_DENIED; a browser or
 * VDI setup the softphone cannot run in, and a softphone already open in
 * another window, need the agent to change something first; signalling,
 * ICE, WebRTC and media failures are VENDOR_ERROR worth a retry.
 * `audio_enhancement_failure` is not a failure: the call goes on without
 * noise suppression (a warning, no call affected). Unknown types are
 * VENDOR_ERROR.
 */
const SOFTPHONE_ERRORS: Readonly<Record<string, readonly [CtiErrorCode, boolean]>> = {
  microphone_not_shared: ["MEDIA_PERMISSION_DENIED", false],
  unsupported_browser: ["VENDOR_ERROR", false],
  vdi_strategy_not_supported: ["VENDOR_ERROR", false],
  vdi_redir_not_supported: ["VENDOR_ERROR", false],
  multiple_softphone_active_sessions: ["VENDOR_ERROR", false],
  signalling_handshake_failure: ["VENDOR_ERROR", true],
  signalling_connection_failure: ["VENDOR_ERROR", true],
  ice_collection_timeout: ["VENDOR_ERROR", true],
  user_busy_error: ["VENDOR_ERROR", true],
  webrtc_error: ["VENDOR_ERROR", true],
  realtime_communication_error: ["VENDOR_ERROR", true],
  other: ["VENDOR_ERROR", true],
};

/** Softphone errors that degrade the audio but fail nothing: a warning (its code), never an error or a call's outcome. */
const SOFTPHONE_WARNINGS: Readonly<Record<string, string>> = { audio_enhancement_failure: "AUDIO_ENHANCEMENT_FAILED" };

/** A type's row (an own key only: a type named `toString` is an unknown type, not Object's). */
const softphoneError = (type: string): readonly [CtiErrorCode, boolean] | undefined => (Object.hasOwn(SOFTPHONE_ERRORS, type) ? SOFTPHONE_ERRORS[type] : undefined);

/** The CtiError code for a softphone error type (see SOFTPHONE_ERRORS). */
export const softphoneErrorCode = (type: string): CtiErrorCode => softphoneError(type)?.[0] ?? "VENDOR_ERROR";

/** A Streams softphone error (`agent::softphone_error`: `{ errorType, errorMessage }`) → CtiError. */
export function softphoneFailure(type: string, message: string): CtiError {
  const [code, retryable] = softphoneError(type) ?? ["VENDOR_ERROR", true];
  return new CtiError(code, `Amazon Connect's softphone failed (${type}): ${message.trim() || "no reason given"}`, { retryable });
}

/** A softphone error that is only a warning (SOFTPHONE_WARNINGS) → the warning's code and words; undefined for one that fails (softphoneFailure). */
export function softphoneWarning(type: string, message: string): { readonly code: string; readonly message: string } | undefined {
  const code = Object.hasOwn(SOFTPHONE_WARNINGS, type) ? SOFTPHONE_WARNINGS[type] : undefined;
  if (code === undefined) return undefined;
  return { code, message: `Amazon Connect's softphone (${type}): ${message.trim() || "no reason given"}; the call goes on without it.` };
}
