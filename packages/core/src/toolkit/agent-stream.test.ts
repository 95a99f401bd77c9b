// The follower against a real SSE server on 127.0.0.1 (the wire contract v1's
// /stream-ticket and /events, minimal) and the real `eventsource` client.
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { EventSource } from "eventsource";
import { afterEach, describe, expect, it } from "vitest";
import { createDesktop } from "../desktop.js";
import type { Connector, ConnectorContext } from "../connector.js";
import type { DesktopEvent } from "../events.js";
import { followAgentStream, httpAgentStream, type AgentStreamFollower, type FollowAgentStreamOptions } from "./agent-stream.js";
import { waitFor } from "./wait.js";

interface Backend {
  url: string;
  server: Server;
  /** Open streams, newest last. */
  streams: ServerResponse[];
  tickets: string[];
  /** Tickets already used (a second use is refused 401). */
  used: Set<string>;
  /** Authorization headers seen on /stream-ticket. */
  auth: (string | undefined)[];
  refuseTickets: boolean;
  send(type: string, data: unknown): void;
}

async function backend(): Promise<Backend> {
  const b = { streams: [], tickets: [], used: new Set<string>(), auth: [], refuseTickets: false } as unknown as Backend;
  b.server = createServer((req, res) => {
    const url = new URL(req.url!, "http://x");
    if (req.method === "POST" && url.pathname === "/cti/stream-ticket") {
      b.auth.push(req.headers.authorization);
      if (b.refuseTickets) return void res.writeHead(503).end();
      const ticket = `t${b.tickets.length}`;
      b.tickets.push(ticket);
      return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ticket, expiresInMs: 30_000 }));
    }
    const ticket = url.searchParams.get("ticket") ?? "";
    if (url.pathname !== "/cti/events" || !b.tickets.includes(ticket) || b.used.has(ticket)) return void res.writeHead(401, { "content-type": "application/json" }).end('{"code":"AUTH_FAILED"}');
    b.used.add(ticket);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
    res.write(": ok\n\n");
    b.streams.push(res);
  });
  b.send = (type, data) => b.streams.at(-1)!.write(`event: ${type}\ndata: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
  await new Promise<void>((r) => b.server.listen(0, "127.0.0.1", r));
  b.url = `http://127.0.0.1:${(b.server.address() as AddressInfo).port}/cti`;
  return b;
}

const open: { close(): void }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

async function setUp(resolveCallId?: (id: string) => string | undefined, extra: Partial<FollowAgentStreamOptions> = {}) {
  const b = await backend();
  open.push({ close: () => (b.server.closeAllConnections(), b.server.close()) });
  let ctx!: ConnectorContext;
  const connector: Connector = { name: "stream", capabilities: ["transcripts"], reasons: [], start: (c) => ((ctx = c), c.setLink("connected")), stop() {}, login: async () => {}, logout: async () => {} };
  const desktop = createDesktop({ connector });
  const events: DesktopEvent[] = [];
  desktop.on("*", (e) => events.push(e));
  const follower: AgentStreamFollower = followAgentStream(ctx, httpAgentStream({ url: `${b.url}/`, headers: () => ({ authorization: "Bearer agent-token" }) }), { EventSource, retryMs: 20, warnAfterMs: 0, ...extra, ...(resolveCallId ? { resolveCallId } : {}) });
  open.push(follower, { close: () => void desktop.destroy() });
  const until = (pred: () => boolean) => waitFor<void>((res) => { const t = setInterval(() => pred() && res(), 5); return () => clearInterval(t); }, AbortSignal.timeout(4000));
  await until(() => b.streams.length === 1);
  const of = <T extends DesktopEvent["type"]>(type: T): Extract<DesktopEvent, { type: T }>[] => events.filter((e): e is Extract<DesktopEvent, { type: T }> => e.type === type);
  return { b, ctx, events, follower, until, of };
}

