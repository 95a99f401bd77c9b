/**
 * Amazon Connect → normalized model, pure: the checked snapshot shapes
 * (snapshot.ts) in, connector reports out; no Streams, no context, no timers.
 * What must outlive one snapshot (merged, dropped connections, how the agent
 * left) is a ContactMemory the caller passes in. The rules, one sentence each:
 *
 * - Agent: routable → `ready`, not_routable → `not_ready` (the instance's
 *   states are the reasons, id = ARN), offline/init → `logged_out`, system
 *   (Busy, PendingBusy, CallingCustomer…) → `busy`, AfterCallWork →
 *   `after_call_work`, error → `error`.
 * - Pending state: the snapshot's `nextState` (a state picked during a
 *   contact, queued with enqueueNextState) is the agent's `pendingState`.
 * - Streams' voice contact types (`voice`, `queue_callback`) are calls, id =
 *   contactId; chat, task and email are not (a warning each, in snapshot.ts).
 * - Offered or placed: a contact the agent placed (initiationMethod
 *   `outbound`, `agent_reply`) is `dialing` until the customer answers; any
 *   other is offered to the agent and `ringing` until accepted: a voice
 *   contact while init/incoming/pending/connecting, a queued callback while
 *   init/incoming/pending (its `connecting` comes after the accept, as
 *   Connect places the call: `connected`, the customer party `dialing`).
 * - Direction, by initiationMethod (CONTACT_KINDS): the customer called in
 *   (`inbound`, `transfer`, `queue_transfer`, `webrtc_api`, `disconnect`,
 *   `monitor`) → inbound; Connect or the agent called the customer
 *   (`outbound`, `agent_reply`, `api`, `campaign_preview`,
 *   `external_outbound`, `flow`, `callback`, `callback_customer_first_*`, and
 *   every `queue_callback` contact) → outbound; an unknown method → the
 *   customer connection's type.
 * - Directory: the agent's quick connects, by name (see directoryFrom).
 * - Kind: a queued callback (`queue_callback`, or a `callback*` method) has
 *   call data `callKind: "callback"`; a contact an agent transferred
 *   (`transfer`) has `callKind: "transfer"`. (`queue_transfer` is a flow moving
 *   the caller between queues: a plain inbound call.) The key is the
 *   connector's: a contact attribute of the same name is never call data (a
 *   flow's `callKind` would make a plain call look transferred).
 * - Hold: the agent holds the customer's connection, so a customer
 *   connection on `hold` makes the call `held`; Connect's snapshot has no
 *   state for a far end that holds, so none is reported.
 * - A connected contact the agent placed is `dialing` while the customer's
 *   connection is still connecting. The customer's connection gone while
 *   the agent stays on the contact: with a merged third party (a
 *   conference) the call stays live, the customer party `disconnected`;
 *   with only a consult leg the call ends, and the contact's after-call
 *   work is reported on that leg (snapshot.ts).
 * - ACW: an `ended` contact is the call in `wrapup` until the agent clears
 *   it; a `rejected` contact (or one the agent rejected) ends `rejected`.
 * - A `missed` or `error` contact ended before or without the agent: the
 *   agent's error state in the same snapshot says why (AGENT_ERROR_ENDS:
 *   MissedCallAgent → missed, LineEngagedCustomer → busy, BadAddressCustomer
 *   / FailedConnectCustomer → failed, MissedCallCustomer → no_answer, the
 *   state name as `failure.vendorCode`); a softphone error on the contact
 *   (microphone_not_shared → MEDIA_PERMISSION_DENIED) makes it failed;
 *   without either, a contact the agent never had (inbound, never connected)
 *   was abandoned by the caller, anything else failed.
 * - Consult legs: a third-party connection (not initial, not the agent's)
 *   is its own call `<contactId>:<connectionId>` with relatedCallId = the
 *   contact, while the contact is connected, the agent is on it and no blind
 *   transfer is under way.
 * - Conference: a third party connected while the customer is connected too
 *   is merged; merged third parties are parties of the call, not legs.
 * - Parties: the agent's own connection first (role `agent`, id = its
 *   connection id), then the customer, merged third parties and monitoring
 *   supervisors, each `{ id, role, state, address?, displayName? }`. A
 *   far-end party's id is the vendor's own id for that leg when the vendor
 *   gives one, else its role (the convention of every connector): here
 *   always the connection id.
 * - A call gone from the snapshot ended as `vanishedReason` says.
 * - Contact attributes `{ key: { name, value } }` are call data (only the
 *   configured keys when given), except `callKind` (the kind, above) and the
 *   media stream attribute.
 * - Media stream: with `mediaStreamAttribute`, that attribute's value is the
 *   call's `mediaStream` when it is a Kinesis Video Streams stream ARN (what
 *   Connect's "Start media streaming" block puts in
 *   `$.MediaStreams.Customer.Audio.StreamARN`, copied by the flow into the
 *   attribute; https://docs.aws.amazon.com/connect/latest/adminguide/media-streaming-attributes.html);
 *   an empty value clears it (null); anything else clears it too (an ARN
 *   from before may be stale: no audio beats the wrong audio), with a warning
 *   once per contact (`warning`, signalled MEDIA_STREAM_INVALID).
 * - A supervisor's monitoring session: a contact whose agent connection has a
 *   `monitorStatus` (Streams' `getMonitorStatus()`: `SILENT_MONITOR` →
 *   `monitorMode: "monitor"`, `BARGE` → `"barge"`) is a call with direction
 *   `monitor`, `connected` while the contact is, ended (no after-call work)
 *   once it is over (the supervisor's connection gone, or the contact over,
 *   whether or not the snapshot still carries the monitor status then); no
 *   consult legs, no recording. Connect puts an ended session in after-contact
 *   work: the connector clears it (isSessionInAcw). On an agent's own call a
 *   `monitoring` connection is a `supervisor` party, with `monitorMode` from
 *   its `monitorStatus` (Connect shows the agent a supervisor only once it
 *   barges: a silent monitor is not in the agent's snapshot).
 * - Recording: Streams does not say; with `recordedCalls: true` (opt-in) a
 *   connected or held call is `active` until the agent pauses it
 *   (`memory.recording`); otherwise no recording is reported.
 */
