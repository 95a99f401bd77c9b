// One softphone across tabs (issue 15), on the simulator: @opencti/core/tabs in
// Debian's Chromium, two and three pages of one origin in one browser context,
// the simulator's server in a SharedWorker every tab shares (a real CTI server
// outlives the tab that owns the session; so does this one).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { build } from "tsup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { esbuildSourceAliases } from "../../../vitest.shared.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
let browser: Browser;
let server: Server;
let origin: string;

const launch = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"] });

async function bundle(): Promise<Record<string, string>> {
  const outDir = mkdtempSync(join(tmpdir(), "sim-tabs-"));
  try {
    await build({
      config: false,
      entry: { tab: fileURLToPath(new URL("./tabs/tab.ts", import.meta.url)), worker: fileURLToPath(new URL("./tabs/worker.ts", import.meta.url)) },
      format: ["iife"],
      platform: "browser",
      target: "es2022",
      outDir,
      dts: false,
      silent: true,
      noExternal: [/.*/],
      esbuildOptions(options) {
        options.alias = esbuildSourceAliases();
      },
    });
    return { "/tab.js": readFileSync(join(outDir, "tab.global.js"), "utf8"), "/worker.js": readFileSync(join(outDir, "worker.global.js"), "utf8") };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}. Install it with: sudo apt-get install -y chromium (or set CHROMIUM_PATH).`);
  const files = {
    "/": "<!doctype html><html lang=en><title>tab</title><body><script src=/tab.js></script></body></html>",
    // A page that only starts the SharedWorker, so it lives in that page's renderer (a crashed tab's renderer takes its workers with it).
    "/host": '<!doctype html><html lang=en><title>server</title><body><script>window.worker = new SharedWorker("/worker.js")</script></body></html>',
    ...(await bundle()),
  };
  server = createServer((req, res) => {
    const body = files[(req.url ?? "/") as keyof typeof files];
    res.writeHead(body ? 200 : 404, { "content-type": req.url?.endsWith(".js") ? "text/javascript" : "text/html" });
    res.end(body ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

async function openTab(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(origin);
  await page.evaluate(() => window.ready);
  expect(problems).toEqual([]);
  return page;
}

const role = (page: Page) => page.evaluate(() => window.desktop!.tab.role);
const snapshot = (page: Page) => page.evaluate(() => window.desktop!.snapshot());
const seen = (page: Page) => page.evaluate(() => window.seen);

/** Seqs strictly increasing: no event twice, none out of order. */
function expectInOrder(events: { seq: number }[]): void {
  const seqs = events.map((e) => e.seq);
  expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
}

describe("one softphone across tabs (simulator)", { timeout: 60_000 }, () => {
  it("two tabs: one connection at the server, both show the ringing call with the same seq, the follower answers, the owner closes mid-call and the survivor carries on with the call", async () => {
    const context = await browser.newContext();
    try {
      const a = await openTab(context);
      const b = await openTab(context);
      expect([await role(a), await role(b)]).toEqual(["owner", "follower"]);
      // Login from the follower: carried out by the owner.
      await b.evaluate(() => window.desktop!.login({ agentId: "agent-7" }));
      await b.evaluate(() => window.desktop!.setAgentState("ready"));
      await expect.poll(async () => (await snapshot(a)).agent.state).toBe("ready");
      expect(await a.evaluate(() => window.connects())).toBe(1);

      const callId = (await a.evaluate(() => window.script("ringInbound", { from: "+15550100" }))) as string;
      expect(callId).toBeTruthy();
      for (const page of [a, b]) await expect.poll(async () => (await snapshot(page)).calls.map((c) => c.state)).toEqual(["ringing"]);
      const ringingA = (await seen(a)).find((e) => e.type === "call.ringing")!;
      const ringingB = (await seen(b)).find((e) => e.type === "call.ringing")!;
      expect(ringingB).toEqual(ringingA);

      // Answer in the follower; the owner's desktop did it.
      const id = (await snapshot(b)).calls[0]!.id;
      await b.evaluate((cid) => window.desktop!.answer(cid), id);
      for (const page of [a, b]) await expect.poll(async () => (await snapshot(page)).calls[0]?.state).toBe("connected");
      // A refusal comes back typed, unchanged.
      const refused = await b.evaluate((cid) => window.desktop!.answer(cid).catch((e: { code: string; request: string; name: string }) => ({ code: e.code, request: e.request, name: e.name })), id);
      expect(refused).toEqual({ code: "INVALID_STATE", request: "answer", name: "CtiError" });
      const before = (await snapshot(b)).calls[0]!;
      const lastSeq = (await seen(b)).at(-1)!.seq;

      // The owner tab closes mid-call (no destroy: the tab just goes away).
      const closedAt = Date.now();
      await a.close();
      await expect.poll(() => role(b)).toBe("owner");
      await expect.poll(async () => (await snapshot(b)).link).toBe("connected");
      const takeoverMs = Date.now() - closedAt;
      console.log(`BENCH ${JSON.stringify({ name: "tabs.simulator.takeoverMs", value: takeoverMs })}`);
      expect(takeoverMs).toBeLessThan(3000);
      const after = await snapshot(b);
      expect(after.calls).toHaveLength(1);
      expect(after.calls[0]).toMatchObject({ id: before.id, state: "connected", connectedAt: before.connectedAt, from: "+15550100" });
      expect(after.agent.state).toBe("busy");
      const events = await seen(b);
      expectInOrder(events);
      // After the takeover: the link went reconnecting and back, and the call raised no event at all.
      expect(events.filter((e) => e.seq > lastSeq).map((e) => e.type)).toEqual(["link.changed", "link.changed"]);
      expect(await b.evaluate(() => window.connects())).toBe(2);
      // The survivor runs the call now.
      await b.evaluate((cid) => window.desktop!.hangup(cid), id);
      await expect.poll(async () => (await snapshot(b)).calls[0]?.state).toBe("wrapup");
    } finally {
      await context.close();
    }
  });

  it("three tabs: all see the same events; after the owner closes, exactly one follower takes over and the other mirrors it", async () => {
    const context = await browser.newContext();
    try {
      const [a, b, c] = [await openTab(context), await openTab(context), await openTab(context)];
      expect([await role(a), await role(b), await role(c)]).toEqual(["owner", "follower", "follower"]);
      await c.evaluate(() => window.desktop!.login({ agentId: "agent-7" }));
      await c.evaluate(() => window.desktop!.setAgentState("ready"));
      await a.evaluate(() => window.script("ringInbound", { from: "+15550123" }));
      for (const page of [a, b, c]) await expect.poll(async () => (await snapshot(page)).calls.length).toBe(1);
      const id = (await snapshot(c)).calls[0]!.id;
      await c.evaluate((cid) => window.desktop!.answer(cid), id);
      await c.evaluate((cid) => window.desktop!.hold(cid), id);
      for (const page of [a, b, c]) await expect.poll(async () => (await snapshot(page)).calls[0]?.state).toBe("held");
      // The followers saw what the owner saw: the same events, the same seq.
      const ownerEvents = await seen(a);
      for (const page of [b, c]) await expect.poll(async () => (await seen(page)).at(-1)?.seq).toBe(ownerEvents.at(-1)!.seq);
      const bSeen = await seen(b);
      const cSeen = await seen(c);
      const tail = (list: { seq: number }[], from: number) => list.filter((e) => e.seq >= from);
      const from = Math.max(bSeen[0]!.seq, cSeen[0]!.seq);
      expect(tail(bSeen, from)).toEqual(tail(ownerEvents, from));
      expect(tail(cSeen, from)).toEqual(tail(ownerEvents, from));

      await a.close();
      await expect.poll(async () => [await role(b), await role(c)].sort()).toEqual(["follower", "owner"]);
      const [owner, follower] = (await role(b)) === "owner" ? [b, c] : [c, b];
      await expect.poll(async () => (await snapshot(follower)).link).toBe("connected");
      for (const page of [owner, follower]) expect((await snapshot(page)).calls[0]).toMatchObject({ id, state: "held" });
      // The follower still gets its requests carried out, by the new owner.
      await follower.evaluate((cid) => window.desktop!.resume(cid), id);
      for (const page of [owner, follower]) await expect.poll(async () => (await snapshot(page)).calls[0]?.state).toBe("connected");
      const ownerAfter = await seen(owner);
      const followerAfter = await seen(follower);
      expectInOrder(ownerAfter);
      expectInOrder(followerAfter);
      expect(tail(followerAfter, from)).toEqual(tail(ownerAfter, from));
      expect(await owner.evaluate(() => window.connects())).toBe(2);
    } finally {
      await context.close();
    }
  });

  it("an owner tab that crashes hands over too, and the call stays", async () => {
    // Its own browser: a crashed renderer must not take the other scenarios' browser with it.
    const crashing = await launch();
    const context = await crashing.newContext();
    try {
      // The simulated server lives in another renderer than the tab that crashes, as a real server would.
      const host = await context.newPage();
      await host.goto(`${origin}/host`);
      const a = await openTab(context);
      const b = await openTab(context);
      await b.evaluate(() => window.desktop!.login({ agentId: "agent-7" }));
      await b.evaluate(() => window.desktop!.setAgentState("ready"));
      await a.evaluate(() => window.script("ringInbound", { from: "+15550100" }));
      await expect.poll(async () => (await snapshot(b)).calls.length).toBe(1);
      const id = (await snapshot(b)).calls[0]!.id;
      await b.evaluate((cid) => window.desktop!.answer(cid), id);
      await expect.poll(async () => (await snapshot(b)).calls[0]?.state).toBe("connected");
      // The renderer dies: no unload, no goodbye on the channel.
      const cdp = await context.newCDPSession(a);
      const crashed = new Promise((resolve) => a.once("crash", resolve));
      void cdp.send("Page.crash").catch(() => undefined);
      await crashed;
      await expect.poll(() => role(b)).toBe("owner");
      await expect.poll(async () => (await snapshot(b)).link).toBe("connected");
      expect((await snapshot(b)).calls[0]).toMatchObject({ id, state: "connected" });
      expectInOrder(await seen(b));
    } finally {
      await crashing.close();
    }
  });

  it("closing the owner tab with a live call asks first; a follower tab closes without asking", async () => {
    const context = await browser.newContext();
    try {
      const a = await openTab(context);
      const b = await openTab(context);
      const prompts: string[] = [];
      for (const [name, page] of [["owner", a], ["follower", b]] as const)
        page.on("dialog", (d) => {
          prompts.push(`${name}:${d.type()}`);
          void d.dismiss();
        });
      await b.evaluate(() => window.desktop!.login({ agentId: "agent-7" }));
      await b.evaluate(() => window.desktop!.setAgentState("ready"));
      await a.evaluate(() => window.script("ringInbound", { from: "+15550100" }));
      await expect.poll(async () => (await snapshot(a)).calls.length).toBe(1);
      // A page must have had a user gesture for the browser to show the prompt.
      await a.mouse.click(5, 5);
      await b.mouse.click(5, 5);
      await b.close({ runBeforeUnload: true });
      await a.close({ runBeforeUnload: true });
      await expect.poll(() => prompts).toEqual(["owner:beforeunload"]);
      expect(a.isClosed()).toBe(false);
    } finally {
      await context.close();
    }
  });

  it("a follower's request in flight when the owner tab closes rejects at once with LINK_DOWN (retryable), not after the timeout", async () => {
    const context = await browser.newContext();
    try {
      const host = await context.newPage();
      await host.goto(`${origin}/host`);
      const [a, b, c] = [await openTab(context), await openTab(context), await openTab(context)];
      await c.evaluate(() => window.desktop!.login({ agentId: "agent-7" }));
      await c.evaluate(() => window.desktop!.setAgentState("ready"));
      await a.evaluate(() => window.script("ringInbound", { from: "+15550100" }));
      await expect.poll(async () => (await snapshot(c)).calls.length).toBe(1);
      const id = (await snapshot(c)).calls[0]!.id;
      await c.evaluate((cid) => window.desktop!.answer(cid), id);
      // The server never answers the next hold: the request stays in flight at the owner.
      await a.evaluate(() => window.script("stallNext", "hold"));
      const pending = c.evaluate((cid) => {
        const started = Date.now();
        return window.desktop!.hold(cid).then(
          () => ({ ok: true, ms: Date.now() - started }),
          (e: { code: string; retryable: boolean }) => ({ code: e.code, retryable: e.retryable, ms: Date.now() - started }),
        );
      }, id);
      await new Promise((r) => setTimeout(r, 300));
      await a.close();
      const result = await pending;
      expect(result).toMatchObject({ code: "LINK_DOWN", retryable: true });
      // (The request timeout is 5 s here.)
      expect((result as { ms: number }).ms).toBeLessThan(3000);
      await expect.poll(async () => [await role(b), await role(c)].sort()).toEqual(["follower", "owner"]);
      expectInOrder(await seen(b));
      expectInOrder(await seen(c));
    } finally {
      await context.close();
    }
  });
});
