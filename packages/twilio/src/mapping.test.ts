// The pure mapping on plain data: no SDK, no Device, no desktop.
import { describe, expect, it } from "vitest";
import {
  agentParty,
  audioDevices,
  callData,
  callMessage,
  callParties,
  callReport,
  callWarning,
  conferenceMember,
  consultCall,
  consultReport,
  dialParams,
  errorOutcome,
  mediaOnReconnecting,
  outcomeOnDisconnect,
  incomingCall,
  outboundCall,
  partyStatus,
  sdkDigits,
  isMonitorOffer,
  monitorSession,
  type CallFacts,
} from "./mapping.js";

const names = { queue: "queue", callerName: "callerName" };
const inbound = (extra: Partial<CallFacts> = {}): CallFacts => ({ id: "CA1", direction: "inbound", state: "connected", from: "+15550100", to: "client:agent-1", data: {}, thirdParties: new Map(), ...extra });

describe("incoming calls", () => {
  it("takes the CallSid as id, From and To, and the custom parameters as data; queue and callerName also fill queue and fromName", () => {
    const params = new Map([["customerId", "C-42"], ["queue", "Support"], ["callerName", "Ada Lovelace"]]);
    expect(incomingCall({ CallSid: "CA1", From: "+15550100", To: "client:agent-1" }, params, names)).toEqual({
      id: "CA1",
      direction: "inbound",
      state: "ringing",
      from: "+15550100",
      to: "client:agent-1",
      queue: "Support",
      fromName: "Ada Lovelace",
      data: { customerId: "C-42", queue: "Support", callerName: "Ada Lovelace" },
      thirdParties: new Map(),
    });
  });

  it("reads queue and caller name from the parameters the integrator names", () => {
    const call = incomingCall({ CallSid: "CA1" }, new Map([["q", "Billing"], ["who", "Grace"]]), { queue: "q", callerName: "who" });
    expect(call).toMatchObject({ queue: "Billing", fromName: "Grace" });
    expect(call).not.toHaveProperty("from");
  });

  it("the recording parameter (active, paused, off) is the call's recording; another value, or none, says nothing", () => {
    expect(incomingCall({ CallSid: "CA1" }, new Map([["recording", "active"]]), names)).toMatchObject({ recording: "active", data: { recording: "active" } });
    expect(incomingCall({ CallSid: "CA1" }, new Map([["rec", "paused"]]), { ...names, recording: "rec" })).toMatchObject({ recording: "paused" });
    expect(incomingCall({ CallSid: "CA1" }, new Map([["recording", "yes"]]), names)).not.toHaveProperty("recording");
    expect(incomingCall({ CallSid: "CA1" }, new Map(), names)).not.toHaveProperty("recording");
  });

  it("a monitoring session: marked by the custom parameter opencti=monitor; reported as direction monitor with its mode and the supervisor's own leg only", () => {
    expect(isMonitorOffer(new Map([["opencti", "monitor"]]))).toBe(true);
    expect(isMonitorOffer(new Map([["opencti", "party"]]))).toBe(false);
    expect(isMonitorOffer(undefined)).toBe(false);
    const report = callReport(monitorSession("CAsup", "whisper"), { callSid: "CAsup", muted: false }, "sup-1");
    expect(report).toMatchObject({ id: "CAsup", vendorCallId: "CAsup", direction: "monitor", state: "connected", monitorMode: "whisper", parties: [{ id: "agent", role: "agent", address: "sup-1" }] });
    expect(report.parties).toHaveLength(1);
    expect(callReport(inbound({ recording: "paused" }), { muted: false })).toMatchObject({ recording: "paused" });
  });

  it("an offer without a CallSid, or with a From that is not a string, is unreadable", () => {
    expect(incomingCall({ From: "+15550100" }, new Map(), names)).toBeUndefined();
    expect(incomingCall({ CallSid: "" }, new Map(), names)).toBeUndefined();
    expect(incomingCall({ CallSid: "CA1", From: 42 }, new Map(), names)).toBeUndefined();
  });

  it("call data keeps only string keys with string values, and nothing from a non-Map", () => {
    expect(callData(new Map<unknown, unknown>([["a", "1"], ["b", 2], [3, "c"]]))).toEqual({ a: "1" });
    expect(callData({ a: "1" })).toEqual({});
    expect(callData(undefined)).toEqual({});
  });
});

describe("outbound calls", () => {
  it("dial params are the data with To the destination, which wins", () => {
    expect(dialParams("+15550142", { crm: "T-7", To: "elsewhere" })).toEqual({ crm: "T-7", To: "+15550142" });
    expect(dialParams("+15550142", undefined)).toEqual({ To: "+15550142" });
  });

  it("a dialled call dials the destination with a copy of its data", () => {
    const data = { crm: "T-7" };
    const call = outboundCall("tmp-1", "+15550142", data);
    expect(call).toEqual({ id: "tmp-1", direction: "outbound", state: "dialing", to: "+15550142", data: { crm: "T-7" }, thirdParties: new Map() });
    expect(call.data).not.toBe(data);
  });
});

