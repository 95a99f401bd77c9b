import { CtiError } from "@opencti/core";
import { describe, expect, it } from "vitest";
import { ctiCodeFor, isSocketFailure, toTwilioCtiError } from "./errors.js";

describe("Twilio SDK error codes → CtiError codes", () => {
  it.each([
    [20101, "AUTH_FAILED"],
    [20104, "AUTH_FAILED"],
    [20151, "AUTH_FAILED"],
    [31204, "AUTH_FAILED"],
    [31205, "AUTH_FAILED"],
    [31401, "MEDIA_PERMISSION_DENIED"],
    [31402, "MEDIA_PERMISSION_DENIED"],
    [31208, "MEDIA_PERMISSION_DENIED"],
    [31486, "DESTINATION_BUSY"],
    [31603, "CALL_REJECTED"],
    [31404, "INVALID_DESTINATION"],
    [31005, "LINK_DOWN"],
    [53000, "LINK_DOWN"],
    [53001, "LINK_DOWN"],
    [31009, "LINK_DOWN"],
    [31000, "VENDOR_ERROR"],
    ["20101", "VENDOR_ERROR"],
    [undefined, "VENDOR_ERROR"],
  ])("%s → %s", (code, expected) => {
    expect(ctiCodeFor(code)).toBe(expected);
  });

  it("keeps the Twilio code in the message, the SDK error as cause, and the retryable rule of the code", () => {
    const sdkError = { code: 31486, message: "Busy", explanation: "The callee is busy." };
    const e = toTwilioCtiError(sdkError, "dial");
    expect(e).toBeInstanceOf(CtiError);
    expect(e).toMatchObject({ code: "DESTINATION_BUSY", message: "The callee is busy. (Twilio 31486)", request: "dial", retryable: true, cause: sdkError });
    expect(toTwilioCtiError({ code: 20101, message: "Invalid token" }).retryable).toBe(false);
  });

  it("passes CtiErrors through and reads anything else", () => {
    const original = new CtiError("LINK_DOWN", "down");
    expect(toTwilioCtiError(original)).toBe(original);
    expect(toTwilioCtiError("boom")).toMatchObject({ code: "VENDOR_ERROR", message: "boom" });
    expect(toTwilioCtiError(null)).toMatchObject({ code: "VENDOR_ERROR" });
  });
});

describe("a 31000 from the SDK's own WebSocket is a link error", () => {
  // The shapes Device#_onSignalingError builds: the precise error, with the PStream payload as originalError.
  const socketError = { code: 31000, message: "UnknownError (31000): …", originalError: { code: 31000, message: "WSTransport socket error", twilioError: { code: 53001 } } };
  const gatewayError = { code: 31000, message: "UnknownError (31000): …", originalError: { code: 31000, message: "Generic error", twilioError: { code: 53000 } } };

  it("tagged with the SDK's ConnectionDisconnected (53001): LINK_DOWN", () => {
    expect(isSocketFailure(socketError)).toBe(true);
    expect(toTwilioCtiError(socketError)).toMatchObject({ code: "LINK_DOWN", message: expect.stringContaining("31000") });
  });

  it("an error frame from Twilio (tagged 53000 by PStream) or an untagged 31000 stays VENDOR_ERROR", () => {
    expect(isSocketFailure(gatewayError)).toBe(false);
    expect(toTwilioCtiError(gatewayError).code).toBe("VENDOR_ERROR");
    expect(toTwilioCtiError({ code: 31000, message: "x" }).code).toBe("VENDOR_ERROR");
    expect(isSocketFailure({ code: 31005, originalError: { twilioError: { code: 53001 } } })).toBe(false);
  });
});

describe("errors without a Twilio code go by name (audio devices)", () => {
  it.each([
    // getUserMedia's refusals, as AudioHelper.setInputDevice passes them on.
    ["NotAllowedError", "MEDIA_PERMISSION_DENIED"],
    ["SecurityError", "MEDIA_PERMISSION_DENIED"],
    ["NotFoundError", "INVALID_ARGUMENT"],
    ["OverconstrainedError", "INVALID_ARGUMENT"],
    ["NotReadableError", "VENDOR_ERROR"],
    // The SDK's own errors (errors/index.ts): a device id it does not list, no setSinkId.
    ["InvalidArgumentError", "INVALID_ARGUMENT"],
    ["NotSupportedError", "NOT_SUPPORTED"],
    ["InvalidStateError", "INVALID_STATE"],
  ])("%s → %s", (name, expected) => {
    const error = Object.assign(new Error("Permission denied"), { name });
    expect(toTwilioCtiError(error, "selectAudioDevice")).toMatchObject({ code: expected, message: "Permission denied", request: "selectAudioDevice" });
  });

  it("a DOMException's legacy code is not Twilio's; one without a message says its name", () => {
    const refused = Object.assign(new Error("Permission denied"), { name: "NotAllowedError", code: 0 });
    expect(toTwilioCtiError(refused)).toMatchObject({ code: "MEDIA_PERMISSION_DENIED", message: "Permission denied" });
    const gone = Object.assign(new Error(""), { name: "OverconstrainedError", code: 0 });
    expect(toTwilioCtiError(gone)).toMatchObject({ code: "INVALID_ARGUMENT", message: "OverconstrainedError" });
  });

  it("a Twilio code wins over the name", () => {
    expect(toTwilioCtiError({ name: "NotAllowedError", code: 31486, message: "Busy" }).code).toBe("DESTINATION_BUSY");
  });
});
