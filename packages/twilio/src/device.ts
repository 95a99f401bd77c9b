/**
 * The @twilio/voice-sdk seam: the Device's session (built from a token and the
 * lazily loaded SDK, retried after a failed start, its token refreshed, its
 * registration followed as the link state), subscribing to SDK events,
 * placing calls and waiting on them.
 *
 * While the signalling is down (an outage, a flapping edge) the link is
 * `reconnecting` and the SDK's connection errors (31005, 31009, 53000-range,
 * a 31000 from its WebSocket) are that state, not error events. The SDK
 * forgets to register again when a socket it reopened is cut before Twilio's
 * `connected`: the session watches, with backoff, and registers the Device
 * itself once the signalling is back (bounded: then `disconnected`, and it
 * goes on trying at the last delay; the next loss of the socket starts over).
 * A call's connection error while the signalling is down is the link's state
 * too: the call keeps it as its pending failure, which its end carries if it
 * ends before the link is back (`callError`, `takePendingFailure`).
 * The SDK's state enums are runtime
 * values; comparing them as strings keeps the SDK out of the static imports.
 */
import { CtiError, type ConnectorContext } from "@opencti/core";
import { createBackoff, createUnreachable, errorMessage, waitFor } from "@opencti/core/connector";
import type { Call as TwilioCall, Device } from "@twilio/voice-sdk";
import { isMalformedFrame, registrationError, toTwilioCtiError, type TwilioErrorLike } from "./errors.js";
import { DEFAULTS, type TwilioConnectorOptions } from "./options.js";
import { tokenFetcher, TokenFailure, tokenService } from "./token.js";

export type { TwilioCall, Device };

/** Event name → handler, for `subscribe`. */
export type Handlers = Record<string, (...args: never[]) => unknown>;

/** Makes a handler safe to give the SDK (the connector's guard). */
export type Wrap = <A extends unknown[]>(fn: (...args: A) => unknown) => (...args: A) => void;

export const isClosed = (call: TwilioCall): boolean => String(call.status()) === "closed";
const isRegistered = (device: Device | undefined): boolean => device !== undefined && String(device.state) === "registered";
/** Twilio's `connected` came on the current socket: the SDK sets the edge then and clears it when the socket goes (`offline`). */
const signallingUp = (device: Device | undefined): boolean => Boolean(device?.edge);

/** Hands each handler, wrapped, to the Device's or a call's event emitter. */
export function subscribe(emitter: { on(event: string, listener: (...args: unknown[]) => void): unknown }, wrap: Wrap, handlers: Handlers): void {
  // The SDK passes each event its documented arguments; the handlers' parameter types say which.
  for (const [event, fn] of Object.entries(handlers)) emitter.on(event, wrap(fn as (...args: unknown[]) => unknown));
}

