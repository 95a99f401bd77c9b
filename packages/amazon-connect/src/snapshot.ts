/**
 * The CCP's agent snapshot (`agent::update` → `{ snapshot, configuration }`),
 * everything about it that is not a mapping rule: `readAgentData` checks the
 * raw payload into plain values (what it cannot read throws BadVendorData, or
 * is set aside in `badContacts`), and `createContactTracker` diffs each
 * snapshot against the calls already reported, through the pure rules in
 * mapping.ts. They share a file because both are about "a snapshot arrived";
 * the rules stay in mapping.ts so they can be tested on plain data, and
 * connector.ts keeps only the link and the lifecycle.
 */
import type { Call, CallReport, ConnectorContext, EndReason } from "@opencti/core";
import { errorMessage, isNonEmptyString, isRecord } from "@opencti/core/connector";
import { BadVendorData } from "./errors.js";
import { legConnectionId, mapVoiceContact, newMemory, vanishedReason, VOICE_CONTACT_TYPES, type ContactMemory } from "./mapping.js";

export { BadVendorData };

export interface AgentStateDef {
  readonly type: string;
  readonly name: string;
  readonly agentStateARN?: string | null;
}

export interface ConnectionData {
  readonly connectionId: string;
  /** agent | inbound | outbound | monitoring */
  readonly type: string;
  readonly initial: boolean;
  /** init | connecting | connected | hold | disconnected | silent_monitor | barge */
  readonly state: string;
  readonly phoneNumber?: string;
  readonly name?: string;
  /** A supervisor's connection: `SILENT_MONITOR` or `BARGE` (Streams' `connection.getMonitorStatus()`). */
  readonly monitorStatus?: string;
  /** A supervisor's connection: the modes it may switch to (Streams' `connection.getMonitorCapabilities()`: MonitorContact's AllowedMonitorCapabilities). */
  readonly monitorCapabilities?: readonly string[];
}

export interface ContactData {
  readonly contactId: string;
  /** voice | queue_callback | chat | task | email */
  readonly type: string;
  readonly state: string;
  readonly initiationMethod?: string;
  readonly queue?: string;
  readonly systemNumber?: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly connections: readonly ConnectionData[];
}

export interface AgentData {
  readonly state: AgentStateDef;
  readonly nextState?: AgentStateDef;
  readonly timestamp: number;
  readonly username?: string;
  /**
   * The agent's phone type (`configuration.softphoneEnabled`): true for the
   * softphone, false for a desk phone (no softphone manager nor ringtone
   * engine in the CCP: no device of this computer carries the call).
   * Undefined when the CCP did not say.
   */
  readonly softphoneEnabled?: boolean;
  readonly agentStates: readonly AgentStateDef[];
  /** Contacts read successfully, and those that could not be read (with why). */
  readonly contacts: readonly ContactData[];
  readonly badContacts: readonly { readonly contactId?: string; readonly problem: string; readonly raw: unknown }[];
}

const text = (v: unknown): string | undefined => (isNonEmptyString(v) ? v : undefined);

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new BadVendorData(what);
  return value;
}

function stateDef(v: unknown, what: string): AgentStateDef {
  if (!isRecord(v)) throw new BadVendorData(`${what} is not an object`);
  return {
    type: need(text(v.type), `${what} has no type`),
    name: need(text(v.name), `${what} has no name`),
    ...(typeof v.agentStateARN === "string" ? { agentStateARN: v.agentStateARN } : {}),
  };
}

