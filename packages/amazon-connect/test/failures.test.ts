/**
 * Failure paths on the real Streams library beyond the conformance suite
 * (which covers outbound failures, missed calls, a refused microphone and
 * refused credentials at start): a CCP that never loads, a login that is
 * needed, API failures carrying the vendor's message, a session that expires
 * mid-shift, a lost WebSocket, and what the agent sees after a call ends in
 * one of Connect's error states.
 */
import { CtiError } from "@opencti/core";
import { createRecordedDesktop } from "@opencti/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createHarness, type AmazonConnectHarness } from "./support/harness.js";
import { openSession, type Session } from "./support/session.js";

let s: Session | undefined;
let h: AmazonConnectHarness | undefined;
afterEach(async () => {
  await s?.close();
  await h?.dispose();
  s = undefined;
  h = undefined;
});

async function neverLoads(loginPopup: boolean, ccpUrl?: string) {
  h = createHarness({ fake: { silent: true }, connector: { loginPopup, ccpLoadTimeoutMs: 400, ...(ccpUrl ? { ccpUrl } : {}) } });
  const started = Date.now(); // the connector starts (and its load timer runs) inside createDesktop
  const { desktop, events, next } = createRecordedDesktop(h.connector, { requestTimeoutMs: 800 });
  const error = await next("error");
  const elapsed = Date.now() - started;
  const login = await desktop.login({}).catch((e: unknown) => e);
  await desktop.destroy();
  return { error, elapsed, events, login, fake: h.fake };
}

describe("amazon-connect: the CCP does not load", () => {
  it("no acknowledge within ccpLoadTimeoutMs → LINK_DOWN error and link disconnected", async () => {
    const { error, elapsed, events, login, fake } = await neverLoads(false);
    expect(error.code).toBe("LINK_DOWN");
    expect(error.message).toContain("https://example.my.connect.aws/ccp-v2/");
    expect(error.message).toContain("400 ms");
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(4000);
    expect(events.filter((e) => e.type === "link.changed").map((e) => (e as { link: string }).link)).toEqual(["disconnected"]);
    expect(login).toBeInstanceOf(CtiError);
    // Streams really did try: it posted to the CCP iframe.
    expect(fake.received.length).toBeGreaterThan(0);
  });

  it("the message names the CCP by scheme, host and path: never a query or fragment (issue 14)", async () => {
    const { error, events } = await neverLoads(false, "https://example.my.connect.aws/ccp-v2/?sso=query-SECRET#frag-SECRET");
    expect(error.message).toMatch(/^The Amazon Connect CCP at https:\/\/example\.my\.connect\.aws\/ccp-v2\/ did not load within 400 ms\./);
    expect(JSON.stringify(events)).not.toContain("SECRET");
  });

  it("with the login popup enabled the same silence means sign-in is needed → AUTH_FAILED", async () => {
    const { error } = await neverLoads(true);
    expect(error.code).toBe("AUTH_FAILED");
    expect(error.message).toMatch(/sign in/i);
  });
});

