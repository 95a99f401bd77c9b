/**
 * `@opencti/core/tabs`: one softphone across all of an agent's tabs.
 *
 * Exactly one tab (the owner) runs the connector: the vendor session, its
 * registration, media and ring. Every other tab is a follower that shows the
 * owner's state and events (the same objects, the same `seq`) and whose
 * requests the owner carries out (its CtiErrors come back with the same code,
 * message and request). Ownership is a Web Lock (`navigator.locks`), so the
 * browser hands it to one waiting follower the moment the owner tab closes or
 * crashes; that tab starts the connector, carrying on from the state it
 * mirrored (`createDesktop`'s `resume`), and the connector's first sync
 * corrects whatever changed meanwhile. Mirroring is a BroadcastChannel.
 */
import { createDesktop, telephonyMode, type Desktop, type DesktopOptions, type Unsubscribe } from "../desktop.js";
import { CtiError, toCtiError } from "../errors.js";
import { redactingLogger, silentLogger } from "../logger.js";
import type { DesktopEvent } from "../events.js";
import { CALL_ACTIONS, type CtiErrorCode, type DesktopSnapshot } from "../model.js";

/** What `createTabDesktop` takes: `createDesktop`'s options plus these. */
export interface TabDesktopOptions extends Omit<DesktopOptions, "resume"> {
  /**
   * The shared session's name: tabs with the same name share one vendor
   * session (the lock and channel are `opencti:<name>`). Use one per agent
   * and vendor account, e.g. `agent-${agentId}`. Default "desktop".
   */
  name?: string;
  /**
   * Whether closing the owner tab while a call is live asks first (a
   * `beforeunload` prompt; the browser shows its own words). Default true.
   */
  closeProtection?: boolean;
  /** How long a new tab waits for the owner's state, ms. Default 2000. */
  helloTimeoutMs?: number;
}

/** Which part this tab plays. */
export interface TabRole {
  /** "owner": this tab runs the connector; "follower": it mirrors the owner. Changes to "owner" once, on takeover. */
  readonly role: "owner" | "follower";
  /** This tab's id (random, for logs). */
  readonly id: string;
}

/** A Desktop shared across tabs (see the module comment). */
export interface TabDesktop extends Desktop {
  readonly tab: TabRole;
}

type Message =
  | { t: "hello"; from: string }
  | { t: "owner"; from: string; seq: number }
  | { t: "state"; from: string; to: string; seq: number; snapshot: DesktopSnapshot; events: DesktopEvent[] }
  | { t: "events"; from: string; events: DesktopEvent[]; snapshot: DesktopSnapshot }
  | { t: "request"; from: string; id: number; name: string; args: unknown[] }
  | { t: "reply"; to: string; id: number; value?: unknown; error?: { code: CtiErrorCode; message: string; retryable: boolean; request?: string | undefined; callId?: string | undefined } };

const REQUEST_NAMES = ["login", "logout", "setAgentState", "dial", "selectAudioDevice", "monitor", ...CALL_ACTIONS] as const;

/**
 * A Desktop on `options.connector`, shared with the agent's other tabs of
 * this origin. Resolves once this tab knows the state: at once as the owner,
 * when the owner answered as a follower (or after `helloTimeoutMs`).
 * Without Web Locks or BroadcastChannel (an insecure origin, an old browser)
 * every tab runs its own session, as `createDesktop` does, with a warning logged.
 *
 * Requests from a follower reject with REQUEST_TIMEOUT when the owner does
 * not answer within the request timeout (plus a second), and with LINK_DOWN
 * (retryable) when the owner went away before answering.
 */