function timeOf(v: unknown): number | undefined {
  if (v instanceof Date || (isRecord(v) && typeof (v as { getTime?: unknown }).getTime === "function")) return (v as Date).getTime();
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

function connection(v: unknown): ConnectionData {
  if (!isRecord(v)) throw new BadVendorData("a connection is not an object");
  const connectionId = need(text(v.connectionId), "a connection has no connectionId");
  const state = isRecord(v.state) ? text(v.state.type) : undefined;
  const endpoint = isRecord(v.endpoint) ? v.endpoint : {};
  const phoneNumber = text(endpoint.phoneNumber);
  const name = text(endpoint.name);
  const monitorStatus = text(v.monitorStatus);
  const monitorCapabilities = Array.isArray(v.monitorCapabilities) ? v.monitorCapabilities.filter((c): c is string => typeof c === "string") : undefined;
  return {
    connectionId,
    type: need(text(v.type), `connection ${connectionId} has no type`),
    initial: v.initial === true,
    state: need(state, `connection ${connectionId} has no state`),
    ...(phoneNumber ? { phoneNumber } : {}),
    ...(name ? { name } : {}),
    ...(monitorStatus ? { monitorStatus } : {}),
    ...(monitorCapabilities ? { monitorCapabilities } : {}),
  };
}

function attributesOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [key, attr] of Object.entries(v)) {
    // Connect sends { key: { name, value } }; values are strings.
    if (isRecord(attr) && typeof attr.value === "string") out[key] = attr.value;
  }
  return out;
}

function contact(v: unknown): ContactData {
  if (!isRecord(v)) throw new BadVendorData("a contact is not an object");
  const contactId = need(text(v.contactId), "a contact has no contactId");
  const type = need(text(v.type), `contact ${contactId} has no type`);
  const state = isRecord(v.state) ? text(v.state.type) : undefined;
  if (!Array.isArray(v.connections)) throw new BadVendorData(`contact ${contactId} has no connections list`);
  const queue = isRecord(v.queue) ? text(v.queue.name) : undefined;
  const system = isRecord(v.connectSystemEndpoint) ? text(v.connectSystemEndpoint.phoneNumber) : undefined;
  const initiationMethod = text(v.initiationMethod);
  return {
    contactId,
    type,
    state: need(state, `contact ${contactId} has no state`),
    ...(initiationMethod ? { initiationMethod } : {}),
    ...(queue ? { queue } : {}),
    ...(system ? { systemNumber: system } : {}),
    attributes: attributesOf(v.attributes),
    // Only voice connections matter; chat/task/email contacts are reported as unsupported before this is read.
    connections: VOICE_CONTACT_TYPES.has(type) ? v.connections.map(connection) : [],
  };
}

/** Reads `{ snapshot, configuration }`. Throws BadVendorData when the agent part is unreadable. */
export function readAgentData(raw: unknown): AgentData {
  if (!isRecord(raw) || !isRecord(raw.snapshot)) throw new BadVendorData("the agent update has no snapshot");
  const snap = raw.snapshot;
  const config = isRecord(raw.configuration) ? raw.configuration : {};
  if (!Array.isArray(snap.contacts)) throw new BadVendorData("the snapshot has no contacts list");
  const contacts: ContactData[] = [];
  const badContacts: { contactId?: string; problem: string; raw: unknown }[] = [];
  for (const c of snap.contacts as unknown[]) {
    try {
      contacts.push(contact(c));
    } catch (err) {
      const contactId = isRecord(c) ? text(c.contactId) : undefined;
      badContacts.push({ ...(contactId ? { contactId } : {}), problem: errorMessage(err), raw: c });
    }
  }
  const states = Array.isArray(config.agentStates) ? (config.agentStates as unknown[]) : [];
  const agentStates: AgentStateDef[] = [];
  for (const s of states) {
    try {
      agentStates.push(stateDef(s, "an agent state"));
    } catch {
      // An unreadable configured state is left out of the list; the rest still work.
    }
  }
  const username = text(config.username);
  return {
    state: stateDef(snap.state, "the agent state"),
    ...(isRecord(snap.nextState) ? { nextState: stateDef(snap.nextState, "the next agent state") } : {}),
    timestamp: timeOf(snap.snapshotTimestamp) ?? 0,
    ...(username ? { username } : {}),
    ...(typeof config.softphoneEnabled === "boolean" ? { softphoneEnabled: config.softphoneEnabled } : {}),
    agentStates,
    contacts,
    badContacts,
  };
}

/** Contact states in which the agent's softphone is (or is about to be) on the contact. */
const LIVE_CONTACT = new Set(["init", "incoming", "pending", "connecting", "connected", "paused"]);

/** How long a softphone error that came before its contact's snapshot still counts for it, ms. */
const ORPHAN_SOFTPHONE_MS = 2000;

