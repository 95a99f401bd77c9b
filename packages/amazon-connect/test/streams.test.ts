/**
 * Streams-specific behaviour, on the real library against the fake CCP:
 * snapshot quirks, pending states, CCP-side mute, consult legs inside one
 * contact, non-voice contacts and malformed fields.
 */
import { afterEach, describe, expect, it } from "vitest";
import { openSession, type Session } from "./support/session.js";

let s: Session | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe("amazon-connect on real Streams: snapshots", () => {
  it("duplicate and late snapshots cause no duplicate events and no rollback", async () => {
    s = await openSession();
    const call = await s.answeredCall();
    const before = s.lastSeq();
    s.h.fake.pushSnapshot();
    s.h.fake.pushSnapshot();
    // Two snapshots back the call was still ringing: a late delivery must not roll it back.
    s.h.fake.pushStale(2);
    s.h.fake.pushSnapshot();
    await s.desktop.hold(call.id);
    await s.next("call.held", (e) => e.call.id === call.id, { after: before });
    const since = s.events.filter((e) => e.seq > before).map((e) => e.type);
    expect(since).toEqual(["call.held"]);
    expect(s.desktop.getCall(call.id)?.state).toBe("held");
  });

  it("a contact that disappears from the snapshot ends exactly once", async () => {
    s = await openSession();
    const call = await s.answeredCall();
    s.h.fake.abandon(call.id); // removes the contact outright, no ACW
    const ended = await s.next("call.ended", (e) => e.call.id === call.id);
    expect(ended.call.endReason).toBe("remote_hangup");
    s.h.fake.pushSnapshot();
    s.h.fake.pushStale(1);
    await s.waitFor(() => s!.desktop.snapshot().agent.state === "ready", "agent ready again");
    expect(s.callEvents(call.id).filter((t) => t === "call.ended")).toHaveLength(1);
    expect(s.events.some((e) => e.type === "error")).toBe(false);
  });
});

describe("amazon-connect on real Streams: agent", () => {
  it("a state chosen during a call is queued (enqueueNextState) and applied after wrap-up", async () => {
    s = await openSession();
    const call = await s.answeredCall();
    const lunch = s.desktop.snapshot().reasons.find((r) => r.label === "Lunch")!;
    expect(lunch.id).toMatch(/^arn:aws:connect:.*\/agent-state\/lunch$/);
    await s.desktop.setAgentState(lunch.id);
    const pending = await s.next("agent.changed", (e) => e.agent.pendingState !== undefined);
    expect(pending.agent.state).toBe("busy");
    expect(pending.agent.pendingState).toMatchObject({ state: "not_ready", reason: { label: "Lunch" } });
    const put = s.h.fake.requests.filter((r) => r.method === "putAgentState").at(-1)!;
    expect(put.params).toMatchObject({ enqueueNextState: true, state: { name: "Lunch", type: "not_routable" } });
    await s.desktop.hangup(call.id);
    await s.next("call.wrapup", (e) => e.call.id === call.id);
    expect(s.desktop.snapshot().agent.state).toBe("after_call_work");
    await s.desktop.completeWrapUp(call.id, { disposition: "resolved" });
    const ended = await s.next("call.ended", (e) => e.call.id === call.id);
    expect(ended.call.wrapUp).toEqual({ disposition: "resolved" });
    await s.waitFor(() => s!.desktop.snapshot().agent.reason?.label === "Lunch", "Lunch applied");
    expect(s.desktop.snapshot().agent).toMatchObject({ state: "not_ready" });
    expect(s.desktop.snapshot().agent.pendingState).toBeUndefined();
  });

  it("reasons come from the instance's agent states; a state picked in the CCP itself is reported", async () => {
    s = await openSession();
    expect(s.desktop.snapshot().reasons.map((r) => `${r.label}:${r.state}`)).toEqual(["Available:ready", "Lunch:not_ready", "Training:not_ready"]);
    await s.desktop.login({});
    s.h.fake.setStateInCcp("Training");
    const changed = await s.next("agent.changed", (e) => e.agent.reason?.label === "Training");
    expect(changed.agent.state).toBe("not_ready");
    expect(changed.agent.agentId).toBe("tagent");
  });

  it("mute toggled in the CCP reaches the call; mute from the desktop waits for the softphone's answer", async () => {
    s = await openSession();
    const call = await s.answeredCall();
    s.h.fake.toggleMuteInCcp(true);
    expect((await s.next("call.muted", (e) => e.call.id === call.id)).call.muted).toBe(true);
    const after = s.lastSeq();
    s.h.fake.toggleMuteInCcp(false);
    expect((await s.next("call.unmuted", (e) => e.call.id === call.id, { after })).call.muted).toBe(false);
    await s.desktop.mute(call.id);
    expect(s.h.fake.muted).toBe(true);
    expect(s.h.fake.received).toContain("broadcast:mute");
    expect(s.desktop.getCall(call.id)?.muted).toBe(true);
  });
});