import { LIMITS, normalizeDestination, type MonitorMode, type RecordingState, type AgentReason, type AgentReport, type AgentStateKind, type CallDirection, type CallFailure, type CallReport, type CallState, type CtiErrorCode, type DirectoryEntry, type DirectoryKind, type EndReason, type Party, type PartyState } from "@opencti/core";
import { isRecord } from "@opencti/core/connector";
import { BadVendorData, softphoneErrorCode } from "./errors.js";
import type { AgentData, AgentStateDef, ConnectionData, ContactData } from "./snapshot.js";

/** What the connector remembers about a contact between snapshots. */
export interface ContactMemory {
  /** Third-party connections merged into the call (conference). */
  readonly merged: Set<string>;
  /** Connections the agent dropped (a consult leg hung up, a party removed). */
  readonly dropped: Set<string>;
  /** How the agent left the contact, when it was the agent. */
  leaving?: "local_hangup" | "transferred";
  /** A blind transfer is under way: its third-party leg is not a consult. */
  blindTransfer?: boolean;
  /** The agent rejected it (the reject request went out). */
  rejected?: boolean;
  /** The contact was connected at some point (the agent had the caller). */
  connected?: boolean;
  /** The softphone failed while the contact was live: its error type and words. */
  softphoneError?: { readonly type: string; readonly message: string; /** When it came, epoch ms. */ readonly at?: number };
  /** When the contact was first seen ended (after-call work), epoch ms: its outcome is judged against this, not the time of a later snapshot. */
  endedAt?: number;
  /** The recording as the backend last set it (pause / resume); `active` until then when calls are recorded. */
  recording?: RecordingState;
  /** A monitoring session this connector started: the modes MonitorContact was asked to allow (and the backend authorized). */
  monitorCapabilities?: readonly string[];
  /** The media stream attribute was malformed and said so (once per contact). */
  badMediaStream?: boolean;
  /** The contact was seen as a supervisor's monitoring session: still one once over, whatever Connect's snapshot of it then says. */
  monitoring?: boolean;
  /** The connector asked Connect to clear the session's after-contact work (Streams' contact.clear()) on its own (once): `done` once Connect said so, `failed` when it refused. */
  clearing?: "asked" | "done" | "failed";
}