/** Where a reported call lives in Connect: its contact and, for a consult leg, the third party's connection. */
export interface Reported {
  readonly contactId: string;
  readonly connectionId?: string;
}

/** Where a snapshot's call reports go: the context, or a list for a `ctx.sync`. */
export interface CallSink {
  upsertCall(report: CallReport): void;
  removeCall(id: string, endReason?: EndReason): void;
}

/** The calls reported from the snapshots so far, and what requests need to act on them. */
export interface ContactTracker {
  /**
   * Maps the snapshot's contacts and reports every change to `sink`:
   * live calls upserted, calls gone from it removed with how they ended.
   * Unreadable contacts and unsupported contact types are reported through
   * `ctx` as they come. Returns false when it could not tell which calls
   * ended (an unreadable contact without an id): nothing was removed.
   */
  apply(data: AgentData, muted: boolean, ctx: ConnectorContext, sink: CallSink): boolean;
  /** What the connector remembers about a contact (created on first use). */
  memoryOf(contactId: string): ContactMemory;
  /** The last readable version of a contact: requests act on it even after a malformed snapshot. */
  contact(contactId: string): ContactData | undefined;
  /** The contact and, for a consult leg, its connection id. */
  target(call: Call): Reported;
  /** The softphone failed: every live voice contact remembers it (how it ends, if it does); returns their ids. */
  softphoneFailed(type: string, message: string): string[];
}

