// @vitest-environment jsdom
// Issue 14: a `tokenUrl` the connector cannot reach, or that answers no token,
// is said in words naming it, and so is Twilio's signalling server when it
// stays away; the real @twilio/voice-sdk in jsdom against the PStream
// emulator. (A token URL in Chromium: browser.test.ts.)
import { EMULATOR_HOST, redirectSignaling } from "./support/jsdom-signaling.js";
import { TOKEN } from "./support/jsdom-desktop.js";
import { createServer, type Server, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { DesktopEvent } from "@opencti/core";
import { createRecordedDesktop, type RecordedDesktop } from "@opencti/testkit";
import { TwilioEmulator } from "../src/testing/index.js";
import { createTwilioConnector, type TwilioConnectorOptions } from "../src/index.js";

let emulator: TwilioEmulator | undefined;
let rec: RecordedDesktop | undefined;
let server: Server | undefined;

afterEach(async () => {
  await rec?.desktop.destroy();
  await emulator?.close();
  if (server) await new Promise((r) => server!.close(r));
  rec = undefined;
  emulator = undefined;
  server = undefined;
});

/** A token service on 127.0.0.1 (`port`: a given one); `answer` writes each response. */
async function tokenService(answer: (res: ServerResponse) => void, port = 0): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  server = createServer((_req, res) => {
    hits++;
    answer(res);
  });
  await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
  return { port: (server.address() as { port: number }).port, hits: () => hits };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

async function start(options: Partial<TwilioConnectorOptions>): Promise<RecordedDesktop> {
  emulator = await TwilioEmulator.start();
  redirectSignaling(emulator.url);
  const connector = createTwilioConnector({ logLevel: "silent", incomingSound: false, deviceOptions: { chunderw: EMULATOR_HOST, publishEvents: false }, ...options });
  rec = createRecordedDesktop(connector, { requestTimeoutMs: 3000, timeoutMs: 10_000 });
  return rec;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ofType = <T extends DesktopEvent["type"]>(r: RecordedDesktop, type: T) => r.desktop.events().filter((e): e is Extract<DesktopEvent, { type: T }> => e.type === type);

describe("tokenUrl (issue 14)", () => {
  it("a closed port: the link stays connecting with one LINK_DOWN naming the URL (no query) and the retry; a token service there later: connected, LINK_RESTORED, login works", async () => {
    const port = await freePort(); // nothing listens there
    const url = `http://127.0.0.1:${port}/twilio/token?agent=alice&key=query-SECRET`;
    const started = Date.now();
    const r = await start({ tokenUrl: url, startRetryDelaysMs: [100, 200] });
    const error = await r.next("error");
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error.code).toBe("LINK_DOWN");
    expect(error.message).toBe(`Cannot reach the Twilio token service http://127.0.0.1:${port}/twilio/token (no response: the server is down or unreachable, or the browser blocked the request by CORS or CSP); retrying every 0.2 s.`);
    await sleep(1200); // several more attempts
    expect(ofType(r, "error")).toHaveLength(1);
    expect(r.desktop.snapshot().link).toBe("connecting");
    expect(ofType(r, "link.changed")).toEqual([]);
    const service = await tokenService((res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: TOKEN })), port);
    await r.next("link.changed", (e) => e.link === "connected");
    expect(service.hits()).toBe(1);
    expect(ofType(r, "warning").map((w) => [w.code, w.message])).toEqual([["LINK_RESTORED", `Reached the Twilio token service http://127.0.0.1:${port}/twilio/token again.`]]);
    expect(ofType(r, "error")).toHaveLength(1);
    await r.desktop.login({});
    expect(emulator!.tokens).toContain(TOKEN);
    expect(JSON.stringify(r.desktop.events())).not.toMatch(/query-SECRET|alice/);
  });

  it("a gateway's 503 is unreachable too; a 401 is AUTH_FAILED saying so, once over the retries, with the link disconnected", async () => {
    let status = 503;
    const service = await tokenService((res) => res.writeHead(status).end("nope"));
    const r = await start({ tokenUrl: `http://127.0.0.1:${service.port}/token`, startRetryDelaysMs: [100] });
    expect((await r.next("error")).message).toBe(`Cannot reach the Twilio token service http://127.0.0.1:${service.port}/token (it answered HTTP 503 Service Unavailable); retrying every 0.1 s.`);
    status = 401;
    const auth = await r.next("error", (e) => e.code === "AUTH_FAILED");
    expect(auth.message).toBe(`Could not start the Twilio Device: No token from the Twilio token service http://127.0.0.1:${service.port}/token (it answered HTTP 401 Unauthorized)`);
    await r.next("link.changed", (e) => e.link === "disconnected");
    const hits = service.hits();
    await sleep(800);
    expect(service.hits()).toBeGreaterThan(hits + 3); // still retrying
    expect(ofType(r, "error")).toHaveLength(2); // the 503 outage once, the 401 once
  });

  it("an HTML page (a sign-in page) or JSON without a token is said as such", async () => {
    let body = "<!doctype html><title>Sign in</title>";
    const service = await tokenService((res) => res.writeHead(200, { "content-type": "text/html" }).end(body));
    const r = await start({ tokenUrl: `http://127.0.0.1:${service.port}/token`, startRetryDelaysMs: [50] });
    expect((await r.next("error")).message).toMatch(/\(it answered an HTML page, not a token \(a sign-in page\?\)\)$/);
    body = '{"jwt": "x"}';
    expect((await r.next("error", (e) => e.message.includes("JSON"))).message).toMatch(/\(its JSON has no "token" string\)$/);
  });
});

describe("Twilio's signalling server (issue 14)", () => {
  it("down for longer than reportUnreachableAfterMs: one LINK_DOWN naming it while the link is reconnecting; back: LINK_RESTORED and connected", async () => {
    const r = await start({ getToken: () => Promise.resolve(TOKEN), reportUnreachableAfterMs: 1500, reregisterDelaysMs: [200, 400, 800] });
    await r.next("link.changed", (e) => e.link === "connected");
    await r.desktop.login({});
    const from = r.lastSeq();
    const errors = () => r.events.filter((e) => e.type === "error" && e.seq > from);
    emulator!.refuseLink();
    await r.next("link.changed", (e) => e.link === "reconnecting", { after: from });
    const lost = Date.now();
    const error = await r.next("error", () => true, { after: from });
    expect(Date.now() - lost).toBeGreaterThanOrEqual(1400);
    expect(error.code).toBe("LINK_DOWN");
    expect(error.message).toMatch(/^Cannot reach Twilio's signalling server wss:\/\/voice-js\.emulator\.test \(the connection dropped(, Twilio \d+)?\); retrying\.$/);
    await sleep(2000); // the SDK keeps reopening the socket
    expect(errors()).toHaveLength(1);
    expect(r.desktop.snapshot().link).toBe("reconnecting");
    emulator!.restoreLink();
    await r.next("link.changed", (e) => e.link === "connected", { after: from, timeout: 15_000 });
    await r.next("warning", (e) => e.code === "LINK_RESTORED" && e.message === "Reached Twilio's signalling server wss://voice-js.emulator.test again.", { after: from });
    expect(errors()).toHaveLength(1);
    console.log(`Twilio signalling: ${error.message}`);
  });
});