export async function createTabDesktop(options: TabDesktopOptions): Promise<TabDesktop> {
  const { connector, name = "desktop", closeProtection = true, helloTimeoutMs = 2000 } = options;
  const key = `opencti:${name}`;
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  const logger = options.logger ? redactingLogger(options.logger, { level: options.logLevel }) : silentLogger;
  // Closing the tab that runs the session with a live call asks first.
  let session: Desktop | undefined;
  const onBeforeUnload = (e: BeforeUnloadEvent): void => {
    if (session?.snapshot().calls.some((c) => c.state !== "wrapup")) {
      e.preventDefault();
      // (Older browsers prompt only for a non-empty returnValue; none shows it.)
      e.returnValue = "A call is in progress.";
    }
  };
  if (closeProtection) globalThis.addEventListener?.("beforeunload", onBeforeUnload);
  if (!locks || typeof BroadcastChannel !== "function") {
    logger.warn("Web Locks or BroadcastChannel are missing: this tab runs its own telephony session.");
    session = createDesktop(options);
    return Object.assign(session, { tab: { role: "owner", id: "" } as const });
  }
  const id = crypto.randomUUID();
  const channel = new BroadcastChannel(key);
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const historyLimit = options.historyLimit ?? 200;
  const capabilities = [...connector.capabilities];
  const tab: { role: "owner" | "follower"; id: string } = { role: "follower", id };

  // The mirror: what a follower shows (the owner reads its desktop instead).
  let snapshot: DesktopSnapshot = {
    connector: connector.name,
    link: "connecting",
    agent: { state: "logged_out", since: Date.now() },
    calls: [],
    capabilities,
    reasons: connector.reasons,
    directory: connector.directory ?? [],
    audio: { devices: [] },
    mode: telephonyMode(capabilities),
  };
  let seq = 0;
  let known = false;
  let history: DesktopEvent[] = [];
  let inner: Desktop | undefined;
  /** The tab whose events this one mirrors (the latest to announce itself). */
  let ownerId: string | undefined;
  let destroyed = false;
  let destroying: Promise<void> | undefined;
  const listeners = new Map<string, Set<(e: DesktopEvent) => void>>();
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void; timer: ReturnType<typeof setTimeout> }>();
  let nextRequest = 1;
  let onKnown: (() => void) | undefined;
  const stopLock = new AbortController();
  let releaseLock: (() => void) | undefined;
  /** Requests and hellos that reached this tab after it took the lock, before its desktop exists. */
  let early: Message[] | undefined;

  /** Keeps and hands out one event, in seq order. */
  function deliver(event: DesktopEvent): void {
    seq = event.seq;
    history.push(event);
    if (history.length > historyLimit) history.shift();
    for (const type of [event.type, "*"])
      for (const handler of listeners.get(type) ?? [])
        try {
          handler(event);
        } catch (err) {
          logger.error(`A listener for ${event.type} threw`, { error: err });
        }
  }
  /** Takes a mirrored batch: its new events, and the state after them (none new: a stale batch, ignored). */
  function mirror(events: readonly DesktopEvent[], state: DesktopSnapshot): void {
    const fresh = events.filter((e) => e.seq > seq);
    if (!fresh.length && known) return;
    snapshot = state;
    known = true;
    onKnown?.();
    for (const event of fresh) deliver(event);
  }
  const post = (m: Message): void => {
    if (!destroyed || m.t === "events") channel.postMessage(m);
  };
  /** Rejects what this tab forwarded and will not be answered: the owner it went to is gone. */
  function ownerGone(): void {
    for (const [requestId, w] of waiting) {
      waiting.delete(requestId);
      clearTimeout(w.timer);
      w.reject(new CtiError("LINK_DOWN", "The tab with the telephony session closed before it answered; try again.", { retryable: true }));
    }
  }

  // The owner sends each batch of events with the state after it, once per turn.
  let batch: DesktopEvent[] = [];
  const flush = (): void => {
    if (!batch.length || !inner) return;
    const events = batch;
    batch = [];
    post({ t: "events", from: id, events, snapshot: inner.snapshot() });
  };

  async function run(name: string, args: unknown[]): Promise<unknown> {
    if (inner) return (inner as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!(...args);
    if (destroyed) throw new CtiError("INVALID_STATE", "The desktop was destroyed.", { request: name });
    const requestId = nextRequest++;
    // The owner's own bound, plus a second; login may first wait as long for the link.
    const timeoutMs = requestTimeoutMs * (name === "login" ? 2 : 1) + 1000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(requestId);
        reject(new CtiError("REQUEST_TIMEOUT", `The tab with the telephony session did not answer ${name} within ${timeoutMs} ms.`, { request: name }));
      }, timeoutMs);
      waiting.set(requestId, { resolve, reject, timer });
      try {
        post({ t: "request", from: id, id: requestId, name, args });
      } catch {
        // Arguments a structured clone cannot carry (a function, a DOM node).
        clearTimeout(timer);
        waiting.delete(requestId);
        reject(new CtiError("INVALID_ARGUMENT", `The arguments of ${name} cannot be sent to the tab with the telephony session.`, { request: name }));
      }
    });
  }

  /** What the owner does with a message; a follower's part is below. */
  function serve(m: Message): void {
    if (m.t === "hello") post({ t: "state", from: id, to: m.from, seq, snapshot: inner!.snapshot(), events: history });
    else if (m.t === "request" && (REQUEST_NAMES as readonly string[]).includes(m.name))
      void run(m.name, m.args).then(
        (value) => post({ t: "reply", to: m.from, id: m.id, value }),
        (err: unknown, e = toCtiError(err, m.name)) => post({ t: "reply", to: m.from, id: m.id, error: { code: e.code, message: e.message, retryable: e.retryable, request: e.request ?? m.name, callId: e.callId } }),
      );
  }

  channel.onmessage = ({ data: m }: MessageEvent<Message>) => {
    if (destroyed) return;
    if (inner) return serve(m);
    if (early) {
      // This tab holds the lock and is about to start: a follower that saw more than it did catches it up.
      if (m.t === "state" && m.to === id) mirror(m.events, m.snapshot);
      else early.push(m);
      return;
    }
    if (m.t === "owner") {
      // A new owner: what went to the old one will not be answered, and the new one may have seen less than this tab.
      ownerId = m.from;
      ownerGone();
      if (known && seq > m.seq) post({ t: "state", from: id, to: m.from, seq, snapshot, events: history });
    } else if (m.t === "state" && m.to === id && !known) {
      ownerId = m.from;
      ({ snapshot, seq } = m);
      history = historyLimit ? m.events.slice(-historyLimit) : [];
      known = true;
      onKnown?.();
    } else if (m.t === "events" && (ownerId ??= m.from) === m.from) mirror(m.events, m.snapshot);
    else if (m.t === "reply" && m.to === id) {
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      clearTimeout(w.timer);
      if (m.error) w.reject(new CtiError(m.error.code, m.error.message, m.error));
      else w.resolve(m.value);
    }
  };

  /** This tab takes the vendor session: the connector starts here, carrying on from the mirror. */
  function own(): void {
    if (destroyed) return;
    // The inner desktop keeps a few events even with historyLimit 0: the ones it raises as it is made are forwarded below.
    const settings = { ...options, historyLimit: Math.max(historyLimit, 16) };
    try {
      inner = createDesktop({ ...settings, ...(known ? { resume: { seq, snapshot } } : {}) });
    } catch (err) {
      // A state it cannot carry on from (another version of the app): a fresh session.
      logger.warn("Could not carry on from the mirrored state; starting afresh", { error: err });
      inner = createDesktop(settings);
    }
    session = inner;
    tab.role = "owner";
    for (const event of inner.events()) if (event.seq > seq) onEvent(event);
    inner.on("*", onEvent);
    known = true;
    onKnown?.();
    const queued = early ?? [];
    early = undefined;
    for (const m of queued) serve(m);
  }
  function onEvent(event: DesktopEvent): void {
    deliver(event);
    if (!batch.length) queueMicrotask(flush);
    batch.push(event);
  }

  // Ownership: the lock is held (by a promise that settles on destroy) for as long as the tab lives.
  locks
    .request(key, { signal: stopLock.signal }, () => {
      if (destroyed) return undefined;
      early = [];
      ownerGone();
      post({ t: "owner", from: id, seq });
      // A takeover waits a moment, so the last messages of the tab that went away (and any catching up) arrive first.
      if (known) setTimeout(own, 50);
      else own();
      return new Promise<void>((resolve) => (releaseLock = resolve));
    })
    .catch(() => undefined);
  post({ t: "hello", from: id });
  await new Promise<void>((resolve) => {
    onKnown = resolve;
    if (known) resolve();
    setTimeout(resolve, helloTimeoutMs);
  });
  onKnown = undefined;

  const desktop = {
    connector: connector.name,
    capabilities,
    mode: snapshot.mode,
    tab,
    snapshot: () => (inner ? inner.snapshot() : snapshot),
    getCall: (callId: string) => (inner ? inner.getCall(callId) : snapshot.calls.find((c) => c.id === callId)),
    events: () => [...history],
    on(type: string, handler: (e: DesktopEvent) => void): Unsubscribe {
      const set = listeners.get(type) ?? new Set();
      listeners.set(type, set.add(handler));
      return () => void set.delete(handler);
    },
    destroy: () =>
      (destroying ??= (async () => {
        globalThis.removeEventListener?.("beforeunload", onBeforeUnload);
        if (inner) {
          // Its last link event still reaches the followers, then the lock passes to one of them.
          await inner.destroy();
          flush();
        }
        destroyed = true;
        listeners.clear();
        for (const w of waiting.values()) {
          clearTimeout(w.timer);
          w.reject(new CtiError("INVALID_STATE", "The desktop was destroyed."));
        }
        waiting.clear();
        stopLock.abort();
        releaseLock?.();
        channel.close();
      })()),
  } as Record<string, unknown>;
  for (const request of REQUEST_NAMES) desktop[request] = (...args: unknown[]) => run(request, args);
  return desktop as unknown as TabDesktop;
}