/** `recordedCalls`: the instance records agent voice calls (see the connector's `recordedCalls` option); `mediaStreamAttribute`: the connector's option. */
export function createContactTracker(attributes: readonly string[] | undefined, recordedCalls = false, mediaStreamAttribute?: string): ContactTracker {
  const memory = new Map<string, ContactMemory>();
  /** Calls reported live, by call id. */
  const reported = new Map<string, Reported>();
  /** Calls reported ended (id → contactId): never reported again while their contact is listed. */
  const ended = new Map<string, string>();
  const warned = new Set<string>();
  const known = new Map<string, ContactData>();
  /** A softphone error that came while no voice contact was live: the contact the next snapshot brings may be the one it was about. */
  let orphan: { type: string; message: string; at: number } | undefined;

  function memoryOf(contactId: string): ContactMemory {
    let m = memory.get(contactId);
    if (!m) memory.set(contactId, (m = newMemory()));
    return m;
  }

  function report(sink: CallSink, r: CallReport, where: Reported): void {
    if (ended.has(r.id)) return;
    if (r.state === "ended") {
      ended.set(r.id, where.contactId);
      reported.delete(r.id);
    } else reported.set(r.id, where);
    sink.upsertCall(r);
  }

  function remove(sink: CallSink, id: string, reason: EndReason | undefined): void {
    if (ended.has(id)) return;
    ended.set(id, reported.get(id)?.contactId ?? id);
    reported.delete(id);
    sink.removeCall(id, reason);
  }

  /** The consult leg still reported for a contact whose own call has ended (the one that carries its after-call work). */
  function acwCarrier(contactId: string): string | undefined {
    for (const [id, where] of reported) if (where.contactId === contactId && where.connectionId !== undefined) return id;
    return undefined;
  }

  function apply(data: AgentData, muted: boolean, ctx: ConnectorContext, sink: CallSink): boolean {
    const seen = new Set<string>();
    const keep = (contactId: string) => {
      for (const [id, where] of reported) if (where.contactId === contactId) seen.add(id);
    };
    for (const contact of data.contacts) {
      if (!VOICE_CONTACT_TYPES.has(contact.type)) {
        if (!warned.has(contact.contactId)) {
          warned.add(contact.contactId);
          ctx.signal({ kind: "warning", code: "UNSUPPORTED_CONTACT", message: `Ignored a ${contact.type} contact: this desktop handles voice calls only. Handle it in the CCP.` });
        }
        continue;
      }
      try {
        if (orphan && !memory.has(contact.contactId) && LIVE_CONTACT.has(contact.state) && Date.now() - orphan.at <= ORPHAN_SOFTPHONE_MS) {
          // The CCP forwards the softphone's error and the worker's snapshot separately: the error may come first.
          memoryOf(contact.contactId).softphoneError = orphan;
          orphan = undefined;
        }
        const mapped = mapVoiceContact(contact, memoryOf(contact.contactId), { muted, attributes, agentError: data.state.type === "error" ? data.state.name : undefined, now: Date.now(), recordedCalls, mediaStreamAttribute });
        known.set(contact.contactId, contact);
        const carrier = ended.has(mapped.call.id) && mapped.call.state === "wrapup" ? acwCarrier(contact.contactId) : undefined;
        if (carrier) {
          // The customer left during a consult and the agent stayed on the leg: its after-call work is the leg's.
          const memo = memoryOf(contact.contactId);
          const leg = legConnectionId(contact.contactId, carrier);
          // How the leg ended: failed as the contact did (the softphone) unless the agent left or dropped it first.
          const failedToo = mapped.call.endReason === "failed" && !memo.leaving && !memo.dropped.has(leg) ? mapped.call.failure : undefined;
          const endReason = failedToo ? "failed" : (vanishedReason(memo, leg, "connected") ?? "unknown");
          report(sink, { id: carrier, state: "wrapup", endReason, muted: false, ...(failedToo ? { failure: failedToo } : {}) }, { contactId: contact.contactId, connectionId: leg });
          seen.add(carrier);
        } else report(sink, mapped.call, { contactId: contact.contactId });
        seen.add(mapped.call.id);
        if (mapped.warning) ctx.signal({ kind: "warning", code: "MEDIA_STREAM_INVALID", message: mapped.warning, callId: mapped.call.id });
        for (const leg of mapped.legs) {
          report(sink, leg, { contactId: contact.contactId, connectionId: legConnectionId(contact.contactId, leg.id) });
          seen.add(leg.id);
        }
      } catch (err) {
        if (!(err instanceof BadVendorData)) throw err;
        keep(contact.contactId);
        ctx.invalidVendorEvent(`Amazon Connect sent a contact the connector cannot read: ${err.message}`, contact, contact.contactId);
      }
    }
    let unknownBad = false;
    for (const bad of data.badContacts) {
      if (bad.contactId) keep(bad.contactId);
      else unknownBad = true;
      ctx.invalidVendorEvent(`Amazon Connect sent a contact the connector cannot read: ${bad.problem}`, bad.raw);
    }
    // An unreadable contact without an id could be any call: end nothing on this snapshot's word.
    if (unknownBad) return false;
    for (const [id, where] of [...reported]) if (!seen.has(id)) remove(sink, id, vanishedReason(memory.get(where.contactId), where.connectionId, ctx.getCall(id)?.state));
    const present = new Set([...data.contacts.map((x) => x.contactId), ...data.badContacts.flatMap((b) => (b.contactId ? [b.contactId] : []))]);
    for (const contactId of [...memory.keys()]) if (!present.has(contactId) && ![...reported.values()].some((r) => r.contactId === contactId)) memory.delete(contactId);
    // Late snapshots are dropped, so a contact gone from a current one does not come back: forget it.
    for (const [id, contactId] of [...ended]) if (!present.has(contactId)) ended.delete(id);
    for (const contactId of [...warned]) if (!present.has(contactId)) warned.delete(contactId);
    for (const contactId of [...known.keys()]) if (!present.has(contactId)) known.delete(contactId);
    return true;
  }

  return {
    apply,
    memoryOf,
    contact: (contactId) => known.get(contactId),
    target: (call) => reported.get(call.id) ?? { contactId: call.vendorCallId },
    softphoneFailed(type, message) {
      // The softphone serves the live voice contact (Connect routes one at a time): ringing, being accepted or talking.
      const hit: string[] = [];
      for (const c of known.values()) {
        if (!LIVE_CONTACT.has(c.state)) continue;
        memoryOf(c.contactId).softphoneError = { type, message, at: Date.now() };
        hit.push(c.contactId);
      }
      orphan = hit.length === 0 ? { type, message, at: Date.now() } : undefined;
      return hit;
    },
  };
}