describe("parties and reports", () => {
  it("lists the agent first (with the Client identity when known), then the customer, then conference members", () => {
    const member = { id: "CA9", role: "third_party", state: "connected", address: "+15550144" } as const;
    const call = inbound({ fromName: "Ada", state: "held", thirdParties: new Map([["CA9", member]]) });
    expect(callParties(call, "agent-1")).toEqual([
      { id: "agent", role: "agent", state: "held", address: "agent-1" },
      { id: "customer", role: "customer", state: "held", address: "+15550100", displayName: "Ada" },
      member,
    ]);
    expect(agentParty("ringing")).toEqual({ id: "agent", role: "agent", state: "ringing" });
  });

  it("the customer of an outbound call is the number dialled", () => {
    expect(callParties(outboundCall("tmp-1", "+15550142", {}))[1]).toEqual({ id: "customer", role: "customer", state: "dialing", address: "+15550142" });
  });

  it("a call report carries the CallSid as vendorCallId once known, the SDK's mute, and only the fields that are set", () => {
    expect(callReport(inbound(), { callSid: "CA1", muted: true }, "agent-1")).toEqual({
      id: "CA1",
      vendorCallId: "CA1",
      state: "connected",
      direction: "inbound",
      from: "+15550100",
      to: "client:agent-1",
      muted: true,
      data: {},
      parties: callParties(inbound(), "agent-1"),
    });
    const dialled = callReport(outboundCall("tmp-1", "+15550142", {}), { muted: false });
    expect(dialled.vendorCallId).toBe("tmp-1");
    expect(dialled).not.toHaveProperty("from");
    expect(dialled).not.toHaveProperty("queue");
  });

  it("a consult leg is its own call: consult-<CallSid>, related to the primary, the agent and the consulted party", () => {
    const consult = consultCall("CA1", "CA9", "+15550144");
    expect(consult).toEqual({ id: "consult-CA9", primaryId: "CA1", partySid: "CA9", to: "+15550144", state: "dialing" });
    expect(consultReport(consult, "agent-1")).toEqual({
      id: "consult-CA9",
      vendorCallId: "CA9",
      state: "dialing",
      direction: "consult",
      relatedCallId: "CA1",
      to: "+15550144",
      parties: [
        { id: "agent", role: "agent", state: "dialing", address: "agent-1" },
        { id: "CA9", role: "third_party", state: "dialing", address: "+15550144" },
      ],
    });
    expect(conferenceMember(consult)).toEqual({ id: "CA9", role: "third_party", state: "connected", address: "+15550144" });
  });
});

describe("end reasons", () => {
  it.each([
    [31486, "busy", "DESTINATION_BUSY"],
    [31603, "busy", "DESTINATION_BUSY"],
    [31404, "failed", "INVALID_DESTINATION"],
    [31400, "failed", "INVALID_DESTINATION"],
    [31480, "no_answer", "REQUEST_TIMEOUT"],
    [31401, "failed", "MEDIA_PERMISSION_DENIED"],
    [31402, "failed", "MEDIA_PERMISSION_DENIED"],
    [31208, "failed", "MEDIA_PERMISSION_DENIED"],
    // The gateway's error in a hangup: the call failed, the link did not.
    [31005, "failed", "VENDOR_ERROR"],
    [31000, "failed", "VENDOR_ERROR"],
  ] as const)("SDK error %s ends a call %s with failure %s, the Twilio code as vendorCode", (code, endReason, failureCode) => {
    expect(errorOutcome({ code, message: "words (Twilio)" })).toEqual({ endReason, failure: { code: failureCode, vendorCode: String(code), message: "words (Twilio)" } });
  });

  it("an SDK error without a code is a failure without a vendorCode", () => {
    expect(errorOutcome({ message: "Twilio reported an error" })).toEqual({ endReason: "failed", failure: { code: "VENDOR_ERROR", message: "Twilio reported an error" } });
  });

  it("on disconnect: our own request's reason (or the SDK's hang-up for the agent), else the error's, else a dial failed, else the far end hung up", () => {
    const busy = { code: 31486, message: "The callee is busy. (Twilio 31486)" };
    expect(outcomeOnDisconnect({ state: "connected", localEnd: "transferred", error: busy })).toEqual({ endReason: "transferred" });
    expect(outcomeOnDisconnect({ state: "connected", localEnd: "local_hangup" })).toEqual({ endReason: "local_hangup" });
    expect(outcomeOnDisconnect({ state: "dialing", error: busy })).toEqual({ endReason: "busy", failure: { code: "DESTINATION_BUSY", vendorCode: "31486", message: busy.message } });
    expect(outcomeOnDisconnect({ state: "dialing" })).toMatchObject({ endReason: "failed", failure: { code: "VENDOR_ERROR" } });
    expect(outcomeOnDisconnect({ state: "connected" })).toEqual({ endReason: "remote_hangup" });
  });
});

