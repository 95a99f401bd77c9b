import { describe, expect, it } from "vitest";
import { aorUser, callReport, cancelMeansMissed, dataHeaders, endOutcome, inboundDetails, looksLikeSdp, mediaState, parties, refreshFailure, sipStatusOutcome, type CallFacts } from "./mapping.js";

const inbound = (over: Partial<CallFacts> = {}): CallFacts => ({
  id: "sip-1",
  sip: { callId: "abc@host", remote: { user: "+15550100", uri: "sip:+15550100@pbx.test", displayName: "Ada" } },
  direction: "inbound",
  state: "ringing",
  muted: false,
  remoteHold: false,
  remoteRinging: false,
  data: {},
  from: "+15550100",
  ...over,
});

describe("parties", () => {
  it("the agent first with its AOR user, then the customer with address and display name", () => {
    expect(parties(inbound({ state: "connected" }), "1001")).toEqual([
      { id: "agent", role: "agent", state: "connected", address: "1001" },
      { id: "remote", role: "customer", state: "connected", address: "+15550100", displayName: "Ada" },
    ]);
  });

  it("a consult leg's far end is the third party; a remote without a user shows its URI", () => {
    const [, remote] = parties(inbound({ direction: "consult", state: "connected", sip: { callId: "c", remote: { user: "", uri: "sip:pbx.test" } } }), "1001");
    expect(remote).toEqual({ id: "remote", role: "third_party", state: "connected", address: "sip:pbx.test" });
  });

  it("an agent without an AOR user has no address", () => {
    expect(parties(inbound(), undefined)[0]).toEqual({ id: "agent", role: "agent", state: "ringing" });
  });

  it("an outbound call shows the far end dialing until 180/183, then ringing", () => {
    expect(parties(inbound({ direction: "outbound", state: "dialing" }), "1001").map((p) => p.state)).toEqual(["dialing", "dialing"]);
    expect(parties(inbound({ direction: "outbound", state: "dialing", remoteRinging: true }), "1001").map((p) => p.state)).toEqual(["dialing", "ringing"]);
  });

  it("far-end hold holds the remote party only; our hold holds both", () => {
    expect(parties(inbound({ state: "connected", remoteHold: true }), "1001").map((p) => p.state)).toEqual(["connected", "held"]);
    expect(parties(inbound({ state: "held" }), "1001").map((p) => p.state)).toEqual(["held", "held"]);
  });
});

describe("callReport", () => {
  it("reports the call's facts, leaving out what is not known", () => {
    expect(callReport(inbound({ to: "+15550009999", queue: "Support", data: { customerId: "C-1" } }), "1001")).toEqual({
      id: "sip-1",
      vendorCallId: "abc@host",
      state: "ringing",
      direction: "inbound",
      muted: false,
      data: { customerId: "C-1" },
      parties: [
        { id: "agent", role: "agent", state: "ringing", address: "1001" },
        { id: "remote", role: "customer", state: "ringing", address: "+15550100", displayName: "Ada" },
      ],
      from: "+15550100",
      to: "+15550009999",
      queue: "Support",
    });
  });

  it("in wrap-up every party is disconnected and the end reason is reported", () => {
    const report = callReport(inbound({ state: "wrapup", endReason: "remote_hangup", relatedCallId: "sip-0" }), "1001");
    expect(report.parties?.map((p) => p.state)).toEqual(["disconnected", "disconnected"]);
    expect(report).toMatchObject({ endReason: "remote_hangup", relatedCallId: "sip-0" });
  });
});

