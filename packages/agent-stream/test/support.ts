// Shared by the tests: a handler on an HTTP server on 127.0.0.1, a browser
// stand-in (the real `eventsource` client), and small waiting helpers.
import { request, createServer, type IncomingMessage, type Server } from "node:http";
import { EventSource } from "eventsource";
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { startRedisServer, type RedisServer } from "../src/testing/index.js";
import { createAgentStream, createAgentStreamHandler, type AgentStream, type AgentStreamError, type AgentStreamEvent, type AgentStreamOptions } from "../src/index.js";

export const INGEST_TOKEN = "ingest-token-0123456789abcdef";

/**
 * One backend instance: a stream and its handler on 127.0.0.1, mounted under
 * /agent-stream. POST /stream-ticket authenticates as the `x-agent` header
 * (none → 401) unless `authenticate` is given.
 */
export interface Instance {
  readonly stream: AgentStream;
  /** `http://127.0.0.1:<port>/agent-stream` */
  readonly base: string;
  /** What the stream's and the handler's onError heard. */
  readonly errors: AgentStreamError[];
  close(): Promise<void>;
}

export async function startInstance(options: AgentStreamOptions = {}, handlerOptions: { allowedOrigins?: readonly string[]; authenticate?: (req: IncomingMessage) => string | undefined } = {}): Promise<Instance> {
  const errors: AgentStreamError[] = [];
  const stream = createAgentStream({ onError: (e) => errors.push(e), ...options });
  const handler = createAgentStreamHandler({
    stream,
    ingestToken: INGEST_TOKEN,
    authenticate: handlerOptions.authenticate ?? ((req) => (typeof req.headers["x-agent"] === "string" ? req.headers["x-agent"] : undefined)),
    onError: (e) => errors.push(e),
    ...(handlerOptions.allowedOrigins && { allowedOrigins: handlerOptions.allowedOrigins }),
  });
  const server: Server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/agent-stream`;
  return {
    stream,
    base,
    errors,
    async close() {
      await stream.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function ticketFor(instance: Instance, agent: string): Promise<string> {
  const res = await fetch(`${instance.base}/stream-ticket`, { method: "POST", headers: { "content-type": "application/json", "x-agent": agent }, body: "{}" });
  if (res.status !== 200) throw new Error(`stream-ticket answered ${res.status}`);
  return ((await res.json()) as { ticket: string }).ticket;
}

/** POST /voice-ai with the ingest token. */
export async function ingest(instance: Instance, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${instance.base}/voice-ai`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${INGEST_TOKEN}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

/** A message as the browser sees it. */
export interface Received {
  type: string;
  data: unknown;
}

/** A browser's stream: what it received, and whether the server ended it. */
export interface Browser {
  readonly received: Received[];
  /** Set when the stream failed or ended after opening (the server closed it). */
  ended: boolean;
  close(): void;
}

/** Opens `<base>/events?ticket=` with the `eventsource` client; resolves once open, rejects with the HTTP status if refused. */
export function openBrowser(base: string, ticket: string): Promise<Browser> {
  return new Promise((resolve, reject) => {
    const es = new EventSource(`${base}/events?ticket=${encodeURIComponent(ticket)}`);
    const browser: Browser = { received: [], ended: false, close: () => es.close() };
    let opened = false;
    for (const type of ["transcript", "insight", "media"]) es.addEventListener(type, (e) => browser.received.push({ type, data: JSON.parse(e.data) as unknown }));
    es.onopen = () => {
      opened = true;
      resolve(browser);
    };
    es.onerror = (e) => {
      if (opened) {
        browser.ended = true;
        return es.close();
      }
      es.close();
      reject(Object.assign(new Error(`refused: ${e.code ?? "?"}`), { status: e.code }));
    };
  });
}

/** The status and JSON body of GET <url> (fetch; Origin and other headers allowed, unlike EventSource). */
export async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: unknown }> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const isStream = res.headers.get("content-type")?.startsWith("text/event-stream") === true;
  const json = isStream ? undefined : ((await res.json()) as unknown);
  controller.abort();
  return { status: res.status, headers: res.headers, json };
}

/** A raw stream: every byte as it arrives, and whether the response ended; `pause` stops reading (a browser that hangs). */
export function rawStream(url: string, options: { pause?: boolean } = {}): Promise<{ res: IncomingMessage; text: () => string; ended: () => boolean; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let text = "";
      let ended = false;
      const end = () => void (ended = true);
      res.on("end", end).on("close", end).on("error", end);
      if (options.pause) res.pause();
      else res.on("data", (chunk: Buffer) => void (text += chunk.toString("utf8")));
      resolve({ res, text: () => text, ended: () => ended, close: () => req.destroy() });
    });
    req.on("error", reject);
    req.end();
  });
}

/** Waits until `check` holds (polled every 10 ms), or throws after `ms`. */
export async function until(check: () => boolean, ms = 3000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const transcript = (callId: string, text: string, extra: Partial<Extract<AgentStreamEvent, { type: "transcript" }>> = {}): AgentStreamEvent => ({
  type: "transcript",
  callId,
  segment: { id: `seg-${text}`.slice(0, 128), speaker: "customer", text, final: true },
  ...extra,
});

/** PUBSUB NUMSUB of an agent's channel: how many connections Redis counts subscribed to it. */
export const numSub = async (client: { pubSubNumSub(channel: string): Promise<Record<string, number>> }, agent: string): Promise<number> => (await client.pubSubNumSub(`opencti:agent:${agent}`))[`opencti:agent:${agent}`] ?? 0;

/** Polls `read` (a failure reads NaN) until it gives `expected` or `ms` pass, then asserts it. */
export async function eventually(read: () => Promise<number>, expected: number, ms = 3000, what?: string): Promise<void> {
  const deadline = Date.now() + ms;
  let value = await read().catch(() => NaN);
  while (value !== expected && Date.now() < deadline) {
    await sleep(20);
    value = await read().catch(() => NaN);
  }
  expect(value, what).toBe(expected);
}

/**
 * A real redis-server for the test file (started before it, stopped after
 * it) with an admin client, and what each test opened, closed after it:
 * instances, browsers, extra redis-servers and node-redis clients.
 */
export function redisLab() {
  const lab = {
    redis: undefined as unknown as RedisServer,
    admin: undefined as unknown as ReturnType<typeof createClient>,
    instances: [] as Instance[],
    browsers: [] as Browser[],
    servers: [] as RedisServer[],
    clients: [] as { destroy(): unknown }[],
  };
  beforeAll(async () => {
    lab.redis = await startRedisServer();
    lab.admin = createClient({ url: lab.redis.url });
    await lab.admin.connect();
  });
  afterAll(async () => {
    lab.admin.destroy();
    await lab.redis.stop();
  });
  afterEach(async () => {
    for (const b of lab.browsers.splice(0)) b.close();
    await Promise.all(lab.instances.splice(0).map((i) => i.close()));
    for (const c of lab.clients.splice(0)) c.destroy();
    await Promise.all(lab.servers.splice(0).map((s) => s.stop()));
  });
  return lab;
}
