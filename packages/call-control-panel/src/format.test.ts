import { CtiError, type Call } from "@opencti/core";
import { describe, expect, it } from "vitest";
import { END_REASONS } from "@opencti/core";
import { callClockStart, callOutcome, callTitle, END_REASON_LABEL, formatDuration } from "./format.ts";
import { describeFailure } from "./panel.ts";

const call = (fields: Partial<Call>): Call => ({ id: "c1", vendorCallId: "v1", direction: "inbound", state: "ringing", parties: [], muted: false, data: {}, startedAt: 1000, actions: [], ...fields });

describe("panel wording", () => {
  it("formats durations as m:ss and h:mm:ss", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(-5)).toBe("0:00");
    expect(formatDuration(7_999)).toBe("0:07");
    expect(formatDuration(12 * 60_000 + 3_000)).toBe("12:03");
    expect(formatDuration(3_723_000)).toBe("1:02:03");
  });

  it("titles a call by name, number, dialled number or remote party", () => {
    expect(callTitle(call({ from: "+15550100", fromName: "Ada" }))).toBe("Ada");
    expect(callTitle(call({ from: "+15550100" }))).toBe("+15550100");
    expect(callTitle(call({ direction: "outbound", from: "+1000", to: "+15550199" }))).toBe("+15550199");
    expect(callTitle(call({ parties: [{ id: "p", role: "customer", state: "connected", displayName: "Grace" }] }))).toBe("Grace");
    expect(callTitle(call({}))).toBe("Unknown caller");
  });

  it("says how a call ended, with the vendor's reason when it gave one", () => {
    expect(Object.keys(END_REASON_LABEL).sort()).toEqual([...END_REASONS].sort());
    expect(callOutcome(call({ state: "ended", endReason: "busy", failure: { code: "DESTINATION_BUSY", vendorCode: "486", message: "Busy Here" } }))).toBe("Busy: Busy Here (486)");
    expect(callOutcome(call({ state: "ended", endReason: "failed", failure: { code: "MEDIA_PERMISSION_DENIED", message: "The microphone is blocked." } }))).toBe("Call failed: The microphone is blocked.");
    expect(callOutcome(call({ state: "ended", endReason: "missed" }))).toBe("Missed: not answered in time");
    expect(callOutcome(call({ state: "ended" }))).toBe("Ended");
  });

  it("counts a call's time from when it connected", () => {
    expect(callClockStart(call({ startedAt: 5, connectedAt: 9 }))).toBe(9);
    expect(callClockStart(call({ startedAt: 5 }))).toBe(5);
  });

  it("words a failure so the agent can act on it", () => {
    expect(describeFailure("hold", new CtiError("LINK_DOWN", "The telephony link is reconnecting."))).toBe(
      "Could not put the call on hold: The telephony link is reconnecting. Try again.",
    );
    expect(describeFailure("dial", new CtiError("INVALID_DESTINATION", '"x" is not a number or address that can be dialled.'))).toBe(
      'Could not place the call: "x" is not a number or address that can be dialled.',
    );
    expect(describeFailure("answer", "weird")).toBe("Could not answer: something unexpected went wrong.");
  });
});