describe("amazon-connect: vendor failures", () => {
  it("an API failure rejects with a CtiError carrying the vendor's message; the next request works", async () => {
    s = await openSession();
    const call = await s.answeredCall();
    const cause = { type: "ServiceUnavailableException", message: "The CTI service is temporarily unavailable" };
    s.h.fake.failNext("holdConnection", cause);
    const error = (await s.desktop.hold(call.id).catch((e: unknown) => e)) as CtiError;
    expect(error).toBeInstanceOf(CtiError);
    expect(error).toMatchObject({ code: "VENDOR_ERROR", retryable: true });
    expect(error.message).toBe("Amazon Connect could not hold the call: The CTI service is temporarily unavailable");
    expect(error.cause).toEqual(cause);
    expect(s.desktop.getCall(call.id)?.state).toBe("connected");
    await s.desktop.hold(call.id);
    await s.next("call.held", (e) => e.call.id === call.id);
  });

  it("vendor error types map to error codes: bad endpoint → INVALID_DESTINATION, invalid state → INVALID_STATE", async () => {
    s = await openSession();
    await s.desktop.login({});
    await s.desktop.setAgentState("ready");
    s.h.fake.failNext("createOutboundContact", { type: "BadEndpointException", message: "+15550199 is not a dialable number" });
    await expect(s.desktop.dial("+15550199")).rejects.toMatchObject({ code: "INVALID_DESTINATION", message: expect.stringContaining("not a dialable number") });
    s.h.fake.failNext("putAgentState", { type: "InvalidStateException", message: "Agent cannot change state now" });
    await expect(s.desktop.setAgentState(s.desktop.snapshot().reasons.find((r) => r.label === "Lunch")!.id)).rejects.toMatchObject({ code: "INVALID_STATE" });
    expect(s.desktop.snapshot().agent.state).toBe("ready");
  });

  it("a session Connect stops accepting mid-shift (auth_fail after the link was up) → AUTH_FAILED error, link down, requests LINK_DOWN", async () => {
    // Refused credentials at start are the suite's `badCredentials` scenario; this is the same signal on a live link.
    s = await openSession();
    await s.desktop.login({});
    const after = s.lastSeq();
    s.h.fake.failAuth();
    const error = await s.next("error", () => true, { after });
    expect(error).toMatchObject({ code: "AUTH_FAILED", retryable: false });
    expect(s.desktop.snapshot().link).toBe("disconnected");
    await expect(s.desktop.setAgentState("ready")).rejects.toMatchObject({ code: "LINK_DOWN" });
  });

  it("onWebSocketConnectionLost → reconnecting; websocket regained → connected again from Streams' data", async () => {
    s = await openSession();
    const call = await s.answeredCall();
    s.h.fake.sendRaw("agent::websocket_connection_lost", { reason: "1006" });
    const lost = await s.next("link.changed", (e) => e.link === "reconnecting");
    expect(lost.reason).toMatch(/WebSocket/);
    await expect(s.desktop.hold(call.id)).rejects.toMatchObject({ code: "LINK_DOWN" });
    const after = s.lastSeq();
    s.h.fake.sendRaw("agent::websocket_connection_gained", undefined);
    await s.next("link.changed", (e) => e.link === "connected", { after });
    expect(s.events.filter((e) => e.seq > after).map((e) => e.type)).toEqual(["link.changed"]);
    await s.desktop.hold(call.id);
  });

  it("a CCP that stops acknowledging the keepalive → reconnecting; acknowledging again → connected", async () => {
    s = await openSession({ connector: { ccpAckTimeoutMs: 500 } });
    const call = await s.answeredCall();
    s.h.fake.pauseKeepalive(true);
    const lost = await s.next("link.changed", (e) => e.link === "reconnecting");
    expect(lost.reason).toBe("the CCP stopped answering");
    await expect(s.desktop.hold(call.id)).rejects.toMatchObject({ code: "LINK_DOWN" });
    const after = s.lastSeq();
    s.h.fake.pauseKeepalive(false);
    await s.next("link.changed", (e) => e.link === "connected", { after });
    expect(s.desktop.getCall(call.id)?.state).toBe("connected");
    await s.desktop.hold(call.id);
  });

  it("stopping removes the CCP iframe and terminates Streams' client", async () => {
    s = await openSession();
    expect(s.h.dom.container.querySelector("iframe")).not.toBeNull();
    await s.desktop.destroy();
    expect(s.h.dom.container.querySelector("iframe")).toBeNull();
    expect(s.h.dom.connect.core.initialized).toBe(false);
  });
});