export const newMemory = (): ContactMemory => ({ merged: new Set(), dropped: new Set() });

export const reasonId = (s: AgentStateDef): string => s.agentStateARN ?? s.name;

/** Connect's selectable agent states → reasons: routable → ready, not_routable → not_ready. */
export function reasonsFrom(states: readonly AgentStateDef[]): AgentReason[] {
  const out: AgentReason[] = [];
  for (const s of states) {
    if (s.type === "routable") out.push({ id: reasonId(s), state: "ready", label: s.name });
    else if (s.type === "not_routable") out.push({ id: reasonId(s), state: "not_ready", label: s.name });
  }
  return out;
}

export function agentKind(s: AgentStateDef): AgentStateKind {
  if (s.name === "AfterCallWork") return "after_call_work";
  switch (s.type) {
    case "routable":
      return "ready";
    case "not_routable":
      return "not_ready";
    case "offline":
    case "init":
      return "logged_out";
    case "error":
      return "error";
    case "system":
      return "busy";
    default:
      throw new BadVendorData(`unknown agent state type ${JSON.stringify(s.type)}`);
  }
}

function reasonFor(s: AgentStateDef, reasons: readonly AgentReason[]): AgentReason | undefined {
  const kind = agentKind(s);
  if (kind !== "ready" && kind !== "not_ready") return undefined;
  return reasons.find((r) => r.id === reasonId(s)) ?? reasons.find((r) => r.label === s.name) ?? { id: reasonId(s), state: kind, label: s.name };
}

export function toAgentReport(data: AgentData, reasons: readonly AgentReason[]): AgentReport {
  const state = agentKind(data.state);
  const reason = reasonFor(data.state, reasons);
  const next = data.nextState;
  const nextReason = next ? reasonFor(next, reasons) : undefined;
  return {
    state,
    ...(reason ? { reason } : {}),
    pendingState: next ? { state: agentKind(next), ...(nextReason ? { reason: nextReason } : {}) } : null,
    ...(data.username ? { agentId: data.username } : {}),
  };
}

const RINGING_CONTACT = new Set(["init", "incoming", "pending", "connecting"]);
/** A queued callback is offered `incoming`; `connecting` is Connect placing it after the accept. */
const OFFERED_CALLBACK = new Set(["init", "incoming", "pending"]);

/** Streams' contact types that are voice calls (connect.voiceContactTypes). */
export const VOICE_CONTACT_TYPES: ReadonlySet<string> = new Set(["voice", "queue_callback"]);

/**
 * Each of Streams' ContactInitiationMethod values: who called whom, whether the agent
 * placed it, and the kind the call data marks (see the rules above).
 */
const CONTACT_KINDS: Readonly<Record<string, readonly [CallDirection, "placed" | "offered", ("callback" | "transfer")?]>> = {
  inbound: ["inbound", "offered"],
  transfer: ["inbound", "offered", "transfer"],
  queue_transfer: ["inbound", "offered"],
  webrtc_api: ["inbound", "offered"],
  disconnect: ["inbound", "offered"],
  monitor: ["inbound", "offered"],
  outbound: ["outbound", "placed"],
  agent_reply: ["outbound", "placed"],
  api: ["outbound", "offered"],
  campaign_preview: ["outbound", "offered"],
  external_outbound: ["outbound", "offered"],
  flow: ["outbound", "offered"],
  callback: ["outbound", "offered", "callback"],
  callback_customer_first_queued: ["outbound", "offered", "callback"],
  callback_customer_first_dialed: ["outbound", "offered", "callback"],
};

/** Who called whom, whether the agent placed it, and its kind (see the rules above). */
export function contactKind(contact: ContactData): { direction: CallDirection; placed: boolean; kind?: "callback" | "transfer" } {
  const method = contact.initiationMethod;
  const known = method && Object.hasOwn(CONTACT_KINDS, method) ? CONTACT_KINDS[method] : undefined;
  const callback = contact.type === "queue_callback" || known?.[2] === "callback";
  if (known) return { direction: callback ? "outbound" : known[0], placed: known[1] === "placed", ...(callback ? { kind: "callback" as const } : known[2] ? { kind: known[2] } : {}) };
  const customer = customerConnection(contact);
  if (callback) return { direction: "outbound", placed: false, kind: "callback" };
  const out = customer?.type === "outbound";
  return { direction: out ? "outbound" : customer ? "inbound" : "unknown", placed: out };
}

