/**
 * Issue 12, Amazon Connect: what real deployments send, on the real Streams
 * library against the fake CCP. 1: queued callbacks and every initiation
 * method; 2: every softphone error type Streams publishes; 3: the customer
 * leaving a conference (or a consult) while the agent stays on the contact.
 */
import type { Call } from "@opencti/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SOFTPHONE_ERROR_WORDS } from "../src/testing/fake-ccp.js";
import { openSession, type Session } from "./support/session.js";

let s: Session | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
  vi.restoreAllMocks();
});

/** Moves `Date.now()` forward (the connector's clock) without waiting; timers run as they do. */
function clock(): { forward(ms: number): void } {
  const real = Date.now.bind(Date);
  let skip = 0;
  vi.spyOn(Date, "now").mockImplementation(() => real() + skip);
  return { forward: (ms) => void (skip += ms) };
}

async function ready(session: Session): Promise<void> {
  await session.desktop.login({});
  await session.desktop.setAgentState("ready");
  await session.waitFor(() => session.desktop.snapshot().agent.state === "ready", "ready");
}

/** Rings a contact and returns the call the desktop shows for it. */
async function offered(session: Session, spec: Parameters<Session["h"]["fake"]["ringInbound"]>[0]): Promise<Call> {
  const after = session.lastSeq();
  const contactId = session.h.fake.ringInbound(spec);
  return (await session.next("call.ringing", (e) => e.call.id === contactId, { after })).call;
}

/** The caller gives up; waits until the desktop shows the call over and the agent routable again. */
async function gone(session: Session, call: Call): Promise<void> {
  session.h.fake.abandon(call.id);
  await session.next("call.ended", (e) => e.call.id === call.id);
  await session.waitFor(() => session.desktop.snapshot().agent.state === "ready", "ready again");
}

describe("issue 12 case 1: contact types and initiation methods", () => {
  it("a queued callback (queue_callback, incoming, agent connecting, customer connected) rings as a callback, then connects once accepted", async () => {
    s = await openSession();
    await ready(s);
    const call = await offered(s, { type: "queue_callback", from: "+15550123", attributes: { customerId: "C-7" } });
    expect(s.h.fake.snapshot().snapshot.contacts).toEqual([expect.objectContaining({ type: "queue_callback", initiationMethod: "callback", state: expect.objectContaining({ type: "incoming" }) })]);
    // Connect calls the customer back: an outbound call, routed to the agent before it is placed.
    expect(call).toMatchObject({ state: "ringing", direction: "outbound", to: "+15550123", data: { customerId: "C-7", callKind: "callback" } });
    expect(call.actions).toContain("answer");
    expect(s.events.some((e) => e.type === "warning")).toBe(false);
    await s.desktop.answer(call.id);
    expect(s.h.fake.requests.filter((r) => r.method === "acceptContact").map((r) => r.params)).toEqual([{ contactId: call.id }]);
    const connected = (await s.next("call.connected", (e) => e.call.id === call.id)).call;
    expect(connected.data.callKind).toBe("callback");
    await s.desktop.hangup(call.id);
    await s.next("call.wrapup", (e) => e.call.id === call.id);
  });

  it("a queued callback nobody accepts ends missed (Connect leaves the agent in Default, not MissedCallAgent)", async () => {
    s = await openSession();
    await ready(s);
    const call = await offered(s, { type: "queue_callback", from: "+15550123" });
    s.h.fake.missInbound(call.id);
    const ended = (await s.next("call.ended", (e) => e.call.id === call.id)).call;
    expect(ended).toMatchObject({ endReason: "missed" });
    expect(ended.failure).toBeUndefined();
    await s.waitFor(() => s!.desktop.snapshot().agent.state === "error", "the agent in Default");
  });

  it("each initiation method Streams documents: who called whom, offered to the agent, and its kind", async () => {
    s = await openSession();
    await ready(s);
    // [initiationMethod, direction, callKind]; every one of them is offered to the agent (ringing), none placed by the agent.
    const cases: [string, string, string | undefined][] = [
      ["inbound", "inbound", undefined],
      ["transfer", "inbound", "transfer"],
      ["queue_transfer", "inbound", undefined],
      ["webrtc_api", "inbound", undefined],
      ["disconnect", "inbound", undefined],
      ["api", "outbound", undefined],
      ["campaign_preview", "outbound", undefined],
      ["callback_customer_first_queued", "outbound", "callback"],
      ["callback_customer_first_dialed", "outbound", "callback"],
    ];
    for (const [initiationMethod, direction, kind] of cases) {
      const call = await offered(s, { from: "+15550100", initiationMethod });
      expect({ initiationMethod, state: call.state, direction: call.direction, kind: call.data.callKind }).toEqual({ initiationMethod, state: "ringing", direction, kind });
      await gone(s, call);
    }
    // A flow's contact attribute named callKind is not the kind: a plain inbound call stays plain (Pega would show it as CONSULT).
    const plain = await offered(s, { from: "+15550100", initiationMethod: "inbound", attributes: { callKind: "transfer", customerId: "C-7" } });
    expect(plain.data).toEqual({ customerId: "C-7" });
    await gone(s, plain);
    const transferred = await offered(s, { from: "+15550100", initiationMethod: "transfer", attributes: { callKind: "callback" } });
    expect(transferred.data).toEqual({ callKind: "transfer" });
    await gone(s, transferred);
    // An email contact is not a call either.
    s.h.fake.ringInbound({ from: "someone@example.com", type: "email" });
    expect(await s.next("warning")).toMatchObject({ code: "UNSUPPORTED_CONTACT", message: expect.stringMatching(/email/) });
  });
});

