/**
 * The browser side of the agent event stream (wire contract v1, documented in
 * @opencti/agent-stream's README): a backend pushes each agent's Voice AI
 * events (transcript segments, insights, the call's media stream reference)
 * over server-sent events, and the connector turns them into signals.
 *
 * EventSource cannot send headers, so every (re)connection first asks the
 * source for a fresh URL carrying a single-use ticket; the stream never
 * reconnects on its own with a spent ticket. There is no replay: what is said
 * while the stream is down is not shown (the vendor keeps the record).
 */
import type { ConnectorContext } from "../connector.js";
import { createBackoff } from "./backoff.js";
import { isNumber, isRecord, isString } from "./check.js";
import { timeoutSignal } from "./wait.js";

/** Where an agent's event stream is: asked for a fresh URL (a new single-use ticket) at each (re)connection. */
export interface AgentStreamSource {
  /** The stream's URL, or a rejection (the follower retries with backoff). Aborted when the follower closes. */
  url(signal: AbortSignal): Promise<string>;
}

export interface HttpAgentStreamOptions {
  /** The backend's base URL: tickets from `POST <url>/stream-ticket`, the stream at `<url>/events?ticket=…`. */
  readonly url: string;
  /** Headers for the ticket request (e.g. `Authorization`); never logged. */
  readonly headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** Whether the ticket request carries the page's cookies: "include" for a service on another origin that signs agents in by cookie. Default "same-origin". */
  readonly credentials?: RequestCredentials;
  /** How long the ticket request may take, ms. Default 10 000. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** A source on a backend serving the wire contract's `/stream-ticket` and `/events`. */
export function httpAgentStream(options: HttpAgentStreamOptions): AgentStreamSource {
  const base = options.url.replace(/\/+$/, "");
  return {
    async url(signal) {
      const deadline = timeoutSignal(options.timeoutMs ?? 10_000, signal);
      try {
        const headers = { ...(await options.headers?.()), "content-type": "application/json" };
        const res = await (options.fetch ?? fetch)(`${base}/stream-ticket`, { method: "POST", headers, body: "{}", credentials: options.credentials ?? "same-origin", signal: deadline.signal });
        const body: unknown = res.ok ? await res.json() : undefined;
        if (!isRecord(body) || !isString(body.ticket)) throw new Error(`POST ${base}/stream-ticket answered ${res.status}${res.ok ? " without a ticket" : ""}`);
        return `${base}/events?ticket=${encodeURIComponent(body.ticket)}`;
      } finally {
        deadline.clear();
      }
    },
  };
}

/** The part of the EventSource API the follower uses (the browser's, or the `eventsource` package's in Node). */
export interface EventSourceLike {
  onopen: ((event: never) => unknown) | null;
  onerror: ((event: never) => unknown) | null;
  addEventListener(type: string, listener: (event: { data: string }) => void): void;
  close(): void;
}

export interface FollowAgentStreamOptions {
  /** The connector's call id for the vendor's call id on the wire (CallSid, contactId, SIP Call-ID); default: the same string. */
  readonly resolveCallId?: (vendorCallId: string) => string | undefined;
  /** Default `globalThis.EventSource`. */
  readonly EventSource?: new (url: string) => EventSourceLike;
  /** Reconnection delays, ms: doubling from `retryMs` (default 1000) up to 30 000, with jitter; back to the first once a stream stayed up 30 s. */
  readonly retryMs?: number;
  /** A stream with no message or `ping` for this long is dead (a half-open connection), ms: three of the server's 15 s pings. Default 45 000. */
  readonly idleTimeoutMs?: number;
  /** An outage shorter than this is not reported (a reconnect, a reload of the service), ms. Default 5 000. */
  readonly warnAfterMs?: number;
  /**
   * Called each time a stream opens: the backend has subscribed this agent, so
   * what it publishes from now on arrives (e.g. ask it to start analysing a
   * call). A throw is logged.
   */
  readonly onOpen?: () => void;
}

export interface AgentStreamFollower {
  /** True while a stream is open (between its `onOpen` and its loss). */
  readonly open: boolean;
  /** Stops following: closes the stream and cancels a pending reconnection. */
  close(): void;
}

/** Largest message accepted (the wire's limit), characters. */
const MAX_MESSAGE = 16_384;
/** Utterance streams remembered (Twilio: two tracks per call), oldest forgotten first. */
const MAX_UTTERANCE_STREAMS = 256;
/** Finals remembered per utterance stream, to drop their replays. */
const MAX_FINALS = 64;
/** A stream that stayed up this long resets the backoff (a server that ends streams at once must not cause a storm), ms. */
const STABLE_MS = 30_000;

/** One utterance stream: the open utterance's first sequence and latest one, and the recent finals' sequences. */
interface Utterances {
  start?: number;
  last: number;
  finals: number[];
}

/**
 * Follows an agent's event stream until `close()`:
 * - `transcript` → a `transcript` signal. With a `sequence` (Twilio's
 *   SequenceId), `segment.id` names an utterance stream: an utterance is
 *   named by its first sequence (`<id>@<sequence>`; its partials and its
 *   final share it, a final closes it), replayed finals and partials older
 *   than the open utterance's latest or than the last final are dropped, and
 *   a final for no open utterance is a line of its own — so a stateless
 *   backend's callbacks may arrive through any instance, retried or late.
 * - `insight` → an `insight` signal.
 * - `media` → the call's `mediaStream` (null clears it).
 * Messages for calls the desktop does not know are dropped (logged at debug);
 * malformed ones become INVALID_VENDOR_EVENT errors. When the stream cannot be
 * opened (no ticket, a ticket refused, not open within 15 s), drops, or goes
 * silent (no `ping` within `idleTimeoutMs`): reconnection with backoff and a
 * fresh URL, and one `warning` VOICE_AI_UNAVAILABLE per outage that lasts
 * `warnAfterMs`, VOICE_AI_RESTORED once back.
 * Throws a TypeError when there is no EventSource.
 */
export function followAgentStream(ctx: ConnectorContext, source: AgentStreamSource, options: FollowAgentStreamOptions = {}): AgentStreamFollower {
  const found = options.EventSource ?? (globalThis as { EventSource?: new (url: string) => EventSourceLike }).EventSource;
  if (!found) throw new TypeError("followAgentStream: no EventSource in this environment; pass options.EventSource");
  const ES = found;
  const resolve = options.resolveCallId ?? ((id: string) => id);
  const backoff = createBackoff({ initialMs: options.retryMs ?? 1000, maxMs: 30_000, jitter: 0.5 });
  const idleMs = options.idleTimeoutMs ?? 45_000;
  const utterances = new Map<string, Utterances>();
  let closed = false;
  /** The outage's warning was given (VOICE_AI_RESTORED is owed). */
  let warned = false;
  let stream: EventSourceLike | undefined;
  /** The current stream has opened. */
  let isOpen = false;
  let opening: AbortController | undefined;
  /** The outage's warning, pending; the stream's watchdog (not open in time, then silent too long); its stability. */
  let warnTimer: ReturnType<typeof setTimeout> | undefined;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let stableTimer: ReturnType<typeof setTimeout> | undefined;
  let upTimer: ReturnType<typeof setTimeout> | undefined;
  const warnAfterMs = options.warnAfterMs ?? 5000;
  const clearTimers = (): void => {
    clearTimeout(watchdog);
    clearTimeout(stableTimer);
    clearTimeout(upTimer);
  };

  const lost = (why: string): void => {
    isOpen = false;
    clearTimers();
    stream?.close();
    stream = undefined;
    if (closed) return;
    if (!warned && warnTimer === undefined) {
      warnTimer = setTimeout(() => {
        warned = true;
        ctx.signal({ kind: "warning", code: "VOICE_AI_UNAVAILABLE", message: `Live transcripts are unavailable (${why}); reconnecting.` });
      }, warnAfterMs);
    }
    backoff.schedule(open);
  };
  /** The stream is dead unless something arrives within `ms`. */
  const watch = (es: EventSourceLike, ms: number, why: string): void => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => stream === es && lost(why), ms);
  };

  function open(): void {
    opening = new AbortController();
    source
      .url(opening.signal)
      .then((url) => {
        if (closed) return;
        const es = (stream = new ES(url));
        watch(es, 15_000, "the stream did not open");
        es.onopen = () => {
          if (stream !== es) return;
          watch(es, idleMs, "the stream went silent");
          // The outage ends once the stream stays up as long as an outage may last unreported.
          upTimer = setTimeout(() => {
            clearTimeout(warnTimer);
            warnTimer = undefined;
            if (warned) ctx.signal({ kind: "warning", code: "VOICE_AI_RESTORED", message: "Live transcripts are back." });
            warned = false;
          }, warnAfterMs);
          stableTimer = setTimeout(() => backoff.reset(), STABLE_MS);
          isOpen = true;
          try {
            options.onOpen?.();
          } catch (err) {
            ctx.logger.warn("agent stream: onOpen threw", { error: err instanceof Error ? err.message : String(err) });
          }
        };
        es.onerror = () => {
          if (stream === es) lost("the stream closed");
        };
        for (const type of ["transcript", "insight", "media", "ping"]) {
          es.addEventListener(type, (e) => {
            if (stream !== es) return;
            watch(es, idleMs, "the stream went silent");
            if (type !== "ping") receive(type, e.data);
          });
        }
      })
      // No URL, or one EventSource refuses: the same as a stream that closed.
      .catch((err: unknown) => lost(err instanceof Error ? err.message : String(err)));
  }

  const resolveCall = (vendorCallId: string): string | undefined => {
    try {
      return resolve(vendorCallId);
    } catch (err) {
      ctx.logger.warn("agent stream: resolveCallId threw", { error: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
  };

  function receive(type: string, data: string): void {
    let m: unknown;
    try {
      m = data.length <= MAX_MESSAGE ? JSON.parse(data) : undefined;
    } catch {
      // handled below
    }
    if (!isRecord(m) || !isString(m.callId)) return ctx.invalidVendorEvent(`agent stream ${type} message is invalid`, data);
    const callId = resolveCall(m.callId);
    const call = callId === undefined ? undefined : ctx.getCall(callId);
    if (!call) return ctx.logger.debug("agent stream: no such call", { type, callId: m.callId });
    if (type === "insight") return ctx.signal({ kind: "insight", callId: call.id, insight: m.insight as never });
    if (type === "media") {
      if (m.mediaStream !== null && !isString(m.mediaStream)) return ctx.invalidVendorEvent("agent stream media message is invalid", m, call.id);
      return ctx.upsertCall({ id: call.id, state: call.state, mediaStream: m.mediaStream });
    }
    const segment = m.segment;
    if (!isRecord(segment) || !isString(segment.id)) return ctx.invalidVendorEvent("agent stream transcript message is invalid", m, call.id);
    let id = segment.id;
    const seq = m.sequence;
    if (isNumber(seq)) {
      const key = `${call.id} ${id}`;
      const u = utterances.get(key) ?? { last: -Infinity, finals: [] };
      if (u.finals.includes(seq)) return; // a replayed final
      if (segment.final !== true) {
        // A partial of a finished utterance, or older than the open one's latest: stale.
        if (seq < Math.max(...u.finals) || seq < u.last) return;
        u.start ??= seq;
        u.last = seq;
        id = `${id}@${u.start}`;
      } else {
        // It closes the open utterance, unless it is older than its start (a late final: a line of its own).
        const closes = u.start !== undefined && seq >= u.start;
        id = `${id}@${closes ? u.start : seq}`;
        if (closes) {
          delete u.start;
          u.last = -Infinity;
        }
        u.finals.push(seq);
        if (u.finals.length > MAX_FINALS) u.finals.shift();
      }
      utterances.delete(key);
      utterances.set(key, u);
      if (utterances.size > MAX_UTTERANCE_STREAMS) utterances.delete(utterances.keys().next().value!);
    }
    ctx.signal({ kind: "transcript", callId: call.id, segment: { ...segment, id } as never });
  }

  open();
  return {
    get open() {
      return isOpen;
    },
    close() {
      closed = true;
      isOpen = false;
      opening?.abort();
      backoff.cancel();
      clearTimers();
      clearTimeout(warnTimer);
      stream?.close();
      stream = undefined;
    },
  };
}
