/**
 * Who is asking: the agent's identity from the same Twilio Access Token the
 * browser gives the Voice SDK, sent to the backend as
 * `Authorization: Bearer <token>`. Verified with Node's crypto only (HS256 with
 * the API key secret, as Twilio signs them), so the backend needs no JWT
 * library of its own.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export interface AccessTokenAuthenticatorOptions {
  /** The secret of the API key your token endpoint signs Access Tokens with. */
  apiKeySecret: string;
  /** When given, the token's issuer (`iss`) must be this API key SID (SK…). */
  apiKeySid?: string;
  /** When given, the token's subject (`sub`) must be this account SID (AC…). */
  accountSid?: string;
  /** Clock skew tolerated on `exp` and `nbf`, in seconds. Default 30. */
  clockToleranceSec?: number;
  /** The clock, in milliseconds (tests). */
  now?: () => number;
}

const base64url = (text: string): Buffer | undefined => (/^[A-Za-z0-9_-]*$/.test(text) ? Buffer.from(text, "base64url") : undefined);

function parseJson(part: string): Record<string, unknown> | undefined {
  const bytes = base64url(part);
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The identity in a Twilio Access Token (`grants.identity`), or undefined when
 * the token is malformed, not HS256, badly signed, expired, not yet valid, or
 * from another key/account. Never throws.
 */
export function verifyAccessToken(token: string, options: AccessTokenAuthenticatorOptions): string | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = parseJson(headerPart);
  // Only HS256: refusing "none" and asymmetric algorithms closes the usual JWT algorithm-confusion holes.
  if (header?.alg !== "HS256") return undefined;
  const signature = base64url(signaturePart);
  const expected = createHmac("sha256", options.apiKeySecret).update(`${headerPart}.${payloadPart}`).digest();
  // Constant-time compare (the length is public: SHA-256 is always 32 bytes).
  if (!signature || signature.length !== expected.length || !timingSafeEqual(signature, expected)) return undefined;
  const payload = parseJson(payloadPart);
  if (!payload) return undefined;
  const now = (options.now?.() ?? Date.now()) / 1000;
  const tolerance = options.clockToleranceSec ?? 30;
  // Twilio tokens always carry exp; one without it would never expire.
  if (typeof payload.exp !== "number" || now > payload.exp + tolerance) return undefined;
  if (payload.nbf !== undefined && (typeof payload.nbf !== "number" || now + tolerance < payload.nbf)) return undefined;
  if (options.apiKeySid !== undefined && payload.iss !== options.apiKeySid) return undefined;
  if (options.accountSid !== undefined && payload.sub !== options.accountSid) return undefined;
  const grants = payload.grants as { identity?: unknown } | undefined;
  const identity = grants?.identity;
  return typeof identity === "string" && identity !== "" ? identity : undefined;
}

/**
 * An `authenticate` for createCallControlHandler: the identity of the Twilio
 * Access Token in `Authorization: Bearer …`, undefined (→ 401) otherwise.
 */
export function accessTokenAuthenticator(options: AccessTokenAuthenticatorOptions): (req: IncomingMessage) => Promise<string | undefined> {
  if (typeof options.apiKeySecret !== "string" || options.apiKeySecret === "") throw new TypeError("accessTokenAuthenticator: apiKeySecret is required");
  return (req) => {
    const header = req.headers.authorization;
    const match = typeof header === "string" ? /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header.trim()) : null;
    return Promise.resolve(match ? verifyAccessToken(match[1]!, options) : undefined);
  };
}
