/**
 * Streams errors → CtiError, and BadVendorData: what the snapshot reader and
 * the mapping throw for a payload they cannot read (the connector reports it
 * as INVALID_VENDOR_EVENT and goes on).
 *
 * vendor error → CtiError: streamsFailure (API callbacks), softphoneFailure
 * (`agent::softphone_error`).
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

/** Softphone error types (Streams' SoftphoneErrorTypes) with their own code: a refused microphone; the rest are VENDOR_ERROR. */
export const softphoneErrorCode = (type: string): CtiErrorCode => (type === "microphone_not_shared" ? "MEDIA_PERMISSION_DENIED" : "VENDOR_ERROR");

/** A Streams softphone error (`agent::softphone_error`: `{ errorType, errorMessage }`) → CtiError. */
export function softphoneFailure(type: string, message: string): CtiError {
  return new CtiError(softphoneErrorCode(type), `Amazon Connect's softphone failed (${type}): ${message.trim() || "no reason given"}`);
}
