/**
 * A fake Amazon Connect CCP at the postMessage boundary: what the CCP iframe
 * (and its SharedWorker) would say to amazon-connect-streams. A small state
 * machine answers each `api_request` with an `api_response` and pushes the
 * next `agent::update` snapshot in the real CCP's shape, so the unmodified
 * Streams library runs its real path (initCCP → conduit → event bus → agent
 * data provider → API client) against it. No AWS account needed.
 *
 * Self-contained (no imports) so the same code runs in Node/JSDOM tests and
 * inside a page served as the ccpUrl in a browser.
 */

export interface CcpMessage {
  readonly event: string;
  readonly data?: unknown;
}

/** How the fake CCP talks to Streams: send upstream, receive what Streams posts to the iframe. */
export interface FakeCcpPort {
  send(message: CcpMessage): void;
  listen(handler: (message: unknown) => void): () => void;
}

export interface FakeAgentState {
  readonly agentStateARN: string;
  readonly type: "routable" | "not_routable" | "offline";
  readonly name: string;
}

export interface QuickConnect {
  readonly name: string;
  /** A phone_number quick connect's number (agents and queues have none). */
  readonly phoneNumber?: string;
  readonly type?: "phone_number" | "agent" | "queue";
}

export interface FakeCcpOptions {
  /** Instance ARN used for every ARN in the snapshots. */
  instanceArn?: string;
  agentName?: string;
  username?: string;
  /** Selectable states; default Available, Lunch, Training, Offline. */
  agentStates?: readonly FakeAgentState[];
  /** The state the agent is in when the CCP loads; default "Offline". */
  initialState?: string;
  quickConnects?: readonly QuickConnect[];
  /** Never acknowledge: the CCP "does not load" (a login page, a wrong URL). */
  silent?: boolean;
  /** Delay every upstream message by this many ms (order kept), like a real CCP's round trips. */
  latencyMs?: number;
  /**
   * Numbers whose outbound calls fail as Connect reports it: the contact goes to `error` with the agent
   * in this error state (FailedConnectCustomer is then cleared by the CCP itself, as the CCP does).
   */
  outboundFailures?: Readonly<Record<string, OutboundFailure>>;
  /** The browser refuses the microphone: the softphone reports `microphone_not_shared` and never connects a call. */
  microphone?: "denied";
  /** Connect refuses the agent's credentials: the CCP loads, then every request fails and it reports `auth_fail`. */
  credentials?: "bad";
  /**
   * The media devices the CCP's own `navigator.mediaDevices.enumerateDevices()` lists (ids as the CCP's
   * origin sees them), sent in answer to Streams' `media_device_request`. Default: in a browser page the
   * page's real list (what the real CCP does), elsewhere none. Change it with `setMediaDevices`.
   */
  mediaDevices?: readonly FakeMediaDevice[];
  /**
   * The agent's phone type (`configuration.softphoneEnabled`). Default true. `false`: a desk phone agent,
   * whose CCP creates no SoftphoneManager nor ringtone engine: no call media stream, and no device choice
   * is applied or confirmed.
   */
  softphoneEnabled?: boolean;
}

/** A device as the CCP sends it to Streams: `MediaDeviceInfo.toJSON()`. */
export interface FakeMediaDevice {
  readonly deviceId: string;
  readonly kind: "audioinput" | "audiooutput" | "videoinput";
  readonly label: string;
  readonly groupId: string;
}

/**
 * The audio devices the CCP applied, each as the `data` of the CCP's own broadcast
 * (`configuration::speaker_device_changed`, `…microphone…`, `…ringer…`: `{ deviceId }`).
 * `microphone` is the live softphone call's (none without a call: the CCP drops a microphone
 * choice made while no local media stream exists, and each call's stream starts on the default).
 */
export interface FakeCcpDevices {
  readonly speaker?: { readonly deviceId: string };
  readonly microphone?: { readonly deviceId: string };
  readonly ringer?: { readonly deviceId: string };
}

/** The agent error states an outbound call can end in (Streams' AgentErrorStates). */
export type OutboundFailure = "LineEngagedCustomer" | "BadAddressCustomer" | "FailedConnectCustomer" | "MissedCallCustomer";

/** The agent error states the CCP clears by itself (contact.clear()), per Streams' documentation. */
const AUTO_CLEARED = new Set(["FailedConnectAgent", "FailedConnectCustomer"]);
/**
 * The words Streams' softphone manager publishes with each softphone error type (`publishError(type, message,
 * endPointUrl)` in Streams 2.28's softphone.js), which arrive in the page as a structured clone of
 * `new connect.SoftphoneError(type, message, endPointUrl)`: `{ errorType, errorMessage, endPointUrl }`.
 */
