/**
 * Supervisors on the simulator, in Debian's Chromium, on the BUILT app under
 * the Content-Security-Policy it ships (served with no CSP header, as a plain
 * static server would): the supervisor page (supervisor.html) starts floor
 * calls, listens, whispers, barges and leaves through the desktop; an unknown
 * target shows the typed error; the agent page's drawer puts a supervisor on
 * the agent's call and changes its recording from the far end.
 */
import { mkdirSync } from "node:fs";
import type { Call, DesktopEvent } from "@opencti/core";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "./support/app-server.ts";
import { launchBrowser, SCREENSHOTS } from "./support/browser.ts";
import { serveBuiltApp, type BuiltApp } from "./support/built-app.ts";
import { callCard, DEFAULT_QUERY, loginReady, openApp, openDrawer, recordCspViolations, ringInbound, serveConfig, UI_TIMEOUT, type AppPage } from "./support/desktop-page.ts";


let built: BuiltApp;
let browser: Browser;
let app: AppPage | undefined;

beforeAll(async () => {
  built = await serveBuiltApp({ cspHeader: false });
  browser = await launchBrowser();
}, 180_000);

afterEach(async () => {
  await app?.close();
  app = undefined;
});

afterAll(async () => {
  await browser?.close();
  await built?.close();
});

const SIMULATOR = "connector=simulator&latencyMs=10&answerAfterMs=300";

async function openSupervisor(): Promise<AppPage> {
  app = await openApp(browser, `${built.url}supervisor.html`, SIMULATOR, recordCspViolations);
  return app;
}

/** The desktop's monitoring sessions and events, read from the page. */
const sessions = (page: Page): Promise<Call[]> => page.evaluate(() => (window.__opencti?.desktop?.snapshot().calls ?? []).filter((c) => c.direction === "monitor"));
const events = (page: Page): Promise<DesktopEvent[]> => page.evaluate(() => [...(window.__opencti?.desktop?.events() ?? [])]);
const violations = (page: Page): Promise<string[]> => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);

async function noProblems(a: AppPage): Promise<void> {
  expect(await violations(a.page)).toEqual([]);
  expect(a.problems).toEqual([]);
}

