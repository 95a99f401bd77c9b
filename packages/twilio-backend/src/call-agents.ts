/**
 * Which agent a call's Voice AI callbacks are for: the conference holding the
 * call (known from conference status callbacks, else a bounded search), its
 * owning agent leg and that leg's Twilio Client identity. Partial transcripts
 * arrive several times a second, so answers are kept per instance (bounded,
 * short-lived, one lookup at a time per call) and dropped when the call's
 * conference changes as this instance hears of it; a `fresh` answer (finals,
 * media changes) re-lists the conference's participants whatever is kept, so
 * a leave heard only by another instance is seen at once there too.
 */
import type twilio from "twilio";
import { ContractError } from "./contract.js";
import { CLIENT_IDENTITY } from "./destinations.js";
import { CALL_SID, CONFERENCE_SID, CUSTOMER_LABEL, clientOf, isAdded, labelOf } from "./legs.js";
import type { LegRole } from "./voice-ai.js";

export interface CallAgent {
  /** The agent's Twilio Client identity: the agent id its event stream is published under. */
  identity: string;
  /** The conference's owning agent leg (the `callId` the browser knows). */
  agentCallSid: string;
  /** Whose leg the looked-up call is. */
  role: LegRole;
}

/** One request's view of Twilio (deadline, contract errors): the handler's. */
type Rest = <T>(call: () => Promise<T>) => Promise<T>;

/**
 * How long an answer is kept: an agent found (short: a leave another
 * instance heard reaches a partial here at most this late), and "no agent"
 * (a call in an IVR or queue, not yet bridged).
 */
const FOUND_TTL_MS = 2_000;
const NOT_FOUND_TTL_MS = 3_000;
const MAX_CACHED = 10_000;
/** Twilio's clock against this host's: a call's start time is trusted to follow an instant only past this margin. */
const CLOCK_MARGIN_MS = 60_000;

interface Options {
  client: twilio.Twilio;
  /** The conference a call joined, from signed conference status callbacks. */
  conferenceOf: (callSid: string) => string | undefined;
  /** Records a conference found by searching. */
  remember: (callSid: string, conferenceSid: string) => void;
  /** At most this many in-progress conferences are searched. */
  maxScan: number;
  /**
   * Since when (ms since the epoch, this host's clock) `conferenceOf` has
   * heard every conference's joins, or undefined when it may miss some. A call
   * that started after that (Call `startTime`, plus a margin for the clocks)
   * and is not in it is not bridged yet: it is not searched for.
   */
  indexedSince?: () => number | undefined;
}

export interface CallAgents {
  /**
   * The agent of `callSid`'s conference, or null when there is none (no
   * conference, no owning agent leg, no Client identity, or two Client legs
   * without a `customer` label). `fresh`: a kept agent is checked again against
   * the conference's participants (one REST request).
   */
  of(rest: Rest, callSid: string, fresh?: boolean): Promise<CallAgent | null>;
  /**
   * `callSid` joined or left `conferenceSid` (either may be unknown): forget
   * what was known of that call, of every call that was in that conference
   * or with that leg, and stop lookups in flight for them from being kept or joined.
   */
  changed(callSid: string | undefined, conferenceSid: string | undefined): void;
}

/** Not found (404 → INVALID_STATE): the conference ended or the call is gone. */
const goneAsUndefined = (e: unknown): undefined => {
  if (e instanceof ContractError && e.code === "INVALID_STATE") return undefined;
  throw e;
};

/** What a call's Call resource says that never changes: whose Client leg it is, and when it started. */
interface CallFacts {
  identity: string | undefined;
  started: number | undefined;
}

/** What an answer depends on: the conferences it read (the one the call is in) and that conference's participants. */
interface Basis {
  conferences: Set<string>;
  calls: Set<string>;
}

interface Lookup extends Basis {
  stale: boolean;
}

interface Kept extends Basis {
  agent: CallAgent | null;
  /** The conference the call was found in. */
  conferenceSid: string | undefined;
  expires: number;
}

