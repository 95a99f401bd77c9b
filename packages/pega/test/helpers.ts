/** Drives the adapter the way Pega's framework does, and records what happens. */
import { createDesktop, type Capability, type Desktop } from "@opencti/core";
import { createSimulator, type SimulatorServer, type SimulatorServerOptions } from "@opencti/simulator";
import { expect, vi } from "vitest";
import { createPegaImplementation, type PegaDesktopImplementation, type PegaError, type PegaEvent, type PegaImplementationOptions } from "../src/index.js";

export type Outcome = { ok: true } | { ok: false; error: PegaError };

/**
 * Calls a Pega function with fresh success/failure callbacks and checks the
 * convention: exactly one of them, exactly once, never before the function returned.
 */
export async function outcome(invoke: (success: () => void, failure: (e: PegaError) => void) => void): Promise<Outcome> {
  let successes = 0;
  const failures: PegaError[] = [];
  let returned = false;
  let synchronous = false;
  invoke(
    () => {
      successes++;
      if (!returned) synchronous = true;
    },
    (e) => {
      failures.push(e);
      if (!returned) synchronous = true;
    },
  );
  returned = true;
  await vi.waitFor(() => expect(successes + failures.length).toBeGreaterThan(0), { timeout: 5000, interval: 5 });
  // A grace period: a second callback would show up here.
  await new Promise((r) => setTimeout(r, 30));
  expect(synchronous, "a callback ran before the function returned").toBe(false);
  expect(successes + failures.length, "callbacks called").toBe(1);
  return successes === 1 ? { ok: true } : { ok: false, error: failures[0]! };
}

export async function succeeds(invoke: (success: () => void, failure: (e: PegaError) => void) => void): Promise<void> {
  const result = await outcome(invoke);
  expect(result.ok ? "success" : `failure ${result.error.errCode}: ${result.error.errMessage}`).toBe("success");
}

export async function fails(invoke: (success: () => void, failure: (e: PegaError) => void) => void): Promise<PegaError> {
  const result = await outcome(invoke);
  if (result.ok) throw new Error("expected the failure callback");
  return result.error;
}

export interface Rig {
  server: SimulatorServer;
  desktop: Desktop;
  impl: PegaDesktopImplementation;
  /** Everything forwardEvent received, in order. */
  events: PegaEvent[];
  forward: (e: PegaEvent) => void;
  login(extension?: string): Promise<void>;
  /** Resolves once the CTI link is up. */
  connected(): Promise<void>;
  /** The first forwarded event after index `from` that matches. */
  next<T extends PegaEvent = PegaEvent>(match: { readonly pyEventType: T["pyEventType"] } & Readonly<Record<string, string>>, from?: number): Promise<T>;
}

const rigs: Rig[] = [];

export function rig(options: { sim?: SimulatorServerOptions; capabilities?: readonly Capability[]; pega?: PegaImplementationOptions } = {}): Rig {
  const { server, connector } = createSimulator({ ...options.sim, connector: { reconnectDelaysMs: [10, 20], ...(options.capabilities ? { capabilities: options.capabilities } : {}) } });
  const desktop = createDesktop({ connector, requestTimeoutMs: 1000 });
  const impl = createPegaImplementation(desktop, { stateTimeoutMs: 2000, ...options.pega });
  const events: PegaEvent[] = [];
  const forward = (e: PegaEvent): void => void events.push(JSON.parse(JSON.stringify(e)) as PegaEvent);
  const r: Rig = {
    server,
    desktop,
    impl,
    events,
    forward,
    connected: () => vi.waitFor(() => expect(desktop.snapshot().link).toBe("connected"), { timeout: 5000, interval: 5 }),
    login: (extension = "4001") => succeeds((s, f) => impl.login("agent-7", "", extension, {}, {}, s, f, forward)),
    next: <T extends PegaEvent>(match: Readonly<Record<string, string>>, from = 0) =>
      vi.waitFor(
        () => {
          const found = events.slice(from).find((e) => Object.entries(match).every(([k, v]) => (e as unknown as Record<string, unknown>)[k] === v));
          if (!found) throw new Error(`no ${JSON.stringify(match)} in ${JSON.stringify(events.slice(from))}`);
          return found as T;
        },
        { timeout: 5000, interval: 5 },
      ),
  };
  rigs.push(r);
  return r;
}

export async function disposeRigs(): Promise<void> {
  for (const r of rigs.splice(0)) {
    await r.desktop.destroy();
    r.server.dispose();
  }
}
