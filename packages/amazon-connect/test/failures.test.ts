/**
 * Failure paths on the real Streams library: a CCP that never loads, a login
 * that is needed, API failures carrying the vendor's message, auth failures
 * and a lost WebSocket.
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

async function neverLoads(loginPopup: boolean) {
  h = createHarness({ fake: { silent: true }, connector: { loginPopup, ccpLoadTimeoutMs: 400 } });
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

  it("the CCP reporting an auth failure → AUTH_FAILED error and the link goes down", async () => {
    s = await openSession();
    const after = s.lastSeq();
    s.h.fake.sendRaw("auth_fail", undefined);
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
