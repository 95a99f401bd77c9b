/**
 * The simulator server's refusals → the desktop's typed errors.
 *
 * vendor error → CtiError: serverError.
 */
import { CtiError, isCtiErrorCode } from "@opencti/core";

/** The `error` of a response with `ok: false`, as the server sends it. */
type ServerError = { code: string; message: string } | undefined;

/**
 * A refused request as a CtiError: the server speaks CtiError codes (AUTH_FAILED,
 * NOT_LOGGED_IN, INVALID_STATE, INVALID_ARGUMENT, DESTINATION_BUSY,
 * CALL_REJECTED, …), which carry over; any other code is VENDOR_ERROR. The
 * server's words are the message and its error the cause.
 */
export function serverError(error: ServerError): CtiError {
  const code = isCtiErrorCode(error?.code) ? error.code : "VENDOR_ERROR";
  return new CtiError(code, error?.message ?? "The simulator refused the request", { cause: error });
}
