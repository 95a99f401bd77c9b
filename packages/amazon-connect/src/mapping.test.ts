import type { CallReport, ConnectorContext } from "@opencti/core";
import { describe, expect, it } from "vitest";
import { agentKind, contactKind, directoryFrom, isConsulting, isOffered, isOutboundContact, legConnectionId, legId, mapVoiceContact, mediaStreamOf, newMemory, newThirdParty, reasonsFrom, SOFTPHONE_END_WITHIN_MS, toAgentReport, vanishedReason } from "./mapping.js";
import { BadVendorData, createContactTracker, readAgentData, type ConnectionData, type ContactData } from "./snapshot.js";

const conn = (connectionId: string, type: string, state: string, extra: Partial<ConnectionData> = {}): ConnectionData => ({ connectionId, type, initial: type !== "agent" && !extra.connectionId?.startsWith("third"), state, ...extra });
const contact = (state: string, connections: ConnectionData[], extra: Partial<ContactData> = {}): ContactData => ({ contactId: "c-1", type: "voice", state, initiationMethod: "inbound", attributes: {}, connections, ...extra });
const opts = { muted: false };

describe("mapVoiceContact", () => {
  it("inbound ringing: contact connecting, agent connection connecting; DNIS from the system endpoint", () => {
    const { call, legs } = mapVoiceContact(contact("connecting", [conn("a", "agent", "connecting"), conn("cu", "inbound", "connected", { phoneNumber: "+15550100", name: "Ada" })], { systemNumber: "+15559999", queue: "Support" }), newMemory(), opts);
    expect(call).toMatchObject({ id: "c-1", state: "ringing", direction: "inbound", from: "+15550100", fromName: "Ada", to: "+15559999", queue: "Support" });
    expect(call.parties).toEqual([
      { id: "a", role: "agent", state: "ringing" },
      { id: "cu", role: "customer", state: "connected", address: "+15550100", displayName: "Ada" },
    ]);
    expect(legs).toEqual([]);
  });

  it("outbound: the customer's number is the DNIS and the call dials until the customer connects", () => {
    const out = contact("connected", [conn("a", "agent", "connected"), conn("cu", "outbound", "connecting", { phoneNumber: "+15550142" })], { initiationMethod: "outbound", systemNumber: "+15550001000" });
    expect(mapVoiceContact(out, newMemory(), opts).call).toMatchObject({ state: "dialing", direction: "outbound", to: "+15550142", from: "+15550001000" });
  });

  it("ACW is the ended contact: wrapup, remote hang-up unless the agent left", () => {
    const ended = contact("ended", [conn("a", "agent", "disconnected"), conn("cu", "inbound", "disconnected")]);
    expect(mapVoiceContact(ended, newMemory(), opts).call).toMatchObject({ state: "wrapup", endReason: "remote_hangup", muted: false });
    const memory = newMemory();
    memory.leaving = "local_hangup";
    expect(mapVoiceContact(ended, memory, { muted: true }).call).toMatchObject({ state: "wrapup", endReason: "local_hangup", muted: false });
  });

  it("a rejected contact, or one the agent rejected, ends rejected", () => {
    expect(mapVoiceContact(contact("rejected", [conn("a", "agent", "disconnected")]), newMemory(), opts).call).toMatchObject({ state: "ended", endReason: "rejected" });
    const memory = newMemory();
    memory.rejected = true;
    expect(mapVoiceContact(contact("error", [conn("a", "agent", "disconnected")]), memory, { muted: false, agentError: "MissedCallAgent" }).call.endReason).toBe("rejected");
  });

  it("an error contact ends as the agent's error state in the same snapshot says, its name the failure's vendorCode", () => {
    const gone = [conn("a", "agent", "disconnected"), conn("cu", "outbound", "disconnected", { phoneNumber: "+15550186" })];
    const outbound = contact("error", gone, { initiationMethod: "outbound" });
    const ends = (agentError: string) => mapVoiceContact(outbound, newMemory(), { muted: false, agentError }).call;
    expect(ends("LineEngagedCustomer")).toMatchObject({ state: "ended", endReason: "busy", failure: { code: "DESTINATION_BUSY", vendorCode: "LineEngagedCustomer" } });
    expect(ends("BadAddressCustomer")).toMatchObject({ endReason: "failed", failure: { code: "INVALID_DESTINATION", vendorCode: "BadAddressCustomer" } });
    expect(ends("FailedConnectCustomer")).toMatchObject({ endReason: "failed", failure: { code: "VENDOR_ERROR", vendorCode: "FailedConnectCustomer" } });
    expect(ends("MissedCallCustomer")).toMatchObject({ endReason: "no_answer" });
    expect(ends("RealtimeCommunicationError")).toMatchObject({ endReason: "failed", failure: { code: "VENDOR_ERROR", vendorCode: "RealtimeCommunicationError" } });
    expect(ends("LineEngagedCustomer").failure?.message).toMatch(/engaged/);
    // A state named like an Object method is just another error state.
    expect(ends("constructor")).toMatchObject({ endReason: "failed", failure: { code: "VENDOR_ERROR", vendorCode: "constructor" } });
    const inbound = contact("error", [conn("a", "agent", "disconnected"), conn("cu", "inbound", "disconnected")]);
    // Offered and never answered (Connect reports it as `error`, not `missed`).
    expect(mapVoiceContact(inbound, newMemory(), { muted: false, agentError: "MissedCallAgent" }).call).toMatchObject({ endReason: "missed" });
    expect(mapVoiceContact(inbound, newMemory(), { muted: false, agentError: "MissedCallAgent" }).call.failure).toBeUndefined();
  });

  it("an error contact without an agent error state: abandoned if the agent never had it, else failed; a softphone error makes it failed", () => {
    const inbound = contact("error", [conn("a", "agent", "disconnected"), conn("cu", "inbound", "disconnected")]);
    expect(mapVoiceContact(inbound, newMemory(), opts).call).toMatchObject({ state: "ended", endReason: "abandoned" });
    expect(mapVoiceContact(contact("missed", [...inbound.connections]), newMemory(), opts).call.endReason).toBe("missed");
    const memory = newMemory();
    mapVoiceContact(contact("connected", [conn("a", "agent", "connected"), conn("cu", "inbound", "connected")]), memory, opts);
    expect(mapVoiceContact(inbound, memory, opts).call).toMatchObject({ endReason: "failed", failure: { code: "VENDOR_ERROR", vendorCode: "error" } });
    const denied = newMemory();
    denied.softphoneError = { type: "microphone_not_shared", message: "Your microphone is not enabled in your browser. " };
    expect(mapVoiceContact(inbound, denied, { muted: false, agentError: "FailedConnectAgent" }).call).toMatchObject({
      endReason: "failed",
      failure: { code: "MEDIA_PERMISSION_DENIED", vendorCode: "microphone_not_shared", message: expect.stringContaining("microphone") },
    });
  });

  it("a connected third party beside a held customer is a consult leg; both connected means merged", () => {
    const memory = newMemory();
    const consulting = contact("connected", [conn("a", "agent", "connected"), conn("cu", "inbound", "hold"), conn("third-1", "outbound", "connected", { initial: false, phoneNumber: "+15550144" })]);
    const { call, legs } = mapVoiceContact(consulting, memory, opts);
    expect(call.state).toBe("held");
    expect(legs).toEqual([expect.objectContaining({ id: "c-1:third-1", direction: "consult", relatedCallId: "c-1", state: "connected", to: "+15550144" })]);
    const merged = contact("connected", [conn("a", "agent", "connected"), conn("cu", "inbound", "connected"), conn("third-1", "outbound", "connected", { initial: false })]);
    const after = mapVoiceContact(merged, memory, opts);
    expect(after.legs).toEqual([]);
    expect(after.call.parties?.map((p) => `${p.role}:${p.state}`)).toEqual(["agent:connected", "customer:connected", "third_party:connected"]);
    expect(memory.merged.has("third-1")).toBe(true);
  });

  it("during a blind transfer the transfer leg is not shown as a consult", () => {
    const memory = newMemory();
    memory.blindTransfer = true;
    const c = contact("connected", [conn("a", "agent", "connected"), conn("cu", "inbound", "hold"), conn("third-1", "outbound", "connecting", { initial: false })]);
    expect(mapVoiceContact(c, memory, opts).legs).toEqual([]);
  });

  it("attributes become call data, filtered when configured", () => {
    const c = contact("connecting", [conn("a", "agent", "connecting")], { attributes: { customerId: "C-1", internal: "x" } });
    expect(mapVoiceContact(c, newMemory(), opts).call.data).toEqual({ customerId: "C-1", internal: "x" });
    expect(mapVoiceContact(c, newMemory(), { muted: false, attributes: ["customerId", "absent"] }).call.data).toEqual({ customerId: "C-1" });
  });

  it("a contact attribute named callKind is never call data: the kind is the connector's (a plain inbound call stays plain)", () => {
    const attributes = { callKind: "transfer", customerId: "C-1" };
    const plain = contact("connecting", [conn("a", "agent", "connecting"), conn("cu", "inbound", "connected")], { attributes });
    expect(mapVoiceContact(plain, newMemory(), opts).call.data).toEqual({ customerId: "C-1" });
    expect(mapVoiceContact(plain, newMemory(), { muted: false, attributes: ["callKind", "customerId"] }).call.data).toEqual({ customerId: "C-1" });
    // A contact that has a kind says its own.
    const callback = contact("incoming", [conn("a", "agent", "connecting"), conn("cu", "outbound", "connected")], { type: "queue_callback", initiationMethod: "callback", attributes });
    expect(mapVoiceContact(callback, newMemory(), opts).call.data).toEqual({ customerId: "C-1", callKind: "callback" });
  });

  it("mediaStreamAttribute: that attribute's Kinesis Video Streams ARN is the call's mediaStream (not call data); empty clears it; no option, no stream", () => {
    const arn = "arn:aws:kinesisvideo:us-east-1:123456789012:stream/connect-example-contact-7f3a/1700000000000";
    const attributes = { kvsStreamArn: arn, customerId: "C-1" };
    const talking = contact("connected", [conn("a", "agent", "connected"), conn("cu", "inbound", "connected")], { attributes });
    const withOption = { muted: false, mediaStreamAttribute: "kvsStreamArn" };
    expect(mapVoiceContact(talking, newMemory(), withOption).call).toMatchObject({ mediaStream: arn, data: { customerId: "C-1" } });
    expect(mapVoiceContact(talking, newMemory(), withOption).call.data).not.toHaveProperty("kvsStreamArn");
    // Even when the configured call data names it.
    expect(mapVoiceContact(talking, newMemory(), { ...withOption, attributes: ["kvsStreamArn", "customerId"] }).call.data).toEqual({ customerId: "C-1" });
    // Without the option the attribute is plain call data and there is no stream.
    expect(mapVoiceContact(talking, newMemory(), opts).call).not.toHaveProperty("mediaStream");
    expect(mapVoiceContact(talking, newMemory(), opts).call.data).toEqual(attributes);
    // The flow stopped streaming and cleared the attribute: null clears the call's stream.
    const cleared = contact("connected", [conn("a", "agent", "connected"), conn("cu", "inbound", "connected")], { attributes: { kvsStreamArn: " " } });
    expect(mapVoiceContact(cleared, newMemory(), withOption).call.mediaStream).toBeNull();
    // Consult legs do not carry it: the contact's call does.
    expect(mapVoiceContact(talking, newMemory(), withOption).legs).toEqual([]);
  });

  it("a malformed media stream attribute clears the call's stream (a stale ARN must not stay) with one warning per contact", () => {
    const arn = "arn:aws:kinesisvideo:us-east-1:123456789012:stream/connect-example-contact-7f3a/1700000000000";
    const withOption = { muted: false, mediaStreamAttribute: "kvsStreamArn" };
    const at = (value: string) => contact("connected", [conn("a", "agent", "connected"), conn("cu", "inbound", "connected")], { attributes: { kvsStreamArn: value } });
    const memory = newMemory();
    expect(mapVoiceContact(at(arn), memory, withOption)).not.toHaveProperty("warning");
    const bad = mapVoiceContact(at("arn:aws:kinesis:us-east-1:123456789012:stream/x"), memory, withOption);
    expect(bad.call.mediaStream).toBeNull();
    expect(bad.warning).toBe('The contact attribute "kvsStreamArn" is not a Kinesis Video Streams stream ARN: the call has no media stream');
    // Once per contact: the next snapshots say nothing more.
    expect(mapVoiceContact(at("still wrong"), memory, withOption)).toMatchObject({ call: { mediaStream: null } });
    expect(mapVoiceContact(at("still wrong"), memory, withOption)).not.toHaveProperty("warning");
    expect(mapVoiceContact(at(arn), memory, withOption).call.mediaStream).toBe(arn);
    // An empty value is a deliberate clear, not a warning.
    expect(mapVoiceContact(at(""), newMemory(), withOption)).not.toHaveProperty("warning");
  });

  it("the tracker signals that warning once for the contact's call", () => {
    const signals: unknown[] = [];
    const calls: CallReport[] = [];
    const ctx = { signal: (s: unknown) => signals.push(s), invalidVendorEvent: () => undefined, getCall: () => undefined } as unknown as ConnectorContext;
    const sink = { upsertCall: (r: CallReport) => calls.push(r), removeCall: () => undefined };
    const tracker = createContactTracker(undefined, false, "kvs");
    const snapshot = (value: string) => ({ state: { type: "routable", name: "Available" }, timestamp: 0, agentStates: [], badContacts: [], contacts: [contact("connected", [conn("a", "agent", "connected"), conn("cu", "inbound", "connected")], { attributes: { kvs: value } })] });
    tracker.apply(snapshot("arn:aws:kinesisvideo:us-east-1:123456789012:stream/s/1"), false, ctx, sink);
    tracker.apply(snapshot("not an arn"), false, ctx, sink);
    tracker.apply(snapshot("not an arn"), false, ctx, sink);
    expect(calls.map((c) => c.mediaStream)).toEqual(["arn:aws:kinesisvideo:us-east-1:123456789012:stream/s/1", null, null]);
    expect(signals).toEqual([{ kind: "warning", code: "MEDIA_STREAM_INVALID", message: 'The contact attribute "kvs" is not a Kinesis Video Streams stream ARN: the call has no media stream', callId: "c-1" }]);
  });

  it("mediaStreamOf: only a kinesisvideo stream ARN (any partition), trimmed; anything else clears the stream", () => {
    const arn = "arn:aws:kinesisvideo:eu-west-2:123456789012:stream/connect-x-contact-1/1588793513227";
    expect(mediaStreamOf({ s: arn }, "s")).toBe(arn);
    expect(mediaStreamOf({ s: ` ${arn}\n` }, "s")).toBe(arn);
    expect(mediaStreamOf({ s: "arn:aws-us-gov:kinesisvideo:us-gov-west-1:123456789012:stream/a.b_c-d/1" }, "s")).toMatch(/^arn:aws-us-gov:/);
    expect(mediaStreamOf({ s: "" }, "s")).toBeNull();
    expect(mediaStreamOf({}, "s")).toBeUndefined();
    expect(mediaStreamOf({ s: arn }, undefined)).toBeUndefined();
    for (const bad of ["arn:aws:kinesis:us-east-1:123456789012:stream/x", "arn:aws:kinesisvideo:us-east-1:1234:stream/x/1", "https://example.com/stream", "arn:aws:kinesisvideo:us-east-1:123456789012:stream/x/1/extra", "javascript:alert(1)"]) expect(mediaStreamOf({ s: bad }, "s")).toBeNull();
  });

  it("unknown contact or connection states are BadVendorData", () => {
    expect(() => mapVoiceContact(contact("exploding", []), newMemory(), opts)).toThrow(BadVendorData);
    expect(() => mapVoiceContact(contact("connected", [conn("a", "agent", "levitating")]), newMemory(), opts)).toThrow(BadVendorData);
  });
});

