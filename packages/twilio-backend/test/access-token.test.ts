// The access-token authenticator against tokens minted by the official twilio
// library (AccessToken), the way an integrator's token endpoint makes them.
import { createHmac } from "node:crypto";
import type { IncomingMessage } from "node:http";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { accessTokenAuthenticator, verifyAccessToken } from "../src/index.js";
import { STUB_ACCOUNT_SID, STUB_API_KEY_SECRET, STUB_API_KEY_SID, stubAccessToken } from "../src/testing/index.js";

const options = { apiKeySecret: STUB_API_KEY_SECRET, apiKeySid: STUB_API_KEY_SID, accountSid: STUB_ACCOUNT_SID };
const request = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const [header, payload] = stubAccessToken("alice").split(".") as [string, string];

describe("accessTokenAuthenticator", () => {
  it("returns grants.identity of a valid Bearer token", async () => {
    const authenticate = accessTokenAuthenticator(options);
    expect(await authenticate(request(`Bearer ${stubAccessToken("alice")}`))).toBe("alice");
  });

  it("refuses missing, non-Bearer, forged, re-signed, alg:none, expired and foreign tokens", async () => {
    const authenticate = accessTokenAuthenticator(options);
    const token = stubAccessToken("alice");
    const forgedPayload = b64({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), grants: { identity: "bob" } });
    const sign = (h: string, p: string, secret: string) => createHmac("sha256", secret).update(`${h}.${p}`).digest("base64url");
    const foreign = new twilio.jwt.AccessToken("AC" + "1".repeat(32), STUB_API_KEY_SID, STUB_API_KEY_SECRET, { identity: "alice" }).toJwt();
    for (const value of [
      undefined,
      `Basic ${Buffer.from("a:b").toString("base64")}`,
      token, // no scheme
      `Bearer ${header}.${forgedPayload}.${token.split(".")[2]}`, // payload swapped, old signature
      `Bearer ${header}.${forgedPayload}.${sign(header, forgedPayload, "another-secret")}`,
      `Bearer ${b64({ alg: "none", typ: "JWT" })}.${forgedPayload}.`,
      `Bearer ${stubAccessToken("alice", { ttl: -120 })}`,
      `Bearer ${foreign}`,
      `Bearer ${token}x`,
    ]) {
      expect(await authenticate(request(value)), String(value)).toBeUndefined();
    }
  });

  it("honours exp with a bounded clock tolerance", () => {
    const token = stubAccessToken("alice", { ttl: 60 });
    expect(verifyAccessToken(token, { ...options, now: () => Date.now() + 80_000 })).toBe("alice");
    expect(verifyAccessToken(token, { ...options, now: () => Date.now() + 100_000 })).toBeUndefined();
  });

  it("needs the API key secret", () => {
    expect(() => accessTokenAuthenticator({ apiKeySecret: "" })).toThrow(TypeError);
  });
});