describe("amazon-connect: after a call ends in one of Connect's error states", () => {
  const ready = async (session: Session) => {
    await session.desktop.login({});
    await session.desktop.setAgentState("ready");
    await session.waitFor(() => session.desktop.snapshot().agent.state === "ready", "ready");
  };

  it("a missed call leaves the agent in Connect's MissedCallAgent error state until they pick a state; picking one clears the contact", async () => {
    s = await openSession();
    await ready(s);
    const contactId = s.h.fake.ringInbound({ from: "+15550100" });
    await s.next("call.ringing", (e) => e.call.id === contactId);
    s.h.fake.missInbound(contactId);
    const ended = (await s.next("call.ended", (e) => e.call.id === contactId)).call;
    expect(ended).toMatchObject({ endReason: "missed" });
    expect(ended.parties.every((p) => p.state === "disconnected")).toBe(true);
    await s.waitFor(() => s!.desktop.snapshot().agent.state === "error", "the agent in an error state");
    // The contact is still listed (state error): choosing a state is not queued behind it.
    await s.desktop.setAgentState("ready");
    const put = s.h.fake.requests.filter((r) => r.method === "putAgentState").at(-1)!;
    expect(put.params.enqueueNextState).toBe(false);
    await s.waitFor(() => s!.desktop.snapshot().agent.state === "ready", "ready again");
    expect(s.h.fake.contactIds()).toEqual([]);
    expect(s.callEvents(contactId).filter((t) => t === "call.ended")).toHaveLength(1);
  });

  it("a busy line ends the outbound call busy and shows the agent LineEngagedCustomer; FailedConnectCustomer is cleared by the CCP itself", async () => {
    s = await openSession({ fake: { outboundFailures: { "+15550186": "LineEngagedCustomer", "+15550188": "FailedConnectCustomer" } } });
    await ready(s);
    const busy = await s.desktop.dial("+15550186");
    expect((await s.next("call.ended", (e) => e.call.id === busy)).call).toMatchObject({
      endReason: "busy",
      failure: { code: "DESTINATION_BUSY", vendorCode: "LineEngagedCustomer", message: expect.stringContaining("engaged") },
    });
    await s.waitFor(() => s!.desktop.snapshot().agent.state === "error", "the agent in LineEngagedCustomer");
    await s.desktop.setAgentState("ready");
    await s.waitFor(() => s!.desktop.snapshot().agent.state === "ready", "ready again");
    const failed = await s.desktop.dial("+15550188");
    expect((await s.next("call.ended", (e) => e.call.id === failed)).call).toMatchObject({ endReason: "failed", failure: { code: "VENDOR_ERROR", vendorCode: "FailedConnectCustomer" } });
    // The CCP clears FailedConnectCustomer (contact.clear()): the agent is back in the state they had.
    await s.waitFor(() => s!.desktop.snapshot().agent.state === "ready" && s!.h.fake.contactIds().length === 0, "the CCP cleared it");
    expect(s.desktop.snapshot().calls).toEqual([]);
  });

  it("a refused microphone: an error event as the softphone starts, answer refused, then the call ends failed with MEDIA_PERMISSION_DENIED and the agent is back", async () => {
    s = await openSession({ fake: { microphone: "denied" } });
    expect((await s.next("error", (e) => e.code === "MEDIA_PERMISSION_DENIED")).message).toMatch(/microphone_not_shared/);
    await ready(s);
    const contactId = s.h.fake.ringInbound({ from: "+15550100" });
    await s.next("call.ringing", (e) => e.call.id === contactId);
    await expect(s.desktop.answer(contactId)).rejects.toMatchObject({ code: "MEDIA_PERMISSION_DENIED" });
    expect(s.h.fake.requests.some((r) => r.method === "acceptContact")).toBe(true);
    const ended = (await s.next("call.ended", (e) => e.call.id === contactId)).call;
    expect(ended).toMatchObject({ endReason: "failed", failure: { code: "MEDIA_PERMISSION_DENIED", vendorCode: "microphone_not_shared" } });
    expect(s.callEvents(contactId)).not.toContain("call.connected");
    await s.waitFor(() => s!.desktop.snapshot().agent.state === "ready", "the CCP cleared FailedConnectAgent");
  });

  it("a softphone error Streams sends without a type is an INVALID_VENDOR_EVENT", async () => {
    s = await openSession();
    const after = s.lastSeq();
    s.h.fake.sendRaw("agent::softphone_error", { errorMessage: "something" });
    const error = await s.next("error", (e) => e.code === "INVALID_VENDOR_EVENT", { after });
    expect(error.message).toMatch(/softphone error/);
  });
});
