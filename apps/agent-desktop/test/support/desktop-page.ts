/**
 * Drives the sample app in Chromium the way an agent does: through the panel,
 * the CRM and the simulator drawer (every locator pierces the shadow DOM).
 */
import { expect } from "vitest";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";

export const UI_TIMEOUT = 20_000;

export interface AppPage {
  readonly page: Page;
  readonly panel: Locator;
  /** Uncaught page errors and console errors seen so far. */
  readonly problems: string[];
  close(): Promise<void>;
}

export const DEFAULT_QUERY = "connector=simulator&latencyMs=10&answerAfterMs=300";

/** Records Content-Security-Policy violations in window.__csp from the first script on. */
export function recordCspViolations(): void {
  const seen: string[] = [];
  (window as unknown as { __csp: string[] }).__csp = seen;
  document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
}

/** What a deployment's config.json holds (servers and credentials only come from there). */
export interface ConfigJson {
  connector?: string;
  credentialsUrl?: string;
  options?: Record<string, string>;
  /** Secrets (a SIP password, a demo token): served at a credentials URL the test's config.json names, never in config.json. */
  credentials?: Record<string, string>;
}

/** Serves `config` as the page's /config.json, and its `credentials` at the credentialsUrl it then names. */
export async function serveConfig(context: BrowserContext, config: ConfigJson): Promise<void> {
  const { credentials, ...file } = config;
  await context.route("**/config.json", (route) => route.fulfill({ json: credentials ? { ...file, credentialsUrl: "/test-credentials" } : file }));
  if (credentials) await context.route("**/test-credentials", (route) => route.fulfill({ json: credentials }));
}

/**
 * Opens the app at `appUrl?query`. `config` is served as the page's
 * /config.json (a deployment's file) instead of the app's public one.
 */
export async function openApp(browser: Browser, appUrl: string, query = DEFAULT_QUERY, initScript?: () => void, config?: ConfigJson): Promise<AppPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  if (initScript) await context.addInitScript(initScript);
  if (config) await serveConfig(context, config);
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT);
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
  });
  await page.goto(`${appUrl}?${query}`);
  const panel = page.locator("opencti-call-control-panel");
  await panel.locator('[part~="link"]').filter({ hasText: "Connected" }).waitFor();
  return { page, panel, problems, close: () => context.close() };
}

/** Logs in and goes Ready ("Available" on the simulator). */
export async function loginReady(app: AppPage): Promise<void> {
  const { panel } = app;
  await panel.getByRole("button", { name: "Log in" }).click();
  const status = panel.getByLabel("Status");
  await status.waitFor();
  await status.selectOption("available");
  await expect.poll(() => panel.locator('[part~="time-in-state"]').textContent(), { timeout: UI_TIMEOUT }).toMatch(/^Available for \d+:\d\d$/);
}

export async function openDrawer(page: Page): Promise<void> {
  const drawer = page.locator("#controls-drawer");
  if (!(await drawer.evaluate((d) => (d as HTMLDetailsElement).open))) await page.getByText("Simulator controls").click();
}

/** Rings the agent from the drawer: a directory caller, or a custom number/name. */
export async function ringInbound(page: Page, caller: { phone?: string; number?: string; name?: string; queue?: string } = {}): Promise<void> {
  await openDrawer(page);
  const controls = page.locator("#controls");
  if (caller.phone !== undefined) await controls.getByLabel("Caller").selectOption(caller.phone);
  await controls.getByLabel("Number").fill(caller.number ?? "");
  await controls.getByLabel("Name").fill(caller.name ?? "");
  if (caller.queue) await controls.getByLabel("Queue").selectOption(caller.queue);
  await controls.getByRole("button", { name: "Ring inbound call" }).click();
}

export function callCard(panel: Locator, name: string | RegExp): Locator {
  return panel.locator("article.call").filter({ has: panel.page().locator(".call-title", { hasText: name }) });
}

/** Events the app's desktop emitted, by type (read from the page). */
export async function eventTypes(page: Page): Promise<string[]> {
  return page.evaluate(() => (window.__opencti?.desktop?.events() ?? []).map((e) => e.type));
}
