/**
 * The sample app on the SIP connector, in Chromium with fake media devices:
 * the real sip.js in the page registers over WebSocket with a real Kamailio
 * on 127.0.0.1 (digest auth), a SIPp caller rings it through Kamailio, the
 * agent answers in the panel (WebRTC answer from the page) and hangs up.
 */
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSipLab, type SipLab } from "@opencti/sip/testing";
import { startAppServer, type AppServer } from "./support/app-server.ts";
import { launchBrowser } from "./support/browser.ts";
// A browser only accepts WebRTC offers (ICE, DTLS), so the SIPp caller sends one
// made in the page: what a WebRTC gateway (Asterisk, rtpengine) puts before a phone.
import { farEndOffer } from "./support/media-peer.ts";
import { callCard, eventTypes, openApp, UI_TIMEOUT, type AppPage } from "./support/desktop-page.ts";

let appServer: AppServer;
let browser: Browser;
let lab: SipLab;
let app: AppPage | undefined;

beforeAll(async () => {
  lab = await startSipLab();
  appServer = await startAppServer();
  browser = await launchBrowser({ args: ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required"] });
});

afterEach(async () => {
  await app?.close();
  app = undefined;
});

afterAll(async () => {
  await browser?.close();
  await appServer?.close();
  await lab?.stop();
});

describe("agent desktop on SIP (Chromium, real sip.js, Kamailio + SIPp)", () => {
  it("registers over WebSocket, rings from SIPp, answers in the panel, hangs up", async () => {
    const uri = lab.newAgentUri();
    const config = { connector: "sip", options: { server: lab.wsUrl, uri, displayName: "Agent Seven" }, credentials: { password: lab.password } };
    app = await openApp(browser, appServer.url, "", undefined, config);
    const { page, panel, problems } = app;

    await panel.getByRole("button", { name: "Log in" }).click();
    const status = panel.getByLabel("Status");
    await status.waitFor();
    await status.selectOption({ label: "Ready" });

    const offer = await farEndOffer(page);
    const { callId } = await lab.ring(uri, {
      from: "+15550100",
      fromName: "Ada Lovelace",
      to: "+15550001000",
      headers: [
        ["X-Data-customerId", "C-1001"],
        ["X-Queue", "Billing"],
      ],
      body: { contentType: "application/sdp", content: offer },
    });
    const card = callCard(panel, "Ada Lovelace");
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("ringing");
    await expect.poll(() => card.getByLabel("Call data").textContent()).toContain("C-1001");

    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");
    await lab.waitFor(callId, "ANSWERED", UI_TIMEOUT); // SIPp got our 200 OK with the page's WebRTC answer

    await panel.getByRole("button", { name: "Hang up Ada Lovelace" }).click();
    await lab.waitFor(callId, "BYE", UI_TIMEOUT); // SIPp got our BYE
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("wrapup"); // after-call work is on by default

    const types = await eventTypes(page);
    for (const t of ["link.changed", "agent.changed", "call.ringing", "call.connected"]) expect(types).toContain(t);
    expect(types).toContain("call.wrapup");
    expect(problems).toEqual([]);
  });

  it("a blocked microphone: answering fails with the MEDIA_PERMISSION_DENIED message in the panel, and the caller gets 480", async () => {
    // No fake-UI flag: Chromium refuses getUserMedia as a user blocking the prompt would.
    const strict = await launchBrowser({ args: ["--use-fake-device-for-media-stream"] });
    try {
      const uri = lab.newAgentUri();
      const config = { connector: "sip", options: { server: lab.wsUrl, uri }, credentials: { password: lab.password } };
      app = await openApp(strict, appServer.url, "", undefined, config);
      const { page, panel } = app;
      await panel.getByRole("button", { name: "Log in" }).click();
      await panel.getByLabel("Status").selectOption({ label: "Ready" });

      const { callId } = await lab.ring(uri, { from: "+15550101", fromName: "Grace Hopper", body: { contentType: "application/sdp", content: await farEndOffer(page) } });
      const card = callCard(panel, "Grace Hopper");
      await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("ringing");
      await panel.getByRole("button", { name: "Answer Grace Hopper" }).click();
      // The panel shows the connector's MEDIA_PERMISSION_DENIED message.
      await expect.poll(() => panel.getByRole("alert").filter({ hasText: "microphone" }).count(), { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
      expect(await lab.waitFor(callId, "REFUSED", UI_TIMEOUT)).toMatch(/ 480$/);
      await expect.poll(() => panel.locator("article.call").count(), { timeout: UI_TIMEOUT }).toBe(0);
    } finally {
      await app?.close();
      app = undefined;
      await strict.close();
    }
  });
});