export function createCallAgents(options: Options): CallAgents {
  const { client, maxScan } = options;
  const kept = new Map<string, Kept>();
  /** Lookups to share, by CallSid (a fresh one is not shared). */
  const pending = new Map<string, { lookup: Lookup; answer: Promise<CallAgent | null> }>();
  /** Every lookup in flight, by CallSid: a change marks the affected ones stale. */
  const running = new Map<Lookup, string>();
  const facts = new Map<string, CallFacts>();

  const evictOldest = (map: Map<unknown, unknown>) => {
    if (map.size > MAX_CACHED) map.delete(map.keys().next().value);
  };

  /** A Call's facts (fetched once: a leg's from, to, direction and start do not change), or undefined when it is gone. */
  async function factsOf(rest: Rest, callSid: string): Promise<CallFacts | undefined> {
    const known = facts.get(callSid);
    if (known) return known;
    const call = await rest(() => client.calls(callSid).fetch()).catch(goneAsUndefined);
    if (!call) return undefined;
    const identity = clientOf(call);
    const started = call.startTime instanceof Date && !Number.isNaN(call.startTime.getTime()) ? call.startTime.getTime() : undefined;
    const found: CallFacts = { identity: identity !== undefined && CLIENT_IDENTITY.test(identity) ? identity : undefined, started };
    facts.set(callSid, found);
    evictOldest(facts);
    return found;
  }
  const identityOf = async (rest: Rest, callSid: string) => (await factsOf(rest, callSid))?.identity;

  /**
   * The agent of a conference `callSid` is in. Its principals (neither a
   * consult/transfer party nor a supervisor) must be two: the customer and
   * the owning agent. The customer is the one labelled `customer`; without
   * labels, the agent's is the one leg that is a Twilio Client's (two are
   * ambiguous: a customer may call from a browser too).
   */
  async function agentAmong(rest: Rest, participants: readonly { callSid: string; label?: string | null }[], callSid: string): Promise<CallAgent | null> {
    const self = participants.find((p) => p.callSid === callSid);
    if (!self || isAdded(labelOf(self))) return null;
    const principals = participants.filter((p) => !isAdded(labelOf(p)));
    const other = principals.find((p) => p !== self);
    if (principals.length !== 2 || !other || !CALL_SID.test(other.callSid)) return null;
    const selfIsCustomer = labelOf(self) === CUSTOMER_LABEL;
    const otherIsCustomer = labelOf(other) === CUSTOMER_LABEL;
    if (selfIsCustomer && otherIsCustomer) return null;
    if (selfIsCustomer || otherIsCustomer) {
      const agentCallSid = selfIsCustomer ? other.callSid : callSid;
      const identity = await identityOf(rest, agentCallSid);
      return identity === undefined ? null : { identity, agentCallSid, role: selfIsCustomer ? "customer" : "agent" };
    }
    const own = await identityOf(rest, callSid);
    const theirs = await identityOf(rest, other.callSid);
    if (own !== undefined && theirs !== undefined) return null;
    if (own !== undefined) return { identity: own, agentCallSid: callSid, role: "agent" };
    if (theirs !== undefined) return { identity: theirs, agentCallSid: other.callSid, role: "customer" };
    return null;
  }

  /**
   * The participants of `conferenceSid` when `callSid` is among them. While
   * they are listed, a change in that conference marks the lookup stale; after,
   * only if the call is there (its participants join the lookup's basis).
   */
  async function membersWith(rest: Rest, lookup: Lookup, conferenceSid: string, callSid: string) {
    lookup.conferences.add(conferenceSid);
    const participants = await rest(() => client.conferences(conferenceSid).participants.list({ limit: 250 })).catch(goneAsUndefined);
    if (!participants?.some((p) => p.callSid === callSid)) {
      lookup.conferences.delete(conferenceSid);
      return undefined;
    }
    for (const p of participants) lookup.calls.add(p.callSid);
    return participants;
  }

  async function lookUp(rest: Rest, lookup: Lookup, callSid: string, hint: string | undefined): Promise<{ agent: CallAgent | null; conferenceSid?: string }> {
    const known = options.conferenceOf(callSid);
    for (const conferenceSid of new Set([hint, known])) {
      if (conferenceSid === undefined || !CONFERENCE_SID.test(conferenceSid)) continue;
      const participants = await membersWith(rest, lookup, conferenceSid, callSid);
      if (participants) return { agent: await agentAmong(rest, participants, callSid), conferenceSid };
    }
    const since = options.indexedSince?.();
    if (since !== undefined) {
      // Every join since `since` was heard: a call that started later and is not in the index was never bridged.
      const call = await factsOf(rest, callSid);
      if (call?.started === undefined || call.started > since + CLOCK_MARGIN_MS) return { agent: null };
    }
    const conferences = await rest(() => client.conferences.list({ status: "in-progress", limit: maxScan }));
    for (const conference of conferences.slice(0, maxScan)) {
      if (conference.sid === known || conference.sid === hint || !CONFERENCE_SID.test(conference.sid)) continue;
      const participants = await membersWith(rest, lookup, conference.sid, callSid);
      if (!participants) continue;
      options.remember(callSid, conference.sid);
      return { agent: await agentAmong(rest, participants, callSid), conferenceSid: conference.sid };
    }
    return { agent: null };
  }

  function keep(callSid: string, lookup: Lookup, found: { agent: CallAgent | null; conferenceSid?: string }): void {
    kept.delete(callSid);
    kept.set(callSid, { agent: found.agent, conferenceSid: found.conferenceSid, conferences: lookup.conferences, calls: lookup.calls, expires: Date.now() + (found.agent ? FOUND_TTL_MS : NOT_FOUND_TTL_MS) });
    evictOldest(kept);
  }

  function start(rest: Rest, callSid: string, hint: string | undefined): { lookup: Lookup; answer: Promise<CallAgent | null> } {
    const lookup: Lookup = { conferences: new Set(), calls: new Set([callSid]), stale: false };
    running.set(lookup, callSid);
    const answer = lookUp(rest, lookup, callSid, hint)
      .then((found) => {
        if (!lookup.stale) keep(callSid, lookup, found);
        return found.agent;
      })
      .finally(() => {
        running.delete(lookup);
        if (pending.get(callSid)?.lookup === lookup) pending.delete(callSid);
      });
    return { lookup, answer };
  }

  return {
    of(rest, callSid, fresh = false) {
      const hit = kept.get(callSid);
      if (hit && hit.expires > Date.now() && !(fresh && hit.agent)) return Promise.resolve(hit.agent);
      const hint = hit?.agent ? hit.conferenceSid : undefined;
      // A fresh answer is as of a participant list fetched after the callback arrived: it joins nothing.
      if (fresh) return start(rest, callSid, hint).answer;
      const shared = pending.get(callSid);
      if (shared) return shared.answer;
      const started = start(rest, callSid, hint);
      pending.set(callSid, started);
      return started.answer;
    },
    changed(callSid, conferenceSid) {
      const affects = (key: string, basis: Basis) =>
        (callSid !== undefined && (key === callSid || basis.calls.has(callSid))) || (conferenceSid !== undefined && basis.conferences.has(conferenceSid));
      for (const [key, entry] of kept) if (affects(key, entry)) kept.delete(key);
      for (const [lookup, key] of running) {
        if (!affects(key, lookup)) continue;
        lookup.stale = true;
        if (pending.get(key)?.lookup === lookup) pending.delete(key);
      }
    },
  };
}
