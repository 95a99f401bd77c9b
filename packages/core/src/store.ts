/**
 * The reducer: connector reports in, state and normalized event bodies out.
 * Level-triggered: a report says what *is*; the store derives what changed,
 * so duplicates produce nothing and impossible transitions are refused.
 * Synchronous and deterministic given `now`, so it can be property-tested.
 */
import { actionsFor, liveRemotes } from "./actions.js";
import type { AgentReport, CallReport, Signal, SyncReport } from "./connector.js";
import type { CallEventType, EventBody } from "./events.js";
import { type Agent, type AgentReason, type AudioDevice, type AudioDevices, type Call, type DesktopSnapshot, type CallAction, CALL_STATES, type CallState, type CallFailure, type Capability, type DirectoryEntry, LINK_STATES, type LinkState, type WrapUp } from "./model.js";
import { hostText } from "./logger.js";
import { agentProblem, AUDIO_DEVICE, AUDIO_IN_USE, callProblem, DIRECTORY_ENTRY, readParty, readReason, FAILURE, INSIGHT, isEndReason, isOneOf, isText, LIMITS, read, SEGMENT, show, WRAP_UP } from "./validate.js";

/** Call fields a report sets as they are, but `muted` (its own events): a change to one is a `call.updated`. */
const PLAIN_FIELDS = ["vendorCallId", "direction", "from", "fromName", "to", "queue", "relatedCallId", "endReason", "media", "wrapUpEndsAt", "monitorMode", "mediaStream"] as const;

/** Each call state's event type, made once (so no event type is a new string to hash). */
const STATE_EVENTS = Object.fromEntries(CALL_STATES.map((s) => [s, `call.${s}`])) as Record<CallState, CallEventType>;

/** No calls (returned, never changed). */
const NONE: Call[] = [];
/** No actions: an ended call's. */
const NO_ACTIONS: readonly CallAction[] = Object.freeze([]);

export interface StoreOptions {
  capabilities: readonly Capability[];
  reasons: readonly AgentReason[];
  now: () => number;
  /** How many ended call ids to remember, to refuse late reports about them: 0 to 100,000, default 1000. */
  endedMemory?: number;
  /** Live calls at once; more are refused as INVALID_VENDOR_EVENT. Default `LIMITS.calls` (64). */
  maxCalls?: number | undefined;
}

export class DesktopStore {
  link: LinkState = "connecting";
  agent: Agent;
  reasons: readonly AgentReason[];
  /** Transfer and consult targets (see setDirectory). */
  directory: readonly DirectoryEntry[] = [];
  /** The agent's audio devices and those in use (see setAudioDevices). */
  audio: AudioDevices = { devices: [] };
  readonly capabilities: ReadonlySet<Capability>;
  readonly #callWaiting: boolean;
  /** Live calls in arrival order. Ended calls leave at once. */
  readonly calls = new Map<string, Call>();
  readonly #ended = new Set<string>();
  /** The same ids in a ring, oldest next: the one #ended forgets first. */
  readonly #endedRing: string[];
  #endedNext = 0;
  readonly #endedMemory: number;
  readonly #maxCalls: number;
  readonly #now: () => number;
  /**
   * After restore: the calls (and whether the agent) the connector has not
   * reported since. Settled when the link first connects: a connector that
   * does not sync at start (it knows nothing of another tab's session) ends
   * them as lost and logs the agent out.
   */
  #restored: Set<string> | undefined;
  #agentRestored = false;
  // Indexes, so a report costs the same with 2 or 2,000 live calls (see #store).
  /** The ids of live calls by the relatedCallId they report: the candidates for a call's consult partner. */
  readonly #relating = new Map<string, Set<string>>();
  /** How many live calls are connected or dialing, and held. */
  #talking = 0;
  #held = 0;
  /** Actions lists by what they depend on (see #actions). */
  readonly #actionLists = new Map<number, readonly CallAction[]>();

