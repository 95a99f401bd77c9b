/**
 * The Desktop Interface: what a panel or a CRM page calls. It checks every
 * request against state and capabilities before the connector sees it, times
 * it out, and turns connector reports into normalized events.
 */
import type { Connector, ConnectorContext, DialOptions, LoginRequest } from "./connector.js";
import { toCtiError, type CtiError } from "./errors.js";
import type { DesktopEvent, DesktopEventMap, DesktopEventType, EventBody } from "./events.js";
import { redact, redactingLogger, silentLogger, type Logger, type LogLevel } from "./logger.js";
import { TELEPHONY_MODES, type AudioUse, type MonitorMode, type Call, type CallAction, type Capability, type DesktopSnapshot, type TelephonyMode, type WrapUp } from "./model.js";
import { ACTION_CAPABILITY, over } from "./actions.js";
import { fail, REQUESTS, type RequestName, type RequestScope, type RequestSpec } from "./requests.js";
import { DesktopStore, invalid } from "./store.js";
import { LIMITS } from "./validate.js";

/** What `createDesktop` takes. */
export interface DesktopOptions {
  /** The vendor's connector (one per desktop); the desktop starts it at once. */
  connector: Connector;
  /**
   * How long a request (and login's wait for the link) may take, in ms.
   * Default 15 000. Past it the request rejects with REQUEST_TIMEOUT (login's
   * wait: LINK_DOWN) and the connector's `signal` aborts.
   */
  requestTimeoutMs?: number;
  /** Receives redacted log lines (each at most `LIMITS.redacted` characters). Silent by default. */
  logger?: Logger;
  /** The lowest level logged. Default "info". */
  logLevel?: LogLevel;
  /** How many events `events()` keeps (a ring buffer; 0 keeps none). Default 200. */
  historyLimit?: number;
  /** Clock in epoch ms, for tests. Default `Date.now`. */
  now?: () => number;
  /**
   * How many live calls the desktop tracks at once: a report of one more is
   * refused as INVALID_VENDOR_EVENT. Default `LIMITS.calls` (64), enough for
   * an agent; raise it for a supervisor wall or a server-side monitor (the
   * work per report does not grow with the number of calls).
   */
  maxCalls?: number;
  /**
   * Another desktop's last state, to carry on from (a tab taking over the
   * vendor session, see `@opencti/core/tabs`): its calls, agent and devices
   * as they were, events numbered on from `seq`. The link goes
   * `connecting` at once; the connector's first sync corrects the rest.
   */
  resume?: { readonly seq: number; readonly snapshot: DesktopSnapshot };
}

/** Removes the listener `on` added. */
export type Unsubscribe = () => void;
type Handler<E> = (event: E) => void;

/**
 * The Desktop Interface: state, events and requests.
 *
 * Every request returns a Promise that resolves when the vendor confirms (the
 * change itself arrives as an event) and rejects with a `CtiError` whose
 * `request` is the method's name. Checks run before the connector is called,
 * in this order (see REQUESTS in requests.ts):
 *
 * - `NOT_SUPPORTED`: the connector lacks the capability (or the method);
 * - `LINK_DOWN`: the link is not `connected` (retryable);
 * - `NOT_LOGGED_IN`: the agent is logged out;
 * - `INVALID_STATE`: for a request on a call, the call is unknown, has ended,
 *   or the request is not in its `actions`;
 * - the request's own argument checks (listed on each method);
 * - `INVALID_STATE`: the same request (on the same call) is still in flight.
 *
 * Then the connector runs it, bounded by `requestTimeoutMs`: `REQUEST_TIMEOUT`
 * (retryable), the connector's own CtiError (`AUTH_FAILED`,
 * `DESTINATION_BUSY`, `CALL_REJECTED`, `MEDIA_PERMISSION_DENIED`, …) or
 * `VENDOR_ERROR` (retryable) for anything else it throws. Messages are at most
 * `LIMITS.message` characters.
 */