describe("amazon-connect on real Streams: several connections", () => {
  it("a call offered while the agent dials is not mistaken for the outbound call", async () => {
    s = await openSession();
    await s.desktop.login({});
    await s.desktop.setAgentState("ready");
    await s.waitFor(() => s!.desktop.snapshot().agent.state === "ready", "ready");
    const dialing = s.desktop.dial("+15550142");
    // Routed to the agent in the same moment: its snapshot arrives before the outbound contact's.
    const inbound = s.h.fake.ringInbound({ from: "+15550100" });
    const callId = await dialing;
    expect(callId).not.toBe(inbound);
    expect(s.desktop.getCall(callId)).toMatchObject({ direction: "outbound", to: "+15550142" });
  });

  it("a consult is a third-party connection inside the same contact, reported as its own call", async () => {
    s = await openSession();
    const call = await s.answeredCall();
    const consultId = await s.desktop.consult(call.id, "+15550144");
    const add = s.h.fake.requests.find((r) => r.method === "createAdditionalConnection")!;
    expect(add.params).toMatchObject({ contactId: call.id, endpoint: { phoneNumber: "+15550144", type: "phone_number" } });
    const [connectionId] = s.h.fake.thirdParties(call.id);
    expect(consultId).toBe(`${call.id}:${connectionId}`);
    const consult = (await s.next("call.dialing", (e) => e.call.id === consultId)).call;
    expect(consult).toMatchObject({ direction: "consult", relatedCallId: call.id, vendorCallId: call.id, to: "+15550144" });
    await s.waitFor(() => s!.desktop.getCall(call.id)?.state === "held", "the customer held");
    s.h.fake.remoteAnswer(call.id, connectionId);
    await s.next("call.connected", (e) => e.call.id === consultId);
    expect(s.desktop.snapshot().calls.map((c) => [c.id, c.state])).toEqual([
      [call.id, "held"],
      [consultId, "connected"],
    ]);
    // DTMF on the consult leg goes to the third party's connection.
    await s.desktop.sendDtmf(consultId, "42");
    expect(s.h.fake.requests.find((r) => r.method === "sendDigits")!.params).toMatchObject({ contactId: call.id, connectionId, digits: "42" });
    // The customer hangs up while held: the primary ends, the consult leg goes on.
    s.h.fake.remoteHangup(call.id);
    expect((await s.next("call.ended", (e) => e.call.id === call.id)).call.endReason).toBe("remote_hangup");
    expect(s.desktop.getCall(consultId)?.state).toBe("connected");
    await s.desktop.hangup(consultId);
    // The contact's after-call work is the leg's now (issue 12: field-cases.test.ts).
    await s.next("call.wrapup", (e) => e.call.id === consultId);
    await s.desktop.completeWrapUp(consultId, {});
    await s.next("call.ended", (e) => e.call.id === consultId);
    expect(s.events.filter((e) => e.type === "error")).toEqual([]);
  });

  it("lists the agent's quick connects as the directory once the CCP is up, and a consult to an entry reaches its endpoint", async () => {
    s = await openSession({
      fake: {
        quickConnects: [
          { name: "Billing desk", phoneNumber: "+15550177" },
          { name: "Tier 2 queue", type: "queue" },
          { name: "Grace Hopper", type: "agent" },
          { name: "Sales (EN) / night", type: "queue" },
        ],
      },
    });
    const session = s;
    await session.waitFor(() => session.desktop.snapshot().directory.length > 0, "the directory");
    // The one whose name is not a dialable named target cannot be picked by name: left out.
    expect(s.desktop.snapshot().directory.map((e) => [e.label, e.kind, e.destination])).toEqual([
      ["Billing desk", "number", "Billing desk"],
      ["Tier 2 queue", "queue", "Tier 2 queue"],
      ["Grace Hopper", "agent", "Grace Hopper"],
    ]);
    expect(s.desktop.snapshot().directory[0]!.id).toMatch(/transfer-destination\/qc-0$/);
    const call = await s.answeredCall();
    await s.desktop.consult(call.id, s.desktop.snapshot().directory[1]!.destination);
    expect(s.h.fake.requests.find((r) => r.method === "createAdditionalConnection")!.params).toMatchObject({ endpoint: { name: "Tier 2 queue", type: "queue" } });
    expect(s.events.filter((e) => e.type === "error")).toEqual([]);
  });

  it("blind transfer to a quick connect by name: addConnection with its endpoint, then the agent leaves", async () => {
    s = await openSession();
    const call = await s.answeredCall();
    await s.desktop.blindTransfer(call.id, "Billing desk");
    expect(s.h.fake.requests.map((r) => r.method)).toEqual(expect.arrayContaining(["getEndpoints", "createAdditionalConnection", "destroyConnection"]));
    expect(s.h.fake.requests.find((r) => r.method === "createAdditionalConnection")!.params).toMatchObject({ endpoint: { name: "Billing desk", phoneNumber: "+15550177" } });
    await s.next("call.transferred", (e) => e.call.id === call.id);
    // No consult call was ever shown for the transfer's own leg.
    expect(s.events.some((e) => e.type === "call.dialing")).toBe(false);
    await expect(s.desktop.blindTransfer(call.id, "Nobody")).rejects.toMatchObject({ code: "INVALID_STATE" });
  });

  it("an unknown named destination is refused as INVALID_DESTINATION", async () => {
    s = await openSession();
    const call = await s.answeredCall();
    await expect(s.desktop.blindTransfer(call.id, "Nobody here")).rejects.toMatchObject({ code: "INVALID_DESTINATION" });
    expect(s.desktop.getCall(call.id)?.state).toBe("connected");
  });
});