describe("agent mapping", () => {
  const states = [
    { type: "routable", name: "Available", agentStateARN: "arn:…/available" },
    { type: "not_routable", name: "Lunch", agentStateARN: "arn:…/lunch" },
    { type: "offline", name: "Offline", agentStateARN: "arn:…/offline" },
  ];

  it("routable/not_routable become reasons; offline is logout, not a reason", () => {
    expect(reasonsFrom(states)).toEqual([
      { id: "arn:…/available", state: "ready", label: "Available" },
      { id: "arn:…/lunch", state: "not_ready", label: "Lunch" },
    ]);
  });

  it("state types and system states map to the normalized kinds", () => {
    expect(agentKind({ type: "system", name: "AfterCallWork" })).toBe("after_call_work");
    expect(agentKind({ type: "not_routable", name: "AfterCallWork" })).toBe("after_call_work");
    expect(agentKind({ type: "system", name: "Busy" })).toBe("busy");
    expect(agentKind({ type: "offline", name: "Offline" })).toBe("logged_out");
    expect(agentKind({ type: "error", name: "MissedCallAgent" })).toBe("error");
    expect(() => agentKind({ type: "sleeping", name: "Zzz" })).toThrow(BadVendorData);
  });

  it("reads the snapshot's state, next state and username into an agent report", () => {
    const data = readAgentData({
      snapshot: { state: { type: "system", name: "Busy" }, nextState: { type: "not_routable", name: "Lunch", agentStateARN: "arn:…/lunch" }, contacts: [], snapshotTimestamp: new Date(5) },
      configuration: { username: "tagent", agentStates: states },
    });
    expect(data.timestamp).toBe(5);
    expect(toAgentReport(data, reasonsFrom(states))).toEqual({
      state: "busy",
      pendingState: { state: "not_ready", reason: { id: "arn:…/lunch", state: "not_ready", label: "Lunch" } },
      agentId: "tagent",
    });
  });

  it("a snapshot without state or contacts is unreadable; a bad contact is set aside with its reason", () => {
    expect(() => readAgentData({ snapshot: { contacts: [] } })).toThrow(BadVendorData);
    expect(() => readAgentData({ snapshot: { state: { type: "routable", name: "A" } } })).toThrow(/contacts/);
    const data = readAgentData({ snapshot: { state: { type: "routable", name: "A" }, contacts: [{ contactId: "x", type: "voice", state: { type: "connected" } }] } });
    expect(data.contacts).toEqual([]);
    expect(data.badContacts).toEqual([{ contactId: "x", problem: "contact x has no connections list", raw: expect.anything() }]);
  });
});

