/**
 * One softphone across tabs (issue 15) in the sample app on Amazon Connect:
 * config.json's `"shareAcrossTabs": true`, two and three app tabs in one
 * Chromium context, the real amazon-connect-streams, and a fake CCP on a
 * second origin whose state lives in a SharedWorker there (where Connect keeps
 * the agent's session: it outlives the tab whose CCP frame closes).
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "./support/app-server.ts";
import { launchBrowser } from "./support/browser.ts";
import { serveCcpOrigin } from "./support/ccp-origin.ts";
import { callCard, UI_TIMEOUT } from "./support/desktop-page.ts";

/** The CCP's origin: the relay frame (the ccpUrl), the worker with the fake's state, and a host page that keeps it. */
async function startSharedCcpServer(parentOrigin: string): Promise<{ ccpUrl: string; hostUrl: string; close(): Promise<void> }> {
  const worker = `new SharedWorker("/worker.js", { type: "module", name: "fake-ccp" })`;
  const { origin, close } = await serveCcpOrigin({
    "ccp-v2/index.html": `<!doctype html><title>Fake CCP</title><script type="module">
  import { startFakeCcpRelay } from "@opencti/amazon-connect/testing";
  startFakeCcpRelay(window, ${worker}, ${JSON.stringify(parentOrigin)});
</script>`,
    "host.html": `<!doctype html><title>Connect</title><script type="module">
  import { startFakeCcpHost } from "@opencti/amazon-connect/testing";
  startFakeCcpHost(window, ${worker});
</script>`,
    "worker.js": `import { startFakeCcpWorker } from "@opencti/amazon-connect/testing";\nstartFakeCcpWorker(self);\n`,
  });
  return { ccpUrl: `${origin}/ccp-v2/`, hostUrl: `${origin}/host.html`, close };
}

let appServer: AppServer;
let ccp: Awaited<ReturnType<typeof startSharedCcpServer>>;
let browser: Browser;

beforeAll(async () => {
  appServer = await startAppServer();
  ccp = await startSharedCcpServer(new URL(appServer.url).origin);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await ccp?.close();
  await appServer?.close();
});

type Fake = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** A context with the deployment's config.json (shared tabs on) and the CCP origin's host page. */
async function sharedContext(): Promise<{ context: BrowserContext; fake: (name: string, ...args: unknown[]) => Promise<unknown> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.route("**/config.json", (route) => route.fulfill({ json: { connector: "amazon-connect", options: { ccpUrl: ccp.ccpUrl, loginPopup: "false", ccpLoadTimeoutMs: "15000" }, shareAcrossTabs: true } }));
  const host = await context.newPage();
  await host.goto(ccp.hostUrl);
  await host.waitForFunction(() => "fakeCcp" in window);
  return { context, fake: (name, ...args) => host.evaluate(([n, a]) => ((window as unknown as { fakeCcp: Fake }).fakeCcp[n]!)(...(a)), [name, args] as const) };
}

async function openTab(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT);
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  await page.goto(appServer.url);
  await page.waitForFunction(() => window.__opencti?.desktop !== undefined);
  return { page, problems };
}

const panelOf = (page: Page) => page.locator("opencti-call-control-panel");
const role = (page: Page) => page.evaluate(() => (window.__opencti!.desktop as unknown as { tab: { role: string } }).tab.role);
const ccpFrames = (page: Page) => page.frames().filter((f) => f.url().startsWith(new URL(ccp.ccpUrl).origin)).length;
const seen = (page: Page) => page.evaluate(() => window.__opencti!.desktop!.events().map((e) => ({ seq: e.seq, type: e.type, callId: "call" in e ? e.call.id : undefined })));
const calls = (page: Page) => page.evaluate(() => window.__opencti!.desktop!.snapshot().calls.map((c) => ({ id: c.id, state: c.state, connectedAt: c.connectedAt })));

function expectInOrder(events: { seq: number }[]): void {
  const seqs = events.map((e) => e.seq);
  expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
}

