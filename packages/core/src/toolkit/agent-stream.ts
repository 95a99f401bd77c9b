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
  readonly fetch?: typeof fetch;
}

/** A source on a backend serving the wire contract's `/stream-ticket` and `/events`. */
export function httpAgentStream(options: HttpAgentStreamOptions): AgentStreamSource {
  const base = options.url.replace(/\/+$/, "");
  return {
    async url(signal) {
      const headers = { ...(await options.headers?.()), "content-type": "application/json" };
      const res = await (options.fetch ?? fetch)(`${base}/stream-ticket`, { method: "POST", headers, body: "{}", signal });
      const body: unknown = res.ok ? await res.json() : undefined;
      if (!isRecord(body) || !isString(body.ticket)) throw new Error(`POST ${base}/stream-ticket answered ${res.status}${res.ok ? " without a ticket" : ""}`);
      return `${base}/events?ticket=${encodeURIComponent(body.ticket)}`;
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
  /** Reconnection delays, ms: doubling from `retryMs` (default 1000) up to 30 000, with jitter. */
  readonly retryMs?: number;
}

export interface AgentStreamFollower {
  /** Stops following: closes the stream and cancels a pending reconnection. */
  close(): void;
}

/** Largest message accepted (the wire's limit), characters. */
const MAX_MESSAGE = 16_384;
/** Utterance streams remembered (Twilio: two tracks per call), oldest forgotten first. */
const MAX_UTTERANCE_STREAMS = 256;

/**
 * Follows an agent's event stream until `close()`:
 * - `transcript` → a `transcript` signal. With a `sequence` (Twilio's
 *   SequenceId), `segment.id` names an utterance stream: the follower numbers
 *   its utterances (`<id>#<n>`, a final closes one) and drops what arrives at
 *   or below the last final's sequence, or a partial older than the last one
 *   seen, so a stateless backend's callbacks may arrive through any instance.
 * - `insight` → an `insight` signal.
 * - `media` → the call's `mediaStream` (null clears it).
 * Messages for calls the desktop does not know are dropped (logged at debug);
 * malformed ones become INVALID_VENDOR_EVENT errors. When the stream cannot be
 * opened or drops, one `warning` VOICE_AI_UNAVAILABLE per outage, reconnection
 * with backoff and a fresh URL, and VOICE_AI_RESTORED once back.
 * Throws a TypeError when there is no EventSource.
 */
export function followAgentStream(ctx: ConnectorContext, source: AgentStreamSource, options: FollowAgentStreamOptions = {}): AgentStreamFollower {
  const found = options.EventSource ?? (globalThis as { EventSource?: new (url: string) => EventSourceLike }).EventSource;
  if (!found) throw new TypeError("followAgentStream: no EventSource in this environment; pass options.EventSource");
  const ES = found;
  const resolve = options.resolveCallId ?? ((id: string) => id);
  const backoff = createBackoff({ initialMs: options.retryMs ?? 1000, maxMs: 30_000, jitter: 0.5 });
  const utterances = new Map<string, { n: number; floor: number; last: number }>();
  let closed = false;
  let down = false;
  let stream: EventSourceLike | undefined;
  let opening: AbortController | undefined;

  const lost = (why: string): void => {
    stream?.close();
    stream = undefined;
    if (closed) return;
    if (!down) ctx.signal({ kind: "warning", code: "VOICE_AI_UNAVAILABLE", message: `Live transcripts are unavailable (${why}); reconnecting.` });
    down = true;
    backoff.schedule(open);
  };

  function open(): void {
    opening = new AbortController();
    source.url(opening.signal).then(
      (url) => {
        if (closed) return;
        const es = (stream = new ES(url));
        es.onopen = () => {
          backoff.reset();
          if (down) ctx.signal({ kind: "warning", code: "VOICE_AI_RESTORED", message: "Live transcripts are back." });
          down = false;
        };
        es.onerror = () => {
          if (stream === es) lost("the stream closed");
        };
        for (const type of ["transcript", "insight", "media"]) es.addEventListener(type, (e) => stream === es && receive(type, e.data));
      },
      (err: unknown) => lost(err instanceof Error ? err.message : String(err)),
    );
  }

  function receive(type: string, data: string): void {
    let m: unknown;
    try {
      m = data.length <= MAX_MESSAGE ? JSON.parse(data) : undefined;
    } catch {
      // handled below
    }
    if (!isRecord(m) || !isString(m.callId)) return ctx.invalidVendorEvent(`agent stream ${type} message is invalid`, data);
    const callId = resolve(m.callId);
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
    if (isNumber(m.sequence)) {
      const key = `${call.id} ${id}`;
      const u = utterances.get(key) ?? { n: 0, floor: -Infinity, last: -Infinity };
      if (m.sequence <= u.floor || (segment.final !== true && m.sequence < u.last)) return;
      id = `${id}#${u.n}`;
      u.last = m.sequence;
      if (segment.final === true) {
        u.n++;
        u.floor = m.sequence;
      }
      utterances.delete(key);
      utterances.set(key, u);
      if (utterances.size > MAX_UTTERANCE_STREAMS) utterances.delete(utterances.keys().next().value!);
    }
    ctx.signal({ kind: "transcript", callId: call.id, segment: { ...segment, id } as never });
  }

  open();
  return {
    close() {
      closed = true;
      opening?.abort();
      backoff.cancel();
      stream?.close();
      stream = undefined;
    },
  };
}