describe("parties, hold and the contact helpers", () => {
  it("parties: the agent's own connection first, then the customer, merged third parties and supervisors", () => {
    const memory = newMemory();
    memory.merged.add("third-1");
    const c = contact("connected", [
      conn("cu", "inbound", "hold", { phoneNumber: "+15550100" }),
      conn("sup", "monitoring", "silent_monitor", { initial: false }),
      conn("third-1", "outbound", "hold", { initial: false, name: "Bob" }),
      conn("a", "agent", "connected"),
    ]);
    const { call } = mapVoiceContact(c, memory, opts);
    expect(call.state).toBe("held"); // the agent holds the customer's connection
    expect(call.parties).toEqual([
      { id: "a", role: "agent", state: "connected" },
      { id: "cu", role: "customer", state: "held", address: "+15550100" },
      { id: "third-1", role: "third_party", state: "held", displayName: "Bob" },
      { id: "sup", role: "supervisor", state: "connected", monitorMode: "monitor" },
    ]);
  });

  it("a consult leg's id names its connection; outbound, consulting and the new third party are read from the connections", () => {
    expect(legConnectionId("c-1", legId("c-1", "third:1"))).toBe("third:1");
    const placed = contact("connecting", [conn("a", "agent", "connecting"), conn("cu", "outbound", "connecting")], { initiationMethod: "outbound" });
    expect(isOutboundContact(placed)).toBe(true);
    // Without an initiation method, an outbound customer connection means the agent placed it.
    expect(isOutboundContact({ ...placed, initiationMethod: undefined } as unknown as ContactData)).toBe(true);
    expect(isOutboundContact(contact("connecting", [conn("cu", "inbound", "connected")]))).toBe(false);
    const consulting = contact("connected", [conn("a", "agent", "connected"), conn("cu", "inbound", "hold"), conn("third-1", "outbound", "connected", { initial: false })]);
    const memory = newMemory();
    expect(isConsulting(consulting, memory)).toBe(true);
    memory.merged.add("third-1");
    expect(isConsulting(consulting, memory)).toBe(false);
    expect(newThirdParty(consulting, new Set(["a", "cu"]))).toBe("third-1");
    expect(newThirdParty(consulting, new Set(["a", "cu", "third-1"]))).toBeUndefined();
  });

  it("a call gone from the snapshot: abandoned while ringing, its own reason in wrap-up, else how the agent left", () => {
    const memory = newMemory();
    expect(vanishedReason(memory, undefined, "ringing")).toBe("abandoned");
    expect(vanishedReason({ ...memory, rejected: true }, undefined, "ringing")).toBe("rejected");
    expect(vanishedReason(memory, undefined, "wrapup")).toBeUndefined();
    expect(vanishedReason(undefined, undefined, "connected")).toBe("remote_hangup");
    memory.leaving = "transferred";
    expect(vanishedReason(memory, undefined, "connected")).toBe("transferred");
  });

  it("a consult leg gone from the snapshot: merged, transferred, dropped by the agent, else hung up by the third party", () => {
    const memory = newMemory();
    expect(vanishedReason(memory, "third-1", "connected")).toBe("remote_hangup");
    memory.dropped.add("third-1");
    expect(vanishedReason(memory, "third-1", "connected")).toBe("local_hangup");
    memory.leaving = "transferred";
    expect(vanishedReason(memory, "third-1", "connected")).toBe("transferred");
    memory.merged.add("third-1");
    expect(vanishedReason(memory, "third-1", "connected")).toBe("merged");
  });
});

