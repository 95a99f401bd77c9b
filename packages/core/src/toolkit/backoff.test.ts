import { afterEach, describe, expect, it, vi } from "vitest";
import { createBackoff } from "./backoff.js";

const take = (n: number, next: () => number | undefined): (number | undefined)[] => Array.from({ length: n }, next);

describe("createBackoff", () => {
  afterEach(() => vi.useRealTimers());

  it("walks a delay list and repeats its last delay", () => {
    const b = createBackoff({ delaysMs: [50, 100, 250] });
    expect(take(5, b.next)).toEqual([50, 100, 250, 250, 250]);
    expect(b.attempt).toBe(5);
  });

  it("never retries with an empty list, nor after maxAttempts", () => {
    expect(createBackoff({ delaysMs: [] }).next()).toBeUndefined();
    const b = createBackoff({ delaysMs: [10], maxAttempts: 2 });
    expect(take(3, b.next)).toEqual([10, 10, undefined]);
  });

  it("grows exponentially up to maxMs by default", () => {
    expect(take(8, createBackoff().next)).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(take(4, createBackoff({ initialMs: 100, factor: 3, maxMs: 1000 }).next)).toEqual([100, 300, 900, 1000]);
    expect(take(2, createBackoff({ delaysMs: [100, 5000], maxMs: 1000 }).next)).toEqual([100, 1000]);
    expect(createBackoff({ delaysMs: [60_000] }).next()).toBe(60_000); // a list is not capped unless maxMs says so
  });

  it("reset goes back to the first delay", () => {
    const b = createBackoff({ delaysMs: [1, 2, 3] });
    take(2, b.next);
    b.reset();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(1);
  });

  it("jitter shortens each delay by up to the given fraction", () => {
    expect(take(2, createBackoff({ delaysMs: [1000], jitter: 0.5, random: () => 0 }).next)).toEqual([1000, 1000]);
    expect(createBackoff({ delaysMs: [1000], jitter: 0.5, random: () => 0.5 }).next()).toBe(750);
    expect(createBackoff({ delaysMs: [1000], jitter: 1, random: () => 0.999 }).next()).toBeCloseTo(1, 5);
    const b = createBackoff({ initialMs: 1000, jitter: 0.3 });
    for (let i = 0; i < 50; i++) {
      b.reset();
      const d = b.next()!;
      expect(d).toBeGreaterThanOrEqual(700);
      expect(d).toBeLessThanOrEqual(1000);
    }
  });

  it("schedule runs once after the delay, ignores a second schedule while waiting, and cancel stops it", () => {
    vi.useFakeTimers();
    const b = createBackoff({ delaysMs: [100, 200] });
    const fn = vi.fn();
    expect(b.schedule(fn)).toBe(true);
    expect(b.schedule(fn)).toBe(true); // already waiting: not counted
    expect(b.pending).toBe(true);
    vi.advanceTimersByTime(99);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(b.pending).toBe(false);
    expect(b.attempt).toBe(1);
    b.schedule(fn);
    b.cancel();
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(b.pending).toBe(false);
  });

  it("schedule returns false and schedules nothing once out of attempts", () => {
    vi.useFakeTimers();
    const b = createBackoff({ delaysMs: [] });
    expect(b.schedule(() => {})).toBe(false);
    expect(b.pending).toBe(false);
  });

  it("a retry may schedule the next one from inside its callback", () => {
    vi.useFakeTimers();
    const b = createBackoff({ delaysMs: [10, 20] });
    const seen: number[] = [];
    const retry = (): void => {
      seen.push(Date.now());
      if (seen.length < 3) b.schedule(retry);
    };
    const start = Date.now();
    b.schedule(retry);
    vi.advanceTimersByTime(100);
    expect(seen.map((t) => t - start)).toEqual([10, 30, 50]);
  });
});