/** The contact is still offered to the agent (not yet accepted). */
export const isOffered = (contact: ContactData): boolean => (contact.type === "queue_callback" ? OFFERED_CALLBACK : RINGING_CONTACT).has(contact.state);
const CONNECTION_STATES = new Set(["init", "connecting", "connected", "hold", "disconnected", "silent_monitor", "barge"]);

const isLive = (c: ConnectionData): boolean => c.state !== "disconnected";
const isThirdParty = (c: ConnectionData): boolean => c.type !== "agent" && c.type !== "monitoring" && !c.initial;

function partyState(c: ConnectionData, outbound: boolean): PartyState {
  switch (c.state) {
    case "init":
    case "connecting":
      return c.type === "agent" ? "ringing" : outbound ? "dialing" : "ringing";
    case "hold":
      return "held";
    case "disconnected":
      return "disconnected";
    default:
      return "connected";
  }
}

/** A supervisor connection's mode (Streams' MonitoringMode), by its monitorStatus or its state. */
export function monitorModeOf(c: ConnectionData): MonitorMode | undefined {
  if (c.monitorStatus === "BARGE" || c.state === "barge") return "barge";
  if (c.monitorStatus === "SILENT_MONITOR" || c.state === "silent_monitor") return "monitor";
  return undefined;
}

/** The supervisor's own connection on a monitoring contact (its agent connection with a monitor status), if this contact is one. (A `monitoring` connection is a supervisor on the agent's own call.) */
export const monitorSession = (contact: ContactData): ConnectionData | undefined => contact.connections.find((c) => c.type === "agent" && c.monitorStatus !== undefined && monitorModeOf(c) !== undefined);

function party(c: ConnectionData, role: Party["role"], outbound: boolean): Party {
  const mode = role === "supervisor" ? monitorModeOf(c) : undefined;
  return {
    id: c.connectionId,
    role,
    state: partyState(c, outbound),
    ...(mode ? { monitorMode: mode } : {}),
    ...(c.phoneNumber ? { address: c.phoneNumber } : {}),
    ...(c.name ? { displayName: c.name } : {}),
  };
}

export interface ContactCalls {
  /** The contact as a call. */
  readonly call: CallReport;
  /** Live consult legs (third parties not merged). */
  readonly legs: readonly CallReport[];
  /** Something to tell the agent about this contact, once (a malformed media stream attribute). */
  readonly warning?: string;
}

export interface MapOptions {
  readonly muted: boolean;
  /** The agent's error state in the same snapshot (its name, e.g. MissedCallAgent), if the agent is in one. */
  readonly agentError?: string | undefined;
  /** Which contact attributes become call data; all when undefined. */
  readonly attributes?: readonly string[] | undefined;
  /** The time now, epoch ms (when a contact seen ended for the first time ended). */
  readonly now?: number | undefined;
  /** The instance records agent voice calls: a connected or held call reports `recording`. */
  readonly recordedCalls?: boolean | undefined;
  /** The contact attribute holding the customer audio's Kinesis Video Streams ARN (the connector's `mediaStreamAttribute`). */
  readonly mediaStreamAttribute?: string | undefined;
}

/** The call data key that says a call's kind: the connector's own, never a contact attribute's. */
const CALL_KIND = "callKind";

/** The contact attributes that are call data: the configured keys (all when undefined), never `callKind` nor the media stream attribute. */
function pickData(attrs: Readonly<Record<string, string>>, options: MapOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of options.attributes ?? Object.keys(attrs)) if (k !== CALL_KIND && k !== options.mediaStreamAttribute && attrs[k] !== undefined) out[k] = attrs[k];
  return out;
}

/**
 * A Kinesis Video Streams stream ARN: `arn:<partition>:kinesisvideo:<region>:<account>:stream/<name>/<creation time>`
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesisvideostreams.html).
 */
