/**
 * The sample app on Twilio, in Chromium with fake media devices: the real
 * @twilio/voice-sdk in the app page, Twilio's signalling played by the PStream
 * emulator from @opencti/twilio/testing (Node, 127.0.0.1), its media server by
 * a second RTCPeerConnection in the page. Rings, answers in the panel, hangs up.
 */
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TwilioEmulator } from "@opencti/twilio/testing";
import { startAppServer, type AppServer } from "./support/app-server.ts";
import { launchBrowser } from "./support/browser.ts";
import { answerFarEnd, farEndIceState, farEndOffer } from "./support/media-peer.ts";
import { callCard, eventTypes, openApp, UI_TIMEOUT, type AppPage } from "./support/desktop-page.ts";

let appServer: AppServer;
let browser: Browser;
let emulator: TwilioEmulator;
let app: AppPage | undefined;

beforeAll(async () => {
  appServer = await startAppServer();
  browser = await launchBrowser({ args: ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required"] });
  emulator = await TwilioEmulator.start({ identity: "agent-7" });
});

afterEach(async () => {
  await app?.close();
  app = undefined;
});

afterAll(async () => {
  await browser?.close();
  await emulator?.close();
  await appServer?.close();
});

describe("agent desktop on Twilio (Chromium, real Voice SDK, PStream emulator)", () => {
  it("rings, answers in the panel with media connected, hangs up", async () => {
    const config = { connector: "twilio", options: { signalingUrl: emulator.url }, credentials: { token: "demo.token.value" } };
    app = await openApp(browser, appServer.url, "", undefined, config);
    const { page, panel, problems } = app;

    await panel.getByRole("button", { name: "Log in" }).click();
    const status = panel.getByLabel("Status");
    await status.waitFor();
    await status.selectOption({ label: "Ready" });
    await expect.poll(() => emulator.frames("register").length, { timeout: UI_TIMEOUT }).toBeGreaterThan(0);

    const callSid = emulator.ring({ sdp: await farEndOffer(page), from: "+15550100", to: "+15550001000", params: { callerName: "Ada Lovelace", queue: "Billing", customerId: "C-1001" } });
    const card = callCard(panel, "Ada Lovelace");
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("ringing");
    await expect.poll(() => card.getByLabel("Call data").textContent()).toContain("C-1001");

    const answerFrame = emulator.nextFrame("answer", (p) => p.callsid === callSid, UI_TIMEOUT);
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    const answer = await answerFrame;
    await answerFarEnd(page, String(answer.sdp));
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");
    await expect
      .poll(() => farEndIceState(page), { timeout: UI_TIMEOUT })
      .toMatch(/connected|completed/);

    const hangup = emulator.nextFrame("hangup", (p) => p.callsid === callSid, UI_TIMEOUT);
    await panel.getByRole("button", { name: "Hang up Ada Lovelace" }).click();
    await hangup;
    await expect.poll(() => panel.locator("article.call").count(), { timeout: UI_TIMEOUT }).toBe(0);

    const types = await eventTypes(page);
    for (const t of ["link.changed", "agent.changed", "call.ringing", "call.connected", "call.ended"]) expect(types).toContain(t);
    expect(types.filter((t) => t === "call.ended")).toHaveLength(1);
    expect(problems).toEqual([]);
  });
});
