import { afterEach, describe, expect, it, vi } from "vitest";
import { abortable, delay, timeoutSignal, waitFor } from "./wait.js";

/** Counts abort listeners on a signal, to check nothing is left behind. */
function watched(signal: AbortSignal): { signal: AbortSignal; listeners: () => number } {
  let count = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((type: string, fn: EventListener, opts?: AddEventListenerOptions) => {
    if (type === "abort") count++;
    add(type, fn, opts);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((type: string, fn: EventListener, opts?: EventListenerOptions) => {
    if (type === "abort") count--;
    remove(type, fn, opts);
  }) as typeof signal.removeEventListener;
  return { signal, listeners: () => count };
}

describe("waitFor", () => {
  it("resolves through the executor and runs its cleanup once, removing the abort listener", async () => {
    const controller = new AbortController();
    const { signal, listeners } = watched(controller.signal);
    const cleanup = vi.fn();
    let resolve!: (v: number) => void;
    const p = waitFor<number>((res) => {
      resolve = res;
      return cleanup;
    }, signal);
    expect(listeners()).toBe(1);
    resolve(7);
    resolve(8);
    await expect(p).resolves.toBe(7);
    expect(cleanup).toHaveBeenCalledTimes(1);
    expect(listeners()).toBe(0);
    controller.abort();
    expect(cleanup).toHaveBeenCalledTimes(1);
  });

  it("rejects with onAbort() when the signal aborts, and cleans up", async () => {
    const controller = new AbortController();
    const cleanup = vi.fn();
    const p = waitFor(() => cleanup, controller.signal, () => new Error("timed out"));
    controller.abort();
    await expect(p).rejects.toThrow("timed out");
    expect(cleanup).toHaveBeenCalledTimes(1);
  });

  it("rejects with signal.reason without onAbort", async () => {
    const controller = new AbortController();
    const p = waitFor(() => {}, controller.signal);
    controller.abort("gave up");
    await expect(p).rejects.toBe("gave up");
  });

  it("does not run the executor on an already aborted signal", async () => {
    const executor = vi.fn();
    await expect(waitFor(executor, AbortSignal.abort("no"), () => "late")).rejects.toBe("late");
    expect(executor).not.toHaveBeenCalled();
  });

  it("settling inside the executor still runs the cleanup it returns", async () => {
    const cleanup = vi.fn();
    await expect(
      waitFor<string>((resolve) => {
        resolve("now");
        return cleanup;
      }),
    ).resolves.toBe("now");
    expect(cleanup).toHaveBeenCalledTimes(1);
  });

  it("a throwing executor rejects", async () => {
    await expect(
      waitFor(() => {
        throw new Error("vendor threw");
      }),
    ).rejects.toThrow("vendor threw");
  });

  it("the first settlement wins: a late abort changes nothing", async () => {
    const controller = new AbortController();
    let reject!: (e: unknown) => void;
    const p = waitFor((_res, rej) => void (reject = rej), controller.signal, () => "aborted");
    reject("vendor said no");
    controller.abort();
    await expect(p).rejects.toBe("vendor said no");
  });
});

describe("abortable", () => {
  it("passes a promise's result or rejection through", async () => {
    await expect(abortable(Promise.resolve(1), new AbortController().signal)).resolves.toBe(1);
    await expect(abortable(Promise.reject(new Error("no")))).rejects.toThrow("no");
  });

  it("rejects when the signal aborts first", async () => {
    const controller = new AbortController();
    const p = abortable(new Promise(() => {}), controller.signal, () => "timeout");
    controller.abort();
    await expect(p).rejects.toBe("timeout");
  });
});

describe("delay", () => {
  afterEach(() => vi.useRealTimers());

  it("resolves after ms", async () => {
    vi.useFakeTimers();
    let done = false;
    const p = delay(1000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
  });

  it("rejects and clears its timer on abort", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const p = delay(1000, controller.signal, () => "stopped");
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await expect(p).rejects.toBe("stopped");
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("timeoutSignal", () => {
  afterEach(() => vi.useRealTimers());

  it("aborts after ms", () => {
    vi.useFakeTimers();
    const t = timeoutSignal(100);
    vi.advanceTimersByTime(99);
    expect(t.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(t.signal.aborted).toBe(true);
  });

  it("aborts with its parent, with the parent's reason", () => {
    vi.useFakeTimers();
    const parent = new AbortController();
    const t = timeoutSignal(100, parent.signal);
    parent.abort("desktop gave up");
    expect(t.signal.aborted).toBe(true);
    expect(t.signal.reason).toBe("desktop gave up");
    expect(timeoutSignal(100, AbortSignal.abort("already")).signal.reason).toBe("already");
  });

  it("clear stops the timer and forgets the parent", () => {
    vi.useFakeTimers();
    const parent = new AbortController();
    const { signal, listeners } = watched(parent.signal);
    const t = timeoutSignal(100, signal);
    expect(listeners()).toBe(1);
    t.clear();
    expect(listeners()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    parent.abort();
    vi.advanceTimersByTime(1000);
    expect(t.signal.aborted).toBe(false);
  });
});