const KVS_STREAM_ARN = /^arn:aws[a-z-]*:kinesisvideo:[a-z0-9-]+:\d{12}:stream\/[\w.-]{1,256}\/\d{1,20}$/;

/** The call's media stream from the contact's attributes (see the rules above): the ARN, null (cleared: empty or malformed), or undefined (no such attribute: unchanged). */
export function mediaStreamOf(attrs: Readonly<Record<string, string>>, key: string | undefined): string | null | undefined {
  const value = key === undefined ? undefined : attrs[key]?.trim();
  return value === undefined ? undefined : KVS_STREAM_ARN.test(value) ? value : null;
}

export const legId = (contactId: string, connectionId: string): string => `${contactId}:${connectionId}`;

/** The third-party connection a consult leg's call id names. */
export const legConnectionId = (contactId: string, id: string): string => id.slice(contactId.length + 1);

/** The agent's own connection. */
export const agentConnection = (contact: ContactData): ConnectionData | undefined => contact.connections.find((c) => c.type === "agent");

/** The customer: the contact's initial connection that is not the agent's. */
export const customerConnection = (contact: ContactData): ConnectionData | undefined => contact.connections.find((c) => c.initial && c.type !== "agent");

/** A contact the agent placed (dialed from the CCP or the desktop), not one offered to the agent. */
export const isOutboundContact = (contact: ContactData): boolean => contactKind(contact).placed;

/** The agent is consulting: a third-party connection is live and not merged into the call. */
export const isConsulting = (contact: ContactData, memory: ContactMemory): boolean =>
  contact.connections.some((c) => c.type !== "agent" && !c.initial && c.state !== "disconnected" && !memory.merged.has(c.connectionId));

/** The connection a call-level request (hold, resume, DTMF) acts on: the customer's, or once the customer left a conference, the merged third party's. */
export const farConnection = (contact: ContactData, memory: ContactMemory): ConnectionData | undefined => {
  const customer = customerConnection(contact);
  if (!customer || isLive(customer)) return customer;
  return contact.connections.find((c) => isThirdParty(c) && isLive(c) && memory.merged.has(c.connectionId)) ?? customer;
};

/** A third-party connection that is not in `before` (the consult leg a request just added). */
export const newThirdParty = (contact: ContactData | undefined, before: ReadonlySet<string>): string | undefined =>
  contact?.connections.find((c) => c.type !== "agent" && !c.initial && !before.has(c.connectionId))?.connectionId;

/**
 * How a call that vanished from the snapshot ended. A consult leg
 * (`connectionId` given): merged into a conference, transferred when the agent
 * completed the transfer, a local hang-up when the agent dropped it or left,
 * else the third party hung up. The contact itself: still ringing means the
 * caller abandoned; in wrap-up it keeps the reason it ended with (undefined);
 * else how the agent left, or the far end hung up. `desktopState` is the
 * desktop's last state of the call.
 */
export function vanishedReason(memory: ContactMemory | undefined, connectionId: string | undefined, desktopState: CallState | undefined): EndReason | undefined {
  if (connectionId !== undefined) {
    if (memory?.merged.has(connectionId)) return "merged";
    if (memory?.leaving === "transferred") return "transferred";
    if (memory?.dropped.has(connectionId) || memory?.leaving === "local_hangup") return "local_hangup";
    return "remote_hangup";
  }
  if (desktopState === "ringing") return memory?.rejected ? "rejected" : "abandoned";
  if (desktopState === "wrapup") return undefined;
  return memory?.leaving ?? "remote_hangup";
}

/** How a `missed` / `error` contact ended, by the agent's error state: [endReason, failure code, what happened]. */
const AGENT_ERROR_ENDS: Readonly<Record<string, readonly [EndReason, CtiErrorCode | undefined, string]>> = {
  MissedCallAgent: ["missed", undefined, "the agent did not answer in time"],
  LineEngagedCustomer: ["busy", "DESTINATION_BUSY", "the customer's line is engaged"],
  BadAddressCustomer: ["failed", "INVALID_DESTINATION", "the number could not be dialed"],
  FailedConnectCustomer: ["failed", "VENDOR_ERROR", "the call could not be connected to the customer"],
  MissedCallCustomer: ["no_answer", undefined, "the customer did not answer"],
};

