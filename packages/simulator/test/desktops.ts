// What the simulator's Node tests share: a desktop on a fresh simulator,
// logged in, stopped after each test, and a wait for a condition.
import { createDesktop, type Capability, type DesktopEvent } from "@opencti/core";
import { afterEach, vi } from "vitest";
import { createSimulator, type SimulatorServerOptions } from "../src/index.js";

let cleanup: (() => Promise<void>)[] = [];
/** Runs `fn` after the current test (in order of registration). */
export const onCleanup = (fn: () => Promise<void>): void => void cleanup.push(fn);
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

/** A simulator (its connector retrying every 5 ms) and a desktop on it, logged in as `agentId`. */
export async function setup(options: SimulatorServerOptions & { capabilities?: readonly Capability[] } = {}, agentId = "a1") {
  const sim = createSimulator({ ...options, connector: { reconnectDelaysMs: [5], ...(options.capabilities ? { capabilities: options.capabilities } : {}) } });
  const desktop = createDesktop({ connector: sim.connector, requestTimeoutMs: 300 });
  const events: DesktopEvent[] = [];
  desktop.on("*", (e) => events.push(e));
  cleanup.push(async () => {
    await desktop.destroy();
    sim.server.dispose();
  });
  await desktop.login({ agentId });
  return { ...sim, desktop, events };
}

/** Resolves with `fn()` once it is truthy (within 2 s). */
export const until = <T>(fn: () => T) =>
  vi.waitFor(
    () => {
      const v = fn();
      if (!v) throw new Error("not yet");
      return v;
    },
    { timeout: 2000, interval: 2 },
  );