describe("media", () => {
  it("a call reconnecting its media (53405, ICE lost) is the call's media reconnecting; the signalling socket's (53001) is not", () => {
    expect(mediaOnReconnecting(53405)).toBe("reconnecting");
    expect(mediaOnReconnecting(undefined)).toBe("reconnecting");
    expect(mediaOnReconnecting(53001)).toBeUndefined();
  });

  it("a call report carries its media once known", () => {
    expect(callReport(inbound({ media: "reconnecting" }), { muted: false }).media).toBe("reconnecting");
    expect(callReport(inbound(), { muted: false })).not.toHaveProperty("media");
  });
});

describe("party messages from the backend", () => {
  it("parses JSON content and keeps only the backend's party messages", () => {
    const party = { opencti: "party", callSid: "CA9", status: "in-progress" };
    expect(callMessage({ content: JSON.stringify(party), contentType: "application/json" })).toEqual(party);
    expect(callMessage({ content: party })).toEqual(party);
    expect(callMessage({ content: JSON.stringify({ hello: "world" }), contentType: "application/json" })).toBeUndefined();
    expect(callMessage({ content: "plain text", contentType: "text/plain" })).toBeUndefined();
    expect(callMessage({ content: "{not json", contentType: "application/json" })).toBe("invalid");
  });

  it.each([
    ["in-progress", { state: "connected" }],
    ["answered", { state: "connected" }],
    ["completed", { state: "disconnected", endReason: "remote_hangup" }],
    ["busy", { state: "disconnected", endReason: "busy", failure: { code: "DESTINATION_BUSY", vendorCode: "busy", message: "The consulted party's call ended busy at Twilio." } }],
    ["no-answer", { state: "disconnected", endReason: "no_answer" }],
    ["canceled", { state: "disconnected", endReason: "no_answer" }],
    ["failed", { state: "disconnected", endReason: "failed", failure: { code: "VENDOR_ERROR", vendorCode: "failed", message: "The consulted party's call ended failed at Twilio." } }],
    ["ringing", undefined],
    ["queued", undefined],
    ["toString", undefined],
  ])("status %s → %j", (status, expected) => {
    expect(partyStatus(status)).toEqual(expected);
  });
});

describe("DTMF and warnings", () => {
  it("a comma becomes the SDK's w pause; only 0-9, *, # and pauses are sent", () => {
    expect(sdkDigits("12#,*")).toBe("12#w*");
    expect(sdkDigits("1A")).toBeUndefined();
    expect(sdkDigits("")).toBeUndefined();
  });

  it("a call quality warning is twilio.<name>", () => {
    expect(callWarning("high-rtt")).toEqual({ code: "twilio.high-rtt", message: "Call quality warning: high-rtt" });
  });
});

describe("audio devices (the SDK's AudioHelper lists)", () => {
  const dev = (deviceId: string, label = "") => ({ deviceId, label });

  it("inputs then outputs; the SDK's 'Unknown Audio … Device N' and empty labels read Microphone N / Speaker N; hidden ids left out", () => {
    const inputs = [dev("default", "Default"), dev("a1", "Unknown Audio Input Device 1"), dev("a2", "Jabra Evolve2 65"), dev("")];
    const outputs = [dev("o1", "Unknown Audio Output Device 1"), dev("o2")];
    expect(audioDevices(inputs, outputs, {}).devices).toEqual([
      { id: "default", label: "Default", kind: "input" },
      { id: "a1", label: "Microphone 1", kind: "input" },
      { id: "a2", label: "Jabra Evolve2 65", kind: "input" },
      { id: "o1", label: "Speaker 1", kind: "output" },
      { id: "o2", label: "Speaker 2", kind: "output" },
    ]);
  });

  it("the ids the SDK uses; none (or one no longer listed): 'default' when listed, else absent", () => {
    const inputs = [dev("default", "Default"), dev("a1", "Mic")];
    const outputs = [dev("o1", "Headset"), dev("o2", "Speakers")];
    expect(audioDevices(inputs, outputs, { input: "a1", output: "o1", ringer: "o2" })).toMatchObject({ input: "a1", output: "o1", ringer: "o2" });
    const fallback = audioDevices(inputs, outputs, { input: "gone", output: "a1" });
    expect(fallback.input).toBe("default");
    // An input id is not an output; no "default" output listed: none.
    expect("output" in fallback || "ringer" in fallback).toBe(false);
  });

  it("keeps within the desktop's limits: 64 devices, ids of at most 256 characters, labels cut to 1024", () => {
    const many = Array.from({ length: 70 }, (_, i) => dev(`in-${i}`, "x".repeat(2000)));
    const audio = audioDevices([dev("i".repeat(257), "Too long"), ...many], [], {});
    expect(audio.devices).toHaveLength(64);
    expect(audio.devices[0]).toEqual({ id: "in-0", label: "x".repeat(1024), kind: "input" });
  });
});