describe("end reasons", () => {
  it.each([
    [486, "Busy Here", "busy", "DESTINATION_BUSY"],
    [600, "Busy Everywhere", "busy", "DESTINATION_BUSY"],
    [603, "Decline", "busy", "DESTINATION_BUSY"],
    [404, "Not Found", "failed", "INVALID_DESTINATION"],
    [484, "Address Incomplete", "failed", "INVALID_DESTINATION"],
    [604, "Does Not Exist Anywhere", "failed", "INVALID_DESTINATION"],
    [480, "Temporarily Unavailable", "no_answer", "REQUEST_TIMEOUT"],
    [408, "Request Timeout", "no_answer", "REQUEST_TIMEOUT"],
    [500, "Service Unavailable", "failed", "VENDOR_ERROR"],
    [503, "Service Unavailable", "failed", "VENDOR_ERROR"],
    [403, "Forbidden", "failed", "VENDOR_ERROR"],
    [487, "Request Terminated", "failed", "VENDOR_ERROR"],
  ] as const)("a final %i %s ends %s with failure %s, the status as vendorCode and the phrase in the message", (status, phrase, reason, code) => {
    const outcome = sipStatusOutcome(status, phrase);
    expect(outcome.endReason).toBe(reason);
    expect(outcome.failure).toMatchObject({ code, vendorCode: String(status) });
    expect(outcome.failure.message).toContain(`${status} ${phrase}`);
  });

  it("no status at all is a failure without a vendor code", () => {
    expect(sipStatusOutcome(0)).toEqual({ endReason: "failed", failure: { code: "VENDOR_ERROR", message: "The call failed without a SIP status." } });
  });

  it("from who ended the dialog, whether it ever connected and which way it went", () => {
    const reason = (f: Parameters<typeof endOutcome>[0]) => endOutcome(f).endReason;
    expect(reason({ everConnected: true, sipDirection: "inbound", by: "local" })).toBe("local_hangup");
    expect(reason({ everConnected: true, sipDirection: "outbound", by: "remote" })).toBe("remote_hangup");
    expect(reason({ everConnected: false, sipDirection: "inbound", by: "local" })).toBe("rejected");
    expect(reason({ everConnected: false, sipDirection: "inbound", by: "remote" })).toBe("abandoned");
    expect(reason({ everConnected: false, sipDirection: "outbound", by: "local", status: 487 })).toBe("local_hangup");
    expect(reason({ override: { endReason: "transferred" }, everConnected: true, sipDirection: "inbound", by: "remote" })).toBe("transferred");
  });

  it("an outbound INVITE that failed ends with its status's outcome", () => {
    expect(endOutcome({ everConnected: false, sipDirection: "outbound", by: "remote", status: 486, reasonPhrase: "Busy Here" })).toEqual({
      endReason: "busy",
      failure: { code: "DESTINATION_BUSY", vendorCode: "486", message: "The far end is busy or declined the call (SIP 486 Busy Here)." },
    });
    expect(endOutcome({ everConnected: false, sipDirection: "outbound", by: "remote" }).failure?.code).toBe("VENDOR_ERROR");
  });

  it("a CANCEL is missed when its Reason says a ring timer gave up (or someone else answered), else abandoned; it wins over a failed answer", () => {
    const cancelled = (cancelReason: string) => endOutcome({ everConnected: false, sipDirection: "inbound", by: "remote", cancelReason }).endReason;
    expect(cancelled("")).toBe("abandoned");
    expect(cancelled('SIP;cause=480;text="NO_ANSWER"')).toBe("missed");
    expect(cancelled("SIP ; cause=408")).toBe("missed");
    expect(cancelled('SIP;cause=200;text="Call completed elsewhere"')).toBe("missed");
    expect(cancelled('Q.850;cause=19;text="NO_ANSWER"')).toBe("missed");
    expect(cancelled('SIP;cause=487;text="ORIGINATOR_CANCEL", Q.850;cause=16')).toBe("abandoned");
    expect(cancelled('Q.850;cause=16;text="NORMAL_CLEARING"')).toBe("abandoned");
    const failedAnswer = { endReason: "failed", failure: { code: "MEDIA_PERMISSION_DENIED", message: "no microphone" } } as const;
    expect(endOutcome({ override: failedAnswer, everConnected: false, sipDirection: "inbound", by: "local" })).toEqual(failedAnswer);
    expect(endOutcome({ override: failedAnswer, everConnected: false, sipDirection: "inbound", by: "remote", cancelReason: "" }).endReason).toBe("abandoned");
    expect(cancelMeansMissed(undefined)).toBe(false);
  });

  it("an ended call's report carries its failure; media once known", () => {
    const failure = { code: "VENDOR_ERROR", vendorCode: "500", message: "The call failed (SIP 500 Service Unavailable)." } as const;
    const report = callReport(inbound({ direction: "outbound", state: "ended", endReason: "failed", failure }), "1001");
    expect(report).toMatchObject({ endReason: "failed", failure });
    expect(report.parties?.every((p) => p.state === "disconnected")).toBe(true);
    expect(callReport(inbound({ state: "connected", media: "reconnecting" }), "1001").media).toBe("reconnecting");
    expect(callReport(inbound(), "1001")).not.toHaveProperty("media");
  });
});

