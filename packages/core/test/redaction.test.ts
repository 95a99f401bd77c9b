// Issue 18, items 7 and 9: redaction is linear-time on hostile input, bounded
// in what it scans and returns, and covers the ways secrets really travel
// (key names, header tuples, {name, value} pairs, query strings, Basic/Bearer).
import { describe, expect, it } from "vitest";
import { createDesktop, CtiError, redact, type DesktopEvent } from "../src/index.js";
import { maskPhoneNumbers } from "../src/logging.js";
import { recordingConnector } from "./recording-connector.js";

const S = "S3cr3tV4lue"; // the secret every must-redact case hides

type Case = [name: string, input: unknown, gone: string[], kept: string[]];

/** Must redact: the `gone` strings never appear in the output; `kept` ones still do. */
const REDACT: Case[] = [
  // Key names, matched on name segments (camelCase, snake_case, kebab-case).
  ["password", { password: S }, [S], ["password"]],
  ["pwd", { pwd: S }, [S], []],
  ["passwd", { passwd: S }, [S], []],
  ["passcode", { passcode: S }, [S], []],
  ["sipPassword", { sipPassword: S }, [S], []],
  ["auth", { auth: S }, [S], []],
  ["authToken", { authToken: S }, [S], []],
  ["authorization", { authorization: S }, [S], []],
  ["Proxy-Authorization", { "Proxy-Authorization": S }, [S], []],
  ["x-api-key", { "x-api-key": S }, [S], []],
  ["XApiKey", { XApiKey: S }, [S], []],
  ["apiKey", { apiKey: S }, [S], []],
  ["api_key", { api_key: S }, [S], []],
  ["apikey", { apikey: S }, [S], []],
  ["apiSecret", { apiSecret: S }, [S], []],
  ["client_secret", { client_secret: S }, [S], []],
  ["clientSecret", { clientSecret: S }, [S], []],
  ["signature", { signature: S }, [S], []],
  ["sig", { sig: S }, [S], []],
  ["accessKeyId", { accessKeyId: S }, [S], []],
  ["secretAccessKey", { secretAccessKey: S }, [S], []],
  ["sessionToken", { sessionToken: S }, [S], []],
  ["refresh_token", { refresh_token: S }, [S], []],
  ["id_token", { id_token: S }, [S], []],
  ["X-Amz-Security-Token", { "X-Amz-Security-Token": S }, [S], []],
  ["otp", { otp: S }, [S], []],
  ["OTPCode", { OTPCode: S }, [S], []],
  ["pin", { pin: S }, [S], []],
  ["PIN", { PIN: S }, [S], []],
  ["pinCode", { pinCode: S }, [S], []],
  ["credentials (object)", { credentials: { user: S } }, [S], []],
  ["cookie", { cookie: S }, [S], []],
  ["Set-Cookie", { "Set-Cookie": S }, [S], []],
  ["privateKey", { privateKey: S }, [S], []],
  ["jwt", { jwt: S }, [S], []],
  ["HA1", { HA1: S }, [S], []],
  // Header tuples and {name, value} pairs.
  ["header tuple", [["Authorization", `Bearer ${S}`]], [S], ["Authorization"]],
  ["header tuple, cookie", [["Cookie", `a=${S}`], ["Accept", "*/*"]], [S], ["*/*"]],
  ["{name, value}", { headers: [{ name: "X-Api-Key", value: S }] }, [S], ["X-Api-Key"]],
  ["{key, value}", [{ key: "password", value: S }], [S], []],
  // Query strings and form bodies.
  ["?token=", "GET /ws?token=" + S + " HTTP/1.1", [S], ["/ws?token=", "HTTP/1.1"]],
  ["&access_token=", "https://api.example/x?a=1&access_token=" + S + "&b=2", [S], ["a=1", "b=2"]],
  ["?password=", "https://x.example/login?user=bob&password=" + S, [S], ["user=bob"]],
  ["sig=", "https://x.example/media?sig=" + S + "&exp=1", [S], ["exp=1"]],
  ["X-Amz-Signature=", "https://s3.example/o?X-Amz-Signature=" + S, [S], []],
  ["X-Amz-Credential=", "https://s3.example/o?X-Amz-Credential=" + S + "%2F20240101", [S], []],
  ["X-Amz-Security-Token=", "https://s3.example/o?X-Amz-Security-Token=" + S, [S], []],
  ["client_secret in a form body", "grant_type=refresh&client_secret=" + S, [S], ["grant_type=refresh"]],
  // Schemes and tokens in free text and in Error messages.
  ["Basic in text", "sent Basic dXNlcjpwYXNzd29yZA== to the server", ["dXNlcjpwYXNzd29yZA"], ["to the server"]],
  ["Bearer in text", `retrying with Bearer ${S}`, [S], ["retrying with Bearer"]],
  ["Bearer in an Error message", new Error(`401 for Bearer ${S}`), [S], ["401 for"]],
  ["Basic in an Error message", { error: new Error("auth failed: Basic dXNlcjpwYXNz") }, ["dXNlcjpwYXNz"], []],
  ["query token in an Error message", new Error(`fetch https://x.example/?token=${S} failed`), [S], ["failed"]],
  ["JWT in text", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl here", ["eyJhbGci", "c2lnbmF0dXJl"], ["here"]],
  ["JWT after %20", "Bearer%20eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", ["eyJzdWIiOiJ4In0"], []],
  ["SIP URI password", `sip:alice:${S}@pbx.example`, [S], ["sip:alice:", "@pbx.example"]],
  ["SIP URI password with a colon", `sip:alice:${S}:x@pbx.example`, [S], []],
  ["WebSocket URI password", `wss://bob:${S}@pbx.example:8443/ws`, [S], ["pbx.example:8443"]],
  ["Authorization header line", `INVITE sip:x SIP/2.0\r\nAuthorization: Digest response="${S}"\r\nCSeq: 1`, [S], ["CSeq: 1"]],
  ["secret header line", `GET / HTTP/1.1\r\nX-Api-Key: ${S}\r\nHost: x`, [S], ["Host: x"]],
  // Review of the redaction rules (issue 18 follow-up), item 2: JSON in text, "name: value", any secret header line.
  ["JSON in text", `{"user":"bob","password":"${S}"}`, [S], ['\\"user\\":\\"bob\\"', '\\"password\\":\\"[redacted]\\"']],
  ["JSON with spaces and a two-word name", `{ "api key": "${S}", "a": 1 }`, [S], ['\\"a\\": 1']],
  ["JSON with an escaped quote", `{"password":"ab\\"${S}"}`, [S], []],
  ["password: value", `password: ${S}`, [S], ["password:"]],
  ["token:value", `token:${S}`, [S], []],
  ["pwd:value", `pwd:${S}`, [S], []],
  ["prose after a secret name and a colon", `invalid token: ${S} (expired)`, [S, "expired"], ["invalid token:"]],
  ["X-Auth-Token header line", `GET / HTTP/1.1\r\nX-Auth-Token: ${S}\r\nHost: x`, [S], ["Host: x"]],
  ["X-Amz-Security-Token header line", `X-Amz-Security-Token: ${S}\r\nAccept: */*`, [S], ["Accept: */*"]],
  ["Authorization mid-line, Digest", `sent Authorization: Digest username="1001", response="${S}"`, [S], ["sent Authorization:"]],
  ["a secret inside a quoted logfmt value", `msg="login failed password=${S}" at=1`, [S], ["at=1"]],
  ["a secret after a comma", `a=1,password=${S}`, [S], ["a=1"]],
  // Item 3: partial leaks.
  ["password=ab=…", `password=ab=${S}`, [S], []],
  ['password="a …"', `password="a ${S}"`, [S], ['password=\\"[redacted]\\"']],
  ["password='a …'", `password='a ${S}' next`, [S], ["next"]],
  ["URI with an empty user", `redis://:${S}@cache:6379`, [S], ["@cache:6379"]],
  ["Basic after a tab", `Basic\t${S}==`, [S], []],
  // Item 4: secret names written as one word.
  ["authtoken", { authtoken: S }, [S], []],
  ["accesstoken", { accesstoken: S }, [S], []],
  ["secretkey", { secretkey: S }, [S], []],
  ["newpassword", { newpassword: S }, [S], []],
  ["newpasswd (a one-word passwd)", { newpasswd: S, sippasswd: S }, [S], []],
  ["AUTHTOKEN", { AUTHTOKEN: S }, [S], []],
  ["mysecretvalue", { mysecretvalue: S }, [S], []],
  ["authtoken= in text", `x?authtoken=${S}`, [S], []],
  // Item 5: flat header lists and pair shapes.
  ["Node rawHeaders", ["Host", "a.example", "X-Api-Key", S, "Accept", "*/*"], [S], ["Host", "a.example", "*/*"]],
  ["{Name, Value}", { Headers: [{ Name: "X-Api-Key", Value: S }] }, [S], ["X-Api-Key"]],
  ["{header, value}", [{ header: "Authorization", value: S }], [S], ["Authorization"]],
  ["{KEY, VALUE}", [{ KEY: "sessionToken", VALUE: S }], [S], []],
];

/** Must keep: the output equals the input. */
const KEEP: [name: string, input: unknown][] = [
  ["pinned", { pinned: true, spin: "left", opinion: "good" }],
  ["author, authority, authorId", { author: "Ann", authority: "CA", authorId: "7" }],
  ["keys with key, token-free words", { key: "k", keyboard: "uk", monkey: "m", tokenizer: "t", passenger: "p", signal: "s", design: "d" }],
  ["session ids and call data", { sessionId: "abc", callId: "c1", customerId: "C-1" }],
  ["{name, value} that is not a secret", { headers: [{ name: "Accept", value: "text/plain" }] }],
  ["header tuple that is not a secret", [["Content-Type", "application/json"]]],
  ["the word token in prose", "the token expired; ask for a new token"],
  ["Basic and Bearer in prose", "Basic plan; the bearer of bad news"],
  ["phone numbers", { from: "+15550100199", note: "call +1 555 0100 199" }],
  ["SIP URIs without passwords", "sip:1001@pbx.example:5060;transport=ws and wss://pbx.example:8443/ws"],
  ["harmless query strings", "https://crm.example/search?page=2&author=me&opinion=ok&pinned=1"],
  ["a header line that is not a secret", "Content-Type: application/sdp\r\nCSeq: 2 REGISTER"],
  ["JSON without secrets", '{"name":"Ann","note":"call back: 10:00","ratio":"1:2"}'],
  ["flat lists that are not secrets", { headers: ["Host", "a", "Accept", "*/*"], words: ["password"], odd: ["token", "x", "y"] }],
  ["{name, value} pairs that are not secrets", [{ Name: "Accept", Value: "*/*" }, { header: "Host", value: "h" }]],
  ["name=value without secrets", "a=ab=cd; b=\"x y\" c='z' time: 10:00"],
];

describe("redaction rule set", () => {
  it("has at least 50 cases", () => expect(REDACT.length + KEEP.length).toBeGreaterThanOrEqual(50));

  it.each(REDACT)("redacts %s", (_name, input, gone, kept) => {
    const out = JSON.stringify(redact(input));
    for (const g of gone) expect(out).not.toContain(g);
    for (const k of kept) expect(out).toContain(k);
    expect(out).toContain("[redacted]");
  });

  it.each(KEEP)("keeps %s", (_name, input) => {
    expect(redact(input)).toEqual(input);
  });

  it("never throws (item 6): unreadable parts become [unreadable], invalid dates stay readable", () => {
    const broken = new Error("x");
    Object.defineProperty(broken, "message", { get: () => { throw new Error("getter"); } });
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error("trap"); } });
    expect(redact({ when: new Date(NaN), ok: 1 })).toEqual({ when: "Invalid Date", ok: 1 });
    expect(redact({ broken, ok: 1 })).toEqual({ broken: "[unreadable]", ok: 1 });
    expect(redact([hostile, "a"])).toEqual(["[unreadable]", "a"]);
    expect(redact(broken)).toBe("[unreadable]");
  });

  it("masks phone numbers only when asked (the logging entry)", () => {
    expect(maskPhoneNumbers(redact({ from: "+15550100199" }))).toEqual({ from: "+*******0199" });
  });

  it("redacts in the Desktop's error events", () => {
    const rec = recordingConnector();
    const desktop = createDesktop({ connector: rec.connector });
    const errors: DesktopEvent[] = [];
    desktop.on("error", (e) => errors.push(e));
    rec.ctx.invalidVendorEvent("bad", { headers: [["Authorization", `Bearer ${S}`]], url: `wss://x/?access_token=${S}`, otp: S });
    expect(JSON.stringify(errors)).not.toContain(S);
  });
});

