// Audio devices through the real @twilio/voice-sdk's AudioHelper in Debian
// Chromium with fake devices ("Fake Audio Input 1", "Fake Audio Output 2"…),
// signalling on the PStream emulator, media with the in-page peer: the list,
// choosing input/output/ringer, what a live call then sends and plays, a
// device unplugged mid-call, and the refusals.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AudioDevices, Call } from "@opencti/core";
import type { Page } from "playwright-core";
import { mediaBytesReceived, mediaOffer } from "./support/browser.js";
import { openSession, startBrowserRig, type BrowserRig, type Session, type SessionOptions } from "./support/chromium-session.js";

let rig: BrowserRig;
let s: Session | undefined;

beforeAll(async () => {
  rig = await startBrowserRig();
});
afterAll(async () => {
  await rig?.close();
});
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** A session whose Device has listed the fake devices (its first enumeration is asynchronous: outputs, then inputs). */
async function session(options: SessionOptions = {}, on: BrowserRig = rig): Promise<Session> {
  s = await openSession(on, options);
  await vi.waitFor(() => expect(s!.desktop.snapshot().audio.devices.some((d) => d.kind === "input")).toBe(true), { timeout: 10_000 });
  return s;
}

const idOf = (audio: AudioDevices, kind: "input" | "output", label: string): string => {
  const device = audio.devices.find((d) => d.kind === kind && d.label === label);
  if (!device) throw new Error(`no ${kind} "${label}" in ${JSON.stringify(audio.devices)}`);
  return device.id;
};

// ---- what the SDK in the page does (read from the Device it built) --------

interface SdkView {
  /** The ids in the SDK's AudioHelper: its input device, speaker and ringtone devices. */
  input: string | null;
  speakers: string[];
  ringtone: string[];
  /** Where the SDK's incoming ringtone plays (its Sound's sink ids). */
  ringtoneSinks: string[];
  /** The active call: the track its RTCPeerConnection sends, the sinks of its audio elements. */
  call?: { sender: { deviceId: string | undefined; label: string; readyState: string }; outputs: [string, string][] };
}

const sdkView = (page: Page): Promise<SdkView> =>
  page.evaluate(() => {
    interface Helper {
      inputDevice: MediaDeviceInfo | null;
      speakerDevices: { get(): Set<MediaDeviceInfo> };
      ringtoneDevices: { get(): Set<MediaDeviceInfo> };
    }
    // The SDK's private fields, read only: the active call's PeerConnection and audio outputs, the ringtone's Sound.
    interface PrivateDevice {
      audio: Helper;
      _activeCall: { _mediaHandler: { version: { pc: RTCPeerConnection }; outputs: Map<string, { audio: HTMLAudioElement }> } } | null;
      _soundcache: Map<string, { _sinkIds: string[] }>;
    }
    const device = (window as unknown as { __device: PrivateDevice }).__device;
    const ids = (set: Set<MediaDeviceInfo>) => [...set].map((d) => d.deviceId);
    const handler = device._activeCall?._mediaHandler;
    const track = handler?.version.pc.getSenders()[0]?.track;
    return {
      input: device.audio.inputDevice?.deviceId ?? null,
      speakers: ids(device.audio.speakerDevices.get()),
      ringtone: ids(device.audio.ringtoneDevices.get()),
      ringtoneSinks: [...device._soundcache.get("incoming")!._sinkIds],
      ...(handler && track ? { call: { sender: { deviceId: track.getSettings().deviceId, label: track.label, readyState: track.readyState }, outputs: [...handler.outputs].map(([id, o]) => [id, o.audio.sinkId] as [string, string]) } } : {}),
    };
  });

/** Every microphone track getUserMedia handed the page (the SDK's), with its device and whether it is still open. */
const microphones = (page: Page): Promise<{ deviceId: string | undefined; readyState: string }[]> =>
  page.evaluate(() => (window as unknown as { __gumTracks: MediaStreamTrack[] }).__gumTracks.map((t) => ({ deviceId: t.getSettings().deviceId, readyState: t.readyState })));

/** Unplugs devices: the browser's list stops showing them and says so (`devicechange`), as when a headset is pulled out. */
const unplug = (page: Page, ids: string[]): Promise<void> =>
  page.evaluate((gone) => {
    const devices = (window as unknown as { __devices: { hidden: Set<string> } }).__devices;
    for (const id of gone) devices.hidden.add(id);
    navigator.mediaDevices.dispatchEvent(new Event("devicechange"));
  }, ids);

