/**
 * The reducer: connector reports in, state and normalized event bodies out.
 * Level-triggered: a report says what *is*; the store derives what changed,
 * so duplicates produce nothing and impossible transitions are refused.
 * Synchronous and deterministic given `now`, so it can be property-tested.
 */
import { deriveActions, liveRemotes } from "./actions.js";
import type { AgentReport, CallReport, Signal, SyncReport } from "../../src/connector.js";
import type { CallEventType, EventBody } from "../../src/events.js";
import { type Agent, type AgentReason, type Call, type CallFailure, type Capability, LINK_STATES, type LinkState, type Party, type WrapUp } from "../../src/model.js";
import { hostText } from "../../src/logger.js";
import { AGENT, CALL, readReason, problem, FAILURE, INSIGHT, isEndReason, isOneOf, isText, LIMITS, PARTY, read, SEGMENT, show, WRAP_UP } from "./validate.js";

/** Call fields a merge copies as reported; a change to any but `muted` (its own events) is a `call.updated`. */
const PLAIN_FIELDS = ["muted", "vendorCallId", "direction", "from", "fromName", "to", "queue", "relatedCallId", "endReason", "media"] as const;

export interface StoreOptions {
  capabilities: readonly Capability[];
  reasons: readonly AgentReason[];
  now: () => number;
  /** How many ended call ids to remember, to refuse late reports about them. */
  endedMemory?: number;
  /** Live calls at once; more are refused as INVALID_VENDOR_EVENT. Default `LIMITS.calls` (64). */
  maxCalls?: number | undefined;
}

export class DesktopStore {
  link: LinkState = "connecting";
  agent: Agent;
  reasons: readonly AgentReason[];
  readonly capabilities: ReadonlySet<Capability>;
  /** Live calls in arrival order. Ended calls leave at once. */
  readonly calls = new Map<string, Call>();
  readonly #ended = new Set<string>();
  readonly #endedMemory: number;
  readonly #maxCalls: number;
  readonly #now: () => number;

