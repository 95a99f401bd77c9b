/**
 * "A server that cannot be reached says so": while a connector retries a
 * server it cannot reach, one `error` (LINK_DOWN) per outage names the server
 * and says it keeps retrying, instead of a silent "Connecting…" or one error
 * per attempt; a `warning` (LINK_RESTORED) once it is reached again.
 */
import type { ContextRef } from "./guard.js";

/**
 * A URL as a message may show it: scheme, host and port, plus the path with
 * `path`; never user and password, query or fragment (where tokens travel).
 * Text that is not an absolute URL (a relative path) up to its query, without a `user:password@`.
 */
export function serverName(url: string, path = false): string {
  try {
    const u = new URL(url);
    // `origin` is "null" for schemes a URL parser does not know (sip:, custom ones).
    return `${u.protocol}//${u.host}${path ? u.pathname : ""}`;
  } catch {
    return url.replace(/[?#].*/s, "").replace(/[^\s/@]*@/, "");
  }
}

export interface UnreachableOptions {
  readonly ctx: ContextRef;
  /** The server in words, e.g. `the SIP server ${serverName(url)}`. */
  readonly server: string;
  /** The longest wait between two attempts, ms: the message says "retrying every N s". Omitted: "retrying". */
  readonly retryEveryMs?: number;
  /**
   * Report after the server stayed unreachable this long, ms, whether or not
   * an attempt failed yet (a connect that hangs). Default 10 000, inside the
   * desktop's default 15 s request timeout.
   */
  readonly reportAfterMs?: number;
  /**
   * Failed attempts that report at once in an outage from the start (one per
   * server when it fails over between several). Default 1. A reconnect after
   * the server was reached reports only after `reportAfterMs`: a server back
   * within seconds (a restart) stays the link's state.
   */
  readonly failuresToReport?: number;
}

export interface Unreachable {
  /** Not reached (start: `reconnect` false; a lost link: true): the clock runs from the first call until `reached`. */
  begin(reconnect?: boolean): void;
  /** An attempt failed, `cause` in words (no URL, no secret): reports when due. Begins the outage if needed. */
  failed(cause: string): void;
  /** Reached: the outage ends; if it was reported, a `warning` LINK_RESTORED says so. */
  reached(): void;
  /** Stops the clock without a report (the connector stops). */
  cancel(): void;
}

/** 1500 → "1.5 s". */
const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/** "Cannot reach the SIP server wss://pbx:8089 (connection refused); retrying every 8 s." */
export function unreachableMessage(server: string, cause: string, retryEveryMs?: number): string {
  return `Cannot reach ${server} (${cause}); retrying${retryEveryMs === undefined ? "" : ` every ${seconds(retryEveryMs)}`}.`;
}

/** One error per outage of `options.server` (see Unreachable). */
export function createUnreachable(options: UnreachableOptions): Unreachable {
  const { ctx, server, retryEveryMs, reportAfterMs = 10_000, failuresToReport = 1 } = options;
  const context = typeof ctx === "function" ? ctx : () => ctx;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let down = false;
  let reported = false;
  /** Failed attempts so far, counted only in an outage from the start. */
  let failures = 0;
  let counting = false;
  let cause: string | undefined;
  const report = (): void => {
    clearTimeout(timer);
    if (!down || reported) return;
    reported = true;
    context()?.signal({ kind: "error", code: "LINK_DOWN", message: unreachableMessage(server, cause ?? `no answer within ${seconds(reportAfterMs)}`, retryEveryMs) });
  };
  const begin = (reconnect = false): void => {
    if (down) return;
    down = true;
    reported = false;
    cause = undefined;
    failures = 0;
    counting = !reconnect;
    timer = setTimeout(report, reportAfterMs);
  };
  return {
    begin,
    failed(why) {
      begin();
      cause = why;
      if (counting && ++failures >= failuresToReport) report();
    },
    reached() {
      clearTimeout(timer);
      if (down && reported) context()?.signal({ kind: "warning", code: "LINK_RESTORED", message: `Reached ${server} again.` });
      down = false;
    },
    cancel() {
      clearTimeout(timer);
      down = false;
    },
  };
}
