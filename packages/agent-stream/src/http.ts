/** Small HTTP helpers shared by the stream's GET /events and the handler's routes. */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";

/** The error codes of HTTP answers (a subset of @opencti/core's CTI_ERROR_CODES). */
export type HttpErrorCode = "AUTH_FAILED" | "INVALID_ARGUMENT" | "REQUEST_TIMEOUT" | "VENDOR_ERROR";

/** An answer that is not 2xx: `{ code, message, ...fields }` with a fixed message (never a vendor's or the integrator's text). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode,
    message: string,
    readonly headers: OutgoingHttpHeaders = {},
    /** More of the body, e.g. the ingest's `published` on a 504. */
    readonly fields: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { ...headers, "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

export function sendError(res: ServerResponse, error: HttpError, headers: OutgoingHttpHeaders = {}): void {
  sendJson(res, error.status, { code: error.code, message: error.message, ...error.fields }, { ...headers, ...error.headers });
}

/**
 * Whether a browser page may make this request: no Origin header (not a
 * browser, or a same-origin GET), `Sec-Fetch-Site: same-origin` (set by the
 * browser, no page can forge it), or an Origin in `allowed` (exact match).
 */
export function originAllowed(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  return origin === undefined || req.headers["sec-fetch-site"] === "same-origin" || allowed.has(origin);
}

/** CORS response headers: the Origin echoed only when it is allowed; Vary either way (caches must not mix answers). */
export function corsHeaders(req: IncomingMessage, allowed: ReadonlySet<string>): OutgoingHttpHeaders {
  const origin = req.headers.origin;
  return origin !== undefined && allowed.has(origin) ? { "access-control-allow-origin": origin, vary: "Origin" } : { vary: "Origin" };
}
