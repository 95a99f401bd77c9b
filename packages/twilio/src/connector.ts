/**
 * The Twilio connector: the real @twilio/voice-sdk Device is the phone; the
 * connector translates its events into reports and desktop requests into SDK
 * calls. Hold, transfer and conference go through a call-control backend
 * (Twilio Conference on the server) when one is configured.
 */
import { CtiError, type AgentReason, type Capability, type Connector, type ConnectorContext, type EndReason, type Party } from "@opencti/core";
import type { Call as TwilioCall, Device } from "@twilio/voice-sdk";
import { createLocalAgentState, type AgentStatePort } from "./agent-state.js";
import { isPartyStatusMessage, type CallControlBackend } from "./backend.js";
import { toTwilioCtiError } from "./errors.js";

export interface TwilioSdk {
  readonly Device: typeof Device;
}

export interface TwilioConnectorOptions {
  /** Fetches an Access Token (JWT with a Voice grant); called at start and again on `tokenWillExpire`. */
  getToken(): Promise<string>;
  edge?: string | string[];
  codecPreferences?: Device.Options["codecPreferences"];
  sounds?: Device.Options["sounds"];
  logLevel?: Device.Options["logLevel"];
  /** Play the SDK's incoming ringtone. Default true. */
  incomingSound?: boolean;
  /** Let a second call ring while one is active (the SDK ignores it otherwise). Default false. */
  allowIncomingWhileBusy?: boolean;
  /** Hold, blind/consult transfer, conference and drop party; NOT_SUPPORTED without it. */
  backend?: CallControlBackend;
  /** Agent availability; local (in the browser) by default. */
  agentState?: AgentStatePort;
  /** Custom parameters lifted into `queue` and `fromName` (they stay in `data` too). */
  parameterNames?: { queue?: string; callerName?: string };
  /** More Device options passed through unchanged (e.g. the private `chunderw` of an emulator). */
  deviceOptions?: Record<string, unknown>;
  /** Loads the SDK; default `import("@twilio/voice-sdk")`, so it stays out of the host's first bundle. */
  loadSdk?: () => Promise<TwilioSdk>;
  /** Waits before fetching the token again after a failed start; the last one repeats. Default 2, 5, 15, 30 s; [] never retries. */
  startRetryDelaysMs?: readonly number[];
  /** `connector` on every event. Default "twilio". */
  name?: string;
}

const BASE_CAPABILITIES: readonly Capability[] = ["agentState", "dial", "answer", "reject", "hangup", "mute", "dtmf"];
const BACKEND_CAPABILITIES: readonly Capability[] = ["hold", "blindTransfer", "consult", "completeTransfer", "conference", "dropParty"];

/** What the connector declares for a configuration: server-side features only with a backend. */
export function twilioCapabilities(options: { backend?: unknown }): Capability[] {
  return [...BASE_CAPABILITIES, ...(options.backend ? BACKEND_CAPABILITIES : [])];
}

type LiveState = "ringing" | "dialing" | "connected" | "held";

interface CallEntry {
  readonly id: string;
  readonly call: TwilioCall;
  readonly direction: "inbound" | "outbound";
  state: LiveState;
  from?: string;
  fromName?: string;
  to?: string;
  queue?: string;
  data: Record<string, string>;
  /** Set when our own request ends the call, so the SDK's disconnect gets the right reason. */
  localEnd?: EndReason;
  /** The last SDK error code on this call (an outbound call failing busy, declined, …). */
  errorCode?: number;
  /** Conference members beyond the customer, by CallSid. */
  thirdParties: Map<string, Party>;
}

interface ConsultEntry {
  readonly id: string;
  readonly primaryId: string;
  readonly partySid: string;
  readonly to: string;
  state: "dialing" | "connected";
}

const TRANSFER_HANGUP_GRACE_MS = 5000;
const END_BY_STATUS: Record<string, EndReason> = { busy: "busy", "no-answer": "no_answer", failed: "failed", canceled: "no_answer", completed: "remote_hangup" };
const END_BY_ERROR: Record<number, EndReason> = { 31486: "busy", 31603: "rejected", 31480: "no_answer" };

// The SDK's state enums are runtime values; comparing as strings keeps the SDK out of the static imports.
const closed = (call: TwilioCall): boolean => String(call.status()) === "closed";
const registered = (device: Device | undefined): boolean => device !== undefined && String(device.state) === "registered";

