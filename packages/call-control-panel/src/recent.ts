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

/** End reasons of a call that did not happen, worth a notice (`rejected` only when the far end declined: the agent knows what they declined). */
const NOTICE_REASONS: ReadonlySet<EndReason> = new Set(["missed", "abandoned", "rejected", "busy", "no_answer", "failed"]);

/**
 * What withheld caller ids look like: SIP's anonymous URI, the words, and
 * the keypad spellings Twilio and carriers put in `From` for a withheld
 * number (ANONYMOUS +266696687, RESTRICTED +7378742833, UNAVAILABLE
 * +86282452253, BLOCKED +2562533, UNKNOWN +8656696).
 */
const WITHHELD = /^(\+?(266696687|7378742833|86282452253|2562533|8656696)|sips?:anonymous@.*|anonymous|restricted|private|unavailable|unknown|blocked|withheld)$/i;

/** A number or SIP address to call back: dialable, and not a withheld caller id. */
function callBackTarget(remote: string | undefined): string | undefined {
  const target = remote === undefined ? undefined : normalizeDestination(remote);
  return target === undefined || WITHHELD.test(target) || !/^(\+?\d+|sips?:.+)$/.test(target) ? undefined : target;
}

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
    // (A monitoring session's target is another agent's call or id, not a number to call back.)
    callBack: call.direction === "monitor" ? undefined : callBackTarget(remote),
    // A failure after it connected is a notice too: the agent was cut off.
    notice: endReason === "failed" || (call.connectedAt === undefined && NOTICE_REASONS.has(endReason) && !(endReason === "rejected" && call.direction === "inbound")),
  };
}

/** `list` with `entry` first (replacing an older entry of the same call), at most `limit` long. */
export function remember(list: readonly RecentCall[], entry: RecentCall, limit: number = RECENT_LIMIT): RecentCall[] {
  return [entry, ...list.filter((r) => r.id !== entry.id)].slice(0, limit);
}
