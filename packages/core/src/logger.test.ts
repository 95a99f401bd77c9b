import { describe, expect, it } from "vitest";
import { redact, redactingLogger, type Logger } from "./logger.js";
import { createConsoleLogger, maskPhoneNumber, maskPhoneNumbers } from "./logging.js";

function capture(): { lines: unknown[][]; logger: Logger } {
  const lines: unknown[][] = [];
  const push = (...args: unknown[]): void => void lines.push(args);
  return { lines, logger: { debug: push, info: push, warn: push, error: push } };
}

describe("redact", () => {
  it("removes secrets by key, JWTs and URI passwords, deeply", () => {
    const input = {
      password: "p",
      sipPassword: "p2",
      authorizationUser: "u",
      accessToken: "t",
      credentials: { user: "x" },
      list: [{ apiKey: "k" }, "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"],
      wsUri: "wss://bob:pw@pbx.example:8443",
      fine: "value",
    };
    const out = JSON.stringify(redact(input));
    expect(out).not.toMatch(/"p"|"p2"|"t"|"k"|eyJhbGci|:pw@|"u"/);
    expect(out).toContain('"fine":"value"');
    expect(input.password).toBe("p"); // the input is untouched
  });

  it("removes Authorization header values from logged protocol text (a SIP message)", () => {
    const sip = 'REGISTER sip:pbx SIP/2.0\r\nProxy-Authorization: Digest username="1001", response="6629fae49393a05397450978507c4ef1"\r\nauthorization: Basic dTpw\r\nCSeq: 2 REGISTER\r\n';
    const out = redact(sip) as string;
    expect(out).not.toMatch(/6629fae4|dTpw/);
    expect(out).toContain("Proxy-Authorization: [redacted]\r\n");
    expect(out).toContain("CSeq: 2 REGISTER");
  });

  it("keeps phone numbers; maskPhoneNumbers (the logging entry) masks those under phone-like keys, deeply", () => {
    expect(redact({ from: "+15550100199" })).toEqual({ from: "+15550100199" });
    expect(maskPhoneNumbers({ from: "+15550100199", note: "+1555", parties: [{ address: "+442071838750" }], n: 3 })).toEqual({
      from: "+*******0199",
      note: "+1555",
      parties: [{ address: "+********8750" }],
      n: 3,
    });
    expect(maskPhoneNumber("sip:1001@pbx")).toBe("sip:1001@pbx");
    // A cycle (not redacted first) is cut, not a stack overflow.
    const cyclic: Record<string, unknown> = { from: "+15550100199" };
    cyclic.self = cyclic;
    expect(JSON.stringify(maskPhoneNumbers(cyclic))).toContain('"self":"[…]"');
  });

  it("survives cycles, errors and dates", () => {
    const a: Record<string, unknown> = { when: new Date(0), err: new Error("x") };
    a.self = a;
    expect(redact(a)).toEqual({ when: "1970-01-01T00:00:00.000Z", err: { name: "Error", message: "x" }, self: "[…]" });
  });
});

describe("loggers", () => {
  it("drops levels below the threshold and redacts fields", () => {
    const { lines, logger } = capture();
    const log = redactingLogger(logger, { level: "warn" });
    log.info("hidden");
    log.warn("shown", { token: "abc" });
    expect(lines).toEqual([["shown", { token: "[redacted]" }]]);
  });

  it("console logger writes through a sink with a prefix", () => {
    const { lines, logger } = capture();
    const log = createConsoleLogger({ level: "debug", sink: logger, maskPhoneNumbers: true });
    log.debug("dialing", { destination: "+15550100199", token: "abc" });
    expect(lines).toEqual([["[opencti]", "dialing", { destination: "+*******0199", token: "[redacted]" }]]);
    const plain = capture();
    createConsoleLogger({ sink: plain.logger }).info("dialing", { destination: "+15550100199" });
    expect(plain.lines).toEqual([["[opencti]", "dialing", { destination: "+15550100199" }]]);
  });

  it("never lets a broken logger throw", () => {
    const log = redactingLogger({ debug() {}, info() {}, warn() {}, error() { throw new Error("disk full"); } });
    expect(() => log.error("x")).not.toThrow();
  });
});