const SIGNALLING_URI = "wss://rtc.connect-telecom.us-east-1.amazonaws.com/LilyRTC";
export const SOFTPHONE_ERROR_WORDS: Readonly<Record<string, readonly [message: string, endPointUrl: string]>> = {
  unsupported_browser: ["Connect does not support this browser. Some functionality may not work. ", ""],
  microphone_not_shared: ["Your microphone is not enabled in your browser. ", ""],
  signalling_handshake_failure: [`Handshaking with Signalling Server ${SIGNALLING_URI} failed. `, SIGNALLING_URI],
  signalling_connection_failure: [`URL ${SIGNALLING_URI} cannot be reached. `, SIGNALLING_URI],
  ice_collection_timeout: ["Ice collection timedout. ", "\nturn:turnnlb-d76454ac48d20c1e.elb.us-east-1.amazonaws.com.:3478?transport=udp\n"],
  user_busy_error: ["Softphone call UserBusy error. ", ""],
  webrtc_error: ["webrtc system error. ", ""],
  realtime_communication_error: ["Realtime communication error. ", ""],
  vdi_strategy_not_supported: ["VDI Strategy not supported", ""],
  vdi_redir_not_supported: ["Citrix WebRTC redirection feature is NOT supported!", ""],
  other: ["Unknown VDI error", ""],
  multiple_softphone_active_sessions: ["Number of active sessions are more then allowed limit.", ""],
  audio_enhancement_failure: ["Failed to enhance audio stream", ""],
};
/** How long Connect takes to give up on a call leg, ms (instant in real terms; after the snapshot that shows it ringing). */
const GIVE_UP_MS = 10;

export interface InboundContactSpec {
  from: string;
  fromName?: string;
  to?: string;
  queue?: string;
  attributes?: Record<string, string>;
  /**
   * Streams' contact type. `queue_callback`: a queued callback, offered `incoming` (not `connecting`) with the
   * customer's connection (type outbound) already connected, initiationMethod `callback`. Chat, task and email
   * for the "ignored with a warning" path.
   */
  type?: "voice" | "queue_callback" | "chat" | "task" | "email";
  /** Streams' ContactInitiationMethod (inbound, transfer, queue_transfer, api, callback, …). Default `inbound` (`callback` for a queued callback). */
  initiationMethod?: string;
}

/** Streams' contact types that are voice (connect.voiceContactTypes). */
const isVoice = (c: { type: string }): boolean => c.type === "voice" || c.type === "queue_callback";

export interface ApiRequestRecord {
  readonly method: string;
  readonly params: Record<string, unknown>;
}

type ContactState = "init" | "incoming" | "pending" | "connecting" | "connected" | "missed" | "error" | "ended" | "rejected";
type ConnState = "init" | "connecting" | "connected" | "hold" | "disconnected" | "silent_monitor" | "barge";

interface FConn {
  connectionId: string;
  type: "agent" | "inbound" | "outbound";
  initial: boolean;
  state: ConnState;
  phoneNumber: string | null;
  name: string | null;
  since: number;
  /** A supervisor's connection on a monitoring contact: Streams' MonitoringMode, and the modes it may switch to. */
  monitorStatus?: "SILENT_MONITOR" | "BARGE";
  monitorCapabilities?: readonly string[];
}

interface FContact {
  contactId: string;
  type: NonNullable<InboundContactSpec["type"]>;
  initiationMethod: string;
  state: ContactState;
  since: number;
  queue: string | null;
  systemNumber: string | null;
  attributes: Record<string, string>;
  connections: FConn[];
}