const failure = (code: CtiErrorCode, vendorCode: string, message: string): CallFailure => ({ code, vendorCode, message: `Amazon Connect: ${message} (${vendorCode}).` });

/** A contact that goes to after-call work this soon after a softphone error ended because of it, ms. */
export const SOFTPHONE_END_WITHIN_MS = 30_000;

/**
 * How a contact in after-call work ended: how the agent left it, a softphone
 * failure, else the customer hung up. Every input is fixed once the contact
 * has ended (a softphone error only reaches a live contact; the end time is
 * the first snapshot that showed it ended), so every later snapshot of the
 * same wrap-up says the same.
 */
function acwEnd(contact: ContactData, memory: ContactMemory): { endReason: EndReason; failure?: CallFailure } {
  const agent = agentConnection(contact);
  if (memory.leaving) return { endReason: memory.leaving };
  if (agent && memory.dropped.has(agent.connectionId)) return { endReason: "local_hangup" };
  const soft = memory.softphoneError;
  // The agent's audio failed and Connect ended the contact soon after: not the customer hanging up.
  // (A call that went on for longer after it ended for another reason.)
  if (soft && (memory.endedAt === undefined || soft.at === undefined || memory.endedAt - soft.at <= SOFTPHONE_END_WITHIN_MS)) return { endReason: "failed", failure: softphoneEnd(soft) };
  return { endReason: "remote_hangup" };
}

const softphoneEnd = (soft: { readonly type: string; readonly message: string }): CallFailure => failure(softphoneErrorCode(soft.type), soft.type, `the softphone failed: ${soft.message.trim() || soft.type}`);

/** How a contact in `missed` or `error` ended (see the rules above). */
function errorEnd(contact: ContactData, memory: ContactMemory, agentError: string | undefined, outbound: boolean): { endReason: EndReason; failure?: CallFailure } {
  if (memory.rejected) return { endReason: "rejected" };
  const known = agentError && Object.hasOwn(AGENT_ERROR_ENDS, agentError) ? AGENT_ERROR_ENDS[agentError] : undefined;
  if (agentError && known) return { endReason: known[0], ...(known[1] ? { failure: failure(known[1], agentError, known[2]) } : {}) };
  const soft = memory.softphoneError;
  if (soft) return { endReason: "failed", failure: softphoneEnd(soft) };
  // A queued callback missed or rejected leaves the agent in `Default`, not MissedCallAgent (Streams issue #344).
  if (agentError === "Default" && contact.type === "queue_callback" && !memory.connected) return { endReason: "missed" };
  if (agentError) return { endReason: "failed", failure: failure("VENDOR_ERROR", agentError, "the agent's state went to an error") };
  if (contact.state === "missed") return { endReason: "missed" };
  if (!memory.connected && !outbound) return { endReason: "abandoned" };
  return { endReason: "failed", failure: failure("VENDOR_ERROR", contact.state, "the contact went to an error state") };
}

/**
 * A monitoring contact over: the supervisor's session is `ended` (never `wrapup`), and Connect's
 * after-contact work on it (`ended`) is for the connector to clear (see isSessionInAcw).
 */
const SESSION_OVER = new Set(["ended", "missed", "error", "rejected"]);

/**
 * A contact that was the supervisor's monitoring session is in after-contact work (`ended`): Connect
 * keeps the supervisor in AfterCallWork, not routable, until it is cleared (Streams' `contact.clear()`,
 * which Streams PR #289 added for "monitoring agents' ACW state"). The desktop never shows it as a
 * wrap-up, so the connector clears it and a state change is not queued behind it.
 */
export const isSessionInAcw = (contact: ContactData, memory: ContactMemory | undefined): boolean => contact.state === "ended" && memory?.monitoring === true;