  constructor(options: StoreOptions) {
    this.capabilities = new Set(options.capabilities);
    this.#callWaiting = this.capabilities.has("callWaiting");
    this.reasons = options.reasons;
    this.#now = options.now;
    // A whole number from 0 to 100,000 (anything else is brought into that range).
    this.#endedMemory = Math.min(Math.max(Math.floor(options.endedMemory ?? 1000) || 0, 0), 100_000);
    this.#endedRing = new Array<string>(this.#endedMemory);
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
    const events: EventBody[] = [{ type: "link.changed", link: (this.link = state), previous, ...(isText(reason, Infinity) ? { reason: hostText(reason, LIMITS.text) } : {}) }];
    if (state === "connected" && this.#restored) {
      for (const id of this.#restored) events.push(...this.removeCall(id, "lost"));
      if (this.#agentRestored) events.push(...this.setAgent({ state: "logged_out" }));
      this.#restored = undefined;
    }
    return events;
  }

  setReasons(reasons: unknown): EventBody[] {
    const checked = list(reasons, LIMITS.reasons, readReason);
    if (!checked) return invalid("reasons must be a list of {id, state, label}", reasons);
    this.reasons = checked;
    return [];
  }

  /** Replaces the directory: all or nothing, like the reasons (no event: it is in the snapshot). */
  setDirectory(entries: unknown): EventBody[] {
    const checked = list(entries, LIMITS.directory, readEntry);
    if (!checked) return invalid("directory must be a list of {id, label, kind, destination} with dialable destinations", entries);
    this.directory = checked;
    return [];
  }

  /** Replaces the audio devices and the ones in use, all or nothing; an `audio.changed` when anything differs. */
  setAudioDevices(report: unknown): EventBody[] {
    const inUse = read<object>(report, AUDIO_IN_USE);
    const devices = list((report as AudioDevices | undefined)?.devices, LIMITS.devices, (d) => read<AudioDevice>(d, AUDIO_DEVICE));
    if (!inUse || !devices) return invalid("audio devices must be {devices: [{id, label, kind}], input?, output?, ringer?}", report);
    const previous = this.audio;
    const audio = { devices, ...inUse } as AudioDevices;
    return JSON.stringify(audio) === JSON.stringify(previous) ? [] : [{ type: "audio.changed", audio: (this.audio = audio), previous }];
  }

  /**
   * Takes over another desktop's state (a tab taking over the vendor
   * session, see @opencti/core/tabs): its agent, calls, reasons, directory
   * and devices, as they are. Then the link goes `connecting` until the
   * connector reports; its sync corrects whatever changed meanwhile, and
   * what it has not reported when the link connects is settled (see #restored).
   */
  restore(s: DesktopSnapshot): EventBody[] {
    this.agent = s.agent;
    this.reasons = s.reasons;
    this.directory = s.directory;
    this.audio = s.audio;
    for (const call of s.calls) this.#store(call, undefined);
    this.#restored = new Set(this.calls.keys());
    this.#agentRestored = true;
    this.link = s.link;
    return this.setLink("connecting", "This tab took over the telephony session.");
  }

  setAgent(report: unknown): EventBody[];
  // Checked before use: typed as it will be.
  setAgent(r: AgentReport): EventBody[] {
    const why = agentProblem(r);
    if (why) return invalid(why, r);
    this.#agentRestored = false;
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
    const why = callProblem(r);
    if (why) return invalid(why, r);
    this.#restored?.delete(r.id);
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
    // The report's one snapshot, stored and carried by its events as it is.
    const call: { -readonly [K in keyof Call]: Call[K] } = old
      ? { ...old }
      : {
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
    call.state = r.state;
    // The plain fields, as reported (written out: a loop over their names is measurably slower).
    if (r.muted !== undefined) call.muted = r.muted;
    if (r.vendorCallId !== undefined) call.vendorCallId = r.vendorCallId;
    if (r.direction !== undefined) call.direction = r.direction;
    if (r.from !== undefined) call.from = r.from;
    if (r.fromName !== undefined) call.fromName = r.fromName;
    if (r.to !== undefined) call.to = r.to;
    if (r.queue !== undefined) call.queue = r.queue;
    if (r.relatedCallId !== undefined) call.relatedCallId = r.relatedCallId;
    if (r.endReason !== undefined) call.endReason = r.endReason;
    if (r.media !== undefined) call.media = r.media;
    if (r.wrapUpEndsAt !== undefined) call.wrapUpEndsAt = r.wrapUpEndsAt;
    if (r.recording !== undefined) call.recording = r.recording;
    if (r.monitorMode !== undefined) call.monitorMode = r.monitorMode;
    if (r.mediaStream === null) delete call.mediaStream;
    else if (r.mediaStream !== undefined) call.mediaStream = r.mediaStream;
    // Parties, wrap-up and data, when reported (the check leaves them undefined
    // or objects), as copies with only known fields: a vendor object's extras
    // (even a password) stay out.
    if (r.parties) call.parties = r.parties.map(readParty);
    if (r.wrapUp) call.wrapUp = read<WrapUp>(r.wrapUp, WRAP_UP)!;

    // A copy: the connector may change its object after the check.
    if (r.data) call.data = { ...r.data };
    if (r.state === "connected" || r.state === "held") call.connectedAt ??= now;
    if (over) {
      call.endedAt ??= now;
      // The call is over: nobody is on it any more, whatever the vendor last said,
      // and its media is no condition any more.
      if (call.parties.some((p) => p.state !== "disconnected")) call.parties = call.parties.map((p) => (p.state === "disconnected" ? p : { ...p, state: "disconnected" }));
      if (call.media) delete call.media;
      // Why it failed, reported with its end (a live call has no failure); a
      // failed call always says something.
      if (r.failure) call.failure = { ...read<CallFailure>(r.failure, FAILURE)!, message: hostText(r.failure.message, LIMITS.text) };
      else if (call.endReason === "failed") call.failure ??= { code: "VENDOR_ERROR", message: "The vendor did not say why the call failed." };
    }
    // Every event here is a call event carrying the final snapshot (its actions set below).
    const events: EventBody[] = [];
    const stateChanged = old?.state !== call.state;
    if (!old || (stateChanged && over)) {
      // The final snapshot carries every field; announce the outcome only.
      if (old && call.endReason === "transferred" && old.state !== "wrapup") events.push({ type: "call.transferred", call });
      events.push({ type: STATE_EVENTS[call.state], call });
    } else {
      if (stateChanged) events.push({ type: old.state === "held" && call.state === "connected" ? "call.resumed" : STATE_EVENTS[call.state], call });
      // The events for fields that changed. When the state changed too, its event
      // already carries the new parties and fields, so plain `call.parties` and
      // `call.updated` are folded into it: one user action, one event.
      if (old.muted !== call.muted) events.push({ type: call.muted ? "call.muted" : "call.unmuted", call });
      if (old.recording !== call.recording) events.push({ type: "call.recording", call });
      if (!sameList(old.parties, call.parties, sameRecord)) {
        if (liveRemotes(old.parties) < 2 && liveRemotes(call.parties) >= 2) events.push({ type: "call.conferenced", call });
        else if (!stateChanged) events.push({ type: "call.parties", call });
      }
      if (!sameRecord(old.data, call.data)) events.push({ type: "call.data", call });
      if (!stateChanged && (PLAIN_FIELDS.some((k) => old[k] !== call[k]) || !sameRecord(old.wrapUp ?? {}, call.wrapUp ?? {}) || !sameRecord(old.failure ?? {}, call.failure ?? {}))) events.push({ type: "call.updated", call });
    }
    if (!events.length) return events;
    const others = this.#store(call, old);
    // The ended call's final snapshot has no actions; a live call's are derived with every index up to date.
    const actions = call.state === "ended" ? NO_ACTIONS : this.#actions(call);
    call.actions = sameList(actions, call.actions) ? call.actions : actions;
    // Then the other calls whose actions moved, in arrival order.
    for (const c of others) {
      const actions = this.#actions(c);
      if (!sameList(actions, c.actions)) events.push({ type: "call.updated", call: this.calls.set(c.id, Object.assign({}, c, { actions })).get(c.id)! });
    }
    return events;
  }

  /**
   * Stores `call` (its snapshot after a report; an ended call leaves, its id
   * remembered), updates the indexes, and returns the other live calls whose
   * actions may have moved: those a consult pair links to it (before or
   * after), or every call when whether another call is talking or held
   * changed. The others' actions depend on nothing else (see actionsFor).
   */
  #store(call: Call, old: Call | undefined): Call[] {
    const { id, state } = call;
    const talking = this.#talking;
    const held = this.#held;
    this.#count(old?.state, -1);
    const before = old?.relatedCallId;
    const after = state === "ended" ? undefined : call.relatedCallId;
    if (before !== after) {
      // (No id is undefined: a call that related to none finds no set.)
      const set = this.#relating.get(before!);
      // (An emptied set goes: ids come and go for as long as the desktop runs.)
      if (set?.delete(id) && !set.size) this.#relating.delete(before!);
      if (after !== undefined) (this.#relating.get(after) ?? this.#relating.set(after, new Set()).get(after)!).add(id);
    }
    if (state === "ended") {
      // Forgotten, but remembered as ended (the oldest of them forgotten past #endedMemory).
      this.calls.delete(id);
      // (An id is never in the ring twice: a remembered id cannot be a live call again.)
      if (this.#endedMemory) {
        this.#ended.delete(this.#endedRing[this.#endedNext]!);
        this.#ended.add((this.#endedRing[this.#endedNext] = id));
        this.#endedNext = (this.#endedNext + 1) % this.#endedMemory;
      }
    } else {
      this.calls.set(id, call);
      this.#count(state, 1);
    }
    if (!talking !== !this.#talking || (!this.#callWaiting && !held !== !this.#held)) {
      let all = NONE;
      for (const c of this.calls.values()) if (c.id !== id) (all === NONE ? (all = []) : all).push(c);
      return all;
    }
    const relating = this.#relating.get(id);
    if ((old && old.state === state && before === after) || !(relating || before || after)) return NONE;
    // The calls a consult pair links to it, before or after.
    const linked = new Set(relating).add(before!).add(after!);
    linked.delete(id);
    return this.#inOrder(linked);
  }

  /** The live calls of these ids, in arrival order (the order of `calls`). */
  #inOrder(ids: Set<string | undefined>): Call[] {
    const found: Call[] = [];
    for (const id of ids) {
      // (The ids a consult pair may name: undefined finds no call.)
      const c = this.calls.get(id!);
      if (c) found.push(c);
    }
    // Two or more (rare: one consult leg per call): their order, from the calls' own.
    return found.length < 2 ? found : [...this.calls.values()].filter((c) => found.includes(c));
  }

  /** Counts a call in `state` `n` times in #talking or #held. */
  #count(state: Call["state"] | undefined, n: number): void {
    if (state === "connected" || state === "dialing") this.#talking += n;
    else if (state === "held") this.#held += n;
  }

  /**
   * `call`'s consult partner: the first live call not in wrap-up, in arrival
   * order, that its relatedCallId names or whose relatedCallId names it
   * (deriveActions' rule, from the index instead of a walk).
   */
  partner(call: Call): Call | undefined {
    const relating = this.#relating.get(call.id);
    if (!relating && !call.relatedCallId) return undefined;
    const linked = new Set(relating).add(call.relatedCallId!);
    linked.delete(call.id);
    return this.#inOrder(linked).find((c) => c.state !== "wrapup");
  }

  /** `call`'s actions now (see actionsFor). Its consult partner: the first live call, in arrival order, its relatedCallId names or whose relatedCallId names it. */
  #actions(call: Call): readonly CallAction[] {
    const { state } = call;
    // Only a connected or held call looks at its partner.
    const partner = state === "connected" || state === "held" ? this.partner(call) : undefined;
    const othersTalking = this.#talking - +(state === "connected" || state === "dialing") > 0;
    const othersHeld = this.#held - +(state === "held") > 0;
    // Everything actionsFor reads, as a number: each list is made once and shared (frozen).
    const key =
      CALL_STATES.indexOf(state) +
      8 * +call.muted +
      16 * +(call.direction === "consult") +
      32 * +(liveRemotes(call.parties) > 1) +
      64 * (partner ? CALL_STATES.indexOf(partner.state) + 1 : 0) +
      1024 * +othersTalking +
      2048 * +othersHeld +
      4096 * (call.recording === "active" ? 1 : call.recording === "paused" ? 2 : 0) +
      16384 * +(call.direction === "monitor");
    let actions = this.#actionLists.get(key);
    if (!actions) this.#actionLists.set(key, (actions = Object.freeze(actionsFor(call, partner, othersTalking, othersHeld, this.capabilities))));
    return actions;
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
    this.#restored = undefined;
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

/** A directory entry's known fields, or undefined when it is not one. */
const readEntry = (e: unknown): DirectoryEntry | undefined => read<DirectoryEntry>(e, DIRECTORY_ENTRY);

/** `v` as a list of at most `max` items each `readItem` reads, or undefined (a hole too: `every` would skip it). */
function list<T>(v: unknown, max: number, readItem: (x: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(v) || v.length > max) return undefined;
  const out: T[] = [];
  for (let i = 0; i < v.length; i++) {
    const item = readItem(v[i]);
    if (item === undefined) return undefined;
    out.push(item);
  }
  return out;
}

/** Whether two lists have `eq` items (`===` by default). */
function sameList<T>(a: readonly T[], b: readonly T[], eq: (x: T, y: T) => boolean = Object.is): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!eq(a[i]!, b[i]!)) return false;
  return true;
}

/** Whether two records (data, a party, a wrap-up) have the same keys and values (none of them undefined). */
function sameRecord(a: object, b: object): boolean {
  let keys = 0;
  for (const k in a) {
    if ((a as Record<string, unknown>)[k] !== (b as Record<string, unknown>)[k]) return false;
    keys++;
  }
  for (const _ in b) keys--;
  return !keys;
}
