// The stream against a real redis-server that misbehaves: killed while an
// agent's last browser leaves, a SUBSCRIBE that takes its time, and a
// caller's own node-redis client handed back as it was given.
import { createClient } from "redis";
import { describe, expect, it } from "vitest";
import type { RedisClient } from "../src/index.js";
import { startRedisServer } from "../src/testing/index.js";
import { eventually, numSub, openBrowser, rawStream, redisLab, sleep, startInstance, ticketFor, transcript, until } from "./support.js";

const lab = redisLab();
const { instances, browsers, servers, clients } = lab;

/** `client`, whose duplicate's SUBSCRIBE answers `delayMs` late (Redis has subscribed; the stream does not know yet). */
function slowSubscribe(client: RedisClient, delayMs: number): RedisClient {
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
  });
}

describe("Redis misbehaving", () => {
  it("Redis killed while the agent's last browser leaves: once Redis is back the channel is unsubscribed, and a new browser gets each event once", async () => {
    const first = await startRedisServer();
    servers.push(first);
    const a = await startInstance({ redis: { url: first.url }, redisTimeoutMs: 300 });
    instances.push(a);
    const gone = await openBrowser(a.base, await ticketFor(a, "alice"));
    browsers.push(gone);
    process.kill(first.pid, "SIGKILL");
    await first.stop();
    gone.close(); // the last browser leaves while Redis is away: UNSUBSCRIBE cannot go out
    await until(() => a.errors.some((e) => e.code === "FANOUT_FAILED" && e.message.includes("UNSUBSCRIBE")), 3000, "the UNSUBSCRIBE to fail");
    const second = await startRedisServer({ port: first.port });
    servers.push(second);
    const probe = createClient({ url: second.url });
    await probe.connect();
    clients.push(probe);
    // Both of the stream's connections back (node-redis resubscribes what it still holds on reconnecting) …
    await eventually(async () => Number(/connected_clients:(\d+)/.exec(await probe.info("clients"))?.[1]), 3, 6000, "the probe and the stream's two connections");
    // … and the stream unsubscribes what no browser needs.
    await eventually(() => numSub(probe, "alice"), 0, 3000, "NUMSUB once the stream is back on Redis, no browser");
    await sleep(300);
    expect(await numSub(probe, "alice")).toBe(0);
    let ticket: string | undefined;
    for (const deadline = Date.now() + 5000; !ticket && Date.now() < deadline; await sleep(50)) ticket = (await a.stream.issueTicket("alice").catch(() => undefined))?.ticket;
    const next = await openBrowser(a.base, ticket!);
    browsers.push(next);
    expect(await numSub(probe, "alice")).toBe(1);
    await a.stream.publish("alice", transcript("CA1", "once"));
    await until(() => next.received.length > 0);
    await sleep(200); // a second copy would have arrived by now
    expect(next.received.map((r) => r.type)).toEqual(["transcript"]);
    next.close();
    await eventually(() => numSub(probe, "alice"), 0, 3000, "NUMSUB after the new browser left");
  });

  it("a browser gets its headers and `: ok` before anything: events and pings while its SUBSCRIBE is under way are not written to it", async () => {
    const client = createClient({ url: lab.redis.url });
    await client.connect();
    clients.push(client);
    const a = await startInstance({ redis: { client: slowSubscribe(client, 400) }, keepAliveMs: 10 });
    instances.push(a);
    const { ticket } = await a.stream.issueTicket("bob");
    const opening = rawStream(`${a.base}/events?ticket=${ticket}`);
    await eventually(() => numSub(lab.admin, "bob"), 1, 3000, "the SUBSCRIBE to reach Redis");
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

  it("close() takes its listeners off a node-redis client you made", async () => {
    const client = createClient({ url: lab.redis.url });
    await client.connect();
    clients.push(client);
    client.on("error", () => {});
    const before = { error: client.listenerCount("error"), ready: client.listenerCount("ready") };
    const a = await startInstance({ redis: { client } });
    instances.push(a);
    expect(client.listenerCount("error")).toBeGreaterThan(before.error);
    await a.stream.close();
    expect({ error: client.listenerCount("error"), ready: client.listenerCount("ready") }).toEqual(before);
    expect(client.isReady).toBe(true);
  });
});