/** A supervisor's monitoring contact (see the rules above): one call, direction `monitor`. */
function mapSession(contact: ContactData, own: ConnectionData | undefined, memory: ContactMemory, options: MapOptions): ContactCalls {
  const over = SESSION_OVER.has(contact.state) || !own || own.state === "disconnected";
  const customer = customerConnection(contact);
  const parties: Party[] = [...(own ? [party(own, "agent", false)] : []), ...(customer ? [party(customer, "customer", false)] : [])];
  const mode = own && monitorModeOf(own);
  return {
    call: {
      id: contact.contactId,
      vendorCallId: contact.contactId,
      state: over ? "ended" : contact.state === "connected" || contact.state === "paused" ? "connected" : "dialing",
      direction: "monitor",
      parties: over ? parties.map((p) => ({ ...p, state: "disconnected" as const })) : parties,
      muted: !over && options.muted,
      data: pickData(contact.attributes, options),
      ...(customer?.phoneNumber ? { from: customer.phoneNumber } : {}),
      ...(contact.queue ? { queue: contact.queue } : {}),
      ...(mode && !over ? { monitorMode: mode } : {}),
      ...(over ? { endReason: memory.leaving ?? "remote_hangup" } : {}),
    },
    legs: [],
  };
}

/** Maps one voice contact. Updates `memory.merged` as conferences form. */
export function mapVoiceContact(contact: ContactData, memory: ContactMemory, options: MapOptions): ContactCalls {
  for (const c of contact.connections) if (!CONNECTION_STATES.has(c.state)) throw new BadVendorData(`connection ${c.connectionId} has unknown state ${JSON.stringify(c.state)}`);
  const session = monitorSession(contact);
  if (session) memory.monitoring = true;
  // Once over, Connect's snapshot need not say the contact was a monitoring session: the memory does.
  if (session || memory.monitoring) return mapSession(contact, session ?? agentConnection(contact), memory, options);
  const agent = agentConnection(contact);
  const customer = customerConnection(contact);
  const { direction, placed, kind } = contactKind(contact);
  const outbound = direction === "outbound";

  // A third party talking while the customer is also off hold means the legs are merged.
  const thirdParties = contact.connections.filter(isThirdParty);
  if (customer?.state === "connected") for (const t of thirdParties) if (t.state === "connected") memory.merged.add(t.connectionId);
  /** The far ends the agent talks to on this call: the customer and the merged third parties still on it. */
  const talking = [customer, ...thirdParties.filter((t) => memory.merged.has(t.connectionId))].filter((c): c is ConnectionData => c !== undefined && isLive(c));

  let state: CallState;
  let endReason: EndReason | undefined;
  let failed: CallFailure | undefined;
  switch (contact.state) {
    case "connected":
    case "paused":
      memory.connected = true;
      if (customer?.state === "disconnected" && talking.length === 0) {
        // The customer left and no one else is on the call (the agent may stay on a consult leg).
        state = "ended";
        endReason = memory.dropped.has(customer.connectionId) ? "local_hangup" : "remote_hangup";
      } else if (placed && customer && (customer.state === "connecting" || customer.state === "init")) state = "dialing";
      else {
        // The customer's connection says it while the customer is on the call (holding a conference holds the customer); after, the merged third parties'.
        const far = customer && isLive(customer) ? [customer] : talking;
        state = far.length > 0 && far.every((c) => c.state === "hold") ? "held" : "connected";
      }
      break;
    case "ended":
      state = "wrapup";
      if (memory.endedAt === undefined && options.now !== undefined) memory.endedAt = options.now;
      ({ endReason, failure: failed } = acwEnd(contact, memory));
      break;
    case "rejected":
      state = "ended";
      endReason = "rejected";
      break;
    case "missed":
    case "error":
      state = "ended";
      ({ endReason, failure: failed } = errorEnd(contact, memory, options.agentError, outbound));
      break;
    default:
      if (!RINGING_CONTACT.has(contact.state)) throw new BadVendorData(`contact ${contact.contactId} has unknown state ${JSON.stringify(contact.state)}`);
      if (isOffered(contact)) state = placed ? "dialing" : "ringing";
      else {
        // A queued callback the agent accepted: Connect now places the call to the customer.
        memory.connected = true;
        state = "connected";
      }
  }

  const parties: Party[] = [];
  if (agent) parties.push(party(agent, "agent", outbound));
  if (customer) parties.push(party(customer, "customer", outbound));
  for (const t of thirdParties) if (memory.merged.has(t.connectionId)) parties.push(party(t, "third_party", true));
  for (const m of contact.connections) if (m.type === "monitoring") parties.push(party(m, "supervisor", false));

  const live = state !== "ended" && state !== "wrapup";
  const mediaStream = mediaStreamOf(contact.attributes, options.mediaStreamAttribute);
  const key = options.mediaStreamAttribute!;
  const badStream = mediaStream === null && contact.attributes[key]!.trim() !== "" && !memory.badMediaStream;
  if (badStream) memory.badMediaStream = true;
  const call: CallReport = {
    id: contact.contactId,
    vendorCallId: contact.contactId,
    state,
    direction,
    parties,
    muted: live && options.muted,
    data: { ...pickData(contact.attributes, options), ...(kind ? { [CALL_KIND]: kind } : {}) },
    ...(customer?.phoneNumber ? (outbound ? { to: customer.phoneNumber } : { from: customer.phoneNumber }) : {}),
    ...(customer?.name && !outbound ? { fromName: customer.name } : {}),
    ...(contact.systemNumber ? (outbound ? { from: contact.systemNumber } : { to: contact.systemNumber }) : {}),
    ...(contact.queue ? { queue: contact.queue } : {}),
    ...(endReason ? { endReason } : {}),
    ...(failed ? { failure: failed } : {}),
    ...(options.recordedCalls && (state === "connected" || state === "held") ? { recording: memory.recording ?? "active" } : {}),
    ...(mediaStream !== undefined ? { mediaStream } : {}),
  };

  const legs: CallReport[] = [];
  const agentLive = agent ? isLive(agent) : false;
  if ((contact.state === "connected" || contact.state === "paused") && agentLive && !memory.blindTransfer) {
    for (const t of thirdParties) {
      if (memory.merged.has(t.connectionId) || !isLive(t)) continue;
      legs.push({
        id: legId(contact.contactId, t.connectionId),
        vendorCallId: contact.contactId,
        state: t.state === "hold" ? "held" : t.state === "connecting" || t.state === "init" ? "dialing" : "connected",
        direction: "consult",
        relatedCallId: contact.contactId,
        parties: [...(agent ? [party(agent, "agent", true)] : []), party(t, "third_party", true)],
        muted: options.muted,
        data: {},
        ...(t.phoneNumber ? { to: t.phoneNumber } : {}),
      });
    }
  }
  return { call, legs, ...(badStream ? { warning: `The contact attribute "${key}" is not a Kinesis Video Streams stream ARN: the call has no media stream` } : {}) };
}