describe("a dialog refresh that failed after a reconnect", () => {
  it("is LINK_DOWN with the status it got, or none when it never got one", () => {
    expect(refreshFailure(481)).toMatchObject({ code: "LINK_DOWN", vendorCode: "481" });
    expect(refreshFailure(481).message).toContain("SIP 481");
    expect(refreshFailure(0)).not.toHaveProperty("vendorCode");
    expect(refreshFailure(0).message).toMatch(/in time\.$/);
  });
});

describe("media", () => {
  it.each([
    ["disconnected", "reconnecting"],
    ["connected", "ok"],
    ["completed", "ok"],
    ["checking", undefined],
    ["new", undefined],
    ["failed", undefined],
    ["closed", undefined],
  ] as const)("ICE %s is media %s", (ice, media) => {
    expect(mediaState(ice)).toBe(media);
  });
});

describe("reading and writing SIP", () => {
  it("the AOR's user part", () => {
    expect(aorUser("sip:1001@pbx.example.com")).toBe("1001");
    expect(aorUser("sips:agent@pbx.example.com;transport=ws")).toBe("agent");
    expect(aorUser("sip:pbx.example.com")).toBeUndefined();
  });

  it("an offer is an audio SDP", () => {
    expect(looksLikeSdp("application/sdp", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\n")).toBe(true);
    expect(looksLikeSdp("application/sdp", "<b>not sdp</b>")).toBe(false);
    expect(looksLikeSdp("text/plain", "v=0\nm=audio 4000 RTP/AVP 0\n")).toBe(false);
  });

  it("an INVITE's caller, DNIS, queue and prefixed headers as data (name as sent, any case of the prefix)", () => {
    const headers: [string, string][] = [
      ["x-data-customerId", "C-1"],
      ["X-DATA-", "no name"],
      ["x-queue", "Support"],
      ["Via", "SIP/2.0/WS x"],
    ];
    expect(inboundDetails({ remote: { user: "", uri: "sip:anon@x" }, to: "5000", headers }, { dataPrefix: "X-Data-", queueHeader: "X-Queue" })).toEqual({
      data: { customerId: "C-1" },
      from: "sip:anon@x",
      to: "5000",
      queue: "Support",
    });
    expect(inboundDetails({ remote: { user: "1", uri: "sip:1@x" }, headers }, {})).toEqual({ data: {}, from: "1" });
  });

  it("dial data as header lines: unsafe names and values are left out, long values cut", () => {
    expect(dataHeaders({ customerId: "C-9", "bad name": "x", multi: "a\r\nb", long: "y".repeat(1200) }, "X-Data-")).toEqual({
      headers: ["X-Data-customerId: C-9", `X-Data-long: ${"y".repeat(1000)}`],
      sent: { customerId: "C-9", long: "y".repeat(1000) },
    });
    expect(dataHeaders({ customerId: "C-9" }, undefined)).toEqual({ headers: [], sent: {} });
  });
});