/** The Device's options: the connector's own, then the integrator's, then `deviceOptions` unchanged. */
function deviceOptions(options: TwilioConnectorOptions): Device.Options {
  return {
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
}

/** Twilio's signalling server(s) in words: the Device option `chunderw`, else one per `edge` (the SDK's `voice-js.<edge>.twilio.com`, edge `roaming` by default). */
function signallingServers(options: TwilioConnectorOptions): string {
  const chunderw = options.deviceOptions?.chunderw;
  const edges = options.edge === undefined ? ["roaming"] : ([] as string[]).concat(options.edge);
  const hosts = typeof chunderw === "string" ? [chunderw] : Array.isArray(chunderw) ? chunderw.map(String) : edges.map((edge) => `voice-js.${edge}.twilio.com`);
  return `Twilio's signalling ${hosts.length > 1 ? "servers" : "server"} ${hosts.map((host) => `wss://${host}`).join(", ")}`;
}

/** What the connector does with the Device's events; each is wrapped before the SDK gets it. */
export interface DeviceHooks {
  incoming(call: TwilioCall): void;
  /** A Device error about one call (signalling errors reach only the Device); false when the connector does not know the call. */
  callError(call: TwilioCall, error: TwilioErrorLike): boolean;
  /** Registered again after the signalling link was lost: every call is reported afresh. */
  resync(device: Device): void;
  /** The Device was built (once per session, at start or a start retry): its audio devices can be read. */
  created(device: Device): void;
}

export interface DeviceSession {
  /** The Device once built; undefined before, after a failed start and after `stop`. */
  readonly device: Device | undefined;
  /** Between a successful `register` and `unregister`. */
  readonly loggedIn: boolean;
  /** The signalling was lost and is not back yet (the link is not `connected`). */
  readonly linkLost: boolean;
  /** Link `connecting`, then builds the Device: `connected`, or `disconnected` with an error and a retry after the next start delay. */
  start(ctx: ConnectorContext): Promise<void>;
  stop(): void;
  /** The Device, or LINK_DOWN while there is none. */
  require(): Device;
  /** Registers (if the Device is not yet) and from then on follows the registration as the link state; a failed registration leaves the agent logged out (a late confirmation is taken back). */
  register(signal: AbortSignal): Promise<void>;
  unregister(): Promise<void>;
  /**
   * A call's SDK error: its CtiError, to report now; or undefined when it is
   * a connection error while the signalling is down (the link's state, no
   * error event): the call keeps it as its pending failure.
   */
  callError(call: TwilioCall, error: TwilioErrorLike): CtiError | undefined;
  /** The pending failure of a call that ends before the link is back (once; the link coming back clears them all). */
  takePendingFailure(call: TwilioCall): TwilioErrorLike | undefined;
}

export function createDeviceSession(options: TwilioConnectorOptions, wrap: Wrap, hooks: DeviceHooks): DeviceSession {
  const startDelays = options.startRetryDelaysMs ?? DEFAULTS.startRetryDelaysMs;
  const backoff = createBackoff({ delaysMs: startDelays });
  const { tokenUrl } = options;
  const fetchToken = options.getToken ?? (tokenUrl === undefined ? undefined : tokenFetcher(tokenUrl));
  // Every token the Device gets goes to the call-control backend too: the agent's credential there.
  const getToken =
    fetchToken &&
    (async (): Promise<string> => {
      const token = await fetchToken();
      options.backend?.useToken?.(token);
      return token;
    });
  /** A `tokenUrl` that cannot be reached: one LINK_DOWN per outage, the link `connecting` meanwhile (when the start is retried: the message says so). */
  const unreachable = tokenUrl !== undefined && startDelays.length > 0 ? createUnreachable({ ctx: () => ctx, server: tokenService(tokenUrl), retryEveryMs: Math.max(...startDelays) }) : undefined;
  /** The start failure last reported: the same one again on a retry is not reported again. */
  let lastStartError: string | undefined;
  /** The signalling socket down for longer than reportUnreachableAfterMs: one LINK_DOWN naming the server (the SDK retries on its own). */
  const signalling = createUnreachable({ ctx: () => ctx, server: signallingServers(options), reportAfterMs: options.reportUnreachableAfterMs ?? DEFAULTS.reportUnreachableAfterMs });
  /** The checks after a signalling loss; they go on while the socket is down (the SDK reopens it for as long as it takes). */
  const rejoin = createBackoff({ delaysMs: options.reregisterDelaysMs ?? DEFAULTS.reregisterDelaysMs });
  /** Checks since the loss that found the socket back and the Device still not registered: bounded by DEFAULTS.reregisterAttempts. */
  let unregisteredChecks = 0;
  /** The checks went over the bound: the link is `disconnected`; they go on at the last delay without another error. */
  let gaveUp = false;
  /** Connection errors calls got while the signalling was down (see `callError`). */
  const pendingFailures = new Map<TwilioCall, TwilioErrorLike>();
  let ctx: ConnectorContext | undefined;
  let device: Device | undefined;
  let loggedIn = false;
  let loggingOut = false;
  let linkLost = false;
  let stopped = false;
  /** The agent asked for the Device to be registered (a login started, no logout since). */
  let wanted = false;

  /** Fetches a new token and gives it to the Device: calls go on. */
  async function refresh(): Promise<void> {
    if (!getToken) return;
    try {
      const token = await getToken();
      if (!stopped && device && String(device.state) !== "destroyed") device.updateToken(token);
    } catch (cause) {
      ctx?.signal({ kind: "error", code: "AUTH_FAILED", message: `Could not refresh the Twilio access token: ${errorMessage(cause, "token provider failed")}` });
    }
  }

  function onError(error: TwilioErrorLike, call?: TwilioCall): void {
    if (call && hooks.callError(call, error)) return;
    if (isMalformedFrame(error)) return ctx?.invalidVendorEvent("Twilio sent a malformed signalling frame", { code: error.code, message: error.message });
    const cti = toTwilioCtiError(error);
    if (cti.code === "LINK_DOWN") return linkError(cti);
    ctx?.signal({ kind: "error", code: cti.code, message: cti.message });
    if (error.code === 20104) void refresh(); // expired: fetch a new one and carry on
  }

  /**
   * A connection error: the SDK raises it just before it drops the socket, and
   * again for each reopening that fails or send it cannot make meanwhile. A
   * turn later the socket is either gone (the link's state: `reconnecting`,
   * no error event) or still up (Twilio sent it over a live socket: an error).
   */
  function linkError(cti: CtiError): void {
    setTimeout(
      wrap(() => {
        if (stopped) return;
        if (linkLost || !signallingUp(device) || (loggedIn && !isRegistered(device))) lose(cti.message);
        else ctx?.signal({ kind: "error", code: cti.code, message: cti.message });
      }),
      0,
    );
  }

  /**
   * The signalling is down: the link is `reconnecting` until the Device is
   * back (registered, when the agent is logged in). The socket gone again is
   * a new loss: the bound starts over (and a link given up is `reconnecting` again).
   */
  function lose(reason: string): void {
    const socketDown = !signallingUp(device);
    if (socketDown) {
      unregisteredChecks = 0;
      signalling.begin(true);
      // The SDK's words for a 31005 speak of "the call": the cause is the connection, with Twilio's code when there is one.
      const code = /\(Twilio (\d+)\)/.exec(reason)?.[1];
      signalling.failed(`the connection dropped${code ? `, Twilio ${code}` : ""}`);
    }
    if (!linkLost || (gaveUp && socketDown)) {
      linkLost = true;
      gaveUp = false;
      rejoin.cancel();
      rejoin.reset();
      ctx?.setLink("reconnecting", reason);
    }
    watch();
  }

  function watch(): void {
    rejoin.schedule(wrap(check));
  }

  /**
   * One look after a loss: back; or the socket is back and the Device is not
   * registered (the SDK gave up on it after a flapping edge): register it, at
   * most DEFAULTS.reregisterAttempts looks, then the link is `disconnected`
   * (Twilio keeps refusing: one error) and the looks go on at the last delay
   * (a later registration brings the link back); or the socket is still
   * down: look again. A Device still `registering` is left alone: its
   * register() would throw, and the SDK sends its presence again itself
   * (every 30 s) until Twilio answers.
   */
  function check(): void {
    const d = device;
    if (stopped || !linkLost || !d) return;
    if (loggedIn ? isRegistered(d) : signallingUp(d)) return back(d);
    // The socket is back: the server is reached (registering again is another matter).
    if (signallingUp(d)) signalling.reached();
    if (loggedIn && !loggingOut && signallingUp(d)) {
      if (!gaveUp && ++unregisteredChecks > DEFAULTS.reregisterAttempts) giveUp();
      if (String(d.state) === "unregistered") d.register().catch(() => undefined); // the next look retries
    }
    watch();
  }

  function giveUp(): void {
    gaveUp = true;
    ctx?.setLink("disconnected", "Twilio did not register the Device again");
    ctx?.signal({ kind: "error", code: "LINK_DOWN", message: `Twilio did not register the Device again after ${DEFAULTS.reregisterAttempts} attempts` });
  }

  function back(d: Device): void {
    signalling.reached();
    rejoin.cancel();
    rejoin.reset();
    unregisteredChecks = 0;
    gaveUp = false;
    pendingFailures.clear();
    ctx?.setLink("connected");
    if (!linkLost) return;
    linkLost = false;
    if (loggedIn) hooks.resync(d);
  }

  /**
   * Registered: the link is back. Unless the agent logged out: the SDK's
   * `unregister` leaves it meaning to register again on the next reconnect
   * (its `offline` handler runs while the Device is still registered), which
   * would offer calls to a logged-out agent; undo that.
   */
  function onRegistered(): void {
    if (!device) return;
    if (!wanted && !loggingOut) void device.unregister().catch(() => undefined);
    if (loggedIn || linkLost) back(device);
  }

  function onUnregistered(): void {
    if (!loggedIn || loggingOut || stopped) return;
    lose("Twilio signalling connection lost");
  }

  /** Fetches a token and loads the SDK (together), then builds the Device and subscribes to it. */
  async function build(context: ConnectorContext): Promise<void> {
    if (!getToken) {
      context.setLink("disconnected", "misconfigured");
      context.signal({ kind: "error", code: "VENDOR_ERROR", message: "The Twilio connector needs getToken or tokenUrl to fetch an access token." });
      return;
    }
    unreachable?.begin();
    try {
      const [token, sdk] = await Promise.all([getToken(), options.loadSdk ? options.loadSdk() : import("@twilio/voice-sdk")]);
      if (stopped) return;
      const d = new sdk.Device(token, deviceOptions(options));
      device = d;
      if (options.incomingSound === false) d.audio?.incoming(false);
      subscribe(d, wrap, { incoming: hooks.incoming, error: onError, registered: onRegistered, unregistered: onUnregistered, tokenWillExpire: refresh });
      context.setLink("connected");
      hooks.created(d);
      unreachable?.reached();
      lastStartError = undefined;
    } catch (cause) {
      if (stopped) return;
      if (unreachable && cause instanceof TokenFailure && cause.unreachable) {
        // Not reached yet: still connecting, said once (the helper), then retried.
        lastStartError = undefined;
        context.setLink("connecting", cause.message);
        unreachable.failed(cause.reason);
      } else {
        // The token service answered (or the failure is elsewhere): that outage is over.
        if (cause instanceof TokenFailure) unreachable?.reached();
        const cti = toTwilioCtiError(cause);
        const code = cti.code === "VENDOR_ERROR" ? "AUTH_FAILED" : cti.code;
        const message = `Could not start the Twilio Device: ${cti.message}`;
        context.setLink("disconnected", cti.message);
        // Each retry that fails the same way adds nothing.
        if (`${code} ${message}` !== lastStartError) context.signal({ kind: "error", code, message });
        lastStartError = `${code} ${message}`;
      }
      // A token service that is down at page load should not need a reload.
      backoff.schedule(() => void build(context));
    }
  }

  const require = (): Device => {
    if (!device) throw new CtiError("LINK_DOWN", "The Twilio Device is not ready yet");
    return device;
  };

  return {
    get device() {
      return device;
    },
    get loggedIn() {
      return loggedIn;
    },
    get linkLost() {
      return linkLost;
    },
    async start(context) {
      ctx = context;
      backoff.reset();
      context.setLink("connecting");
      await build(context);
    },
    stop() {
      stopped = true;
      backoff.cancel();
      unreachable?.cancel();
      signalling.cancel();
      rejoin.cancel();
      pendingFailures.clear();
      const d = device;
      device = undefined;
      d?.destroy();
    },
    require,
    async register(signal) {
      const d = require();
      wanted = true;
      try {
        if (!isRegistered(d)) await registered(d, signal);
      } catch (error) {
        wanted = loggedIn;
        throw error;
      }
      loggedIn = true;
      loggingOut = false;
    },
    async unregister() {
      const d = require();
      loggingOut = true;
      wanted = false;
      try {
        if (isRegistered(d)) await d.unregister();
        loggedIn = false;
      } finally {
        loggingOut = false;
      }
    },
    callError(call, error) {
      const cti = toTwilioCtiError(error);
      if (cti.code !== "LINK_DOWN" || !linkLost || isClosed(call)) return cti;
      pendingFailures.set(call, error);
      return undefined;
    },
    takePendingFailure(call) {
      const error = pendingFailures.get(call);
      pendingFailures.delete(call);
      return error;
    },
  };
}

/**
 * `device.register()`, which never settles with a bad token: raced with the
 * SDK's errors that fail a registration (AUTH_FAILED) and the request's
 * signal (REQUEST_TIMEOUT). A Device still `registering` (a login that timed
 * out) is not registered again (the SDK would throw): its `registered` is awaited.
 */
function registered(device: Device, signal: AbortSignal): Promise<void> {
  return waitFor<void>(
    (resolve, reject) => {
      const onError = (error: unknown): void => {
        const failure = registrationError(error);
        if (failure) reject(failure);
      };
      const onRegistered = (): void => resolve();
      device.on("error", onError);
      device.on("registered", onRegistered);
      if (String(device.state) !== "registering") device.register().then(resolve, (error: unknown) => reject(toTwilioCtiError(error, "login")));
      return () => {
        device.removeListener("error", onError);
        device.removeListener("registered", onRegistered);
      };
    },
    signal,
    () => new CtiError("REQUEST_TIMEOUT", "Twilio did not confirm the registration in time", { request: "login" }),
  );
}

/** `device.connect()`; a call placed after the desktop gave up is hung up again (REQUEST_TIMEOUT). */
export async function placeCall(device: Device, params: Record<string, string>, signal: AbortSignal): Promise<TwilioCall> {
  let call: TwilioCall;
  try {
    call = await device.connect({ params });
  } catch (error) {
    throw toTwilioCtiError(error, "dial");
  }
  if (signal.aborted) {
    call.disconnect();
    throw new CtiError("REQUEST_TIMEOUT", "Twilio did not place the call in time", { request: "dial" });
  }
  return call;
}

/** Settles with the first of: the call's `event`, an SDK error (its CtiError), the call ending (INVALID_STATE), or the desktop giving up (REQUEST_TIMEOUT). */
export function waitForCall(call: TwilioCall, event: string, signal: AbortSignal, request: string): Promise<void> {
  return waitFor<void>(
    (resolve, reject) => {
      const onDone = (): void => resolve();
      const onError = (error: unknown): void => reject(toTwilioCtiError(error, request));
      // An `error` may follow the `disconnect` in the same tick (e.g. no microphone): prefer its code.
      const onGone = (): void => void setTimeout(() => reject(new CtiError("INVALID_STATE", "The call ended before Twilio confirmed", { request })), 0);
      call.once(event, onDone);
      call.once("error", onError);
      call.once("cancel", onGone);
      call.once("disconnect", onGone);
      return () => {
        call.removeListener(event, onDone);
        call.removeListener("error", onError);
        call.removeListener("cancel", onGone);
        call.removeListener("disconnect", onGone);
      };
    },
    signal,
    () => new CtiError("REQUEST_TIMEOUT", "Twilio did not confirm in time", { request }),
  );
}
