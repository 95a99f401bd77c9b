/**
 * Audio devices on the SIP connector, in Chromium with fake media devices
 * ("Fake Audio Input 1/2", "Fake Audio Output 1/2", and the defaults): the
 * real sip.js in the page registers with a real Kamailio on 127.0.0.1, a SIPp
 * caller rings it with a WebRTC offer made in the page, the agent answers in
 * the panel, and the test picks devices through `desktop.selectAudioDevice`
 * (the same request the panel makes). What it reads is the browser's own:
 * the call's RTCRtpSender track settings and its `<audio>` element's sinkId.
 */
import type { Browser, Page } from "playwright-core";
import type { AudioDevices } from "@opencti/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSipLab, type SipLab } from "@opencti/sip/testing";
import { startAppServer, type AppServer } from "./support/app-server.ts";
import { launchBrowser } from "./support/browser.ts";
import { farEndOffer } from "./support/media-peer.ts";
import { callCard, openApp, UI_TIMEOUT, type AppPage } from "./support/desktop-page.ts";

type Probe = { __pcs: RTCPeerConnection[]; __audios: HTMLAudioElement[]; __unplugged: string[]; __mediaPeer?: RTCPeerConnection };

/**
 * Runs before the app. Records every RTCPeerConnection and `<audio>` element the page makes (to read
 * them back; both stay the browser's own), and lets the test unplug a device: enumerateDevices leaves
 * out the ids in `__unplugged`, and the test dispatches `devicechange`. This simulates pulling a
 * headset out; it is the browser API, not a stand-in for sip.js.
 */
function probe(): void {
  const w = window as unknown as Probe;
  w.__pcs = [];
  w.__audios = [];
  w.__unplugged = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      w.__pcs.push(this);
    }
  };
  const createElement = Document.prototype.createElement;
  Document.prototype.createElement = function (this: Document, tag: string, options?: ElementCreationOptions) {
    const element = createElement.call(this, tag, options);
    if (tag.toLowerCase() === "audio") w.__audios.push(element as HTMLAudioElement);
    return element;
  };
  const media = navigator.mediaDevices;
  const enumerate = media.enumerateDevices.bind(media);
  media.enumerateDevices = async () => (await enumerate()).filter((d) => !w.__unplugged.includes(d.deviceId));
}

/** What the call sends and plays: its microphone track (device, enabled, live) and its audio element's sink. */
function callMedia(page: Page): Promise<{ deviceId: string | undefined; enabled: boolean | undefined; tracks: number; sinkId: string | undefined }> {
  return page.evaluate(() => {
    const w = window as unknown as Probe;
    const pc = w.__pcs.filter((p) => p !== w.__mediaPeer && p.connectionState !== "closed").at(-1);
    const track = pc?.getSenders().find((s) => s.track?.kind === "audio")?.track;
    const audio = w.__audios.filter((a) => a.srcObject).at(-1) as (HTMLAudioElement & { sinkId: string }) | undefined;
    return { deviceId: track?.getSettings().deviceId, enabled: track?.enabled, tracks: pc?.getSenders().length ?? 0, sinkId: audio?.sinkId };
  });
}

const audioOf = (page: Page): Promise<AudioDevices> => page.evaluate(() => window.__opencti!.desktop!.snapshot().audio);
const select = (page: Page, use: "input" | "output" | "ringer", id: string): Promise<void> => page.evaluate(([u, d]) => window.__opencti!.desktop!.selectAudioDevice(u, d), [use, id] as const);
const idOf = (audio: AudioDevices, label: string): string => {
  const device = audio.devices.find((d) => d.label === label);
  if (!device) throw new Error(`no device "${label}" in ${JSON.stringify(audio.devices)}`);
  return device.id;
};

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

