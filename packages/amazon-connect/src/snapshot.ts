/**
 * Reads the agent snapshot the CCP pushes (`agent::update` →
 * `{ snapshot, configuration }`) into checked, plain values. Anything the
 * connector cannot read throws BadVendorData; the caller turns that into an
 * INVALID_VENDOR_EVENT error and keeps going.
 */

export class BadVendorData extends Error {}

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
}

export interface ContactData {
  readonly contactId: string;
  /** voice | chat | task | … */
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
  readonly agentStates: readonly AgentStateDef[];
  /** Contacts read successfully, and those that could not be read (with why). */
  readonly contacts: readonly ContactData[];
  readonly badContacts: readonly { readonly contactId?: string; readonly problem: string; readonly raw: unknown }[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

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
  return {
    connectionId,
    type: need(text(v.type), `connection ${connectionId} has no type`),
    initial: v.initial === true,
    state: need(state, `connection ${connectionId} has no state`),
    ...(phoneNumber ? { phoneNumber } : {}),
    ...(name ? { name } : {}),
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
    // Only voice connections matter; chat/task contacts are reported as unsupported before this is read.
    connections: type === "voice" ? v.connections.map(connection) : [],
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
      badContacts.push({ ...(contactId ? { contactId } : {}), problem: err instanceof Error ? err.message : String(err), raw: c });
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
    agentStates,
    contacts,
    badContacts,
  };
}