export interface FakeCcp {
  /** Start talking to Streams over `port`: acknowledge, then the first snapshot. */
  connect(port: FakeCcpPort): void;
  /** Stop answering and drop timers. */
  close(): void;
  readonly requests: readonly ApiRequestRecord[];
  /** Every message Streams sent (event names; `api_request:<method>`, `broadcast:<event>`), for contract checks. */
  readonly received: readonly string[];
  /** The settings of Streams' last CONFIGURE message (softphone, ringtone…), as the CCP received them. */
  readonly configuration: unknown;
  ringInbound(spec: InboundContactSpec): string;
  /** The far end of an outbound call (or a consult leg: give its connectionId) answers. */
  remoteAnswer(contactId: string, connectionId?: string): void;
  /** The customer (or the given connection) hangs up. */
  remoteHangup(contactId: string, connectionId?: string): void;
  /** The caller gives up while it still rings. */
  abandon(contactId: string): void;
  /**
   * Nobody answers a ringing contact: Connect moves it on (contact `error`, agent `MissedCallAgent`; a queued
   * callback leaves the agent in `Default`, Streams issue #344) until the agent picks a state.
   */
  missInbound(contactId: string): void;
  /** The softphone reports an error (`agent::softphone_error`) with the words Streams publishes for that type. */
  softphoneError(type: string): void;
  /**
   * Connect gives up on the agent's audio leg (after a softphone error): a contact still being offered or
   * accepted goes to `error` with the agent in `FailedConnectAgent` (cleared by the CCP), a connected one ends
   * (after-call work) with everyone off it.
   */
  failAgentLeg(contactId: string): void;
  /** Connect stops accepting the agent's session (an expired or revoked sign-in): `auth_fail`, then every request fails. */
  failAuth(): void;
  /** The CCP's WebSocket drops: Streams hears websocket_connection_lost; snapshots stop. */
  dropLink(): void;
  /** The WebSocket is back: the latest snapshot is pushed. */
  restoreLink(): void;
  /** Stop (or resume) answering Streams' keepalive SYNCHRONIZE: a frozen or vanished CCP. */
  pauseKeepalive(paused: boolean): void;
  /** The next `method` request is never answered. */
  stallNext(method: string): void;
  /** The next `method` request fails with this error (the CCP's `err`). */
  failNext(method: string, err: unknown): void;
  /** The agent clicks mute in the CCP itself. */
  toggleMuteInCcp(muted: boolean): void;
  /** The agent picks a state in the CCP itself. */
  setStateInCcp(name: string, enqueueNextState?: boolean): void;
  /** Push the last snapshot again (a duplicate). */
  pushSnapshot(): void;
  /** Push a fresh snapshot of the current state. */
  pushFresh(): void;
  /** Push an earlier snapshot again (a late delivery); `back` = 1 is the previous one. */
  pushStale(back?: number): void;
  /** Send anything upstream in the CCP's envelope (malformed input). */
  sendRaw(event: string, data: unknown): void;
  /** Push an agent update with the given raw snapshot override. */
  pushMalformedSnapshot(mutate: (snapshot: Record<string, unknown>) => void): void;
  /** Digits the far end received on a contact. */
  dtmf(contactId: string): string;
  contactIds(): string[];
  /** The current snapshot as Streams would receive it. */
  snapshot(): { snapshot: Record<string, unknown>; configuration: Record<string, unknown> };
  readonly muted: boolean;
  /** The connection ids of a contact's third parties (consult legs). */
  thirdParties(contactId: string): string[];
  /** The audio devices the CCP applied (see FakeCcpDevices). */
  devices(): FakeCcpDevices;
  /**
   * A monitoring session appears in this (supervisor's) CCP, as after Connect's MonitorContact: a voice
   * contact (`contactId`, default a new id; initiationMethod `monitor`) whose agent connection has
   * `monitorStatus: "SILENT_MONITOR"`, state `silent_monitor` and `monitorCapabilities` (default both
   * modes), with the customer `from`. The supervisor switches modes with Streams'
   * `contact.updateMonitorParticipantState` (the CCP's `updateMonitorParticipantState` API: BARGE only
   * when allowed) and leaves by destroying its connection. When the session is over (it left, or the
   * watched customer hung up: `remoteHangup`) the contact goes to after-contact work (`ended`, the
   * supervisor in AfterCallWork, the monitor status no longer in the snapshot) until `clearContact`.
   */
  startMonitoring(spec?: { contactId?: string; from?: string; capabilities?: readonly ("SILENT_MONITOR" | "BARGE")[] }): string;
  /** Replace the CCP's device list (a headset plugged in or unplugged, as the CCP's origin lists it). */
  setMediaDevices(devices: readonly FakeMediaDevice[]): void;
  /**
   * While held, the CCP applies and confirms no device choice (a CCP whose SoftphoneManager and ringtone
   * engine are not created yet); the choices made meanwhile are lost, as they are in the real CCP.
   */
  holdDeviceChanges(held: boolean): void;
}

/** Streams' ConfigurationEvents the CCP's softphone and ringtone engine act on, and what each confirms with. */
const DEVICE_EVENTS = {
  "configuration::set_speaker_device": ["speaker", "audiooutput", "configuration::speaker_device_changed"],
  "configuration::set_microphone_device": ["microphone", "audioinput", "configuration::microphone_device_changed"],
  "configuration::set_ringer_device": ["ringer", "audiooutput", "configuration::ringer_device_changed"],
} as const;

