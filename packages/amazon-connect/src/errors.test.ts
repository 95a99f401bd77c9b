// streamsFailure and softphoneFailure on plain data: the shapes Streams hands a failure callback `(err, data)` and a softphone error.
import { CtiError } from "@opencti/core";
import { describe, expect, it } from "vitest";
import { softphoneFailure, softphoneWarning, streamsFailure } from "./errors.js";

describe("streamsFailure", () => {
  it("keeps the vendor's words and the raw error as cause", () => {
    const err = { type: "AccessDeniedException", message: "User is not authorized" };
    const error = streamsFailure("accept the call", err);
    expect(error).toBeInstanceOf(CtiError);
    expect(error).toMatchObject({ code: "AUTH_FAILED", message: "Amazon Connect could not accept the call: User is not authorized" });
    expect(error.cause).toBe(err);
  });

  it.each([
    [{ type: "AccessDenied" }, "AUTH_FAILED"],
    [{ statusCode: 403, message: "Forbidden" }, "AUTH_FAILED"],
    [{ type: "InvalidStateException", message: "Agent is in a wrong state" }, "INVALID_STATE"],
    [{ type: "BadEndpointException" }, "INVALID_DESTINATION"],
    [{ errorMessage: "+1 is not a valid phone number" }, "INVALID_DESTINATION"],
    [{ message: "The line is busy" }, "DESTINATION_BUSY"],
    [{ type: "InternalServiceException" }, "VENDOR_ERROR"],
    ["something broke", "VENDOR_ERROR"],
  ])("%j → %s", (err, code) => {
    expect(streamsFailure("do it", err).code).toBe(code);
  });

  it("falls back to the data's words, then to none, with the data as cause when there is no error", () => {
    const data = { errorMessage: "Contact not found" };
    const error = streamsFailure("hang up", undefined, data);
    expect(error.message).toBe("Amazon Connect could not hang up: Contact not found");
    expect(error.cause).toBe(data);
    expect(streamsFailure("hang up", {}).message).toBe("Amazon Connect could not hang up: no reason given");
  });

  it("reads message, errorMessage, type and code in that order", () => {
    expect(streamsFailure("x", { code: "C", type: "T", errorMessage: "E" }).message).toBe("Amazon Connect could not x: E");
    expect(streamsFailure("x", { code: "C", type: "T" }).message).toBe("Amazon Connect could not x: T");
    expect(streamsFailure("x", { code: 42 }).message).toBe("Amazon Connect could not x: no reason given");
  });
});

describe("softphoneFailure", () => {
  it("a refused microphone is MEDIA_PERMISSION_DENIED; any other softphone error is VENDOR_ERROR; both keep the type and words", () => {
    expect(softphoneFailure("microphone_not_shared", "Your microphone is not enabled in your browser. ")).toMatchObject({
      code: "MEDIA_PERMISSION_DENIED",
      message: "Amazon Connect's softphone failed (microphone_not_shared): Your microphone is not enabled in your browser.",
    });
    expect(softphoneFailure("ice_collection_timeout", "")).toMatchObject({ code: "VENDOR_ERROR", message: "Amazon Connect's softphone failed (ice_collection_timeout): no reason given" });
  });

  it.each([
    ["microphone_not_shared", "MEDIA_PERMISSION_DENIED", false],
    ["unsupported_browser", "VENDOR_ERROR", false],
    ["vdi_strategy_not_supported", "VENDOR_ERROR", false],
    ["vdi_redir_not_supported", "VENDOR_ERROR", false],
    ["multiple_softphone_active_sessions", "VENDOR_ERROR", false],
    ["signalling_handshake_failure", "VENDOR_ERROR", true],
    ["signalling_connection_failure", "VENDOR_ERROR", true],
    ["ice_collection_timeout", "VENDOR_ERROR", true],
    ["user_busy_error", "VENDOR_ERROR", true],
    ["webrtc_error", "VENDOR_ERROR", true],
    ["realtime_communication_error", "VENDOR_ERROR", true],
    ["other", "VENDOR_ERROR", true],
    ["something_new", "VENDOR_ERROR", true],
    // A type that is an Object method's name is an unknown type too (it used to throw: "function is not iterable").
    ["toString", "VENDOR_ERROR", true],
  ])("softphone error %s → %s, retryable %s", (type, code, retryable) => {
    expect(softphoneFailure(type, "")).toMatchObject({ code, retryable });
  });
});

describe("softphoneWarning", () => {
  it("audio_enhancement_failure is a warning with the softphone's words; a failing type (or an Object method's name) is not", () => {
    expect(softphoneWarning("audio_enhancement_failure", "Noise suppression failed. ")).toEqual({
      code: "AUDIO_ENHANCEMENT_FAILED",
      message: "Amazon Connect's softphone (audio_enhancement_failure): Noise suppression failed.; the call goes on without it.",
    });
    expect(softphoneWarning("audio_enhancement_failure", " ")?.message).toContain("no reason given");
    expect(softphoneWarning("webrtc_error", "webrtc system error")).toBeUndefined();
    expect(softphoneWarning("toString", "")).toBeUndefined();
  });
});
