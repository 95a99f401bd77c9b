import type { Call } from "@opencti/core";
import { describe, expect, it } from "vitest";
import { parseAlerts } from "./alerts.js";
import { recentCall, remember, RECENT_LIMIT } from "./recent.js";

const call = (over: Partial<Call>): Call => ({
  id: "c1",
  vendorCallId: "c1",
  direction: "inbound",
  state: "ended",
  parties: [],
  muted: false,
  data: {},
  startedAt: 1000,
  actions: [],
  ...over,
});

describe("recentCall", () => {
  it("a call that never connected and ended missed, abandoned, declined, busy, unanswered or failed is a notice", () => {
    for (const endReason of ["missed", "abandoned", "busy", "no_answer", "failed"] as const) {
      expect(recentCall(call({ endReason, endedAt: 5000 }), 9999)).toMatchObject({ notice: true, talkMs: 0, endedAt: 5000, endReason });
    }
    // Declined: a notice when the far end declined the agent's call, not when the agent declined one.
    expect(recentCall(call({ direction: "outbound", endReason: "rejected" }), 0).notice).toBe(true);
    expect(recentCall(call({ direction: "inbound", endReason: "rejected" }), 0).notice).toBe(false);
    for (const endReason of ["local_hangup", "remote_hangup", "transferred", "merged", "lost", "unknown"] as const) {
      expect(recentCall(call({ endReason }), 9999).notice).toBe(false);
    }
  });

  it("after it connected, only a failure is a notice; talk time runs from connected to ended", () => {
    expect(recentCall(call({ endReason: "failed", connectedAt: 2000, endedAt: 65_000 }), 0)).toMatchObject({ notice: true, talkMs: 63_000 });
    expect(recentCall(call({ endReason: "busy", connectedAt: 2000, endedAt: 3000 }), 0).notice).toBe(false);
  });

  it("calls back the caller of an inbound call and the dialled number of an outbound one, normalized; nothing to call back without one", () => {
    expect(recentCall(call({ from: "+1 (555) 010-0100", to: "+15550999" }), 0).callBack).toBe("+15550100100");
    expect(recentCall(call({ direction: "outbound", from: "+15550999", to: "sip:1001@pbx.example.com" }), 0).callBack).toBe("sip:1001@pbx.example.com");
    expect(recentCall(call({ fromName: "Anonymous" }), 0).callBack).toBeUndefined();
    expect(recentCall(call({ from: "<b>not a number</b>" }), 0).callBack).toBeUndefined();
    // Withheld numbers cannot be called back.
    for (const from of ["anonymous", "Restricted", "sip:anonymous@anonymous.invalid", "+266696687", "+7378742833", "Sales Queue"]) expect(recentCall(call({ from }), 0).callBack, from).toBeUndefined();
  });

  it("keeps the newest first, one entry per call, at most the limit", () => {
    let list = remember([], recentCall(call({ id: "a" }), 0));
    list = remember(list, recentCall(call({ id: "b" }), 0));
    list = remember(list, recentCall(call({ id: "a", endReason: "busy" }), 0));
    expect(list.map((r) => [r.id, r.endReason])).toEqual([
      ["a", "busy"],
      ["b", "unknown"],
    ]);
    for (let i = 0; i < RECENT_LIMIT + 5; i++) list = remember(list, recentCall(call({ id: `x${i}` }), 0));
    expect(list).toHaveLength(RECENT_LIMIT);
    expect(list[0]!.id).toBe(`x${RECENT_LIMIT + 4}`);
  });
});

describe("parseAlerts", () => {
  it("defaults to a tone and a title flash; notifications only when asked; unknown tokens are ignored", () => {
    expect([...parseAlerts(undefined)]).toEqual(["tone", "title"]);
    expect([...parseAlerts("")]).toEqual([]);
    expect([...parseAlerts(" notification  tone bell ")]).toEqual(["tone", "notification"]);
  });
});
