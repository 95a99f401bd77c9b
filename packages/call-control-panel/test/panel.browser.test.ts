/**
 * <opencti-call-control-panel> in Chromium, on a simulator desktop: rendering
 * from state and actions, events, accessibility, errors and registration.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Capability, ConnectorContext, Desktop, DirectoryEntry } from "@opencti/core";
import type { FakeMediaDevices, SimulatorConnectorOptions, SimulatorServer, SimulatorServerOptions } from "@opencti/simulator";
import type { CallControlPanel, ScreenPopDetail } from "../src/index.ts";
import axe from "axe-core";
import { bundleFixture, fixturePage, launch } from "./support/browser-page.ts";

declare global {
  interface Window {
    t: { server: SimulatorServer; desktop: Desktop; el: CallControlPanel; pops: Pick<ScreenPopDetail, "phase" | "ani">[]; devices: FakeMediaDevices; readonly ctx: ConnectorContext | undefined };
  }
}

let browser: Browser;
let script: string;
let current: { page: Page; problems: string[]; close(): Promise<void>; reload(): Promise<void> } | undefined;

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

/** axe-core's browser build, injected into the page for the accessibility audits. */
const AXE = axe.source;

/** Where the tests leave screenshots of the panel, for a person to look at. */
const SHOTS = process.env.PANEL_SCREENSHOTS ?? join(tmpdir(), "opencti-panel-screenshots");

/** A PNG of the panel as it is now; returns its path. */
async function shot(panel: Locator, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  const png = await panel.screenshot({ path, animations: "disabled" });
  expect(png.subarray(1, 4).toString()).toBe("PNG");
  return path;
}

type MountOptions = { capabilities?: Capability[]; login?: boolean; sim?: SimulatorServerOptions; directory?: DirectoryEntry[]; connector?: Pick<SimulatorConnectorOptions, "microphone">; url?: string };

/** A page with one panel on a fresh simulator desktop (its audio devices: the simulator's fake list, `window.t.devices`). */
async function mount(options: MountOptions = {}): Promise<{ page: Page; panel: Locator; problems: string[] }> {
  current = await fixturePage(browser, script, options.url ? { url: options.url } : {});
  return start(current.page, options);
}

/** The panel and its desktop in `page` (again after a reload). */
async function start(page: Page, options: MountOptions): Promise<{ page: Page; panel: Locator; problems: string[] }> {
  await page.evaluate(({ capabilities, sim, directory, more }) => {
    const devices = window.fixture.createFakeMediaDevices();
    const { server, connector } = window.fixture.createSimulator({
      latencyMs: 5,
      defaultFarEnd: "answer",
      answerAfterMs: 30,
      ...sim,
      connector: { ...(capabilities ? { capabilities } : {}), ...(directory ? { directory } : {}), ...more, mediaDevices: devices },
    });
    // The connector's context is kept so a test can report what the simulator cannot (a warning).
    let context: ConnectorContext | undefined;
    const desktop = window.fixture.createDesktop({
      connector: {
        ...connector,
        start(ctx) {
          context = ctx;
          return connector.start(ctx);
        },
      },
    });
    window.fixture.panel.defineCallControlPanel();
    const el = document.createElement("opencti-call-control-panel");
    el.desktop = desktop;
    el.loginRequest = { agentId: "agent-42" };
    const pops: Window["t"]["pops"] = [];
    window.t = {
      server,
      desktop,
      el,
      pops,
      devices,
      get ctx() {
        return context;
      },
    };
    // Listening on document proves the event bubbles out of the shadow root (composed).
    document.addEventListener("opencti-screen-pop", (e) => pops.push({ phase: e.detail.phase, ani: e.detail.ani }));
    document.body.append(el);
  }, { capabilities: options.capabilities, sim: options.sim, directory: options.directory, more: options.connector ?? {} });
  const panel = page.locator("opencti-call-control-panel");
  await panel.locator('[part~="link"][data-link="connected"]').waitFor();
  if (options.login !== false) {
    await panel.getByRole("button", { name: "Log in" }).click();
    await panel.getByRole("button", { name: "Log out" }).waitFor();
  }
  return { page, panel, problems: current!.problems };
}

const ring = (page: Page, call: { from?: string; fromName?: string; queue?: string; data?: Record<string, string> }): Promise<string> =>
  page.evaluate((c) => window.t.server.ringInbound(c), call);