describe("followAgentStream", () => {
  it("asks for a ticket with the source's headers and signals transcripts and insights for known calls", async () => {
    const { b, ctx, of, until } = await setUp();
    expect(b.auth).toEqual(["Bearer agent-token"]);
    ctx.upsertCall({ id: "CA1", state: "connected" });
    b.send("transcript", { callId: "CA1", segment: { id: "s1", speaker: "customer", text: "I want to cancel", final: false } });
    b.send("transcript", { callId: "CA1", segment: { id: "s1", speaker: "customer", text: "I want to cancel my plan", final: true, startMs: 10, endMs: 900 } });
    b.send("transcript", { callId: "CA-unknown", segment: { id: "s9", speaker: "agent", text: "lost", final: true } });
    b.send("insight", { callId: "CA1", insight: { kind: "issue", text: "cancel my plan" } });
    await until(() => of("call.insight").length === 1);
    expect(of("call.transcript").map((e) => [e.segment.id, e.segment.text, e.segment.final])).toEqual([
      ["s1", "I want to cancel", false],
      ["s1", "I want to cancel my plan", true],
    ]);
    expect(of("call.insight")[0]).toMatchObject({ callId: "CA1", insight: { kind: "issue", text: "cancel my plan" } });
    expect(of("error")).toEqual([]);
  });

  it("numbers utterances of a sequenced stream and drops late partials and replays", async () => {
    const { b, ctx, of, until } = await setUp();
    ctx.upsertCall({ id: "CA1", state: "connected" });
    const seg = (seq: number, text: string, final: boolean) => b.send("transcript", { callId: "CA1", sequence: seq, segment: { id: "GT1:inbound_track", speaker: "customer", text, final } });
    seg(1, "hel", false);
    seg(3, "hello there", false);
    seg(2, "hello", false); // late partial: older than the last one seen
    seg(4, "Hello there.", true);
    seg(3, "hello there", false); // a retried callback after the final
    seg(4, "Hello there.", true); // the final itself retried
    seg(5, "my", false);
    seg(6, "My order.", true);
    seg(9, "Thanks.", true); // a final with no partial before it
    seg(7, "Sorry?", true); // a late final (retried by Twilio after later ones): a line of its own
    await until(() => of("call.transcript").length === 7);
    await new Promise((r) => setTimeout(r, 50));
    expect(of("call.transcript").map((e) => [e.segment.id, e.segment.text])).toEqual([
      ["GT1:inbound_track@1", "hel"],
      ["GT1:inbound_track@1", "hello there"],
      ["GT1:inbound_track@1", "Hello there."],
      ["GT1:inbound_track@5", "my"],
      ["GT1:inbound_track@5", "My order."],
      ["GT1:inbound_track@9", "Thanks."],
      ["GT1:inbound_track@7", "Sorry?"],
    ]);
  });

  it("sets and clears the call's media stream, resolving the vendor's call id", async () => {
    const { b, ctx, of, until } = await setUp((vendorId) => (vendorId === "CA-vendor" ? "out-1" : undefined));
    ctx.upsertCall({ id: "out-1", vendorCallId: "CA-vendor", state: "connected" });
    b.send("media", { callId: "CA-vendor", mediaStream: "MZ42" });
    await until(() => ctx.getCall("out-1")?.mediaStream === "MZ42");
    b.send("media", { callId: "CA-vendor", mediaStream: null });
    await until(() => ctx.getCall("out-1")?.mediaStream === undefined);
    expect(of("call.updated").length).toBeGreaterThanOrEqual(2);
  });

  it("turns malformed messages into INVALID_VENDOR_EVENT errors and goes on", async () => {
    const { b, ctx, of, until } = await setUp();
    ctx.upsertCall({ id: "CA1", state: "connected" });
    b.send("transcript", "{not json");
    b.send("insight", { callId: "CA1", insight: { kind: "mood", text: "x" } });
    b.send("media", { callId: "CA1", mediaStream: 7 });
    b.send("transcript", { callId: "CA1", segment: { id: "s1", speaker: "customer", text: "still here", final: true } });
    await until(() => of("call.transcript").length === 1);
    expect(of("error").map((e) => e.code)).toEqual(["INVALID_VENDOR_EVENT", "INVALID_VENDOR_EVENT", "INVALID_VENDOR_EVENT"]);
  });

  it("reconnects with a fresh ticket when the stream drops, with one warning per outage", async () => {
    const { b, ctx, of, until } = await setUp();
    ctx.upsertCall({ id: "CA1", state: "connected" });
    b.refuseTickets = true;
    b.streams[0]!.destroy();
    await until(() => b.auth.length >= 3); // retried, refused, retried
    b.refuseTickets = false;
    await until(() => b.streams.length === 2);
    await until(() => of("warning").length === 2);
    expect(of("warning").map((w) => w.code)).toEqual(["VOICE_AI_UNAVAILABLE", "VOICE_AI_RESTORED"]);
    expect(new Set(b.tickets).size).toBe(b.tickets.length);
    b.send("transcript", { callId: "CA1", segment: { id: "s1", speaker: "agent", text: "back", final: true } });
    await until(() => of("call.transcript").length === 1);
  });

  it("says when a stream is open (onOpen each time, open until it is lost)", async () => {
    let opened = 0;
    const { b, follower, until } = await setUp(undefined, { onOpen: () => opened++ });
    await until(() => opened === 1);
    expect(follower.open).toBe(true);
    b.streams[0]!.destroy();
    await until(() => opened === 2);
    expect(follower.open).toBe(true);
    follower.close();
    expect(follower.open).toBe(false);
  });

  it("stops for good on close, even with a ticket request in flight", async () => {
    const { b, follower, until } = await setUp();
    follower.close();
    await until(() => b.streams[0]!.closed || b.streams[0]!.destroyed || b.streams[0]!.writableEnded || b.streams[0]!.socket?.destroyed === true);
    const asked = b.auth.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(b.auth.length).toBe(asked);
    expect(b.streams.length).toBe(1);
  });

  it("opens nothing when closed while a source (one that ignores the abort) is still answering", async () => {
    const b = await backend();
    open.push({ close: () => (b.server.closeAllConnections(), b.server.close()) });
    const ctx = { signal() {}, logger: { debug() {} } } as unknown as ConnectorContext;
    let answer!: (url: string) => void;
    const follower = followAgentStream(ctx, { url: () => new Promise<string>((r) => (answer = r)) }, { EventSource });
    follower.close();
    b.tickets.push("late");
    answer(`${b.url}/events?ticket=late`);
    await new Promise((r) => setTimeout(r, 100));
    expect(b.used.size).toBe(0);
  });

  it("a stream that goes silent (no ping) is dead: it reconnects with a fresh ticket; pings keep it", async () => {
    const { b } = await setUp(undefined, { idleTimeoutMs: 150 });
    const pinging = setInterval(() => b.streams.at(-1)?.write("event: ping\ndata: {}\n\n"), 40);
    await new Promise((r) => setTimeout(r, 400));
    expect(b.streams.length, "pings keep the stream").toBe(1);
    clearInterval(pinging);
    const until = (pred: () => boolean) => waitFor<void>((res) => { const t = setInterval(() => pred() && res(), 5); return () => clearInterval(t); }, AbortSignal.timeout(4000));
    await until(() => b.streams.length === 2);
    expect(b.tickets.length).toBe(2);
  });

  it("a server that ends every stream at once: the delays grow and one outage warning is given, not one per cycle", async () => {
    const b = await backend();
    open.push({ close: () => (b.server.closeAllConnections(), b.server.close()) });
    b.server.prependListener("request", (req) => req.url?.includes("/events") && setTimeout(() => b.streams.at(-1)?.destroy(), 5));
    const signals: { kind: string; code?: string }[] = [];
    const ctx = { signal: (x: { kind: string; code?: string }) => signals.push(x), logger: { debug() {}, warn() {} } } as unknown as ConnectorContext;
    const follower = followAgentStream(ctx, httpAgentStream({ url: b.url }), { EventSource, retryMs: 20, warnAfterMs: 50 });
    open.push(follower);
    await new Promise((r) => setTimeout(r, 1200));
    follower.close();
    // 20, 40, 80, 160, 320, 640 ms (jittered down by up to half): never the ~60 reconnections a reset per open would make.
    expect(b.tickets.length).toBeLessThan(12);
    expect(signals.map((x) => x.code)).toEqual(["VOICE_AI_UNAVAILABLE"]);
  });

  it("a source giving a URL the EventSource refuses, or a resolveCallId that throws: reported and retried, never thrown", async () => {
    const signals: { kind: string; code?: string }[] = [];
    const warnings: string[] = [];
    const ctx = { signal: (x: { kind: string; code?: string }) => signals.push(x), logger: { debug() {}, warn: (m: string) => warnings.push(m) } } as unknown as ConnectorContext;
    let asked = 0;
    const follower = followAgentStream(ctx, { url: () => (asked++, Promise.resolve("not a url")) }, { EventSource, retryMs: 10, warnAfterMs: 0 });
    open.push(follower);
    await new Promise((r) => setTimeout(r, 200));
    expect(asked).toBeGreaterThan(1);
    expect(signals.map((x) => x.code)).toContain("VOICE_AI_UNAVAILABLE");

    const { b, ctx: c2, of } = await setUp(() => {
      throw new Error("boom");
    });
    c2.upsertCall({ id: "CA1", state: "connected" });
    b.send("transcript", { callId: "CA1", segment: { id: "s1", speaker: "agent", text: "x", final: true } });
    b.send("ping", {});
    await new Promise((r) => setTimeout(r, 100));
    expect(of("call.transcript")).toEqual([]);
    expect(b.streams.length).toBe(1);
  });

  it("asks for the ticket with the credentials mode it is given (cookies to another origin)", async () => {
    const seen: RequestInit[] = [];
    const fake = ((_url: string, init: RequestInit) => (seen.push(init), Promise.resolve(new Response(JSON.stringify({ ticket: "t" }), { status: 200 })))) as typeof fetch;
    await httpAgentStream({ url: "https://voice.example", fetch: fake }).url(new AbortController().signal);
    await httpAgentStream({ url: "https://voice.example", fetch: fake, credentials: "include" }).url(new AbortController().signal);
    expect(seen.map((i) => i.credentials)).toEqual(["same-origin", "include"]);
  });

  it("refuses to start without an EventSource", () => {
    const ctx = {} as ConnectorContext;
    const saved = (globalThis as { EventSource?: unknown }).EventSource;
    delete (globalThis as { EventSource?: unknown }).EventSource;
    try {
      expect(() => followAgentStream(ctx, { url: () => Promise.resolve("x") })).toThrow(TypeError);
    } finally {
      if (saved) (globalThis as { EventSource?: unknown }).EventSource = saved;
    }
  });
});
