/**
 * Audio devices on Amazon Connect in Chromium with fake devices
 * (--use-fake-device-for-media-stream): the real Streams in the app page, the
 * fake CCP on a second origin answering Streams' media_device_request with its
 * own enumerateDevices() and applying agent.setSpeakerDevice /
 * setMicrophoneDevice / setRingerDevice as the CCP does. Shows the rule the
 * connector relies on: device ids are per origin, so the list is the CCP
 * frame's, not the app page's.
 */
import type { Desktop } from "@opencti/core";
import type { Browser, Frame, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "./support/app-server.ts";
import { launchBrowser } from "./support/browser.ts";
import { serveCcpOrigin } from "./support/ccp-origin.ts";
import { callCard, openApp, UI_TIMEOUT, type AppPage } from "./support/desktop-page.ts";

/** The fake CCP's page on its own origin. Like the real CCP it asks for the microphone as it starts (so its list has ids and labels). */
async function startCcpServer(parentOrigin: string): Promise<{ ccpUrl: string; close(): Promise<void> }> {
  const { origin, close } = await serveCcpOrigin({
    "ccp-v2/index.html": `<!doctype html><title>Fake CCP</title><p>Fake Amazon Connect CCP</p>
<script type="module">
  import { startFakeCcpPage } from "@opencti/amazon-connect/testing";
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  for (const track of stream.getTracks()) track.stop();
  startFakeCcpPage(window, { parentOrigin: ${JSON.stringify(parentOrigin)} });
</script>`,
  });
  return { ccpUrl: `${origin}/ccp-v2/`, close };
}

/**
 * In every frame: `__unplug(labels)` hides those devices from enumerateDevices,
 * which simulates unplugging a headset (the browser API, not a vendor SDK stand-in;
 * the test then dispatches `devicechange` as the browser would).
 */
function unplugHook(): void {
  const media = navigator.mediaDevices as MediaDevices | undefined;
  if (!media) return;
  const real = media.enumerateDevices.bind(media);
  const gone = new Set<string>();
  media.enumerateDevices = async () => (await real()).filter((d) => !gone.has(d.label));
  (window as unknown as { __unplug(labels: string[]): void }).__unplug = (labels) => labels.forEach((l) => gone.add(l));
}

type Win = { __opencti: { desktop: Desktop }; fakeCcp: { devices(): Record<string, { deviceId: string } | undefined>; ringInbound(spec: Record<string, unknown>): string } };

let appServer: AppServer;
let ccp: { ccpUrl: string; close(): Promise<void> };
let browser: Browser;
let app: AppPage | undefined;

beforeAll(async () => {
  appServer = await startAppServer();
  ccp = await startCcpServer(new URL(appServer.url).origin);
  browser = await launchBrowser({ args: ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"] });
});

afterEach(async () => {
  await app?.close();
  app = undefined;
});

afterAll(async () => {
  await browser?.close();
  await ccp?.close();
  await appServer?.close();
});

async function ccpFrame(page: Page, origin: string): Promise<Frame> {
  let frame: Frame | undefined;
  await expect
    .poll(
      async () => {
        frame = page.frames().find((f) => f.url().startsWith(origin));
        return frame ? frame.evaluate(() => typeof (window as unknown as { fakeCcp?: unknown }).fakeCcp).catch(() => "loading") : "missing";
      },
      { timeout: UI_TIMEOUT },
    )
    .toBe("object");
  return frame!;
}

const audio = (page: Page) => page.evaluate(() => (window as unknown as Win).__opencti.desktop.snapshot().audio);
const select = (page: Page, use: "input" | "output" | "ringer", id: string) => page.evaluate(({ u, i }) => (window as unknown as Win).__opencti.desktop.selectAudioDevice(u, i), { u: use, i: id });
const ccpDevices = (frame: Frame) => frame.evaluate(() => (window as unknown as Win).fakeCcp.devices());

describe("Amazon Connect audio devices (Chromium fake devices, fake CCP on a second origin)", () => {
  it("lists the CCP frame's devices (per-origin ids), selects each use and switches devices mid-call; an unplugged headset falls back", async () => {
    const config = { connector: "amazon-connect", options: { ccpUrl: ccp.ccpUrl, loginPopup: "false", ccpLoadTimeoutMs: "15000" } };
    app = await openApp(browser, appServer.url, "", unplugHook, config);
    const { page, panel, problems } = app;
    const frame = await ccpFrame(page, new URL(ccp.ccpUrl).origin);

    // The list: the CCP frame's own enumerateDevices() (its origin's ids), as Streams' getFrameMediaDevices returns it.
    await expect.poll(async () => (await audio(page)).devices.length, { timeout: UI_TIMEOUT }).toBeGreaterThan(2);
    const listed = await audio(page);
    const inFrame = await frame.evaluate(async () => (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind !== "videoinput").map((d) => d.deviceId));
    expect(listed.devices.map((d) => d.id)).toEqual(inFrame);
    expect({ input: listed.input, output: listed.output, ringer: listed.ringer }).toEqual({ input: "default", output: "default", ringer: "default" });
    const mic = listed.devices.find((d) => d.kind === "input" && d.id !== "default" && d.id !== "communications")!;
    const mic2 = listed.devices.find((d) => d.kind === "input" && d.id !== "default" && d.id !== "communications" && d.id !== mic.id)!;
    const speaker = listed.devices.find((d) => d.kind === "output" && d.id !== "default" && d.id !== "communications")!;
    expect([mic, mic2, speaker].every(Boolean)).toBe(true);

    // Chromium keys device ids by origin: this page, once granted, lists the same devices under other ids ("default" aside).
    const inPage = await page.evaluate(async () => {
      (await navigator.mediaDevices.getUserMedia({ audio: true })).getTracks().forEach((t) => t.stop());
      return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind !== "videoinput").map((d) => ({ id: d.deviceId, label: d.label }));
    });
    const samePhysical = inPage.find((d) => d.label === mic.label)!;
    expect(samePhysical.id).not.toBe(mic.id);
    expect(inPage.some((d) => d.id === "default")).toBe(true);
    // …and the CCP cannot use this page's id: setSinkId in the CCP frame refuses it, takes its own.
    const pageSpeaker = inPage.find((d) => d.label === speaker.label)!;
    const sink = (id: string) => frame.evaluate((i) => document.createElement("audio").setSinkId(i).then(() => "ok", (e: Error) => e.name), id);
    expect(await sink(pageSpeaker.id)).toBe("NotFoundError");
    expect(await sink(speaker.id)).toBe("ok");

    // Before a call: speaker and ringer reach the CCP at once; the microphone waits for the call's media.
    await select(page, "output", speaker.id);
    await select(page, "ringer", speaker.id);
    await select(page, "input", mic.id);
    expect(await ccpDevices(frame)).toEqual({ speaker: { deviceId: speaker.id }, ringer: { deviceId: speaker.id } });

    // A call: the CCP's softphone opens its media and gets the chosen microphone.
    await panel.getByRole("button", { name: "Log in" }).click();
    await panel.getByLabel("Status").selectOption({ label: "Available" });
    await expect.poll(() => panel.locator('[part~="time-in-state"]').textContent(), { timeout: UI_TIMEOUT }).toMatch(/^Available/);
    await frame.evaluate(() => (window as unknown as Win).fakeCcp.ringInbound({ from: "+15550100", fromName: "Ada Lovelace" }));
    const card = callCard(panel, "Ada Lovelace");
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");
    await expect.poll(async () => (await ccpDevices(frame)).microphone?.deviceId, { timeout: UI_TIMEOUT }).toBe(mic.id);

    // Mid-call switch: resolves once the CCP applied it to the live call.
    await select(page, "input", mic2.id);
    expect((await ccpDevices(frame)).microphone).toEqual({ deviceId: mic2.id });
    expect(await card.getAttribute("data-state")).toBe("connected");

    // The headset in use goes away (hidden from both origins' lists), the browser says devicechange: back to the default.
    const before = (await audio(page)).devices.length;
    await frame.evaluate((labels) => (window as unknown as { __unplug(l: string[]): void }).__unplug(labels), [mic2.label, speaker.label]);
    await page.evaluate((labels) => {
      (window as unknown as { __unplug(l: string[]): void }).__unplug(labels);
      navigator.mediaDevices.dispatchEvent(new Event("devicechange"));
    }, [mic2.label, speaker.label]);
    await expect.poll(async () => (await audio(page)).devices.length, { timeout: UI_TIMEOUT }).toBeLessThan(before);
    // Each fallback is its own message to the CCP frame, applied in turn: wait for both.
    await expect.poll(async () => await ccpDevices(frame), { timeout: UI_TIMEOUT }).toMatchObject({ microphone: { deviceId: "default" }, speaker: { deviceId: "default" } });
    expect((await ccpDevices(frame)).speaker).toEqual({ deviceId: "default" });
    expect(await audio(page)).toMatchObject({ input: "default", output: "default", ringer: "default" });
    const warnings = await page.evaluate(() =>
      (window as unknown as Win).__opencti.desktop
        .events()
        .filter((e) => e.type === "warning")
        .map((e) => (e as { code?: string }).code),
    );
    expect(warnings).toContain("AUDIO_DEVICE_LOST");
    expect(problems).toEqual([]);
  });
});