describe("issue 12 case 2: softphone errors", () => {
  const types = Object.keys(SOFTPHONE_ERROR_WORDS).filter((t) => t !== "audio_enhancement_failure");

  it("every softphone error type as a call rings: an error event on that call with its code, and the call ends failed with it", async () => {
    s = await openSession();
    await ready(s);
    for (const type of types) {
      const call = await offered(s, { from: "+15550100" });
      const after = s.lastSeq();
      s.h.fake.softphoneError(type);
      const error = await s.next("error", () => true, { after });
      const code = type === "microphone_not_shared" ? "MEDIA_PERMISSION_DENIED" : "VENDOR_ERROR";
      // (An error event is never retryable in core; the request a softphone error fails, `answer`, is: see errors.test.ts.)
      expect({ type, code: error.code, callId: error.callId }).toEqual({ type, code, callId: call.id });
      expect(error.message).toContain(type);
      // Connect gives up on the agent's leg: FailedConnectAgent, which the CCP clears by itself.
      s.h.fake.failAgentLeg(call.id);
      const ended = (await s.next("call.ended", (e) => e.call.id === call.id, { after })).call;
      expect({ type, endReason: ended.endReason, failure: ended.failure }).toEqual({ type, endReason: "failed", failure: { code, vendorCode: type, message: expect.stringContaining("softphone") } });
      await s.waitFor(() => s!.desktop.snapshot().agent.state === "ready" && s!.h.fake.contactIds().length === 0, "the CCP cleared FailedConnectAgent");
    }
  });

  it("a softphone error that comes just before the snapshot with its contact still sets that call's outcome", async () => {
    s = await openSession();
    await ready(s);
    // The CCP forwards the softphone's broadcast and the worker's snapshot separately: here the error wins the race.
    s.h.fake.softphoneError("user_busy_error");
    const call = await offered(s, { from: "+15550100" });
    s.h.fake.failAgentLeg(call.id);
    expect((await s.next("call.ended", (e) => e.call.id === call.id)).call).toMatchObject({ endReason: "failed", failure: { code: "VENDOR_ERROR", vendorCode: "user_busy_error" } });
  });

  it("a softphone error during a connected call: Connect ends the contact, the wrap-up says failed with the softphone's failure (not a customer hang-up)", async () => {
    s = await openSession();
    await ready(s);
    const call = await offered(s, { from: "+15550100" });
    await s.desktop.answer(call.id);
    await s.next("call.connected", (e) => e.call.id === call.id);
    s.h.fake.softphoneError("webrtc_error");
    expect(await s.next("error")).toMatchObject({ code: "VENDOR_ERROR", callId: call.id });
    s.h.fake.failAgentLeg(call.id);
    const wrapup = (await s.next("call.wrapup", (e) => e.call.id === call.id)).call;
    expect(wrapup).toMatchObject({ endReason: "failed", failure: { code: "VENDOR_ERROR", vendorCode: "webrtc_error" } });
    await s.desktop.completeWrapUp(call.id, {});
    expect((await s.next("call.ended", (e) => e.call.id === call.id)).call.endReason).toBe("failed");
  });

  it("a wrap-up that says failed after a softphone error still says failed when the agent is in after-call work long after (mute toggle, next state)", async () => {
    const time = clock();
    // Streams' keepalive is not what this is about: the clock jumps further than its timeout.
    s = await openSession({ connector: { ccpAckTimeoutMs: 120_000 } });
    await ready(s);
    const call = await offered(s, { from: "+15550100" });
    await s.desktop.answer(call.id);
    await s.next("call.connected", (e) => e.call.id === call.id);
    s.h.fake.softphoneError("webrtc_error");
    await s.next("error");
    time.forward(5_000);
    s.h.fake.failAgentLeg(call.id);
    const failed = { endReason: "failed", failure: { code: "VENDOR_ERROR", vendorCode: "webrtc_error" } };
    expect((await s.next("call.wrapup", (e) => e.call.id === call.id)).call).toMatchObject(failed);
    const after = s.lastSeq();
    // 40 s on, the agent still in after-call work: the CCP's mute toggle re-reads the last snapshot, a next state brings a new one.
    time.forward(40_000);
    s.h.fake.toggleMuteInCcp(true);
    s.h.fake.setStateInCcp("Available", true);
    await s.waitFor(() => s!.desktop.snapshot().agent.pendingState?.state === "ready", "the next state from the later snapshot");
    expect(s.desktop.getCall(call.id)).toMatchObject({ state: "wrapup", ...failed });
    expect(s.events.filter((e) => e.seq > after && "call" in e && e.call.id === call.id)).toEqual([]);
    await s.desktop.completeWrapUp(call.id, {});
    expect((await s.next("call.ended", (e) => e.call.id === call.id)).call).toMatchObject(failed);
  });

  it("a softphone error the call outlived: the customer's hang-up long after is remote_hangup, without the failure", async () => {
    const time = clock();
    s = await openSession({ connector: { ccpAckTimeoutMs: 120_000 } });
    const call = await s.answeredCall();
    s.h.fake.softphoneError("webrtc_error");
    await s.next("error");
    time.forward(40_000);
    s.h.fake.remoteHangup(call.id);
    const wrapup = (await s.next("call.wrapup", (e) => e.call.id === call.id)).call;
    expect(wrapup.endReason).toBe("remote_hangup");
    expect(wrapup.failure).toBeUndefined();
  });

  it("audio_enhancement_failure is a warning: no error, the call goes on and ends as it would", async () => {
    s = await openSession();
    const call = await s.answeredCall();
    const after = s.lastSeq();
    s.h.fake.softphoneError("audio_enhancement_failure");
    expect(await s.next("warning", () => true, { after })).toMatchObject({ code: "AUDIO_ENHANCEMENT_FAILED" });
    s.h.fake.remoteHangup(call.id);
    expect((await s.next("call.wrapup", (e) => e.call.id === call.id)).call).toMatchObject({ endReason: "remote_hangup" });
    expect(s.events.filter((e) => e.type === "error" && e.seq > after)).toEqual([]);
  });
});

