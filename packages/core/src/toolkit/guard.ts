/**
 * "Nothing a vendor sends can throw out of a connector": wrap every callback
 * handed to a vendor SDK so a throw (or a rejected promise) becomes a report
 * through the connector context instead of an exception in the vendor's code.
 */
import type { ConnectorContext } from "../connector.js";
import { errorMessage } from "./text.js";

/** The context, or a getter for it (connectors set theirs in `start`). */
export type ContextRef = ConnectorContext | undefined | (() => ConnectorContext | undefined);

export interface GuardOptions<A extends unknown[]> {
  /** What failed, for the report. Default "A vendor event could not be handled". */
  readonly message?: string;
  /**
   * How a throw is reported:
   * - `"invalid"` (default): the vendor sent something the connector cannot read:
   *   `ctx.invalidVendorEvent(`${message}: ${errorMessage(e)}`, raw(...args), callId)`;
   * - `"error"`: the connector failed on an event: `ctx.logger.warn(message, { ...log, error })`
   *   then `ctx.signal({ kind: "error", code: "VENDOR_ERROR", message })`;
   * - `"log"`: only `ctx.logger.error(message, { ...log, error })`.
   */
  readonly as?: "invalid" | "error" | "log";
  /** The payload an INVALID_VENDOR_EVENT carries (redacted by core). Default: the first argument. */
  readonly raw?: (...args: A) => unknown;
  /** The call an INVALID_VENDOR_EVENT is about. */
  readonly callId?: string;
  /** More fields for the log line (`"error"` and `"log"`). */
  readonly log?: Record<string, unknown>;
}

/**
 * `fn`, made safe to hand to a vendor: the returned function never throws and
 * returns nothing; a throw from `fn`, or a rejection of the promise it returns,
 * is reported through `ctx` as `options.as` says. Nothing is reported before
 * the context exists, and a failing report is swallowed too.
 */
export function guard<A extends unknown[]>(ctx: ContextRef, fn: (...args: A) => unknown, options: GuardOptions<A> = {}): (...args: A) => void {
  const { message = "A vendor event could not be handled", as = "invalid", raw = (...args: A) => args[0], callId, log } = options;
  return (...args: A): void => {
    const report = (e: unknown): void => {
      try {
        const c = typeof ctx === "function" ? ctx() : ctx;
        if (!c) return;
        const error = errorMessage(e);
        if (as === "invalid") {
          if (callId === undefined) c.invalidVendorEvent(`${message}: ${error}`, raw(...args));
          else c.invalidVendorEvent(`${message}: ${error}`, raw(...args), callId);
        }
        else if (as === "log") c.logger.error(message, { ...log, error });
        else {
          c.logger.warn(message, { ...log, error });
          c.signal({ kind: "error", code: "VENDOR_ERROR", message });
        }
      } catch {
        // Reporting failed as well: still nothing reaches the vendor.
      }
    };
    try {
      const result = fn(...args);
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === "function") (result as PromiseLike<unknown>).then(undefined, report);
    } catch (e) {
      report(e);
    }
  };
}
