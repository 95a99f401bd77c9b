// createAgentStreamHandler's routes: POST /stream-ticket (and its preflight)
// and POST /voice-ai, the ingest a SIP deployment's media server calls.
import { afterEach, describe, expect, it } from "vitest";
import { createAgentStream, createAgentStreamHandler } from "../src/index.js";
import { ingest, INGEST_TOKEN, openBrowser, startInstance, ticketFor, transcript, until, type Browser, type Instance } from "./support.js";

const instances: Instance[] = [];
const browsers: Browser[] = [];
async function instance(...args: Parameters<typeof startInstance>): Promise<Instance> {
  const i = await startInstance(...args);
  instances.push(i);
  return i;
}
afterEach(async () => {
  for (const b of browsers.splice(0)) b.close();
  await Promise.all(instances.splice(0).map((i) => i.close()));
});

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
});
