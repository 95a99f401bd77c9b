/**
 * Which agent a call's Voice AI callbacks are for: the conference holding the
 * call (known from conference status callbacks, else a bounded search), its
 * owning agent leg and that leg's Twilio Client identity. Partial transcripts
 * arrive several times a second, so answers are kept per instance (bounded,
 * short-lived, one lookup at a time per call) and dropped when the
 * conference's membership changes.
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

/** How long an answer is kept: an agent found, and "no agent" (a call in an IVR or queue, not yet bridged). */
const FOUND_TTL_MS = 15_000;
const NOT_FOUND_TTL_MS = 3_000;
const MAX_CACHED = 10_000;

interface Options {
  client: twilio.Twilio;
  /** The conference a call joined, from signed conference status callbacks. */
  conferenceOf: (callSid: string) => string | undefined;
  /** Records a conference found by searching. */
  remember: (callSid: string, conferenceSid: string) => void;
  /** At most this many in-progress conferences are searched. */
  maxScan: number;
}

export interface CallAgents {
  /** The agent of `callSid`'s conference, or null when there is none (no conference, no owning agent leg, no Client identity). */
  of(rest: Rest, callSid: string): Promise<CallAgent | null>;
  /** `callSid` joined or left a conference: forget what was known of it, of the agent leg it was, and every "no agent". */
  changed(callSid: string): void;
}

/** Not found (404 → INVALID_STATE): the conference ended or the call is gone. */
const goneAsUndefined = (e: unknown): undefined => {
  if (e instanceof ContractError && e.code === "INVALID_STATE") return undefined;
  throw e;
};

export function createCallAgents(options: Options): CallAgents {
  const { client, maxScan } = options;
  const cache = new Map<string, { agent: CallAgent | null; expires: number }>();
  const pending = new Map<string, Promise<CallAgent | null>>();
  // A lookup that started before a change must not store what it found.
  let generation = 0;

  const participantsOf = (rest: Rest, conferenceSid: string) => rest(() => client.conferences(conferenceSid).participants.list({ limit: 250 })).catch(goneAsUndefined);
  const identityOf = async (rest: Rest, callSid: string): Promise<string | undefined> => {
    const call = await rest(() => client.calls(callSid).fetch()).catch(goneAsUndefined);
    const identity = call && clientOf(call);
    return identity !== undefined && CLIENT_IDENTITY.test(identity) ? identity : undefined;
  };

  /**
   * The agent of a conference `callSid` is in. Its principals (neither a
   * consult/transfer party nor a supervisor) must be two: the customer and
   * the owning agent. The customer is the one labelled `customer`; without
   * labels, the agent's is the leg that is a Twilio Client's.
   */
  async function agentAmong(rest: Rest, participants: readonly { callSid: string; label?: string | null }[], callSid: string): Promise<CallAgent | null> {
    const self = participants.find((p) => p.callSid === callSid);
    if (!self || isAdded(labelOf(self))) return null;
    const principals = participants.filter((p) => !isAdded(labelOf(p)));
    const other = principals.find((p) => p !== self);
    if (principals.length !== 2 || !other || !CALL_SID.test(other.callSid)) return null;
    let role: LegRole = labelOf(self) === CUSTOMER_LABEL ? "customer" : "agent";
    if (role === "agent" && labelOf(other) !== CUSTOMER_LABEL) {
      const own = await identityOf(rest, callSid);
      if (own !== undefined) return { identity: own, agentCallSid: callSid, role };
      role = "customer";
    }
    const agentCallSid = role === "agent" ? callSid : other.callSid;
    const identity = await identityOf(rest, agentCallSid);
    return identity === undefined ? null : { identity, agentCallSid, role };
  }

  async function lookUp(rest: Rest, callSid: string): Promise<CallAgent | null> {
    const known = options.conferenceOf(callSid);
    if (known !== undefined && CONFERENCE_SID.test(known)) {
      const participants = await participantsOf(rest, known);
      if (participants?.some((p) => p.callSid === callSid)) return agentAmong(rest, participants, callSid);
    }
    const conferences = await rest(() => client.conferences.list({ status: "in-progress", limit: maxScan }));
    for (const conference of conferences.slice(0, maxScan)) {
      if (conference.sid === known || !CONFERENCE_SID.test(conference.sid)) continue;
      const participants = await participantsOf(rest, conference.sid);
      if (!participants?.some((p) => p.callSid === callSid)) continue;
      options.remember(callSid, conference.sid);
      return agentAmong(rest, participants, callSid);
    }
    return null;
  }

  function store(callSid: string, agent: CallAgent | null): void {
    cache.delete(callSid);
    cache.set(callSid, { agent, expires: Date.now() + (agent ? FOUND_TTL_MS : NOT_FOUND_TTL_MS) });
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  }

  return {
    of(rest, callSid) {
      const hit = cache.get(callSid);
      if (hit && hit.expires > Date.now()) return Promise.resolve(hit.agent);
      const running = pending.get(callSid);
      if (running) return running;
      const started = generation;
      const lookup = lookUp(rest, callSid)
        .then((agent) => {
          if (generation === started) store(callSid, agent);
          return agent;
        })
        .finally(() => pending.delete(callSid));
      pending.set(callSid, lookup);
      return lookup;
    },
    changed(callSid) {
      generation++;
      for (const [key, { agent }] of cache) if (key === callSid || agent === null || agent.agentCallSid === callSid) cache.delete(key);
    },
  };
}
