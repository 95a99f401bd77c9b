// Server error codes → CtiErrors, on plain data.
import { describe, expect, it } from "vitest";
import { serverError } from "./errors.js";

describe("serverError", () => {
  it("keeps a CtiError code the server sends, with its message and the error as cause", () => {
    const error = { code: "DESTINATION_BUSY", message: "+15550666 is busy" };
    expect(serverError(error)).toMatchObject({ code: "DESTINATION_BUSY", message: "+15550666 is busy", cause: error });
  });

  it("makes any other code a VENDOR_ERROR", () => {
    expect(serverError({ code: "E_SWITCH_FIRE", message: "Switch is overloaded" })).toMatchObject({ code: "VENDOR_ERROR", message: "Switch is overloaded" });
  });

  it("has words of its own when the server sends no error", () => {
    expect(serverError(undefined)).toMatchObject({ code: "VENDOR_ERROR", message: "The simulator refused the request" });
  });
});