async function ring(sess: Session): Promise<Call> {
  const callSid = `CA${Date.now().toString(16)}${Math.random().toString(16).slice(2, 10)}`;
  sess.emulator.ring({ callSid, sdp: await mediaOffer(sess.tp.page, callSid), from: "+15550100" });
  return (await sess.next("call.ringing", (e) => e.call.id === callSid)).call;
}

async function answered(sess: Session): Promise<Call> {
  await sess.desktop.login({});
  await sess.desktop.setAgentState("ready");
  const call = await ring(sess);
  await sess.desktop.answer(call.id);
  await sess.next("call.connected", (e) => e.call.id === call.id);
  // Media flows from the agent's microphone to the far end before the test changes anything.
  await vi.waitFor(async () => expect(await mediaBytesReceived(sess.tp.page, call.id)).toBeGreaterThan(0), { timeout: 20_000, interval: 100 });
  return call;
}

describe("the device list", () => {
  it("is the SDK's, reported once the Device exists (logged out), with the defaults in use", async () => {
    const sess = await session();
    expect(sess.desktop.capabilities).toContain("audioDevices");
    expect(sess.desktop.snapshot().agent.state).toBe("logged_out");
    const audio = sess.desktop.snapshot().audio;
    expect(audio.devices.filter((d) => d.kind === "input").map((d) => d.label)).toEqual(["Fake Default Audio Input", "Fake Audio Input 1", "Fake Audio Input 2"]);
    expect(audio.devices.filter((d) => d.kind === "output").map((d) => d.label)).toEqual(["Fake Default Audio Output", "Fake Audio Output 1", "Fake Audio Output 2"]);
    expect(audio).toMatchObject({ input: "default", output: "default", ringer: "default" });
    // The very lists of the SDK's AudioHelper.
    const sdkIds = await sess.tp.page.evaluate(() => {
      const audio = (window as unknown as { __device: { audio: { availableInputDevices: Map<string, unknown>; availableOutputDevices: Map<string, unknown> } } }).__device.audio;
      return [...audio.availableInputDevices.keys(), ...audio.availableOutputDevices.keys()];
    });
    expect(audio.devices.map((d) => d.id)).toEqual(sdkIds);
    expect(sess.events.filter((e) => e.type === "audio.changed").length).toBeGreaterThan(0);
  });

  it("devices the browser lists without labels (microphone not granted yet) read Microphone 1, Speaker 1", async () => {
    const sess = await session({ page: { devices: { unlabelled: true } } });
    const labels = sess.desktop.snapshot().audio.devices.map((d) => `${d.kind}:${d.label}`);
    // The SDK names an unlabelled "default" "Default", the others "Unknown Audio Input Device 1": the connector says Microphone 1.
    expect(labels).toEqual(["input:Default", "input:Microphone 1", "input:Microphone 2", "output:Default", "output:Speaker 1", "output:Speaker 2"]);
  });
});