describe("the supervisor page on the simulator (built app, shipped CSP)", () => {
  it("starts a floor call, then listens, whispers, barges and leaves, on the page and in the desktop", async () => {
    const a = await openSupervisor();
    const { page, panel } = a;
    // The page ships the same policy as the agent page, before any script.
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
    expect(policy).toMatch(/script-src 'self'; style-src 'self'/);
    const floor = page.locator("#floor");
    const monitoring = page.locator("#monitoring");
    await expect.poll(() => monitoring.textContent()).toContain("Modes this connector offers: Listen, Whisper, Barge.");
    // Logged out: nothing to start yet.
    await expect.poll(() => monitoring.textContent()).toContain("Log in with the panel to monitor.");
    await panel.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => monitoring.textContent()).not.toContain("Log in with the panel");

    await floor.getByRole("button", { name: "Start 3 demo calls" }).click();
    await expect.poll(() => floor.locator("tbody tr").count()).toBe(3);
    await floor.getByRole("button", { name: "Start a demo call" }).click();
    await expect.poll(() => floor.locator("tbody tr").count()).toBe(4);
    expect(await floor.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-call-id")))).toEqual(["floor-1", "floor-2", "floor-3", "floor-4"]);
    const row = floor.locator('tr[data-call-id="floor-1"]');
    await expect.poll(() => row.textContent()).toMatch(/agent-2.*Ada Lovelace.*\+15550100.*Billing/s);
    expect(await row.getAttribute("data-monitored")).toBe("no");
    // The call's time moves on without a click: the list refreshes by itself.
    await expect.poll(() => row.locator(".time").textContent(), { timeout: 5000 }).toBe("0:01");

    // Listen.
    await floor.getByRole("button", { name: "Listen to agent-2's call" }).click();
    const session = monitoring.locator("article.session");
    await expect.poll(() => session.getAttribute("data-mode")).toBe("monitor");
    await expect.poll(() => session.textContent()).toMatch(/Watching agent-2's call.*Caller: Ada Lovelace.*Listening: nobody hears you/s);
    await expect.poll(() => row.getAttribute("data-monitored")).toBe("monitor");
    await expect.poll(() => row.locator(".monitored").textContent()).toBe("You: listening");
    expect(await floor.getByRole("button", { name: "Listen to agent-2's call" }).isDisabled()).toBe(true);
    const [watch] = await sessions(page);
    expect(watch).toMatchObject({ direction: "monitor", state: "connected", monitorMode: "monitor", from: "+15550100", to: "agent-2" });
    expect(watch!.actions).toEqual(["hangup", "setMonitorMode"]);
    expect((await events(page)).filter((e) => "call" in e && e.call.id === watch!.id).map((e) => e.type)).toEqual(["call.connected"]);
    // Only the other declared modes are offered, and Leave.
    expect(await session.getByRole("button").allTextContents()).toEqual(["Whisper", "Barge", "Leave"]);
    // The panel on this page shows the session too: its card, the current mode pressed.
    const panelCard = callCard(panel, "Monitoring agent-2");
    const pressed = () => panelCard.locator('[part~="monitor-mode"][aria-pressed="true"]').getAttribute("data-mode");
    await expect.poll(pressed).toBe("monitor");

    // Whisper.
    await session.getByRole("button", { name: "Whisper" }).click();
    await expect.poll(() => session.getAttribute("data-mode")).toBe("whisper");
    expect(await session.textContent()).toContain("Whispering: only the agent hears you");
    await expect.poll(() => row.getAttribute("data-monitored")).toBe("whisper");
    expect((await sessions(page))[0]?.monitorMode).toBe("whisper");
    await expect.poll(pressed).toBe("whisper");
    expect(await session.getByRole("button").allTextContents()).toEqual(["Listen", "Barge", "Leave"]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}supervisor-page.png` });

    // Barge.
    await session.getByRole("button", { name: "Barge" }).click();
    await expect.poll(() => session.getAttribute("data-mode")).toBe("barge");
    expect(await session.textContent()).toContain("Barged in: everyone hears you");
    await expect.poll(() => row.getAttribute("data-monitored")).toBe("barge");
    expect((await sessions(page))[0]?.monitorMode).toBe("barge");
    await expect.poll(pressed).toBe("barge");
    // A mode changed in the panel shows on the page: one desktop for both.
    await panel.getByRole("button", { name: "Listen agent-2" }).click();
    await expect.poll(() => session.getAttribute("data-mode")).toBe("monitor");
    await expect.poll(() => row.getAttribute("data-monitored")).toBe("monitor");
    const modeChanges = (await events(page)).filter((e) => e.type === "call.updated" && e.call.id === watch!.id).map((e) => ("call" in e ? e.call.monitorMode : undefined));
    expect(modeChanges).toEqual(["whisper", "barge", "monitor"]);

    // Leave: the session ends, the floor call goes on, unwatched.
    await session.getByRole("button", { name: "Leave" }).click();
    await expect.poll(() => session.count()).toBe(0);
    await expect.poll(() => panelCard.count()).toBe(0);
    await expect.poll(() => monitoring.textContent()).toContain("Not monitoring any call.");
    await expect.poll(() => row.getAttribute("data-monitored")).toBe("no");
    expect(await sessions(page)).toEqual([]);
    const ended = (await events(page)).filter((e) => e.type === "call.ended" && e.call.id === watch!.id);
    expect(ended).toHaveLength(1);
    expect(await floor.getByRole("button", { name: "Listen to agent-2's call" }).isEnabled()).toBe(true);
    await noProblems(a);
  });

  it("an unknown target shows the typed error; a typed agent id is watched until that agent's call ends", async () => {
    const a = await openSupervisor();
    const { page, panel } = a;
    const monitoring = page.locator("#monitoring");
    await panel.getByRole("button", { name: "Log in" }).click();
    const target = monitoring.getByLabel("Call or agent id");
    const outcome = monitoring.locator(".outcome");

    await target.fill("agent-99");
    await monitoring.getByRole("button", { name: "Listen", exact: true }).click();
    await expect.poll(() => outcome.getAttribute("data-code")).toBe("INVALID_DESTINATION");
    expect(await outcome.textContent()).toMatch(/^INVALID_DESTINATION: .*agent-99/);
    expect(await outcome.evaluate((p) => getComputedStyle(p).color)).toBe("rgb(198, 40, 40)");
    // Empty: core's own refusal, typed too.
    await target.fill("  ");
    await monitoring.getByRole("button", { name: "Listen", exact: true }).click();
    await expect.poll(() => outcome.getAttribute("data-code")).toBe("INVALID_ARGUMENT");
    expect(await sessions(page)).toEqual([]);

    // Three demo calls; the agent id typed picks that agent's call.
    await page.locator("#floor").getByRole("button", { name: "Start 3 demo calls" }).click();
    await expect.poll(() => page.locator("#floor tbody tr").count()).toBe(3);
    await target.fill("agent-3");
    await monitoring.getByRole("button", { name: "Listen", exact: true }).click();
    const session = monitoring.locator("article.session");
    await expect.poll(() => session.textContent()).toMatch(/Watching agent-3.*Caller: Grace Hopper/s);
    expect(await outcome.getAttribute("data-code")).toBe("");
    await expect.poll(() => page.locator('#floor tr[data-call-id="floor-2"]').getAttribute("data-monitored")).toBe("monitor");
    // A second session while one is live: the server's typed refusal.
    await page.locator("#floor").getByRole("button", { name: "Listen to agent-2's call" }).click();
    await expect.poll(() => outcome.getAttribute("data-code")).toBe("INVALID_STATE");
    expect(await session.count()).toBe(1);
    // The watched call ends: so does the session.
    await page.locator("#floor").getByRole("button", { name: "End agent-3's call" }).click();
    await expect.poll(() => session.count()).toBe(0);
    const endReasons = (await events(page)).filter((e) => e.type === "call.ended").map((e) => ("call" in e ? e.call.endReason : undefined));
    expect(endReasons).toEqual(["remote_hangup"]);
    await noProblems(a);
  });

  it("renders a caller name with markup as text", async () => {
    const a = await openSupervisor();
    const { page } = a;
    await page.evaluate(() => {
      const setup = window.__opencti?.setup as unknown as { server: { startFloorCall(spec: object): string } };
      setup.server.startFloorCall({ agentId: "agent-<b>9</b>", from: "+15550100", fromName: '<img src=x onerror="window.__owned=1">Mallory', queue: "<i>VIP</i>" });
    });
    const row = page.locator("#floor tbody tr");
    await expect.poll(() => row.textContent()).toContain('<img src=x onerror="window.__owned=1">Mallory');
    expect(await row.textContent()).toContain("<i>VIP</i>");
    expect(await page.locator("#floor img, #floor b, #floor i").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned)).toBeUndefined();
    await noProblems(a);
  });

  it("links to and from the agent page, keeping the connector choice", async () => {
    const a = await openSupervisor();
    expect(await a.page.locator("#agent-link").getAttribute("href")).toBe(`./?connector=simulator&latencyMs=10&answerAfterMs=300`);
    await a.close();
    app = await openApp(browser, built.url, `${DEFAULT_QUERY}&agentId=agent-9`, recordCspViolations);
    const link = app.page.locator("#supervisor-link");
    expect(await link.getAttribute("href")).toBe("supervisor.html?connector=simulator&latencyMs=10&answerAfterMs=300");
    await link.click();
    await app.page.waitForURL(/supervisor\.html/);
    await app.panel.locator('[part~="link"]').filter({ hasText: "Connected" }).waitFor();
    expect(await app.page.evaluate(() => window.__opencti?.config.options.agentId)).toBe("supervisor-1");
  });
});

describe("the agent page's drawer: a supervisor on the agent's call, and its recording", () => {
  it("puts a supervisor on the call in each mode and takes it off; pauses and resumes the recording from the far end", async () => {
    app = await openApp(browser, built.url, DEFAULT_QUERY, recordCspViolations);
    const { page, panel } = app;
    await loginReady(app);
    await ringInbound(page, { phone: "+15550100" });
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    const card = callCard(panel, "Ada Lovelace");
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");
    const call = (): Promise<Call> => page.evaluate(() => window.__opencti!.desktop!.snapshot().calls[0]!);
    await expect.poll(async () => (await call()).recording).toBe("active");
    const controls = page.locator("#controls");
    await openDrawer(page);

    const supervisor = async () => (await call()).parties.find((p) => p.role === "supervisor");
    const badge = card.locator('[part~="supervisor"]');
    const indicator = card.locator('[part~="recording"]');
    await expect.poll(() => indicator.getAttribute("data-recording")).toBe("active");
    await controls.getByLabel("Supervisor", { exact: true }).fill("Sam <b>Rivera</b>");
    for (const [button, mode] of [
      ["Supervisor listens", "monitor"],
      ["Supervisor whispers", "whisper"],
      ["Supervisor barges", "barge"],
    ] as const) {
      await controls.getByRole("button", { name: button }).click();
      await expect.poll(async () => (await supervisor())?.monitorMode).toBe(mode);
      expect(await supervisor()).toMatchObject({ state: "connected", displayName: "Sam <b>Rivera</b>" });
      // The agent's panel: a badge, not a party to drop.
      await expect.poll(() => badge.getAttribute("data-monitor-mode")).toBe(mode);
    }
    expect(await badge.textContent()).toBe("Supervisor joined");
    mkdirSync(SCREENSHOTS, { recursive: true });
    await panel.screenshot({ path: `${SCREENSHOTS}panel-supervised.png` });
    await controls.getByRole("button", { name: "Supervisor leaves" }).click();
    await expect.poll(async () => (await supervisor())?.state).toBe("disconnected");
    await expect.poll(() => badge.count()).toBe(0);
    // A supervisor is not a party of the conversation: no conference, and the call stays the agent's two-party call.
    const types = (await events(page)).map((e) => e.type);
    expect(types).not.toContain("call.conferenced");
    expect((await call()).actions).not.toContain("dropParty");

    // The far end pauses; the agent resumes in the panel; the agent pauses, the far end turns it back on, then off.
    await controls.getByRole("button", { name: "Recording paused" }).click();
    await expect.poll(async () => (await call()).recording).toBe("paused");
    expect((await call()).actions).toContain("resumeRecording");
    await expect.poll(() => indicator.getAttribute("data-recording")).toBe("paused");
    await panel.getByRole("button", { name: "Resume recording Ada Lovelace" }).click();
    await expect.poll(async () => (await call()).recording).toBe("active");
    await expect.poll(() => indicator.getAttribute("data-recording")).toBe("active");
    await panel.getByRole("button", { name: "Pause recording Ada Lovelace" }).click();
    await expect.poll(async () => (await call()).recording).toBe("paused");
    await controls.getByRole("button", { name: "Recording on" }).click();
    await expect.poll(async () => (await call()).recording).toBe("active");
    await controls.getByRole("button", { name: "Recording off" }).click();
    await expect.poll(async () => (await call()).recording).toBe("off");
    // Off: no indicator and no button (the panel only announces it).
    await expect.poll(() => indicator.count()).toBe(0);
    expect(await card.locator('[part~="pauseRecording"], [part~="resumeRecording"]').count()).toBe(0);
    const recordings = (await events(page)).filter((e) => e.type === "call.recording").map((e) => ("call" in e ? e.call.recording : undefined));
    // Recorded from the moment it connected, then each change once.
    expect(recordings).toEqual(["active", "paused", "active", "paused", "active", "off"]);
    await expect.poll(() => controls.locator('[role="status"]').textContent()).toBe("The recording is off");
    await noProblems(app);
  });

  it("says so in the drawer when there is no call to supervise", async () => {
    app = await openApp(browser, built.url, DEFAULT_QUERY, recordCspViolations);
    await openDrawer(app.page);
    const controls = app.page.locator("#controls");
    await controls.getByRole("button", { name: "Supervisor listens" }).click();
    await expect.poll(() => controls.locator('[role="status"]').textContent()).toBe("There is no live call.");
    await noProblems(app);
  });
});

describe("the supervisor page on a vendor connector (Amazon Connect, the fake CCP in a dev build)", () => {
  let dev: AppServer;
  beforeAll(async () => {
    dev = await startAppServer();
  });
  afterAll(async () => {
    await dev?.close();
  });
  const open = (options: Record<string, string>) => openApp(browser, `${dev.url}supervisor.html`, "", undefined, { connector: "amazon-connect", options: { ccpUrl: "fake", ...options } });

  it("without a backend: says what the supervisor needs, no floor list and no form (the connector declares no monitoring)", async () => {
    app = await open({});
    const { page } = app;
    await expect.poll(() => page.locator("#floor").textContent()).toContain("the Amazon Connect contact id");
    expect(await page.locator("#floor").textContent()).toContain("@opencti/amazon-connect-backend");
    expect(await page.locator("#floor table").count()).toBe(0);
    expect(await page.locator("#floor button").count()).toBe(0);
    expect(await page.locator("#monitoring").textContent()).toContain("as configured, cannot monitor calls");
    expect(await page.locator("#monitoring form").count()).toBe(0);
    expect(app.problems).toEqual([]);
  });

  it("with a backendUrl: the typed-target form with Connect's modes (no whisper), and the backend's refusal shown typed", async () => {
    // A same-origin backend URL with nothing behind it: the connector's HTTP client says so.
    app = await open({ backendUrl: "/no-backend-here" });
    const { page, panel } = app;
    const monitoring = page.locator("#monitoring");
    await expect.poll(() => monitoring.textContent()).toContain("Modes this connector offers: Listen, Barge.");
    expect(await page.locator("#floor table").count()).toBe(0);
    await panel.getByRole("button", { name: "Log in" }).click();
    await expect.poll(() => monitoring.textContent()).not.toContain("Log in with the panel");
    await monitoring.getByLabel("Call or agent id").fill("11111111-2222-3333-4444-555555555555");
    await monitoring.getByRole("button", { name: "Listen", exact: true }).click();
    const outcome = monitoring.locator(".outcome");
    await expect.poll(() => outcome.getAttribute("data-code")).toBe("VENDOR_ERROR");
    expect(await outcome.textContent()).toMatch(/^VENDOR_ERROR: The Amazon Connect backend refused monitor \(HTTP 404\)/);
    expect(await page.evaluate(() => window.__opencti?.desktop?.snapshot().calls.length)).toBe(0);
  });
});

describe("the supervisor page on SIP: the modes config.json's feature code and digits reach", () => {
  let dev: AppServer;
  beforeAll(async () => {
    dev = await startAppServer();
  });
  afterAll(async () => {
    await dev?.close();
  });

  /** The page's monitoring view for these SIP options (no PBX behind the server: the modes are the configuration's, not the link's). */
  async function monitoringText(options: Record<string, string>): Promise<string> {
    const context = await browser.newContext();
    try {
      await serveConfig(context, { connector: "sip", options: { server: "ws://127.0.0.1:9/ws", uri: "sip:2001@pbx.example.com", ...options } });
      const page = await context.newPage();
      await page.goto(`${dev.url}supervisor.html`);
      const monitoring = page.locator("#monitoring");
      await expect.poll(() => monitoring.textContent(), { timeout: UI_TIMEOUT }).toMatch(/Modes this connector offers|cannot monitor/);
      expect(await page.locator("#floor").textContent()).toContain("the agent's SIP extension");
      return (await monitoring.textContent()) ?? "";
    } finally {
      await context.close();
    }
  }

  it("a feature code with a digit per mode offers all three; without the whisper digit, no Whisper; without a code, none", async () => {
    expect(await monitoringText({ monitorPrefix: "*222", monitorDigits: "monitor=4, whisper=5, barge=6" })).toContain("Modes this connector offers: Listen, Whisper, Barge.");
    expect(await monitoringText({ monitorPrefix: "*222", monitorDigits: "monitor=4,barge=6,spy=9" })).toContain("Modes this connector offers: Listen, Barge.");
    expect(await monitoringText({})).toContain("as configured, cannot monitor calls");
  });
});