/** A destination transfer and consult dial as a phone number; any other is a quick connect's name. */
export const PHONE = /^\+?[0-9][0-9\s().-]*$/;

/** Quick connect types → directory kinds. */
const ENDPOINT_KIND: Readonly<Record<string, DirectoryKind>> = { agent: "agent", queue: "queue", phone_number: "number" };

/**
 * Quick connects (Streams' `agent.getEndpoints(agent.getAllQueueARNs())`) →
 * the directory: id = endpointARN, label = name, kind from `type`
 * (phone_number → number), destination = the name, which consult and
 * blindTransfer resolve back to the quick connect. Ones that cannot be picked
 * by name are left out: a name that is not a dialable named target, an agent
 * or queue named like a phone number (transfer would dial that number), an
 * unknown type, a name seen twice; at most LIMITS.directory entries.
 */
export function directoryFrom(endpoints: readonly unknown[]): DirectoryEntry[] {
  const entries: DirectoryEntry[] = [];
  const names = new Set<string>();
  for (const e of endpoints) {
    if (!isRecord(e) || typeof e.name !== "string" || typeof e.type !== "string") continue;
    const kind = ENDPOINT_KIND[e.type];
    const id = typeof e.endpointARN === "string" && e.endpointARN ? e.endpointARN : e.name;
    // A name that reads as a number would be dialled as that number: a number quick connect is offered with
    // its own number instead; an agent or queue so named cannot be picked.
    const byNumber = PHONE.test(e.name);
    const destination = !byNumber ? e.name : kind === "number" && typeof e.phoneNumber === "string" ? normalizeDestination(e.phoneNumber) : undefined;
    if (!kind || !destination || names.has(e.name) || normalizeDestination(destination) !== destination || id.length > LIMITS.id) continue;
    names.add(e.name);
    entries.push({ id, label: e.name, kind, destination });
  }
  return entries.slice(0, LIMITS.directory);
}
