/**
 * The sample app on the simulator, in Debian's Chromium: an agent's day
 * through the real panel, CRM and simulator drawer.
 */
import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "./support/app-server.ts";
import { launchBrowser, SCREENSHOTS } from "./support/browser.ts";
import { callCard, eventTypes, loginReady, openApp, openDrawer, ringInbound, UI_TIMEOUT, type AppPage } from "./support/desktop-page.ts";


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

async function open(query?: string): Promise<AppPage> {
  app = await openApp(browser, server.url, query);
  return app;
}

describe("agent desktop on the simulator (Chromium)", () => {
  it("logs in, goes Ready, screen-pops, answers, holds, resumes, sends DTMF, hangs up and wraps up", async () => {
    const { page, panel, problems } = await open();
    await loginReady(app!);
    await page.evaluate(() => {
      const pops: unknown[] = [];
      (window as unknown as { pops: unknown[] }).pops = pops;
      document.addEventListener("opencti-screen-pop", (e) => {
        const d = (e as CustomEvent<{ phase: string; ani?: string; data: Record<string, string>; call: { id: string } }>).detail;
        pops.push({ phase: d.phase, ani: d.ani, customerId: d.data.customerId, callId: d.call.id });
      });
    });

    await ringInbound(page, { phone: "+15550100", queue: "Billing" });
    const card = callCard(panel, "Ada Lovelace");
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("ringing");
    await expect.poll(() => card.getByLabel("Call data").textContent()).toContain("C-1001");
    await expect.poll(() => card.textContent()).toContain("queue Billing");
    // The live region announces the call; the CRM pops the record.
    await expect.poll(() => panel.getByRole("status").first().textContent()).toContain("Incoming call from Ada Lovelace, queue Billing");
    await expect.poll(() => page.locator("#crm .customer-name").textContent()).toBe("Ada Lovelace");
    await expect.poll(() => page.locator("#crm").textContent()).toContain("Analytical Engines Ltd");

    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    const pops = await page.evaluate(() => (window as unknown as { pops: { phase: string; ani: string; customerId: string }[] }).pops);
    expect(pops.map((p) => p.phase)).toEqual(["ringing", "answered"]);
    expect(pops[0]).toMatchObject({ ani: "+15550100", customerId: "C-1001" });

    await panel.getByRole("button", { name: "Hold Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("held");
    await panel.getByRole("button", { name: "Resume Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    await panel.getByRole("button", { name: "Mute Ada Lovelace" }).click();
    await expect.poll(() => card.locator('[part~="muted"]').textContent().catch(() => "")).toContain("Muted");
    await panel.getByRole("button", { name: "Unmute Ada Lovelace" }).click();
    await expect.poll(() => card.locator('[part~="muted"]').count()).toBe(0);

    await card.getByRole("button", { name: "Keypad" }).click();
    for (const key of ["1", "2", "#"]) await card.getByRole("button", { name: `Send tone ${key}` }).click();
    await expect.poll(() => card.textContent()).toContain("Sent: 12#");
    const heard = await page.evaluate(() => {
      const setup = window.__opencti?.setup as unknown as { server: { dtmf: Map<string, string>; listCalls(): { callId: string }[] } };
      const id = setup.server.listCalls()[0]!.callId;
      return setup.server.dtmf.get(id);
    });
    expect(heard).toBe("12#");

    // The timer runs while the call is up.
    await expect.poll(() => card.locator('[part~="call-state"]').textContent(), { timeout: UI_TIMEOUT }).toMatch(/Connected · 0:(0[1-9]|[1-5]\d)/);

    // Choosing a state during a call queues it as the pending state.
    await panel.getByLabel("Status").selectOption("lunch");
    await expect.poll(() => panel.locator('[part~="pending-state"]').textContent()).toContain("Next: Lunch");

    await panel.getByRole("button", { name: "Hang up Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("wrapup");
    await expect.poll(() => panel.locator('[part~="time-in-state"]').textContent()).toMatch(/^After call work for/);
    await card.getByLabel("Disposition").selectOption("Escalated");
    await card.getByLabel("Notes").fill("Customer wants a callback");
    await card.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => panel.locator("article.call").count()).toBe(0);
    await expect.poll(() => panel.locator('[part~="time-in-state"]').textContent()).toMatch(/^Lunch for/);
    expect(await panel.locator('[part~="pending-state"]').count()).toBe(0);
    await expect.poll(() => page.locator("#crm .history").textContent()).toContain("Escalated");

    const types = await eventTypes(page);
    for (const t of ["call.ringing", "call.connected", "call.held", "call.resumed", "call.muted", "call.unmuted", "call.wrapup", "call.ended"]) expect(types).toContain(t);
    await expect.poll(() => page.locator("#timeline").textContent()).toContain("call.ended");
    expect(problems).toEqual([]);
  });

  it("transfers: blind, then consult and complete", async () => {
    const { page, panel, problems } = await open();
    await loginReady(app!);

    await ringInbound(page, { phone: "+15550123" });
    const grace = callCard(panel, "Grace Hopper");
    await panel.getByRole("button", { name: "Answer Grace Hopper" }).click();
    await expect.poll(() => grace.getAttribute("data-state")).toBe("connected");
    await grace.getByRole("button", { name: "Transfer" }).click();
    // A bad destination is refused in words before anything is sent.
    await grace.getByLabel("Transfer to").fill("not a number!");
    await grace.getByRole("button", { name: "Blind transfer" }).click();
    await expect.poll(() => grace.getByRole("alert").textContent()).toContain("Enter a phone number");
    await grace.getByLabel("Transfer to").fill("+1 555 0199");
    await grace.getByRole("button", { name: "Blind transfer" }).click();
    await expect.poll(() => grace.getAttribute("data-state")).toBe("wrapup");
    await grace.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => panel.locator("article.call").count()).toBe(0);
    await expect.poll(() => page.locator("#crm .history").textContent()).toContain("Ended (transferred)");

    await ringInbound(page, { phone: "+15550142" });
    const alan = callCard(panel, "Alan Turing");
    await panel.getByRole("button", { name: "Answer Alan Turing" }).click();
    await expect.poll(() => alan.getAttribute("data-state")).toBe("connected");
    await alan.getByRole("button", { name: "Transfer" }).click();
    await alan.getByLabel("Transfer to").fill("+15550199");
    await alan.getByRole("button", { name: "Consult" }).click();
    const consult = callCard(panel, "+15550199");
    await expect.poll(() => alan.getAttribute("data-state")).toBe("held");
    await expect.poll(() => consult.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");
    // Both legs offer the pair's actions; swap flips which one is live.
    await consult.getByRole("button", { name: "Swap +15550199" }).click();
    await expect.poll(() => alan.getAttribute("data-state")).toBe("connected");
    await expect.poll(() => consult.getAttribute("data-state")).toBe("held");
    await consult.getByRole("button", { name: "Complete transfer +15550199" }).click();
    await expect.poll(() => consult.count()).toBe(0);
    await expect.poll(() => alan.getAttribute("data-state")).toBe("wrapup");
    await alan.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => panel.locator("article.call").count()).toBe(0);
    expect(await eventTypes(page)).toContain("call.transferred");
    expect(problems).toEqual([]);
  });

  it("says how a call ended: a number that does not exist, then a call whose audio drops and comes back", async () => {
    const { page, panel, problems } = await open();
    await loginReady(app!);
    await panel.getByLabel("Number").fill("+15550888");
    await panel.getByRole("button", { name: "Call", exact: true }).click();
    const recent = panel.getByRole("region", { name: "Recent calls" });
    await expect.poll(() => recent.locator('[part~="outcome"]').first().textContent().catch(() => ""), { timeout: UI_TIMEOUT }).toMatch(/\+15550888\s+Call failed: Unallocated \(unassigned\) number \(1\)/);

    await ringInbound(page, { phone: "+15550142" });
    const card = callCard(panel, "Alan Turing");
    await panel.getByRole("button", { name: "Answer Alan Turing" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    const controls = page.locator("#controls");
    await controls.getByRole("button", { name: "Audio drops" }).click();
    await expect.poll(() => card.locator('[part~="media"]').textContent().catch(() => "")).toBe("Reconnecting audio…");
    await controls.getByRole("button", { name: "Audio back" }).click();
    await expect.poll(() => card.locator('[part~="media"]').count()).toBe(0);
    await controls.getByRole("button", { name: "Far end holds" }).click();
    await expect.poll(() => page.evaluate(() => document.querySelector("opencti-call-control-panel")?.desktop?.snapshot().calls[0]?.parties.map((p) => p.state).join(","))).toBe("connected,held");
    expect(await card.getAttribute("data-state")).toBe("connected");
    expect(problems).toEqual([]);
  });

  it("rejects a ringing call", async () => {
    const { page, panel, problems } = await open();
    await loginReady(app!);
    await ringInbound(page, { phone: "+15550177" });
    const card = callCard(panel, "Katherine Johnson");
    await expect.poll(() => card.getAttribute("data-state")).toBe("ringing");
    await panel.getByRole("button", { name: "Reject Katherine Johnson" }).click();
    await expect.poll(() => panel.locator("article.call").count()).toBe(0);
    await expect.poll(() => page.locator("#crm .history").textContent()).toContain("Ended (rejected)");
    expect(problems).toEqual([]);
  });

  it("shows transcript lines in the CRM and wraps up when the far end hangs up", async () => {
    const { page, panel, problems } = await open();
    await loginReady(app!);
    await ringInbound(page, { phone: "+15550142" });
    const card = callCard(panel, "Alan Turing");
    await panel.getByRole("button", { name: "Answer Alan Turing" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    const controls = page.locator("#controls");
    await controls.getByLabel("Text").fill("My router keeps rebooting.");
    await controls.getByRole("button", { name: "Send transcript line" }).click();
    await expect.poll(() => page.locator("#crm .transcript").textContent()).toContain("customer: My router keeps rebooting.");
    await controls.getByRole("button", { name: "Far end hangs up" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("wrapup");
    await card.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => page.locator("#crm .history").textContent()).toContain("Ended (remote hangup)");
    expect(problems).toEqual([]);
  });

  it("shows a clear message for a connector that is not available", async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}?connector=acme-pbx`);
      const message = page.locator("#app-message");
      await expect.poll(() => message.textContent(), { timeout: UI_TIMEOUT }).toBe('There is no connector called "acme-pbx". Choose one of: simulator, sip, amazon-connect, twilio.');
      expect(await message.getAttribute("role")).toBe("alert");
      expect(await page.locator("opencti-call-control-panel").count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it("shows reconnecting when the link drops and recovers when it returns", async () => {
    const { page, panel, problems } = await open();
    await loginReady(app!);
    await openDrawer(page);
    await page.getByRole("button", { name: "Drop link" }).click();
    const link = panel.locator('[part~="link"]');
    await expect.poll(() => link.textContent()).toContain("Reconnecting");
    await expect.poll(() => link.getAttribute("data-link")).toBe("reconnecting");
    await expect.poll(() => panel.getByRole("status").first().textContent()).toContain("Reconnecting");
    // A request while the link is down fails in words, not silently.
    await panel.getByLabel("Status").selectOption("lunch");
    await expect.poll(() => panel.getByRole("alert").textContent()).toMatch(/Could not change your state: .*link is reconnecting/);
    await page.getByRole("button", { name: "Restore link" }).click();
    await expect.poll(() => link.getAttribute("data-link"), { timeout: UI_TIMEOUT }).toBe("connected");
    // Still logged in and Ready after the resync.
    await expect.poll(() => panel.locator('[part~="time-in-state"]').textContent()).toMatch(/^Available for/);
    expect(problems).toEqual([]);
  });

  it("shows a failed request's error inline and keeps the call", async () => {
    const { page, panel, problems } = await open();
    await loginReady(app!);
    await ringInbound(page, { phone: "+15550100" });
    const card = callCard(panel, "Ada Lovelace");
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    await page.locator("#controls").getByLabel("Request").selectOption("hold");
    await page.getByRole("button", { name: "Fail next request" }).click();
    await panel.getByRole("button", { name: "Hold Ada Lovelace" }).click();
    const alert = panel.locator('[part~="error"]');
    await expect.poll(() => alert.textContent()).toContain("Could not put the call on hold: The simulated CTI server refused the request.");
    expect(await alert.getAttribute("role")).toBe("alert");
    expect(await card.getAttribute("data-state")).toBe("connected");
    // The next attempt works and clears the message.
    await panel.getByRole("button", { name: "Hold Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("held");
    await expect.poll(() => alert.count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it("validates the dial pad and places an outbound call", async () => {
    const { panel, problems } = await open();
    await loginReady(app!);
    const number = panel.getByLabel("Number");
    await number.fill("call mom!!");
    await panel.getByRole("button", { name: "Call", exact: true }).click();
    await expect.poll(() => panel.locator("#dial-error").textContent()).toContain("cannot be dialled");
    expect(await number.getAttribute("aria-invalid")).toBe("true");
    await number.fill("");
    await panel.getByRole("button", { name: "Dial pad" }).click();
    for (const key of ["5", "5", "5", "0", "1", "9", "9"]) await panel.getByRole("button", { name: `Type ${key}` }).click();
    expect(await number.inputValue()).toBe("5550199");
    await panel.getByRole("button", { name: "Call", exact: true }).click();
    const card = callCard(panel, "5550199");
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");
    expect(await card.textContent()).toContain("Outbound");
    expect(problems).toEqual([]);
  });

  it("pops the dialled customer's record for an outbound call", async () => {
    const { panel, page, problems } = await open();
    await loginReady(app!);
    await panel.getByLabel("Number").fill("+1 555 0142");
    await panel.getByRole("button", { name: "Call", exact: true }).click();
    await expect.poll(() => callCard(panel, "+15550142").getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");
    await expect.poll(() => page.locator("#crm .customer-name").textContent()).toBe("Alan Turing");
    await expect.poll(() => page.locator("#crm .history").textContent()).toContain("+15550142");
    expect(problems).toEqual([]);
  });

  it("the drawer's unknown caller is unknown to the CRM too: the panel and the CRM show the same person", async () => {
    const { page, panel, problems } = await open();
    await loginReady(app!);
    await ringInbound(page, { phone: "" });
    const card = panel.locator("article.call");
    await expect.poll(() => card.locator(".call-title").textContent(), { timeout: UI_TIMEOUT }).toBe("+15550111");
    await expect.poll(() => page.locator("#crm .customer-name").textContent()).toBe("Unknown caller");
    expect(await page.locator("#crm").textContent()).toContain("No customer matches +15550111");
    expect(problems).toEqual([]);
  });

  it("shows a caller name containing HTML markup as text", async () => {
    const { page, panel, problems } = await open();
    await loginReady(app!);
    const evil = `<img src=x onerror="window.__xss=1"><b>Mallory</b>`;
    await ringInbound(page, { number: "+15550999", name: evil });
    const card = panel.locator("article.call");
    await expect.poll(() => card.locator(".call-title").textContent()).toBe(evil);
    await expect.poll(() => page.locator("#crm").textContent()).toContain(evil);
    // A typed number is not the drawer's default customer: the CRM does not pop Ada for Mallory.
    expect(await page.locator("#crm .customer-name").textContent()).toBe("Unknown caller");
    const parsed = await page.evaluate(() => {
      const root = document.querySelector("opencti-call-control-panel")!.shadowRoot!;
      return {
        panelImages: root.querySelectorAll("img, b").length,
        pageImages: document.querySelectorAll("img, b").length,
        xss: (window as unknown as { __xss?: number }).__xss,
      };
    });
    expect(parsed).toEqual({ panelImages: 0, pageImages: 0, xss: undefined });
    expect(problems).toEqual([]);
  });

  it("works on a 400 px wide screen: one column, nothing wider than the screen, the call answered and held", async () => {
    const { page, panel, problems } = await open();
    await page.setViewportSize({ width: 400, height: 860 });
    await loginReady(app!);
    await ringInbound(page, { phone: "+15550100" });
    const card = callCard(panel, "Ada Lovelace");
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    await card.getByRole("button", { name: "Transfer" }).click();
    // No horizontal scrolling: the page, the panel and its widest parts fit.
    const widths = await page.evaluate(() => {
      const el = document.querySelector("opencti-call-control-panel")!;
      const root = el.shadowRoot!;
      const widest = Math.max(...[...root.querySelectorAll("*")].map((n) => (n as HTMLElement).getBoundingClientRect().right));
      return { page: document.documentElement.scrollWidth, panel: el.getBoundingClientRect().right, widest };
    });
    expect(widths.page).toBeLessThanOrEqual(400);
    expect(widths.panel).toBeLessThanOrEqual(400);
    expect(widths.widest).toBeLessThanOrEqual(400);
    await card.getByRole("button", { name: "Hold Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("held");
    await panel.screenshot({ path: `${SCREENSHOTS}panel-400px.png` });
    expect(problems).toEqual([]);
  });

  it("takes screenshots of the panel idle, ringing and on a call", async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const { page, panel } = await open();
    await loginReady(app!);
    await page.mouse.move(1, 1); // no hover highlight in the pictures
    await page.screenshot({ path: `${SCREENSHOTS}desktop-idle.png` });
    await panel.screenshot({ path: `${SCREENSHOTS}panel-idle.png` });
    await ringInbound(page, { phone: "+15550100" });
    const card = callCard(panel, "Ada Lovelace");
    await expect.poll(() => card.getAttribute("data-state")).toBe("ringing");
    await panel.screenshot({ path: `${SCREENSHOTS}panel-ringing.png` });
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state")).toBe("connected");
    await card.getByRole("button", { name: "Keypad" }).click();
    await page.locator("#controls").getByRole("button", { name: "Send transcript line" }).click();
    await expect.poll(() => page.locator("#crm .transcript").textContent()).toContain("invoice");
    await page.getByText("Simulator controls").click(); // close the drawer for the picture
    await page.mouse.move(1, 1);
    await expect.poll(() => card.locator('[part~="call-state"]').textContent(), { timeout: UI_TIMEOUT }).toMatch(/Connected · 0:(0[2-9]|[1-5]\d)/);
    await panel.screenshot({ path: `${SCREENSHOTS}panel-on-call.png` });
    await page.screenshot({ path: `${SCREENSHOTS}desktop-on-call.png` });
    // The same call in the system's dark mode, then in German (the app registers German and Spanish).
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(() => panel.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(13, 17, 23)");
    await panel.screenshot({ path: `${SCREENSHOTS}panel-on-call-dark.png` });
    await page.emulateMedia({ colorScheme: "light" });
    await panel.evaluate((el) => {
      (el as HTMLElement & { locale?: string }).locale = "de";
    });
    await expect.poll(() => panel.locator("h2").textContent()).toBe("Telefon");
    await expect.poll(() => card.getByRole("button", { name: "Halten: Ada Lovelace" }).count()).toBe(1);
    await panel.screenshot({ path: `${SCREENSHOTS}panel-on-call-de.png` });
    expect(await card.getAttribute("data-state")).toBe("connected");
  });
});
