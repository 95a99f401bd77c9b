/**
 * The connector's reconnect logic on a flapping link, through the stack seam: which refresh failure ends a
 * call. A fake stack drives it deterministically (the lab cannot: a re-INVITE cut short by a drop keeps
 * sip.js's transaction open for 32 s). The same logic against Kamailio and SIPp is in test/sip.test.ts.
 */
import { createRecordedDesktop } from "@opencti/testkit";
import { afterEach, expect, it } from "vitest";
import { createSipConnector } from "./connector.js";
import type { SipConnectorOptions } from "./options.js";
import { SipFailure, type SipLine, type StackEvents, type StackFactory } from "./stack.js";

const never = (): Promise<never> => Promise.reject(new Error("not in this test"));

function fakeStack() {
  let events: StackEvents | undefined;
  let connected = true;
  const refreshes: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  let hangups = 0;
  const line: SipLine = {
    callId: "call-1",
    direction: "outbound",
    remote: { user: "200", uri: "sip:200@lab" },
    headers: [],
    events: { onRinging() {}, onEarlyMedia() {}, onConnected() {}, onLocalHold() {}, onRemoteHold() {}, onIceState() {}, onEnded() {} },
    cancelled: false,
    accept: never,
    reject: never,
    abandon: never,
    hold: never,
    sendInfoDtmf: never,
    refer: never,
    hangup() {
      hangups++;
      line.events.onEnded({ by: "local" });
      return Promise.resolve();
    },
    refresh: () => new Promise<void>((resolve, reject) => refreshes.push({ resolve, reject })),
    mute() {},
    remoteStream: () => undefined,
    sendRtpDtmf: () => true,
  };
  const factory: StackFactory = (_options, e) => {
    events = e;
    return {
      connect: () => Promise.resolve(),
      reconnect: () => Promise.resolve(void (connected = true)),
      isConnected: () => connected,
      register: () => Promise.resolve(),
      unregister: () => Promise.resolve(),
      invite: () => Promise.resolve(line),
      targetUri: (t) => `sip:${t}@lab`,
      stop: () => Promise.resolve(),
    };
  };
  const drop = (): void => {
    connected = false;
    events?.onDisconnected(new Error("the WebSocket closed"));
  };
  return { factory, line, refreshes, drop, hangups: () => hangups };
}

const desktops: { destroy(): Promise<void> }[] = [];
afterEach(async () => Promise.all(desktops.splice(0).map((d) => d.destroy())));

/** A desktop on the fake stack with one connected outbound call; `options` go to the connector. */
async function connectedCall(options: Partial<SipConnectorOptions> = {}) {
  const stack = fakeStack();
  const recorded = createRecordedDesktop(createSipConnector({ server: "ws://127.0.0.1:1", uri: "sip:1001@lab", reconnectDelaysMs: [0], ...options }, stack.factory));
  desktops.push(recorded.desktop);
  await recorded.connected();
  await recorded.desktop.login();
  const id = await recorded.desktop.dial("200");
  stack.line.events.onConnected();
  await recorded.waitFor(() => recorded.desktop.getCall(id)?.state === "connected");
  /** Drops the link and waits until the reconnect refreshed the call again. */
  const flap = async (): Promise<void> => {
    const refreshed = stack.refreshes.length;
    stack.drop();
    await recorded.waitFor(() => stack.refreshes.length === refreshed + 1 && recorded.desktop.snapshot().link === "connected");
  };
  return { ...recorded, stack, id, flap };
}

it("a refresh the link's next drop cut short does not end the call: the refresh after that reconnect decides", async () => {
  const { desktop, stack, id, flap, waitFor, events } = await connectedCall();
  await flap();
  await flap(); // the link dropped again while the first refresh was out, and came back
  stack.refreshes[0]!.reject(new SipFailure("The refresh re-INVITE was abandoned", 0));
  stack.refreshes[1]!.resolve();
  await new Promise((r) => setTimeout(r, 20)); // both settled (microtasks) with room to spare
  expect(desktop.getCall(id)?.state).toBe("connected");
  expect(stack.hangups()).toBe(0);
  expect(events.some((e) => e.type === "call.ended")).toBe(false);
  // A refresh on the current connection that fails still ends the call lost.
  await flap();
  stack.refreshes[2]!.reject(new SipFailure("The far end refused the refresh re-INVITE (481 )", 481));
  await waitFor(() => desktop.getCall(id)?.state === "wrapup");
  expect(desktop.getCall(id)).toMatchObject({ endReason: "lost", failure: { code: "LINK_DOWN", vendorCode: "481" } });
});

it("offers the directory from its options in the desktop's snapshot", async () => {
  const stack = fakeStack();
  const directory = [{ id: "200", label: "Support desk", kind: "number", destination: "sip:200@lab" }] as const;
  const recorded = createRecordedDesktop(createSipConnector({ server: "ws://127.0.0.1:1", uri: "sip:1001@lab", reconnectDelaysMs: [0], directory }, stack.factory));
  desktops.push(recorded.desktop);
  await recorded.connected();
  expect(recorded.desktop.snapshot().directory).toEqual(directory);
});

it("with wrapUpLimitMs, a call in wrap-up says when it ends (wrapUpEndsAt) and ends then on its own", async () => {
  const { id, ...recorded } = await connectedCall({ wrapUpLimitMs: 200 });
  const hungUp = Date.now();
  await recorded.desktop.hangup(id);
  await recorded.waitFor(() => recorded.desktop.getCall(id)?.state === "wrapup");
  const endsAt = recorded.desktop.getCall(id)!.wrapUpEndsAt!;
  expect(endsAt - hungUp).toBeGreaterThanOrEqual(190);
  expect(endsAt - hungUp).toBeLessThan(1000);
  await recorded.waitFor(() => recorded.desktop.getCall(id) === undefined);
  expect(Date.now() - hungUp).toBeGreaterThanOrEqual(190);
  expect(recorded.events.find((e) => e.type === "call.ended")).toMatchObject({ call: { id, endReason: "local_hangup", wrapUpEndsAt: endsAt } });
  // The agent is back from after-call work.
  await recorded.waitFor(() => recorded.desktop.snapshot().agent.state !== "after_call_work");
});

it("with wrapUpLimitMs, destroying the desktop on a live call leaves no wrap-up timer behind", async () => {
  const { id, ...recorded } = await connectedCall({ wrapUpLimitMs: 100 });
  // The stop hangs the call up (it goes to wrap-up as it ends), then no timer may end it later.
  await recorded.desktop.destroy();
  const after = recorded.desktop.getCall(id);
  await new Promise((r) => setTimeout(r, 250));
  expect(recorded.desktop.getCall(id)).toEqual(after);
  expect(after?.wrapUpEndsAt).toBeUndefined();
});
