/**
 * The agent event stream: Voice AI events to each agent's browsers over
 * server-sent events (GET /events?ticket=…), published from any backend
 * instance. Without Redis an instance delivers to its own browsers; with
 * Redis every publish goes to the agent's channel and each instance
 * delivers what its subscription hears, so a browser connected to instance
 * B gets, once and in order, what instance A published.
 *
 * SSE: https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { AgentStreamError, invalid } from "./errors.js";
import { checkAgentId, checkEvent, frameOf, type AgentStreamEvent } from "./events.js";
import { corsHeaders, HttpError, originAllowed, sendError } from "./http.js";
import { RedisLink, type RedisOption } from "./redis.js";
import { memoryTickets, newTicket, redisTickets, TICKET_FORMAT } from "./tickets.js";

/** Where events for an agent are sent: what a backend's Voice AI code needs. */
export interface AgentEventSink {
  /**
   * Sends `event` to every browser of `agentId` (on any instance, with
   * Redis). Resolves once handed over (to the browsers' sockets, or to
   * Redis); no browser connected is no error (there is no replay).
   * Rejects with AgentStreamError: INVALID_ARGUMENT (a bad agent id or
   * event; the message names the field), FANOUT_FAILED (Redis did not take
   * it within redisTimeoutMs), CLOSED.
   */
  publish(agentId: string, event: AgentStreamEvent): Promise<void>;
}

