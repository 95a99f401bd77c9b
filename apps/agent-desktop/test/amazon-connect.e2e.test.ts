/**
 * The sample app on Amazon Connect, in Chromium: the real amazon-connect-streams
 * in the app page, the CCP iframe on a second local origin (its own server on
 * 127.0.0.1) running the fake CCP from @opencti/amazon-connect/testing.
 * Streams and the fake talk real cross-origin postMessage.
 */
import type { Browser, Frame } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "./support/app-server.ts";
import { launchBrowser } from "./support/browser.ts";
import { serveCcpOrigin } from "./support/ccp-origin.ts";
import { serveBuiltApp } from "./support/built-app.ts";
import { callCard, eventTypes, openApp, recordCspViolations, UI_TIMEOUT, type AppPage } from "./support/desktop-page.ts";

/** The fake CCP's page, served by its own Vite server on another port (another origin). */
async function startCcpServer(parentOrigin: string): Promise<{ ccpUrl: string; close(): Promise<void> }> {
  const { origin, close } = await serveCcpOrigin({
    "ccp-v2/index.html": `<!doctype html><title>Fake CCP</title><p>Fake Amazon Connect CCP</p>
<script type="module">
  import { startFakeCcpPage } from "@opencti/amazon-connect/testing";
  startFakeCcpPage(window, { parentOrigin: ${JSON.stringify(parentOrigin)}, quickConnects: [{ name: "Billing desk", phoneNumber: "+15550177" }] });
</script>`,
  });
  return { ccpUrl: `${origin}/ccp-v2/`, close };
}

/** The no-AWS demo's config.json. */
const FAKE_DEMO = { connector: "amazon-connect", options: { ccpUrl: "fake" } };

let appServer: AppServer;
let ccp: { ccpUrl: string; close(): Promise<void> };
let browser: Browser;
let app: AppPage | undefined;

beforeAll(async () => {
  appServer = await startAppServer();
  // The fake CCP answers only the app's origin (an instance's approved origin).
  ccp = await startCcpServer(new URL(appServer.url).origin);
  browser = await launchBrowser();
});

afterEach(async () => {
  await app?.close();
  app = undefined;
});

afterAll(async () => {
  await browser?.close();
  await ccp?.close();
  await appServer?.close();
});

/** The CCP iframe's frame, once its fake CCP is running. */
async function ccpFrame(app: AppPage, origin: string): Promise<Frame> {
  let frame: Frame | undefined;
  await expect
    .poll(
      async () => {
        frame = app.page.frames().find((f) => f.url().startsWith(origin));
        return frame ? frame.evaluate(() => typeof (window as unknown as { fakeCcp?: unknown }).fakeCcp).catch(() => "loading") : "missing";
      },
      { timeout: UI_TIMEOUT },
    )
    .toBe("object");
  return frame!;
}

type FakeCcpInPage = { ringInbound(spec: Record<string, unknown>): string; requests: { method: string; params: Record<string, unknown> }[] };

