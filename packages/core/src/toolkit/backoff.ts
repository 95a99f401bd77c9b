/**
 * Reconnect backoff: how long to wait before each retry, in milliseconds.
 */

export interface BackoffOptions {
  /**
   * The delay before each attempt, ms: the first retry waits `delaysMs[0]`, the
   * second `delaysMs[1]`, and the last one repeats. `[]` never retries. When
   * omitted the delays grow exponentially from `initialMs`.
   */
  readonly delaysMs?: readonly number[];
  /** The first exponential delay, ms. Default 500. */
  readonly initialMs?: number;
  /** Each exponential delay is the previous one times this. Default 2. */
  readonly factor?: number;
  /** No delay is longer than this, ms. Default 30 000 for exponential delays; a `delaysMs` list is used as given. */
  readonly maxMs?: number;
  /** Give up after this many retries (`next()` returns undefined). Default: never. */
  readonly maxAttempts?: number;
  /**
   * 0 to 1: each delay `d` is drawn uniformly from `[d × (1 − jitter), d]`, so
   * many desktops that lost the same server do not come back in step. Default 0.
   */
  readonly jitter?: number;
  /** The random source for jitter, in [0, 1). Default Math.random. */
  readonly random?: () => number;
}

export interface Backoff {
  /** Retries handed out since the last `reset()`. */
  readonly attempt: number;
  /** True while a retry from `schedule` is waiting. */
  readonly pending: boolean;
  /** The delay before the next retry, ms, and counts it; undefined once out of attempts. */
  next(): number | undefined;
  /**
   * Runs `fn` after the next delay. Does nothing while a retry is already
   * waiting (returns true); returns false, scheduling nothing, once out of attempts.
   */
  schedule(fn: () => void): boolean;
  /** Cancels a waiting retry (on stop). The attempt count stays. */
  cancel(): void;
  /** Back to the first delay (call it once connected). A waiting retry stays. */
  reset(): void;
}

/**
 * A backoff schedule. `createBackoff({ delaysMs: [500, 1000, 2000] })` waits
 * 500 ms, 1 s, then 2 s before every later retry; `createBackoff({ initialMs:
 * 1000, maxMs: 30_000, jitter: 0.5 })` doubles from 1 s up to 30 s, each
 * delay randomly shortened by up to half.
 */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  const { delaysMs, initialMs = 500, factor = 2, maxMs = delaysMs ? Infinity : 30_000, maxAttempts = Infinity, jitter = 0, random = Math.random } = options;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const next = (): number | undefined => {
    if (attempt >= maxAttempts || delaysMs?.length === 0) return undefined;
    const base = delaysMs ? delaysMs[Math.min(attempt, delaysMs.length - 1)]! : initialMs * factor ** attempt;
    attempt++;
    const capped = Math.min(base, maxMs);
    return jitter > 0 ? capped * (1 - Math.min(jitter, 1) * random()) : capped;
  };
  return {
    get attempt() {
      return attempt;
    },
    get pending() {
      return timer !== undefined;
    },
    next,
    schedule(fn) {
      if (timer !== undefined) return true;
      const ms = next();
      if (ms === undefined) return false;
      timer = setTimeout(() => {
        timer = undefined;
        fn();
      }, ms);
      return true;
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
    reset() {
      attempt = 0;
    },
  };
}
