// The stream against a real redis-server that misbehaves: a SUBSCRIBE that takes its time.
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RedisClient } from "../src/index.js";
import { startRedisServer, type RedisServer } from "../src/testing/index.js";
import { rawStream, sleep, startInstance, transcript, until, type Browser, type Instance } from "./support.js";

let redis: RedisServer;
let admin: ReturnType<typeof createClient>;
const instances: Instance[] = [];
const browsers: Browser[] = [];
const servers: RedisServer[] = [];
const clients: { destroy(): unknown }[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  admin = createClient({ url: redis.url });
  await admin.connect();
});
afterAll(async () => {
  admin.destroy();
  await redis.stop();
});
afterEach(async () => {
  for (const b of browsers.splice(0)) b.close();
  await Promise.all(instances.splice(0).map((i) => i.close()));
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

const numSub = async (client: typeof admin, agent: string): Promise<number> => (await client.pubSubNumSub(`opencti:agent:${agent}`))[`opencti:agent:${agent}`] ?? 0;

async function eventually(read: () => Promise<number>, expected: number, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  let value = await read().catch(() => NaN);
  while (value !== expected && Date.now() < deadline) {
    await sleep(25);
    value = await read().catch(() => NaN);
  }
  expect(value, what).toBe(expected);
}

/** `client`, whose duplicate's SUBSCRIBE answers `delayMs` late (Redis has subscribed; the stream does not know yet). */
function slowSubscribe(client: ReturnType<typeof createClient>, delayMs: number): RedisClient {
  const wrap = <T extends object>(target: T, override: Partial<Record<string | symbol, unknown>>): T =>
    new Proxy(target, {
      get(t, p) {
        if (p in override) return override[p];
        const v = Reflect.get(t, p) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    });
  return wrap(client, {
    duplicate: () => {
      const d = client.duplicate();
      clients.push(d);
      return wrap(d, {
        subscribe: async (...args: Parameters<typeof d.subscribe>) => {
          await d.subscribe(...args);
          await sleep(delayMs);
        },
      });
    },
  }) as unknown as RedisClient;
}

describe("Redis misbehaving", () => {
  it("a browser gets its headers and `: ok` before anything: events and pings while its SUBSCRIBE is under way are not written to it", async () => {
    const client = createClient({ url: redis.url });
    await client.connect();
    clients.push(client);
    const a = await startInstance({ redis: { client: slowSubscribe(client, 400) }, keepAliveMs: 10 });
    instances.push(a);
    const { ticket } = await a.stream.issueTicket("bob");
    const opening = rawStream(`${a.base}/events?ticket=${ticket}`);
    await eventually(() => numSub(admin, "bob"), 1, 3000, "the SUBSCRIBE to reach Redis");
    await a.stream.publish("bob", transcript("CA1", "before the headers"));
    const raw = await opening;
    expect(raw.res.statusCode).toBe(200);
    expect(raw.res.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    await a.stream.publish("bob", transcript("CA1", "after the headers"));
    await until(() => raw.text().includes("after the headers"), 3000, "the event published once the stream was open");
    raw.close();
    expect(raw.text().startsWith(": ok\n\n")).toBe(true);
    expect(raw.text()).not.toContain("before the headers");
    expect(a.errors).toEqual([]);
  });
});