export interface Desktop {
  /** The connector's name, as on every event. */
  readonly connector: string;
  /** What the connector can do; requests outside it reject with NOT_SUPPORTED. */
  readonly capabilities: readonly Capability[];
  /** Pega's telephony mode, derived from `capabilities`. */
  readonly mode: TelephonyMode;
  /** The current state: link, agent, live calls (oldest first, at most `maxCalls`), capabilities, reasons, mode. */
  snapshot(): DesktopSnapshot;
  /** A live call by id; undefined once it has ended. */
  getCall(id: string): Call | undefined;
  /** The most recent events, oldest first (at most `historyLimit`). */
  events(): readonly DesktopEvent[];
  /** Calls `handler` for every event of `type`, in `seq` order; a throwing handler is logged and skipped. */
  on<T extends DesktopEventType>(type: T, handler: Handler<DesktopEventMap[T]>): Unsubscribe;
  /** Calls `handler` for every event. */
  on(type: "*", handler: Handler<DesktopEvent>): Unsubscribe;

  /**
   * Logs the agent in, first waiting for the link to connect (at most
   * `requestTimeoutMs`). Rejects with INVALID_STATE when already logged in,
   * LINK_DOWN when the link does not connect in time, AUTH_FAILED from the
   * connector on bad credentials.
   */
  login(request?: LoginRequest): Promise<void>;
  /**
   * Logs the agent out, with one of the connector's reasons (`reasonId`).
   * Rejects with NOT_LOGGED_IN, INVALID_STATE while calls remain (end or wrap
   * them up first), INVALID_ARGUMENT for an unknown reason, then LINK_DOWN.
   */
  logout(reasonId?: string): Promise<void>;
  /**
   * A reason id ("lunch") or a state ("ready": its first reason). Resolves at
   * once when the agent is already there. Needs `agentState`; rejects with
   * INVALID_ARGUMENT for an unknown reason or state (or "logged_out": use logout).
   */
  setAgentState(reasonOrState: string): Promise<void>;
  /**
   * Places an outbound call and resolves with its id. `destination`: a phone
   * number (formatting is dropped: `+1 (555) 010-0199` → `+15550100199`, 2 to
   * 32 digits), a SIP URI or a named target, at most `LIMITS.id` (256)
   * characters. `options.data`: string values only, at most
   * `LIMITS.dataEntries` (200) entries, keys of `LIMITS.id` and values of
   * `LIMITS.longText` (8192) characters, `LIMITS.dataChars` (65 536) in all.
   * Needs `dial`; rejects with INVALID_DESTINATION, INVALID_ARGUMENT (data),
   * or INVALID_STATE while a call is connected or dialing (hold it first).
   */
  dial(destination: string, options?: DialOptions): Promise<string>;
  /** Answers a ringing call. Needs `answer`; INVALID_STATE unless the call is ringing. */
  answer(callId: string): Promise<void>;
  /** Declines a ringing call. Needs `reject`; INVALID_STATE unless the call is ringing. */
  reject(callId: string): Promise<void>;
  /** Ends a dialing, connected or held call. Needs `hangup`. */
  hangup(callId: string): Promise<void>;
  /** Holds a connected call. Needs `hold`. */
  hold(callId: string): Promise<void>;
  /** Resumes a held call (not while another call is connected, nor a consult pair: use swap). Needs `hold`. */
  resume(callId: string): Promise<void>;
  /** Mutes the agent's microphone on a connected call. Needs `mute`. */
  mute(callId: string): Promise<void>;
  /** Unmutes it. Needs `mute`. */
  unmute(callId: string): Promise<void>;
  /**
   * Sends DTMF on a connected call: 1 to 64 of `0-9 * # A-D`, with `,` or `w`
   * for a pause. Needs `dtmf`; INVALID_ARGUMENT for other digits.
   */
  sendDtmf(callId: string, digits: string): Promise<void>;
  /**
   * Transfers a connected call away without consulting (the destination as
   * for `dial`). Needs `blindTransfer`; INVALID_DESTINATION.
   */
  blindTransfer(callId: string, destination: string): Promise<void>;
  /**
   * Places a consult call from a connected call (which the vendor holds) and
   * resolves with its id (the destination as for `dial`). Needs `consult`;
   * INVALID_DESTINATION; INVALID_STATE when the call already has a consult call.
   */
  consult(callId: string, destination: string): Promise<string>;
  /**
   * Either call of a consult pair: joins the customer and the consulted party,
   * the agent leaves. Needs `completeTransfer`; INVALID_STATE without a live
   * consult pair.
   */
  completeTransfer(callId: string): Promise<void>;
  /**
   * Either call of a consult pair: merges them into one call with every party.
   * Needs `conference`; INVALID_STATE without a live consult pair.
   */
  conference(callId: string): Promise<void>;
  /**
   * Either call of a consult pair: the held one becomes active and vice versa.
   * Needs `swap`; INVALID_STATE unless one is held and the other connected.
   */
  swap(callId: string): Promise<void>;
  /**
   * Drops a remote party from a call with two or more of them (a conference).
   * Needs `dropParty`; INVALID_ARGUMENT when `partyId` is not a live remote
   * party of the call.
   */
  dropParty(callId: string, partyId: string): Promise<void>;
  /**
   * Ends after-call work. `disposition` at most `LIMITS.text` (1024)
   * characters, `notes` at most `LIMITS.longText` (8192); other fields are
   * dropped. Needs `wrapUp`; INVALID_ARGUMENT beyond the limits; INVALID_STATE
   * unless the call is in wrap-up.
   */
  completeWrapUp(callId: string, wrapUp?: WrapUp): Promise<void>;
  /**
   * Uses the device `deviceId` (an id in `snapshot().audio.devices`, an input
   * for `input`, an output for `output` and `ringer`), on a live call at once;
   * resolves when `snapshot().audio` shows it. Works while logged out and
   * while the link is down (the connector may still refuse: LINK_DOWN).
   * Needs `audioDevices`; INVALID_ARGUMENT for an unknown device or use;
   * MEDIA_PERMISSION_DENIED when the browser refuses the device.
   */
  selectAudioDevice(use: AudioUse, deviceId: string): Promise<void>;
  /**
   * Pauses a call's recording (a customer reading out card details) and
   * resolves once `call.recording` is "paused". Needs `recordingControl`;
   * INVALID_STATE unless the call is connected or held and recording ("active").
   */
  pauseRecording(callId: string): Promise<void>;
  /** Resumes a paused recording (`call.recording` "active" again). Needs `recordingControl`; INVALID_STATE unless paused. */
  resumeRecording(callId: string): Promise<void>;
  /**
   * Supervisors: starts a session on `target` (a vendor call or agent id: a
   * Connect contact id, a Twilio CallSid, a SIP extension; 1 to `LIMITS.id`
   * characters) in `mode` (default "monitor": listen only; "whisper": coach
   * the agent; "barge": join) and resolves with the session's call id, a
   * call with direction `monitor` left with `hangup`. Needs `monitor` (and
   * `whisper` or `barge` for those modes: NOT_SUPPORTED); INVALID_ARGUMENT
   * for an empty target or unknown mode.
   */
  monitor(target: string, mode?: MonitorMode): Promise<string>;
  /** Changes a monitoring session's mode; resolves once `call.monitorMode` shows it. Needs `monitor` and the mode's capability. */
  setMonitorMode(callId: string, mode: MonitorMode): Promise<void>;
  /**
   * Sets the link `disconnected` (one last `link.changed`, reason "The desktop
   * was destroyed."), then stops the connector and removes every listener;
   * later reports are ignored and requests reject with INVALID_STATE.
   */
  destroy(): Promise<void>;
}