describe("one softphone across tabs (Amazon Connect, real Streams)", { timeout: 120_000 }, () => {
  it("two tabs: one CCP, both ring, the follower answers, the owner tab closes mid-call and the survivor takes over with the contact intact", async () => {
    const { context, fake } = await sharedContext();
    try {
      const a = await openTab(context);
      await panelOf(a.page).locator('[part~="link"]').filter({ hasText: "Connected" }).waitFor();
      const b = await openTab(context);
      expect([await role(a.page), await role(b.page)]).toEqual(["owner", "follower"]);
      await expect.poll(() => panelOf(b.page).locator('[part~="link"]').textContent()).toContain("Connected");
      // One softphone session: the CCP frame in the owner tab only.
      expect([ccpFrames(a.page), ccpFrames(b.page)]).toEqual([1, 0]);
      expect(await fake("framesConnected")).toBe(1);

      // The agent logs in and goes Available from the follower's panel: the owner's Streams does it.
      const panelB = panelOf(b.page);
      await panelB.getByRole("button", { name: "Log in" }).click();
      await panelB.getByLabel("Status").selectOption({ label: "Available" });
      await expect.poll(() => panelOf(a.page).locator('[part~="time-in-state"]').textContent(), { timeout: UI_TIMEOUT }).toMatch(/^Available/);

      // A contact rings: both tabs show it, with the same event numbers.
      const contactId = (await fake("ringInbound", { from: "+15550100", fromName: "Ada Lovelace" })) as string;
      for (const page of [a.page, b.page]) await expect.poll(() => callCard(panelOf(page), "Ada Lovelace").getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("ringing");
      const ringing = async (page: Page) => (await seen(page)).filter((e) => e.type === "call.ringing");
      expect(await ringing(b.page)).toEqual(await ringing(a.page));

      // Answer in the follower.
      await panelB.getByRole("button", { name: "Answer Ada Lovelace" }).click();
      for (const page of [a.page, b.page]) await expect.poll(() => callCard(panelOf(page), "Ada Lovelace").getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");
      expect(((await fake("requests")) as { method: string }[]).filter((r) => r.method === "acceptContact")).toHaveLength(1);
      const before = await calls(b.page);
      const lastSeq = (await seen(b.page)).at(-1)!.seq;

      // The owner tab closes mid-call.
      await a.page.close();
      await expect.poll(() => role(b.page), { timeout: UI_TIMEOUT }).toBe("owner");
      await expect.poll(() => ccpFrames(b.page), { timeout: UI_TIMEOUT }).toBe(1);
      await expect.poll(() => b.page.evaluate(() => window.__opencti!.desktop!.snapshot().link), { timeout: UI_TIMEOUT }).toBe("connected");
      expect(await fake("framesConnected")).toBe(2);
      expect(await calls(b.page)).toEqual(before);
      await expect.poll(() => callCard(panelB, "Ada Lovelace").getAttribute("data-state")).toBe("connected");
      const after = await seen(b.page);
      expectInOrder(after);
      // No event about the call after the takeover: it was never lost.
      expect(after.filter((e) => e.seq > lastSeq && e.callId === before[0]!.id)).toEqual([]);
      // The survivor's Streams runs the contact now.
      await panelB.getByRole("button", { name: "Hang up Ada Lovelace" }).click();
      await expect.poll(() => callCard(panelB, "Ada Lovelace").getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("wrapup");
      expect(((await fake("requests")) as { method: string; params: { contactId?: string } }[]).filter((r) => r.method === "destroyConnection").map((r) => r.params.contactId)).toEqual([contactId]);
      expect(b.problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("three tabs: one CCP at a time, the same events everywhere, and one survivor takes over", async () => {
    const { context, fake } = await sharedContext();
    try {
      const a = await openTab(context);
      await panelOf(a.page).locator('[part~="link"]').filter({ hasText: "Connected" }).waitFor();
      const b = await openTab(context);
      const c = await openTab(context);
      const pages = [a.page, b.page, c.page];
      expect(pages.map(ccpFrames)).toEqual([1, 0, 0]);
      const panelC = panelOf(c.page);
      await panelC.getByRole("button", { name: "Log in" }).click();
      await panelC.getByLabel("Status").selectOption({ label: "Available" });
      await fake("ringInbound", { from: "+15550123", fromName: "Grace Hopper" });
      for (const page of pages) await expect.poll(() => callCard(panelOf(page), "Grace Hopper").getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("ringing");
      await panelC.getByRole("button", { name: "Answer Grace Hopper" }).click();
      for (const page of pages) await expect.poll(() => callCard(panelOf(page), "Grace Hopper").getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");
      const last = (await seen(a.page)).at(-1)!.seq;
      for (const page of [b.page, c.page]) await expect.poll(async () => (await seen(page)).at(-1)?.seq).toBe(last);
      const tail = (list: { seq: number }[], from: number) => list.filter((e) => e.seq >= from);
      const from = Math.max((await seen(b.page))[0]!.seq, (await seen(c.page))[0]!.seq);
      for (const page of [b.page, c.page]) expect(tail(await seen(page), from)).toEqual(tail(await seen(a.page), from));

      await a.page.close();
      await expect.poll(async () => [await role(b.page), await role(c.page)].sort(), { timeout: UI_TIMEOUT }).toEqual(["follower", "owner"]);
      await expect.poll(() => ccpFrames(b.page) + ccpFrames(c.page), { timeout: UI_TIMEOUT }).toBe(1);
      const [owner, follower] = (await role(b.page)) === "owner" ? [b.page, c.page] : [c.page, b.page];
      await expect.poll(() => follower.evaluate(() => window.__opencti!.desktop!.snapshot().link), { timeout: UI_TIMEOUT }).toBe("connected");
      for (const page of [owner, follower]) await expect.poll(() => callCard(panelOf(page), "Grace Hopper").getAttribute("data-state")).toBe("connected");
      // The follower's request goes to the new owner.
      await panelOf(follower).getByRole("button", { name: "Hold Grace Hopper" }).click();
      for (const page of [owner, follower]) await expect.poll(() => callCard(panelOf(page), "Grace Hopper").getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("held");
      for (const page of [owner, follower]) expectInOrder(await seen(page));
      expect(tail(await seen(follower), from)).toEqual(tail(await seen(owner), from));
      expect(await fake("framesConnected")).toBe(2);
    } finally {
      await context.close();
    }
  });
});
