/**
 * The connector's requests. Each is a Streams API call settled by its
 * success/failure callback (`call`); where the outcome only shows in a later
 * snapshot (login, dial, consult, mute) the request then waits for that
 * snapshot (`until`). Both give up with REQUEST_TIMEOUT when the desktop's
 * signal aborts. The state changes themselves arrive as snapshots.
 */
import { CtiError, type AgentReason, type Call, type Connector, type ConnectorContext } from "@opencti/core";
import { isRecord, waitFor } from "@opencti/core/connector";
import { softphoneFailure, streamsFailure } from "./errors.js";
import { agentConnection, isSessionInAcw, monitorModeOf, monitorSession, customerConnection, farConnection, isConsulting, isOffered, isOutboundContact, legId, newThirdParty, reasonId, VOICE_CONTACT_TYPES } from "./mapping.js";
import type { MonitorCapability } from "./backend.js";
import type { AmazonConnectConnectorOptions } from "./options.js";
import type { AgentData, AgentStateDef, ContactData, ContactTracker } from "./snapshot.js";
import type { StreamsCallbacks, StreamsEndpoint, StreamsGlobal } from "./streams.js";

/** The connector's live state, updated in place by connector.ts; requests only read it. */
export interface Live {
  ctx: ConnectorContext | undefined;
  /** Streams once loaded. */
  streams: StreamsGlobal | undefined;
  linkUp: boolean;
  /** The latest snapshot applied. */
  current: AgentData | undefined;
  reasons: readonly AgentReason[];
  muted: boolean;
  /** How many softphone errors Streams reported, and the last one. */
  softphoneErrors: number;
  softphoneError?: { readonly type: string; readonly message: string };
}

/** The requests on calls and the agent (selectAudioDevice is audio.ts's). */
type RequestName = Exclude<keyof Connector, "name" | "capabilities" | "reasons" | "directory" | "start" | "stop" | "selectAudioDevice">;

export interface Requests {
  readonly handlers: Required<Pick<Connector, RequestName>>;
  /** After each snapshot or mute toggle: settles the waits it satisfies. */
  check(): void;
  /**
   * After each snapshot: clears the after-contact work of every monitoring session that is over
   * (Streams' `contact.clear()`), once per contact; a failure is a `MONITOR_NOT_CLEARED` warning, and
   * the next state the agent picks clears it again first (as it does one Connect has not answered yet).
   */
  clearEndedSessions(): void;
  /** On stop: rejects every wait with `error`. */
  cancel(error: CtiError): void;
}

interface Waiter {
  check(): void;
  fail(error: CtiError): void;
}

import { PHONE } from "./mapping.js";
/** Contact states of a contact that is over without the agent (missed, failed, rejected). */
const OVER = new Set(["missed", "error", "rejected"]);

const linkDown = (): CtiError => new CtiError("LINK_DOWN", "The Amazon Connect CCP is not connected.");

