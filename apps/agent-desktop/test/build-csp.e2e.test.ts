/**
 * The BUILT (production) app: each connector is its own chunk (the entry
 * ships no vendor code), no testing transport is in it, every page ships its
 * Content-Security-Policy as a <meta>, and the app runs under that policy
 * alone (served with no CSP header) with no violation (no eval, no inline
 * script or style element).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentSecurityPolicy, cspMetaPlugin, cspSourcesFromConfig } from "../csp.config.ts";
import { launchBrowser } from "./support/browser.ts";
import { serveBuiltApp, type BuiltApp } from "./support/built-app.ts";
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
  // A plain static server: no CSP header, only what the build ships.
  built = await serveBuiltApp({ cspHeader: false });
  ({ outDir, url } = built);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await built?.close();
});

describe("the built app", () => {
  it("splits every connector into its own chunk, outside what the entry loads", () => {
    const assets = readdirSync(join(outDir, "assets"));
    for (const name of ["simulator", "sip", "amazon-connect", "twilio"]) expect(assets.some((f) => f.startsWith(`${name}-`) && f.endsWith(".js"))).toBe(true);
    const read = (file: string): string => readFileSync(join(outDir, "assets", file), "utf8");
    // The agent page and the supervisor page load their connector the same lazy way.
    for (const page of ["index.html", "supervisor.html"]) {
      const html = readFileSync(join(outDir, page), "utf8");
      const entryName = /<script type="module"[^>]*src="\/assets\/([^"]+\.js)"/.exec(html)?.[1];
      expect(entryName, page).toBeDefined();
      expect(html, page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline scripts
      // Everything the page loads before a connector is chosen: the entry and its static imports.
      const upFront = new Set<string>([entryName!]);
      for (const file of upFront) for (const m of read(file).matchAll(STATIC_IMPORT)) upFront.add(m[1]!);
      const eager = [...upFront].map(read).join("\n");
      expect(eager, page).not.toContain("ringInbound"); // the simulator's server stays in its chunk
      for (const marker of VENDOR_MARKERS) expect(eager, page).not.toMatch(marker);
    }
    // The simulator's chunk graph carries no vendor SDK either.
    const simulatorChunk = assets.find((f) => f.startsWith("simulator-") && f.endsWith(".js"))!;
    const simulatorGraph = new Set<string>([simulatorChunk]);
    for (const file of simulatorGraph) for (const m of read(file).matchAll(STATIC_IMPORT)) simulatorGraph.add(m[1]!);
    const simulator = [...simulatorGraph].map(read).join("\n");
    expect(simulator).toContain("ringInbound");
    for (const marker of VENDOR_MARKERS) expect(simulator).not.toMatch(marker);
  });

  it("ships its Content-Security-Policy in every page, before any script: Twilio allowed; no SIP server or CCP, since the sample's config.json names none", () => {
    const policy = contentSecurityPolicy();
    for (const page of ["index.html", "pega.html", "supervisor.html"]) {
      const html = readFileSync(join(outDir, page), "utf8");
      const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
      expect(meta?.[1], page).toBe(policy);
      expect(html.indexOf("Content-Security-Policy"), page).toBeLessThan(html.indexOf("<script"));
      expect(html.indexOf("<meta charset"), page).toBeLessThan(html.indexOf("Content-Security-Policy"));
    }
    const directive = (name: string): string[] => policy.split(/;\s*/).find((d) => d.startsWith(`${name} `))?.split(/\s+/).slice(1) ?? [];
    expect(directive("script-src")).toEqual(["'self'"]);
    expect(directive("style-src")).toEqual(["'self'"]);
    expect(directive("object-src")).toEqual(["'none'"]);
    // No wildcard CCP (any AWS customer's instance) and no bare `wss:` (any WebSocket host).
    expect(directive("frame-src")).toEqual(["'none'"]);
    expect(directive("connect-src")).toEqual(["'self'", "https://*.twilio.com", "wss://*.twilio.com", "https://media.twiliocdn.com"]);
    expect(directive("media-src")).toContain("https://sdk.twilio.com");
  });

  it("does not contain the fake CCP or any other testing transport", () => {
    const assets = readdirSync(join(outDir, "assets")).filter((f) => f.endsWith(".js"));
    expect(assets.length).toBeGreaterThan(0);
    for (const file of assets) {
      const code = readFileSync(join(outDir, "assets", file), "utf8");
      // The fake CCP's acknowledge id and its scripting API.
      expect(code, file).not.toContain("fake-ccp-port");
      expect(code, file).not.toContain("pushMalformedSnapshot");
    }
  });

  it("runs a call under the shipped policy alone (no header) with no violation", async () => {
    const app = await openApp(browser, url, DEFAULT_QUERY, recordCspViolations);
    try {
      const response = await app.page.reload();
      expect(response?.headers()["content-security-policy"]).toBeUndefined();
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
      if (process.env.CSP_SCREENSHOT) await app.page.screenshot({ path: process.env.CSP_SCREENSHOT });
      const violations = await app.page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
      expect(violations).toEqual([]);
      expect(app.problems).toEqual([]);
      // The meta policy is in force: an injected inline script does not run, and is reported.
      const injected = await app.page.evaluate(() => {
        const script = document.createElement("script");
        script.textContent = "window.__injected = true";
        document.head.append(script);
        return (window as unknown as { __injected?: boolean }).__injected ?? false;
      });
      expect(injected).toBe(false);
      await expect.poll(() => app.page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([expect.stringMatching(/^script-src/)]);
    } finally {
      await app.close();
    }
  });
});

