/**
 * Launches Debian's Chromium through playwright-core for the end-to-end tests.
 * Nothing is downloaded: the test command installs /usr/bin/chromium with
 * apt-get (scripts/ensure-system.sh) and this fails with a clear message otherwise.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type LaunchOptions } from "playwright-core";

/** Where the end-to-end tests write their pictures: the committed docs folder with UPDATE_SCREENSHOTS=1, otherwise beside the test results. */
export const SCREENSHOTS = fileURLToPath(new URL(process.env.UPDATE_SCREENSHOTS ? "../../docs/screenshots/" : "../../test-results/screenshots/", import.meta.url));

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchBrowser(options: { args?: string[] } & Omit<LaunchOptions, "args" | "executablePath"> = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}. Install it with: sudo apt-get install -y chromium (or set CHROMIUM_PATH).`);
  }
  const { args = [], ...rest } = options;
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      ...args,
    ],
    ...rest,
  });
}
