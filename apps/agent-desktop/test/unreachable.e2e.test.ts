/**
 * Issue 14, "a server that cannot be reached says so", as an agent sees it in
 * Chromium: the sample app configured with a SIP server on a closed 127.0.0.1
 * port (real sip.js in the page) shows, within the desktop's 15 s request
 * timeout, an error naming that server and saying it keeps retrying, while the
 * link stays "Connecting…"; Kamailio appearing on that port later connects it.
 * The same for a Twilio token URL on a closed port (the browser's bare "Failed
 * to fetch" said by name).
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freeTcpPort, startLinkRelay, startSipLab, type LinkRelay, type SipLab } from "@opencti/sip/testing";
import { startAppServer, type AppServer } from "./support/app-server.ts";
import { launchBrowser } from "./support/browser.ts";
import { eventTypes, serveConfig, UI_TIMEOUT, type ConfigJson } from "./support/desktop-page.ts";

/** The desktop's default request timeout: the message must be on screen before a login would give up. */
const REQUEST_TIMEOUT_MS = 15_000;
const SCREENSHOTS = fileURLToPath(new URL("../test-results/screenshots/", import.meta.url));

let appServer: AppServer;
let browser: Browser;
let lab: SipLab;
let context: BrowserContext | undefined;
let relay: LinkRelay | undefined;

beforeAll(async () => {
  lab = await startSipLab();
  appServer = await startAppServer();
  browser = await launchBrowser();
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterEach(async () => {
  await context?.close();
  await relay?.close();
  context = undefined;
  relay = undefined;
});

afterAll(async () => {
  await browser?.close();
  await appServer?.close();
  await lab?.stop();
});

/** Opens the app on `config` without waiting for the link (openApp waits for "Connected"). */
async function open(config: ConfigJson): Promise<{ page: Page; opened: number }> {
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await serveConfig(context, config);
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT);
  const opened = Date.now();
  await page.goto(appServer.url);
  return { page, opened };
}

const panelOf = (page: Page) => page.locator("opencti-call-control-panel");
const errorText = (page: Page): Promise<string> => panelOf(page).locator('[part~="error"]').innerText({ timeout: 100 }).catch(() => "");
const linkState = (page: Page): Promise<string | null> => panelOf(page).locator('[part~="link"]').getAttribute("data-link");

describe("a server that cannot be reached says so (Chromium)", () => {
  it("SIP: a closed port is named in the panel's error within the request timeout, the link stays Connecting…; Kamailio there later connects it", async () => {
    const port = await freeTcpPort(); // nothing listens there
    const uri = lab.newAgentUri();
    const { page, opened } = await open({ connector: "sip", options: { server: `ws://127.0.0.1:${port}/ws?access_token=query-SECRET`, uri }, credentials: { password: lab.password } });

    await expect.poll(() => errorText(page), { timeout: REQUEST_TIMEOUT_MS }).toContain(`Cannot reach the SIP server ws://127.0.0.1:${port}`);
    const shownAfter = Date.now() - opened;
    expect(shownAfter).toBeLessThan(REQUEST_TIMEOUT_MS);
    expect(await errorText(page)).toContain("(the WebSocket connection failed); retrying every 8 s.");
    expect(await linkState(page)).toBe("connecting");
    await expect.poll(() => page.locator("#timeline").innerText()).toContain(`LINK_DOWN: Cannot reach the SIP server ws://127.0.0.1:${port}`);
    await page.screenshot({ path: `${SCREENSHOTS}unreachable-sip.png` });

    // Retries go on (500 ms, 1 s, 2 s…) without another error.
    await page.waitForTimeout(4000);
    expect((await eventTypes(page)).filter((t) => t === "error")).toHaveLength(1);
    const text = JSON.stringify(await page.evaluate(() => window.__opencti?.desktop?.events() ?? []));
    expect(text).not.toContain("query-SECRET");
    expect(text).not.toContain(lab.password);

    // Kamailio appears on that port: the next retry (at most 8 s later) connects and registers.
    relay = await startLinkRelay(lab.kamailio.wsPort, { port });
    await expect.poll(() => linkState(page), { timeout: 20_000 }).toBe("connected");
    await panelOf(page).getByRole("button", { name: "Log in" }).click();
    await panelOf(page).getByLabel("Status").waitFor();
    const types = await eventTypes(page);
    expect(types.filter((t) => t === "error")).toHaveLength(1);
    expect(types).toContain("warning"); // LINK_RESTORED
    await page.screenshot({ path: `${SCREENSHOTS}unreachable-sip-restored.png` });
    console.log(`SIP server unreachable: the panel named it ${shownAfter} ms after the page opened`);
  });

  it("Twilio: a token URL on a closed port is named (origin and path) instead of \"Failed to fetch\", the link stays Connecting…", async () => {
    const port = await freeTcpPort();
    const { page, opened } = await open({ connector: "twilio", options: { tokenUrl: `http://127.0.0.1:${port}/api/twilio/token?agent=query-SECRET` } });
    await expect.poll(() => errorText(page), { timeout: REQUEST_TIMEOUT_MS }).toContain(`Cannot reach the Twilio token service http://127.0.0.1:${port}/api/twilio/token (no response`);
    const shownAfter = Date.now() - opened;
    expect(await errorText(page)).toContain("retrying every 30 s.");
    expect(await errorText(page)).not.toContain("Failed to fetch");
    expect(await linkState(page)).toBe("connecting");
    await page.screenshot({ path: `${SCREENSHOTS}unreachable-twilio.png` });
    const text = JSON.stringify(await page.evaluate(() => window.__opencti?.desktop?.events() ?? []));
    expect(text).not.toContain("query-SECRET");
    console.log(`Twilio token URL unreachable: the panel named it ${shownAfter} ms after the page opened`);
  });
});