describe("<opencti-call-control-panel>", () => {
  it("logs in with the configured agent id and lists the connector's reasons", async () => {
    const { page, panel, problems } = await mount({ login: false });
    expect(await panel.getByLabel("Agent ID").inputValue()).toBe("agent-42");
    await panel.getByLabel("Agent ID").fill("agent-9");
    await panel.getByRole("button", { name: "Log in" }).click();
    const status = panel.getByLabel("Status");
    await status.waitFor();
    expect(await status.locator("option").allTextContents()).toEqual(["Available", "Break", "Lunch", "Training"]);
    expect(await page.evaluate(() => window.t.desktop.snapshot().agent.agentId)).toBe("agent-9");
    await status.selectOption("lunch");
    await expect.poll(() => panel.locator('[part~="time-in-state"]').textContent()).toMatch(/^Lunch for 0:0\d$/);
    await expect.poll(() => panel.locator('[part~="time-in-state"]').textContent()).toMatch(/^Lunch for 0:(0[1-9]|[1-5]\d)$/);
    await panel.getByRole("button", { name: "Log out" }).click();
    await panel.getByRole("button", { name: "Log in" }).waitFor();
    expect(problems).toEqual([]);
  });

  it("the state selector always shows the agent's real state, after a refused change and after a queued one", async () => {
    const { page, panel } = await mount();
    const status = panel.getByLabel("Status");
    await expect.poll(() => status.inputValue()).toBe("break");
    // A refused change: the selector goes back to the state the agent is still in.
    await page.evaluate(() => window.t.server.failNext("setState", { code: "VENDOR_ERROR", message: "State service unavailable" }));
    await status.selectOption("lunch");
    await expect.poll(() => panel.locator('[part~="error"]').textContent()).toContain("State service unavailable");
    await expect.poll(() => status.inputValue()).toBe("break");
    // Lunch chosen during a call is queued; when it applies after wrap-up, the selector shows it.
    await status.selectOption("available");
    await expect.poll(() => panel.locator('[part~="time-in-state"]').textContent()).toMatch(/^Available/);
    await ring(page, { from: "+15550100" });
    const card = panel.locator("article.call");
    await card.getByRole("button", { name: "Answer +15550100" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    await status.selectOption("lunch");
    await expect.poll(() => panel.locator('[part~="pending-state"]').textContent()).toContain("Next: Lunch");
    await card.getByRole("button", { name: "Hang up +15550100" }).click();
    await card.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => panel.locator('[part~="time-in-state"]').textContent()).toMatch(/^Lunch/);
    await expect.poll(() => status.inputValue()).toBe("lunch");
  });

  it("alerts an incoming call with caller, queue and attached data, and emits a composed screen pop", async () => {
    const { page, panel, problems } = await mount();
    await ring(page, { from: "+15550100", fromName: "Ada Lovelace", queue: "Billing", data: { customerId: "C-1", orderId: "77" } });
    const card = panel.getByRole("article", { name: "Incoming call Ada Lovelace" });
    await card.waitFor();
    expect(await card.textContent()).toContain("from +15550100");
    expect(await card.textContent()).toContain("queue Billing");
    expect(await card.getByLabel("Call data").textContent()).toMatch(/customerId\s*C-1\s*orderId\s*77/);
    await expect.poll(() => panel.getByRole("status").first().textContent()).toBe("Incoming call from Ada Lovelace, queue Billing");
    expect(await card.getByRole("button").allTextContents().then((t) => t.map((s) => s.trim()))).toEqual(["Answer", "Reject"]);
    await card.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    await expect.poll(() => page.evaluate(() => window.t.pops)).toEqual([
      { phase: "ringing", ani: "+15550100" },
      { phase: "answered", ani: "+15550100" },
    ]);
    expect(problems).toEqual([]);
  });

  it("renders a call's buttons from its actions", async () => {
    const { page, panel } = await mount();
    await ring(page, { from: "+15550123" });
    const card = panel.locator("article.call");
    await card.getByRole("button", { name: "Answer +15550123" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    const buttons = async (): Promise<string[]> => (await card.locator('[part~="actions"] button').allTextContents()).map((s) => s.trim());
    expect(await buttons()).toEqual(["Hold", "Mute", "Hang up", "Keypad", "Transfer"]);
    await card.getByRole("button", { name: "Hold +15550123" }).click();
    await expect.poll(buttons).toEqual(["Resume", "Hang up"]);
    const actions = await page.evaluate(() => window.t.desktop.snapshot().calls[0]!.actions);
    // (The simulator records every call: pausing the recording is offered on a held call too.)
    expect(new Set(actions)).toEqual(new Set(["hangup", "resume", "pauseRecording"]));
  });

  it("shows a waiting call beside the active one", async () => {
    const { page, panel } = await mount();
    await ring(page, { from: "+15550100", fromName: "First" });
    await panel.getByRole("button", { name: "Answer First" }).click();
    await expect.poll(() => panel.getByRole("article", { name: "Inbound call First" }).getAttribute("data-state")).toBe("connected");
    await ring(page, { from: "+15550123", fromName: "Second" });
    const waiting = panel.getByRole("article", { name: "Incoming call Second" });
    await expect.poll(() => waiting.getAttribute("data-state")).toBe("ringing");
    expect(await panel.locator("article.call").count()).toBe(2);
    // No plain Answer over a connected call: the panel offers to hold it first.
    expect((await waiting.getByRole("button").allTextContents()).map((t) => t.trim())).toEqual(["Hold and answer", "Reject"]);
    await waiting.getByRole("button", { name: "Reject Second" }).click();
    await expect.poll(() => panel.locator("article.call").count()).toBe(1);
    expect(await panel.getByRole("article", { name: "Inbound call First" }).getAttribute("data-state")).toBe("connected");
  });

  it("hold and answer: holds the connected call, then answers the waiting one once answer is offered", async () => {
    const { page, panel, problems } = await mount();
    await ring(page, { from: "+15550100", fromName: "First" });
    await panel.getByRole("button", { name: "Answer First" }).click();
    const first = panel.getByRole("article", { name: "Inbound call First" });
    await expect.poll(() => first.getAttribute("data-state")).toBe("connected");
    await ring(page, { from: "+15550123", fromName: "Second" });
    const waiting = panel.getByRole("article", { name: "Incoming call Second" });
    await waiting.getByRole("button", { name: "Hold the current call and answer Second" }).waitFor();
    await shot(panel, "hold-and-answer-offered");
    await waiting.getByRole("button", { name: "Hold the current call and answer Second" }).click();
    const second = panel.getByRole("article", { name: "Inbound call Second" });
    await expect.poll(() => second.getAttribute("data-state")).toBe("connected");
    expect(await first.getAttribute("data-state")).toBe("held");
    // In that order on the wire: hold the first, then answer the second.
    const ops = await page.evaluate(() => window.t.server.requests.map((r) => `${r.op}:${typeof r.args.callId === "string" ? r.args.callId : ""}`).filter((r) => /^(hold|answer):/.test(r)));
    expect(ops.slice(-2)).toEqual([`hold:${await first.getAttribute("data-call-id")}`, `answer:${await second.getAttribute("data-call-id")}`]);
    await shot(panel, "hold-and-answer-done");
    expect(await panel.locator('[part~="error"]').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it("without call waiting, a ringing call over a live one offers no dead Answer and no Hold and answer", async () => {
    const caps: Capability[] = ["agentState", "answer", "reject", "hangup", "hold"];
    const { page, panel } = await mount({ capabilities: caps });
    await ring(page, { from: "+15550100", fromName: "First" });
    await panel.getByRole("button", { name: "Answer First" }).click();
    await expect.poll(() => panel.getByRole("article", { name: "Inbound call First" }).getAttribute("data-state")).toBe("connected");
    await ring(page, { from: "+15550123", fromName: "Second" });
    const waiting = panel.getByRole("article", { name: "Incoming call Second" });
    await waiting.waitFor();
    expect((await waiting.getByRole("button").allTextContents()).map((t) => t.trim())).toEqual(["Reject"]);
  });

  it("says how a call ended, with the vendor's reason, in words and as text", async () => {
    const { page, panel, problems } = await mount({ sim: { farEnds: { "+15550166": "busy" } } });
    await panel.getByLabel("Number").fill("+1 555 0166");
    await panel.getByRole("button", { name: "Call", exact: true }).click();
    const recent = panel.getByRole("region", { name: "Recent calls" });
    await expect.poll(() => recent.locator('[part~="outcome"]').first().textContent().catch(() => "")).toMatch(/\+15550166\s+Busy: User busy \(17\)/);
    await expect.poll(() => panel.getByRole("status").first().textContent()).toBe("Call with +15550166 ended. Busy: User busy (17)");
    // A vendor's message with markup in it is shown as text, never parsed (core refuses a vendorCode that is not a code).
    const evil = `<img src=x onerror="window.__xss=3">`;
    const id = await ring(page, { from: "+15550100", fromName: "Grace" });
    await panel.getByRole("article", { name: "Incoming call Grace" }).waitFor();
    await page.evaluate(
      ({ id, evil }) => window.t.ctx!.upsertCall({ id, state: "ended", endReason: "failed", failure: { code: "VENDOR_ERROR", vendorCode: "500", message: `${evil} <b>bold</b>` } }),
      { id, evil },
    );
    await expect.poll(() => recent.locator('[part~="outcome"]').first().textContent()).toBe(`Grace Call failed: ${evil} <b>bold</b> (500)`);
    expect(await page.evaluate(() => ({ parsed: window.t.el.shadowRoot!.querySelectorAll("img, b").length, xss: (window as unknown as { __xss?: number }).__xss }))).toEqual({ parsed: 0, xss: undefined });
    await shot(panel, "recent-calls-outcomes");
    await recent.getByRole("button", { name: "Clear recent calls" }).click();
    expect(await recent.count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it("rings: a tone through Web Audio, a title flash while the tab is hidden, a desktop notification that focuses the tab", async () => {
    const { page, panel, problems } = await mount({ login: false });
    // The page's audio and Notification hooks: what the panel plays and shows, observed (the tone is real Web Audio).
    await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      const log = { tones: [] as number[], notes: [] as { title: string; body: string; closed: boolean; onclick?: () => void }[], asked: 0, focused: 0, hidden: false };
      w.__alerts = log;
      const Real = window.AudioContext;
      window.AudioContext = class extends Real {
        override createOscillator(): OscillatorNode {
          const osc = super.createOscillator();
          const start = osc.start.bind(osc);
          osc.start = (when?: number) => {
            if (this.state === "running") log.tones.push(osc.frequency.value);
            start(when);
          };
          return osc;
        }
      };
      class FakeNotification {
        static permission: NotificationPermission = "default";
        static requestPermission(): Promise<NotificationPermission> {
          log.asked++;
          FakeNotification.permission = "granted";
          return Promise.resolve("granted");
        }
        onclick: (() => void) | undefined;
        readonly note: (typeof log.notes)[number];
        constructor(title: string, options: NotificationOptions) {
          this.note = { title, body: options.body ?? "", closed: false };
          log.notes.push(this.note);
          Object.defineProperty(this.note, "onclick", { get: () => this.onclick });
        }
        close(): void {
          this.note.closed = true;
        }
      }
      w.Notification = FakeNotification;
      window.focus = () => void log.focused++;
      Object.defineProperty(document, "visibilityState", { get: () => (log.hidden ? "hidden" : "visible") });
      document.title = "Acme CRM";
      window.t.el.alerts = "tone title notification";
    });
    type Seen = { tones: number[]; notes: { title: string; body: string; closed: boolean }[]; asked: number; focused: number };
    // A plain copy (the notes' onclick getters stay behind).
    const alerts = (): Promise<Seen> => page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { __alerts: object }).__alerts)) as Seen);
    // Logging in is the user gesture that unlocks audio; the permission is asked from the panel's own button.
    await panel.getByRole("button", { name: "Log in" }).click();
    await panel.getByRole("button", { name: "Turn on desktop notifications" }).click();
    await expect.poll(() => panel.getByRole("button", { name: "Turn on desktop notifications" }).count()).toBe(0);
    expect((await alerts()).asked).toBe(1);
    // The agent is in another tab when the call comes.
    await page.evaluate(() => {
      (window as unknown as { __alerts: { hidden: boolean } }).__alerts.hidden = true;
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await ring(page, { from: "+15550100", fromName: "Ada Lovelace" });
    await expect.poll(async () => (await alerts()).tones).toEqual([440, 480]);
    await expect.poll(() => page.title()).toBe("Incoming call: Ada Lovelace");
    await expect.poll(() => page.title()).toBe("Acme CRM");
    await expect.poll(() => page.title()).toBe("Incoming call: Ada Lovelace");
    expect((await alerts()).notes).toEqual([{ title: "Incoming call", body: "Ada Lovelace", closed: false }]);
    // The ring repeats (2 s on, 4 s off) until the call is answered.
    await expect.poll(async () => (await alerts()).tones.length, { timeout: 9000 }).toBeGreaterThanOrEqual(4);
    // Clicking the notification brings the agent back to the tab.
    await page.evaluate(() => (window as unknown as { __alerts: { notes: { onclick: () => void }[] } }).__alerts.notes[0]!.onclick());
    expect((await alerts()).focused).toBe(1);
    await page.evaluate(() => {
      (window as unknown as { __alerts: { hidden: boolean } }).__alerts.hidden = false;
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await expect.poll(() => page.title()).toBe("Acme CRM");
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    await expect.poll(() => panel.locator("article.call").getAttribute("data-state")).toBe("connected");
    expect((await alerts()).notes[0]!.closed).toBe(true);
    // Answered: no more rings (one more period passes in silence).
    const rung = (await alerts()).tones.length;
    await page.waitForTimeout(6500);
    expect((await alerts()).tones.length).toBe(rung);
    expect(await page.title()).toBe("Acme CRM");
    expect(problems).toEqual([]);
  });

  it("stops ringing when the link drops or the desktop is destroyed, and rings again after the panel is moved in the page", async () => {
    const { page, panel, problems } = await mount({ login: false });
    await page.evaluate(() => {
      const w = window as unknown as { __tones: number; __hidden: boolean };
      w.__tones = 0;
      w.__hidden = true;
      const Real = window.AudioContext;
      window.AudioContext = class extends Real {
        override createOscillator(): OscillatorNode {
          w.__tones++;
          return super.createOscillator();
        }
      };
      Object.defineProperty(document, "visibilityState", { get: () => (w.__hidden ? "hidden" : "visible") });
      document.title = "Acme CRM";
    });
    const tones = (): Promise<number> => page.evaluate(() => (window as unknown as { __tones: number }).__tones);
    await panel.getByRole("button", { name: "Log in" }).click();
    await ring(page, { from: "+15550100", fromName: "Ada Lovelace" });
    await expect.poll(() => page.title()).toBe("Incoming call: Ada Lovelace");
    // Moved in the page (removed and appended): the call still rings.
    await page.evaluate(() => {
      const el = window.t.el;
      el.remove();
      document.body.append(el);
    });
    await expect.poll(() => page.title()).toBe("Incoming call: Ada Lovelace");
    await expect.poll(tones).toBeGreaterThanOrEqual(4);
    // The link drops: nobody can answer, so nothing rings; the title is the page's again.
    await page.evaluate(() => window.t.server.dropLink());
    await expect.poll(() => panel.locator('[part~="link"]').getAttribute("data-link")).not.toBe("connected");
    await expect.poll(() => page.title()).toBe("Acme CRM");
    const afterDrop = await tones();
    await page.waitForTimeout(6500);
    expect(await tones()).toBe(afterDrop);
    expect(await page.title()).toBe("Acme CRM");
    // Back: it rings again (the call is still offered), until the desktop is destroyed.
    await page.evaluate(() => window.t.server.restoreLink());
    await expect.poll(() => page.title()).toBe("Incoming call: Ada Lovelace");
    // A title the host sets meanwhile is kept.
    await page.evaluate(() => (document.title = "Ada's case - Acme CRM"));
    await page.evaluate(() => window.t.desktop.destroy());
    await expect.poll(() => page.title()).toBe("Ada's case - Acme CRM");
    await page.waitForTimeout(1500);
    expect(await page.title()).toBe("Ada's case - Acme CRM");
    expect(problems).toEqual([]);
  });

  it("rings silently when the host turns the alerts off", async () => {
    const { page, panel } = await mount({ login: false });
    await page.evaluate(() => {
      const w = window as unknown as { __tones: number; __notes: number };
      w.__tones = 0;
      w.__notes = 0;
      const Real = window.AudioContext;
      window.AudioContext = class extends Real {
        override createOscillator(): OscillatorNode {
          w.__tones++;
          return super.createOscillator();
        }
      };
      (window as unknown as { Notification: unknown }).Notification = class {
        static permission = "granted";
        constructor() {
          w.__notes++;
        }
      };
      Object.defineProperty(document, "visibilityState", { get: () => "hidden" });
      document.title = "Acme CRM";
      window.t.el.alerts = "";
    });
    await panel.getByRole("button", { name: "Log in" }).click();
    await ring(page, { from: "+15550100", fromName: "Ada Lovelace" });
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).waitFor();
    await page.waitForTimeout(1500);
    expect(await page.evaluate(() => [(window as unknown as { __tones: number }).__tones, (window as unknown as { __notes: number }).__notes, document.title])).toEqual([0, 0, "Acme CRM"]);
    expect(await panel.getByRole("button", { name: "Turn on desktop notifications" }).count()).toBe(0);
  });

  it("leaves a notice for a call that did not happen, with its reason and a call back, and keeps recent calls with redial", async () => {
    const { page, panel, problems } = await mount({ sim: { farEnds: { "+15550166": "busy" } } });
    // A caller who gives up before the agent answers.
    const missed = await ring(page, { from: "+15550100", fromName: "Ada Lovelace" });
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).waitFor();
    await page.evaluate((id) => window.t.server.abandon(id), missed);
    const notice = panel.locator('[part~="call-notice"]');
    await expect.poll(() => notice.count()).toBe(1);
    expect(await notice.getAttribute("data-end-reason")).toBe("abandoned");
    expect(await notice.textContent()).toContain("Call from Ada Lovelace");
    expect(await notice.textContent()).toContain("The caller hung up before it was answered");
    // An outbound call to a busy number.
    await panel.getByLabel("Number").fill("+1 555 0166");
    await panel.getByRole("button", { name: "Call", exact: true }).click();
    await expect.poll(() => notice.count()).toBe(2);
    expect(await notice.first().textContent()).toContain("Call to +15550166");
    expect(await notice.first().textContent()).toContain("Busy");
    // A call that connected and ended normally: in Recent calls, no notice.
    await ring(page, { from: "+15550123", fromName: "Grace Hopper" });
    await panel.getByRole("button", { name: "Answer Grace Hopper" }).click();
    const card = panel.getByRole("article", { name: "Inbound call Grace Hopper" });
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    await page.waitForTimeout(1100);
    await card.getByRole("button", { name: "Hang up Grace Hopper" }).click();
    await card.getByRole("button", { name: "Done" }).click();
    const recent = panel.getByRole("region", { name: "Recent calls" }).locator('[part~="recent-call"]');
    await expect.poll(() => recent.count()).toBe(3);
    expect(await notice.count()).toBe(2);
    expect(await recent.evaluateAll((items) => items.map((li) => [li.getAttribute("data-direction"), li.getAttribute("data-end-reason")]))).toEqual([
      ["inbound", "local_hangup"],
      ["outbound", "busy"],
      ["inbound", "abandoned"],
    ]);
    expect(await recent.first().locator('[part~="recent-details"]').textContent()).toMatch(/^Inbound · \d\d:\d\d( [AP]M)? · talked 0:0[1-9]$/);
    expect(await recent.nth(2).locator('[part~="recent-details"]').textContent()).toMatch(/· not connected$/);
    await shot(panel, "call-notices-and-recent-calls");
    // Call back from the notice: dials the caller's number, and the notice goes.
    await notice.last().getByRole("button", { name: "Call back Ada Lovelace" }).click();
    await expect.poll(() => page.evaluate(() => window.t.desktop.snapshot().calls.map((c) => [c.direction, c.to]))).toEqual([["outbound", "+15550100"]]);
    await expect.poll(() => notice.count()).toBe(1);
    await panel.locator("article.call").getByRole("button", { name: /^Hang up/ }).click();
    await panel.locator("article.call").getByRole("button", { name: "Done" }).click();
    // Redial from Recent calls; Dismiss removes a notice.
    await panel.getByRole("button", { name: "Dismiss the notice about +15550166" }).click();
    await expect.poll(() => notice.count()).toBe(0);
    await recent.filter({ hasText: "Grace Hopper" }).getByRole("button", { name: "Redial Grace Hopper" }).click();
    await expect.poll(() => page.evaluate(() => window.t.desktop.snapshot().calls.map((c) => c.to))).toEqual(["+15550123"]);
    expect(problems).toEqual([]);
  });

  it("shows at a glance: a hold timer, an unmistakable mute, the attached data after answering, and whom a consult calls", async () => {
    const { page, panel } = await mount({ sim: { farEnds: { "+15550142": "answer" } } });
    await ring(page, { from: "+15550100", fromName: "Ada Lovelace", data: { customerId: "C-1" } });
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    const card = panel.getByRole("article", { name: "Inbound call Ada Lovelace" });
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    // The data stays on the card after answering.
    expect(await card.getByLabel("Call data").textContent()).toMatch(/customerId\s*C-1/);
    await card.getByRole("button", { name: "Mute Ada Lovelace" }).click();
    await expect.poll(() => card.locator('[part~="muted"]').textContent().catch(() => "")).toBe("Muted: the other side cannot hear you");
    await card.getByRole("button", { name: "Unmute Ada Lovelace" }).click();
    await expect.poll(() => card.locator('[part~="muted"]').count()).toBe(0);
    await card.getByRole("button", { name: "Hold Ada Lovelace" }).click();
    const holdTimer = card.locator('[part~="hold-timer"]');
    await expect.poll(() => holdTimer.textContent().catch(() => "")).toMatch(/^On hold 0:0\d$/);
    await expect.poll(() => holdTimer.textContent()).toMatch(/^On hold 0:0[1-9]$/);
    await card.getByRole("button", { name: "Resume Ada Lovelace" }).click();
    await expect.poll(() => holdTimer.count()).toBe(0);
    // A consult leg says whom it calls.
    await card.getByRole("button", { name: "Transfer" }).click();
    await card.getByLabel("Transfer to").fill("+15550142");
    await card.getByRole("button", { name: "Consult" }).click();
    const leg = panel.getByRole("article", { name: "Consult call +15550142" });
    await expect.poll(() => leg.locator(".call-title").textContent().catch(() => "")).toBe("Consult with +15550142");
    await expect.poll(() => card.locator('[part~="hold-timer"]').count()).toBe(1);
    await shot(panel, "at-a-glance-hold-timer-consult");
  });

  it("shortcuts: a held key acts once, and a combination that types a character in the panel's text fields types it", async () => {
    const { page, panel } = await mount();
    await ring(page, { from: "+15550100", fromName: "Ada" });
    await panel.getByRole("button", { name: "Answer Ada" }).click();
    const live = panel.getByRole("article", { name: "Inbound call Ada" });
    await expect.poll(() => live.getAttribute("data-state")).toBe("connected");
    const press = (init: { key: string; code: string; repeat?: boolean }, selector: string): Promise<void> =>
      page.evaluate(
        ({ init, selector }) => {
          const target = window.t.el.shadowRoot!.querySelector<HTMLElement>(selector)!;
          target.focus();
          target.dispatchEvent(new KeyboardEvent("keydown", { altKey: true, shiftKey: true, bubbles: true, composed: true, cancelable: true, ...init }));
        },
        { init, selector },
      );
    // Auto-repeat of a held Alt+Shift+M: ignored.
    await press({ key: "M", code: "KeyM", repeat: true }, "#dial");
    // macOS's Option+Shift+O types "Ø" in the dial field: a character, not a hold.
    await press({ key: "Ø", code: "KeyO" }, "#dial");
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => window.t.desktop.snapshot().calls[0]!.muted)).toBe(false);
    expect(await live.getAttribute("data-state")).toBe("connected");
    // The same key on a button (no text to type): matched by its position, it holds.
    await press({ key: "Ø", code: "KeyO" }, "button");
    await expect.poll(() => live.getAttribute("data-state")).toBe("held");
    // AZERTY: the key that types A is KeyQ; the letter wins.
    await ring(page, { from: "+15550123", fromName: "Grace" });
    await panel.getByRole("article", { name: "Incoming call Grace" }).waitFor();
    await press({ key: "A", code: "KeyQ" }, "button");
    await expect.poll(() => panel.getByRole("article", { name: "Inbound call Grace" }).getAttribute("data-state").catch(() => null)).toBe("connected");
  });

  it("a Redial button keeps its number when another call ends, and a new desktop starts with no notices or recent calls", async () => {
    const { page, panel } = await mount();
    for (const [from, fromName] of [["+15550101", "One"], ["+15550102", "Two"]]) {
      await ring(page, { from: from!, fromName: fromName! });
      await panel.getByRole("button", { name: `Reject ${fromName}` }).click();
      await expect.poll(() => panel.locator("article.call").count()).toBe(0);
    }
    const redialOne = panel.getByRole("button", { name: "Redial One" });
    await redialOne.focus();
    // Another call ends while the agent's focus stays on Redial One (rejected through the API, not a click).
    const third = await ring(page, { from: "+15550103", fromName: "Three" });
    await panel.getByRole("button", { name: "Reject Three" }).waitFor();
    await page.evaluate((id) => window.t.desktop.reject(id), third);
    await expect.poll(() => panel.locator('[part~="recent-call"]').count()).toBe(3);
    // The focused button is still One's.
    expect(await page.evaluate(() => {
      const focused = window.t.el.shadowRoot!.activeElement;
      return [focused?.getAttribute("aria-label"), focused?.getAttribute("data-number")];
    })).toEqual(["Redial One", "+15550101"]);
    // A missed call leaves a notice; a new desktop (its ids may repeat) starts clean.
    const missed = await ring(page, { from: "+15550104", fromName: "Four" });
    await panel.getByRole("button", { name: "Answer Four" }).waitFor();
    await page.evaluate((id) => window.t.server.abandon(id), missed);
    await expect.poll(() => panel.locator('[part~="call-notice"]').count()).toBe(1);
    await page.evaluate(() => {
      const { server, connector } = window.fixture.createSimulator({ latencyMs: 5 });
      window.t.el.desktop = window.fixture.createDesktop({ connector });
      (window as unknown as { server2: unknown }).server2 = server;
    });
    await expect.poll(() => panel.locator('[part~="recent-call"], [part~="call-notice"]').count()).toBe(0);
  });

  it("a panel attached to a desktop with a held call shows its hold timer from when it was held", async () => {
    const { page, panel } = await mount();
    await ring(page, { from: "+15550100", fromName: "Ada" });
    await panel.getByRole("button", { name: "Answer Ada" }).click();
    await panel.getByRole("button", { name: "Hold Ada" }).click();
    await expect.poll(() => panel.locator('[part~="hold-timer"]').count()).toBe(1);
    await page.waitForTimeout(2100);
    // A second panel on the same desktop, attached now.
    await page.evaluate(() => {
      const second = document.createElement("opencti-call-control-panel");
      second.id = "second";
      second.desktop = window.t.desktop;
      document.body.append(second);
    });
    await expect.poll(() => page.locator("#second").locator('[part~="hold-timer"]').textContent().catch(() => "")).toMatch(/^On hold 0:0[2-9]$/);
  });

  it("keyboard shortcuts answer, hold, mute and hang up while focus is in the panel, and never take the host page's keys", async () => {
    const { page, panel } = await mount();
    await page.evaluate(() => {
      const input = document.createElement("input");
      input.id = "crm-field";
      document.body.prepend(input);
    });
    await ring(page, { from: "+15550100", fromName: "Ada" });
    const card = panel.getByRole("article", { name: "Incoming call Ada" });
    await card.waitFor();
    expect(await card.getByRole("button", { name: "Answer Ada" }).getAttribute("aria-keyshortcuts")).toBe("Alt+Shift+A");
    // Focus in the host page: the panel leaves the keys alone.
    await page.locator("#crm-field").focus();
    await page.keyboard.press("Alt+Shift+A");
    await page.waitForTimeout(300);
    expect(await card.getAttribute("data-state")).toBe("ringing");
    // Focus in the panel: they work.
    await panel.getByRole("button", { name: "Log out" }).focus();
    await page.keyboard.press("Alt+Shift+A");
    const live = panel.getByRole("article", { name: "Inbound call Ada" });
    await expect.poll(() => live.getAttribute("data-state")).toBe("connected");
    await page.keyboard.press("Alt+Shift+M");
    await expect.poll(() => page.evaluate(() => window.t.desktop.snapshot().calls[0]!.muted)).toBe(true);
    // Changes made without looking are spoken.
    await expect.poll(() => panel.getByRole("status").first().textContent()).toBe("Muted: Ada");
    await page.keyboard.press("Alt+Shift+M");
    await expect.poll(() => page.evaluate(() => window.t.desktop.snapshot().calls[0]!.muted)).toBe(false);
    await page.keyboard.press("Alt+Shift+O");
    await expect.poll(() => live.getAttribute("data-state")).toBe("held");
    await expect.poll(() => panel.getByRole("status").first().textContent()).toBe("On hold: Ada");
    await page.keyboard.press("Alt+Shift+O");
    await expect.poll(() => live.getAttribute("data-state")).toBe("connected");
    await page.keyboard.press("Alt+Shift+H");
    await expect.poll(() => live.getAttribute("data-state")).toBe("wrapup");
    // shortcuts="off": nothing.
    await page.evaluate(() => window.t.el.setAttribute("shortcuts", "off"));
    await live.getByRole("button", { name: "Done" }).click();
    await ring(page, { from: "+15550123", fromName: "Grace" });
    const second = panel.getByRole("article", { name: "Incoming call Grace" });
    await second.getByRole("button", { name: "Answer Grace" }).focus();
    expect(await second.getByRole("button", { name: "Answer Grace" }).getAttribute("aria-keyshortcuts")).toBeNull();
    await page.keyboard.press("Alt+Shift+A");
    await page.waitForTimeout(300);
    expect(await second.getAttribute("data-state")).toBe("ringing");
  });

  it("has no serious or critical axe-core violations in any state: logged out, idle, audio devices, ringing, connected, held, consult, wrap-up, error, notices, recording paused with a supervisor, monitoring", async () => {
    const { page, panel } = await mount({
      login: false,
      sim: { farEnds: { "+15550142": "answer", "+15550166": "busy" } },
      directory: [{ id: "q", label: "Billing queue", kind: "queue", destination: "Billing queue" }],
    });
    await page.addScriptTag({ content: AXE });
    // Each state in the light and the dark theme.
    const audit = async (state: string): Promise<{ state: string; violations: string[] }> => ({
      state,
      violations: await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(el: Element, o: object): Promise<{ violations: { id: string; impact?: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> } }).axe;
        const el = document.querySelector("opencti-call-control-panel")!;
        const found: string[] = [];
        for (const theme of ["light", "dark"]) {
          el.setAttribute("theme", theme);
          const result = await axe.run(el, { resultTypes: ["violations"] });
          for (const v of result.violations)
            if (v.impact === "serious" || v.impact === "critical") for (const n of v.nodes) found.push(`${theme}: ${v.id} (${v.impact}) ${JSON.stringify(n.target)}: ${n.failureSummary ?? ""}`);
        }
        el.removeAttribute("theme");
        return found;
      }),
    });
    const results = [await audit("logged out")];
    await panel.getByRole("button", { name: "Log in" }).click();
    await panel.getByRole("button", { name: "Log out" }).waitFor();
    results.push(await audit("idle"));
    await panel.getByRole("button", { name: "Audio devices" }).click();
    await panel.getByLabel("Ringer", { exact: true }).waitFor();
    results.push(await audit("audio devices view"));
    await panel.getByRole("button", { name: "Audio devices" }).click();
    await ring(page, { from: "+15550100", fromName: "Ada Lovelace", queue: "Billing", data: { customerId: "C-1" } });
    const card = panel.getByRole("article", { name: "Incoming call Ada Lovelace" });
    await card.waitFor();
    results.push(await audit("ringing"));
    await card.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    const live = panel.getByRole("article", { name: "Inbound call Ada Lovelace" });
    await expect.poll(() => live.getAttribute("data-state")).toBe("connected");
    await live.getByRole("button", { name: "Mute Ada Lovelace" }).click();
    await live.getByRole("button", { name: "Keypad" }).click();
    await live.locator('[part~="muted"]').waitFor();
    results.push(await audit("connected, muted, keypad open"));
    await live.getByRole("button", { name: "Unmute Ada Lovelace" }).click();
    await live.getByRole("button", { name: "Hold Ada Lovelace" }).click();
    await live.locator('[part~="hold-timer"]').waitFor();
    results.push(await audit("held"));
    await live.getByRole("button", { name: "Resume Ada Lovelace" }).click();
    await expect.poll(() => live.getAttribute("data-state")).toBe("connected");
    await live.getByRole("button", { name: "Transfer" }).click();
    await live.getByLabel("Transfer to").fill("a<b");
    await live.getByRole("button", { name: "Consult" }).click();
    await live.locator(".field-error").filter({ hasText: "Enter a phone number" }).waitFor();
    results.push(await audit("transfer drawer with a field error"));
    await live.getByLabel("Transfer to").fill("+15550142");
    await live.getByRole("button", { name: "Consult" }).click();
    await expect.poll(() => panel.getByRole("article", { name: "Consult call +15550142" }).getAttribute("data-state").catch(() => null)).toBe("connected");
    results.push(await audit("consult"));
    await panel.getByRole("article", { name: "Consult call +15550142" }).getByRole("button", { name: /^Hang up/ }).click();
    await panel.getByRole("article", { name: "Consult call +15550142" }).getByRole("button", { name: "Done" }).click();
    await live.getByRole("button", { name: "Swap Ada Lovelace" }).or(live.getByRole("button", { name: "Resume Ada Lovelace" })).click();
    await expect.poll(() => live.getAttribute("data-state")).toBe("connected");
    await live.getByRole("button", { name: "Hang up Ada Lovelace" }).click();
    await expect.poll(() => live.getAttribute("data-state")).toBe("wrapup");
    results.push(await audit("wrap-up"));
    await live.getByRole("button", { name: "Done" }).click();
    await page.evaluate(() => window.t.server.failNext("setState", { code: "VENDOR_ERROR", message: "State service unavailable" }));
    await panel.getByLabel("Status").selectOption("lunch");
    await panel.locator('[part~="error"]').waitFor();
    results.push(await audit("error"));
    const missed = await ring(page, { from: "+15550123", fromName: "Grace Hopper" });
    await panel.getByRole("button", { name: "Answer Grace Hopper" }).waitFor();
    await page.evaluate((id) => window.t.server.abandon(id), missed);
    await panel.locator('[part~="call-notice"]').waitFor();
    results.push(await audit("call notice and recent calls"));
    const recorded = await ring(page, { from: "+15550177", fromName: "Alan Turing" });
    await panel.getByRole("button", { name: "Answer Alan Turing" }).click();
    await panel.getByRole("button", { name: "Pause recording Alan Turing" }).click();
    await panel.locator('[part~="recording"][data-recording="paused"]').waitFor();
    await page.evaluate((id) => window.t.server.supervise(id, "coach"), recorded);
    await panel.locator('[part~="supervisor"]').waitFor();
    results.push(await audit("recording paused, a supervisor coaching"));
    await panel.getByRole("button", { name: "Hang up Alan Turing" }).click();
    await panel.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => page.evaluate(() => window.t.desktop.snapshot().calls.length)).toBe(0);
    await page.evaluate(() => window.t.desktop.monitor(window.t.server.startFloorCall({ agentId: "agent-7", from: "+15550100" }), "whisper"));
    await panel.locator('[part~="monitor-modes"]').waitFor();
    results.push(await audit("monitoring session"));
    expect(results).toEqual(results.map(({ state }) => ({ state, violations: [] })));
  });

  it("follows the system's dark mode, and the theme attribute forces either palette", async () => {
    const { page, panel } = await mount();
    const background = (): Promise<string> => panel.evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await background()).toBe("rgb(255, 255, 255)");
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(background).toBe("rgb(13, 17, 23)");
    await ring(page, { from: "+15550100", fromName: "Ada Lovelace", queue: "Billing", data: { customerId: "C-1" } });
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).waitFor();
    await shot(panel, "theme-dark-ringing");
    await page.evaluate(() => window.t.el.setAttribute("theme", "light"));
    await expect.poll(background).toBe("rgb(255, 255, 255)");
    await page.emulateMedia({ colorScheme: "light" });
    await page.evaluate(() => {
      window.t.el.theme = "dark";
    });
    await expect.poll(background).toBe("rgb(13, 17, 23)");
    expect(await panel.getAttribute("theme")).toBe("dark");
    // A host's own colour still wins over either palette.
    await page.evaluate(() => window.t.el.style.setProperty("--opencti-background", "rgb(1, 2, 3)"));
    await expect.poll(background).toBe("rgb(1, 2, 3)");
  });

  it("speaks the agent's language: German and Spanish catalogs, switched live, the page's lang as default, and a host's own strings", async () => {
    const { page, panel, problems } = await mount({ login: false });
    await page.evaluate(() => {
      const { registerLocale, de, es } = window.fixture.panel;
      registerLocale("de", de);
      registerLocale("es", es);
      window.t.el.locale = "de";
    });
    await panel.getByRole("button", { name: "Anmelden" }).click();
    await panel.getByRole("button", { name: "Abmelden" }).waitFor();
    expect(await panel.locator("h2").textContent()).toBe("Telefon");
    expect(await panel.locator("[lang]").first().getAttribute("lang")).toBe("de");
    await ring(page, { from: "+15550100", fromName: "Ada Lovelace", queue: "Billing", data: { customerId: "C-1" } });
    const card = panel.getByRole("article", { name: "Eingehender Anruf Ada Lovelace" });
    await card.waitFor();
    await expect.poll(() => panel.getByRole("status").first().textContent()).toBe("Eingehender Anruf von Ada Lovelace, Warteschlange Billing");
    await card.getByRole("button", { name: "Annehmen: Ada Lovelace" }).click();
    // (Its accessible name follows the language: found by class from here on.)
    const live = panel.locator("article.call");
    await expect.poll(() => live.getAttribute("data-state")).toBe("connected");
    await live.getByRole("button", { name: "Stumm: Ada Lovelace" }).click();
    await expect.poll(() => live.locator('[part~="muted"]').textContent().catch(() => "")).toBe("Stumm: die Gegenseite hört Sie nicht");
    expect(await live.locator('[part~="call-state"]').textContent()).toMatch(/^Verbunden · 0:0\d$/);
    await shot(panel, "locale-de-on-call");
    // Switched live: the same call, now in Spanish.
    await page.evaluate(() => {
      window.t.el.locale = "es";
    });
    await expect.poll(() => live.getByRole("button", { name: "Activar micrófono: Ada Lovelace" }).count()).toBe(1);
    expect(await live.getAttribute("aria-label")).toBe("Llamada entrante Ada Lovelace");
    expect(await panel.locator("h2").textContent()).toBe("Teléfono");
    await live.getByRole("button", { name: "Colgar: Ada Lovelace" }).click();
    await expect.poll(() => live.locator('[part~="outcome"]').textContent().catch(() => "")).toBe("Usted colgó");
    expect(await live.getByLabel("Resultado").locator("option").first().textContent()).toBe("Sin resultado");
    await shot(panel, "locale-es-wrap-up");
    await live.getByRole("button", { name: "Hecho" }).click();
    await expect.poll(() => panel.getByRole("region", { name: "Llamadas recientes" }).locator('[part~="recent-details"]').textContent().catch(() => "")).toMatch(/^Entrante · \d\d:\d\d · duración 0:0\d$/);
    // A request refused by core: the panel's words around core's (English) message.
    await page.evaluate(() => window.t.server.failNext("setState", { code: "VENDOR_ERROR", message: "State service unavailable" }));
    await panel.getByLabel("Estado").selectOption("lunch");
    await expect.poll(() => panel.locator('[part~="error"] span').textContent().catch(() => "")).toBe("No se pudo cambiar su estado: State service unavailable Inténtelo de nuevo.");
    // No locale: the nearest lang, followed when it changes ("de-AT" finds German).
    await page.evaluate(() => {
      window.t.el.locale = undefined;
    });
    await expect.poll(() => panel.locator("h2").textContent()).toBe("Phone");
    await page.evaluate(() => document.documentElement.setAttribute("lang", "de-AT"));
    await expect.poll(() => panel.locator("h2").textContent()).toBe("Telefon");
    // A catalog registered while the panel shows: taken at once.
    await page.evaluate(() => window.fixture.panel.registerLocale("de", { phone: "Softphone" }));
    await expect.poll(() => panel.locator("h2").textContent()).toBe("Softphone");
    await page.evaluate(() => document.documentElement.setAttribute("lang", "en"));
    // A host's own language: what it leaves out stays English.
    await page.evaluate(() => {
      window.fixture.panel.registerLocale("fr", { logOut: "Se déconnecter", agentState: { busy: "En communication" } });
      window.t.el.locale = "fr-CA";
    });
    await expect.poll(() => panel.getByRole("button", { name: "Se déconnecter" }).count()).toBe(1);
    expect(await panel.locator("h2").textContent()).toBe("Phone");
    expect(await panel.locator("[lang]").first().getAttribute("lang")).toBe("fr");
    expect(problems).toEqual([]);
  });

  it("formats numbers for people with libphonenumber-js when the host asks, keeping the raw value in data attributes and events", async () => {
    const { page, panel } = await mount();
    await page.evaluate(() => {
      window.t.el.formatNumber = (n) => window.fixture.formatPhoneNumber(n, "GB");
    });
    await ring(page, { from: "+442071838750" });
    const card = panel.locator("article.call");
    await expect.poll(() => card.locator(".call-title").textContent().catch(() => "")).toBe("+44 20 7183 8750");
    expect(await card.getAttribute("aria-label")).toBe("Incoming call +44 20 7183 8750");
    expect(await card.getAttribute("data-from")).toBe("+442071838750");
    expect(await page.evaluate(() => window.t.pops.at(-1)?.ani)).toBe("+442071838750");
    expect(await page.evaluate(() => window.t.desktop.snapshot().calls[0]!.from)).toBe("+442071838750");
    await card.getByRole("button", { name: "Reject +44 20 7183 8750" }).click();
    await expect.poll(() => panel.locator('[part~="recent-call"] .call-title').first().textContent().catch(() => "")).toBe("+44 20 7183 8750");
    // What is not a valid number stays as the vendor sent it; a national one reads the national way.
    for (const [from, shown] of [
      ["+15550100", "+15550100"] as const,
      ["sip:1001@pbx.example.com", "sip:1001@pbx.example.com"],
      ["02071838750", "020 7183 8750"],
    ]) {
      await ring(page, { from });
      await expect.poll(() => panel.locator("article.call .call-title").textContent().catch(() => "")).toBe(shown);
      await panel.locator("article.call").getByRole("button", { name: /^Reject/ }).click();
      await expect.poll(() => panel.locator("article.call").count()).toBe(0);
    }
    // A formatter that throws shows the number as it is.
    await page.evaluate(() => {
      window.t.el.formatNumber = () => {
        throw new Error("broken formatter");
      };
    });
    await ring(page, { from: "+442071838750" });
    await expect.poll(() => panel.locator("article.call .call-title").textContent().catch(() => "")).toBe("+442071838750");
  });

  it("transfer and consult take a pick from the connector's directory, filtered as the agent types; Enter consults, blind transfer is never the default", async () => {
    const directory: DirectoryEntry[] = [
      { id: "q-billing", label: "Billing queue", kind: "queue", destination: "Billing queue" },
      { id: "a-grace", label: "Grace Hopper", kind: "agent", destination: "sip:grace@pbx.example.com" },
      { id: "n-alan", label: "Alan's desk", kind: "number", destination: "+15550142" },
    ];
    const { page, panel, problems } = await mount({ directory });
    await ring(page, { from: "+15550100", fromName: "Ada" });
    await panel.getByRole("button", { name: "Answer Ada" }).click();
    const card = panel.getByRole("article", { name: "Inbound call Ada" });
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    await card.getByRole("button", { name: "Transfer" }).click();
    const list = card.getByRole("list", { name: "Directory" });
    const entries = (): Promise<string[]> => list.locator('[part~="directory-entry"]').allTextContents().then((t) => t.map((x) => x.replace(/\s+/g, " ").trim()));
    expect(await entries()).toEqual(["Billing queue Queue", "Grace Hopper Agent", "Alan's desk Number"]);
    // Typing narrows the list (by label or destination); no match says so.
    await card.getByLabel("Transfer to").fill("gra");
    await expect.poll(entries).toEqual(["Grace Hopper Agent"]);
    await card.getByLabel("Transfer to").fill("zzz");
    await expect.poll(() => list.textContent()).toContain("No match in the directory");
    // Letters matching several entries are a search, not a destination: Enter asks for a pick.
    await card.getByLabel("Transfer to").fill("e");
    await card.getByLabel("Transfer to").press("Enter");
    await expect.poll(() => card.locator(".field-error").textContent()).toBe("Pick an entry from the directory, or type a full number or SIP address.");
    expect(await page.evaluate(() => window.t.server.requests.filter((r) => r.op === "consult").length)).toBe(0);
    await card.getByLabel("Transfer to").fill("bill");
    await list.getByRole("button", { name: /Billing queue/ }).click();
    expect(await card.getByLabel("Transfer to").inputValue()).toBe("Billing queue");
    expect(await list.getByRole("button", { name: /Billing queue/ }).getAttribute("aria-pressed")).toBe("true");
    await shot(panel, "transfer-directory");
    // The order of the buttons: Consult first (the form's default), then Blind transfer.
    expect((await card.locator('[part~="transfer"] button[type="submit"], [part~="transfer"] .row button').allTextContents()).map((t) => t.trim()).filter((t) => /Consult|Blind/.test(t))).toEqual(["Consult", "Blind transfer"]);
    // Enter in the field consults the picked entry.
    await card.getByLabel("Transfer to").press("Enter");
    await expect.poll(() => page.evaluate(() => window.t.desktop.snapshot().calls.map((c) => [c.direction, c.to ?? null]))).toEqual([
      ["inbound", null],
      ["consult", "Billing queue"],
    ]);
    expect(await page.evaluate(() => window.t.server.requests.filter((r) => r.op === "blindTransfer").length)).toBe(0);
    expect(problems).toEqual([]);
  });

  it("clears a link error (a server it cannot reach) once the link is back, but keeps other errors", async () => {
    const { page, panel } = await mount();
    const error = panel.locator('[part~="error"] span');
    await page.evaluate(() => window.t.server.dropLink());
    await page.evaluate(() => window.t.ctx!.signal({ kind: "error", code: "LINK_DOWN", message: "Cannot reach the SIP server wss://pbx.example.com:8089 (the WebSocket connection failed); retrying every 8 s." }));
    await expect.poll(() => error.textContent().catch(() => "")).toContain("Cannot reach the SIP server");
    await page.evaluate(() => window.t.server.restoreLink());
    await expect.poll(() => panel.locator('[part~="link"]').getAttribute("data-link")).toBe("connected");
    await expect.poll(() => error.count()).toBe(0);
    // Another kind of error stays until dismissed, link or not.
    await page.evaluate(() => window.t.ctx!.signal({ kind: "error", code: "VENDOR_ERROR", message: "The CTI server restarted a call." }));
    await page.evaluate(() => window.t.server.dropLink());
    await page.evaluate(() => window.t.server.restoreLink());
    await expect.poll(() => panel.locator('[part~="link"]').getAttribute("data-link")).toBe("connected");
    expect(await error.textContent()).toBe("The CTI server restarted a call.");
  });

  it("counts down a limited wrap-up, which then ends on its own", async () => {
    const { page, panel } = await mount({ sim: { wrapUpLimitMs: 3000 } });
    await ring(page, { from: "+15550100", fromName: "Ada" });
    await panel.getByRole("button", { name: "Answer Ada" }).click();
    const card = panel.getByRole("article", { name: "Inbound call Ada" });
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    await card.getByRole("button", { name: "Hang up Ada" }).click();
    const countdown = card.locator('[part~="wrapup-countdown"]');
    await expect.poll(() => countdown.textContent().catch(() => "")).toMatch(/^Wrap-up ends in 0:0[23]$/);
    // The last ten seconds read as a warning.
    expect(await countdown.getAttribute("class")).toContain("warn");
    await expect.poll(() => countdown.textContent().catch(() => "")).toMatch(/^Wrap-up ends in 0:0[01]$/);
    await expect.poll(() => panel.locator("article.call").count(), { timeout: 6000 }).toBe(0);
    expect(await page.evaluate(() => window.t.server.requests.some((r) => r.op === "wrapUp"))).toBe(false);
  });

  it("transfer: Enter on letters matching one directory entry consults that entry; without consult, Enter never blind-transfers", async () => {
    const directory: DirectoryEntry[] = [
      { id: "q-billing", label: "Billing queue", kind: "queue", destination: "Billing queue" },
      { id: "q-sales", label: "Sales queue", kind: "queue", destination: "Sales queue" },
    ];
    const { page, panel } = await mount({ directory });
    await ring(page, { from: "+15550100", fromName: "Ada" });
    await panel.getByRole("button", { name: "Answer Ada" }).click();
    const card = panel.getByRole("article", { name: "Inbound call Ada" });
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    await card.getByRole("button", { name: "Transfer" }).click();
    await card.getByLabel("Transfer to").fill("bill");
    await card.getByLabel("Transfer to").press("Enter");
    await expect.poll(() => page.evaluate(() => window.t.server.requests.find((r) => r.op === "consult")?.args)).toMatchObject({ destination: "Billing queue" });

    // A connector that can only blind-transfer: Enter does nothing; the button does it.
    await current?.close();
    const blindOnly = await mount({ directory, capabilities: ["agentState", "answer", "hangup", "blindTransfer"] });
    await ring(blindOnly.page, { from: "+15550100", fromName: "Ada" });
    await blindOnly.panel.getByRole("button", { name: "Answer Ada" }).click();
    const c2 = blindOnly.panel.getByRole("article", { name: "Inbound call Ada" });
    await expect.poll(() => c2.getAttribute("data-state")).toBe("connected");
    await c2.getByRole("button", { name: "Transfer" }).click();
    await c2.getByRole("list", { name: "Directory" }).getByRole("button", { name: /Sales queue/ }).press("Enter");
    await c2.getByLabel("Transfer to").press("Enter");
    await blindOnly.page.waitForTimeout(300);
    expect(await blindOnly.page.evaluate(() => window.t.server.requests.filter((r) => r.op === "blindTransfer").length)).toBe(0);
    await c2.getByRole("button", { name: "Blind transfer" }).click();
    await expect.poll(() => blindOnly.page.evaluate(() => window.t.server.requests.find((r) => r.op === "blindTransfer")?.args)).toMatchObject({ destination: "Sales queue" });
  });

  it("shows a call whose audio is reconnecting, its buttons still working, and clears it when the audio is back", async () => {
    const { page, panel } = await mount();
    const id = await ring(page, { from: "+15550100", fromName: "Ada" });
    await panel.getByRole("button", { name: "Answer Ada" }).click();
    const card = panel.getByRole("article", { name: "Inbound call Ada" });
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    await page.evaluate((callId) => window.t.server.interruptMedia(callId), id);
    const notice = card.locator('[part~="media"]');
    await expect.poll(() => notice.textContent().catch(() => "")).toBe("Reconnecting audio…");
    expect(await notice.getAttribute("role")).toBe("status");
    expect(await card.getAttribute("data-media")).toBe("reconnecting");
    // The link is fine, and the call's requests still go through.
    expect(await panel.locator('[part~="link"]').getAttribute("data-link")).toBe("connected");
    await shot(panel, "media-reconnecting");
    await card.getByRole("button", { name: "Hold Ada" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("held");
    await page.evaluate((callId) => window.t.server.restoreMedia(callId), id);
    await expect.poll(() => notice.count()).toBe(0);
    await card.getByRole("button", { name: "Hang up Ada" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("wrapup");
    expect(await card.locator('[part~="outcome"]').textContent()).toBe("You hung up");
  });

  it("offers only what a limited connector can do", async () => {
    const { page, panel } = await mount({ capabilities: ["answer", "hangup"] });
    // No agentState capability: the state is shown, not offered.
    expect(await panel.getByLabel("Status").count()).toBe(0);
    expect(await panel.locator('[part~="agent"]').textContent()).toContain("Status: Break");
    expect(await panel.getByRole("button", { name: "Call", exact: true }).count()).toBe(0);
    await ring(page, { from: "+15550142" });
    const card = panel.locator("article.call");
    await card.waitFor();
    expect((await card.getByRole("button").allTextContents()).map((s) => s.trim())).toEqual(["Answer"]);
    await card.getByRole("button", { name: "Answer +15550142" }).click();
    await expect.poll(async () => (await card.getByRole("button").allTextContents()).map((s) => s.trim())).toEqual(["Hang up"]);
  });

  it("is keyboard operable and every control has a name", async () => {
    const { page, panel } = await mount();
    await ring(page, { from: "+15550177", fromName: "Katherine" });
    await panel.getByRole("button", { name: "Answer Katherine" }).waitFor();
    const focused = (): Promise<string | null> =>
      page.evaluate(() => {
        let el: Element | null = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        return el?.getAttribute("aria-label") ?? el?.textContent?.trim() ?? null;
      });
    let reached = false;
    for (let i = 0; i < 15 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = (await focused()) === "Answer Katherine";
    }
    expect(reached).toBe(true);
    await page.keyboard.press("Enter");
    await expect.poll(() => panel.locator("article.call").getAttribute("data-state")).toBe("connected");
    const unnamed = await page.evaluate(() => {
      const root = window.t.el.shadowRoot!;
      const controls = [...root.querySelectorAll("button, select, input, textarea")];
      return controls
        .filter((c) => {
          const name = c.getAttribute("aria-label") || (c.id && root.querySelector(`label[for="${c.id}"]`)?.textContent?.trim()) || (c.tagName === "BUTTON" ? c.textContent?.trim() : "");
          return !name;
        })
        .map((c) => c.outerHTML);
    });
    expect(unnamed).toEqual([]);
  });

  it("sends DTMF typed on the keypad, in order, even when pressed quickly", async () => {
    const { page, panel } = await mount();
    const id = await ring(page, { from: "+15550100" });
    const card = panel.locator("article.call");
    await card.getByRole("button", { name: "Answer +15550100" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    await card.getByRole("button", { name: "Keypad" }).click();
    for (const key of ["9", "8", "*", "7", "#"]) await card.getByRole("button", { name: `Send tone ${key}` }).click();
    await expect.poll(() => page.evaluate((callId) => window.t.server.dtmf.get(callId), id)).toBe("98*7#");
    await expect.poll(() => card.textContent()).toContain("Sent: 98*7#");
    // Typing on the keyboard with focus in the keypad sends tones as well.
    await card.getByRole("button", { name: "Send tone 1" }).focus();
    await page.keyboard.type("45#");
    await expect.poll(() => page.evaluate((callId) => window.t.server.dtmf.get(callId), id)).toBe("98*7#45#");
  });

  it("consults, conferences and drops a party", async () => {
    const { page, panel, problems } = await mount();
    await ring(page, { from: "+15550100", fromName: "Ada" });
    const ada = panel.getByRole("article", { name: /Ada$/ });
    await panel.getByRole("button", { name: "Answer Ada" }).click();
    await expect.poll(() => ada.getAttribute("data-state")).toBe("connected");
    await ada.getByRole("button", { name: "Transfer" }).click();
    await ada.getByLabel("Transfer to").fill("+15550199");
    await ada.getByRole("button", { name: "Consult" }).click();
    const consult = panel.getByRole("article", { name: "Consult call +15550199" });
    await expect.poll(() => consult.getAttribute("data-state")).toBe("connected");
    await consult.getByRole("button", { name: "Conference +15550199" }).click();
    await expect.poll(() => consult.count()).toBe(0);
    const parties = ada.getByRole("list", { name: "Parties" });
    await expect.poll(() => parties.locator("li").count()).toBe(2);
    await ada.getByRole("button", { name: "Drop +15550199" }).click();
    await expect.poll(() => ada.getByRole("button", { name: "Drop +15550199" }).count()).toBe(0);
    expect(await ada.getAttribute("data-state")).toBe("connected");
    expect(problems).toEqual([]);
  });

  it("wraps up with the host's dispositions", async () => {
    const { page, panel } = await mount();
    await page.evaluate(() => {
      window.t.el.dispositions = ["Sale", "No sale"];
    });
    const id = await ring(page, { from: "+15550100" });
    const card = panel.locator("article.call");
    await card.getByRole("button", { name: "Answer +15550100" }).click();
    await card.getByRole("button", { name: "Hang up +15550100" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("wrapup");
    // Nothing pre-selected: the agent picks one (or none) on purpose.
    expect(await card.getByLabel("Disposition").locator("option").allTextContents()).toEqual(["No disposition", "Sale", "No sale"]);
    expect(await card.getByLabel("Disposition").inputValue()).toBe("");
    await card.getByLabel("Disposition").selectOption("No sale");
    await card.getByLabel("Notes").fill("Call back Friday");
    const done = page.evaluate(
      (callId) =>
        new Promise((resolve) => {
          const off = window.t.desktop.on("call.ended", (e) => {
            if (e.call.id === callId) {
              off();
              resolve(e.call.wrapUp);
            }
          });
        }),
      id,
    );
    await card.getByRole("button", { name: "Done" }).click();
    expect(await done).toEqual({ disposition: "No sale", notes: "Call back Friday" });
  });

  it("shows request failures and vendor errors inline, and keeps working", async () => {
    const { page, panel } = await mount();
    await page.evaluate(() => window.t.server.failNext("setState", { code: "VENDOR_ERROR", message: "State service unavailable" }));
    await panel.getByLabel("Status").selectOption("available");
    const error = panel.locator('[part~="error"]');
    await expect.poll(() => error.textContent()).toContain("Could not change your state: State service unavailable Try again.");
    await error.getByRole("button", { name: "Dismiss error" }).click();
    expect(await error.count()).toBe(0);
    // A malformed vendor message becomes an error event, shown in words.
    await page.evaluate(() => window.t.server.sendRaw({ type: "call", call: { nonsense: true } }));
    await expect.poll(() => error.textContent()).toContain("cannot read");
    await panel.getByLabel("Status").selectOption("available");
    await expect.poll(() => panel.locator('[part~="time-in-state"]').textContent()).toMatch(/^Available/);
    // A warning (degraded but working) is a quiet notice, not an alert.
    await page.evaluate(() => window.t.ctx!.signal({ kind: "warning", code: "network_quality", message: "The network is dropping audio packets." }));
    await expect.poll(() => panel.locator('[part~="notice"]').textContent()).toBe("The network is dropping audio packets.");
    expect(await panel.locator('[part~="notice"]').getAttribute("role")).toBe("status");
  });

  it("renders caller-supplied markup as text", async () => {
    const { page, panel } = await mount();
    const evil = `<img src=x onerror="window.__xss=1">`;
    await ring(page, { from: "+15550100", fromName: evil, queue: "<b>q</b>", data: { "<i>k</i>": "<script>window.__xss=2</script>" } });
    const card = panel.locator("article.call");
    await expect.poll(() => card.locator(".call-title").textContent()).toBe(evil);
    expect(await card.textContent()).toContain("<script>window.__xss=2</script>");
    const parsed = await page.evaluate(() => ({
      elements: window.t.el.shadowRoot!.querySelectorAll("img, b, i, script").length,
      xss: (window as unknown as { __xss?: number }).__xss,
    }));
    expect(parsed).toEqual({ elements: 0, xss: undefined });
  });

  it("follows a new desktop and lets go of the old one", async () => {
    const { page, panel } = await mount();
    await page.evaluate(() => {
      const { connector } = window.fixture.createSimulator({ latencyMs: 5 });
      const old = window.t;
      window.t = { ...old, desktop: window.fixture.createDesktop({ connector }) };
      old.el.desktop = window.t.desktop;
      // A call on the old desktop must not show up any more.
      old.server.ringInbound({ from: "+15550999" });
    });
    await panel.getByRole("button", { name: "Log in" }).waitFor();
    await page.waitForFunction(() => window.t.desktop.snapshot().link === "connected");
    expect(await panel.locator("article.call").count()).toBe(0);
  });

  it("registers only when asked, once per tag", async () => {
    current = await fixturePage(browser, script);
    const result = await current.page.evaluate(() => {
      const before = customElements.get("opencti-call-control-panel");
      const a = window.fixture.panel.defineCallControlPanel();
      const b = window.fixture.panel.defineCallControlPanel();
      const custom = window.fixture.panel.defineCallControlPanel("acme-phone");
      const el = document.createElement("acme-phone");
      return { before: before === undefined, same: a === b && a === window.fixture.panel.CallControlPanel, custom: el instanceof window.fixture.panel.CallControlPanel && custom !== a };
    });
    expect(result).toEqual({ before: true, same: true, custom: true });
  });
});

describe("<opencti-call-control-panel> recording and supervisors", () => {
  const live = (panel: Locator) => panel.locator("article.call");
  const announced = (panel: Locator) => panel.locator('.sr-only[role="status"]').textContent();

  it("recording: an indicator on the call, Pause and Resume recording named with the caller, each change announced; nothing when off", async () => {
    const { page, panel, problems } = await mount();
    const id = await ring(page, { from: "+15550100", fromName: "Ada Lovelace" });
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    const card = live(panel);
    const indicator = card.locator('[part~="recording"]');
    await expect.poll(() => indicator.textContent().catch(() => "")).toBe("Recording");
    expect(await indicator.getAttribute("data-recording")).toBe("active");
    // Not among the call buttons: its own row, by the indicator.
    expect((await card.locator('[part~="actions"] button').allTextContents()).map((s) => s.trim())).toEqual(["Hold", "Mute", "Hang up", "Keypad", "Transfer"]);
    await shot(panel, "recording-active-light");
    await card.getByRole("button", { name: "Pause recording Ada Lovelace" }).click();
    await expect.poll(() => indicator.textContent()).toBe("Recording paused");
    await expect.poll(() => announced(panel)).toBe("Recording paused: Ada Lovelace");
    expect(await page.evaluate((callId) => window.t.desktop.getCall(callId)?.recording, id)).toBe("paused");
    expect(await card.getByRole("button", { name: "Pause recording Ada Lovelace" }).count()).toBe(0);
    await shot(panel, "recording-paused-light");
    await page.evaluate(() => window.t.el.setAttribute("theme", "dark"));
    await shot(panel, "recording-paused-dark");
    await page.evaluate(() => window.t.el.removeAttribute("theme"));
    // Held: still recorded, still controllable.
    await card.getByRole("button", { name: "Hold Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("held");
    await card.getByRole("button", { name: "Resume recording Ada Lovelace" }).click();
    await expect.poll(() => indicator.textContent()).toBe("Recording");
    await expect.poll(() => announced(panel)).toBe("Recording: Ada Lovelace");
    // Turned off outside the agent's hands: no indicator, no buttons, said once.
    await page.evaluate((callId) => window.t.server.setRecording(callId, "off"), id);
    await expect.poll(() => indicator.count()).toBe(0);
    expect(await card.locator('[part~="recording-controls"]').count()).toBe(0);
    await expect.poll(() => announced(panel)).toBe("Not recorded: Ada Lovelace");
    // A failed pause shows as any failed request does.
    await page.evaluate((callId) => window.t.server.setRecording(callId, "on"), id);
    await page.evaluate(() => window.t.server.failNext("pauseRecording", { code: "VENDOR_ERROR", message: "Recorder unavailable" }));
    await card.getByRole("button", { name: "Pause recording Ada Lovelace" }).click();
    await expect.poll(() => panel.locator('[part~="error"] span').textContent().catch(() => "")).toMatch(/^Could not pause the recording: /);
    expect(problems).toEqual([]);
  });

  it("recording unknown (a vendor that does not say) or off from the start: no indicator, no buttons", async () => {
    const { page, panel } = await mount({ sim: { recording: false } });
    await ring(page, { from: "+15550100", fromName: "Ada" });
    await panel.getByRole("button", { name: "Answer Ada" }).click();
    await expect.poll(() => live(panel).getAttribute("data-state")).toBe("connected");
    expect(await page.evaluate(() => window.t.desktop.snapshot().calls[0]!.recording)).toBe("off");
    expect(await live(panel).locator('[part~="recording-controls"]').count()).toBe(0);
    // Without recordingControl: the indicator, no buttons.
    await current!.close();
    const limited = await mount({ capabilities: ["agentState", "answer", "hangup"] });
    await ring(limited.page, { from: "+15550123", fromName: "Grace" });
    await limited.panel.getByRole("button", { name: "Answer Grace" }).click();
    await expect.poll(() => live(limited.panel).locator('[part~="recording"]').textContent().catch(() => "")).toBe("Recording");
    expect(await live(limited.panel).getByRole("button", { name: /recording/ }).count()).toBe(0);
  });

  it("a monitoring session: titled with its target, Listen / Whisper / Barge from the connector's modes with the current one pressed, Leave", async () => {
    const { page, panel, problems } = await mount();
    const floor = await page.evaluate(() => window.t.server.startFloorCall({ agentId: "agent-7", from: "+15550100", fromName: "Ada Lovelace", queue: "Billing" }));
    const sessionId = await page.evaluate((target) => window.t.desktop.monitor(target), floor);
    const card = panel.getByRole("article", { name: "Monitoring session agent-7" });
    await card.waitFor();
    expect(await card.locator(".call-title").textContent()).toBe("Monitoring agent-7");
    const modes = card.getByRole("group", { name: "Monitoring mode" });
    const pressed = async () => (await modes.locator('button[aria-pressed="true"]').allTextContents()).map((s) => s.trim());
    expect((await modes.getByRole("button").allTextContents()).map((s) => s.trim())).toEqual(["Listen", "Whisper", "Barge"]);
    expect(await pressed()).toEqual(["Listen"]);
    // No hold, mute, transfer or recording on a session: its modes and Leave.
    expect((await card.locator('[part~="actions"] button').allTextContents()).map((s) => s.trim())).toEqual(["Leave"]);
    expect(await card.locator('[part~="recording"]').count()).toBe(0);
    await shot(panel, "monitoring-light");
    await page.evaluate(() => window.t.el.setAttribute("theme", "dark"));
    await shot(panel, "monitoring-dark");
    await page.evaluate(() => window.t.el.removeAttribute("theme"));
    await modes.getByRole("button", { name: "Whisper agent-7" }).click();
    await expect.poll(pressed).toEqual(["Whisper"]);
    expect(await page.evaluate(() => window.t.server.listFloor()[0]!.monitoredBy?.listen)).toBe("coach");
    await modes.getByRole("button", { name: "Barge agent-7" }).click();
    await expect.poll(pressed).toEqual(["Barge"]);
    expect(await page.evaluate((callId) => window.t.desktop.getCall(callId)?.monitorMode, sessionId)).toBe("barge");
    // In German.
    await page.evaluate(() => {
      window.fixture.panel.registerLocale("de", window.fixture.panel.de);
      window.t.el.locale = "de";
    });
    // (The card's accessible name follows the language: found by class here.)
    await expect.poll(() => panel.locator("article.call .call-title").textContent().catch(() => "")).toBe("Mithören bei agent-7");
    expect(await panel.locator("article.call").getAttribute("aria-label")).toBe("Mithörsitzung agent-7");
    expect((await panel.locator('[part~="monitor-modes"] button').allTextContents()).map((s) => s.trim())).toEqual(["Mithören", "Flüstern", "Aufschalten"]);
    await page.evaluate(() => {
      window.t.el.locale = "en";
    });
    await card.getByRole("button", { name: "Leave agent-7" }).click();
    await expect.poll(() => page.evaluate(() => window.t.desktop.snapshot().calls.length)).toBe(0);
    expect(await page.evaluate(() => window.t.server.listFloor()[0]!.monitoredBy)).toBeUndefined();
    // Recent calls: no Redial for a session.
    await panel.locator('[part~="recent-call"]').waitFor();
    expect(await panel.locator('[part~="recent-call"]').getByRole("button").count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it("a monitoring session offers only the modes the connector declares; its target is text", async () => {
    const { page, panel, problems } = await mount({ capabilities: ["agentState", "answer", "hangup", "monitor", "whisper"] });
    const evil = `<img src=x onerror="window.__xss=5">`;
    const floor = await page.evaluate((agentId) => window.t.server.startFloorCall({ agentId }), evil);
    await page.evaluate((target) => window.t.desktop.monitor(target, "whisper"), floor);
    const card = panel.locator('article.call[data-state="connected"]');
    await card.waitFor();
    expect((await card.getByRole("group", { name: "Monitoring mode" }).getByRole("button").allTextContents()).map((s) => s.trim())).toEqual(["Listen", "Whisper"]);
    expect(await card.locator('[aria-pressed="true"]').textContent()).toContain("Whisper");
    expect(await card.locator(".call-title").textContent()).toBe(`Monitoring ${evil}`);
    expect(await page.evaluate(() => ({ parsed: window.t.el.shadowRoot!.querySelectorAll("img").length, xss: (window as unknown as { __xss?: number }).__xss }))).toEqual({ parsed: 0, xss: undefined });
    expect(problems).toEqual([]);
  });

  it("on the agent's own call, a supervisor shows as a badge by mode (listening, coaching, joined), not as a party to drop", async () => {
    const { page, panel, problems } = await mount();
    const id = await ring(page, { from: "+15550100", fromName: "Ada Lovelace" });
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    const card = live(panel);
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    const badge = card.locator('[part~="supervisor"]');
    await page.evaluate((callId) => window.t.server.supervise(callId, "silent"), id);
    await expect.poll(() => badge.textContent().catch(() => "")).toBe("Supervisor listening");
    await page.evaluate((callId) => window.t.server.supervise(callId, "coach"), id);
    await expect.poll(() => badge.textContent()).toBe("Supervisor coaching");
    await shot(panel, "supervisor-coaching-light");
    await page.evaluate((callId) => window.t.server.supervise(callId, "join"), id);
    await expect.poll(() => badge.textContent()).toBe("Supervisor joined");
    expect(await card.getByLabel("Parties").count()).toBe(0);
    expect(await card.getByRole("button", { name: /^Drop/ }).count()).toBe(0);
    await page.evaluate((callId) => window.t.server.supervise(callId, undefined), id);
    await expect.poll(() => badge.count()).toBe(0);
    expect(problems).toEqual([]);
  });
});

/** What the page played and showed: each tone (its frequency and the context's output then), setSinkId calls, notifications. */
type AudioSeen = { tones: string[]; sinks: string[]; notes: string[] };

/**
 * The page's Web Audio and Notification hooks, as the ring tests above use
 * them: the tone is real Web Audio; setSinkId is recorded instead of asked of
 * Chromium (the simulator's fake device ids are not this browser's). The tab
 * is hidden, notifications granted, every alert on.
 */
async function hookAlerts(page: Page): Promise<() => Promise<AudioSeen>> {
  await page.evaluate(() => {
    const log: AudioSeen & { hidden: boolean } = { tones: [], sinks: [], notes: [], hidden: true };
    (window as unknown as { __audio: typeof log }).__audio = log;
    const Real = window.AudioContext;
    window.AudioContext = class extends Real {
      _sink = "";
      get sinkId(): string {
        return this._sink;
      }
      setSinkId(id: string): Promise<void> {
        log.sinks.push(id);
        // A test may hold the switch (window.__sinkHeld: released by calling it) or have it refused.
        const w = window as unknown as { __sinkMode?: "hold" | "fail"; __sinkHeld?: () => void };
        if (w.__sinkMode === "fail") return Promise.reject(new DOMException("Requested device not found", "NotFoundError"));
        const apply = (): void => void (this._sink = id);
        if (w.__sinkMode === "hold") return new Promise((resolve) => (w.__sinkHeld = () => resolve(apply())));
        apply();
        return Promise.resolve();
      }
      override createOscillator(): OscillatorNode {
        const osc = super.createOscillator();
        const start = osc.start.bind(osc);
        osc.start = (when?: number) => {
          if (this.state === "running") log.tones.push(`${osc.frequency.value}@${this._sink || "default"}`);
          start(when);
        };
        return osc;
      }
    };
    (window as unknown as { Notification: unknown }).Notification = class {
      static permission = "granted";
      constructor(title: string, options: NotificationOptions) {
        log.notes.push(`${title}: ${options.body ?? ""}`);
      }
      close(): void {}
    };
    Object.defineProperty(document, "visibilityState", { get: () => (log.hidden ? "hidden" : "visible") });
    document.title = "Acme CRM";
    window.t.el.alerts = "tone title notification";
  });
  return () => page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { __audio: AudioSeen }).__audio)) as AudioSeen);
}

describe("<opencti-call-control-panel> audio devices", () => {
  const audio = (page: Page) => page.evaluate(() => window.t.desktop.snapshot().audio);
  const options = (select: Locator) => select.locator("option").allTextContents();

  it("lists the devices per use, selects one, follows a device that goes away, and shows labels as text", async () => {
    const { page, panel, problems } = await mount();
    const toggle = panel.getByRole("button", { name: "Audio devices" });
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    await toggle.click();
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    const view = panel.getByRole("region", { name: "Audio devices" });
    const mic = view.getByLabel("Microphone", { exact: true });
    const speaker = view.getByLabel("Speaker (call audio)");
    const ringer = view.getByLabel("Ringer", { exact: true });
    expect(await options(mic)).toEqual(["Default - Built-in Microphone", "Headset Microphone"]);
    expect(await options(speaker)).toEqual(["Default - Built-in Speakers", "Headset"]);
    expect(await options(ringer)).toEqual(["Default - Built-in Speakers", "Headset"]);
    expect([await mic.inputValue(), await speaker.inputValue(), await ringer.inputValue()]).toEqual(["default", "default", "default"]);
    await shot(panel, "audio-devices-light");
    await page.evaluate(() => window.t.el.setAttribute("theme", "dark"));
    await shot(panel, "audio-devices-dark");
    await page.evaluate(() => window.t.el.removeAttribute("theme"));
    // On a call: the headset for the call's audio and the microphone.
    await ring(page, { from: "+15550100", fromName: "Ada" });
    await panel.getByRole("button", { name: "Answer Ada" }).click();
    await speaker.selectOption("headset");
    await mic.selectOption("headset-mic");
    await expect.poll(() => audio(page)).toMatchObject({ input: "headset-mic", output: "headset", ringer: "default" });
    expect(await page.evaluate(() => [...window.t.server.audioInUse].map(([use, d]) => `${use}:${d.id}`))).toEqual(["output:headset", "input:headset-mic"]);
    // Unplugged mid-call (the fake list's devicechange): the selects follow the fallback, the warning shows.
    await page.evaluate(() => window.t.devices.remove("headset", "audiooutput"));
    await expect.poll(() => speaker.inputValue()).toBe("default");
    expect(await options(speaker)).toEqual(["Default - Built-in Speakers"]);
    expect(await mic.inputValue()).toBe("headset-mic");
    await expect.poll(() => panel.locator('[part~="notice"]').textContent().catch(() => "")).toBe("Headset (output) went away; using Default - Built-in Speakers.");
    // A device's label is text, never markup.
    const evil = `<img src=x onerror="window.__xss=4">`;
    await page.evaluate((label) => window.t.devices.add({ deviceId: "usb-1", kind: "audiooutput", label }), evil);
    await expect.poll(() => options(ringer)).toEqual(["Default - Built-in Speakers", evil]);
    expect(await page.evaluate(() => ({ parsed: window.t.el.shadowRoot!.querySelectorAll("img").length, xss: (window as unknown as { __xss?: number }).__xss }))).toEqual({ parsed: 0, xss: undefined });
    await toggle.click();
    expect(await view.count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it("a refused device: the panel's error, and the select shows the device still in use", async () => {
    const { page, panel } = await mount({ connector: { microphone: "denied" } });
    await panel.getByRole("button", { name: "Audio devices" }).click();
    const mic = panel.getByLabel("Microphone", { exact: true });
    await mic.selectOption("headset-mic");
    await expect.poll(() => panel.locator('[part~="error"] span').textContent().catch(() => "")).toBe("Could not switch the audio device: The browser refused access to the microphone.");
    await expect.poll(() => mic.inputValue()).toBe("default");
    expect((await audio(page)).input).toBe("default");
    // Nothing stored for a refused choice (this page has no origin: nothing stored at all).
  });

  it("remembers the choice in this browser: restored after a reload, by label when the id changed; only id and label stored", async () => {
    const url = "http://panel.test/";
    const { page, panel } = await mount({ url, login: false });
    await panel.getByRole("button", { name: "Audio devices" }).click();
    await panel.getByLabel("Speaker (call audio)").selectOption("headset");
    await panel.getByLabel("Ringer", { exact: true }).selectOption("headset");
    await expect.poll(() => audio(page)).toMatchObject({ output: "headset", ringer: "headset" });
    await expect.poll(() => page.evaluate(() => ({ ...localStorage }))).toEqual({
      "opencti.audio.simulator": JSON.stringify({ output: { id: "headset", label: "Headset" }, ringer: { id: "headset", label: "Headset" } }),
    });
    // A new session: nothing clicked, the stored devices are selected again once listed.
    await current!.reload();
    await start(page, { login: false });
    await expect.poll(() => audio(page)).toMatchObject({ input: "default", output: "headset", ringer: "headset" });
    await panel.getByRole("button", { name: "Audio devices" }).click();
    expect(await panel.getByLabel("Speaker (call audio)").inputValue()).toBe("headset");
    // The browser gave the headset's mic a new id since: its label finds it.
    await page.evaluate(() => localStorage.setItem("opencti.audio.simulator", JSON.stringify({ input: { id: "an-old-id", label: "Headset Microphone" } })));
    await current!.reload();
    await start(page, { login: false });
    await expect.poll(() => audio(page)).toMatchObject({ input: "headset-mic", output: "default" });
    // Unplugged and plugged in again: the stored choice comes back.
    await page.evaluate(() => window.t.devices.remove("headset-mic"));
    await expect.poll(() => audio(page)).toMatchObject({ input: "default" });
    await page.evaluate(() => window.t.devices.add({ deviceId: "headset-mic", kind: "audioinput", label: "Headset Microphone" }));
    await expect.poll(() => audio(page)).toMatchObject({ input: "headset-mic" });
  });

  it("rings on the agent's ringer device: the page's AudioContext goes to it with setSinkId; the default asks for none", async () => {
    const { page, panel, problems } = await mount({ login: false });
    const seen = await hookAlerts(page);
    // Logging in is the user gesture that unlocks audio.
    await panel.getByRole("button", { name: "Log in" }).click();
    await panel.getByRole("button", { name: "Log out" }).waitFor();
    const first = await ring(page, { from: "+15550100", fromName: "Ada" });
    await expect.poll(async () => (await seen()).tones).toEqual(["440@default", "480@default"]);
    expect((await seen()).sinks).toEqual([]);
    await page.evaluate((id) => window.t.desktop.reject(id), first);
    await panel.getByRole("button", { name: "Audio devices" }).click();
    await panel.getByLabel("Ringer", { exact: true }).selectOption("headset");
    await expect.poll(() => audio(page)).toMatchObject({ ringer: "headset", output: "default" });
    await ring(page, { from: "+15550123", fromName: "Grace" });
    await expect.poll(async () => (await seen()).tones.slice(2)).toEqual(["440@headset", "480@headset"]);
    expect((await seen()).sinks).toEqual(["headset"]);
    expect(problems).toEqual([]);
  });

  it("in a follower tab of a shared desktop only the title flashes (the owner tab rings and notifies); once it owns the session it rings", async () => {
    const { page, panel } = await mount({ login: false });
    const seen = await hookAlerts(page);
    // A desktop shared across tabs (@opencti/core/tabs) says which tab this is.
    await page.evaluate(() => {
      (window.t.desktop as unknown as { tab: { role: string } }).tab = { role: "follower" };
    });
    await panel.getByRole("button", { name: "Log in" }).click();
    await panel.getByRole("button", { name: "Log out" }).waitFor();
    await ring(page, { from: "+15550100", fromName: "Ada Lovelace" });
    await expect.poll(() => page.title()).toBe("Incoming call: Ada Lovelace");
    await page.waitForTimeout(500);
    expect(await seen()).toEqual({ tones: [], sinks: [], notes: [], hidden: true });
    // The owner tab closed: this one took over, and rings from its next update.
    await page.evaluate(() => {
      (window.t.desktop as unknown as { tab: { role: string } }).tab.role = "owner";
    });
    await ring(page, { from: "+15550123", fromName: "Grace" });
    await expect.poll(async () => (await seen()).tones).toEqual(["440@default", "480@default"]);
    expect((await seen()).notes).toEqual(["Incoming call: Ada Lovelace", "Incoming call: Grace"]);
  });

  it("review: a pick in a follower tab is not undone by the owner tab's panel (two tabs, @opencti/core/tabs); only the owner restores", async () => {
    // Two tabs of one origin (https: Web Locks need a secure context) in one browser profile.
    const url = "https://panel.test/";
    current = await fixturePage(browser, script, { url });
    const owner = current.page;
    const second = await owner.context().newPage();
    const problems: string[] = [];
    second.on("pageerror", (err) => problems.push(err.message));
    await second.route(url, (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html><html lang=en><body></body></html>" }));
    await second.goto(url);
    await second.addScriptTag({ content: script });
    const open = (page: Page) =>
      page.evaluate(async () => {
        const devices = window.fixture.createFakeMediaDevices();
        const { server, connector } = window.fixture.createSimulator({ latencyMs: 5, connector: { mediaDevices: devices } });
        const desktop = await window.fixture.createTabDesktop({ connector, name: "panel-test", closeProtection: false });
        window.fixture.panel.defineCallControlPanel();
        const el = document.createElement("opencti-call-control-panel");
        el.desktop = desktop;
        document.body.append(el);
        const picks: string[] = [];
        const select = desktop.selectAudioDevice.bind(desktop);
        desktop.selectAudioDevice = (use, id) => (picks.push(`${use}:${id}`), select(use, id));
        (window as unknown as { picks: string[] }).picks = picks;
        window.t = { server, desktop, el, pops: [], devices, ctx: undefined };
        return desktop.tab.role;
      });
    expect(await open(owner)).toBe("owner");
    expect(await open(second)).toBe("follower");
    const ownerPanel = owner.locator("opencti-call-control-panel");
    const followerPanel = second.locator("opencti-call-control-panel");
    await followerPanel.locator('[part~="link"][data-link="connected"]').waitFor();
    const output = (page: Page) => page.evaluate(() => window.t.desktop.snapshot().audio.output);
    // The owner tab's agent chose the headset: stored.
    await ownerPanel.getByRole("button", { name: "Audio devices" }).click();
    await ownerPanel.getByLabel("Speaker (call audio)").selectOption("headset");
    await expect.poll(() => output(second)).toBe("headset");
    // In the other tab, back to the built-in speakers: the owner's panel leaves it so.
    await followerPanel.getByRole("button", { name: "Audio devices" }).click();
    await followerPanel.getByLabel("Speaker (call audio)").selectOption("default");
    await expect.poll(() => owner.evaluate(() => localStorage.getItem("opencti.audio.simulator"))).toContain('"output":{"id":"default"');
    await owner.waitForTimeout(500);
    expect(await output(owner)).toBe("default");
    expect(await owner.evaluate(() => (window as unknown as { picks: string[] }).picks)).toEqual(["output:headset"]);
    for (const panel of [ownerPanel, followerPanel]) expect(await panel.locator('[part~="error"]').count()).toBe(0);
    // The headset unplugged and plugged in again (in the owner tab, whose connector lists the devices):
    // the owner restores the stored choice, the follower asks nothing.
    await owner.evaluate(() => window.t.devices.remove("headset", "audiooutput"));
    await owner.evaluate(() => window.t.devices.add({ deviceId: "headset", kind: "audiooutput", label: "Headset" }));
    // The owner tab reads the choice the other tab stored (not its own older copy): nothing to select.
    await owner.waitForTimeout(300);
    expect(await output(owner)).toBe("default");
    expect(await owner.evaluate(() => (window as unknown as { picks: string[] }).picks)).toEqual(["output:headset"]);
    await owner.evaluate(() => localStorage.setItem("opencti.audio.simulator", JSON.stringify({ output: { id: "headset", label: "Headset" } })));
    await owner.evaluate(() => window.t.devices.remove("headset", "audiooutput"));
    await owner.evaluate(() => window.t.devices.add({ deviceId: "headset", kind: "audiooutput", label: "Headset" }));
    await expect.poll(() => output(second)).toBe("headset");
    expect(await second.evaluate(() => (window as unknown as { picks: string[] }).picks)).toEqual(["output:default"]);
    expect(problems).toEqual([]);
  });

  it("review: a pick storage refuses (quota) is not undone by the next restore, and the older stored choice is removed", async () => {
    const url = "http://panel.test/";
    const { page, panel } = await mount({ url, login: false });
    await panel.getByRole("button", { name: "Audio devices" }).click();
    await panel.getByLabel("Speaker (call audio)").selectOption("headset");
    await expect.poll(() => page.evaluate(() => localStorage.getItem("opencti.audio.simulator"))).toContain("headset");
    // Storage full from now on.
    await page.evaluate(() => {
      Storage.prototype.setItem = () => {
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      };
    });
    await panel.getByLabel("Speaker (call audio)").selectOption("default");
    await expect.poll(() => audio(page)).toMatchObject({ output: "default" });
    // The link drops and comes back (a restore): the pick stands.
    await page.evaluate(() => {
      window.t.ctx!.setLink("reconnecting");
      window.t.ctx!.setLink("connected");
    });
    await page.waitForTimeout(300);
    expect((await audio(page)).output).toBe("default");
    expect(await page.evaluate(() => localStorage.getItem("opencti.audio.simulator"))).toBeNull();
    expect(await panel.locator('[part~="error"]').count()).toBe(0);
  });

  it("review: a stored device the connector refuses is asked once, quietly, and again only when it is listed anew", async () => {
    const url = "http://panel.test/";
    const { page, panel } = await mount({ url, login: false, connector: { microphone: "denied" } });
    const picks = async () => page.evaluate(() => (window as unknown as { picks: string[] }).picks);
    await page.evaluate(() => {
      const picks: string[] = [];
      const desktop = window.t.desktop;
      const select = desktop.selectAudioDevice.bind(desktop);
      desktop.selectAudioDevice = (use, id) => (picks.push(`${use}:${id}`), select(use, id));
      (window as unknown as { picks: string[] }).picks = picks;
      localStorage.setItem("opencti.audio.simulator", JSON.stringify({ input: { id: "headset-mic", label: "Headset Microphone" } }));
      window.t.ctx!.signal({ kind: "warning", code: "TEST", message: "A warning the agent should keep reading." });
    });
    const flap = () =>
      page.evaluate(() => {
        window.t.ctx!.setLink("reconnecting");
        window.t.ctx!.setLink("connected");
      });
    await flap();
    await expect.poll(picks).toEqual(["input:headset-mic"]);
    await flap();
    await page.waitForTimeout(300);
    // The refusal stayed quiet: no error, and the warning the agent was reading is still there.
    expect(await picks()).toEqual(["input:headset-mic"]);
    expect(await panel.locator('[part~="error"]').count()).toBe(0);
    expect(await panel.locator('[part~="notice"]').textContent()).toBe("A warning the agent should keep reading.");
    await panel.getByRole("button", { name: "Audio devices" }).click();
    await panel.getByLabel("Ringer", { exact: true }).selectOption("headset");
    await expect.poll(() => audio(page)).toMatchObject({ ringer: "headset" });
    // Another device comes and goes: the list changed, but the refused microphone was listed all along.
    await page.evaluate(() => window.t.devices.add({ deviceId: "usb", kind: "audiooutput", label: "USB Speaker" }));
    await page.waitForTimeout(300);
    expect(await picks()).toEqual(["input:headset-mic", "ringer:headset"]);
    // Plugged in anew: asked once more.
    await page.evaluate(() => window.t.devices.remove("headset-mic"));
    await page.evaluate(() => window.t.devices.add({ deviceId: "headset-mic", kind: "audioinput", label: "Headset Microphone" }));
    await expect.poll(picks).toEqual(["input:headset-mic", "ringer:headset", "input:headset-mic"]);
  });

  it("review: a desktop whose snapshot has no audio (an older core) still rings and renders; device work that throws does not stop later picks", async () => {
    const { page, panel, problems } = await mount();
    await page.evaluate(() => {
      const real = window.t.desktop;
      // Audio missing from the snapshot (and from device work queued now).
      const older = new Proxy(real, {
        get(target, key) {
          if (key === "snapshot") return () => ({ ...target.snapshot(), audio: undefined });
          const value = Reflect.get(target, key) as unknown;
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      window.t.el.desktop = older;
    });
    await ring(page, { from: "+15550100", fromName: "Ada" });
    await panel.getByRole("button", { name: "Answer Ada" }).click();
    await expect.poll(() => panel.locator("article.call").getAttribute("data-state")).toBe("connected");
    await panel.getByRole("button", { name: "Audio devices" }).click();
    // Back on the real desktop: a pick still goes through.
    await page.evaluate(() => {
      window.t.el.desktop = window.t.desktop;
    });
    await panel.getByLabel("Speaker (call audio)").selectOption("headset");
    await expect.poll(() => audio(page)).toMatchObject({ output: "headset" });
    expect(problems).toEqual([]);
  });

  it("review: the ringer switch settling after the ringing stopped plays nothing; a refused ringer is not asked again until the ringer changes", async () => {
    const { page, panel } = await mount({ login: false });
    const seen = await hookAlerts(page);
    await panel.getByRole("button", { name: "Log in" }).click();
    await panel.getByRole("button", { name: "Log out" }).waitFor();
    await panel.getByRole("button", { name: "Audio devices" }).click();
    await panel.getByLabel("Ringer", { exact: true }).selectOption("headset");
    await expect.poll(() => audio(page)).toMatchObject({ ringer: "headset" });
    // The switch to the headset takes its time; the call is rejected meanwhile.
    await page.evaluate(() => ((window as unknown as { __sinkMode: string }).__sinkMode = "hold"));
    const first = await ring(page, { from: "+15550100", fromName: "Ada" });
    await expect.poll(async () => (await seen()).sinks).toEqual(["headset"]);
    await page.evaluate((id) => window.t.desktop.reject(id), first);
    await expect.poll(() => panel.getByRole("button", { name: "Answer Ada" }).count()).toBe(0);
    await page.evaluate(() => (window as unknown as { __sinkHeld: () => void }).__sinkHeld());
    await page.waitForTimeout(300);
    expect((await seen()).tones).toEqual([]);
    // Back to default, then a headset the browser refuses: it rings on the output it has, and the next ring does not ask again.
    await panel.getByLabel("Ringer", { exact: true }).selectOption("default");
    await expect.poll(() => audio(page)).toMatchObject({ ringer: "default" });
    await panel.getByLabel("Ringer", { exact: true }).selectOption("headset");
    await expect.poll(() => audio(page)).toMatchObject({ ringer: "headset" });
    await page.evaluate(() => ((window as unknown as { __sinkMode: string }).__sinkMode = "fail"));
    const second = await ring(page, { from: "+15550123", fromName: "Grace" });
    await expect.poll(async () => (await seen()).tones.length).toBe(2);
    const sinks = (await seen()).sinks;
    await page.evaluate((id) => window.t.desktop.reject(id), second);
    await ring(page, { from: "+15550124", fromName: "Alan" });
    await expect.poll(async () => (await seen()).tones.length).toBe(4);
    expect((await seen()).sinks).toEqual(sinks);
  });

  it("review: a pick queued while the panel moves to another desktop is dropped, not sent to the new one", async () => {
    const { page, panel } = await mount();
    await panel.getByRole("button", { name: "Audio devices" }).click();
    await page.evaluate(() => {
      // The first pick is slow to settle (held until the test releases it).
      const desktop = window.t.desktop;
      const select = desktop.selectAudioDevice.bind(desktop);
      desktop.selectAudioDevice = (use, id) => new Promise<void>((resolve, reject) => ((window as unknown as { release: () => void }).release = () => void select(use, id).then(resolve, reject)));
    });
    await panel.getByLabel("Speaker (call audio)").selectOption("headset");
    await panel.getByLabel("Ringer", { exact: true }).selectOption("headset");
    const other = await page.evaluate(async () => {
      const devices = window.fixture.createFakeMediaDevices();
      const { connector } = window.fixture.createSimulator({ latencyMs: 5, connector: { name: "other", mediaDevices: devices } });
      const next = window.fixture.createDesktop({ connector });
      const picks: string[] = [];
      const select = next.selectAudioDevice.bind(next);
      next.selectAudioDevice = (use, id) => (picks.push(`${use}:${id}`), select(use, id));
      (window as unknown as { next: typeof next; nextPicks: string[] }).next = next;
      (window as unknown as { nextPicks: string[] }).nextPicks = picks;
      window.t.el.desktop = next;
      await new Promise((r) => setTimeout(r, 200));
      (window as unknown as { release: () => void }).release();
      await new Promise((r) => setTimeout(r, 300));
      return { picks, audio: next.snapshot().audio };
    });
    expect(other.picks).toEqual([]);
    expect(other.audio).toMatchObject({ ringer: "default" });
    expect(await audio(page)).toMatchObject({ output: "headset", ringer: "default" });
  });

  it("review: no microphone restored while the connector reports none in use (input undefined); restored once it does", async () => {
    const url = "http://panel.test/";
    const { page } = await mount({ url, login: false });
    await expect.poll(() => audio(page)).toMatchObject({ input: "default" });
    await page.evaluate(() => {
      localStorage.setItem("opencti.audio.simulator", JSON.stringify({ input: { id: "headset-mic", label: "Headset Microphone" } }));
      // The connector reports no microphone in use (as Twilio does before it opens one).
      const { input: _none, ...noInput } = window.t.desktop.snapshot().audio;
      window.t.ctx!.setAudioDevices(noInput);
      window.t.ctx!.setLink("reconnecting");
      window.t.ctx!.setLink("connected");
    });
    await page.waitForTimeout(300);
    expect((await audio(page)).input).toBeUndefined();
    await page.evaluate(() => {
      window.t.ctx!.setAudioDevices({ ...window.t.desktop.snapshot().audio, input: "default" });
      window.t.ctx!.setLink("reconnecting");
      window.t.ctx!.setLink("connected");
    });
    await expect.poll(() => audio(page)).toMatchObject({ input: "headset-mic" });
  });

  it("no audioDevices capability: no button and no view", async () => {
    const { panel } = await mount({ capabilities: ["agentState", "answer", "hangup"] });
    expect(await panel.getByRole("button", { name: "Audio devices" }).count()).toBe(0);
  });
});
