// Two instances on two HTTP servers sharing one real redis-server: what a
// media server posts to A reaches the agent's browser on B once and in order.
import { createClient } from "redis";
import { describe, expect, it } from "vitest";
import { AgentStreamError } from "../src/index.js";
import { startRedisServer } from "../src/testing/index.js";
import { eventually, get, ingest, numSub, openBrowser, redisLab, sleep, startInstance, ticketFor, transcript, until, type Browser, type Instance } from "./support.js";

const lab = redisLab();
const { instances, browsers, servers } = lab;

async function instance(url = lab.redis.url, options: Parameters<typeof startInstance>[0] = {}): Promise<Instance> {
  const i = await startInstance({ redis: { url }, ...options });
  instances.push(i);
  return i;
}
async function browser(on: Instance, agent: string, ticketFrom: Instance = on): Promise<Browser> {
  const b = await openBrowser(on.base, await ticketFor(ticketFrom, agent));
  browsers.push(b);
  return b;
}
const subscribers = (agent: string): Promise<number> => numSub(lab.admin, agent);
const texts = (b: Browser) => b.received.map((r) => (r.data as { segment: { text: string } }).segment.text);

describe("two instances, one Redis", () => {
  it("the transcript callback posted to A reaches the agent's browser on B exactly once, in order (and a browser on A too)", async () => {
    const a = await instance();
    const b = await instance();
    const onB = await browser(b, "alice");
    const onA = await browser(a, "alice");
    const other = await browser(b, "bob");
    const sent: string[] = [];
    for (let n = 0; n < 20; n++) {
      sent.push(`t${n}`);
      expect((await ingest(a, { agentId: "alice", event: transcript("CA1", `t${n}`) })).status).toBe(204);
    }
    const batch = Array.from({ length: 30 }, (_, n) => `b${n}`);
    sent.push(...batch);
    expect((await ingest(a, { events: batch.map((text) => ({ agentId: "alice", event: transcript("CA1", text) })) })).status).toBe(204);
    await until(() => onB.received.length >= sent.length && onA.received.length >= sent.length, 5000, "every event on both instances");
    await sleep(200); // anything duplicated would have arrived by now
    expect(texts(onB)).toEqual(sent);
    expect(texts(onA)).toEqual(sent);
    expect(other.received).toEqual([]);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it("a ticket issued on A opens a stream on B, once", async () => {
    const a = await instance();
    const b = await instance();
    const ticket = await ticketFor(a, "alice");
    expect(await lab.admin.exists(`opencti:ticket:${ticket}`)).toBe(1);
    browsers.push(await openBrowser(b.base, ticket));
    expect(await lab.admin.exists(`opencti:ticket:${ticket}`)).toBe(0);
    expect((await get(`${b.base}/events?ticket=${ticket}`)).status).toBe(401);
    expect((await get(`${a.base}/events?ticket=${ticket}`)).status).toBe(401);
    const ttl = await lab.admin.pTTL(`opencti:ticket:${(await a.stream.issueTicket("bob")).ticket}`);
    expect(ttl).toBeGreaterThan(29_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it("tickets are capped per agent in Redis too: past 16 outstanding (issued on any instance) that agent's oldest is revoked; the agent's list goes with its tickets", async () => {
    const a = await instance();
    const b = await instance();
    const other = (await a.stream.issueTicket("grace")).ticket;
    const heidi: string[] = [];
    for (let n = 0; n < 17; n++) heidi.push((await (n % 2 ? a : b).stream.issueTicket("heidi")).ticket);
    expect(await lab.admin.exists(`opencti:ticket:${heidi[0]}`)).toBe(0);
    expect(await lab.admin.exists(heidi.slice(1).map((t) => `opencti:ticket:${t}`))).toBe(16);
    expect(await lab.admin.lRange("opencti:tickets:heidi", 0, -1)).toEqual(heidi.slice(1));
    const ttl = await lab.admin.pTTL("opencti:tickets:heidi");
    expect(ttl).toBeGreaterThan(29_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
    expect((await get(`${b.base}/events?ticket=${heidi[0]}`)).status).toBe(401);
    for (const ticket of [heidi[1], heidi[16], other]) expect((await get(`${a.base}/events?ticket=${ticket}`)).status).toBe(200);
    expect(await lab.admin.lRange("opencti:tickets:heidi", 0, -1)).toEqual(heidi.slice(2, 16)); // a used ticket is no longer outstanding
  });

  it("an instance subscribes an agent's channel while it has a browser of that agent, and unsubscribes when the last leaves", async () => {
    const a = await instance();
    const b = await instance();
    expect(await subscribers("carol")).toBe(0);
    const first = await browser(b, "carol");
    expect(await subscribers("carol")).toBe(1);
    const second = await browser(b, "carol");
    expect(await subscribers("carol")).toBe(1);
    const third = await browser(a, "carol");
    expect(await subscribers("carol")).toBe(2);
    third.close();
    await eventually(() => subscribers("carol"), 1);
    first.close();
    await sleep(100);
    expect(await subscribers("carol")).toBe(1);
    second.close();
    await eventually(() => subscribers("carol"), 0);
    // And back: a new browser subscribes again and hears what is published.
    const again = await browser(b, "carol");
    expect(await subscribers("carol")).toBe(1);
    await a.stream.publish("carol", transcript("CA9", "back"));
    await until(() => again.received.length === 1);
  });

  it("takes a node-redis client you made: uses it, and leaves it open on close()", async () => {
    const client = createClient({ url: lab.redis.url });
    await client.connect();
    const a = await startInstance({ redis: { client } });
    instances.push(a);
    const b = await instance();
    const onA = await browser(a, "frank", b);
    await b.stream.publish("frank", transcript("CA1", "via your client"));
    await until(() => onA.received.length === 1);
    await a.stream.close();
    expect(client.isReady).toBe(true);
    expect(await client.exists("anything")).toBe(0);
    client.destroy();
  });

  it("close() ends the streams, unsubscribes and closes the Redis connections it made", async () => {
    const a = await instance();
    const onA = await browser(a, "dave");
    expect(await subscribers("dave")).toBe(1);
    const before = await connections();
    await a.stream.close();
    await until(() => onA.ended, 3000, "the stream to end");
    await eventually(() => subscribers("dave"), 0);
    await eventually(connections, before - 2);
  });

  it("Redis gone: publish rejects FANOUT_FAILED, issueTicket TICKET_STORE_FAILED, the ingest and /events answer 503; onError hears it without the password", async () => {
    const password = "s3cret-pass/word";
    const own = await startRedisServer({ password });
    servers.push(own);
    expect(own.url).toContain(encodeURIComponent(password));
    const a = await instance(own.url, { redisTimeoutMs: 300 });
    const { ticket } = await a.stream.issueTicket("erin");
    await own.stop();
    const error = await a.stream.publish("erin", transcript("CA1", "lost")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentStreamError);
    expect(error).toMatchObject({ code: "FANOUT_FAILED", message: expect.stringContaining(`redis://127.0.0.1:${own.port}`) });
    await expect(a.stream.issueTicket("erin")).rejects.toMatchObject({ code: "TICKET_STORE_FAILED" });
    expect(await ingest(a, { agentId: "erin", event: transcript("CA1", "lost") })).toEqual({ status: 503, json: { code: "VENDOR_ERROR", message: "The agent stream is unavailable" } });
    expect(await get(`${a.base}/events?ticket=${ticket}`)).toMatchObject({ status: 503, json: { code: "VENDOR_ERROR" } });
    const codes = new Set(a.errors.map((e) => e.code));
    expect(codes).toEqual(new Set(["REDIS_CONNECTION", "FANOUT_FAILED", "TICKET_STORE_FAILED"]));
    for (const e of a.errors) {
      expect(e).toBeInstanceOf(AgentStreamError);
      for (const secret of [password, encodeURIComponent(password)]) expect(`${e.message} ${e.stack ?? ""}`).not.toContain(secret);
    }
  });
});

async function connections(): Promise<number> {
  const info = await lab.admin.info("clients");
  return Number(/connected_clients:(\d+)/.exec(info)?.[1]);
}

