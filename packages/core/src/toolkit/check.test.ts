import { describe, expect, it } from "vitest";
import { isBoolean, isKeyOf, isNonEmptyString, isNumber, isRecord, isString } from "./check.js";
import { describe as describeError, errorMessage } from "./text.js";

describe("type guards", () => {
  it("isRecord: plain objects only", () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord(new Error("x"))).toBe(true);
    for (const v of [null, undefined, [], "x", 1, true]) expect(isRecord(v)).toBe(false);
  });

  it("strings, numbers, booleans", () => {
    expect([isString(""), isString("a"), isString(1)]).toEqual([true, true, false]);
    expect([isNonEmptyString(""), isNonEmptyString("a"), isNonEmptyString(null)]).toEqual([false, true, false]);
    expect([isNumber(0), isNumber(-1.5), isNumber(NaN), isNumber(Infinity), isNumber("1")]).toEqual([true, true, false, false, false]);
    expect([isBoolean(false), isBoolean(0)]).toEqual([true, false]);
  });

  it("isKeyOf: own keys of a lookup table, never inherited ones", () => {
    const map = { talking: "connected", held: "held" } as const;
    expect(isKeyOf(map, "talking")).toBe(true);
    expect(isKeyOf(map, "toString")).toBe(false);
    expect(isKeyOf(map, "__proto__")).toBe(false);
    expect(isKeyOf(map, 1)).toBe(false);
  });
});

describe("error text", () => {
  it("errorMessage: an Error's message, else the fallback, else String()", () => {
    expect(errorMessage(new TypeError("bad"))).toBe("bad");
    expect(errorMessage("plain")).toBe("plain");
    expect(errorMessage(42)).toBe("42");
    expect(errorMessage(undefined)).toBe("undefined");
    expect(errorMessage({ code: 1 }, "REGISTER failed")).toBe("REGISTER failed");
    expect(errorMessage(new Error("kept"), "unused")).toBe("kept");
  });

  it("describe: the vendor's own words, or undefined", () => {
    expect(describeError("busy")).toBe("busy");
    expect(describeError("")).toBeUndefined();
    expect(describeError(new Error("boom"))).toBe("boom");
    expect(describeError({ errorMessage: "", type: "AccessDenied" })).toBe("AccessDenied");
    expect(describeError({ code: 31486 })).toBeUndefined(); // strings only
    expect(describeError({ explanation: "why", message: "what" }, ["explanation", "message"])).toBe("why");
    expect(describeError(null) ?? describeError({ message: "from data" }) ?? "no reason given").toBe("from data");
    expect(describeError(7) ?? "no reason given").toBe("no reason given");
  });
});
