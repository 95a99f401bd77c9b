/**
 * The panel's live transcript and insight chips in Chromium, on a simulator
 * desktop: lines from the simulator's Voice AI messages and the connector's
 * signals (third party, system, every insight kind), rendered as text only.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import axe from "axe-core";
import type { ConnectorContext, Desktop, DesktopEvent, Insight, TranscriptSegment } from "@opencti/core";
import type { SimulatorServer } from "@opencti/simulator";
import type { CallControlPanel } from "../src/index.ts";
import { bundleFixture, fixturePage, launch } from "./support/browser-page.ts";

declare global {
  interface Window {
    ai: {
      server: SimulatorServer;
      desktop: Desktop;
      el: CallControlPanel;
      ctx: ConnectorContext;
      /** Hands an event to the panel as the desktop would (for what core refuses to emit: an insight kind it does not list). */
      emit(event: DesktopEvent): void;
    };
    pwned?: boolean;
  }
}

let browser: Browser;
let script: string;
let current: Awaited<ReturnType<typeof fixturePage>> | undefined;
const SHOTS = process.env.PANEL_SCREENSHOTS ?? join(tmpdir(), "opencti-panel-screenshots");
const HOSTILE = "<img src=x onerror=\"window.pwned=true\"><b>bold</b>";

beforeAll(async () => {
  [script, browser] = await Promise.all([bundleFixture(), launch()]);
}, 120_000);

afterEach(async () => {
  await current?.close();
  current = undefined;
});

afterAll(async () => {
  await browser?.close();
});

/** A logged-in panel on a fresh simulator desktop. */
async function mount(): Promise<{ page: Page; panel: Locator; problems: string[] }> {
  current = await fixturePage(browser, script);
  const { page } = current;
  await page.evaluate(() => {
    const { server, connector } = window.fixture.createSimulator({ latencyMs: 5, defaultFarEnd: "answer", answerAfterMs: 30 });
    let ctx: ConnectorContext | undefined;
    const desktop = window.fixture.createDesktop({
      connector: {
        ...connector,
        start(c) {
          ctx = c;
          return connector.start(c);
        },
      },
    });
    const handlers: ((e: DesktopEvent) => void)[] = [];
    // The panel's subscription, kept so a test can hand it an event core would not emit.
    const on = (type: "*", h: (e: DesktopEvent) => void): (() => void) => (handlers.push(h), desktop.on(type, h));
    const wrapped: Desktop = { ...desktop, on };
    window.fixture.panel.defineCallControlPanel();
    const el = document.createElement("opencti-call-control-panel");
    el.desktop = wrapped;
    el.loginRequest = { agentId: "agent-42" };
    window.ai = {
      server,
      desktop,
      el,
      get ctx() {
        return ctx!;
      },
      emit: (e) => handlers.forEach((h) => h(e)),
    };
    document.body.append(el);
  });
  const panel = page.locator("opencti-call-control-panel");
  await panel.getByRole("button", { name: "Log in" }).click();
  await panel.getByRole("button", { name: "Log out" }).waitFor();
  return { page, panel, problems: current.problems };
}

/** Rings a call from `from` and answers it; returns its card and id. */
async function answered(page: Page, panel: Locator, from: string): Promise<{ card: Locator; id: string }> {
  const id = await page.evaluate((f) => window.ai.server.ringInbound({ from: f }), from);
  const card = panel.locator(`article.call[data-call-id="${id}"]`);
  await card.getByRole("button", { name: `Answer ${from}` }).click();
  await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
  return { card, id };
}

/** A segment through the connector's signal (any speaker). */
const say = (page: Page, callId: string, segment: TranscriptSegment): Promise<void> => page.evaluate(([c, s]) => window.ai.ctx.signal({ kind: "transcript", callId: c, segment: s }), [callId, segment] as const);
const insight = (page: Page, callId: string, i: Insight): Promise<void> => page.evaluate(([c, x]) => window.ai.ctx.signal({ kind: "insight", callId: c, insight: x }), [callId, i] as const);
/** What each line shows: "<speaker> <text>", with "…" after a partial. */
const lines = (card: Locator): Promise<string[]> =>
  card.locator('[part~="line"]').evaluateAll((els) => els.map((li) => `${li.textContent.trim().replace(/\s+/g, " ")}${li.getAttribute("data-final") === "true" ? "" : "…"}`));
const chips = (card: Locator): Promise<string[]> => card.locator('[part~="insight"]').evaluateAll((els) => els.map((li) => li.textContent.trim().replace(/\s+/g, " ")));
const live = (card: Locator): Promise<string | null> => card.locator('[part~="transcript-live"]').textContent();

async function shot(panel: Locator, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const png = await panel.screenshot({ path: join(SHOTS, `${name}.png`), animations: "disabled" });
  expect(png.subarray(1, 4).toString()).toBe("PNG");
}

