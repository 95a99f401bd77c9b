/**
 * createRecordedDesktop: a Desktop on a connector with every event it emits
 * recorded, and waits on those events. The one helper behind the conformance
 * suite and every connector's vendor-specific tests.
 */
import { createDesktop, type Call, type Connector, type Desktop, type DesktopEvent, type DesktopEventMap, type DesktopEventType, type DesktopOptions } from "@opencti/core";
import { vi } from "vitest";

export interface WaitOptions {
  /** Give up after this many ms. */
  timeout?: number;
  /** Poll every this many ms. */
  interval?: number;
  /** What is awaited, for the timeout message. */
  what?: string;
}

/**
 * Resolves with `fn`'s value once it is neither `undefined` nor `false`
 * (polling; `fn` may be async), or rejects with "Timed out waiting for …".
 * Defaults: 5000 ms, every 10 ms.
 */
export function waitUntil<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, options: WaitOptions = {}): Promise<T> {
  const { timeout = 5000, interval = 10, what = "a condition" } = options;
  return vi.waitFor(
    async () => {
      const value = await fn();
      if (value === undefined || value === false) throw new Error(`Timed out waiting for ${what}`);
      return value;
    },
    { timeout, interval },
  );
}

export interface RecordedDesktopOptions extends Omit<DesktopOptions, "connector"> {
  /** Default timeout of `waitFor`, `next` and `connected`. Default 5000 ms. */
  timeoutMs?: number;
  /** How often they poll. Default 10 ms. */
  intervalMs?: number;
}

export interface RecordedDesktop {
  desktop: Desktop;
  /** Every event since the desktop was created (subscribed as soon as createDesktop returned), oldest first. */
  events: DesktopEvent[];
  /** `waitUntil` with the recorder's defaults; `what` names the wait in the timeout message. */
  waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, what?: string, timeout?: number): Promise<T>;
  /** The first recorded event of `type` matching `pred` with a seq above `after` (default 0), waiting for it if need be. */
  next<T extends DesktopEventType>(type: T, pred?: (e: DesktopEventMap[T]) => boolean, options?: { after?: number; timeout?: number }): Promise<DesktopEventMap[T]>;
  /** Resolves once `desktop.snapshot().link` is `connected`. */
  connected(timeout?: number): Promise<void>;
  /** The seq of the last recorded event, 0 before any: pass it as `next`'s `after`. */
  lastSeq(): number;
  /** The types of the recorded events about call `callId`, in order. */
  callEvents(callId: string): string[];
}

/** Creates a Desktop on `connector` (the other options go to createDesktop) and records its events. */
export function createRecordedDesktop(connector: Connector, options: RecordedDesktopOptions = {}): RecordedDesktop {
  const { timeoutMs = 5000, intervalMs = 10, ...desktopOptions } = options;
  const desktop = createDesktop({ ...desktopOptions, connector });
  const events: DesktopEvent[] = [];
  desktop.on("*", (e) => events.push(e));
  const waitFor: RecordedDesktop["waitFor"] = (fn, what, timeout = timeoutMs) => waitUntil(fn, { timeout, interval: intervalMs, ...(what !== undefined ? { what } : {}) });
  return {
    desktop,
    events,
    waitFor,
    next: (type, pred = () => true, { after = 0, timeout } = {}) =>
      waitFor(() => events.find((e) => e.type === type && e.seq > after && pred(e as DesktopEventMap[typeof type])) as DesktopEventMap[typeof type] | undefined, type, timeout),
    connected: async (timeout) => {
      await waitFor(() => desktop.snapshot().link === "connected", "the link to connect", timeout);
    },
    lastSeq: () => events.at(-1)?.seq ?? 0,
    callEvents: (callId) => events.filter((e) => "call" in e && (e as { call: Call }).call.id === callId).map((e) => e.type),
  };
}