describe("audio devices on SIP (Chromium, real sip.js, Kamailio + SIPp)", () => {
  it("lists the devices; the input and output chosen before a call are the call's; both switch mid-call (mute kept); unplugged ones fall back to the default with AUDIO_DEVICE_LOST", async () => {
    const uri = lab.newAgentUri();
    const config = { connector: "sip", options: { server: lab.wsUrl, uri }, credentials: { password: lab.password } };
    app = await openApp(browser, appServer.url, "", probe, config);
    const { page, panel, problems } = app;

    // The list, with the browser's labels; the defaults in use.
    await expect.poll(async () => (await audioOf(page)).devices.map((d) => `${d.kind}:${d.label}`), { timeout: UI_TIMEOUT }).toEqual(expect.arrayContaining(["input:Fake Audio Input 1", "input:Fake Audio Input 2", "output:Fake Audio Output 1", "output:Fake Audio Output 2"]));
    const audio = await audioOf(page);
    expect(audio).toMatchObject({ input: "default", output: "default" });
    const [in1, in2, out1, out2] = [idOf(audio, "Fake Audio Input 1"), idOf(audio, "Fake Audio Input 2"), idOf(audio, "Fake Audio Output 1"), idOf(audio, "Fake Audio Output 2")];

    // Chosen before the call (and before login): the call opens that microphone and plays on that output.
    await select(page, "input", in1);
    await select(page, "output", out1);
    await select(page, "ringer", out2); // recorded: the panel rings on it
    expect(await audioOf(page)).toMatchObject({ input: in1, output: out1, ringer: out2 });

    await panel.getByRole("button", { name: "Log in" }).click();
    await panel.getByLabel("Status").selectOption({ label: "Ready" });
    const { callId } = await lab.ring(uri, { from: "+15550100", fromName: "Ada Lovelace", body: { contentType: "application/sdp", content: await farEndOffer(page) } });
    const card = callCard(panel, "Ada Lovelace");
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("ringing");
    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");
    await lab.waitFor(callId, "ANSWERED", UI_TIMEOUT);
    await expect.poll(() => callMedia(page), { timeout: UI_TIMEOUT }).toMatchObject({ deviceId: in1, enabled: true, sinkId: out1 });

    // Mid-call, muted: the new microphone track replaces the old one (no second sender) and stays muted.
    await panel.getByRole("button", { name: "Mute Ada Lovelace" }).click();
    await expect.poll(() => callMedia(page)).toMatchObject({ enabled: false });
    await select(page, "input", in2);
    expect(await callMedia(page)).toMatchObject({ deviceId: in2, enabled: false, tracks: 1 });
    await panel.getByRole("button", { name: "Unmute Ada Lovelace" }).click();
    await expect.poll(() => callMedia(page)).toMatchObject({ deviceId: in2, enabled: true });

    await select(page, "output", out2);
    expect(await callMedia(page)).toMatchObject({ sinkId: out2 });

    // The headset in use goes away (its microphone, and the output that was also the ringer): each falls back to the default, the live call too, with a warning each.
    await page.evaluate(([a, b]) => {
      (window as unknown as Probe).__unplugged.push(a, b);
      navigator.mediaDevices.dispatchEvent(new Event("devicechange"));
    }, [in2, out2] as const);
    await expect.poll(() => audioOf(page), { timeout: UI_TIMEOUT }).toMatchObject({ input: "default", output: "default", ringer: "default" });
    await expect.poll(() => callMedia(page), { timeout: UI_TIMEOUT }).toMatchObject({ deviceId: "default", sinkId: "default", tracks: 1 });
    const warnings = await page.evaluate(() => window.__opencti!.desktop!.events().flatMap((e) => (e.type === "warning" ? [`${e.code} ${e.message}`] : [])));
    expect(warnings.filter((w) => w.startsWith("AUDIO_DEVICE_LOST"))).toEqual([
      expect.stringContaining("Fake Audio Input 2 (input) went away"),
      expect.stringContaining("Fake Audio Output 2 (output) went away"),
      expect.stringContaining("Fake Audio Output 2 (ringer) went away"),
    ]);
    expect((await audioOf(page)).devices.some((d) => d.id === in2 && d.kind === "input")).toBe(false);

    await panel.getByRole("button", { name: "Hang up Ada Lovelace" }).click();
    await lab.waitFor(callId, "BYE", UI_TIMEOUT);
    expect(problems).toEqual([]);
  });
});
