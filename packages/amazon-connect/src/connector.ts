/**
 * The Amazon Connect connector: embeds the CCP through the real
 * amazon-connect-streams library and reports what every agent snapshot says.
 * Level-triggered: each `agent::refresh` is read whole and reported; core
 * turns the differences into events, so duplicate snapshots cost nothing.
 */
import { CtiError, type AgentReason, type Call, type CallReport, type Capability, type Connector, type ConnectorContext, type EndReason } from "@opencti/core";
import { streamsFailure } from "./errors.js";
import { legId, mapVoiceContact, newMemory, reasonId, reasonsFrom, toAgentReport, type ContactMemory } from "./mapping.js";
import { BadVendorData, readAgentData, type AgentData, type AgentStateDef, type ContactData } from "./snapshot.js";
import { loadStreams, STREAMS_EVENTS, type StreamsCallbacks, type StreamsEndpoint, type StreamsGlobal, type StreamsInitParams, type StreamsSubscription } from "./streams.js";

export const AMAZON_CONNECT_CAPABILITIES: readonly Capability[] = [
  "agentState",
  "dial",
  "answer",
  "reject",
  "hangup",
  "hold",
  "mute",
  "dtmf",
  "blindTransfer",
  "consult",
  "completeTransfer",
  "conference",
  "swap",
  "dropParty",
  "wrapUp",
];

export interface AmazonConnectConnectorOptions {
  /** The instance's CCP, e.g. https://example.my.connect.aws/ccp-v2/ */
  ccpUrl: string;
  /** The element the CCP iframe goes into (it may be hidden). */
  container: HTMLElement;
  region?: string;
  /** Open Connect's login window when the agent is not signed in (Streams' default: true). */
  loginPopup?: boolean | { autoClose?: boolean; height?: number; width?: number; top?: number; left?: number };
  loginUrl?: string;
  /**
   * Softphone: the CCP iframe hosts WebRTC (allowFramedSoftphone, default true); `false` leaves media to
   * this page, which then needs its own softphone manager (connect.core.initSoftphoneManager + connect-rtc-js).
   */
  softphone?: { allowFramedSoftphone?: boolean; disableRingtone?: boolean; ringtoneUrl?: string };
  /** How long the CCP may take to load before the link is reported down, ms (default 5000). */
  ccpLoadTimeoutMs?: number;
  /** Keepalive acknowledge timeout, ms (Streams' default 3000). */
  ccpAckTimeoutMs?: number;
  /** Contact attributes that become call data; every attribute when omitted. */
  callDataAttributes?: readonly string[];
  /** Outbound caller-id queue for dial(); the routing profile's default when omitted. */
  outboundQueueArn?: string;
  /** Declare fewer capabilities. */
  capabilities?: readonly Capability[];
  name?: string;
  /** A Streams `connect` namespace already loaded (a JSDOM window, a <script> tag); imported otherwise. */
  streams?: StreamsGlobal;
  /** Load Streams from this URL as a classic script instead of importing it (recommended under a strict CSP). */
  streamsScriptUrl?: string;
}

interface Waiter {
  check(): boolean;
  fail(error: CtiError): void;
}

interface Reported {
  readonly contactId: string;
  readonly connectionId?: string;
}

const PHONE = /^\+?[0-9][0-9\s().-]*$/;

