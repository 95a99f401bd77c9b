/** What the panel keeps of ended calls: the recent-calls list and the notices of calls that did not happen. */
import { normalizeDestination, type Call, type CallDirection, type EndReason } from "@opencti/core";

/** How many ended calls "Recent calls" keeps (for the panel's lifetime; nothing is stored in the browser). */
export const RECENT_LIMIT = 20;

/** An ended call, as "Recent calls" and the notices show it. */
export interface RecentCall {
  readonly id: string;
  /** Its final snapshot (the panel words it in the agent's language when it renders: callTitle, callOutcome). */
  readonly call: Call;
  readonly direction: CallDirection;
  readonly endReason: EndReason;
  /** When it ended, epoch ms. */
  readonly endedAt: number;
  /** Talk time, connected to ended, in ms; 0 when it never connected. */
  readonly talkMs: number;
  /** The number or address to call back (normalized), when there is one. */
  readonly callBack: string | undefined;
  /** Whether it never connected and the agent should know: a missed, abandoned, declined, busy, unanswered or failed call. */
  readonly notice: boolean;
}

/** End reasons of a call that did not happen, worth a notice. */
const NOTICE_REASONS: ReadonlySet<EndReason> = new Set(["missed", "abandoned", "rejected", "busy", "no_answer", "failed"]);

/** `call` (its final snapshot, from `call.ended`) as a recent call. */
export function recentCall(call: Call, now: number): RecentCall {
  const endReason = call.endReason ?? "unknown";
  const endedAt = call.endedAt ?? now;
  // The other end's number: the caller's for an inbound call, the dialled one otherwise.
  const remote = call.direction === "inbound" ? call.from : call.to;
  return {
    id: call.id,
    call,
    direction: call.direction,
    endReason,
    endedAt,
    talkMs: call.connectedAt === undefined ? 0 : Math.max(0, endedAt - call.connectedAt),
    callBack: remote === undefined ? undefined : normalizeDestination(remote),
    // A failure after it connected is a notice too: the agent was cut off.
    notice: endReason === "failed" || (call.connectedAt === undefined && NOTICE_REASONS.has(endReason)),
  };
}

/** `list` with `entry` first (replacing an older entry of the same call), at most `limit` long. */
export function remember(list: readonly RecentCall[], entry: RecentCall, limit: number = RECENT_LIMIT): RecentCall[] {
  return [entry, ...list.filter((r) => r.id !== entry.id)].slice(0, limit);
}
