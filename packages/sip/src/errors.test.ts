import { describe, expect, it } from "vitest";
import { callError, deviceError, recordingError, registerError, transferError } from "./errors.js";
import { SipFailure } from "./stack.js";

describe("SIP failures as typed errors", () => {
  it.each([
    [486, "DESTINATION_BUSY"],
    [600, "DESTINATION_BUSY"],
    [603, "DESTINATION_BUSY"],
    [404, "INVALID_DESTINATION"],
    [484, "INVALID_DESTINATION"],
    [604, "INVALID_DESTINATION"],
    [408, "REQUEST_TIMEOUT"],
    [480, "REQUEST_TIMEOUT"],
    [500, "VENDOR_ERROR"],
    [0, "VENDOR_ERROR"],
  ])("a call failing with %i is %s", (status, code) => {
    expect(callError(new SipFailure("x", status), "dial").code).toBe(code);
  });

  it("a transfer target's final sipfrag status follows the same table, its phrase in the message", () => {
    const error = transferError(486, "Busy Here", "blindTransfer");
    expect(error.code).toBe("DESTINATION_BUSY");
    expect(error.message).toContain("486 Busy Here");
    expect(transferError(404, "Not Found", "completeTransfer").code).toBe("INVALID_DESTINATION");
    expect(transferError(503, "Service Unavailable", "blindTransfer").code).toBe("VENDOR_ERROR");
  });

  it("a refused microphone is MEDIA_PERMISSION_DENIED, even wrapped by the library", () => {
    const denied = new DOMException("Permission denied", "NotAllowedError");
    expect(callError(denied, "answer").code).toBe("MEDIA_PERMISSION_DENIED");
    expect(callError(new Error("SDH failed", { cause: denied }), "answer").code).toBe("MEDIA_PERMISSION_DENIED");
    expect(callError(new Error("something else"), "answer").code).toBe("VENDOR_ERROR");
  });

  it.each([
    [401, "AUTH_FAILED"],
    [407, "AUTH_FAILED"],
    [403, "AUTH_FAILED"],
    [408, "LINK_DOWN"],
    [503, "LINK_DOWN"],
    [0, "LINK_DOWN"],
    [500, "VENDOR_ERROR"],
  ])("a registration failing with %i is %s", (status, code) => {
    expect(registerError(new SipFailure(`${status} Something`, status), "login").code).toBe(code);
  });
});

describe("audio devices the browser refused, as typed errors", () => {
  it.each([
    ["NotAllowedError", "input", "MEDIA_PERMISSION_DENIED"],
    ["NotAllowedError", "output", "MEDIA_PERMISSION_DENIED"],
    ["OverconstrainedError", "input", "INVALID_ARGUMENT"],
    ["NotFoundError", "output", "INVALID_ARGUMENT"],
    ["NotReadableError", "input", "VENDOR_ERROR"],
  ] as const)("%s on the %s is %s", (name, use, code) => {
    const error = deviceError(new DOMException("x", name), use, "Headset");
    expect(error).toMatchObject({ code, request: "selectAudioDevice" });
  });
});

describe("Record INFO refusals", () => {
  it("403/405/501 NOT_SUPPORTED, 481 INVALID_STATE, 408 REQUEST_TIMEOUT that is not retryable (a toggling record feature may have acted)", () => {
    const as = (status: number) => recordingError(new SipFailure(`${status} x`, status), "pauseRecording");
    expect([403, 405, 501].map((s) => as(s).code)).toEqual(["NOT_SUPPORTED", "NOT_SUPPORTED", "NOT_SUPPORTED"]);
    expect(as(481).code).toBe("INVALID_STATE");
    expect(as(408)).toMatchObject({ code: "REQUEST_TIMEOUT", retryable: false, request: "pauseRecording" });
    expect(as(408).message).toMatch(/state is unknown/);
    expect(as(500).code).toBe("VENDOR_ERROR");
  });
});