const stringRecord = (value: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (value instanceof Map) for (const [k, v] of value as Map<unknown, unknown>) if (typeof k === "string" && typeof v === "string") out[k] = v;
  return out;
};

export function createTwilioConnector(options: TwilioConnectorOptions): Connector {
  const backend = options.backend;
  const agentState = options.agentState ?? createLocalAgentState();
  const names = { queue: options.parameterNames?.queue ?? "queue", callerName: options.parameterNames?.callerName ?? "callerName" };
  const calls = new Map<string, CallEntry>();
  const consults = new Map<string, ConsultEntry>();
  let ctx: ConnectorContext | undefined;
  let device: Device | undefined;
  let loggedIn = false;
  let loggingOut = false;
  let linkLost = false;
  let stopped = false;
  let outboundCounter = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const retryDelays = options.startRetryDelaysMs ?? [2000, 5000, 15_000, 30_000];

  const warn = (message: string, error: unknown): void => ctx?.logger.warn(`twilio: ${message}`, { error: error instanceof Error ? error.message : String(error) });

  // ---- reports ------------------------------------------------------------

  function parties(entry: CallEntry): Party[] {
    const remote = entry.direction === "inbound" ? entry.from : entry.to;
    const customer: Party = {
      id: "customer",
      role: "customer",
      state: entry.state === "held" ? "held" : entry.state === "dialing" ? "dialing" : entry.state === "ringing" ? "ringing" : "connected",
      ...(remote === undefined ? {} : { address: remote }),
      ...(entry.fromName === undefined ? {} : { displayName: entry.fromName }),
    };
    return [customer, ...entry.thirdParties.values()];
  }

  function report(entry: CallEntry): void {
    if (!ctx || !calls.has(entry.id)) return;
    ctx.upsertCall({
      id: entry.id,
      vendorCallId: entry.call.parameters.CallSid ?? entry.id,
      state: entry.state,
      direction: entry.direction,
      ...(entry.from === undefined ? {} : { from: entry.from }),
      ...(entry.fromName === undefined ? {} : { fromName: entry.fromName }),
      ...(entry.to === undefined ? {} : { to: entry.to }),
      ...(entry.queue === undefined ? {} : { queue: entry.queue }),
      muted: entry.call.isMuted(),
      data: entry.data,
      parties: parties(entry),
    });
  }

  function reportConsult(consult: ConsultEntry): void {
    ctx?.upsertCall({
      id: consult.id,
      vendorCallId: consult.partySid,
      state: consult.state,
      direction: "consult",
      relatedCallId: consult.primaryId,
      to: consult.to,
      parties: [{ id: consult.partySid, role: "third_party", state: consult.state, address: consult.to }],
    });
  }

  function endConsult(consult: ConsultEntry, reason: EndReason): void {
    if (!consults.delete(consult.id)) return;
    ctx?.removeCall(consult.id, reason);
  }

  function end(entry: CallEntry, reason: EndReason): void {
    if (!calls.delete(entry.id)) return;
    for (const consult of consults.values()) if (consult.primaryId === entry.id) endConsult(consult, reason === "transferred" ? "transferred" : "lost");
    ctx?.removeCall(entry.id, reason);
  }

  // ---- SDK call events ----------------------------------------------------

  function track(entry: CallEntry): void {
    const { call } = entry;
    calls.set(entry.id, entry);
    const on = <A extends unknown[]>(event: string, fn: (...args: A) => void): void => void call.on(event, (...args: A) => guard(() => fn(...args)));
    on("accept", () => {
      entry.state = "connected";
      report(entry);
    });
    on("disconnect", () => {
      // The SDK emits a failure's `error` right after its `disconnect`: decide the reason once it had the chance.
      setTimeout(() => {
        const failed = entry.errorCode === undefined ? undefined : (END_BY_ERROR[entry.errorCode] ?? "failed");
        end(entry, entry.localEnd ?? failed ?? (entry.state === "dialing" ? "failed" : "remote_hangup"));
      }, 0);
    });
    on("cancel", () => end(entry, entry.localEnd ?? "abandoned"));
    on("reject", () => end(entry, "rejected"));
    on("mute", () => report(entry));
    on("ringing", () => report(entry)); // an outbound call learns its real CallSid
    on("error", (error: { code?: unknown }) => {
      if (typeof error.code === "number") entry.errorCode = error.code;
      const cti = toTwilioCtiError(error);
      ctx?.signal({ kind: "error", code: cti.code, message: cti.message, callId: entry.id });
      // A failed call the SDK closed without a disconnect (e.g. media acquisition) still ends for the desktop.
      if (closed(call)) end(entry, END_BY_ERROR[entry.errorCode ?? 0] ?? "failed");
    });
    on("reconnecting", () => ctx?.setLink("reconnecting", "call media or signalling reconnecting"));
    on("reconnected", () => {
      if (registered(device) || !loggedIn) ctx?.setLink("connected");
    });
    on("warning", (name: string) => ctx?.signal({ kind: "warning", code: `twilio.${name}`, message: `Call quality warning: ${name}`, callId: entry.id }));
    on("messageReceived", (message: { content?: unknown; contentType?: unknown }) => onMessage(entry, message));
  }

  function onMessage(entry: CallEntry, message: { content?: unknown; contentType?: unknown }): void {
    let content: unknown = message.content;
    if (typeof content === "string" && /json/.test(String(message.contentType))) {
      try {
        content = JSON.parse(content);
      } catch {
        return ctx?.invalidVendorEvent("Twilio delivered a call message that is not valid JSON", message, entry.id);
      }
    }
    if (!isPartyStatusMessage(content)) return; // someone else's message
    const consult = [...consults.values()].find((c) => c.primaryId === entry.id && c.partySid === content.callSid);
    if (consult) {
      if (content.status === "in-progress" || content.status === "answered") {
        consult.state = "connected";
        reportConsult(consult);
      } else if (END_BY_STATUS[content.status]) endConsult(consult, END_BY_STATUS[content.status]!);
      return;
    }
    const party = entry.thirdParties.get(content.callSid);
    if (party && END_BY_STATUS[content.status]) {
      entry.thirdParties.set(party.id, { ...party, state: "disconnected" });
      report(entry);
    }
  }

  function onIncoming(call: TwilioCall): void {
    const params = call.parameters as Record<string, unknown>;
    const sid = params.CallSid;
    if (typeof sid !== "string" || sid === "" || (params.From !== undefined && typeof params.From !== "string")) {
      ctx?.invalidVendorEvent("Twilio offered a call without a readable CallSid or From", params);
      return;
    }
    if (calls.has(sid)) return; // a duplicate offer
    const data = stringRecord(call.customParameters);
    const entry: CallEntry = { id: sid, call, direction: "inbound", state: "ringing", data, thirdParties: new Map() };
    if (typeof params.From === "string") entry.from = params.From;
    if (typeof params.To === "string") entry.to = params.To;
    const queue = data[names.queue];
    const callerName = data[names.callerName];
    if (queue !== undefined) entry.queue = queue;
    if (callerName !== undefined) entry.fromName = callerName;
    track(entry);
    report(entry);
  }

  // ---- device -------------------------------------------------------------

  function onDeviceError(error: { code?: unknown; message?: unknown }, call?: TwilioCall): void {
    const cti = toTwilioCtiError(error);
    const entry = call ? [...calls.values()].find((e) => e.call === call) : undefined;
    if (entry) {
      // A signalling error about one call (the SDK reports these on the Device only).
      if (typeof error.code === "number") entry.errorCode = error.code;
      ctx?.signal({ kind: "error", code: cti.code, message: cti.message, callId: entry.id });
      if (closed(entry.call)) end(entry, END_BY_ERROR[entry.errorCode ?? 0] ?? "failed");
      return;
    }
    if (error.code === 31400 && /malformed/i.test(String(error.message))) {
      return ctx?.invalidVendorEvent("Twilio sent a malformed signalling frame", { code: error.code, message: error.message });
    }
    ctx?.signal({ kind: "error", code: cti.code, message: cti.message });
    if (error.code === 20104) void refreshToken(); // expired: fetch a new one and carry on
  }

  async function refreshToken(): Promise<void> {
    try {
      const token = await options.getToken();
      if (!stopped && device && String(device.state) !== "destroyed") device.updateToken(token);
    } catch (cause) {
      ctx?.signal({ kind: "error", code: "AUTH_FAILED", message: `Could not refresh the Twilio access token: ${cause instanceof Error ? cause.message : "token provider failed"}` });
    }
  }

  /** After a signalling reconnect: calls the SDK dropped meanwhile are gone. */
  function resync(): void {
    if (!ctx || !device) return;
    // The SDK drops offers (pending calls) on a socket close; the active call resumes or closes.
    const offers = new Set(device.calls);
    for (const entry of [...calls.values()]) if (closed(entry.call) || (entry.state === "ringing" && !offers.has(entry.call))) end(entry, "lost");
    for (const entry of calls.values()) report(entry);
  }

  function onRegistered(): void {
    if (!loggedIn) return;
    ctx?.setLink("connected");
    if (linkLost) {
      linkLost = false;
      resync();
    }
  }

  function onUnregistered(): void {
    if (!loggedIn || loggingOut || stopped) return;
    linkLost = true;
    ctx?.setLink("reconnecting", "Twilio signalling connection lost");
  }

  function requireDevice(): Device {
    if (!device) throw new CtiError("LINK_DOWN", "The Twilio Device is not ready yet");
    return device;
  }

  function entryFor(id: string): CallEntry {
    const entry = calls.get(id);
    if (!entry) throw new CtiError("INVALID_STATE", "This call is no longer known to the Twilio Device");
    return entry;
  }

  function requireBackend(): CallControlBackend {
    if (!backend) throw new CtiError("NOT_SUPPORTED", "Hold, transfer and conference need a call-control backend");
    return backend;
  }

  /** Settles with the first of: an SDK event, an SDK error, or the desktop giving up. */
  function waitForCall(call: TwilioCall, event: string, signal: AbortSignal, request: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const cleanup = (): void => {
        call.removeListener(event, onDone);
        call.removeListener("error", onError);
        call.removeListener("cancel", onGone);
        call.removeListener("disconnect", onGone);
        signal.removeEventListener("abort", onAbort);
      };
      const onDone = (): void => (cleanup(), resolve());
      const onError = (error: unknown): void => (cleanup(), reject(toTwilioCtiError(error, request)));
      // An `error` may follow the `disconnect` in the same tick (e.g. no microphone): prefer its code.
      const onGone = (): void => void setTimeout(() => (cleanup(), reject(new CtiError("INVALID_STATE", "The call ended before Twilio confirmed", { request }))), 0);
      const onAbort = (): void => (cleanup(), reject(new CtiError("REQUEST_TIMEOUT", "Twilio did not confirm in time", { request })));
      call.once(event, onDone);
      call.once("error", onError);
      call.once("cancel", onGone);
      call.once("disconnect", onGone);
      signal.addEventListener("abort", onAbort);
    });
  }

  const reportAgent = (agent: Parameters<ConnectorContext["setAgent"]>[0]): void => ctx?.setAgent(agent);

  /** Fetches a token, loads the SDK and builds the Device; on failure reports it and tries again later. */
  async function createDevice(context: ConnectorContext, attempt: number): Promise<void> {
    try {
      const [token, sdk] = await Promise.all([options.getToken(), options.loadSdk ? options.loadSdk() : import("@twilio/voice-sdk")]);
      if (stopped) return;
      const deviceOptions: Device.Options = {
        closeProtection: false,
        // Distinct SDK errors for busy / declined / not found instead of a generic 31005.
        enableImprovedSignalingErrorPrecision: true,
        ...(options.edge === undefined ? {} : { edge: options.edge }),
        ...(options.codecPreferences === undefined ? {} : { codecPreferences: options.codecPreferences }),
        ...(options.sounds === undefined ? {} : { sounds: options.sounds }),
        ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
        ...(options.allowIncomingWhileBusy === undefined ? {} : { allowIncomingWhileBusy: options.allowIncomingWhileBusy }),
        ...(options.deviceOptions as Device.Options | undefined),
      };
      const d = new sdk.Device(token, deviceOptions);
      device = d;
      if (options.incomingSound === false) d.audio?.incoming(false);
      d.on("incoming", (call: TwilioCall) => guard(() => onIncoming(call)));
      d.on("error", (error: { code?: unknown; message?: unknown }, call?: TwilioCall) => guard(() => onDeviceError(error, call)));
      d.on("registered", () => guard(onRegistered));
      d.on("unregistered", () => guard(onUnregistered));
      d.on("tokenWillExpire", () => void refreshToken());
      context.setLink("connected");
    } catch (cause) {
      if (stopped) return;
      const cti = toTwilioCtiError(cause);
      context.setLink("disconnected", cti.message);
      context.signal({ kind: "error", code: cti.code === "VENDOR_ERROR" ? "AUTH_FAILED" : cti.code, message: `Could not start the Twilio Device: ${cti.message}` });
      // A token service that is down at page load should not need a reload.
      const delay = retryDelays[Math.min(attempt, retryDelays.length - 1)];
      if (delay !== undefined) retryTimer = setTimeout(() => void createDevice(context, attempt + 1), delay);
    }
  }

  // ---- the connector ------------------------------------------------------

  return {
    name: options.name ?? "twilio",
    capabilities: twilioCapabilities(options),
    reasons: agentState.reasons,

    async start(context) {
      ctx = context;
      context.setLink("connecting");
      await createDevice(context, 0);
    },

    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      const d = device;
      device = undefined;
      d?.destroy();
      await Promise.resolve();
    },

    async login({ initialState, signal }) {
      const d = requireDevice();
      if (!registered(d)) {
        // register() never settles with a bad token: race it with the SDK's error and the request timeout.
        await new Promise<void>((resolve, reject) => {
          const cleanup = (): void => {
            d.removeListener("error", onError);
            signal.removeEventListener("abort", onAbort);
          };
          const onError = (error: { code?: unknown }): void => {
            if (toTwilioCtiError(error).code !== "AUTH_FAILED" && error.code !== 31005 && error.code !== 53000) return;
            cleanup();
            reject(toTwilioCtiError(error, "login"));
          };
          const onAbort = (): void => (cleanup(), reject(new CtiError("REQUEST_TIMEOUT", "Twilio did not confirm the registration in time", { request: "login" })));
          d.on("error", onError);
          signal.addEventListener("abort", onAbort);
          d.register().then(
            () => (cleanup(), resolve()),
            (error: unknown) => (cleanup(), reject(toTwilioCtiError(error, "login"))),
          );
        });
      }
      loggedIn = true;
      loggingOut = false;
      await agentState.login(reportAgent, initialState, signal);
    },

    async logout({ signal }) {
      const d = requireDevice();
      loggingOut = true;
      try {
        if (registered(d)) await d.unregister();
        loggedIn = false;
        await agentState.logout(reportAgent, signal);
      } finally {
        loggingOut = false;
      }
    },

    setAgentState: ({ reason, signal }: { reason: AgentReason; signal: AbortSignal }) => agentState.setState(reportAgent, reason, signal),

    async dial({ destination, options: dialOptions, signal }) {
      const d = requireDevice();
      const params: Record<string, string> = { ...dialOptions.data, To: destination };
      let call: TwilioCall;
      try {
        call = await d.connect({ params });
      } catch (error) {
        throw toTwilioCtiError(error, "dial");
      }
      if (signal.aborted) {
        call.disconnect();
        throw new CtiError("REQUEST_TIMEOUT", "Twilio did not place the call in time", { request: "dial" });
      }
      const id = call.outboundConnectionId ?? `twilio-out-${++outboundCounter}`;
      const entry: CallEntry = { id, call, direction: "outbound", state: "dialing", to: destination, data: { ...dialOptions.data }, thirdParties: new Map() };
      track(entry);
      report(entry);
      return { callId: id };
    },

    async answer({ call, signal }) {
      const entry = entryFor(call.id);
      const accepted = waitForCall(entry.call, "accept", signal, "answer");
      entry.call.accept();
      await accepted;
    },

    reject({ call }) {
      const entry = entryFor(call.id);
      entry.localEnd = "rejected";
      entry.call.reject();
      return Promise.resolve();
    },

    async hangup({ call, signal }) {
      const consult = consults.get(call.id);
      if (consult) {
        const primary = entryFor(consult.primaryId);
        await requireBackend().dropParty({ callSid: primary.call.parameters.CallSid ?? primary.id, partyCallSid: consult.partySid }, signal);
        return endConsult(consult, "local_hangup");
      }
      const entry = entryFor(call.id);
      if (entry.state === "ringing") {
        entry.localEnd = "rejected";
        entry.call.reject();
        return;
      }
      entry.localEnd = "local_hangup";
      entry.call.disconnect();
    },

    mute: ({ call }) => {
      entryFor(call.id).call.mute(true);
      return Promise.resolve();
    },

    unmute: ({ call }) => {
      entryFor(call.id).call.mute(false);
      return Promise.resolve();
    },

    sendDtmf({ call, digits }) {
      const entry = entryFor(call.id);
      const sdkDigits = digits.replace(/,/g, "w");
      if (!/^[0-9*#w]+$/.test(sdkDigits)) return Promise.reject(new CtiError("INVALID_ARGUMENT", "Twilio sends only 0-9, * and # (and pauses)", { request: "sendDtmf" }));
      try {
        entry.call.sendDigits(sdkDigits);
      } catch (error) {
        return Promise.reject(toTwilioCtiError(error, "sendDtmf"));
      }
      return Promise.resolve();
    },

    ...(backend ? backendRequests(backend) : {}),
  };

  /** Requests that go through the call-control backend (only wired when one is configured). */
  function backendRequests(b: CallControlBackend): Partial<Connector> {
    const sidOf = (entry: CallEntry): string => entry.call.parameters.CallSid ?? entry.id;
    return {
      async hold({ call, signal }) {
        const entry = entryFor(call.id);
        await b.hold({ callSid: sidOf(entry) }, signal);
        entry.state = "held";
        report(entry);
      },
      async resume({ call, signal }) {
        const entry = entryFor(call.id);
        await b.resume({ callSid: sidOf(entry) }, signal);
        entry.state = "connected";
        report(entry);
      },
      async blindTransfer({ call, destination, signal }) {
        const entry = entryFor(call.id);
        entry.localEnd = "transferred";
        try {
          await b.blindTransfer({ callSid: sidOf(entry), to: destination }, signal);
        } catch (error) {
          delete entry.localEnd;
          throw error;
        }
        // The backend removed the agent's leg, so Twilio hangs it up; end it here only if that never comes.
        endSoon(entry);
      },
      async consult({ call, destination, signal }) {
        const entry = entryFor(call.id);
        const { callSid } = await b.consult({ callSid: sidOf(entry), to: destination }, signal);
        entry.state = "held";
        report(entry);
        const consult: ConsultEntry = { id: `consult-${callSid}`, primaryId: entry.id, partySid: callSid, to: destination, state: "dialing" };
        consults.set(consult.id, consult);
        reportConsult(consult);
        return { callId: consult.id };
      },
      async completeTransfer({ call, consultCall, signal }) {
        const [entry, consult] = pair(call.id, consultCall.id);
        entry.localEnd = "transferred";
        try {
          await b.completeTransfer({ callSid: sidOf(entry), consultCallSid: consult.partySid }, signal);
        } catch (error) {
          delete entry.localEnd;
          throw error;
        }
        endConsult(consult, "transferred");
        endSoon(entry);
      },
      async conference({ call, consultCall, signal }) {
        const [entry, consult] = pair(call.id, consultCall.id);
        await b.conference({ callSid: sidOf(entry), consultCallSid: consult.partySid }, signal);
        entry.state = "connected";
        entry.thirdParties.set(consult.partySid, { id: consult.partySid, role: "third_party", state: "connected", address: consult.to });
        report(entry);
        endConsult(consult, "merged");
      },
      async dropParty({ call, party, signal }) {
        const entry = entryFor(call.id);
        const member = entry.thirdParties.get(party.id);
        if (!member) throw new CtiError("INVALID_ARGUMENT", "Only a conference member the agent added can be dropped", { request: "dropParty" });
        await b.dropParty({ callSid: sidOf(entry), partyCallSid: member.id }, signal);
        entry.thirdParties.set(member.id, { ...member, state: "disconnected" });
        report(entry);
      },
    };
  }

  /** After a transfer: Twilio's hangup ends the agent's leg; disconnect it ourselves if it has not within 5 s. */
  function endSoon(entry: CallEntry): void {
    const timer = setTimeout(() => {
      if (calls.get(entry.id) === entry && !stopped) entry.call.disconnect();
    }, TRANSFER_HANGUP_GRACE_MS);
    entry.call.once("disconnect", () => clearTimeout(timer));
  }

  /** The primary call and its consult leg, whichever of the two the desktop passed as `call`. */
  function pair(a: string, b: string): [CallEntry, ConsultEntry] {
    const consult = consults.get(b) ?? consults.get(a);
    const primary = consult ? calls.get(consult.primaryId) : undefined;
    if (!consult || !primary) throw new CtiError("INVALID_STATE", "There is no consult call to complete");
    return [primary, consult];
  }

  /** Nothing the SDK hands us may throw back into its event emitter. */
  function guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      warn("failed to handle an SDK event", error);
      ctx?.signal({ kind: "error", code: "VENDOR_ERROR", message: "The Twilio connector failed to handle an SDK event" });
    }
  }
}
