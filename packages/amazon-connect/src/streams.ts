/**
 * The Streams seam: the slice of the amazon-connect-streams global (`connect`)
 * this connector uses, loading it, initialising the CCP from the options,
 * subscribing to its event bus and undoing all of that on stop. The types are
 * declared here rather than taken from the package's global namespace
 * typings so a Streams instance can be injected (a JSDOM window in tests, a
 * page that loaded Streams with a <script> tag).
 */
import { guard, serverName, type ContextRef } from "@opencti/core/connector";
import type { AmazonConnectConnectorOptions, ResolvedOptions } from "./options.js";

export interface StreamsCallbacks {
  success?: (data?: unknown) => void;
  failure?: (err?: unknown, data?: unknown) => void;
}

export interface StreamsSubscription {
  unsubscribe(): void;
}

export interface StreamsEventBus {
  subscribe(event: string, handler: (data: unknown) => void): StreamsSubscription;
}

/** An agent state as Connect lists it: `{ agentStateARN, type, name }`. */
export interface StreamsAgentState {
  readonly agentStateARN?: string | null;
  readonly type: string;
  readonly name: string;
}

export type StreamsEndpoint = object;

export interface StreamsAgent {
  setState(state: StreamsAgentState, callbacks: StreamsCallbacks, options?: { enqueueNextState?: boolean }): void;
  connect(endpoint: StreamsEndpoint, params: StreamsCallbacks & { queueARN?: string; timeout?: number }): void;
  mute(): void;
  unmute(): void;
  getEndpoints(queueARNs: string[], callbacks: { success: (data: { endpoints?: unknown[] }) => void; failure?: (err?: unknown) => void }): void;
  getAllQueueARNs(): string[];
  /** Broadcasts `configuration::set_speaker_device` `{ deviceId }` to the CCP (its softphone's remote audio `setSinkId`). */
  setSpeakerDevice(deviceId: string): void;
  /** Broadcasts `configuration::set_microphone_device` `{ deviceId }` (the CCP replaces the live call's input track). */
  setMicrophoneDevice(deviceId: string): void;
  /** Broadcasts `configuration::set_ringer_device` `{ deviceId }` (the CCP's ringtone engine's output). */
  setRingerDevice(deviceId: string): void;
}

export interface StreamsContact {
  accept(callbacks: StreamsCallbacks): void;
  reject(callbacks: StreamsCallbacks): void;
  clear(callbacks: StreamsCallbacks): void;
  addConnection(endpoint: StreamsEndpoint, callbacks: StreamsCallbacks): void;
  toggleActiveConnections(callbacks: StreamsCallbacks): void;
  conferenceConnections(callbacks: StreamsCallbacks): void;
  /** A supervisor's monitoring contact: `SILENT_MONITOR` or `BARGE` (Streams' `updateMonitorParticipantState` → the CCP's UpdateMonitorParticipantState API). */
  updateMonitorParticipantState(targetState: "SILENT_MONITOR" | "BARGE", callbacks: StreamsCallbacks): void;
}

export interface StreamsConnection {
  hold(callbacks: StreamsCallbacks): void;
  resume(callbacks: StreamsCallbacks): void;
  destroy(callbacks: StreamsCallbacks): void;
  sendDigits(digits: string, callbacks: StreamsCallbacks): void;
}

/** initCCP parameters (the subset this connector sets). */
export interface StreamsInitParams {
  ccpUrl: string;
  region?: string;
  loginPopup?: boolean;
  loginPopupAutoClose?: boolean;
  loginUrl?: string;
  loginOptions?: { autoClose?: boolean; height?: number; width?: number; top?: number; left?: number };
  softphone?: { allowFramedSoftphone?: boolean; disableRingtone?: boolean; ringtoneUrl?: string };
  ccpLoadTimeout?: number;
  ccpAckTimeout?: number;
  ccpSynTimeout?: number;
}

export interface StreamsGlobal {
  readonly core: {
    initCCP(container: HTMLElement, params: StreamsInitParams): void;
    getEventBus(): StreamsEventBus | undefined | null;
    getAgentDataProvider(): { getAgentData(): unknown } | undefined | null;
    terminate(): void;
    initialized?: boolean;
    /** The CCP frame's `enumerateDevices()` as JSON (`media_device_request` → `media_device_response`); rejects after `timeoutMs`. */
    getFrameMediaDevices?(timeoutMs: number): Promise<unknown>;
  };
  readonly Agent: new () => StreamsAgent;
  readonly Contact: new (contactId: string) => StreamsContact;
  readonly VoiceConnection: new (contactId: string, connectionId: string) => StreamsConnection;
  readonly Endpoint: { byPhoneNumber(number: string, name?: string): StreamsEndpoint; new (data: unknown): StreamsEndpoint };
  readonly EventType: Readonly<Record<string, string>>;
  readonly AgentEvents: Readonly<Record<string, string>>;
}