describe("text handed to the host is redacted like logs", () => {
  const secretFree = (x: unknown) => expect(JSON.stringify(x)).not.toContain(S);

  it("in error and warning messages and link reasons a connector reports", () => {
    const rec = recordingConnector();
    const desktop = createDesktop({ connector: rec.connector });
    rec.ctx.signal({ kind: "error", code: "VENDOR_ERROR", message: `auth failed: Authorization: Basic ${S}` });
    rec.ctx.signal({ kind: "warning", code: "ws", message: `ws wss://x/?access_token=${S}` });
    rec.ctx.setLink("reconnecting", `retry https://u:${S}@h/`);
    rec.ctx.invalidVendorEvent(`bad frame token=${S}`, {});
    rec.ctx.setAgent({ state: "ready", agentId: `Bearer ${S}` + "x".repeat(300) });
    const events = desktop.events();
    expect(events.map((e) => e.type)).toEqual(["link.changed", "error", "warning", "link.changed", "error", "error"]);
    secretFree(events);
    expect(events[1]).toMatchObject({ message: "auth failed: Authorization: [redacted]" });
    expect(events[3]).toMatchObject({ reason: "retry https://u:[redacted]@h/" });
  });

  it("in the CtiError a request rejects with, and in the start failure", async () => {
    const rec = recordingConnector();
    const desktop = createDesktop({ connector: rec.connector });
    await desktop.login();
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    rec.behaviour.set("hold", new Error(`503 from vendor; Authorization: Bearer ${S}`));
    const error = await desktop.hold("1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "VENDOR_ERROR" });
    secretFree((error as Error).message);
    expect(new CtiError("AUTH_FAILED", `bad ?token=${S}`).message).toBe("bad ?token=[redacted]");

    const failing = { ...rec.connector, start: () => Promise.reject(new Error(`login to wss://u:${S}@pbx failed`)) };
    const d2 = createDesktop({ connector: failing });
    await new Promise((r) => setTimeout(r, 0));
    expect(d2.events().length).toBe(2);
    secretFree(d2.events());
  });
});

describe("redaction is linear and bounded", () => {
  const N = 120_000;
  const HOSTILE: [string, string][] = [
    ["eyJ…", "eyJ".repeat(N / 3)],
    ["eyJ… with dots", "eyJaaaaaa.".repeat(N / 10)],
    ["sip:…", "sip:".repeat(N / 4)],
    ["sip:a:…", "sip:a:".repeat(N / 6)],
    ["//…", "//".repeat(N / 2)],
    ["//a:…", "//a:".repeat(N / 4)],
    ["Authorization: …", "Authorization: ".repeat(N / 15)],
    ["Authorization:… no space", "authorization:".repeat(N / 14)],
    ["Basic …", "Basic ".repeat(N / 6)],
    ["Bearer x…", "Bearer x".repeat(N / 8)],
    ["?token=…", "?token=".repeat(N / 7)],
    ["a=…", "a=".repeat(N / 2)],
    ["a long word", "a".repeat(N)],
    ["a long word then =", "a".repeat(N) + "="],
    ["header lines", "X-Api-Key\n".repeat(N / 10)],
    ["digits for phone masking", "1x".repeat(N / 2)],
    ['"a": …', '"a": '.repeat(N / 5)],
    ['"aaa… without a closing quote', '"' + "a ".repeat(N / 2)],
    ["quotes", '"'.repeat(N)],
    ["a: …", "a: ".repeat(N / 3)],
    ["password=\"\\…", 'password="' + "\\".repeat(N)],
    ["token: lines", "token: x\n".repeat(N / 9)],
  ];

  it.each(HOSTILE)("%s at 120 kB takes well under 200 ms", (_name, text) => {
    const started = performance.now();
    maskPhoneNumbers(redact({ x: text, from: text }));
    redact(new Error(text));
    expect(performance.now() - started).toBeLessThan(200);
  });

  it("truncates long strings with a marker and bounds the whole output", () => {
    const out = redact({ name: "x".repeat(10_000_000), list: Array.from({ length: 100_000 }, (_, i) => `item ${i}`) });
    const text = JSON.stringify(out);
    expect(text.length).toBeLessThan(20_000);
    expect(text).toContain("[truncated]");
  });

  it("does not leak a secret cut by truncation", () => {
    const text = "x".repeat(16_369) + ` sip:alice:${S}@pbx`;
    expect(JSON.stringify(redact(text))).not.toContain(S.slice(0, 3));
  });
});
