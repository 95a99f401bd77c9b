// The agent-stream follower's lifetime in the SIP connector: from login to logout, never past a stop or a logout the
// registrar forced. A counting EventSource stands in for the browser's (the wire itself is tested in core and the lab).
import { createDesktop } from "@opencti/core";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createSipConnector } from "./connector.js";
import { SipFailure, type StackEvents, type StackFactory } from "./stack.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stack(register: () => Promise<void>) {
  let events: StackEvents | undefined;
  let connected = true;
  const factory: StackFactory = (_options, e) => {
    events = e;
    return {
      connect: () => Promise.resolve(),
      reconnect: () => Promise.resolve(void (connected = true)),
      isConnected: () => connected,
      register,
      unregister: () => Promise.resolve(),
      invite: () => Promise.reject(new Error("no calls here")),
      targetUri: (t: string) => `sip:${t}@lab`,
      stop: () => Promise.resolve(),
    };
  };
  return {
    factory,
    drop() {
      connected = false;
      events?.onDisconnected(new Error("closed"));
    },
  };
}

class CountingEventSource {
  static open = 0;
  onopen = null;
  onerror = null;
  constructor() {
    CountingEventSource.open++;
  }
  addEventListener() {}
  close() {
    CountingEventSource.open--;
  }
}
const agentStream = { url: () => Promise.resolve("http://127.0.0.1:1/events?ticket=t") };

let saved: unknown;
beforeEach(() => {
  saved = (globalThis as { EventSource?: unknown }).EventSource;
  (globalThis as { EventSource?: unknown }).EventSource = CountingEventSource;
  CountingEventSource.open = 0;
});
afterEach(() => {
  (globalThis as { EventSource?: unknown }).EventSource = saved;
});

it("follows from login to logout", async () => {
  const desktop = createDesktop({ connector: createSipConnector({ server: "ws://127.0.0.1:1", uri: "sip:1001@lab", agentStream }, stack(() => Promise.resolve()).factory) });
  await sleep(20);
  await desktop.login();
  await sleep(20);
  expect(CountingEventSource.open).toBe(1);
  await desktop.logout();
  expect(CountingEventSource.open).toBe(0);
  await desktop.destroy();
});

it("a login whose REGISTER completes after the stop follows nothing", async () => {
  const desktop = createDesktop({ connector: createSipConnector({ server: "ws://127.0.0.1:1", uri: "sip:1001@lab", agentStream }, stack(() => sleep(200).then(() => undefined)).factory) });
  await sleep(20);
  const login = desktop.login().catch((e: unknown) => e);
  await sleep(50);
  await desktop.destroy(); // stop() while the REGISTER is under way
  await login;
  await sleep(300);
  expect(CountingEventSource.open).toBe(0);
});

it("the registrar refusing a re-REGISTER (AUTH_FAILED) logs the agent out and stops following", async () => {
  let registers = 0;
  const s = stack(() => (++registers === 1 ? Promise.resolve() : Promise.reject(new SipFailure("Forbidden", 403))));
  const desktop = createDesktop({ connector: createSipConnector({ server: "ws://127.0.0.1:1", uri: "sip:1001@lab", agentStream, reconnectDelaysMs: [0] }, s.factory) });
  await sleep(20);
  await desktop.login();
  await sleep(20);
  expect(CountingEventSource.open).toBe(1);
  s.drop();
  await sleep(300);
  expect(desktop.snapshot().agent.state).toBe("logged_out");
  expect(CountingEventSource.open).toBe(0);
  await desktop.destroy();
});