export interface AgentStream extends AgentEventSink {
  /**
   * A single-use ticket for GET /events, for an agent the caller has
   * authenticated: `{ ticket, expiresInMs }`, the body of a POST
   * /stream-ticket answer. Rejects with AgentStreamError INVALID_ARGUMENT
   * (agentId: 1 to 128 characters, no control characters),
   * TICKET_STORE_FAILED (Redis; in memory, 100 000 outstanding), CLOSED.
   * Past maxTicketsPerAgent the agent's oldest outstanding ticket is revoked.
   */
  issueTicket(agentId: string): Promise<{ ticket: string; expiresInMs: number }>;
  /**
   * Serves GET /events?ticket=… (route it here; the path is not checked).
   * 200 `text/event-stream` that stays open: `: ok`, then messages and an
   * `event: ping` / `data: {}` every keepAliveMs (no comment keep-alives). Otherwise JSON `{ code, message }`:
   * 401 AUTH_FAILED (ticket missing, unknown, used or expired), 403
   * AUTH_FAILED (Origin not allowed), 405 INVALID_ARGUMENT (not GET), 503
   * VENDOR_ERROR (Redis failed, or the stream is closed). Resolves once
   * answered (the stream itself goes on); never rejects.
   */
  handleEvents(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Ends every stream, stops issuing and publishing, and closes the Redis clients the stream made. */
  close(): Promise<void>;
}

export interface AgentStreamOptions {
  /** Redis for several instances (tickets and fan-out; Redis ≥ 6.2 for GETDEL). Without it, one instance only. */
  redis?: RedisOption;
  /** Prefix of Redis keys and channels: `<prefix>ticket:<t>`, `<prefix>tickets:<agentId>` (an agent's outstanding tickets), `<prefix>agent:<agentId>` (its channel). Default "opencti:". */
  keyPrefix?: string;
  /** A ticket's life, ms: 1 000 to 600 000, default 30 000. */
  ticketTtlMs?: number;
  /** The interval of `ping` events, ms: 10 to 600 000, default 15 000 (under the usual 30–60 s proxy idle timeouts; a browser may take 3 missed pings as a dead stream). */
  keepAliveMs?: number;
  /** Origins whose pages may open the stream (exact match, e.g. "https://crm.example.com"); requests without Origin always may. Default none. */
  allowedOrigins?: readonly string[];
  /**
   * Tickets one agent may have outstanding (issued, not used, not expired):
   * issuing one more revokes that agent's oldest (its GET /events then
   * answers 401). 1 to 1 000, default 16. Other agents' tickets are never
   * touched. In memory, an instance also refuses (TICKET_STORE_FAILED) past
   * 100 000 outstanding tickets of all agents together.
   */
  maxTicketsPerAgent?: number;
  /** Streams one agent may have open (tabs, devices); past it the oldest is ended. 1 to 1 000, default 8. */
  maxClientsPerAgent?: number;
  /** A browser whose unsent data passes this many bytes is disconnected (it stopped reading). Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Deadline of one Redis command, connecting included, ms. Default 2 000. */
  redisTimeoutMs?: number;
  /** Where failures go: Redis (scrubbed of credentials), dropped browsers, bad messages on a channel. Must not throw. */
  onError?: (error: AgentStreamError) => void;
}

/** One open stream. */
interface Client {
  readonly agentId: string;
  readonly res: ServerResponse;
  /**
   * Its headers and `: ok` are written: only then may messages and pings
   * go to it (anything written before writeHead would send an implicit 200
   * without text/event-stream). Events published before are not for it.
   */
  ready: boolean;
}

/**
 * One agent's browsers on this instance. With Redis, `queue` runs its
 * SUBSCRIBE / UNSUBSCRIBE one after the other, so a browser arriving while
 * the last one's UNSUBSCRIBE is under way subscribes again after it.
 */
interface Agent {
  readonly clients: Set<Client>;
  /**
   * node-redis may hold the stream's listener on the agent's channel: set
   * before a SUBSCRIBE, cleared only once an UNSUBSCRIBE succeeded (node-redis
   * drops a listener only on Redis's answer, and resubscribes what it holds
   * on reconnect). The agent is not forgotten while it is set.
   */
  subscribed: boolean;
  /** The last SUBSCRIBE succeeded and no UNSUBSCRIBE was tried since: the channel is heard (or resubscribed on reconnect). */
  listening: boolean;
  queue: Promise<void>;
}

function option(value: number | undefined, fallback: number, min: number, max: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw invalid(`${name} must be an integer from ${min} to ${max}`);
  return v;
}

const OK = ": ok\n\n";
/** The keep-alive, an event rather than a comment: EventSource hides comments, and a browser uses pings as its watchdog. */
const PING = "event: ping\ndata: {}\n\n";

/**
 * Makes an agent event stream (see AgentStream). Throws AgentStreamError
 * INVALID_ARGUMENT for a bad option. With `redis`, connecting starts at once
 * (in the background: commands wait for it, within redisTimeoutMs).
 */
export function createAgentStream(options: AgentStreamOptions = {}): AgentStream {
  const ttlMs = option(options.ticketTtlMs, 30_000, 1000, 600_000, "ticketTtlMs");
  const keepAliveMs = option(options.keepAliveMs, 15_000, 10, 600_000, "keepAliveMs");
  const maxTickets = option(options.maxTicketsPerAgent, 16, 1, 1000, "maxTicketsPerAgent");
  const maxClients = option(options.maxClientsPerAgent, 8, 1, 1000, "maxClientsPerAgent");
  const maxBuffered = option(options.maxBufferedBytes, 1024 * 1024, 1024, 1024 ** 3, "maxBufferedBytes");
  const redisTimeoutMs = option(options.redisTimeoutMs, 2000, 10, 60_000, "redisTimeoutMs");
  const prefix = options.keyPrefix ?? "opencti:";
  if (typeof prefix !== "string" || prefix.length > 64) throw invalid("keyPrefix must be a string of at most 64 characters");
  const allowed = new Set(options.allowedOrigins ?? []);

  const report = (error: AgentStreamError): void => {
    try {
      options.onError?.(error);
    } catch {
      // A failing reporter must not break delivery.
    }
  };
  const redis = options.redis ? new RedisLink(options.redis, redisTimeoutMs, report) : undefined;
  const tickets = redis ? redisTickets(redis, prefix, maxTickets) : memoryTickets(maxTickets);
  const agents = new Map<string, Agent>();
  const channelPrefix = `${prefix}agent:`;
  const channel = (agentId: string): string => `${channelPrefix}${agentId}`;
  /**
   * The one listener of every agent channel: node-redis keeps a channel's
   * listeners in a Set, so subscribing again (after a failed UNSUBSCRIBE, a
   * reconnect) never adds a second one, and no event is delivered twice.
   */
  const onMessage = (message: string, name: string): void => {
    if (name.startsWith(channelPrefix)) heard(name.slice(channelPrefix.length), message);
  };
  let retryTimer: NodeJS.Timeout | undefined;
  let clientCount = 0;
  let keepAlive: NodeJS.Timeout | undefined;
  let closed = false;
  const closedError = (): AgentStreamError => new AgentStreamError("CLOSED", "The agent stream is closed");

  // ---- local delivery ----

  /** Writes to one browser; one that stopped reading (unsent data past maxBufferedBytes) is disconnected. */
  function write(client: Client, chunk: string): void {
    if (client.res.writableEnded || client.res.destroyed) return remove(client);
    client.res.write(chunk);
    if (client.res.writableLength <= maxBuffered) return;
    remove(client);
    client.res.destroy();
    report(new AgentStreamError("CLIENT_DROPPED", `A stream of agent ${JSON.stringify(client.agentId)} was disconnected: more than ${maxBuffered} bytes unsent (the browser stopped reading)`));
  }

  function deliver(agentId: string, frame: string): void {
    const agent = agents.get(agentId);
    if (agent) for (const client of [...agent.clients]) if (client.ready) write(client, frame);
  }

  /** A message heard on an agent's channel: checked again (anyone with access to Redis can publish). */
  function heard(agentId: string, message: string): void {
    let frame: string;
    try {
      frame = frameOf(checkEvent(JSON.parse(message) as unknown));
    } catch (e) {
      const why = e instanceof AgentStreamError ? e.message : "not JSON";
      return report(invalid(`A message on ${channel(agentId)} was dropped: ${why}`));
    }
    deliver(agentId, frame);
  }

  function tick(): void {
    for (const agent of agents.values()) for (const client of [...agent.clients]) if (client.ready) write(client, PING);
  }

  // ---- browsers coming and going ----

  function enqueue(agent: Agent, step: () => Promise<void>): Promise<void> {
    const run = agent.queue.then(step);
    agent.queue = run.catch(() => {});
    return run;
  }

  /** SUBSCRIBE the agent's channel unless it is already (Redis only). */
  function subscribe(agentId: string, agent: Agent): Promise<void> {
    if (!redis) return Promise.resolve();
    return enqueue(agent, async () => {
      if (agent.listening || agent.clients.size === 0) return;
      // From here node-redis may hold the listener (a late answer, a resubscription): an UNSUBSCRIBE is owed.
      agent.subscribed = true;
      await redis.subscribe(channel(agentId), onMessage);
      agent.listening = true;
    });
  }

  /**
   * UNSUBSCRIBE once the agent has no browser left here, then forget it. A
   * failed UNSUBSCRIBE leaves the agent subscribed (its events reach no
   * browser) and is tried again: when the subscriber is connected again, or
   * after redisTimeoutMs while it is connected, or by the next browser's
   * coming and going.
   */
  function release(agentId: string, agent: Agent): void {
    const forget = (): void => {
      if (agent.clients.size === 0 && !agent.subscribed && agents.get(agentId) === agent) agents.delete(agentId);
    };
    if (!redis) return forget();
    enqueue(agent, async () => {
      if (!agent.subscribed || agent.clients.size > 0) return;
      agent.listening = false;
      await redis.unsubscribe(channel(agentId), onMessage);
      agent.subscribed = false;
    }).then(forget, retryLater); // the failure is reported by RedisLink
  }

  /** Tries again the UNSUBSCRIBEs that failed (agents subscribed with no browser here). */
  function releaseLeftovers(): void {
    if (closed) return;
    for (const [agentId, agent] of agents) if (agent.subscribed && agent.clients.size === 0) release(agentId, agent);
  }

  function retryLater(): void {
    // Not connected: the subscriber's `ready` calls releaseLeftovers.
    if (closed || retryTimer || !redis?.subscriberReady) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      releaseLeftovers();
    }, redisTimeoutMs).unref();
  }
  redis?.onSubscriberReady(releaseLeftovers);

  function add(agentId: string, res: ServerResponse): { client: Client; agent: Agent } {
    let agent = agents.get(agentId);
    if (!agent) agents.set(agentId, (agent = { clients: new Set(), subscribed: false, listening: false, queue: Promise.resolve() }));
    const client: Client = { agentId, res, ready: false };
    agent.clients.add(client);
    clientCount++;
    keepAlive ??= setInterval(tick, keepAliveMs).unref();
    if (agent.clients.size > maxClients) {
      const oldest = agent.clients.values().next().value!;
      remove(oldest);
      // One still opening is answered by open(), which finds it gone.
      if (oldest.ready) oldest.res.end();
    }
    return { client, agent };
  }

  function remove(client: Client): void {
    const agent = agents.get(client.agentId);
    if (!agent?.clients.delete(client)) return;
    if (--clientCount === 0 && keepAlive) {
      clearInterval(keepAlive);
      keepAlive = undefined;
    }
    if (agent.clients.size === 0) release(client.agentId, agent);
  }

  // ---- the API ----

  async function issueTicket(agentId: string): Promise<{ ticket: string; expiresInMs: number }> {
    if (closed) throw closedError();
    const id = checkAgentId(agentId);
    const ticket = newTicket();
    if (!(await tickets.put(ticket, id, ttlMs))) throw new AgentStreamError("TICKET_STORE_FAILED", "A new ticket collided with an existing one");
    return { ticket, expiresInMs: ttlMs };
  }

  async function publish(agentId: string, event: AgentStreamEvent): Promise<void> {
    if (closed) throw closedError();
    const id = checkAgentId(agentId);
    const checked = checkEvent(event);
    const frame = frameOf(checked);
    if (redis) await redis.publish(channel(id), JSON.stringify(checked));
    else deliver(id, frame);
  }

  async function open(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (closed) throw new HttpError(503, "VENDOR_ERROR", "The agent stream is closed");
    if (req.method !== "GET") throw new HttpError(405, "INVALID_ARGUMENT", "GET only", { allow: "GET" });
    if (!originAllowed(req, allowed)) throw new HttpError(403, "AUTH_FAILED", "Origin not allowed");
    const ticket = new URL(req.url ?? "/", "http://localhost").searchParams.get("ticket") ?? "";
    // A malformed ticket never reaches the store (nor Redis).
    const agentId = TICKET_FORMAT.test(ticket) ? await take(ticket) : undefined;
    if (agentId === undefined) throw new HttpError(401, "AUTH_FAILED", "The ticket is missing, unknown, used or expired: get a new one");
    const { client, agent } = add(agentId, res);
    res.once("close", () => remove(client));
    try {
      await subscribe(agentId, agent);
    } catch {
      remove(client);
      throw new HttpError(503, "VENDOR_ERROR", "The agent stream is unavailable");
    }
    // The browser may have left (or been replaced) while the ticket and SUBSCRIBE were under way.
    if (closed || res.destroyed || req.socket.destroyed || !agent.clients.has(client)) {
      remove(client);
      if (!res.destroyed && !req.socket.destroyed) throw new HttpError(503, "VENDOR_ERROR", "The agent stream is closed");
      return;
    }
    res.writeHead(200, {
      ...corsHeaders(req, allowed),
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      // nginx buffers proxied responses unless told not to.
      "x-accel-buffering": "no",
      connection: "keep-alive",
    });
    res.socket?.setNoDelay(true);
    write(client, OK);
    client.ready = true;
  }

  async function take(ticket: string): Promise<string | undefined> {
    try {
      return await tickets.take(ticket);
    } catch {
      throw new HttpError(503, "VENDOR_ERROR", "The agent stream is unavailable"); // reported by RedisLink
    }
  }

  async function handleEvents(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await open(req, res);
    } catch (e) {
      const error = e instanceof HttpError ? e : new HttpError(500, "VENDOR_ERROR", "The agent stream failed");
      if (!(e instanceof HttpError)) report(new AgentStreamError("INTERNAL", `GET /events failed: ${e instanceof Error ? e.message : String(e)}`));
      sendError(res, error, corsHeaders(req, allowed));
    }
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    if (keepAlive) clearInterval(keepAlive);
    keepAlive = undefined;
    clearTimeout(retryTimer);
    const all = [...agents.values()].flatMap((agent) => [...agent.clients]);
    agents.clear();
    clientCount = 0;
    // Those still opening are answered by open() (503).
    for (const client of all) if (client.ready) client.res.end();
    await redis?.close();
  }

  return { issueTicket, publish, handleEvents, close };
}