describe("issue 12 case 3: the customer leaves while the agent stays on the contact", () => {
  async function conference(session: Session): Promise<{ call: Call; third: string }> {
    const call = await session.answeredCall();
    const consultId = await session.desktop.consult(call.id, "+15550144");
    const [third] = session.h.fake.thirdParties(call.id);
    session.h.fake.remoteAnswer(call.id, third);
    await session.next("call.connected", (e) => e.call.id === consultId);
    await session.desktop.conference(call.id);
    await session.next("call.conferenced", (e) => e.call.id === call.id);
    return { call, third: third! };
  }

  it("in a conference the customer hangs up: the call stays live with the customer disconnected, the agent hangs up, wrap-up follows", async () => {
    s = await openSession();
    const { call, third } = await conference(s);
    const after = s.lastSeq();
    s.h.fake.remoteHangup(call.id);
    // Connect keeps the agent and the third party on the same contact.
    await s.waitFor(() => s!.desktop.getCall(call.id)?.parties.find((p) => p.role === "customer")?.state === "disconnected", "the customer party gone");
    const live = s.desktop.getCall(call.id)!;
    expect(live.state).toBe("connected");
    expect(live.parties.find((p) => p.id === third)).toMatchObject({ role: "third_party", state: "connected" });
    expect(live.actions).toContain("hangup");
    expect(s.callEvents(call.id).filter((t) => t === "call.ended" || t === "call.wrapup")).toEqual([]);
    // Hold and resume now act on the third party, the one left on the call.
    await s.desktop.hold(call.id);
    expect(s.h.fake.requests.filter((r) => r.method === "holdConnection").at(-1)!.params).toEqual({ contactId: call.id, connectionId: third });
    await s.desktop.resume(call.id);
    await s.desktop.hangup(call.id);
    const wrapup = (await s.next("call.wrapup", (e) => e.call.id === call.id, { after })).call;
    expect(wrapup.endReason).toBe("local_hangup");
    expect(s.desktop.snapshot().agent.state).toBe("after_call_work");
    await s.desktop.completeWrapUp(call.id, { disposition: "resolved" });
    await s.next("call.ended", (e) => e.call.id === call.id, { after });
    await s.waitFor(() => s!.desktop.snapshot().agent.state === "ready", "out of after-call work");
  });

  it("the agent drops the customer from a conference: the call goes on with the third party", async () => {
    s = await openSession();
    const { call, third } = await conference(s);
    const customer = s.desktop.getCall(call.id)!.parties.find((p) => p.role === "customer")!;
    await s.desktop.dropParty(call.id, customer.id);
    expect(s.desktop.getCall(call.id)).toMatchObject({ state: "connected" });
    expect(s.desktop.getCall(call.id)!.parties.find((p) => p.id === third)?.state).toBe("connected");
    s.h.fake.remoteHangup(call.id, third);
    expect((await s.next("call.wrapup", (e) => e.call.id === call.id)).call.endReason).toBe("remote_hangup");
  });

  it("during a consult the customer hangs up: the call ends, the agent stays on the consult leg, and the contact's wrap-up comes on that leg", async () => {
    s = await openSession();
    const call = await s.answeredCall();
    const consultId = await s.desktop.consult(call.id, "+15550144");
    const [third] = s.h.fake.thirdParties(call.id);
    s.h.fake.remoteAnswer(call.id, third);
    await s.next("call.connected", (e) => e.call.id === consultId);
    s.h.fake.remoteHangup(call.id);
    expect((await s.next("call.ended", (e) => e.call.id === call.id)).call.endReason).toBe("remote_hangup");
    expect(s.desktop.getCall(consultId)?.state).toBe("connected");
    await s.desktop.hangup(consultId);
    const wrapup = (await s.next("call.wrapup", (e) => e.call.id === consultId)).call;
    expect(wrapup.endReason).toBe("local_hangup");
    expect(s.desktop.snapshot().agent.state).toBe("after_call_work");
    await s.desktop.completeWrapUp(consultId, {});
    await s.next("call.ended", (e) => e.call.id === consultId);
    expect(s.h.fake.requests.at(-1)).toMatchObject({ method: "clearContact", params: { contactId: call.id } });
    await s.waitFor(() => s!.desktop.snapshot().agent.state === "ready", "out of after-call work");
  });
});