/** Connect's contact ids are UUIDs (a backend checks the format): `<instance tag>-0000-4000-8000-<sequence>`. */
const INSTANCE_TAG = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, "0");
const contactUuid = (n: number): string => `${INSTANCE_TAG}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

const DEFAULT_ARN = "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555";

export function createFakeCcp(options: FakeCcpOptions = {}): FakeCcp {
  const arn = options.instanceArn ?? DEFAULT_ARN;
  const states: FakeAgentState[] = [
    ...(options.agentStates ?? [
      { agentStateARN: `${arn}/agent-state/available`, type: "routable", name: "Available" },
      { agentStateARN: `${arn}/agent-state/lunch`, type: "not_routable", name: "Lunch" },
      { agentStateARN: `${arn}/agent-state/training`, type: "not_routable", name: "Training" },
      { agentStateARN: `${arn}/agent-state/offline`, type: "offline", name: "Offline" },
    ]),
  ];
  const byName = (name: string) => states.find((s) => s.name === name);
  let selected: FakeAgentState = byName(options.initialState ?? "Offline") ?? states[0]!;
  let nextState: FakeAgentState | null = null;
  let lastAgentName = "";
  let agentSince = Date.now();
  let lastTimestamp = 0;
  const contacts: FContact[] = [];
  const requests: ApiRequestRecord[] = [];
  const received: string[] = [];
  let configured: unknown;
  const history: ReturnType<FakeCcp["snapshot"]>[] = [];
  const stalls = new Set<string>();
  const failures = new Map<string, unknown>();
  const digits = new Map<string, string>();
  let port: FakeCcpPort | undefined;
  let unlisten: (() => void) | undefined;
  let linkUp = true;
  let keepalive = true;
  let muted = false;
  let seq = 0;
  /** The agent's error state (MissedCallAgent, LineEngagedCustomer…), shown instead of the selected state. */
  let agentError: string | null = null;
  let authFailed = options.credentials === "bad";
  let mediaDevices = options.mediaDevices;
  /** The CCP's softphone manager and ringtone engine (a softphone agent's CCP creates them on its first agent refresh). */
  const softphone = options.softphoneEnabled !== false;
  let deviceChangesHeld = false;
  const applied: { speaker?: { deviceId: string }; ringer?: { deviceId: string } } = {};
  /** The softphone's local media stream (the agent's connection on a live call) and the microphone it uses. */
  let stream: { connectionId: string; microphone?: { deviceId: string } } | undefined;
  const id = (prefix: string) => (prefix === "contact" ? contactUuid(++seq) : `${prefix}-${++seq}`);

  const queueArn = `${arn}/queue/basic`;
  const agentQueue = { queueARN: `${arn}/queue/agent/agent-1`, queueId: `${arn}/queue/agent/agent-1`, name: null };
  const configuration = () => ({
    name: options.agentName ?? "Test Agent",
    username: options.username ?? "tagent",
    softphoneEnabled: options.softphoneEnabled !== false,
    softphoneAutoAccept: false,
    extension: null,
    permissions: ["outboundCall"],
    dialableCountries: ["us"],
    agentStates: states.map((s) => ({ ...s })),
    routingProfile: {
      name: "Basic Routing Profile",
      routingProfileARN: `${arn}/routing-profile/rp-1`,
      routingProfileId: `${arn}/routing-profile/rp-1`,
      defaultOutboundQueue: { queueARN: queueArn, queueId: queueArn, name: "BasicQueue" },
      queues: [agentQueue, { queueARN: queueArn, queueId: queueArn, name: "BasicQueue" }],
      channelConcurrencyMap: { VOICE: 1, CHAT: 2, TASK: 2 },
    },
  });

  const timers = new Set<ReturnType<typeof setTimeout>>();
  function send(event: string, data?: unknown): void {
    const message = data === undefined ? { event } : { event, data };
    const latency = options.latencyMs ?? 0;
    if (latency <= 0) return port?.send(message);
    const target = port;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (port === target) target?.send(message);
    }, latency);
    timers.add(timer);
  }

  /** The agent state the CCP shows now: system states while contacts exist. */
  function agentStateNow(): { type: string; name: string; agentStateARN: string | null } {
    if (agentError) return { type: "error", name: agentError, agentStateARN: null };
    const voice = contacts.filter(isVoice);
    if (voice.some((c) => c.state === "ended")) return { type: "system", name: "AfterCallWork", agentStateARN: null };
    if (voice.some((c) => c.state === "connected")) return { type: "system", name: "Busy", agentStateARN: null };
    if (voice.some((c) => c.state === "connecting" && c.initiationMethod === "outbound")) return { type: "system", name: "CallingCustomer", agentStateARN: null };
    if (voice.some((c) => c.state === "connecting" || c.state === "incoming")) return { type: "system", name: "PendingBusy", agentStateARN: null };
    return { ...selected };
  }

  function buildConnection(c: FConn) {
    const remote = c.type !== "agent";
    return {
      connectionId: c.connectionId,
      type: c.type,
      initial: c.initial,
      mute: c.type === "agent" ? muted : false,
      quickConnectName: null,
      monitoringInfo: c.monitorStatus ? { agent: { agentName: "Monitored Agent" }, joinTimeStamp: new Date(c.since) } : null,
      ...(c.monitorStatus ? { monitorStatus: c.monitorStatus, monitorCapabilities: [...(c.monitorCapabilities ?? [])] } : {}),
      chatMediaInfo: null,
      state: { type: c.state, timestamp: new Date(c.since) },
      endpoint: {
        type: remote ? "phone_number" : "agent",
        phoneNumber: remote ? c.phoneNumber : null,
        name: c.name,
        agentLogin: null,
        endpointARN: null,
        queue: null,
      },
      softphoneMediaInfo: remote ? null : { autoAccept: false, callType: "audio_only", callConfigJson: "{}", callContextToken: "ctx", mediaLegContextToken: "leg" },
    };
  }

  function buildContact(c: FContact) {
    return {
      contactId: c.contactId,
      initialContactId: c.contactId,
      type: c.type,
      initiationMethod: c.initiationMethod,
      name: null,
      description: null,
      state: { type: c.state, timestamp: new Date(c.since) },
      queue: c.queue ? { name: c.queue, queueARN: queueArn, queueId: queueArn } : { name: null, queueARN: agentQueue.queueARN, queueId: agentQueue.queueId },
      queueTimestamp: new Date(c.since),
      attributes: Object.fromEntries(Object.entries(c.attributes).map(([k, v]) => [k, { name: k, value: v }])),
      references: null,
      channelContext: null,
      contactFeatures: { multiPartyConferenceEnabled: false },
      contactDuration: "0",
      connectSystemEndpoint: c.systemNumber ? { type: "phone_number", phoneNumber: c.systemNumber, name: null } : null,
      connections: c.connections.map(buildConnection),
    };
  }

  function snapshot(): ReturnType<FakeCcp["snapshot"]> {
    const state = agentStateNow();
    if (state.name !== lastAgentName) {
      lastAgentName = state.name;
      agentSince = Date.now();
    }
    lastTimestamp = Math.max(Date.now(), lastTimestamp + 1);
    return {
      snapshot: {
        state: { ...state, startTimestamp: new Date(agentSince) },
        nextState: nextState ? { ...nextState } : null,
        agentAvailabilityState: { state: state.name, timeStamp: new Date(agentSince) },
        contacts: contacts.map(buildContact),
        snapshotTimestamp: new Date(lastTimestamp),
        localTimestamp: lastTimestamp,
        skew: 0,
      },
      configuration: configuration(),
    };
  }

  function push(): void {
    if (!port || !linkUp || authFailed) return;
    const s = snapshot();
    history.push(s);
    if (history.length > 20) history.shift();
    send("agent::update", s);
  }

  const find = (contactId: unknown) => contacts.find((c) => c.contactId === contactId);
  const conn = (c: FContact, connectionId: unknown) => c.connections.find((x) => x.connectionId === connectionId);
  const agentConn = (c: FContact) => c.connections.find((x) => x.type === "agent");
  const remotes = (c: FContact) => c.connections.filter((x) => x.type !== "agent");
  const setConn = (x: FConn, state: ConnState) => {
    if (x.state !== state) {
      x.state = state;
      x.since = Date.now();
    }
  };
  const setContact = (c: FContact, state: ContactState) => {
    if (c.state !== state) {
      c.state = state;
      c.since = Date.now();
    }
  };

  class ApiError extends Error {
    constructor(
      readonly type: string,
      message: string,
    ) {
      super(message);
    }
  }

  function removeContact(c: FContact): void {
    if (!contacts.includes(c)) return;
    contacts.splice(contacts.indexOf(c), 1);
    if (c.state === "error" || c.state === "missed") agentError = null;
    if (nextState && !contacts.some(isVoice)) {
      selected = nextState;
      nextState = null;
    }
  }

  /** The agent leaves: a transfer when two remotes stay, the end of the call otherwise. */
  function agentLeaves(c: FContact): void {
    const agent = agentConn(c);
    if (agent?.monitorStatus) {
      // A monitoring session is over (the supervisor left, or the watched call ended): as any contact, it goes to
      // after-contact work (the supervisor in AfterCallWork) until cleared (Streams' contact.clear(), which Connect
      // documents for monitoring agents' ACW). Whether Connect's snapshot still carries the monitor status then is
      // not documented: the fake drops it, so a client must know the session from before.
      delete agent.monitorStatus;
      delete agent.monitorCapabilities;
      for (const x of c.connections) setConn(x, "disconnected");
      return setContact(c, "ended");
    }
    if (agent) setConn(agent, "disconnected");
    const live = remotes(c).filter((x) => x.state !== "disconnected");
    if (live.length >= 2) for (const x of live) setConn(x, "connected");
    else for (const x of live) setConn(x, "disconnected");
    setContact(c, "ended");
  }

  /** Runs `fn` a little later (after the reply and snapshot already on their way). */
  function soon(fn: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (port) fn();
    }, GIVE_UP_MS);
    timers.add(timer);
  }

  /** Connect gives up on a contact: `error`, everyone off it, the agent in `state` (cleared by the CCP for FailedConnect*). */
  function failContact(c: FContact, state: string): void {
    if (!contacts.includes(c)) return;
    setContact(c, "error");
    for (const x of c.connections) setConn(x, "disconnected");
    agentError = state;
    push();
    if (AUTO_CLEARED.has(state))
      soon(() => {
        removeContact(c);
        push();
      });
  }

  function softphoneError(type = "microphone_not_shared"): void {
    const [errorMessage, endPointUrl] = SOFTPHONE_ERROR_WORDS[type] ?? ["", ""];
    send("agent::softphone_error", { errorType: type, errorMessage, endPointUrl });
  }

  /** The softphone's local stream exists while the agent's connection it serves is on the call. */
  function liveStream(): typeof stream {
    const id = stream?.connectionId;
    return contacts.some((c) => c.connections.some((x) => x.connectionId === id && x.type === "agent" && x.state !== "disconnected")) ? stream : undefined;
  }

  /** The softphone opens the agent's media (default microphone) and tells the page (`agent::local_media_stream_created`). */
  function startStream(c: FContact): void {
    const a = agentConn(c);
    // A desk phone carries the call: the CCP opens no media.
    if (!a || !softphone) return;
    soon(() => {
      stream = { connectionId: a.connectionId };
      send("agent::local_media_stream_created", { connectionId: a.connectionId });
    });
  }

  async function listDevices(): Promise<FakeMediaDevice[]> {
    if (mediaDevices) return [...mediaDevices];
    const media = (globalThis as { navigator?: { mediaDevices?: MediaDevices } }).navigator?.mediaDevices;
    if (!media) return [];
    return (await media.enumerateDevices()).map((d) => d.toJSON() as FakeMediaDevice);
  }

  /**
   * A device choice broadcast by Streams (agent.setSpeakerDevice…), applied as the CCP does
   * (Streams 2.28 softphone.js / ringtone engine): the speaker when its id is listed (setSinkId, else
   * NotFoundError), then confirmed; the microphone only on a live stream (else "cancelled due to missing
   * localMediaStream") and a listed id (getUserMedia exact); the ringer kept, and confirmed whenever the
   * ringtone engine runs (not with disableRingtone), even for an id it could not use.
   */
  async function applyDevice(event: keyof typeof DEVICE_EVENTS, data: unknown): Promise<void> {
    const [use, kind, changed] = DEVICE_EVENTS[event];
    const deviceId = (data as { deviceId?: unknown } | null)?.deviceId;
    if (typeof deviceId !== "string" || !deviceId) return;
    // Streams subscribes to these only inside the SoftphoneManager / ringtone engine.
    if (!softphone || deviceChangesHeld) return;
    const listed = (await listDevices().catch(() => [])).some((d) => d.kind === kind && d.deviceId === deviceId);
    if (use === "ringer") {
      if (listed) applied.ringer = { deviceId };
      const softphone = (configured as { softphone?: { disableRingtone?: unknown } } | undefined)?.softphone;
      if (softphone?.disableRingtone !== true) send(changed, { deviceId });
      return;
    }
    if (!listed) return;
    if (use === "microphone") {
      const s = liveStream();
      if (!s) return;
      s.microphone = { deviceId };
    } else applied.speaker = { deviceId };
    send(changed, { deviceId });
  }

  function newConnection(type: FConn["type"], initial: boolean, state: ConnState, phoneNumber: string | null, name: string | null = null): FConn {
    return { connectionId: id("conn"), type, initial, state, phoneNumber, name, since: Date.now() };
  }

  function endpointNumber(endpoint: unknown): { phoneNumber: string | null; name: string | null } {
    const e = (endpoint ?? {}) as { phoneNumber?: unknown; name?: unknown };
    return { phoneNumber: typeof e.phoneNumber === "string" ? e.phoneNumber : null, name: typeof e.name === "string" ? e.name : null };
  }

  function handleApi(method: string, p: Record<string, unknown>): unknown {
    const contact = () => {
      const c = find(p.contactId);
      if (!c) throw new ApiError("InvalidStateException", `Contact ${String(p.contactId)} does not exist`);
      return c;
    };
    const connection = (c: FContact) => {
      const x = conn(c, p.connectionId);
      if (!x) throw new ApiError("InvalidStateException", `Connection ${String(p.connectionId)} does not exist`);
      return x;
    };
    switch (method) {
      case "putAgentState": {
        const wanted = (p.state ?? {}) as { agentStateARN?: unknown; name?: unknown };
        const st = states.find((s) => s.agentStateARN === wanted.agentStateARN) ?? states.find((s) => s.name === wanted.name);
        if (!st) throw new ApiError("InvalidStateException", `Unknown agent state ${JSON.stringify(wanted.name)}`);
        if (p.enqueueNextState === true && contacts.some(isVoice)) nextState = st;
        else {
          selected = st;
          nextState = null;
          // Picking a state is how the agent leaves an error state: the missed or failed contact goes.
          for (const c of contacts.filter((x) => x.state === "error" || x.state === "missed")) removeContact(c);
        }
        return {};
      }
      case "acceptContact": {
        const c = contact();
        // A voice contact rings `connecting`; a queued callback is offered `incoming`.
        if (c.state !== (c.type === "queue_callback" ? "incoming" : "connecting")) throw new ApiError("InvalidStateException", `Contact ${c.contactId} is not ringing`);
        if (options.microphone === "denied") {
          // Accepted, but the softphone cannot open the microphone: it says so, and Connect gives up on the agent's leg.
          soon(() => {
            softphoneError();
            soon(() => failContact(c, "FailedConnectAgent"));
          });
          return {};
        }
        setContact(c, "connected");
        const a = agentConn(c);
        if (a) setConn(a, "connected");
        startStream(c);
        return {};
      }
      case "rejectContact": {
        const c = contact();
        setContact(c, "rejected");
        push();
        removeContact(c);
        return {};
      }
      case "clearContact":
      case "completeContact": {
        const c = contact();
        removeContact(c);
        return {};
      }
      case "destroyConnection": {
        const c = contact();
        const x = connection(c);
        if (x.type === "agent") agentLeaves(c);
        else {
          setConn(x, "disconnected");
          const live = remotes(c).filter((r) => r.state !== "disconnected");
          if (live.length === 0) agentLeaves(c);
          else if (live.length === 1 && live[0]!.state === "hold") setConn(live[0]!, "connected");
        }
        return {};
      }
      case "holdConnection":
        setConn(connection(contact()), "hold");
        return {};
      case "resumeConnection":
        setConn(connection(contact()), "connected");
        return {};
      case "sendDigits": {
        const c = contact();
        connection(c);
        digits.set(c.contactId, (digits.get(c.contactId) ?? "") + (typeof p.digits === "string" ? p.digits : ""));
        return {};
      }
      case "createOutboundContact": {
        const { phoneNumber, name } = endpointNumber(p.endpoint);
        if (!phoneNumber) throw new ApiError("BadEndpointException", "The endpoint has no phone number");
        const placed: FContact = {
          contactId: id("contact"),
          type: "voice",
          initiationMethod: "outbound",
          state: "connecting",
          since: Date.now(),
          queue: null,
          systemNumber: "+15550001000",
          attributes: {},
          connections: [newConnection("agent", false, "connected", null), newConnection("outbound", true, "connecting", phoneNumber, name)],
        };
        contacts.push(placed);
        startStream(placed);
        // The request succeeds and the contact rings out; a failing number then fails as Connect reports it.
        const failure = options.outboundFailures?.[phoneNumber];
        if (failure) soon(() => failContact(placed, failure));
        return {};
      }
      case "createAdditionalConnection": {
        const c = contact();
        const { phoneNumber, name } = endpointNumber(p.endpoint);
        // An agent or queue quick connect has no number: Connect routes it by its ARN.
        const routed = ["agent", "queue"].includes(String((p.endpoint as { type?: unknown } | null)?.type)) && name;
        if (!phoneNumber && !routed) throw new ApiError("BadEndpointException", "The endpoint has no phone number");
        for (const r of remotes(c)) if (r.state === "connected") setConn(r, "hold");
        c.connections.push(newConnection("outbound", false, "connecting", phoneNumber, name));
        return {};
      }
      case "toggleActiveConnections": {
        const c = contact();
        for (const r of remotes(c)) {
          if (r.state === "hold") setConn(r, "connected");
          else if (r.state === "connected") setConn(r, "hold");
        }
        return {};
      }
      case "conferenceConnections": {
        const c = contact();
        for (const r of remotes(c)) if (r.state === "hold" || r.state === "connected") setConn(r, "connected");
        return {};
      }
      case "updateMonitorParticipantState": {
        const c = contact();
        const own = agentConn(c);
        const target = p.targetMonitorMode;
        if (!own?.monitorStatus) throw new ApiError("InvalidStateException", `Contact ${c.contactId} is not a monitoring contact`);
        if ((target !== "SILENT_MONITOR" && target !== "BARGE") || !own.monitorCapabilities?.includes(target)) throw new ApiError("InvalidStateException", `Cannot change to ${String(target)}`);
        own.monitorStatus = target;
        setConn(own, target === "BARGE" ? "barge" : "silent_monitor");
        return {};
      }
      case "getEndpoints":
        return {
          endpoints: (options.quickConnects ?? []).map((q, i) => ({
            endpointARN: `${arn}/transfer-destination/qc-${i}`,
            endpointId: `${arn}/transfer-destination/qc-${i}`,
            type: q.type ?? "phone_number",
            name: q.name,
            phoneNumber: q.phoneNumber,
            agentLogin: null,
            queue: null,
          })),
          nextToken: null,
        };
      default:
        return {};
    }
  }

  function onApiRequest(data: Record<string, unknown>): void {
    const method = String(data.method);
    const params = (data.params ?? {}) as Record<string, unknown>;
    requests.push({ method, params });
    if (stalls.delete(method)) return;
    const reply = (result: unknown, err: unknown) => send("api_response", { event: "api_response", requestId: data.requestId, data: result, err });
    if (authFailed) {
      // The CCP's client engine: a refused session fails the call and reports auth_fail.
      reply(null, { type: "UnauthorizedException", message: "The agent's session is not valid" });
      send("auth_fail");
      return;
    }
    if (failures.has(method)) {
      const err = failures.get(method);
      failures.delete(method);
      reply(null, err);
      return;
    }
    let result: unknown;
    try {
      result = handleApi(method, params);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      reply(null, { type: e.type, message: e.message });
      return;
    }
    reply(result, null);
    // The CCP's next snapshot poll brings the new state.
    push();
  }

  function onMessage(raw: unknown): void {
    if (typeof raw !== "object" || raw === null) return;
    const { event, data } = raw as { event?: unknown; data?: unknown };
    if (typeof event !== "string") return;
    const inner = (data as { method?: unknown; event?: unknown } | null) ?? {};
    received.push(event === "api_request" ? `api_request:${String(inner.method)}` : event === "broadcast" ? `broadcast:${String(inner.event)}` : event);
    if (event === "configure") configured = data;
    if (options.silent) return;
    if (event === "synchronize") {
      if (keepalive) send("acknowledge", { id: "fake-ccp-port" });
    }
    else if (event === "api_request" && typeof data === "object" && data !== null) onApiRequest(data as Record<string, unknown>);
    // connect.core.getFrameMediaDevices: the CCP answers with its own enumerateDevices(), as JSON.
    else if (event === "media_device_request")
      void listDevices().then(
        (devices) => send("media_device_response", devices),
        (err: unknown) => send("media_device_response", { error: err instanceof Error ? err.message : String(err) }),
      );
    else if (event === "broadcast" && typeof data === "object" && data !== null) {
      // The SharedWorker re-broadcasts to every tab; the softphone answers a mute request.
      const b = data as { event?: unknown; data?: unknown };
      if (typeof b.event !== "string") return;
      send(b.event, b.data);
      if (b.event in DEVICE_EVENTS) void applyDevice(b.event as keyof typeof DEVICE_EVENTS, b.data);
      if (b.event === "mute") {
        muted = (b.data as { mute?: unknown } | null)?.mute === true;
        send("agent::mute_toggle", { muted });
      }
    }
  }

  const fake: FakeCcp = {
    connect(p) {
      port = p;
      unlisten = p.listen(onMessage);
      if (options.silent) return;
      send("acknowledge", { id: "fake-ccp-port" });
      // Refused credentials: the CCP loads, but its first snapshot request is refused.
      if (authFailed) return send("auth_fail");
      push();
      // The softphone checks the microphone as it starts.
      if (options.microphone === "denied") softphoneError();
    },
    close() {
      unlisten?.();
      port = undefined;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
    get requests() {
      return requests;
    },
    get received() {
      return received;
    },
    get configuration() {
      return configured;
    },
    get muted() {
      return muted;
    },
    ringInbound(spec) {
      const type = spec.type ?? "voice";
      const contactId = id("contact");
      const callback = type === "queue_callback";
      contacts.push({
        contactId,
        type,
        initiationMethod: spec.initiationMethod ?? (callback ? "callback" : "inbound"),
        state: callback ? "incoming" : "connecting",
        since: Date.now(),
        queue: spec.queue ?? "BasicQueue",
        systemNumber: spec.to ?? null,
        attributes: { ...spec.attributes },
        // A queued callback is an outbound call to the customer, routed to the agent before it is placed.
        connections: [newConnection("agent", false, "connecting", null), newConnection(callback ? "outbound" : "inbound", true, "connected", spec.from, spec.fromName ?? null)],
      });
      push();
      // The softphone starts the agent's media session as a voice contact rings: without a microphone it fails.
      if (isVoice({ type }) && options.microphone === "denied") softphoneError();
      return contactId;
    },
    remoteAnswer(contactId, connectionId) {
      const c = find(contactId);
      if (!c) return;
      const x = connectionId ? conn(c, connectionId) : remotes(c).find((r) => r.state === "connecting");
      if (!x) return;
      setConn(x, "connected");
      if (c.state === "connecting") setContact(c, "connected");
      push();
    },
    remoteHangup(contactId, connectionId) {
      const c = find(contactId);
      if (!c) return;
      const x = connectionId ? conn(c, connectionId) : c.connections.find((r) => r.initial && r.type !== "agent");
      if (!x) return;
      setConn(x, "disconnected");
      if (remotes(c).every((r) => r.state === "disconnected")) agentLeaves(c);
      push();
    },
    abandon(contactId) {
      const c = find(contactId);
      if (!c) return;
      removeContact(c);
      push();
    },
    missInbound(contactId) {
      const c = find(contactId);
      if (c?.state === "connecting") failContact(c, "MissedCallAgent");
      else if (c?.state === "incoming" && c.type === "queue_callback") failContact(c, "Default");
    },
    softphoneError(type) {
      softphoneError(type);
    },
    failAgentLeg(contactId) {
      const c = find(contactId);
      if (!c) return;
      if (c.state === "connecting" || c.state === "incoming") return failContact(c, "FailedConnectAgent");
      for (const x of c.connections) setConn(x, "disconnected");
      setContact(c, "ended");
      push();
    },
    failAuth() {
      authFailed = true;
      send("auth_fail");
    },
    dropLink() {
      send("agent::websocket_connection_lost", { reason: "WebSocket closed" });
      linkUp = false;
    },
    restoreLink() {
      linkUp = true;
      send("agent::websocket_connection_gained");
      push();
    },
    pauseKeepalive(paused) {
      keepalive = !paused;
    },
    stallNext(method) {
      stalls.add(method);
    },
    failNext(method, err) {
      failures.set(method, err);
    },
    toggleMuteInCcp(value) {
      muted = value;
      send("agent::mute_toggle", { muted: value });
    },
    setStateInCcp(name, enqueue = false) {
      const st = byName(name);
      if (!st) throw new Error(`no agent state ${name}`);
      if (enqueue && contacts.some(isVoice)) nextState = st;
      else {
        selected = st;
        nextState = null;
      }
      push();
    },
    pushSnapshot() {
      const last = history.at(-1);
      if (last && port) send("agent::update", last);
    },
    pushFresh() {
      push();
    },
    pushStale(back = 1) {
      const old = history.at(-1 - back);
      if (old && port) send("agent::update", old);
    },
    sendRaw(event, data) {
      send(event, data);
    },
    pushMalformedSnapshot(mutate) {
      const s = snapshot();
      mutate(s.snapshot);
      send("agent::update", s);
    },
    dtmf(contactId) {
      return digits.get(contactId) ?? "";
    },
    contactIds() {
      return contacts.map((c) => c.contactId);
    },
    snapshot,
    thirdParties(contactId) {
      const c = find(contactId);
      return c ? c.connections.filter((x) => x.type !== "agent" && !x.initial).map((x) => x.connectionId) : [];
    },
    devices() {
      const microphone = liveStream()?.microphone;
      return { ...applied, ...(microphone ? { microphone } : {}) };
    },
    setMediaDevices(devices) {
      mediaDevices = [...devices];
    },
    startMonitoring(spec = {}) {
      const contactId = spec.contactId ?? id("contact");
      const own = newConnection("agent", false, "silent_monitor", null);
      own.monitorStatus = "SILENT_MONITOR";
      own.monitorCapabilities = [...(spec.capabilities ?? ["SILENT_MONITOR", "BARGE"])];
      contacts.push({
        contactId,
        type: "voice",
        initiationMethod: "monitor",
        state: "connected",
        since: Date.now(),
        queue: "BasicQueue",
        systemNumber: null,
        attributes: {},
        connections: [own, newConnection("inbound", true, "connected", spec.from ?? "+15550123456")],
      });
      push();
      return contactId;
    },
    holdDeviceChanges(held) {
      deviceChangesHeld = held;
    },
  };
  return fake;
}