describe("choosing devices", () => {
  it("input, output and ringer while logged out: the outputs are the SDK's at once (speakerDevices, ringtoneDevices), the input is remembered without opening the microphone", async () => {
    const sess = await session();
    const audio = sess.desktop.snapshot().audio;
    const mic = idOf(audio, "input", "Fake Audio Input 2");
    const headset = idOf(audio, "output", "Fake Audio Output 1");
    const speakers = idOf(audio, "output", "Fake Audio Output 2");
    await sess.desktop.selectAudioDevice("input", mic);
    await sess.desktop.selectAudioDevice("output", headset);
    await sess.desktop.selectAudioDevice("ringer", speakers);
    expect(sess.desktop.snapshot().audio).toMatchObject({ input: mic, output: headset, ringer: speakers });
    const changed = await sess.next("audio.changed", (e) => e.audio.ringer === speakers);
    expect(changed.previous).toMatchObject({ input: mic, output: headset, ringer: "default" });
    // Idle: no setInputDevice, so the SDK has no input and getUserMedia was never called.
    expect(await sdkView(sess.tp.page)).toMatchObject({ input: null, speakers: [headset], ringtone: [speakers], ringtoneSinks: [speakers] });
    expect(await microphones(sess.tp.page)).toEqual([]);
  });

  it("the chosen microphone is open only during a call: none live while idle after choosing, the call sends it, every track ended after hang-up", async () => {
    const sess = await session();
    const mic = idOf(sess.desktop.snapshot().audio, "input", "Fake Audio Input 2");
    await sess.desktop.selectAudioDevice("input", mic);
    expect(await microphones(sess.tp.page)).toEqual([]);
    const call = await answered(sess);
    expect((await sdkView(sess.tp.page)).call?.sender).toMatchObject({ deviceId: mic, readyState: "live" });
    expect((await microphones(sess.tp.page)).filter((t) => t.readyState === "live")).toEqual([{ deviceId: mic, readyState: "live" }]);
    expect(sess.desktop.snapshot().audio.input).toBe(mic);
    await sess.desktop.hangup(call.id);
    await sess.next("call.ended", (e) => e.call.id === call.id);
    await vi.waitFor(async () => expect((await microphones(sess.tp.page)).map((t) => t.readyState)).toEqual(expect.arrayContaining(["ended"])));
    await vi.waitFor(async () => expect((await microphones(sess.tp.page)).filter((t) => t.readyState === "live")).toEqual([]), { timeout: 5000 });
    // Released, still chosen: the SDK has no input, the desktop says the choice, the next call opens it again.
    expect((await sdkView(sess.tp.page)).input).toBeNull();
    expect(sess.desktop.snapshot().audio.input).toBe(mic);
    const again = await ring(sess);
    await sess.desktop.answer(again.id);
    await sess.next("call.connected", (e) => e.call.id === again.id);
    expect((await sdkView(sess.tp.page)).call?.sender).toMatchObject({ deviceId: mic, readyState: "live" });
    await sess.desktop.hangup(again.id);
    await vi.waitFor(async () => expect((await microphones(sess.tp.page)).filter((t) => t.readyState === "live")).toEqual([]), { timeout: 5000 });
  });

  it("an offer rejected or cancelled opens nothing; quick selections settle in order and the report is the last", async () => {
    const sess = await session();
    const audio = sess.desktop.snapshot().audio;
    const one = idOf(audio, "input", "Fake Audio Input 1");
    const two = idOf(audio, "input", "Fake Audio Input 2");
    await sess.desktop.login({});
    await sess.desktop.setAgentState("ready");
    const call = await ring(sess);
    // Past the desktop (which takes one selection per use at a time): the connector's own chain.
    const signal = new AbortController().signal;
    const select = (use: "input" | "output", id: string) => sess.connector.selectAudioDevice!({ use, device: { id, label: id, kind: use === "input" ? "input" : "output" }, signal });
    await Promise.all([select("input", one), select("input", two)]);
    expect(sess.desktop.snapshot().audio.input).toBe(two);
    await sess.desktop.reject(call.id);
    await sess.next("call.ended", (e) => e.call.id === call.id);
    expect(await microphones(sess.tp.page)).toEqual([]);
    // Mid-call, one after the other through the SDK: the call ends up sending the last one chosen.
    const live = await ring(sess);
    await sess.desktop.answer(live.id);
    await sess.next("call.connected", (e) => e.call.id === live.id);
    const headset = idOf(audio, "output", "Fake Audio Output 1");
    await Promise.all([select("input", one), select("input", two), select("output", headset)]);
    expect((await sdkView(sess.tp.page)).call?.sender).toMatchObject({ deviceId: two, readyState: "live" });
    expect(sess.desktop.snapshot().audio).toMatchObject({ input: two, output: headset });
    await sess.desktop.hangup(live.id);
    await vi.waitFor(async () => expect((await microphones(sess.tp.page)).filter((t) => t.readyState === "live")).toEqual([]), { timeout: 5000 });
  });

  it("input mid-call: the call's RTP sender switches to the new microphone's track, and audio still reaches the far end", async () => {
    const sess = await session();
    const mic = idOf(sess.desktop.snapshot().audio, "input", "Fake Audio Input 1");
    const call = await answered(sess);
    expect((await sdkView(sess.tp.page)).call?.sender).toMatchObject({ deviceId: "default", readyState: "live" });
    await sess.desktop.selectAudioDevice("input", mic);
    expect((await sdkView(sess.tp.page)).call?.sender).toEqual({ deviceId: mic, label: "Fake Audio Input 1", readyState: "live" });
    const before = await mediaBytesReceived(sess.tp.page, call.id);
    await vi.waitFor(async () => expect(await mediaBytesReceived(sess.tp.page, call.id)).toBeGreaterThan(before), { timeout: 10_000, interval: 100 });
    expect(sess.desktop.getCall(call.id)?.state).toBe("connected");
    await sess.desktop.hangup(call.id);
  });

  it("output mid-call: the call's audio element plays on the new sink", async () => {
    const sess = await session();
    const headset = idOf(sess.desktop.snapshot().audio, "output", "Fake Audio Output 1");
    const call = await answered(sess);
    // The SDK plays a call on its "master" audio element, keyed by the first output in use ("default": no setSinkId yet).
    await vi.waitFor(async () => expect((await sdkView(sess.tp.page)).call?.outputs.map(([id]) => id)).toEqual(["default"]));
    await sess.desktop.selectAudioDevice("output", headset);
    expect((await sdkView(sess.tp.page)).call?.outputs).toEqual([[headset, headset]]);
    expect(sess.desktop.snapshot().audio.output).toBe(headset);
    await sess.desktop.hangup(call.id);
  });

  it("the ringer is routed on its own: the ringtone on the speakers, the call's audio on the headset", async () => {
    const sess = await session();
    const audio = sess.desktop.snapshot().audio;
    const headset = idOf(audio, "output", "Fake Audio Output 1");
    const speakers = idOf(audio, "output", "Fake Audio Output 2");
    await sess.desktop.selectAudioDevice("output", headset);
    await sess.desktop.selectAudioDevice("ringer", speakers);
    await sess.desktop.login({});
    await sess.desktop.setAgentState("ready");
    const call = await ring(sess);
    expect(await sdkView(sess.tp.page)).toMatchObject({ ringtone: [speakers], ringtoneSinks: [speakers], speakers: [headset] });
    await sess.desktop.answer(call.id);
    await sess.next("call.connected", (e) => e.call.id === call.id);
    await vi.waitFor(async () => expect((await sdkView(sess.tp.page)).call?.outputs).toEqual([[headset, headset]]), { timeout: 10_000 });
    await sess.desktop.hangup(call.id);
  });

  it("a device the SDK does not list: INVALID_ARGUMENT (the desktop refuses unknown ids itself; the connector and the SDK past it)", async () => {
    const sess = await session();
    await expect(sess.desktop.selectAudioDevice("input", "no-such-mic")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(sess.desktop.selectAudioDevice("ringer", "no-such-speaker")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    // Past the desktop's check (a device gone between the list and the request): the SDK's InvalidArgumentError.
    const signal = new AbortController().signal;
    await expect(sess.connector.selectAudioDevice!({ use: "input", device: { id: "gone-mic", label: "Gone", kind: "input" }, signal })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(sess.connector.selectAudioDevice!({ use: "output", device: { id: "gone-speaker", label: "Gone", kind: "output" }, signal })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("a browser without setSinkId: output and ringer NOT_SUPPORTED, the input still chosen", async () => {
    const sess = await session({ page: { noSetSinkId: true } });
    const audio = sess.desktop.snapshot().audio;
    const headset = idOf(audio, "output", "Fake Audio Output 1");
    await expect(sess.desktop.selectAudioDevice("output", headset)).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    await expect(sess.desktop.selectAudioDevice("ringer", headset)).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    const mic = idOf(audio, "input", "Fake Audio Input 2");
    await sess.desktop.selectAudioDevice("input", mic);
    expect(sess.desktop.snapshot().audio.input).toBe(mic);
  });
});

describe("a device unplugged mid-call", () => {
  it("the microphone and headset in use go away: the SDK falls back to the defaults, reported with AUDIO_DEVICE_LOST; the call sends the default microphone and plays on the default output", async () => {
    const sess = await session();
    const audio = sess.desktop.snapshot().audio;
    const mic = idOf(audio, "input", "Fake Audio Input 1");
    const headset = idOf(audio, "output", "Fake Audio Output 1");
    await sess.desktop.selectAudioDevice("input", mic);
    await sess.desktop.selectAudioDevice("output", headset);
    const call = await answered(sess);
    await vi.waitFor(async () => expect((await sdkView(sess.tp.page)).call).toMatchObject({ sender: { deviceId: mic }, outputs: [[headset, headset]] }), { timeout: 10_000 });
    const from = sess.lastSeq();
    await unplug(sess.tp.page, [mic, headset]);
    const changed = await sess.next("audio.changed", (e) => e.audio.input === "default" && e.audio.output === "default", { after: from });
    expect(changed.audio.devices.map((d) => d.id)).not.toContain(mic);
    expect(changed.audio.devices.map((d) => d.id)).not.toContain(headset);
    await vi.waitFor(() => expect(sess.events.filter((e) => e.seq > from && e.type === "warning").length).toBe(2));
    const warnings = sess.events.filter((e) => e.seq > from && e.type === "warning").map((e) => e as { code: string; message: string });
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: "AUDIO_DEVICE_LOST", message: "Fake Audio Output 1 (output) went away; Twilio uses Fake Default Audio Output." }),
        expect.objectContaining({ code: "AUDIO_DEVICE_LOST", message: "Fake Audio Input 1 (input) went away; Twilio uses Fake Default Audio Input." }),
      ]),
    );
    // What the SDK did on its own: a new default track on the call's sender, the call's audio on the default sink.
    await vi.waitFor(async () => expect((await sdkView(sess.tp.page)).call).toMatchObject({ sender: { deviceId: "default", readyState: "live" }, outputs: [["default", expect.any(String)]] }), { timeout: 10_000 });
    expect(sess.desktop.snapshot().audio).toMatchObject({ input: "default", output: "default", ringer: "default" });
    expect(sess.desktop.getCall(call.id)?.state).toBe("connected");
    expect(sess.events.filter((e) => e.seq > from && e.type === "error")).toEqual([]);
    await sess.desktop.hangup(call.id);
  });

  it("the chosen microphone unplugged while idle: AUDIO_DEVICE_LOST, the default reported, and still nothing opened", async () => {
    const sess = await session();
    const mic = idOf(sess.desktop.snapshot().audio, "input", "Fake Audio Input 1");
    await sess.desktop.selectAudioDevice("input", mic);
    const from = sess.lastSeq();
    await unplug(sess.tp.page, [mic]);
    await sess.next("audio.changed", (e) => e.audio.input === "default", { after: from });
    await vi.waitFor(() => expect(sess.events.filter((e) => e.seq > from && e.type === "warning")).toEqual([expect.objectContaining({ code: "AUDIO_DEVICE_LOST", message: "Fake Audio Input 1 (input) went away; Twilio uses Fake Default Audio Input." })]));
    await new Promise((r) => setTimeout(r, 300));
    expect(await microphones(sess.tp.page)).toEqual([]);
  });

  it("a device not in use going away: the list shrinks, no warning", async () => {
    const sess = await session();
    const spare = idOf(sess.desktop.snapshot().audio, "input", "Fake Audio Input 2");
    const from = sess.lastSeq();
    await unplug(sess.tp.page, [spare]);
    const changed = await sess.next("audio.changed", (e) => !e.audio.devices.some((d) => d.id === spare), { after: from });
    expect(changed.audio.input).toBe("default");
    await new Promise((r) => setTimeout(r, 300));
    expect(sess.events.filter((e) => e.seq > from && e.type === "warning")).toEqual([]);
  });
});

describe("a browser that refuses the microphone", () => {
  let blocked: BrowserRig | undefined;
  afterAll(async () => {
    await blocked?.close();
  });

  it("a microphone chosen while idle is only remembered; answering then fails MEDIA_PERMISSION_DENIED (getUserMedia's NotAllowedError through errors.ts)", async () => {
    blocked = await startBrowserRig(undefined, "blocked");
    // A blocked browser lists its devices without ids (nothing to choose): list its "default" as a browser that shows ids does
    // (an unknown id would fail getUserMedia with OverconstrainedError before the permission is asked).
    const sess = await session({ page: { devices: { extra: [{ deviceId: "default", kind: "audioinput", label: "" }] } } }, blocked);
    expect(sess.desktop.snapshot().audio).toEqual({ devices: [{ id: "default", label: "Default", kind: "input" }], input: "default" });
    await sess.desktop.selectAudioDevice("input", "default");
    expect(await sdkView(sess.tp.page)).toMatchObject({ input: null });
    await sess.desktop.login({});
    await sess.desktop.setAgentState("ready");
    const call = await ring(sess);
    await expect(sess.desktop.answer(call.id)).rejects.toMatchObject({ code: "MEDIA_PERMISSION_DENIED" });
    expect(sess.events.filter((e) => e.type === "warning")).toEqual([]);
  });
});