describe("contact types, initiation methods and the customer leaving (issue 12)", () => {
  const offer = (extra: Partial<ContactData>) => contact("connecting", [conn("a", "agent", "connecting"), conn("cu", "inbound", "connected", { phoneNumber: "+15550100" })], extra);

  it("every ContactInitiationMethod Streams lists maps to a direction, offered or placed, and a kind", () => {
    const table = Object.fromEntries(
      ["inbound", "outbound", "transfer", "queue_transfer", "callback", "api", "disconnect", "webrtc_api", "agent_reply", "campaign_preview", "external_outbound", "monitor", "flow", "callback_customer_first_queued", "callback_customer_first_dialed"].map((m) => {
        const k = contactKind(offer({ initiationMethod: m }));
        return [m, `${k.direction}/${k.placed ? "placed" : "offered"}${k.kind ? `/${k.kind}` : ""}`];
      }),
    );
    expect(table).toEqual({
      inbound: "inbound/offered",
      outbound: "outbound/placed",
      transfer: "inbound/offered/transfer",
      queue_transfer: "inbound/offered",
      callback: "outbound/offered/callback",
      api: "outbound/offered",
      disconnect: "inbound/offered",
      webrtc_api: "inbound/offered",
      agent_reply: "outbound/placed",
      campaign_preview: "outbound/offered",
      external_outbound: "outbound/offered",
      monitor: "inbound/offered",
      flow: "outbound/offered",
      callback_customer_first_queued: "outbound/offered/callback",
      callback_customer_first_dialed: "outbound/offered/callback",
    });
    // An unknown method (even one named like an Object method) goes by the customer connection's type.
    expect(contactKind(offer({ initiationMethod: "constructor" }))).toEqual({ direction: "inbound", placed: false });
  });

  it("a queued callback rings while incoming, is connected once accepted (connecting), and is marked callKind callback", () => {
    const cb = (state: string, agentState: string) => contact(state, [conn("a", "agent", agentState), conn("cu", "outbound", "connected", { phoneNumber: "+15550123" })], { type: "queue_callback", initiationMethod: "callback" });
    expect(isOffered(cb("incoming", "connecting"))).toBe(true);
    expect(isOffered(cb("connecting", "connected"))).toBe(false);
    expect(mapVoiceContact(cb("incoming", "connecting"), newMemory(), opts).call).toMatchObject({ state: "ringing", direction: "outbound", to: "+15550123", data: { callKind: "callback" } });
    expect(mapVoiceContact(cb("connecting", "connected"), newMemory(), opts).call.state).toBe("connected");
    // An API-initiated contact is offered to the agent too: ringing, not dialing.
    expect(mapVoiceContact(offer({ initiationMethod: "api" }), newMemory(), opts).call).toMatchObject({ state: "ringing", direction: "outbound" });
    // A missed callback leaves the agent in Default (Streams issue #344).
    const missed = contact("error", [conn("a", "agent", "disconnected"), conn("cu", "outbound", "disconnected")], { type: "queue_callback", initiationMethod: "callback" });
    expect(mapVoiceContact(missed, newMemory(), { muted: false, agentError: "Default" }).call.endReason).toBe("missed");
  });

  it("the customer gone from a conference keeps the call live with the merged third party; gone during a consult ends it", () => {
    const memory = newMemory();
    memory.merged.add("third-1");
    const conf = (third: string) => contact("connected", [conn("a", "agent", "connected"), conn("cu", "inbound", "disconnected"), conn("third-1", "outbound", third, { initial: false })]);
    expect(mapVoiceContact(conf("connected"), memory, opts).call).toMatchObject({ state: "connected" });
    expect(mapVoiceContact(conf("connected"), memory, opts).call.parties?.map((p) => `${p.role}:${p.state}`)).toEqual(["agent:connected", "customer:disconnected", "third_party:connected"]);
    expect(mapVoiceContact(conf("hold"), memory, opts).call.state).toBe("held");
    const consult = mapVoiceContact(conf("connected"), newMemory(), opts);
    expect(consult.call).toMatchObject({ state: "ended", endReason: "remote_hangup" });
    expect(consult.legs).toHaveLength(1);
  });

  it("after-call work after a softphone failure (the agent did not hang up) is failed with it, on every later snapshot of the wrap-up too", () => {
    const ended = contact("ended", [conn("a", "agent", "disconnected"), conn("cu", "inbound", "disconnected")]);
    const memory = newMemory();
    memory.softphoneError = { type: "webrtc_error", message: "webrtc system error. ", at: 1_000 };
    const failed = { state: "wrapup", endReason: "failed", failure: { code: "VENDOR_ERROR", vendorCode: "webrtc_error" } };
    expect(mapVoiceContact(ended, memory, { muted: false, now: 6_000 }).call).toMatchObject(failed);
    // The agent still in after-call work long after: a later snapshot (a mute toggle, a refresh) says the same.
    expect(mapVoiceContact(ended, memory, { muted: false, now: 6_000 + SOFTPHONE_END_WITHIN_MS + 10_000 }).call).toMatchObject(failed);
    memory.leaving = "local_hangup";
    expect(mapVoiceContact(ended, memory, opts).call).toMatchObject({ endReason: "local_hangup" });
  });

  it("after-call work well after a softphone error (the call went on) is the customer's hang-up, however soon the snapshot after it comes", () => {
    const ended = contact("ended", [conn("a", "agent", "disconnected"), conn("cu", "inbound", "disconnected")]);
    const memory = newMemory();
    memory.softphoneError = { type: "webrtc_error", message: "webrtc system error. ", at: 1_000 };
    const endedAt = 1_000 + SOFTPHONE_END_WITHIN_MS + 1;
    expect(mapVoiceContact(ended, memory, { muted: false, now: endedAt }).call).toMatchObject({ endReason: "remote_hangup" });
    expect(mapVoiceContact(ended, memory, { muted: false, now: endedAt + 1 }).call).toMatchObject({ endReason: "remote_hangup" });
    expect(mapVoiceContact(ended, memory, { muted: false, now: endedAt + 60_000 }).call.failure).toBeUndefined();
  });
});