describe("amazon-connect on real Streams: contacts the desktop does not handle", () => {
  it("chat and task contacts are reported once as a warning and never become calls", async () => {
    s = await openSession();
    await s.desktop.login({});
    const chat = s.h.fake.ringInbound({ from: "web-chat", type: "chat" });
    const warning = await s.next("warning");
    expect(warning).toMatchObject({ code: "UNSUPPORTED_CONTACT" });
    expect(warning.message).toMatch(/chat/);
    s.h.fake.pushSnapshot();
    s.h.fake.ringInbound({ from: "task", type: "task" });
    await s.waitFor(() => s!.events.filter((e) => e.type === "warning").length === 2, "the task warning");
    s.h.fake.pushSnapshot();
    expect(s.desktop.snapshot().calls).toEqual([]);
    // The desktop still takes voice calls while the chat is there.
    s.h.fake.abandon(chat);
    const voice = s.h.fake.ringInbound({ from: "+15550111" });
    await s.next("call.ringing", (e) => e.call.id === voice);
    expect(s.events.filter((e) => e.type === "warning")).toHaveLength(2);
  });
});

describe("amazon-connect on real Streams: malformed input", () => {
  it("unreadable fields become INVALID_VENDOR_EVENT errors; the live call and the link are untouched", async () => {
    s = await openSession({ connector: { callDataAttributes: ["customerId"] } });
    const call = await s.answeredCall({ attributes: { customerId: "C-42", secretNote: "internal" } });
    expect(call.data).toEqual({ customerId: "C-42" });
    const before = s.lastSeq();
    const current = s.h.fake.snapshot().snapshot;
    const contact = (current.contacts as Record<string, unknown>[])[0]!;
    const broken = [
      (snap: Record<string, unknown>) => (snap.contacts = "nope"),
      (snap: Record<string, unknown>) => (snap.state = { type: "routable" }),
      (snap: Record<string, unknown>) => (snap.state = { type: "sleeping", name: "Zzz" }),
      (snap: Record<string, unknown>) => (snap.contacts = [{ ...contact, connections: null }]),
      (snap: Record<string, unknown>) => (snap.contacts = [{ ...contact, state: { type: "teleported" } }]),
      (snap: Record<string, unknown>) => (snap.contacts = [{ ...contact, connections: [{ connectionId: "x", type: "agent", state: { type: "levitating" } }] }]),
      (snap: Record<string, unknown>) => (snap.contacts = [{ contactId: 42 }]),
    ];
    for (const mutate of broken) s.h.fake.pushMalformedSnapshot(mutate);
    s.h.fake.sendRaw("agent::mute_toggle", { muted: "maybe" });
    await s.waitFor(() => s!.events.filter((e) => e.type === "error" && e.seq > before).length >= broken.length + 1, "an error per malformed input");
    const errors = s.events.filter((e) => e.type === "error" && e.seq > before);
    for (const e of errors) expect(e).toMatchObject({ code: "INVALID_VENDOR_EVENT", retryable: false });
    expect(s.desktop.snapshot().link).toBe("connected");
    expect(s.desktop.getCall(call.id)?.state).toBe("connected");
    expect(s.callEvents(call.id).filter((t) => t === "call.ended")).toEqual([]);
    // Streams itself now holds the broken snapshot: requests fail with its own words until a good one arrives.
    const refused = await s.desktop.hold(call.id).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "INVALID_STATE", message: expect.stringMatching(/could not hold the call: Contact [0-9a-f-]{36} no longer exists/) });
    s.h.fake.pushFresh();
    await s.desktop.hold(call.id);
    await s.next("call.held", (e) => e.call.id === call.id, { after: before });
  });
});

