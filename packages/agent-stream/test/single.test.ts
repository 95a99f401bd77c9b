// One instance without Redis: the whole wire with the real `eventsource` client.
import { afterEach, describe, expect, it } from "vitest";
import { EventSource } from "eventsource";
import { AgentStreamError, createAgentStream } from "../src/index.js";
import { get, openBrowser, rawStream, sleep, startInstance, ticketFor, transcript, until, type Browser, type Instance } from "./support.js";

const instances: Instance[] = [];
const browsers: Browser[] = [];
async function instance(...args: Parameters<typeof startInstance>): Promise<Instance> {
  const i = await startInstance(...args);
  instances.push(i);
  return i;
}
async function browser(i: Instance, agent: string): Promise<Browser> {
  const b = await openBrowser(i.base, await ticketFor(i, agent));
  browsers.push(b);
  return b;
}
afterEach(async () => {
  for (const b of browsers.splice(0)) b.close();
  await Promise.all(instances.splice(0).map((i) => i.close()));
});

describe("one instance, no Redis", () => {
  it("a ticket opens the agent's stream; what is published reaches that agent's browsers only, in order, with only the wire's fields", async () => {
    const i = await instance();
    const alice = await browser(i, "alice");
    const bob = await browser(i, "bob");
    await i.stream.publish("alice", { ...transcript("CA1", "hello"), extra: "dropped" } as never);
    await i.stream.publish("alice", { type: "insight", callId: "CA1", insight: { kind: "issue", text: "refund", score: 0.9, data: { product: "router" } } });
    await i.stream.publish("alice", { type: "media", callId: "CA1", mediaStream: "MZ123" });
    await i.stream.publish("alice", { type: "media", callId: "CA1", mediaStream: null });
    await i.stream.publish("bob", { type: "transcript", callId: "CA2", segment: { id: "u1", speaker: "agent", text: "", final: false, language: "en-US", startMs: 0, endMs: 120 }, sequence: 3 });
    await until(() => alice.received.length === 4 && bob.received.length === 1);
    expect(alice.received).toEqual([
      { type: "transcript", data: { callId: "CA1", segment: { id: "seg-hello", speaker: "customer", text: "hello", final: true } } },
      { type: "insight", data: { callId: "CA1", insight: { kind: "issue", text: "refund", score: 0.9, data: { product: "router" } } } },
      { type: "media", data: { callId: "CA1", mediaStream: "MZ123" } },
      { type: "media", data: { callId: "CA1", mediaStream: null } },
    ]);
    expect(bob.received).toEqual([{ type: "transcript", data: { callId: "CA2", segment: { id: "u1", speaker: "agent", text: "", final: false, language: "en-US", startMs: 0, endMs: 120 }, sequence: 3 } }]);
    expect(i.errors).toEqual([]);
  });

  it("answers the stream with the contract's headers, `: ok` first and a `ping` event (data `{}`) at the interval, no comment keep-alives", async () => {
    const i = await instance({ keepAliveMs: 50 });
    const { ticket } = await i.stream.issueTicket("alice");
    const raw = await rawStream(`${i.base}/events?ticket=${ticket}`);
    expect(raw.res.statusCode).toBe(200);
    expect(raw.res.headers).toMatchObject({ "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" });
    expect(raw.res.headers["access-control-allow-origin"]).toBeUndefined();
    await until(() => raw.text().split("event: ping\ndata: {}\n\n").length > 3, 2000, "three pings");
    expect(raw.text()).toMatch(/^: ok\n\n(event: ping\ndata: \{\}\n\n)+$/);
    raw.close();
  });

  it("EventSource hears the pings as `ping` events (a browser's watchdog), about one per keepAliveMs", async () => {
    const i = await instance({ keepAliveMs: 50 });
    const es = new EventSource(`${i.base}/events?ticket=${(await i.stream.issueTicket("alice")).ticket}`);
    const pings: string[] = [];
    es.addEventListener("ping", (e) => pings.push(e.data));
    const opened = Date.now();
    try {
      await until(() => pings.length >= 4, 3000, "four pings");
      expect(Date.now() - opened).toBeGreaterThanOrEqual(150);
      expect(new Set(pings)).toEqual(new Set(["{}"]));
    } finally {
      es.close();
    }
  });

  it("a ticket works once: the second use is 401 AUTH_FAILED (EventSource fails too)", async () => {
    const i = await instance();
    const ticket = await ticketFor(i, "alice");
    const first = await openBrowser(i.base, ticket);
    browsers.push(first);
    await expect(openBrowser(i.base, ticket)).rejects.toMatchObject({ status: 401 });
    const again = await get(`${i.base}/events?ticket=${ticket}`);
    expect(again).toMatchObject({ status: 401, json: { code: "AUTH_FAILED", message: expect.stringContaining("ticket") } });
  });

  it("tickets are capped per agent (16 outstanding): past it that agent's oldest is revoked; another agent's fresh ticket survives 100 000 of them", async () => {
    const i = await instance();
    const victim = (await i.stream.issueTicket("victim")).ticket;
    const alice: string[] = [];
    for (let n = 0; n < 17; n++) alice.push((await i.stream.issueTicket("alice")).ticket);
    for (let n = 0; n < 100_000; n++) await i.stream.issueTicket("attacker");
    expect(await get(`${i.base}/events?ticket=${alice[0]}`)).toMatchObject({ status: 401, json: { code: "AUTH_FAILED" } });
    for (const ticket of [alice[1], alice[16], victim]) expect((await get(`${i.base}/events?ticket=${ticket}`)).status).toBe(200);
  });

  it("an instance without Redis refuses a ticket (TICKET_STORE_FAILED) past 100 000 outstanding, all agents together", async () => {
    const stream = createAgentStream({ maxTicketsPerAgent: 1000 });
    for (let agent = 0; agent < 100; agent++) for (let n = 0; n < 1000; n++) await stream.issueTicket(`agent-${agent}`);
    await expect(stream.issueTicket("one-more")).rejects.toMatchObject({ code: "TICKET_STORE_FAILED" });
    await stream.close();
  });

  it("maxTicketsPerAgent sets the cap", async () => {
    const i = await instance({ maxTicketsPerAgent: 2 });
    const [first, second, third] = [await i.stream.issueTicket("alice"), await i.stream.issueTicket("alice"), await i.stream.issueTicket("alice")];
    expect((await get(`${i.base}/events?ticket=${first.ticket}`)).status).toBe(401);
    expect((await get(`${i.base}/events?ticket=${second.ticket}`)).status).toBe(200);
    expect((await get(`${i.base}/events?ticket=${third.ticket}`)).status).toBe(200);
  });

  it("an expired ticket is 401", async () => {
    const i = await instance({ ticketTtlMs: 1000 });
    const { ticket, expiresInMs } = await i.stream.issueTicket("alice");
    expect(expiresInMs).toBe(1000);
    await sleep(1100);
    expect((await get(`${i.base}/events?ticket=${ticket}`)).status).toBe(401);
  });

  it("a missing, malformed or unknown ticket is 401; POST /events is 405; an unknown route 404", async () => {
    const i = await instance();
    for (const query of ["", "?ticket=", "?ticket=short", `?ticket=${"A".repeat(43)}`, `?ticket=${"A".repeat(42)}%0A`]) {
      expect(await get(`${i.base}/events${query}`)).toMatchObject({ status: 401, json: { code: "AUTH_FAILED" } });
    }
    const post = await fetch(`${i.base}/events`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");
    expect((await fetch(`${i.base}/nope`, { method: "POST" })).status).toBe(404);
  });

  it("refuses a page from an origin not allowed (403, the ticket not spent) and answers an allowed one with CORS", async () => {
    const i = await instance({ allowedOrigins: ["https://crm.example.com"] });
    const { ticket } = await i.stream.issueTicket("alice");
    const refused = await get(`${i.base}/events?ticket=${ticket}`, { origin: "https://evil.example" });
    expect(refused).toMatchObject({ status: 403, json: { code: "AUTH_FAILED", message: "Origin not allowed" } });
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    const allowed = await get(`${i.base}/events?ticket=${ticket}`, { origin: "https://crm.example.com" });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://crm.example.com");
  });

  it("past maxClientsPerAgent the agent's oldest stream is ended", async () => {
    const i = await instance({ maxClientsPerAgent: 2 });
    const first = await browser(i, "alice");
    const second = await browser(i, "alice");
    const third = await browser(i, "alice");
    await until(() => first.ended, 3000, "the oldest stream to end");
    await i.stream.publish("alice", transcript("CA1", "hi"));
    await until(() => second.received.length === 1 && third.received.length === 1);
    expect(second.ended || third.ended).toBe(false);
    expect(first.received).toEqual([]);
  });

  it("disconnects a browser that stops reading once its unsent data passes maxBufferedBytes, and tells onError", async () => {
    const i = await instance({ maxBufferedBytes: 64 * 1024 });
    const { ticket } = await i.stream.issueTicket("slow");
    const raw = await rawStream(`${i.base}/events?ticket=${ticket}`, { pause: true });
    const big = "x".repeat(8000);
    for (let n = 0; n < 2000 && !i.errors.length; n++) await i.stream.publish("slow", transcript("CA1", big));
    expect(i.errors.map((e) => e.code)).toEqual(["CLIENT_DROPPED"]);
    expect(i.errors[0]!.message).not.toContain(big.slice(0, 100));
    raw.res.resume();
    await until(raw.ended, 3000, "the dropped stream to end");
  });

  it("close() ends every stream; publish and issueTicket then reject CLOSED and /events answers 503", async () => {
    const i = await instance();
    const alice = await browser(i, "alice");
    const { ticket } = await i.stream.issueTicket("bob");
    await i.stream.close();
    await until(() => alice.ended, 3000, "the stream to end");
    await expect(i.stream.publish("alice", transcript("CA1", "late"))).rejects.toMatchObject({ code: "CLOSED" });
    await expect(i.stream.issueTicket("alice")).rejects.toMatchObject({ code: "CLOSED" });
    expect(await get(`${i.base}/events?ticket=${ticket}`)).toMatchObject({ status: 503, json: { code: "VENDOR_ERROR" } });
  });
});

describe("limits", () => {
  const base = transcript("CA1", "ok") as Extract<ReturnType<typeof transcript>, { type: "transcript" }>;
  const bad: [string, unknown, RegExp][] = [
    ["text past 8192", { ...base, segment: { ...base.segment, text: "x".repeat(8193) } }, /event\.segment\.text must be 0 to 8192/],
    ["callId past 128", { ...base, callId: "c".repeat(129) }, /event\.callId must be 1 to 128/],
    ["empty segment id", { ...base, segment: { ...base.segment, id: "" } }, /event\.segment\.id/],
    ["speaker", { ...base, segment: { ...base.segment, speaker: "bot" } }, /event\.segment\.speaker must be one of agent, customer, third_party, system/],
    ["final", { ...base, segment: { ...base.segment, final: "yes" } }, /event\.segment\.final must be a boolean/],
    ["startMs", { ...base, segment: { ...base.segment, startMs: -1 } }, /event\.segment\.startMs/],
    ["sequence", { ...base, sequence: 1.5 }, /event\.sequence must be an integer/],
    ["insight kind", { type: "insight", callId: "CA1", insight: { kind: "mood", text: "" } }, /event\.insight\.kind must be one of .*issue, category/],
    ["score", { type: "insight", callId: "CA1", insight: { kind: "sentiment", text: "", score: 2 } }, /event\.insight\.score/],
    ["33 data entries", { type: "insight", callId: "CA1", insight: { kind: "entity", text: "", data: Object.fromEntries(Array.from({ length: 33 }, (_, n) => [`k${n}`, "v"])) } }, /at most 32 entries/],
    ["a data value not a string", { type: "insight", callId: "CA1", insight: { kind: "entity", text: "", data: { n: 1 } } }, /event\.insight\.data\["n"\] must be a string/],
    ["mediaStream past 1024", { type: "media", callId: "CA1", mediaStream: "m".repeat(1025) }, /event\.mediaStream/],
    ["a missing mediaStream", { type: "media", callId: "CA1" }, /event\.mediaStream must be a string/],
    ["type", { type: "hangup", callId: "CA1" }, /event\.type/],
    ["a message past 16 KiB", { ...base, segment: { ...base.segment, text: "é".repeat(8192) } }, /SSE message of \d+ bytes, more than 16384/],
  ];

  it.each(bad)("publish refuses %s with INVALID_ARGUMENT naming the field", async (_name, event, message) => {
    const i = await instance();
    const error = await i.stream.publish("alice", event as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentStreamError);
    expect(error).toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(message) });
  });

  it("publish and issueTicket refuse a bad agent id; a 32-entry data and an 8192-character text pass", async () => {
    const i = await instance();
    for (const agent of ["", "a".repeat(129), "bob\nx", 7]) {
      await expect(i.stream.publish(agent as string, base)).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/^agentId/) });
      await expect(i.stream.issueTicket(agent as string)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    }
    await i.stream.publish("a".repeat(128), { type: "insight", callId: "c".repeat(128), insight: { kind: "entity", text: "t".repeat(8192), data: Object.fromEntries(Array.from({ length: 32 }, (_, n) => [`k${n}`, "v"])) } });
  });

  it("refuses bad options", () => {
    for (const [options, name] of [
      [{ ticketTtlMs: 10 }, "ticketTtlMs"],
      [{ keepAliveMs: 0 }, "keepAliveMs"],
      [{ maxClientsPerAgent: 0 }, "maxClientsPerAgent"],
      [{ maxTicketsPerAgent: 0 }, "maxTicketsPerAgent"],
      [{ redis: { url: "http://127.0.0.1:1" } }, "redis.url"],
    ] as const) {
      expect(() => createAgentStream(options)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining(name) }));
    }
  });
});
