/**
 * The sample app on the simulator, in Debian's Chromium: a call's live
 * transcript and insight chips in the Call Control Panel, from the
 * simulator's Voice AI messages (the drawer's "Send transcript line" and the
 * server's scripting API), in light and dark.
 */
import { mkdirSync } from "node:fs";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SimulatorServer } from "@opencti/simulator";
import { startAppServer, type AppServer } from "./support/app-server.ts";
import { launchBrowser, SCREENSHOTS } from "./support/browser.ts";
import { callCard, loginReady, openApp, openDrawer, ringInbound, type AppPage } from "./support/desktop-page.ts";

const HOSTILE = '<img src=x onerror="window.pwned=true">';

let server: AppServer;
let browser: Browser;
let app: AppPage | undefined;

beforeAll(async () => {
  server = await startAppServer();
  browser = await launchBrowser();
});

afterEach(async () => {
  await app?.close();
  app = undefined;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

type Line = Parameters<SimulatorServer["transcript"]>[1];
type Insight = { kind: string; text: string; score?: number };

/** Scripts the simulator's far end for the one call: transcript lines and insights, in order. */
async function script(page: Page, steps: ({ line: Line } | { insight: Insight })[]): Promise<void> {
  await page.evaluate((all) => {
    const sim = window.__opencti!.setup as unknown as { server: SimulatorServer };
    const id = sim.server.listCalls()[0]!.callId;
    for (const step of all) {
      if ("line" in step) sim.server.transcript(id, step.line);
      // Issue and category are core kinds the simulator's type does not list yet: it passes any through.
      else sim.server.insight(id, step.insight as Parameters<SimulatorServer["insight"]>[1]);
    }
  }, steps);
}

const lines = (card: Locator): Promise<string[]> =>
  card.locator('[part~="line"]').evaluateAll((els) => els.map((li) => `${li.textContent.trim().replace(/\s+/g, " ")}${li.getAttribute("data-final") === "true" ? "" : " …"}`));
const chips = (card: Locator): Promise<string[]> => card.locator('[part~="insight"]').evaluateAll((els) => els.map((li) => li.textContent.trim().replace(/\s+/g, " ")));

describe("live transcript in the agent desktop (Chromium, simulator)", () => {
  it("shows partials replaced by finals, speakers, insight chips and hostile text as text; light and dark screenshots", async () => {
    app = await openApp(browser, server.url);
    const { page, panel, problems } = app;
    await loginReady(app);
    await ringInbound(page, { phone: "+15550100" });
    const card = callCard(panel, "Ada Lovelace");
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    expect(await card.locator('[part~="transcript"]').count()).toBe(0);

    // The drawer's own control: a final customer line.
    await openDrawer(page);
    const controls = page.locator("#controls");
    await controls.getByLabel("Text").fill("Hi, my router keeps rebooting.");
    await controls.getByRole("button", { name: "Send transcript line" }).click();
    await expect.poll(() => lines(card)).toEqual(["Customer Hi, my router keeps rebooting."]);

    // Then the far end scripted: partials growing into finals, two speakers, insights.
    await script(page, [
      { line: { speaker: "agent", text: "Sorry to", final: false, segmentId: "a1" } },
      { line: { speaker: "agent", text: "Sorry to hear that. Which", final: false, segmentId: "a1" } },
    ]);
    await expect.poll(() => lines(card)).toEqual(["Customer Hi, my router keeps rebooting.", "You Sorry to hear that. Which …"]);
    expect(await card.locator('[part~="line"]').count()).toBe(2);
    await script(page, [
      { line: { speaker: "agent", text: "Sorry to hear that. Which model is it?", final: true, segmentId: "a1" } },
      { line: { speaker: "customer", text: "The X2", final: false, segmentId: "c2" } },
      { insight: { kind: "sentiment", text: "neutral", score: 0 } },
      { insight: { kind: "issue", text: "Router reboots every hour" } },
      { insight: { kind: "category", text: "Hardware" } },
      { insight: { kind: "intent", text: "Replace router" } },
      { insight: { kind: "issue", text: "Router reboots every hour" } },
      { line: { speaker: "customer", text: "The X200. It says " + HOSTILE, final: true, segmentId: "c2" } },
      { insight: { kind: "sentiment", text: "negative", score: -0.6 } },
      { line: { speaker: "agent", text: "Let me check", final: false, segmentId: "a2" } },
    ]);
    await expect.poll(() => lines(card)).toEqual([
      "Customer Hi, my router keeps rebooting.",
      "You Sorry to hear that. Which model is it?",
      `Customer The X200. It says ${HOSTILE}`,
      "You Let me check …",
    ]);
    // One chip per kind and text (the repeated issue moved last, as the newest); one sentiment, the latest, first.
    await expect.poll(() => chips(card)).toEqual(["▼ Sentiment: negative", "Category: Hardware", "Intent: Replace router", "Issue: Router reboots every hour"]);
    // Finals only in the live region; the hostile text stayed text.
    expect(await card.locator('[part~="transcript-live"]').textContent()).toBe(`Customer: The X200. It says ${HOSTILE}`);
    expect(await card.locator('[part~="transcript"] img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned)).toBeUndefined();
    expect(await card.locator('[part~="line"].partial').count()).toBe(1);

    // The pictures: the drawer closed, no hover.
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.getByText("Simulator controls").click();
    await page.mouse.move(1, 1);
    await panel.screenshot({ path: `${SCREENSHOTS}panel-transcript.png` });
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(() => panel.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(13, 17, 23)");
    await panel.screenshot({ path: `${SCREENSHOTS}panel-transcript-dark.png` });
    await page.emulateMedia({ colorScheme: "light" });

    // Collapsed and opened again, kept through hold; gone with the call.
    const toggle = card.getByRole("button", { name: "Transcript" });
    await toggle.click();
    await expect.poll(() => toggle.getAttribute("aria-expanded")).toBe("false");
    expect(await card.locator('[part~="transcript-lines"]').isVisible()).toBe(false);
    await toggle.click();
    await panel.getByRole("button", { name: "Hold Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("held");
    expect(await card.locator('[part~="line"]').count()).toBe(4);
    await panel.getByRole("button", { name: "Resume Ada Lovelace" }).click();
    await panel.getByRole("button", { name: "Hang up Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("wrapup");
    expect(await card.locator('[part~="line"]').count()).toBe(4);
    await card.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => panel.locator('[part~="transcript"]').count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
