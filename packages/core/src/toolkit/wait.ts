/**
 * Promises tied to an AbortSignal: every connector request gets the desktop's
 * signal, aborted when the desktop stops waiting (its request timeout). A wait
 * that ends on abort rejects with `onAbort()` (typically a CtiError
 * REQUEST_TIMEOUT built by the connector), or else with `signal.reason`, and
 * leaves no listener or timer behind whichever way it ends.
 */

/** What an aborted wait rejects with; `signal.reason` when not given. */
export type OnAbort = () => unknown;

/**
 * A `new Promise` that also settles when `signal` aborts (at once if it
 * already has). `executor` may return a cleanup (remove vendor listeners,
 * forget a waiter); it runs exactly once, however the promise settles. Only
 * the first settlement counts, and a throw from `executor` rejects.
 */
export function waitFor<T>(
  executor: (resolve: (value: T) => void, reject: (reason: unknown) => void) => (() => void) | void,
  signal?: AbortSignal,
  onAbort?: OnAbort,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let cleanup: (() => void) | void;
    const settle = (ok: boolean, value: unknown): void => {
      if (done) return;
      done = true;
      signal?.removeEventListener("abort", aborted);
      cleanup?.();
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rejects with what the vendor, the signal or onAbort gave
      if (ok) resolve(value as T); else reject(value);
    };
    const aborted = (): void => settle(false, onAbort ? onAbort() : signal?.reason);
    if (signal?.aborted) return aborted();
    signal?.addEventListener("abort", aborted, { once: true });
    try {
      cleanup = executor(
        (value) => settle(true, value),
        (reason) => settle(false, reason),
      );
      // Settled synchronously inside the executor: clean up what it set up.
      if (done) cleanup?.();
    } catch (error) {
      settle(false, error);
    }
  });
}

/** `promise`, or a rejection with `onAbort()` / `signal.reason` if `signal` aborts first. */
export function abortable<T>(promise: PromiseLike<T>, signal?: AbortSignal, onAbort?: OnAbort): Promise<T> {
  return waitFor<T>((resolve, reject) => void promise.then(resolve, reject), signal, onAbort);
}

/** Resolves after `ms` milliseconds; rejects (and clears the timer) if `signal` aborts first. */
export function delay(ms: number, signal?: AbortSignal, onAbort?: OnAbort): Promise<void> {
  return waitFor<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    return () => clearTimeout(timer);
  }, signal, onAbort);
}

export interface TimeoutSignal {
  /** Aborts after the timeout, or when the parent signal aborts. */
  readonly signal: AbortSignal;
  /** Stops the timer and forgets the parent: call it when the work is done. */
  clear(): void;
}

/**
 * A signal that aborts after `ms` milliseconds or with `parent`, whichever
 * comes first: a connector's own, shorter limit inside a desktop request (a
 * registrar that never answers is a link problem, reported before the
 * desktop's timeout). Unlike `AbortSignal.timeout` its timer can be cleared.
 */
export function timeoutSignal(ms: number, parent?: AbortSignal): TimeoutSignal {
  const controller = new AbortController();
  const abort = (): void => controller.abort(parent?.aborted ? parent.reason : undefined);
  const timer = setTimeout(abort, ms);
  const clear = (): void => {
    clearTimeout(timer);
    parent?.removeEventListener("abort", abort);
  };
  if (parent?.aborted) abort();
  else parent?.addEventListener("abort", abort, { once: true });
  return { signal: controller.signal, clear };
}
