/**
 * The BUILT app: each connector is its own chunk (the entry ships no vendor
 * code), and the app runs under a strict Content-Security-Policy with no
 * violation (no eval, no inline script or style element).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "./support/browser.ts";
import { serveBuiltApp, STRICT_CSP, type BuiltApp } from "./support/built-app.ts";
import { callCard, DEFAULT_QUERY, loginReady, openApp, recordCspViolations, ringInbound, UI_TIMEOUT } from "./support/desktop-page.ts";

/** Strings only a vendor SDK's code contains. */
const VENDOR_MARKERS = [/SIP\.js\//, /amazon-connect-streams|connect\.core\b/, /@twilio\/voice-sdk|twilio\.com/];
/** `import … from "./chunk.js"` and `import "./chunk.js"` (not `import("./chunk.js")`). */
const STATIC_IMPORT = /\bimport\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']\.\/([\w.-]+\.js)["']/g;

let built: BuiltApp;
let outDir: string;
let url: string;
let browser: Browser;

beforeAll(async () => {
  built = await serveBuiltApp();
  ({ outDir, url } = built);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await built?.close();
});

describe("the built app", () => {
  it("splits every connector into its own chunk, outside what the entry loads", () => {
    const html = readFileSync(join(outDir, "index.html"), "utf8");
    const entryName = /<script type="module"[^>]*src="\/assets\/([^"]+\.js)"/.exec(html)?.[1];
    expect(entryName).toBeDefined();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline scripts
    const assets = readdirSync(join(outDir, "assets"));
    for (const name of ["simulator", "sip", "amazon-connect", "twilio"]) expect(assets.some((f) => f.startsWith(`${name}-`) && f.endsWith(".js"))).toBe(true);
    const read = (file: string): string => readFileSync(join(outDir, "assets", file), "utf8");
    // Everything the page loads before a connector is chosen: the entry and its static imports.
    const upFront = new Set<string>([entryName!]);
    for (const file of upFront) for (const m of read(file).matchAll(STATIC_IMPORT)) upFront.add(m[1]!);
    const eager = [...upFront].map(read).join("\n");
    expect(eager).not.toContain("ringInbound"); // the simulator's server stays in its chunk
    for (const marker of VENDOR_MARKERS) expect(eager).not.toMatch(marker);
    // The simulator's chunk graph carries no vendor SDK either.
    const simulatorChunk = assets.find((f) => f.startsWith("simulator-") && f.endsWith(".js"))!;
    const simulatorGraph = new Set<string>([simulatorChunk]);
    for (const file of simulatorGraph) for (const m of read(file).matchAll(STATIC_IMPORT)) simulatorGraph.add(m[1]!);
    const simulator = [...simulatorGraph].map(read).join("\n");
    expect(simulator).toContain("ringInbound");
    for (const marker of VENDOR_MARKERS) expect(simulator).not.toMatch(marker);
  });

  it("runs a call under a strict Content-Security-Policy with no violation", async () => {
    const app = await openApp(browser, url, DEFAULT_QUERY, recordCspViolations);
    try {
      const response = await app.page.reload();
      expect(response?.headers()["content-security-policy"]).toBe(STRICT_CSP);
      await app.panel.locator('[part~="link"]').filter({ hasText: "Connected" }).waitFor();
      await loginReady(app);
      await ringInbound(app.page, { phone: "+15550100" });
      const card = callCard(app.panel, "Ada Lovelace");
      await app.panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
      await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");
      await expect.poll(() => app.page.locator("#crm .customer-name").textContent()).toBe("Ada Lovelace");
      // Styles apply: Lit's constructable stylesheets and the app's CSS file, under style-src 'self'.
      const hangUp = await app.panel.getByRole("button", { name: "Hang up Ada Lovelace" }).evaluate((b) => getComputedStyle(b).backgroundColor);
      expect(hangUp).toBe("rgb(198, 40, 40)");
      expect(await app.page.locator("html").evaluate((b) => getComputedStyle(b).backgroundColor)).toBe("rgb(243, 245, 248)");
      const violations = await app.page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
      expect(violations).toEqual([]);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