export function createRequests(live: Live, contacts: ContactTracker, options: AmazonConnectConnectorOptions): Requests {
  const waiters = new Set<Waiter>();

  /** Runs one Streams API call; settles on its success/failure callback. */
  function call(what: string, signal: AbortSignal, run: (callbacks: StreamsCallbacks) => void): Promise<unknown> {
    if (!live.streams || !live.linkUp) return Promise.reject(linkDown());
    return waitFor<unknown>(
      (resolve, reject) => {
        try {
          run({ success: resolve, failure: (err, data) => reject(streamsFailure(what, err, data)) });
        } catch (err) {
          reject(streamsFailure(what, err));
        }
      },
      signal,
      () => new CtiError("REQUEST_TIMEOUT", `Amazon Connect did not answer in time (${what}).`),
    );
  }

  /** Resolves with `find()`'s value once a snapshot (or a softphone error) makes it defined; rejects with what `find()` throws. */
  function until<T>(find: () => T | undefined, signal: AbortSignal, what: string): Promise<T> {
    return waitFor<T>(
      (resolve, reject) => {
        const waiter: Waiter = {
          check() {
            try {
              const value = find();
              if (value !== undefined) resolve(value);
            } catch (err) {
              reject(err);
            }
          },
          fail: reject,
        };
        waiter.check();
        waiters.add(waiter);
        return () => waiters.delete(waiter);
      },
      signal,
      () => new CtiError("REQUEST_TIMEOUT", `Amazon Connect did not show ${what} in time.`),
    );
  }

  const s = (): StreamsGlobal => {
    if (!live.streams) throw linkDown();
    return live.streams;
  };

  function contactData(contactId: string): ContactData {
    const contact = contacts.contact(contactId);
    if (!contact) throw new CtiError("INVALID_STATE", `Amazon Connect no longer lists contact ${contactId}.`);
    return contact;
  }

  function connectionId(contact: ContactData, kind: "agent" | "customer"): string {
    const conn = kind === "agent" ? agentConnection(contact) : customerConnection(contact);
    if (!conn) throw new CtiError("INVALID_STATE", `Contact ${contact.contactId} has no ${kind} connection.`);
    return conn.connectionId;
  }

  /** The connection a call-level request acts on: the customer's, or the consult leg's third party. */
  function remoteConnection(c: Call): { contactId: string; connectionId: string } {
    const t = contacts.target(c);
    if (t.connectionId) return { contactId: t.contactId, connectionId: t.connectionId };
    const contact = contactData(t.contactId);
    const far = farConnection(contact, contacts.memoryOf(t.contactId));
    if (!far) throw new CtiError("INVALID_STATE", `Contact ${contact.contactId} has no customer connection.`);
    return { contactId: t.contactId, connectionId: far.connectionId };
  }

  const onConnection = (what: string, act: "hold" | "resume") => async ({ call: c, signal }: { call: Call; signal: AbortSignal }) => {
    const { contactId, connectionId: id } = remoteConnection(c);
    await call(what, signal, (cb) => new (s().VoiceConnection)(contactId, id)[act](cb));
  };

  function destroy(what: string, contactId: string, id: string, signal: AbortSignal): Promise<unknown> {
    return call(what, signal, (cb) => new (s().VoiceConnection)(contactId, id).destroy(cb));
  }

  /** Agent leaves the contact (hang up, or complete a transfer). */
  async function leave(contactId: string, how: "local_hangup" | "transferred", signal: AbortSignal): Promise<void> {
    const m = contacts.memoryOf(contactId);
    const before = m.leaving;
    const agentConn = connectionId(contactData(contactId), "agent");
    m.leaving = how;
    m.dropped.add(agentConn);
    try {
      await destroy(how === "transferred" ? "complete the transfer" : "hang up", contactId, agentConn, signal);
    } catch (err) {
      if (before === undefined) delete m.leaving;
      else m.leaving = before;
      m.dropped.delete(agentConn);
      throw err;
    }
  }

  async function endpointFor(destination: string, signal: AbortSignal): Promise<StreamsEndpoint> {
    const st = s();
    if (PHONE.test(destination)) return st.Endpoint.byPhoneNumber(destination);
    // A named destination is a quick connect.
    const agent = new st.Agent();
    const list = await call("list quick connects", signal, (cb) => agent.getEndpoints(agent.getAllQueueARNs(), { success: (d) => cb.success?.(d), failure: (e) => cb.failure?.(e) }));
    const endpoints = isRecord(list) && Array.isArray(list.endpoints) ? (list.endpoints as unknown[]) : [];
    const match = endpoints.find((e) => isRecord(e) && e.name === destination);
    if (!isRecord(match)) throw new CtiError("INVALID_DESTINATION", `No phone number or quick connect named "${destination}" is available to this agent.`);
    return match;
  }

  /** Connect's agent state for a reason (by id), or the first one of a type. */
  function agentState(reason: AgentReason | undefined, kind?: string): AgentStateDef {
    const states = live.current?.agentStates ?? [];
    const found = reason ? states.find((x) => reasonId(x) === reason.id) : states.find((x) => x.type === kind);
    if (!found) throw new CtiError("INVALID_ARGUMENT", reason ? `Amazon Connect has no agent state "${reason.label}".` : `Amazon Connect lists no ${kind} agent state.`);
    return found;
  }

  async function putState(state: AgentStateDef, signal: AbortSignal, what: string): Promise<void> {
    const listed = live.current?.contacts ?? [];
    // While a contact is live (or in ACW) Connect queues the state until it ends (pendingState);
    // a missed or failed contact is not live: picking a state is how the agent leaves the error state.
    // Nor is a monitoring session in ACW: the connector clears it itself, and the desktop shows no wrap-up
    // that would ever apply a state queued behind it.
    const holds = (c: ContactData): boolean => VOICE_CONTACT_TYPES.has(c.type) && !OVER.has(c.state) && !isSessionInAcw(c, contacts.memoryOf(c.contactId));
    const enqueueNextState = listed.some(holds) && state.type !== "offline";
    // A session in ACW not known cleared (Connect refused the clear, or has not answered) keeps the supervisor
    // in AfterCallWork: clear it first. Its failure is not this request's: the MONITOR_NOT_CLEARED warning says it.
    for (const c of listed) {
      const memory = contacts.memoryOf(c.contactId);
      if (!isSessionInAcw(c, memory) || memory.clearing === "done") continue;
      try {
        await call("clear the ended monitoring session", signal, (cb) => new (s().Contact)(c.contactId).clear(cb));
        memory.clearing = "done";
      } catch (err) {
        if (signal.aborted || !live.linkUp) throw err;
      }
    }
    const plain = { agentStateARN: state.agentStateARN ?? null, type: state.type, name: state.name };
    await call(what, signal, (cb) => new (s().Agent)().setState(plain, cb, { enqueueNextState }));
  }

  function backend(what: string) {
    if (!options.backend) throw new CtiError("NOT_SUPPORTED", `Amazon Connect needs a backend (the connector's backend option) to ${what}.`);
    return options.backend;
  }

  /** Reports the current snapshot again (after the connector's own memory changed). */
  function reapply(): void {
    if (live.current && live.ctx) contacts.apply(live.current, live.muted, live.ctx, live.ctx);
  }

  /** Pause or resume the recording through the backend (Connect's Suspend/ResumeContactRecording), then report it. */
  async function setRecording(c: Call, to: "paused" | "active", signal: AbortSignal): Promise<void> {
    const api = backend(to === "paused" ? "pause the recording" : "resume the recording");
    const contactId = contacts.target(c).contactId;
    if (to === "paused") await api.suspendRecording({ contactId }, signal);
    else await api.resumeRecording({ contactId }, signal);
    contacts.memoryOf(contactId).recording = to;
    reapply();
  }

  /** Streams' MonitoringMode for a mode (Connect has no whisper). */
  const STREAMS_MODE = { monitor: "SILENT_MONITOR", barge: "BARGE" } as const;

  /**
   * Barge only where the session was granted it: mode changes happen in the CCP and never return to the
   * backend, so a session authorized listen-only must stay so. What this connector asked MonitorContact
   * for, else (a session it did not start) Connect's own record, Streams' monitorCapabilities.
   */
  const mayBarge = (contactId: string): boolean | undefined => (contacts.memoryOf(contactId).monitorCapabilities ?? monitorSessionOf(contactId)?.monitorCapabilities)?.includes("BARGE");

  const monitorSessionOf = (contactId: string) => {
    const contact = live.current?.contacts.find((x) => x.contactId === contactId);
    return contact && monitorSession(contact);
  };

  async function changeMode(contactId: string, mode: "monitor" | "barge", signal: AbortSignal): Promise<void> {
    if (mode === "barge" && !mayBarge(contactId)) throw new CtiError("NOT_SUPPORTED", "This monitoring session is listen-only: monitor again in barge mode.");
    await call("change the monitoring mode", signal, (cb) => new (s().Contact)(contactId).updateMonitorParticipantState(STREAMS_MODE[mode], cb));
    await until(
      () => {
        const own = monitorSessionOf(contactId);
        return own && monitorModeOf(own) === mode ? true : undefined;
      },
      signal,
      `the ${mode} mode`,
    );
  }

  const handlers: Requests["handlers"] = {
    async login({ initialState, signal }) {
      const current = live.current;
      if (!current) throw linkDown();
      if (current.state.type !== "offline") return;
      // A not-ready state unless the request names one; the first routable state when there is none.
      const reason = live.reasons.find((r) => r.state === (initialState ?? "not_ready"));
      await putState(reason ? agentState(reason) : agentState(undefined, "routable"), signal, "log the agent in");
      await until(() => (live.current && live.current.state.type !== "offline" ? true : undefined), signal, "the agent logged in");
    },
    async logout({ signal }) {
      await putState(agentState(undefined, "offline"), signal, "log the agent out");
    },
    async setAgentState({ reason, signal }) {
      await putState(agentState(reason), signal, `set the agent state to ${reason.label}`);
    },
    async dial({ destination, signal }) {
      const st = s();
      const before = new Set((live.current?.contacts ?? []).map((c) => c.contactId));
      const agent = new st.Agent();
      await call("place the call", signal, (cb) => agent.connect(st.Endpoint.byPhoneNumber(destination), { ...cb, ...(options.outboundQueueArn ? { queueARN: options.outboundQueueArn } : {}) }));
      // Only an outbound contact: a call routed to the agent at the same moment is new too.
      const callId = await until(() => live.current?.contacts.find((c) => VOICE_CONTACT_TYPES.has(c.type) && !before.has(c.contactId) && isOutboundContact(c))?.contactId, signal, "the new outbound contact");
      return { callId };
    },
    async answer({ call: c, signal }) {
      const contactId = contacts.target(c).contactId;
      const errorsBefore = live.softphoneErrors;
      await call("accept the call", signal, (cb) => new (s().Contact)(contactId).accept(cb));
      // Accepted, the softphone now connects the agent's audio: a softphone error before the contact leaves
      // connecting (a microphone the browser refuses) means the call cannot be answered.
      await until(
        () => {
          if (live.softphoneErrors > errorsBefore && live.softphoneError) throw softphoneFailure(live.softphoneError.type, live.softphoneError.message);
          const contact = live.current?.contacts.find((x) => x.contactId === contactId);
          return contact && isOffered(contact) ? undefined : true;
        },
        signal,
        "the call answered",
      );
    },
    async reject({ call: c, signal }) {
      const contactId = contacts.target(c).contactId;
      const m = contacts.memoryOf(contactId);
      m.rejected = true;
      try {
        await call("reject the call", signal, (cb) => new (s().Contact)(contactId).reject(cb));
      } catch (err) {
        delete m.rejected;
        throw err;
      }
    },
    async hangup({ call: c, signal }) {
      const t = contacts.target(c);
      const m = contacts.memoryOf(t.contactId);
      // A supervisor leaves a monitoring session: its own connection goes.
      if (c.direction === "monitor") return leave(t.contactId, "local_hangup", signal);
      if (t.connectionId) {
        m.dropped.add(t.connectionId);
        await destroy("hang up the consult call", t.contactId, t.connectionId, signal);
        return;
      }
      const contact = contactData(t.contactId);
      if (isConsulting(contact, m)) {
        // The agent stays on the consult leg: drop the customer only.
        const customer = connectionId(contact, "customer");
        m.dropped.add(customer);
        await destroy("hang up", t.contactId, customer, signal);
      } else await leave(t.contactId, "local_hangup", signal);
    },
    hold: onConnection("hold the call", "hold"),
    resume: onConnection("resume the call", "resume"),
    async mute({ signal }) {
      new (s().Agent)().mute();
      await until(() => (live.muted ? true : undefined), signal, "the microphone muted");
    },
    async unmute({ signal }) {
      new (s().Agent)().unmute();
      await until(() => (!live.muted ? true : undefined), signal, "the microphone unmuted");
    },
    async sendDtmf({ call: c, digits, signal }) {
      const { contactId, connectionId: id } = remoteConnection(c);
      await call("send the digits", signal, (cb) => new (s().VoiceConnection)(contactId, id).sendDigits(digits, cb));
    },
    async blindTransfer({ call: c, destination, signal }) {
      const contactId = contacts.target(c).contactId;
      const endpoint = await endpointFor(destination, signal);
      const m = contacts.memoryOf(contactId);
      m.blindTransfer = true;
      try {
        await call("transfer the call", signal, (cb) => new (s().Contact)(contactId).addConnection(endpoint, cb));
      } catch (err) {
        delete m.blindTransfer;
        throw err;
      }
      await leave(contactId, "transferred", signal);
    },
    async consult({ call: c, destination, signal }) {
      const contactId = contacts.target(c).contactId;
      const endpoint = await endpointFor(destination, signal);
      const before = new Set(contactData(contactId).connections.map((x) => x.connectionId));
      await call("start the consult call", signal, (cb) => new (s().Contact)(contactId).addConnection(endpoint, cb));
      const connection = await until(() => newThirdParty(live.current?.contacts.find((x) => x.contactId === contactId), before), signal, "the consult connection");
      return { callId: legId(contactId, connection) };
    },
    async completeTransfer({ call: c, consultCall, signal }) {
      const primary = c.relatedCallId ? consultCall : c;
      await leave(contacts.target(primary).contactId, "transferred", signal);
    },
    async conference({ call: c, consultCall, signal }) {
      const t = contacts.target(c.relatedCallId ? c : consultCall);
      await call("merge the calls", signal, (cb) => new (s().Contact)(t.contactId).conferenceConnections(cb));
      // The next snapshot shows the merged legs; until then nothing changes.
      if (t.connectionId) contacts.memoryOf(t.contactId).merged.add(t.connectionId);
    },
    async swap({ call: c, signal }) {
      await call("swap the calls", signal, (cb) => new (s().Contact)(contacts.target(c).contactId).toggleActiveConnections(cb));
    },
    async dropParty({ call: c, party, signal }) {
      const contactId = contacts.target(c).contactId;
      contacts.memoryOf(contactId).dropped.add(party.id);
      await destroy("drop the party", contactId, party.id, signal);
    },
    pauseRecording: ({ call: c, signal }) => setRecording(c, "paused", signal),
    resumeRecording: ({ call: c, signal }) => setRecording(c, "active", signal),
    async monitor({ target, mode, signal }) {
      if (mode === "whisper") throw new CtiError("NOT_SUPPORTED", "Amazon Connect has no whisper (coaching) mode.");
      const api = backend("monitor a contact");
      if (!live.streams || !live.linkUp) throw linkDown();
      const before = new Set((live.current?.contacts ?? []).map((x) => x.contactId));
      // Only what this session needs (barge only to barge, unless monitorAllowsBarge): the backend authorizes exactly that,
      // and mode changes later happen in the CCP (Streams' updateMonitorParticipantState) without it.
      const capabilities: MonitorCapability[] = mode === "barge" || options.monitorAllowsBarge === true ? ["SILENT_MONITOR", "BARGE"] : ["SILENT_MONITOR"];
      const { contactId } = await api.monitor({ contactId: target, capabilities }, signal);
      // The supervisor's CCP shows the monitoring contact: MonitorContact's id, or a new monitoring contact.
      const callId = await until(() => live.current?.contacts.find((x) => monitorSession(x) && (x.contactId === contactId || !before.has(x.contactId)))?.contactId, signal, "the monitoring contact");
      contacts.memoryOf(callId).monitorCapabilities = capabilities;
      if (mode === "barge") await changeMode(callId, "barge", signal);
      return { callId };
    },
    async setMonitorMode({ call: c, mode, signal }) {
      if (mode === "whisper") throw new CtiError("NOT_SUPPORTED", "Amazon Connect has no whisper (coaching) mode.");
      await changeMode(contacts.target(c).contactId, mode, signal);
    },
    async completeWrapUp({ call: c, wrapUp, signal }) {
      const contactId = contacts.target(c).contactId;
      if (wrapUp.disposition !== undefined || wrapUp.notes !== undefined) live.ctx?.upsertCall({ id: c.id, state: "wrapup", wrapUp });
      await call("finish after-call work", signal, (cb) => new (s().Contact)(contactId).clear(cb));
    },
  };

  function clearEndedSessions(): void {
    const ctx = live.ctx;
    const st = live.streams;
    if (!ctx || !st || !live.current) return;
    for (const contact of live.current.contacts) {
      const memory = contacts.memoryOf(contact.contactId);
      if (!isSessionInAcw(contact, memory) || memory.clearing) continue;
      memory.clearing = "asked";
      const warn = (err: unknown, data?: unknown): void => {
        memory.clearing = "failed";
        ctx.signal({ kind: "warning", code: "MONITOR_NOT_CLEARED", message: `${streamsFailure(`clear the ended monitoring session ${contact.contactId}`, err, data).message}: pick a state to retry.` });
      };
      try {
        new st.Contact(contact.contactId).clear({
          success: () => {
            memory.clearing = "done";
          },
          failure: warn,
        });
      } catch (err) {
        warn(err);
      }
    }
  }

  return {
    handlers,
    clearEndedSessions,
    check: () => {
      for (const w of [...waiters]) w.check();
    },
    cancel: (error) => {
      for (const w of [...waiters]) w.fail(error);
      waiters.clear();
    },
  };
}