describe("amazon-connect on real Streams: the CCP wire protocol (pinned to Streams 2.28)", () => {
  it("Streams configures the CCP, keeps it alive, and sends API requests in the shapes the fake answers", async () => {
    s = await openSession();
    expect(s.h.fake.received).toEqual(expect.arrayContaining(["configure", "outer_context_info"]));
    // The CCP iframe is the only softphone: without allowFramedSoftphone Streams starts media in this page, which has none.
    expect(s.h.fake.configuration).toMatchObject({ softphone: { allowFramedSoftphone: true } });
    const call = await s.answeredCall();
    await s.desktop.hold(call.id);
    const byMethod = (m: string) => s!.h.fake.requests.filter((r) => r.method === m);
    const customer = s.desktop.getCall(call.id)!.parties.find((p) => p.role === "customer")!;
    expect(byMethod("putAgentState").at(-1)!.params).toEqual({ state: { agentStateARN: expect.stringMatching(/agent-state\/available$/), type: "routable", name: "Available" }, enqueueNextState: false });
    expect(byMethod("acceptContact")[0]!.params).toEqual({ contactId: call.id });
    expect(byMethod("holdConnection")[0]!.params).toEqual({ contactId: call.id, connectionId: customer.id });
    // The keepalive: SYNCHRONIZE every second, answered with ACKNOWLEDGE (no ACK_TIMEOUT, the link stays up).
    await s.waitFor(() => s!.h.fake.received.filter((e) => e === "synchronize").length >= 2, "two keepalive rounds");
    expect(s.desktop.snapshot().link).toBe("connected");
  });
});