/** Event names on the Streams bus (stable wire values of connect.AgentEvents / connect.EventType). */
const STREAMS_EVENTS = {
  refresh: "agent::refresh",
  muteToggle: "agent::mute_toggle",
  softphoneError: "agent::softphone_error",
  websocketLost: "agent::websocket_connection_lost",
  websocketGained: "agent::websocket_connection_gained",
  ackTimeout: "ack_timeout",
  acknowledge: "acknowledge",
  authFail: "auth_fail",
  accessDenied: "access_denied",
  iframeRetriesExhausted: "iframe_retries_exhausted",
  speakerDeviceChanged: "configuration::speaker_device_changed",
  microphoneDeviceChanged: "configuration::microphone_device_changed",
  ringerDeviceChanged: "configuration::ringer_device_changed",
  localMediaStreamCreated: "agent::local_media_stream_created",
  terminated: "terminated",
} as const;

/**
 * Loads the real library (a global script) and returns its `connect` namespace.
 * With `scriptUrl` it is added as a classic <script> (what Amazon documents,
 * and clean under a strict CSP: as a classic script Streams finds the global
 * object without trying `new Function`); otherwise it is imported through the
 * bundler.
 */
export async function loadStreams(scriptUrl?: string): Promise<StreamsGlobal> {
  const scope = globalThis as unknown as { connect?: StreamsGlobal };
  if (scope.connect?.core) return scope.connect;
  if (scriptUrl) {
    // Named without a query (a signed URL's): the failure becomes an error event.
    const where = serverName(scriptUrl, true);
    await new Promise<void>((resolve, reject) => {
      const script = document.createElement("script");
      script.src = scriptUrl;
      script.async = true;
      script.addEventListener("load", () => resolve(), { once: true });
      script.addEventListener("error", () => reject(new Error(`could not load amazon-connect-streams from ${where}`)), { once: true });
      document.head.append(script);
    });
    if (!scope.connect?.core) throw new Error(`${where} did not define the global \`connect\``);
    return scope.connect;
  }
  // @ts-expect-error -- the package's typings declare a global script, not a module; it is imported for its side effect.
  await import("amazon-connect-streams");
  const loaded = scope.connect;
  if (!loaded?.core) throw new Error("amazon-connect-streams loaded but did not define the global `connect`");
  return loaded;
}

/** initCCP's parameters from the connector's options. */
export function initParams(options: AmazonConnectConnectorOptions, resolved: ResolvedOptions): StreamsInitParams {
  const popup = options.loginPopup;
  return {
    ccpUrl: options.ccpUrl,
    ...(options.region ? { region: options.region } : {}),
    loginPopup: resolved.loginPopup !== false,
    ...(typeof popup === "object" ? { loginOptions: popup, loginPopupAutoClose: popup.autoClose ?? true } : {}),
    ...(options.loginUrl ? { loginUrl: options.loginUrl } : {}),
    // Without allowFramedSoftphone an embedded CCP takes no softphone calls: they stay "connecting" and are missed.
    softphone: { allowFramedSoftphone: true, disableRingtone: false, ...options.softphone },
    ccpLoadTimeout: resolved.loadTimeoutMs,
    ...(options.ccpAckTimeoutMs ? { ccpAckTimeout: options.ccpAckTimeoutMs } : {}),
  };
}

/** A handler per Streams bus event the connector listens to (see STREAMS_EVENTS). */
export type StreamsHandlers = { readonly [K in keyof typeof STREAMS_EVENTS]?: (data: unknown) => void };

/** What `open` set up in Streams and the page; `close` undoes it (also after a half-finished `open`). */
export interface StreamsWiring {
  /**
   * initCCP into `container`, then subscribes each handler to the event bus.
   * Handlers never throw into Streams' dispatch (a throw is an
   * INVALID_VENDOR_EVENT through `ctx`, with the payload) and are skipped once `active()` is false. Throws when Streams does.
   */
  open(streams: StreamsGlobal, container: HTMLElement, params: StreamsInitParams, handlers: StreamsHandlers): void;
  /** Unsubscribes, terminates Streams and removes the iframes initCCP added. */
  close(): void;
}

export function createStreamsWiring(ctx: ContextRef, active: () => boolean): StreamsWiring {
  let streams: StreamsGlobal | undefined;
  let subscriptions: StreamsSubscription[] = [];
  let frames: Element[] = [];
  return {
    open(s, container, params, handlers) {
      streams = s;
      subscriptions = [];
      const before = new Set(Array.from(container.children));
      s.core.initCCP(container, params);
      frames = Array.from(container.children).filter((e) => !before.has(e));
      const bus = s.core.getEventBus();
      if (!bus) throw new Error("Streams has no event bus after initCCP");
      for (const [key, handler] of Object.entries(handlers)) {
        const event = STREAMS_EVENTS[key as keyof typeof STREAMS_EVENTS];
        // A handler that fails on what Streams sent is an INVALID_VENDOR_EVENT carrying the payload; the desktop goes on.
        const safe = guard(ctx, (data: unknown) => (active() ? handler(data) : undefined), { message: `Amazon Connect's ${event} event could not be handled` });
        subscriptions.push(bus.subscribe(event, safe));
      }
    },
    close() {
      for (const sub of subscriptions) {
        try {
          sub.unsubscribe();
        } catch {
          // already gone
        }
      }
      subscriptions = [];
      try {
        streams?.core.terminate();
      } catch {
        // Streams may not have finished initialising.
      }
      for (const frame of frames) frame.remove();
      frames = [];
    },
  };
}
