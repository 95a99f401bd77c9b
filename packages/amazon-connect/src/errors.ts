import { CtiError, type CtiErrorCode } from "@opencti/core";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** The vendor's own words from a Streams failure callback `(err, data)`. */
export function vendorMessage(err: unknown, data?: unknown): string {
  if (typeof err === "string" && err !== "") return err;
  for (const source of [err, data]) {
    if (!isRecord(source)) continue;
    for (const key of ["message", "errorMessage", "type", "code"]) {
      const value = source[key];
      if (typeof value === "string" && value !== "") return value;
    }
  }
  return "no reason given";
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