  constructor(options: StoreOptions) {
    this.capabilities = new Set(options.capabilities);
    this.reasons = options.reasons;
    this.#now = options.now;
    this.#endedMemory = options.endedMemory ?? 1000;
    this.#maxCalls = options.maxCalls ?? LIMITS.calls;
    this.agent = { state: "logged_out", since: this.#now() };
  }

  hasEnded(id: string): boolean {
    return this.#ended.has(id);
  }

  setLink(state: unknown, reason?: unknown): EventBody[] {
    if (!isOneOf(LINK_STATES)(state)) return invalid(`link state is invalid (${show(state)})`, { state, reason });
    const previous = this.link;
    if (state === previous) return [];
    return [{ type: "link.changed", link: (this.link = state), previous, ...(isText(reason, Infinity) ? { reason: hostText(reason, LIMITS.text) } : {}) }];
  }

  setReasons(reasons: unknown): EventBody[] {
    if (!Array.isArray(reasons) || reasons.length > LIMITS.reasons || !reasons.every(readReason)) return invalid("reasons must be a list of {id, state, label}", reasons);
    this.reasons = reasons.map(readReason) as AgentReason[];
    return [];
  }

  setAgent(report: unknown): EventBody[];
  // Checked before use: typed as it will be.
  setAgent(r: AgentReport): EventBody[] {
    const why = problem(r, AGENT, "an agent report");
    if (why) return invalid(why, r);
    const reason = typeof r.reason === "string" ? (this.reasons.find((x) => x.id === r.reason) ?? { id: r.reason, state: r.state, label: r.reason }) : r.reason && readReason(r.reason);
    const previous = this.agent;
    const p = r.pendingState;
    const pendingState = p === undefined ? previous.pendingState : p ? { state: p.state, ...(p.reason ? { reason: readReason(p.reason)! } : {}) } : undefined;
    const agentId = r.agentId ?? previous.agentId;
    const stateChanged = r.state !== previous.state || reason?.id !== previous.reason?.id;
    if (!stateChanged && pendingState?.state === previous.pendingState?.state && pendingState?.reason?.id === previous.pendingState?.reason?.id && agentId === previous.agentId) return [];
    return [
      {
        type: "agent.changed",
        agent: (this.agent = {
          state: r.state,
          since: stateChanged ? this.#now() : previous.since,
          ...(reason ? { reason } : {}),
          ...(pendingState ? { pendingState } : {}),
          ...(agentId !== undefined ? { agentId } : {}),
        }),
        previous,
      },
    ];
  }

  upsertCall(report: unknown): EventBody[];
  // Checked before use: typed as it will be.
  upsertCall(r: CallReport): EventBody[] {
    const why = problem(r, CALL, "a call report");
    if (why) return invalid(why, r);
    /** Whether the call is over (in wrap-up or ended). */
    const over = r.state === "wrapup" || r.state === "ended";
    const old = this.calls.get(r.id);
    if (!old) {
      if (r.state === "ended") return []; // a call already over: nothing to show
      if (this.#ended.has(r.id)) return invalid(`call ${r.id} has ended and cannot become ${r.state}`, r, r.id);
      if (this.calls.size >= this.#maxCalls) return invalid(`more than ${this.#maxCalls} live calls`, r, r.id);
    } else if (
      // A live call stays, or moves on through `ringing|dialing → connected ⇄ held → wrapup → ended`
      // (never from `ended`: an ended call leaves `calls` at once).
      !(old.state === r.state || over || (old.state !== "wrapup" && (r.state === "connected" || r.state === "held")))
    ) {
      return invalid(`call ${r.id} cannot go from ${old.state} to ${r.state}`, r, r.id);
    }
    // The new snapshot.
    const now = this.#now();
    const base: Call = old ?? {
      id: r.id,
      // Replaced below when reported, like every plain field.
      vendorCallId: r.id,
      direction: "unknown",
      state: r.state,
      parties: [],
      muted: false,
      data: {},
      startedAt: now,
      actions: [],
    };
    // Object.assign rather than spread throughout this hot path: measurably faster on V8.
    const call = Object.assign({}, base) as { -readonly [K in keyof Call]: Call[K] };
    call.state = r.state;
    for (const key of PLAIN_FIELDS) {
      if (r[key] !== undefined) (call as Record<string, unknown>)[key] = r[key];
    }
    // Parties, wrap-up and data, when reported (the check leaves them undefined
    // or objects), as copies with only known fields: a vendor object's extras
    // (even a password) stay out.
    if (r.parties) call.parties = r.parties.map((p) => read<Party>(p, PARTY)!);
    if (r.wrapUp) call.wrapUp = read<WrapUp>(r.wrapUp, WRAP_UP)!;

    // A copy: the connector may change its object after the check.
    if (r.data) call.data = { ...r.data };
    if (r.state === "connected" || r.state === "held") call.connectedAt ??= now;
    if (over) {
      call.endedAt ??= now;
      // The call is over: nobody is on it any more, whatever the vendor last said,
      // and its media is no condition any more.
      call.parties = call.parties.map((p) => (p.state === "disconnected" ? p : { ...p, state: "disconnected" }));
      delete call.media;
      // Why it failed, reported with its end (a live call has no failure); a
      // failed call always says something.
      if (r.failure) call.failure = { ...read<CallFailure>(r.failure, FAILURE)!, message: hostText(r.failure.message, LIMITS.text) };
      else if (call.endReason === "failed") call.failure ??= { code: "VENDOR_ERROR", message: "The vendor did not say why the call failed." };
    }
    // Every event here is a call event carrying the final snapshot: collect their types.
    const types: CallEventType[] = [];
    const stateChanged = old?.state !== call.state;
    if (!old || (stateChanged && over)) {
      // The final snapshot carries every field; announce the outcome only.
      if (old && call.endReason === "transferred" && old.state !== "wrapup") types.push("call.transferred");
      types.push(`call.${call.state}`);
    } else {
      if (stateChanged) types.push(old.state === "held" && call.state === "connected" ? "call.resumed" : `call.${call.state}`);
      // The events for fields that changed. When the state changed too, its event
      // already carries the new parties and fields, so plain `call.parties` and
      // `call.updated` are folded into it: one user action, one event.
      if (old.muted !== call.muted) types.push(call.muted ? "call.muted" : "call.unmuted");
      if (!same(old.parties, call.parties, same)) {
        if (liveRemotes(old.parties) < 2 && liveRemotes(call.parties) >= 2) types.push("call.conferenced");
        else if (!stateChanged) types.push("call.parties");
      }
      if (!same(old.data, call.data)) types.push("call.data");
      if (!stateChanged && (PLAIN_FIELDS.some((k) => k !== "muted" && old[k] !== call[k]) || !same(old.wrapUp ?? {}, call.wrapUp ?? {}) || !same(old.failure ?? {}, call.failure ?? {}))) types.push("call.updated");
    }
    if (!types.length) return [];
    if (call.state === "ended") {
      // Forgotten, but remembered as ended (the oldest of them forgotten past #endedMemory).
      this.calls.delete(call.id);
      this.#ended.add(call.id);
      if (this.#ended.size > this.#endedMemory) this.#ended.delete(this.#ended.values().next().value!);
    } else this.calls.set(call.id, call);
    // Recompute every live call's actions: this call's go into the events'
    // snapshots, then other calls whose actions moved get a call.updated.
    // (An ended call is not among them: its final snapshot has no actions.)
    let finalCall: Call | undefined;
    const others: EventBody[] = [];
    for (const [id, c] of this.calls) {
      const actions = deriveActions(c, this.calls.values(), this.capabilities);
      const updated = same(actions, c.actions) ? c : Object.assign({}, c, { actions });
      this.calls.set(id, updated); // an existing key: the order stays
      if (id === call.id) finalCall = updated;
      else if (updated !== c) others.push({ type: "call.updated", call: updated });
    }
    finalCall ??= { ...call, actions: [] };
    return [...types.map((type) => ({ type, call: finalCall })), ...others];
  }

  removeCall(id: unknown, endReason?: unknown, failure?: unknown): EventBody[] {
    if (!isText(id)) return invalid("removeCall needs an id", { id, endReason });
    if (endReason !== undefined && !isEndReason(endReason)) return invalid(`endReason is invalid (${show(endReason)})`, { id, endReason }, id);
    const old = this.calls.get(id);
    if (!old) return [];
    return this.upsertCall({ id, state: "ended", endReason: endReason ?? old.endReason ?? "unknown", failure });
  }

  sync(report: unknown): EventBody[];
  sync(r: Partial<SyncReport> | null): EventBody[] {
    if (!Array.isArray(r?.calls)) return invalid("sync needs a calls list", r);
    if (r.calls.length > this.#maxCalls) return invalid(`more than ${this.#maxCalls} live calls`, r);
    const events: EventBody[] = [];
    const listed = new Set<unknown>();
    for (const call of r.calls as unknown[]) {
      events.push(...this.upsertCall(call));
      listed.add((call as { id?: unknown } | null)?.id);
    }
    // (A Map iterator skips what removeCall deletes; removeCall adds nothing.)
    for (const id of this.calls.keys()) if (!listed.has(id)) events.push(...this.removeCall(id, r.missingEndReason ?? "lost"));
    if (r.agent !== undefined) events.push(...this.setAgent(r.agent));
    return events;
  }

  signal(s: unknown): EventBody[] {
    // A non-object has no kind: refused at the end.
    const sig = Object(s) as Signal;
    const kind = sig.kind;
    const transcript = kind === "transcript";
    if (transcript || kind === "insight") {
      // Known ids are strings: anything else is unknown.
      if (!(this.calls.has(sig.callId) || this.#ended.has(sig.callId))) return invalid(`${kind} for an unknown call`, s);
      // The two differ only in the field that carries the payload and its spec.
      const key = transcript ? "segment" : "insight";
      const value = read<{ data?: object }>((sig as Record<string, unknown>)[key], transcript ? SEGMENT : INSIGHT);
      if (value?.data) value.data = { ...value.data };
      return value ? [{ type: `call.${kind}`, callId: sig.callId, [key]: value } as EventBody] : invalid(`${key} is invalid`, s, sig.callId);
    }
    const error = kind === "error";
    if (error || kind === "warning") {
      if (!isText(sig.code) || typeof sig.message !== "string") return invalid(`${kind} needs code and message`, s);
      return [
        {
          type: kind,
          code: sig.code,
          message: hostText(sig.message),
          ...(error ? { retryable: false } : {}),
          ...(isText(sig.callId) ? { callId: sig.callId } : {}),
          ...(error && sig.raw !== undefined ? { raw: sig.raw } : {}),
        } as EventBody,
      ];
    }
    return invalid("unknown signal kind", s);
  }
}

/** The one INVALID_VENDOR_EVENT a refused report yields, as the list every store method returns. */
export function invalid(message: string, raw: unknown, callId?: string): EventBody[] {
  return [
    {
      type: "error",
      code: "INVALID_VENDOR_EVENT",
      message: hostText(`Ignored a bad connector report: ${message}`),
      retryable: false,
      ...(callId !== undefined ? { callId } : {}),
      raw,
    },
  ];
}

/**
 * Whether two records (or lists) have the same keys with `eq` values: `===`
 * by default; `same(a, b, same)` compares lists of records (parties).
 */
function same(a: object, b: object, eq: (x: never, y: never) => boolean = Object.is): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => eq((a as Record<string, never>)[k]!, (b as Record<string, never>)[k]!));
}