describe("directoryFrom (quick connects)", () => {
  it("maps each type to a kind, names to destinations, and leaves out what cannot be picked by name", () => {
    const arn = (i: number): string => `arn:aws:connect:us-east-1:1:instance/x/transfer-destination/${i}`;
    expect(
      directoryFrom([
        { endpointARN: arn(1), type: "phone_number", name: "Billing desk", phoneNumber: "+15550177" },
        { endpointARN: arn(2), type: "queue", name: "Tier 2" },
        { endpointARN: arn(3), type: "agent", name: "Grace Hopper" },
        { endpointARN: arn(4), type: "agent", name: "Grace Hopper" },
        { endpointARN: arn(5), type: "robot", name: "R2" },
        { endpointARN: arn(6), type: "queue", name: "Sales (EN)" },
        { endpointARN: arn(7), type: "queue", name: "5000" },
        { endpointARN: arn(8), type: "phone_number", name: "5001", phoneNumber: "+15550101" },
        { type: "queue", name: "No ARN" },
        null,
        "junk",
        { type: "queue" },
      ]),
    ).toEqual([
      { id: arn(1), label: "Billing desk", kind: "number", destination: "Billing desk" },
      { id: arn(2), label: "Tier 2", kind: "queue", destination: "Tier 2" },
      { id: arn(3), label: "Grace Hopper", kind: "agent", destination: "Grace Hopper" },
      { id: arn(8), label: "5001", kind: "number", destination: "+15550101" },
      { id: "No ARN", label: "No ARN", kind: "queue", destination: "No ARN" },
    ]);
  });
});
