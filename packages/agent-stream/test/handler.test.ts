// createAgentStreamHandler's routes: POST /stream-ticket (and its preflight)
// and POST /voice-ai, the ingest a SIP deployment's media server calls.
import { createServer, request, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createAgentStream, createAgentStreamHandler, type AgentStream } from "../src/index.js";
import { ingest, INGEST_TOKEN, openBrowser, sleep, startInstance, ticketFor, transcript, until, type Browser, type Instance } from "./support.js";

const instances: Instance[] = [];
const browsers: Browser[] = [];
async function instance(...args: Parameters<typeof startInstance>): Promise<Instance> {
  const i = await startInstance(...args);
  instances.push(i);
  return i;
}
const servers: Server[] = [];
afterEach(async () => {
  for (const b of browsers.splice(0)) b.close();
  await Promise.all(instances.splice(0).map((i) => i.close()));
  for (const s of servers.splice(0)) s.closeAllConnections();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** The handler around `stream` on 127.0.0.1; its base URL. */
async function serve(stream: Pick<AgentStream, "issueTicket" | "handleEvents" | "publish">, requestTimeoutMs: number): Promise<string> {
  const handler = createAgentStreamHandler({ stream, ingestToken: INGEST_TOKEN, authenticate: () => "alice", requestTimeoutMs });
  const server = createServer((req, res) => void handler(req, res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}

const ticketRequest = (i: Instance, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  fetch(`${i.base}/stream-ticket`, { method: "POST", body: "{}", ...init, headers: { "content-type": "application/json", "x-agent": "alice", ...init.headers } });

describe("POST /stream-ticket", () => {
  it("answers { ticket, expiresInMs } for the authenticated agent, no-store; the ticket opens that agent's stream", async () => {
    const i = await instance();
    const res = await ticketRequest(i);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as { ticket: string; expiresInMs: number };
    expect(body).toEqual({ ticket: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expiresInMs: 30_000 });
    const b = await openBrowser(i.base, body.ticket);
    browsers.push(b);
    await i.stream.publish("alice", transcript("CA1", "for alice"));
    await until(() => b.received.length === 1);
  });

  it("refuses: not authenticated 401, not JSON 415, not a JSON object 400, GET 405, a throwing authenticate 500 (told to onError, scrubbed)", async () => {
    const i = await instance({}, { authenticate: (req) => {
      if (req.headers["x-agent"] === "boom") throw new Error("session store down, Bearer abc.def.ghi");
      return typeof req.headers["x-agent"] === "string" ? req.headers["x-agent"] : undefined;
    } });
    const statusOf = async (init: Parameters<typeof ticketRequest>[1]) => {
      const res = await ticketRequest(i, init);
      return { status: res.status, json: (await res.json()) as unknown };
    };
    expect(await statusOf({ headers: { "x-agent": "" } })).toEqual({ status: 401, json: { code: "AUTH_FAILED", message: "Not authenticated" } });
    expect((await statusOf({ headers: { "content-type": "text/plain" } })).status).toBe(415);
    expect((await statusOf({ body: "[1]" })).status).toBe(400);
    expect((await fetch(`${i.base}/stream-ticket`)).status).toBe(405);
    expect(await statusOf({ headers: { "x-agent": "boom" } })).toEqual({ status: 500, json: { code: "VENDOR_ERROR", message: "The agent stream failed" } });
    expect(i.errors.map((e) => [e.code, e.message])).toEqual([["INTERNAL", "authenticate failed: session store down, Bearer [REDACTED]"]]);
    expect((await statusOf({ headers: { "x-agent": "a".repeat(129) } })).status).toBe(403);
  });

  it("CORS: allowed origins get their origin back and a preflight; others 403", async () => {
    const i = await instance({}, { allowedOrigins: ["https://crm.example.com"] });
    const ok = await ticketRequest(i, { headers: { origin: "https://crm.example.com" } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://crm.example.com");
    expect((await ticketRequest(i, { headers: { origin: "https://evil.example" } })).status).toBe(403);
    const preflight = await fetch(`${i.base}/stream-ticket`, { method: "OPTIONS", headers: { origin: "https://crm.example.com", "access-control-request-method": "POST" } });
    expect(preflight.status).toBe(204);
    expect(Object.fromEntries(preflight.headers)).toMatchObject({ "access-control-allow-origin": "https://crm.example.com", "access-control-allow-methods": "POST", "access-control-allow-headers": "authorization, content-type" });
    expect((await fetch(`${i.base}/stream-ticket`, { method: "OPTIONS", headers: { origin: "https://evil.example" } })).status).toBe(403);
  });
});

describe("POST /voice-ai", () => {
  it("publishes { agentId, event } and { events: [...] } in the order given; 204", async () => {
    const i = await instance();
    const b = await openBrowser(i.base, await ticketFor(i, "alice"));
    browsers.push(b);
    expect(await ingest(i, { agentId: "alice", event: transcript("CA1", "one") })).toEqual({ status: 204, json: undefined });
    const batch = Array.from({ length: 100 }, (_, n) => ({ agentId: n % 2 ? "alice" : "bob", event: transcript("CA1", `b${n}`) }));
    expect((await ingest(i, { events: batch })).status).toBe(204);
    await until(() => b.received.length === 51);
    expect(b.received.map((r) => (r.data as { segment: { text: string } }).segment.text)).toEqual(["one", ...batch.filter((_, n) => n % 2).map((e) => (e.event as { segment: { text: string } }).segment.text)]);
  });

  it("requires the ingest token (401 otherwise, nothing published)", async () => {
    const i = await instance();
    const b = await openBrowser(i.base, await ticketFor(i, "alice"));
    browsers.push(b);
    const body = { agentId: "alice", event: transcript("CA1", "x") };
    for (const authorization of ["", `Bearer ${INGEST_TOKEN}x`, `Basic ${INGEST_TOKEN}`, `Bearer ${INGEST_TOKEN.slice(0, -1)}`]) {
      expect(await ingest(i, body, { authorization })).toMatchObject({ status: 401, json: { code: "AUTH_FAILED" } });
    }
    expect((await ingest(i, body)).status).toBe(204);
    await until(() => b.received.length === 1);
  });

  it("400 INVALID_ARGUMENT names the bad field (nothing of a bad batch is published); 413 past 64 KiB; 415 not JSON; 405 GET", async () => {
    const i = await instance();
    const b = await openBrowser(i.base, await ticketFor(i, "alice"));
    browsers.push(b);
    const good = { agentId: "alice", event: transcript("CA1", "x") };
    const cases: [unknown, string][] = [
      [{ agentId: "alice" }, "event must be an object"],
      [{ event: transcript("CA1", "x") }, "agentId must be a string"],
      [{ ...good, events: [good] }, 'Give either "agentId" and "event", or "events"'],
      [{}, 'Give either "agentId" and "event", or "events"'],
      [{ events: [] }, '"events" must be an array of 1 to 100 items'],
      [{ events: Array.from({ length: 101 }, () => good) }, '"events" must be an array of 1 to 100 items'],
      [{ events: [good, { agentId: "alice", event: { ...transcript("CA1", "y"), callId: "" } }] }, "events[1].event.callId must be 1 to 128 characters"],
      [{ events: [good, "x"] }, "events[1] must be an object"],
      [{ events: [good, { agentId: "alice", event: transcript("CA1", "é".repeat(8192)) }] }, expect.stringMatching(/^events\[1\]\.event makes an SSE message of \d+ bytes, more than 16384$/) as never],
      ["[]", "The body is not a JSON object"],
      ["{", "The body is not a JSON object"],
    ];
    for (const [body, message] of cases) expect(await ingest(i, body)).toEqual({ status: 400, json: { code: "INVALID_ARGUMENT", message } });
    expect((await ingest(i, { events: Array.from({ length: 100 }, () => ({ agentId: "alice", event: transcript("CA1", "x".repeat(700)) })) })).status).toBe(413);
    expect((await ingest(i, good, { "content-type": "text/plain" })).status).toBe(415);
    expect((await fetch(`${i.base}/voice-ai`)).status).toBe(405);
    await i.stream.publish("alice", transcript("CA1", "marker"));
    await until(() => b.received.length === 1);
    expect(b.received).toHaveLength(1); // none of the refused bodies went out
  });

  it("refuses to be made without authenticate or with a short ingest token", () => {
    const stream = createAgentStream();
    expect(() => createAgentStreamHandler({ stream, ingestToken: "short", authenticate: () => "a" })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("ingestToken") }));
    expect(() => createAgentStreamHandler({ stream, ingestToken: INGEST_TOKEN } as never)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("authenticate") }));
  });

  it("a 504 stops the batch: nothing more is published after the deadline, and the answer says how many were", async () => {
    const published: string[] = [];
    const stream = createAgentStream();
    const base = await serve({ ...stream, publish: async (_agent, event) => {
      await sleep(40);
      published.push((event as { segment: { text: string } }).segment.text);
    } }, 150);
    const events = Array.from({ length: 20 }, (_, n) => ({ agentId: "alice", event: transcript("CA1", `e${n}`) }));
    const res = await fetch(`${base}/voice-ai`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${INGEST_TOKEN}` }, body: JSON.stringify({ events }) });
    expect(res.status).toBe(504);
    const body = (await res.json()) as { code: string; published: number };
    expect(body).toEqual({ code: "REQUEST_TIMEOUT", message: expect.any(String), published: expect.any(Number) });
    expect(body.published).toBeGreaterThan(0);
    expect(published.slice(0, body.published)).toEqual(events.slice(0, body.published).map((e) => (e.event as { segment: { text: string } }).segment.text));
    await sleep(400); // the rest of the batch would have gone out by now
    // At most the one in flight at the deadline went out after what the answer counts.
    expect(published.length).toBeLessThanOrEqual(body.published + 1);
    expect(published.length).toBeLessThan(events.length);
    await stream.close();
  });

  it("a body still arriving at the deadline: 504 with connection: close, and the connection is closed", async () => {
    const stream = createAgentStream();
    const base = await serve(stream, 200);
    const started = Date.now();
    const outcome = await new Promise<{ status: number | undefined; connection: string | undefined; closedAfterMs: number }>((resolve, reject) => {
      const req = request(`${base}/voice-ai`, { method: "POST", agent: false, headers: { "content-type": "application/json", authorization: `Bearer ${INGEST_TOKEN}`, "content-length": "1000" } });
      let status: number | undefined;
      let connection: string | undefined;
      req.on("response", (res) => {
        status = res.statusCode;
        connection = res.headers.connection;
        res.resume();
      });
      req.on("error", () => {}); // the server may cut the body short
      req.on("socket", (socket) => socket.on("close", () => resolve({ status, connection, closedAfterMs: Date.now() - started })));
      req.write('{"agentId":"alice",'); // and nothing more: a media server that hangs mid-body
      setTimeout(() => reject(new Error("the connection was still open 3 s later")), 3000).unref();
    });
    expect(outcome).toMatchObject({ status: 504, connection: "close" });
    expect(outcome.closedAfterMs).toBeLessThan(1500);
    await stream.close();
  });
});