/** `full` with answer and hangup, `agent_state` with agentState, `screen_pop` otherwise. */
export function telephonyMode(capabilities: readonly Capability[]): TelephonyMode {
  const has = (c: Capability): boolean => capabilities.includes(c);
  return TELEPHONY_MODES[has("answer") && has("hangup") ? 2 : +has("agentState")]!;
}

/**
 * A Desktop on `options.connector`, started at once (a connector that fails
 * to start leaves the link `disconnected` with an `error` event).
 */
export function createDesktop(options: DesktopOptions): Desktop {
  const { connector } = options;
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const historyLimit = options.historyLimit ?? 200;
  const now = options.now ?? Date.now;
  // No logger, nothing to redact: every line would be dropped.
  const logger = options.logger ? redactingLogger(options.logger, { level: options.logLevel }) : silentLogger;
  const capabilities = [...connector.capabilities];
  const mode = telephonyMode(capabilities);
  const store = new DesktopStore({ capabilities, reasons: connector.reasons, now, maxCalls: options.maxCalls });
  const listeners = new Map<string, Set<Handler<DesktopEvent>>>();
  const pending = new Set<string>();
  /** In-flight requests' checks (and login's wait for the link), run after every batch of reports. */
  const watchers = new Set<() => void>();
  let seq = options.resume?.seq ?? 0;
  let destroyed = false;
  let closing = false;
  /** Why the connector failed to start: login rejects with it at once. */
  let startError: CtiError | undefined;
  const gone = (request: string): CtiError => fail("INVALID_STATE", "The desktop was destroyed.", request);

  // Events raised while listeners run are queued, so every listener sees
  // events in seq order. The history is a ring buffer: no per-event copying.
  const ring: (DesktopEvent | undefined)[] = new Array<DesktopEvent | undefined>(historyLimit);
  let ringNext = 0;
  const debug = options.logLevel === "debug";
  const queue: DesktopEvent[] = [];
  let emitting = false;
  /** Calls each listener in `set` with `event`; a throwing listener is logged and skipped. */
  function dispatch(set: Set<Handler<DesktopEvent>> | undefined, event: DesktopEvent): void {
    if (set)
      for (const handler of set) {
        try {
          handler(event);
        } catch (err) {
          logger.error(`A listener for ${event.type} threw`, { error: err });
        }
      }
  }
  function emit(bodies: EventBody[]): void {
    if (destroyed || !bodies.length) return;
    for (const body of bodies) {
      // Stamped in place, not copied: every body is a new object the store made for this one event.
      const event = body as DesktopEvent & { seq: number; at: number; connector: string };
      event.seq = ++seq;
      event.at = now();
      event.connector = connector.name;
      if (event.type === "error") {
        if (event.raw !== undefined) (event as { raw: unknown }).raw = redact(event.raw, LIMITS.raw);
        logger.warn(event.message, { code: event.code, callId: event.callId });
      } else if (debug) logger.debug(event.type, { seq: event.seq });
      // (A whole number: new Array() above refused anything else.)
      if (historyLimit) {
        ring[ringNext++] = event;
        ringNext %= historyLimit;
      }
      queue.push(event);
    }
    if (watchers.size) for (const watch of watchers) watch();
    if (emitting) return;
    emitting = true;
    try {
      // An array iterator also sees the events queued while it runs.
      for (const event of queue) {
        // The listeners for its type, then those for every event.
        dispatch(listeners.get(event.type), event);
        dispatch(listeners.get("*"), event);
      }
    } finally {
      queue.length = 0;
      emitting = false;
      // destroy() called from a listener: the listeners go once every queued event reached them.
      if (destroyed) listeners.clear();
    }
  }

  // Connector reports: validated by the store, never thrown back at the vendor.
  // (Up to three arguments, named: no rest array on every report.)
  const guard =
    (name: string, fn: (this: DesktopStore, a?: unknown, b?: unknown, c?: unknown) => EventBody[]) =>
    (a?: unknown, b?: unknown, c?: unknown): void => {
      try {
        emit(fn.call(store, a, b, c));
      } catch (err) {
        // Through redact: what was thrown may have no string form (or a throwing one).
        const safe = redact(err, 256);
        emit(invalid(`${name} failed: ${String((Object(safe) as { message?: unknown }).message ?? safe)}`, [a, b, c].slice(0, c !== undefined ? 3 : b !== undefined ? 2 : 1)));
      }
    };
  const ctx = {
    invalidVendorEvent: guard("invalidVendorEvent", (message, raw, callId) =>
      store.signal({ kind: "error", code: "INVALID_VENDOR_EVENT", message, raw, callId }),
    ),
    getCall: (id: string) => store.calls.get(id),
    logger,
  } as unknown as ConnectorContext & Record<string, unknown>;
  for (const method of ["upsertCall", "removeCall", "setAgent", "setLink", "setReasons", "setDirectory", "setAudioDevices", "sync", "signal"] as const) {
    ctx[method] = guard(method, store[method]);
  }

  // Requests: each is described once in REQUESTS and runs through request().

  /** The one path every request takes (see REQUESTS for the order of its checks). */
  async function request(name: RequestName, args: unknown[]): Promise<unknown> {
    if (destroyed) throw gone(name);
    const spec: RequestSpec = REQUESTS[name];
    // The request in words, for messages: "hold the call", "dial".
    const words = spec.words ?? name;
    // The call actions are the requests on a call; each needs its action's capability.
    const action: Capability | undefined = ACTION_CAPABILITY[name as CallAction];
    const capability = spec.capability ?? action;
    if (capability && !store.capabilities.has(capability)) throw fail("NOT_SUPPORTED", `The ${connector.name} connector cannot ${words}.`, name);
    if (!spec.link && store.link !== "connected") throw fail("LINK_DOWN", `Cannot ${words}: the telephony link is ${store.link}.`, name);
    if (name !== "login" && spec.link !== "local" && store.agent.state === "logged_out") throw fail("NOT_LOGGED_IN", `Log in before you ${words}.`, name);
    let call: Call | undefined;
    if (action) {
      const callId = args.shift() as string;
      call = store.calls.get(callId);
      if (!call) throw fail("INVALID_STATE", `Cannot ${words}: call ${callId} ${store.hasEnded(callId) ? "has ended" : "is not known"}.`, name, callId);
      if (!call.actions.includes(name as CallAction))
        throw fail(
          "INVALID_STATE",
          // A ringing call not offering answer: another call is in progress (see deriveActions).
          `Cannot ${words}: ${call.state === "ringing" && name === "answer" ? "hold or end the other call first" : `the call is ${call.state === "wrapup" ? "in wrap-up" : call.state}`}.`,
          name,
          callId,
        );
    }
    const fields = spec.args ? (spec.args as (scope: RequestScope, ...a: unknown[]) => Record<string, unknown> | undefined)({ store, call, name }, ...args) : {};
    if (!fields) return undefined; // nothing to do
    if (spec.link === "after" && store.link !== "connected") throw fail("LINK_DOWN", `Cannot ${words}: the telephony link is ${store.link}.`, name);
    // The timer and watch of login's wait for the link, then of the connector call; each set by its executor, which runs at once.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let watch!: () => void;
    if (spec.link === "wait") {
      // login: waits for the link to connect.
      try {
        await new Promise<void>((resolve, reject) => {
          timer = setTimeout(() => reject(fail("LINK_DOWN", `The telephony link is still ${store.link} after ${timeoutMs} ms.`, "login")), timeoutMs);
          // A connector that failed to start will not connect: its error at once.
          watchers.add((watch = () => (destroyed ? reject(gone(name)) : startError ? reject(startError) : store.link === "connected" && resolve())));
          watch();
        });
      } finally {
        clearTimeout(timer);
        watchers.delete(watch);
      }
    }
    if (!connector[name]) throw fail("NOT_SUPPORTED", `The ${connector.name} connector cannot ${words}.`, name);
    // The connector call, bounded by the timeout; a duplicate is refused while one is in flight.
    // (Per call; per use for a device: the microphone and the ringer may switch at once.)
    const key = call && !spec.single ? `${name}:${call.id}` : fields.use ? `${name}:${fields.use as string}` : name;
    if (pending.has(key)) throw fail("INVALID_STATE", `A ${name} request is already in progress.`, name);
    pending.add(key);
    const controller = new AbortController();
    /** The connector's answer, once it resolved. */
    let answer: [{ callId: string } | void] | undefined;
    const started = now();
    try {
      // Whichever settles first wins; a settle after the timeout is ignored.
      await new Promise<void>((resolve, reject) => {
        /** Whether the desktop has shown the change (see RequestSpec.done). */
        let shown: unknown = !spec.done;
        timer = setTimeout(() => {
          controller.abort();
          reject(fail("REQUEST_TIMEOUT", `The vendor did not ${answer ? "complete" : "answer"} ${name} within ${timeoutMs} ms.`, name));
        }, timeoutMs);
        // Runs when the connector resolves, after every report while in flight, and on destroy.
        watchers.add(
          (watch = () => {
            const c = call && store.calls.get(call.id);
            shown ||= spec.done!(c, store, fields);
            // Over: ended, or gone to wrap-up since the request began (completeWrapUp starts there).
            if (destroyed || (call && !shown && over(c) && c?.state !== call.state)) {
              // A turn later, so the connector's own failure (it ended the call
              // because the request failed) wins over this one; the abort then,
              // so its reaction to the abort does not.
              setTimeout(() => {
                controller.abort();
                reject(destroyed ? gone(name) : fail("INVALID_STATE", `Cannot ${words}: call ${call!.id} has ended.`, name, call!.id));
              });
            } else if (answer && shown) resolve();
          }),
        );
        (connector[name] as (r: object) => Promise<{ callId: string } | void>)({ ...(call && { call }), ...fields, signal: controller.signal }).then((v) => {
          answer = [v];
          watch();
        }, reject);
      });
      logger.debug(`${name} done`, { ms: now() - started });
    } catch (err) {
      const error = toCtiError(err, name);
      logger.info(`${name} failed`, { code: error.code, message: error.message });
      throw error;
    } finally {
      clearTimeout(timer);
      watchers.delete(watch);
      pending.delete(key);
    }
    // dial and consult resolve with the connector's `callId`.
    return name === "dial" || name === "consult" || name === "monitor" ? (answer![0] as { callId: string }).callId : undefined;
  }

  const desktop = {
    connector: connector.name,
    capabilities,
    mode,
    snapshot: () => ({
      connector: connector.name,
      link: store.link,
      agent: store.agent,
      calls: [...store.calls.values()],
      capabilities,
      reasons: store.reasons,
      directory: store.directory,
      audio: store.audio,
      mode,
    }),
    getCall: (id) => store.calls.get(id),
    events: () => [...ring.slice(ringNext), ...ring.slice(0, ringNext)].filter((e) => e) as DesktopEvent[],
    on(type: string, handler: Handler<DesktopEvent>): Unsubscribe {
      const set = listeners.get(type) ?? new Set();
      listeners.set(type, set.add(handler));
      return () => void set.delete(handler);
    },

    async destroy() {
      if (destroyed || closing) return;
      // (A listener of the last event may call destroy again: it returns at once.)
      closing = true;
      // A last link.changed, so a panel stops ringing for calls nobody can answer any more.
      emit(store.setLink("disconnected", "The desktop was destroyed."));
      destroyed = true;
      // Called from a listener: emit clears them once the queue has drained.
      if (!emitting) listeners.clear();
      // Requests in flight reject (their signals abort) instead of waiting for their timeout.
      for (const watch of watchers) watch();
      try {
        await connector.stop();
      } catch (err) {
        logger.warn("The connector failed to stop", { error: err });
      }
    },
  } satisfies Omit<Desktop, RequestName> as unknown as Record<string, unknown>;
  for (const name of Object.keys(REQUESTS) as RequestName[]) desktop[name] = (...args: unknown[]) => request(name, args);

  // Another desktop's state to carry on from (its calls untouched: no events), then the targets the connector knows at once.
  if (options.resume) emit(store.restore(options.resume.snapshot));
  if (connector.directory) ctx.setDirectory(connector.directory);

  void (async () => {
    try {
      await connector.start(ctx);
    } catch (err) {
      const error = (startError = toCtiError(err, "start"));
      emit([...store.setLink("disconnected", error.message), { type: "error", code: error.code, message: error.message, retryable: error.retryable, request: "start" }]);
    }
  })();

  return desktop as unknown as Desktop;
}
