/**
 * Runs the panel in Debian's Chromium: the panel and a simulator desktop are
 * bundled (tsup/esbuild, sources aliased) into one script loaded in a blank page.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { build } from "tsup";
import { esbuildSourceAliases } from "../../../../vitest.shared.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function bundleFixture(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), "panel-fixture-"));
  try {
    await build({
      config: false,
      entry: { fixture: fileURLToPath(new URL("./fixture-entry.ts", import.meta.url)) },
      format: ["iife"],
      platform: "browser",
      target: "es2022",
      outDir,
      dts: false,
      sourcemap: false,
      silent: true,
      noExternal: [/.*/],
      esbuildOptions(options) {
        options.alias = esbuildSourceAliases();
      },
    });
    return readFileSync(join(outDir, "fixture.global.js"), "utf8");
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}. Install it with: sudo apt-get install -y chromium (or set CHROMIUM_PATH).`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"] });
}

const BLANK = "<!doctype html><html lang=en><body></body></html>";

/**
 * A blank page with the fixture loaded; errors thrown in the page are
 * collected. With `url`, the page is served at that address by the test (no
 * network): a real origin, for what needs one (localStorage), and `reload()`
 * loads it again with the fixture.
 */
export async function fixturePage(browser: Browser, script: string, options: { url?: string } = {}): Promise<{ page: Page; problems: string[]; close(): Promise<void>; reload(): Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(msg.text());
  });
  if (options.url) {
    await page.route(options.url, (route) => route.fulfill({ contentType: "text/html", body: BLANK }));
    await page.goto(options.url);
  } else await page.setContent(BLANK);
  await page.addScriptTag({ content: script });
  return {
    page,
    problems,
    close: () => context.close(),
    async reload() {
      await page.reload();
      await page.addScriptTag({ content: script });
    },
  };
}
