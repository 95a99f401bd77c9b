/**
 * The Access Token from `tokenUrl`: one GET, every failure in words naming the
 * service (scheme, host, port and path; never its query, where a deployment
 * may put a user or a key) instead of the browser's "Failed to fetch".
 */
import { serverName, timeoutSignal } from "@opencti/core/connector";
import { DEFAULTS } from "./options.js";

/** A token fetch that failed: `unreachable` when no answer came (or a gateway's 502/503/504), `reason` the cause in words. */
export class TokenFailure extends Error {
  override readonly name = "TokenFailure";
  constructor(
    /** "the Twilio token service https://crm.example.com/twilio/token" */
    readonly service: string,
    readonly reason: string,
    readonly unreachable: boolean,
    options?: { cause?: unknown },
  ) {
    super(`${unreachable ? `Cannot reach ${service}` : `No token from ${service}`} (${reason})`, options);
  }
}

/** The service's name in messages. */
export const tokenService = (url: string): string => `the Twilio token service ${serverName(url, true)}`;

/** Three base64url parts: what the SDK accepts as a token (the text answer's check). */
const JWT = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/**
 * `() => Promise<string>` fetching `url` with the page's cookies (`credentials: "include"`, no cache):
 * JSON `{"token": "…"}` or the bare JWT; rejects with a TokenFailure, after DEFAULTS.tokenTimeoutMs at the latest.
 */
export function tokenFetcher(url: string, doFetch: typeof fetch = (...args) => globalThis.fetch(...args)): () => Promise<string> {
  const service = tokenService(url);
  return async () => {
    const limit = timeoutSignal(DEFAULTS.tokenTimeoutMs);
    const fail = (reason: string, unreachable: boolean, cause?: unknown): never => {
      throw new TokenFailure(service, reason, unreachable, { cause });
    };
    try {
      let response: Response;
      try {
        response = await doFetch(url, { credentials: "include", cache: "no-store", headers: { accept: "application/json, text/plain" }, signal: limit.signal });
      } catch (cause) {
        // The browser says only "Failed to fetch", whatever happened: a closed port, a name that does not resolve, CORS or CSP.
        return fail(limit.signal.aborted ? `no answer within ${DEFAULTS.tokenTimeoutMs / 1000} s` : "no response: the server is down or unreachable, or the browser blocked the request by CORS or CSP", true, cause);
      }
      if (!response.ok) return fail(`it answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`, [502, 503, 504].includes(response.status));
      const text = (await response.text().catch((cause: unknown) => fail("the answer was cut off", true, cause))).trim();
      if (text.startsWith("{")) {
        let token: unknown;
        try {
          token = (JSON.parse(text) as { token?: unknown }).token;
        } catch (cause) {
          return fail("its answer is not valid JSON", false, cause);
        }
        return typeof token === "string" && token !== "" ? token : fail('its JSON has no "token" string', false);
      }
      if (JWT.test(text)) return text;
      return fail(text.startsWith("<") ? "it answered an HTML page, not a token (a sign-in page?)" : "its answer is neither JSON nor a token", false);
    } finally {
      limit.clear();
    }
  };
}