describe("the policy's SIP server and CCP origins", () => {
  const directive = (policy: string, name: string): string[] => policy.split(/;\s*/).find((d) => d.startsWith(`${name} `))?.split(/\s+/).slice(1) ?? [];

  it("default: no SIP WebSocket server and no CCP frame at all (never `wss:` or `*.awsapps.com`)", () => {
    const policy = contentSecurityPolicy();
    expect(directive(policy, "frame-src")).toEqual(["'none'"]);
    for (const broad of ["wss:", "ws:", "https:", "https://*.awsapps.com", "https://*.my.connect.aws"]) expect(policy.split(/[\s;]+/)).not.toContain(broad);
  });

  it("a deployment's config.json gives exactly its SIP servers' and CCP's origins", () => {
    expect(cspSourcesFromConfig({ connector: "sip", options: { server: "wss://pbx.example.com:8089/ws, wss://pbx2.example.com/ws", uri: "sip:1001@pbx.example.com" } }).sources).toEqual({ sipServers: "wss://pbx.example.com:8089 wss://pbx2.example.com" });
    expect(cspSourcesFromConfig({ connector: "amazon-connect", options: { ccpUrl: "https://acme.my.connect.aws/ccp-v2/" } }).sources).toEqual({ ccpOrigins: "https://acme.my.connect.aws" });
    // Only the origin: nothing of a path reaches the policy.
    expect(cspSourcesFromConfig({ options: { server: 'wss://pbx.example.com/ws"><script>;connect-src *' } }).sources).toEqual({ sipServers: "wss://pbx.example.com" });
    const policy = contentSecurityPolicy(cspSourcesFromConfig({ options: { server: "wss://pbx.example.com:8089/ws", ccpUrl: "https://acme.my.connect.aws/ccp-v2/" } }).sources);
    expect(directive(policy, "frame-src")).toEqual(["https://acme.my.connect.aws"]);
    expect(directive(policy, "connect-src")).toContain("wss://pbx.example.com:8089");
    // The agent event stream's origin (https only): its ticket POST and EventSource.
    expect(cspSourcesFromConfig({ options: { agentStreamUrl: "https://voice-ai.example.com/agent-stream" } }).sources).toEqual({ connect: "https://voice-ai.example.com" });
    expect(cspSourcesFromConfig({ options: { agentStreamUrl: "http://voice-ai.example.com/agent-stream" } }).sources).toEqual({});
  });

  it("nothing usable configured: no origin, and a note naming the build variables", () => {
    for (const config of [undefined, {}, { options: {} }, { options: { server: "javascript:alert(1)", ccpUrl: "fake" } }, { options: { server: "https://pbx.example.com/ws", ccpUrl: "http://acme.my.connect.aws/" } }, { options: { server: "wss://ok.example/ws,sip:x", ccpUrl: 42 } }, { options: { server: "wss://user:pw@pbx.example.com/ws" } }, "not json"]) {
      const { sources, notes } = cspSourcesFromConfig(config);
      expect(sources, JSON.stringify(config)).toEqual({});
      expect(notes.join("\n")).toMatch(/OPENCTI_CSP_SIP_SERVERS/);
      expect(notes.join("\n")).toMatch(/OPENCTI_CSP_CCP_ORIGINS/);
    }
  });

  it("the plugin reads public/config.json at build time; the environment variables win; it prints a note when neither names a server", () => {
    const publicDir = mkdtempSync(join(tmpdir(), "csp-public-"));
    try {
      const policyOf = (sources: Parameters<typeof cspMetaPlugin>[0]): { policy: string; logged: string[] } => {
        const logged: string[] = [];
        const plugin = cspMetaPlugin(sources);
        const logger = { info: (m: string) => logged.push(m), warn: (m: string) => logged.push(m) };
        (plugin.configResolved as (c: unknown) => void)({ publicDir, logger });
        const transform = plugin.transformIndexHtml as { handler: (html: string, ctx: { filename: string }) => string };
        const html = transform.handler('<head><meta charset="UTF-8" /></head>', { filename: "index.html" });
        return { policy: /content="([^"]+)"/.exec(html)![1]!, logged };
      };
      // No config.json: nothing allowed, and a note.
      let { policy, logged } = policyOf({});
      expect(directive(policy, "frame-src")).toEqual(["'none'"]);
      expect(logged.join("\n")).toMatch(/OPENCTI_CSP_SIP_SERVERS[\s\S]*OPENCTI_CSP_CCP_ORIGINS/);
      // The deployment's config.json.
      writeFileSync(join(publicDir, "config.json"), JSON.stringify({ connector: "sip", options: { server: "wss://pbx.example.com:8089/ws", ccpUrl: "https://acme.my.connect.aws/ccp-v2/" } }));
      ({ policy, logged } = policyOf({}));
      expect(directive(policy, "connect-src")).toContain("wss://pbx.example.com:8089");
      expect(directive(policy, "frame-src")).toEqual(["https://acme.my.connect.aws"]);
      expect(logged.join("\n")).not.toMatch(/OPENCTI_CSP_SIP_SERVERS/);
      // The environment wins over config.json.
      ({ policy } = policyOf({ sipServers: "wss://other.example.com", ccpOrigins: "https://other.my.connect.aws" }));
      expect(directive(policy, "connect-src")).toContain("wss://other.example.com");
      expect(directive(policy, "connect-src")).not.toContain("wss://pbx.example.com:8089");
      expect(directive(policy, "frame-src")).toEqual(["https://other.my.connect.aws"]);
      // connect-src adds up: the agent stream's origin from config.json and the environment's other origins.
      writeFileSync(join(publicDir, "config.json"), JSON.stringify({ connector: "sip", options: { server: "wss://pbx.example.com/ws", agentStreamUrl: "https://voice.example.com/stream" } }));
      ({ policy } = policyOf({ connect: "https://creds.example.com" }));
      expect(directive(policy, "connect-src")).toEqual(expect.arrayContaining(["https://voice.example.com", "https://creds.example.com"]));
      writeFileSync(join(publicDir, "config.json"), JSON.stringify({ connector: "sip", options: { server: "wss://pbx.example.com/ws", agentStreamUrl: "http://voice.example.com/stream" } }));
      ({ policy, logged } = policyOf({}));
      expect(directive(policy, "connect-src")).not.toContain("http://voice.example.com");
      expect(logged.join("\n")).toMatch(/agentStreamUrl is not an https/);
    } finally {
      rmSync(publicDir, { recursive: true, force: true });
    }
  });
});