describe("agent desktop on Amazon Connect (Chromium, real Streams, fake CCP on a second origin)", () => {
  it("rings, answers in the panel, hangs up and wraps up", async () => {
    const config = { connector: "amazon-connect", options: { ccpUrl: ccp.ccpUrl, loginPopup: "false", ccpLoadTimeoutMs: "15000" } };
    app = await openApp(browser, appServer.url, "", undefined, config);
    const { page, panel, problems } = app;
    const origin = new URL(ccp.ccpUrl).origin;
    expect(origin).not.toBe(new URL(appServer.url).origin);
    const frame = await ccpFrame(app, origin);

    // Log in (the CCP starts Offline) and go Available, all through the panel.
    await panel.getByRole("button", { name: "Log in" }).click();
    const status = panel.getByLabel("Status");
    await status.waitFor();
    await status.selectOption({ label: "Available" });
    await expect.poll(() => panel.locator('[part~="time-in-state"]').textContent(), { timeout: UI_TIMEOUT }).toMatch(/^Available for \d+:\d\d$/);

    // The CCP offers a voice contact: the panel rings and the CRM pops the record.
    const contactId = await frame.evaluate(() =>
      (window as unknown as { fakeCcp: FakeCcpInPage }).fakeCcp.ringInbound({ from: "+15550100", fromName: "Ada Lovelace", to: "+15550001000", queue: "Billing", attributes: { customerId: "C-1001" } }),
    );
    const card = callCard(panel, "Ada Lovelace");
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("ringing");
    await expect.poll(() => card.getByLabel("Call data").textContent()).toContain("C-1001");
    await expect.poll(() => page.locator("#crm .customer-name").textContent()).toBe("Ada Lovelace");

    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");
    await panel.getByRole("button", { name: "Hang up Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("wrapup");
    await expect.poll(() => panel.locator('[part~="time-in-state"]').textContent()).toMatch(/^After call work for/);
    await card.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => panel.locator("article.call").count(), { timeout: UI_TIMEOUT }).toBe(0);
    await expect.poll(() => panel.locator('[part~="time-in-state"]').textContent(), { timeout: UI_TIMEOUT }).toMatch(/^Available for/);

    // What crossed the origin boundary: Streams' real API requests, in order.
    const requests = await frame.evaluate(() => (window as unknown as { fakeCcp: FakeCcpInPage }).fakeCcp.requests.map((r) => ({ method: r.method, contactId: r.params.contactId })));
    // (getEndpoints: the quick connects, listed as the panel's directory when the CCP comes up.)
    expect(requests.map((r) => r.method)).toContain("getEndpoints");
    const callRequests = requests.filter((r) => r.method !== "putAgentState" && r.method !== "getEndpoints");
    expect(callRequests).toEqual([
      { method: "acceptContact", contactId },
      { method: "destroyConnection", contactId },
      { method: "clearContact", contactId },
    ]);
    // The first request the agent made: the state change (the quick connects were listed before, as the CCP came up).
    expect(requests[0]!.method).toBe("getEndpoints");
    expect(requests.find((r) => r.method !== "getEndpoints")!.method).toBe("putAgentState");
    const types = await eventTypes(page);
    for (const t of ["link.changed", "agent.changed", "call.ringing", "call.connected", "call.wrapup", "call.ended"]) expect(types).toContain(t);
    expect(types.filter((t) => t === "call.ended")).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  it("consults a quick connect picked from the panel's directory", async () => {
    app = await openApp(browser, appServer.url, "", undefined, { connector: "amazon-connect", options: { ccpUrl: ccp.ccpUrl, loginPopup: "false", ccpLoadTimeoutMs: "15000" } });
    const { panel, problems } = app;
    const frame = await ccpFrame(app, new URL(ccp.ccpUrl).origin);
    await panel.getByRole("button", { name: "Log in" }).click();
    await panel.getByLabel("Status").selectOption({ label: "Available" });
    await expect.poll(() => panel.locator('[part~="time-in-state"]').textContent(), { timeout: UI_TIMEOUT }).toMatch(/^Available/);
    const contactId = await frame.evaluate(() => (window as unknown as { fakeCcp: FakeCcpInPage }).fakeCcp.ringInbound({ from: "+15550100", fromName: "Ada Lovelace" }));
    const card = callCard(panel, "Ada Lovelace");
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");
    await card.getByRole("button", { name: "Transfer" }).click();
    const entry = card.getByRole("list", { name: "Directory" }).getByRole("button", { name: /Billing desk/ });
    await expect.poll(() => entry.textContent().then((t) => t?.replace(/\s+/g, " ").trim()), { timeout: UI_TIMEOUT }).toBe("Billing desk Number");
    await entry.click();
    await card.getByRole("button", { name: "Consult" }).click();
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("held");
    const added = await frame.evaluate(() => (window as unknown as { fakeCcp: FakeCcpInPage }).fakeCcp.requests.find((r) => r.method === "createAdditionalConnection"));
    expect(added?.params).toMatchObject({ contactId, endpoint: { name: "Billing desk", phoneNumber: "+15550177" } });
    expect(problems).toEqual([]);
  });

  it("without a ccpUrl the app says what to configure instead of starting", async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${appServer.url}?connector=amazon-connect`);
      await expect.poll(() => page.locator("#app-message").textContent(), { timeout: UI_TIMEOUT }).toContain("needs a CCP URL");
      expect(await page.locator("iframe").count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it("the no-AWS demo (ccpUrl=fake) runs the fake CCP in the page and its drawer rings the agent", async () => {
    app = await openApp(browser, appServer.url, "", undefined, FAKE_DEMO);
    const { page, panel, problems } = app;
    await panel.getByRole("button", { name: "Log in" }).click();
    await panel.getByLabel("Status").selectOption({ label: "Available" });
    await page.getByText("Simulator controls").click();
    await page.locator("#controls").getByRole("button", { name: "Ring inbound call" }).click();
    const card = callCard(panel, "Ada Lovelace");
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("ringing");
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");
    expect(problems).toEqual([]);
  });

  it("the built app runs the demo under a strict Content-Security-Policy with no violation (Streams loads as a classic script)", async () => {
    // The demo build: the production build has no fake CCP (build-csp.e2e.test.ts).
    const built = await serveBuiltApp({ mode: "demo" });
    try {
      app = await openApp(browser, built.url, "", recordCspViolations, FAKE_DEMO);
      const { page, panel, problems } = app;
      await panel.getByRole("button", { name: "Log in" }).click();
      await panel.getByLabel("Status").selectOption({ label: "Available" });
      await page.getByText("Simulator controls").click();
      await page.locator("#controls").getByRole("button", { name: "Ring inbound call" }).click();
      const card = callCard(panel, "Ada Lovelace");
      await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
      await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");
      expect(await page.evaluate(() => document.querySelectorAll('script[src*="connect-streams"]').length)).toBe(1);
      expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await app?.close();
      app = undefined;
      await built.close();
    }
  });
});