export function createAmazonConnectConnector(options: AmazonConnectConnectorOptions): Connector {
  const loadTimeoutMs = options.ccpLoadTimeoutMs ?? 5000;
  const loginPopup = options.loginPopup ?? true;
  let streams: StreamsGlobal | undefined;
  let ctx: ConnectorContext | undefined;
  let stopped = false;
  let linkUp = false;
  let loadTimer: ReturnType<typeof setTimeout> | undefined;
  /** Watches Streams' keepalive (SYNCHRONIZE → ACKNOWLEDGE about every second) while the link is up. */
  let watchdog: ReturnType<typeof setInterval> | undefined;
  let lastAck = 0;
  let lostBy: "keepalive" | "websocket" | undefined;
  const keepaliveTimeoutMs = (options.ccpAckTimeoutMs ?? 3000) + 2000;
  let subscriptions: StreamsSubscription[] = [];
  let createdFrames: Element[] = [];

  let current: AgentData | undefined;
  let lastTimestamp = -Infinity;
  let reasons: AgentReason[] = [];
  let reasonsKey = "";
  let muted = false;
  const memory = new Map<string, ContactMemory>();
  /** Calls reported live, by call id. */
  const reported = new Map<string, Reported>();
  /** Calls reported ended (id → contactId): never reported again while their contact is listed. */
  const ended = new Map<string, string>();
  const warned = new Set<string>();
  const waiters = new Set<Waiter>();
  /** The last readable version of each contact: requests act on it even after a malformed snapshot. */
  const known = new Map<string, ContactData>();

  const log = () => ctx?.logger;

  function memoryOf(contactId: string): ContactMemory {
    let m = memory.get(contactId);
    if (!m) memory.set(contactId, (m = newMemory()));
    return m;
  }

  function report(r: CallReport, where: Reported): void {
    if (ended.has(r.id)) return;
    if (r.state === "ended") {
      ended.set(r.id, where.contactId);
      reported.delete(r.id);
    } else reported.set(r.id, where);
    ctx?.upsertCall(r);
  }

  function remove(id: string, reason: EndReason | undefined): void {
    if (ended.has(id)) return;
    ended.set(id, reported.get(id)?.contactId ?? id);
    reported.delete(id);
    ctx?.removeCall(id, reason);
  }

  /** How a call that vanished from the snapshot ended. */
  function missingReason(id: string, where: Reported): EndReason | undefined {
    const m = memory.get(where.contactId);
    if (where.connectionId !== undefined) {
      if (m?.merged.has(where.connectionId)) return "merged";
      if (m?.leaving === "transferred") return "transferred";
      if (m?.dropped.has(where.connectionId) || m?.leaving === "local_hangup") return "local_hangup";
      return "remote_hangup";
    }
    const state = ctx?.getCall(id)?.state;
    if (state === "ringing") return "abandoned";
    if (state === "wrapup") return undefined; // keeps the reason it ended with
    return m?.leaving ?? "remote_hangup";
  }

  function applyContacts(data: AgentData): void {
    const c = ctx!;
    const seen = new Set<string>();
    const keep = (contactId: string) => {
      for (const [id, where] of reported) if (where.contactId === contactId) seen.add(id);
    };
    for (const contact of data.contacts) {
      if (contact.type !== "voice") {
        if (!warned.has(contact.contactId)) {
          warned.add(contact.contactId);
          c.signal({ kind: "warning", code: "UNSUPPORTED_CONTACT", message: `Ignored a ${contact.type} contact: this desktop handles voice calls only. Handle it in the CCP.` });
        }
        continue;
      }
      try {
        const mapped = mapVoiceContact(contact, memoryOf(contact.contactId), { muted, attributes: options.callDataAttributes });
        known.set(contact.contactId, contact);
        report(mapped.call, { contactId: contact.contactId });
        seen.add(mapped.call.id);
        for (const leg of mapped.legs) {
          const connectionId = leg.id.slice(contact.contactId.length + 1);
          report(leg, { contactId: contact.contactId, connectionId });
          seen.add(leg.id);
        }
      } catch (err) {
        if (!(err instanceof BadVendorData)) throw err;
        keep(contact.contactId);
        c.invalidVendorEvent(`Amazon Connect sent a contact the connector cannot read: ${err.message}`, contact, contact.contactId);
      }
    }
    let unknownBad = false;
    for (const bad of data.badContacts) {
      if (bad.contactId) keep(bad.contactId);
      else unknownBad = true;
      c.invalidVendorEvent(`Amazon Connect sent a contact the connector cannot read: ${bad.problem}`, bad.raw);
    }
    // An unreadable contact without an id could be any call: end nothing on this snapshot's word.
    if (unknownBad) return;
    for (const [id, where] of [...reported]) if (!seen.has(id)) remove(id, missingReason(id, where));
    const present = new Set([...data.contacts.map((x) => x.contactId), ...data.badContacts.flatMap((b) => (b.contactId ? [b.contactId] : []))]);
    for (const contactId of [...memory.keys()]) if (!present.has(contactId) && ![...reported.values()].some((r) => r.contactId === contactId)) memory.delete(contactId);
    // Late snapshots are dropped, so a contact gone from a current one does not come back: forget it.
    for (const [id, contactId] of [...ended]) if (!present.has(contactId)) ended.delete(id);
    for (const contactId of [...warned]) if (!present.has(contactId)) warned.delete(contactId);
    for (const contactId of [...known.keys()]) if (!present.has(contactId)) known.delete(contactId);
  }

  function onAgentData(raw: unknown): void {
    const c = ctx;
    if (!c || stopped) return;
    let data: AgentData;
    try {
      data = readAgentData(raw);
    } catch (err) {
      c.invalidVendorEvent(`Amazon Connect sent an agent snapshot the connector cannot read: ${err instanceof Error ? err.message : String(err)}`, raw);
      return;
    }
    // A snapshot older than the one applied is late: applying it would roll state back.
    // (A snapshot without a timestamp cannot be ordered and is taken as current.)
    if (data.timestamp > 0 && data.timestamp < lastTimestamp) return;
    if (data.timestamp > 0) lastTimestamp = data.timestamp;
    current = data;
    const newReasons = reasonsFrom(data.agentStates);
    const key = JSON.stringify(newReasons);
    if (key !== reasonsKey) {
      reasonsKey = key;
      reasons = newReasons;
      c.setReasons(reasons);
    }
    // Calls first: a screen pop (call.ringing) should not wait behind the agent's "busy".
    applyContacts(data);
    try {
      c.setAgent(toAgentReport(data, reasons));
    } catch (err) {
      c.invalidVendorEvent(`Amazon Connect sent an agent state the connector cannot read: ${err instanceof Error ? err.message : String(err)}`, raw);
    }
    if (!linkUp) {
      linkUp = true;
      lostBy = undefined;
      clearTimeout(loadTimer);
      lastAck = Date.now();
      clearInterval(watchdog);
      watchdog = setInterval(checkKeepalive, 500);
      c.setLink("connected");
    }
    for (const w of [...waiters]) if (w.check()) waiters.delete(w);
  }

  function refresh(): void {
    try {
      onAgentData(streams?.core.getAgentDataProvider()?.getAgentData());
    } catch (err) {
      ctx?.invalidVendorEvent(`Amazon Connect agent data is unavailable: ${err instanceof Error ? err.message : String(err)}`, null);
    }
  }

  /** The CCP iframe stopped acknowledging: it is gone or frozen, whatever the last snapshot said. */
  function checkKeepalive(): void {
    if (linkUp && Date.now() - lastAck > keepaliveTimeoutMs) {
      linkLost("reconnecting", "the CCP stopped answering");
      lostBy = "keepalive";
    }
  }

  function linkLost(state: "reconnecting" | "disconnected", reason: string, error?: CtiError): void {
    clearTimeout(loadTimer);
    clearInterval(watchdog);
    lostBy = undefined;
    linkUp = false;
    ctx?.setLink(state, reason);
    if (error) ctx?.signal({ kind: "error", code: error.code, message: error.message });
  }

  function onLoadTimeout(): void {
    if (linkUp || stopped) return;
    if (!streams) {
      const where = options.streamsScriptUrl ? ` from ${options.streamsScriptUrl}` : "";
      linkLost("disconnected", "Streams did not load", new CtiError("LINK_DOWN", `The amazon-connect-streams library did not load${where} within ${loadTimeoutMs} ms.`));
    } else if (loginPopup) {
      const message = `Amazon Connect needs the agent to sign in: the CCP did not load within ${loadTimeoutMs} ms. Complete the login in Amazon Connect's window; the desktop connects when the CCP loads.`;
      linkLost("disconnected", "sign-in needed", new CtiError("AUTH_FAILED", message));
    } else {
      const message = `The Amazon Connect CCP at ${options.ccpUrl} did not load within ${loadTimeoutMs} ms. Check the CCP URL, that the agent is signed in, and that this page's origin is approved for the instance.`;
      linkLost("disconnected", "CCP did not load", new CtiError("LINK_DOWN", message));
    }
  }

  function initParams(): StreamsInitParams {
    const popup = options.loginPopup;
    return {
      ccpUrl: options.ccpUrl,
      ...(options.region ? { region: options.region } : {}),
      loginPopup: loginPopup !== false,
      ...(typeof popup === "object" ? { loginOptions: popup, loginPopupAutoClose: popup.autoClose ?? true } : {}),
      ...(options.loginUrl ? { loginUrl: options.loginUrl } : {}),
      // Without allowFramedSoftphone an embedded CCP takes no softphone calls: they stay "connecting" and are missed.
      softphone: { allowFramedSoftphone: true, disableRingtone: false, ...options.softphone },
      ccpLoadTimeout: loadTimeoutMs,
      ...(options.ccpAckTimeoutMs ? { ccpAckTimeout: options.ccpAckTimeoutMs } : {}),
    };
  }

  function subscribe(s: StreamsGlobal): void {
    const bus = s.core.getEventBus();
    if (!bus) throw new Error("Streams has no event bus after initCCP");
    const on = (event: string, handler: (data: unknown) => void) =>
      subscriptions.push(
        bus.subscribe(event, (data) => {
          // Never throw into Streams' dispatch.
          try {
            if (!stopped) handler(data);
          } catch (err) {
            log()?.error("amazon-connect: handler failed", { event, error: err instanceof Error ? err.message : String(err) });
          }
        }),
      );
    on(STREAMS_EVENTS.refresh, refresh);
    on(STREAMS_EVENTS.muteToggle, (data) => {
      const next = typeof data === "object" && data !== null && (data as { muted?: unknown }).muted === true;
      if (typeof data !== "object" || data === null || typeof (data as { muted?: unknown }).muted !== "boolean") {
        ctx?.invalidVendorEvent("Amazon Connect sent a mute toggle without a muted flag", data);
        return;
      }
      muted = next;
      if (current) applyContacts(current);
      for (const w of [...waiters]) if (w.check()) waiters.delete(w);
    });
    on(STREAMS_EVENTS.websocketLost, () => {
      linkLost("reconnecting", "Amazon Connect lost its WebSocket connection");
      lostBy = "websocket";
    });
    on(STREAMS_EVENTS.websocketGained, refresh);
    on(STREAMS_EVENTS.ackTimeout, () => {
      if (!linkUp) return;
      linkLost("reconnecting", "the CCP stopped answering");
      lostBy = "keepalive";
    });
    on(STREAMS_EVENTS.acknowledge, () => {
      lastAck = Date.now();
      // The CCP answers again: Streams' data is current, report it.
      if (lostBy === "keepalive") refresh();
    });
    on(STREAMS_EVENTS.authFail, () => linkLost("disconnected", "authentication failed", new CtiError("AUTH_FAILED", "Amazon Connect rejected the agent's session: sign in to Amazon Connect again.")));
    on(STREAMS_EVENTS.accessDenied, () => linkLost("disconnected", "access denied", new CtiError("AUTH_FAILED", "Amazon Connect denied access to the CCP for this agent.")));
    on(STREAMS_EVENTS.iframeRetriesExhausted, () => linkLost("disconnected", "CCP failed to load", new CtiError("LINK_DOWN", `The Amazon Connect CCP at ${options.ccpUrl} failed to load after several retries.`)));
  }

  // ---- requests ----

  function linkDown(): CtiError {
    return new CtiError("LINK_DOWN", "The Amazon Connect CCP is not connected.");
  }

  /** Runs one Streams API call; settles on its success/failure callback. */
  function vendorCall(what: string, signal: AbortSignal, run: (callbacks: StreamsCallbacks) => void): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (!streams || !linkUp) return reject(linkDown());
      let done = false;
      const finish = () => {
        done = true;
        signal.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        if (done) return;
        finish();
        reject(new CtiError("REQUEST_TIMEOUT", `Amazon Connect did not answer in time (${what}).`));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        run({
          success: (data) => {
            if (done) return;
            finish();
            resolve(data);
          },
          failure: (err, data) => {
            if (done) return;
            finish();
            reject(streamsFailure(what, err, data));
          },
        });
      } catch (err) {
        finish();
        reject(streamsFailure(what, err));
      }
    });
  }

  /** Resolves with `find()`'s value once a snapshot makes it defined. */
  function waitFor<T>(find: () => T | undefined, signal: AbortSignal, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const now = find();
      if (now !== undefined) return resolve(now);
      const waiter: Waiter = {
        check() {
          const value = find();
          if (value === undefined) return false;
          signal.removeEventListener("abort", onAbort);
          resolve(value);
          return true;
        },
        fail(error) {
          signal.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      const onAbort = () => {
        waiters.delete(waiter);
        reject(new CtiError("REQUEST_TIMEOUT", `Amazon Connect did not show ${what} in time.`));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      waiters.add(waiter);
    });
  }

  const s = (): StreamsGlobal => {
    if (!streams) throw linkDown();
    return streams;
  };

  function contactData(contactId: string): ContactData {
    const contact = known.get(contactId);
    if (!contact) throw new CtiError("INVALID_STATE", `Amazon Connect no longer lists contact ${contactId}.`);
    return contact;
  }

  /** The contact and, for a consult leg, its connection id. */
  function target(call: Call): { contactId: string; connectionId?: string } {
    const where = reported.get(call.id);
    return where ?? { contactId: call.vendorCallId };
  }

  function connectionId(contact: ContactData, kind: "agent" | "customer"): string {
    const conn = contact.connections.find((c) => (kind === "agent" ? c.type === "agent" : c.initial && c.type !== "agent"));
    if (!conn) throw new CtiError("INVALID_STATE", `Contact ${contact.contactId} has no ${kind} connection.`);
    return conn.connectionId;
  }

  /** The connection a call-level request acts on: the customer's, or the consult leg's third party. */
  function remoteConnection(call: Call): { contactId: string; connectionId: string } {
    const t = target(call);
    if (t.connectionId) return { contactId: t.contactId, connectionId: t.connectionId };
    return { contactId: t.contactId, connectionId: connectionId(contactData(t.contactId), "customer") };
  }

  const onConnection = (what: string, act: "hold" | "resume") => async ({ call, signal }: { call: Call; signal: AbortSignal }) => {
    const { contactId, connectionId: id } = remoteConnection(call);
    await vendorCall(what, signal, (cb) => new (s().VoiceConnection)(contactId, id)[act](cb));
  };

  function destroy(what: string, contactId: string, id: string, signal: AbortSignal): Promise<unknown> {
    return vendorCall(what, signal, (cb) => new (s().VoiceConnection)(contactId, id).destroy(cb));
  }

  /** Agent leaves the contact (hang up, or complete a transfer). */
  async function leave(contactId: string, how: "local_hangup" | "transferred", signal: AbortSignal): Promise<void> {
    const m = memoryOf(contactId);
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
    const list = await vendorCall("list quick connects", signal, (cb) => agent.getEndpoints(agent.getAllQueueARNs(), { success: (d) => cb.success?.(d), failure: (e) => cb.failure?.(e) }));
    const endpoints = typeof list === "object" && list !== null && Array.isArray((list as { endpoints?: unknown }).endpoints) ? (list as { endpoints: unknown[] }).endpoints : [];
    const match = endpoints.find((e) => typeof e === "object" && e !== null && (e as { name?: unknown }).name === destination);
    if (!match) throw new CtiError("INVALID_DESTINATION", `No phone number or quick connect named "${destination}" is available to this agent.`);
    return match;
  }

  function agentState(reason: AgentReason | undefined, kind?: string): AgentStateDef {
    const states = current?.agentStates ?? [];
    const found = reason ? states.find((x) => reasonId(x) === reason.id) : states.find((x) => x.type === kind);
    if (!found) throw new CtiError("INVALID_ARGUMENT", reason ? `Amazon Connect has no agent state "${reason.label}".` : `Amazon Connect lists no ${kind} agent state.`);
    return found;
  }

  async function putState(state: AgentStateDef, signal: AbortSignal, what: string): Promise<void> {
    // While a contact is live Connect queues the state until it ends (pendingState).
    const enqueueNextState = (current?.contacts.some((c) => c.type === "voice") ?? false) && state.type !== "offline";
    const plain = { agentStateARN: state.agentStateARN ?? null, type: state.type, name: state.name };
    await vendorCall(what, signal, (cb) => new (s().Agent)().setState(plain, cb, { enqueueNextState }));
  }

  const connector: Connector = {
    name: options.name ?? "amazon-connect",
    capabilities: options.capabilities ?? AMAZON_CONNECT_CAPABILITIES,
    reasons: [],
    async start(context) {
      ctx = context;
      stopped = false;
      context.setLink("connecting");
      // Bounded from the start: a Streams script that never arrives counts too.
      loadTimer = setTimeout(onLoadTimeout, loadTimeoutMs);
      try {
        streams = options.streams ?? (await loadStreams(options.streamsScriptUrl));
        if (stopped) return;
        const before = new Set(Array.from(options.container.children));
        subscriptions = [];
        streams.core.initCCP(options.container, initParams());
        createdFrames = Array.from(options.container.children).filter((e) => !before.has(e));
        subscribe(streams);
        // Streams may already hold agent data (a page that initialised it earlier).
        if (streams.core.initialized) refresh();
      } catch (err) {
        linkLost("disconnected", "Streams failed to start", new CtiError("LINK_DOWN", `Amazon Connect Streams failed to start: ${err instanceof Error ? err.message : String(err)}`));
      }
    },
    stop() {
      stopped = true;
      linkUp = false;
      clearTimeout(loadTimer);
      clearInterval(watchdog);
      for (const sub of subscriptions) {
        try {
          sub.unsubscribe();
        } catch {
          // already gone
        }
      }
      subscriptions = [];
      for (const w of [...waiters]) w.fail(new CtiError("LINK_DOWN", "The connector was stopped."));
      waiters.clear();
      try {
        streams?.core.terminate();
      } catch {
        // Streams may not have finished initialising.
      }
      for (const frame of createdFrames) frame.remove();
      createdFrames = [];
    },
    async login({ initialState, signal }) {
      if (!current) throw linkDown();
      if (current.state.type !== "offline") return;
      const reason = initialState ? reasons.find((r) => r.state === initialState) : reasons.find((r) => r.state === "not_ready");
      await putState(reason ? agentState(reason) : agentState(undefined, "routable"), signal, "log the agent in");
      await waitFor(() => (current && current.state.type !== "offline" ? true : undefined), signal, "the agent logged in");
    },
    async logout({ signal }) {
      await putState(agentState(undefined, "offline"), signal, "log the agent out");
    },
    async setAgentState({ reason, signal }) {
      await putState(agentState(reason), signal, `set the agent state to ${reason.label}`);
    },
    async dial({ destination, signal }) {
      const st = s();
      const before = new Set((current?.contacts ?? []).map((c) => c.contactId));
      const agent = new st.Agent();
      await vendorCall("place the call", signal, (cb) => agent.connect(st.Endpoint.byPhoneNumber(destination), { ...cb, ...(options.outboundQueueArn ? { queueARN: options.outboundQueueArn } : {}) }));
      // Only an outbound contact: a call routed to the agent at the same moment is new too.
      const isOutbound = (c: ContactData): boolean => c.initiationMethod === "outbound" || c.connections.some((x) => x.initial && x.type === "outbound");
      const callId = await waitFor(() => current?.contacts.find((c) => c.type === "voice" && !before.has(c.contactId) && isOutbound(c))?.contactId, signal, "the new outbound contact");
      return { callId };
    },
    async answer({ call, signal }) {
      await vendorCall("accept the call", signal, (cb) => new (s().Contact)(target(call).contactId).accept(cb));
    },
    async reject({ call, signal }) {
      await vendorCall("reject the call", signal, (cb) => new (s().Contact)(target(call).contactId).reject(cb));
    },
    async hangup({ call, signal }) {
      const t = target(call);
      const m = memoryOf(t.contactId);
      if (t.connectionId) {
        m.dropped.add(t.connectionId);
        await destroy("hang up the consult call", t.contactId, t.connectionId, signal);
        return;
      }
      const contact = contactData(t.contactId);
      const consulting = contact.connections.some((c) => c.type !== "agent" && !c.initial && c.state !== "disconnected" && !m.merged.has(c.connectionId));
      if (consulting) {
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
      await waitFor(() => (muted ? true : undefined), signal, "the microphone muted");
    },
    async unmute({ signal }) {
      new (s().Agent)().unmute();
      await waitFor(() => (!muted ? true : undefined), signal, "the microphone unmuted");
    },
    async sendDtmf({ call, digits, signal }) {
      const { contactId, connectionId: id } = remoteConnection(call);
      await vendorCall("send the digits", signal, (cb) => new (s().VoiceConnection)(contactId, id).sendDigits(digits, cb));
    },
    async blindTransfer({ call, destination, signal }) {
      const contactId = target(call).contactId;
      const endpoint = await endpointFor(destination, signal);
      const m = memoryOf(contactId);
      m.blindTransfer = true;
      try {
        await vendorCall("transfer the call", signal, (cb) => new (s().Contact)(contactId).addConnection(endpoint, cb));
      } catch (err) {
        delete m.blindTransfer;
        throw err;
      }
      await leave(contactId, "transferred", signal);
    },
    async consult({ call, destination, signal }) {
      const contactId = target(call).contactId;
      const endpoint = await endpointFor(destination, signal);
      const before = new Set(contactData(contactId).connections.map((c) => c.connectionId));
      await vendorCall("start the consult call", signal, (cb) => new (s().Contact)(contactId).addConnection(endpoint, cb));
      const connection = await waitFor(
        () => current?.contacts.find((c) => c.contactId === contactId)?.connections.find((c) => c.type !== "agent" && !c.initial && !before.has(c.connectionId))?.connectionId,
        signal,
        "the consult connection",
      );
      return { callId: legId(contactId, connection) };
    },
    async completeTransfer({ call, consultCall, signal }) {
      const primary = call.relatedCallId ? consultCall : call;
      await leave(target(primary).contactId, "transferred", signal);
    },
    async conference({ call, consultCall, signal }) {
      const leg = call.relatedCallId ? call : consultCall;
      const t = target(leg);
      await vendorCall("merge the calls", signal, (cb) => new (s().Contact)(t.contactId).conferenceConnections(cb));
      // The next snapshot shows the merged legs; until then nothing changes.
      if (t.connectionId) memoryOf(t.contactId).merged.add(t.connectionId);
    },
    async swap({ call, signal }) {
      await vendorCall("swap the calls", signal, (cb) => new (s().Contact)(target(call).contactId).toggleActiveConnections(cb));
    },
    async dropParty({ call, party, signal }) {
      const contactId = target(call).contactId;
      memoryOf(contactId).dropped.add(party.id);
      await destroy("drop the party", contactId, party.id, signal);
    },
    async completeWrapUp({ call, wrapUp, signal }) {
      const contactId = target(call).contactId;
      if (wrapUp.disposition !== undefined || wrapUp.notes !== undefined) ctx?.upsertCall({ id: call.id, state: "wrapup", wrapUp });
      await vendorCall("finish after-call work", signal, (cb) => new (s().Contact)(contactId).clear(cb));
    },
  };
  return connector;
}