describe("the live transcript", () => {
  it("shows lines in order with their speakers; a partial is de-emphasized and replaced in place by later partials and its final", async () => {
    const { page, panel, problems } = await mount();
    const { card, id } = await answered(page, panel, "+15550100");
    expect(await card.locator('[part~="transcript"]').count()).toBe(0);
    // Through the simulator's own Voice AI messages (agent and customer)...
    await page.evaluate((c) => {
      const s = window.ai.server;
      s.transcript(c, { speaker: "customer", text: "My rou", final: false, segmentId: "c1" });
      s.transcript(c, { speaker: "customer", text: "My router keeps", final: false, segmentId: "c1" });
    }, id);
    await expect.poll(() => lines(card)).toEqual(["Customer My router keeps…"]);
    expect(await card.locator('[part~="line"].partial').count()).toBe(1);
    await page.evaluate((c) => {
      const s = window.ai.server;
      s.transcript(c, { speaker: "agent", text: "I can", final: false, segmentId: "a1" });
      s.transcript(c, { speaker: "customer", text: "My router keeps rebooting.", final: true, segmentId: "c1" });
    }, id);
    await expect.poll(() => lines(card)).toEqual(["Customer My router keeps rebooting.", "You I can…"]);
    // ...and the connector's signals (third party, system).
    await say(page, id, { id: "t1", speaker: "third_party", text: "Interpreter joined.", final: true });
    await say(page, id, { id: "a1", speaker: "agent", text: "I can help with that.", final: true });
    await say(page, id, { id: "s1", speaker: "system", text: "Recording resumed.", final: true });
    await expect.poll(() => lines(card)).toEqual(["Customer My router keeps rebooting.", "You I can help with that.", "Other party Interpreter joined.", "System Recording resumed."]);
    expect(await card.locator('[part~="line"].partial').count()).toBe(0);
    expect(await card.locator('[part~="line"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-speaker")))).toEqual(["customer", "agent", "third_party", "system"]);
    // A partial reads lighter than a final.
    await say(page, id, { id: "c2", speaker: "customer", text: "Since", final: false });
    await expect.poll(() => card.locator('[part~="line"].partial').count()).toBe(1);
    const [partial, final] = await card.locator('[part~="line"]').evaluateAll((els) => [els.at(-1)!, els[0]!].map((e) => getComputedStyle(e).color));
    expect(partial).not.toBe(final);
    expect(problems).toEqual([]);
  });

  it("announces finals only, in a polite live region", async () => {
    const { page, panel } = await mount();
    const { card, id } = await answered(page, panel, "+15550100");
    await say(page, id, { id: "c1", speaker: "customer", text: "Hel", final: false });
    await card.locator('[part~="line"]').waitFor();
    const region = card.locator('[part~="transcript-live"]');
    expect(await region.getAttribute("aria-live")).toBe("polite");
    expect(await live(card)).toBe("");
    await say(page, id, { id: "c1", speaker: "customer", text: "Hello there.", final: true });
    await expect.poll(() => live(card)).toBe("Customer: Hello there.");
    await say(page, id, { id: "a1", speaker: "agent", text: "Good morn", final: false });
    await expect.poll(() => lines(card)).toEqual(["Customer Hello there.", "You Good morn…"]);
    expect(await live(card)).toBe("Customer: Hello there.");
    await say(page, id, { id: "a1", speaker: "agent", text: "Good morning.", final: true });
    await expect.poll(() => live(card)).toBe("You: Good morning.");
    // The list itself is not live: a partial would be read at every word.
    expect(await card.locator('[part~="transcript-lines"]').getAttribute("aria-live")).toBeNull();
  });

  it("shows insights as chips: deduplicated by kind and text, one sentiment (the latest) first with its direction, any kind", async () => {
    const { page, panel } = await mount();
    const { card, id } = await answered(page, panel, "+15550100");
    await page.evaluate((c) => window.ai.server.insight(c, { kind: "sentiment", text: "neutral", score: 0 }), id);
    await expect.poll(() => chips(card)).toEqual(["● Sentiment: neutral"]);
    expect(await card.locator('[part~="transcript-lines"]').count()).toBe(0);
    await insight(page, id, { kind: "issue", text: "Router reboots" });
    await insight(page, id, { kind: "category", text: "Hardware" });
    await insight(page, id, { kind: "intent", text: "Replace router", score: 0.8 });
    await insight(page, id, { kind: "issue", text: "Router reboots" });
    await insight(page, id, { kind: "sentiment", text: "NEGATIVE", score: -0.6 });
    await insight(page, id, { kind: "suggestion", text: "Offer a replacement" });
    await insight(page, id, { kind: "summary", text: "Router reboots since Monday." });
    await insight(page, id, { kind: "entity", text: "Model X200", data: { type: "product" } });
    await expect.poll(() => chips(card)).toEqual([
      "▼ Sentiment: negative",
      "Category: Hardware",
      "Intent: Replace router",
      "Issue: Router reboots",
      "Suggestion: Offer a replacement",
      "Summary: Router reboots since Monday.",
      "Entity: Model X200",
    ]);
    expect(await card.locator('[part~="insight"][data-kind="sentiment"]').getAttribute("data-tone")).toBe("negative");
    await insight(page, id, { kind: "sentiment", text: "Customer calmer", score: 0.5 });
    await expect.poll(() => chips(card).then((c) => c[0])).toBe("▲ Sentiment: positive · Customer calmer");
    expect(await card.locator('[part~="insight"][data-kind="sentiment"]').count()).toBe(1);
    // A kind the panel has no word for shows as it comes, in the generic chip.
    await page.evaluate((c) => window.ai.emit({ type: "call.insight", callId: c, insight: { kind: "compliance_risk" as Insight["kind"], text: "Card number read out" }, seq: 1e6, at: Date.now(), connector: "simulator" }), id);
    await expect.poll(() => chips(card).then((c) => c.at(-1))).toBe("compliance_risk: Card number read out");
  });

  it("renders what was heard as text, never as markup", async () => {
    const { page, panel, problems } = await mount();
    const { card, id } = await answered(page, panel, "+15550100");
    await say(page, id, { id: "x", speaker: "customer", text: HOSTILE, final: true });
    await insight(page, id, { kind: "summary", text: HOSTILE });
    await expect.poll(() => lines(card)).toEqual([`Customer ${HOSTILE}`]);
    expect(await chips(card)).toEqual([`Summary: ${HOSTILE}`]);
    expect(await live(card)).toBe(`Customer: ${HOSTILE}`);
    // No element came from the text: the one <b> is the speaker's label.
    expect(await card.locator('[part~="transcript"] img').count()).toBe(0);
    expect(await card.locator('[part~="transcript"] b').allTextContents()).toEqual(["Customer"]);
    expect(await page.evaluate(() => window.pwned)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it("keeps each call's lines on its own card", async () => {
    const { page, panel } = await mount();
    const first = await answered(page, panel, "+15550100");
    const secondId = await page.evaluate(() => window.ai.server.ringInbound({ from: "+15550123" }));
    const second = panel.locator(`article.call[data-call-id="${secondId}"]`);
    await second.waitFor();
    await say(page, secondId, { id: "w1", speaker: "customer", text: "Second caller speaking.", final: true });
    await say(page, first.id, { id: "f1", speaker: "customer", text: "First caller speaking.", final: true });
    await expect.poll(() => lines(second)).toEqual(["Customer Second caller speaking."]);
    await expect.poll(() => lines(first.card)).toEqual(["Customer First caller speaking."]);
    expect(await panel.locator('[part~="line"]').count()).toBe(2);
  });

  it("collapses with its toggle, is kept through hold and wrap-up, and goes when the call ends", async () => {
    const { page, panel } = await mount();
    const { card, id } = await answered(page, panel, "+15550100");
    await say(page, id, { id: "c1", speaker: "customer", text: "Hello.", final: true });
    const toggle = card.getByRole("button", { name: "Transcript" });
    await expect.poll(() => toggle.getAttribute("aria-expanded")).toBe("true");
    const controlled = card.locator(`#${await toggle.getAttribute("aria-controls")}`);
    expect(await controlled.isVisible()).toBe(true);
    await toggle.click();
    await expect.poll(() => toggle.getAttribute("aria-expanded")).toBe("false");
    expect(await controlled.isVisible()).toBe(false);
    // Collapsed: nothing read out either.
    await say(page, id, { id: "c2", speaker: "customer", text: "Still there?", final: true });
    await expect.poll(() => card.locator('[part~="line"]').count()).toBe(2);
    expect(await live(card)).toBe("");
    await toggle.click();
    await expect.poll(() => controlled.isVisible()).toBe(true);

    await card.getByRole("button", { name: "Hold +15550100" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("held");
    expect(await lines(card)).toEqual(["Customer Hello.", "Customer Still there?"]);
    await card.getByRole("button", { name: "Resume +15550100" }).click();
    await card.getByRole("button", { name: "Hang up +15550100" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("wrapup");
    expect(await lines(card)).toEqual(["Customer Hello.", "Customer Still there?"]);
    await card.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => panel.locator("article.call").count()).toBe(0);
    // Core still takes a late line for a call that just ended: the panel does not keep it.
    await say(page, id, { id: "late", speaker: "customer", text: "Bye.", final: true });
    const next = await answered(page, panel, "+15550123");
    expect(await next.card.locator('[part~="transcript"]').count()).toBe(0);
  });

  it("shows what was said before it was attached", async () => {
    const { page, panel } = await mount();
    const { id } = await answered(page, panel, "+15550100");
    await say(page, id, { id: "c1", speaker: "customer", text: "Before the move.", final: true });
    await panel.locator('[part~="line"]').waitFor();
    // A second panel on the same desktop, attached now.
    await page.evaluate(() => {
      const el = document.createElement("opencti-call-control-panel");
      el.desktop = window.ai.desktop;
      document.body.append(el);
    });
    await expect.poll(() => lines(page.locator("opencti-call-control-panel").nth(1).locator("article.call"))).toEqual(["Customer Before the move."]);
  });

  it("keeps the last 200 lines and follows the newest, unless the agent scrolled up (until back at the bottom)", async () => {
    const { page, panel } = await mount();
    const { card, id } = await answered(page, panel, "+15550100");
    await page.evaluate((c) => {
      for (let i = 0; i < 205; i++) window.ai.ctx.signal({ kind: "transcript", callId: c, segment: { id: `s${i}`, speaker: i % 2 ? "agent" : "customer", text: `line ${i}`, final: true } });
    }, id);
    const list = card.locator('[part~="transcript-lines"]');
    await expect.poll(() => card.locator('[part~="line"]').count()).toBe(200);
    expect((await lines(card))[0]).toBe("You line 5");
    const position = (): Promise<{ top: number; bottomGap: number; shown: string }> =>
      list.evaluate((el) => {
        const box = el.getBoundingClientRect();
        // The line at the top of the view.
        const shown = [...el.querySelectorAll("li")].find((li) => li.getBoundingClientRect().bottom > box.top + 1)?.textContent ?? "";
        return { top: el.scrollTop, bottomGap: el.scrollHeight - el.scrollTop - el.clientHeight, shown };
      });
    await expect.poll(() => position().then((p) => p.bottomGap)).toBeLessThan(2);
    // The agent scrolls up: new lines do not move what the agent reads (even as the oldest line goes).
    await list.evaluate((el) => el.scrollTo({ top: 100 }));
    await expect.poll(() => position().then((p) => p.top)).toBe(100);
    await page.waitForTimeout(50); // the scroll event
    const before = await position();
    await say(page, id, { id: "more1", speaker: "customer", text: "line more 1", final: true });
    await expect.poll(() => lines(card).then((l) => l.at(-1))).toBe("Customer line more 1");
    await page.waitForTimeout(1100); // a ticker re-render too
    const after = await position();
    expect(after.shown).toBe(before.shown);
    expect(after.bottomGap).toBeGreaterThan(before.bottomGap);
    // Back at the bottom: it follows again.
    await list.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await page.waitForTimeout(50);
    await say(page, id, { id: "more2", speaker: "customer", text: "line more 2 ".repeat(20), final: true });
    await expect.poll(() => lines(card).then((l) => l.at(-1))).toMatch(/^Customer line more 2/);
    await expect.poll(() => position().then((p) => p.bottomGap)).toBeLessThan(2);
  });

  it("has no serious or critical axe-core violations in either theme; screenshots", async () => {
    const { page, panel } = await mount();
    const { card, id } = await answered(page, panel, "+15550100");
    await insight(page, id, { kind: "sentiment", text: "negative", score: -0.6 });
    await insight(page, id, { kind: "issue", text: "Router reboots every hour" });
    await insight(page, id, { kind: "intent", text: "Replace router" });
    await say(page, id, { id: "c1", speaker: "customer", text: "My router keeps rebooting every hour since Monday.", final: true });
    await say(page, id, { id: "a1", speaker: "agent", text: "I am sorry to hear that. Let me check your line.", final: true });
    await say(page, id, { id: "c2", speaker: "customer", text: "It is the X200 model I", final: false });
    await expect.poll(() => card.locator('[part~="line"]').count()).toBe(3);
    await page.addScriptTag({ content: axe.source });
    const found = await page.evaluate(async () => {
      const run = (window as unknown as { axe: { run(el: Element, o: object): Promise<{ violations: { id: string; impact?: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
      const el = document.querySelector("opencti-call-control-panel")!;
      const out: string[] = [];
      for (const theme of ["light", "dark"]) {
        el.setAttribute("theme", theme);
        for (const v of (await run.run(el, { resultTypes: ["violations"] })).violations) if (v.impact === "serious" || v.impact === "critical") out.push(`${theme}: ${v.id} ${JSON.stringify(v.nodes.map((n) => n.target))}`);
      }
      return out;
    });
    expect(found).toEqual([]);
    await page.mouse.move(1, 1);
    for (const theme of ["light", "dark"]) {
      await page.evaluate((t) => window.ai.el.setAttribute("theme", t), theme);
      await shot(panel, `transcript-${theme}`);
    }
  });
});
