import { describe, expect, it } from "vitest";
import { createDesktop } from "../desktop.js";
import type { Connector, ConnectorContext } from "../connector.js";
import type { AudioDevice, AudioUse } from "../model.js";
import { LIMITS } from "../validate.js";
import { DEVICE_LIMITS, watchAudioDevices, type MediaDeviceList } from "./audio.js";

/** A device list like the browser's: entries as enumerateDevices gives them, and a devicechange when they change. */
function deviceList(entries: { deviceId: string; kind: string; label: string }[]) {
  const target = new EventTarget();
  const list: MediaDeviceList & { set(next: typeof entries): void } = {
    enumerateDevices: () => Promise.resolve(entries.map((e) => ({ ...e, groupId: "g", toJSON: () => e })) as MediaDeviceInfo[]),
    addEventListener: target.addEventListener.bind(target) as MediaDeviceList["addEventListener"],
    removeEventListener: target.removeEventListener.bind(target) as MediaDeviceList["removeEventListener"],
    set(next) {
      entries = next;
      target.dispatchEvent(new Event("devicechange"));
    },
  };
  return list;
}

const BROWSER = [
  { deviceId: "default", kind: "audioinput", label: "Default - Built-in Microphone" },
  { deviceId: "mic-headset", kind: "audioinput", label: "Jabra Evolve2 65" },
  { deviceId: "cam", kind: "videoinput", label: "FaceTime HD Camera" },
  { deviceId: "default", kind: "audiooutput", label: "Default - Built-in Speakers" },
  { deviceId: "out-headset", kind: "audiooutput", label: "Jabra Evolve2 65" },
];

function setUp(media: MediaDeviceList) {
  const applied: [AudioUse, string][] = [];
  let ctx: ConnectorContext | undefined;
  const watcher = { current: undefined as ReturnType<typeof watchAudioDevices> | undefined };
  const connector: Connector = {
    name: "devices",
    capabilities: ["audioDevices"],
    reasons: [],
    start(c) {
      ctx = c;
      c.setLink("connected");
      watcher.current = watchAudioDevices({ ctx: () => ctx, mediaDevices: media, apply: (use, d: AudioDevice) => void applied.push([use, d.id]) });
    },
    stop: () => watcher.current?.stop(),
    login: async () => {},
    logout: async () => {},
    selectAudioDevice: ({ use, device }) => watcher.current!.select(use, device),
  };
  const desktop = createDesktop({ connector, requestTimeoutMs: 500 });
  return { desktop, applied, watcher };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

describe("watchAudioDevices", () => {
  it("lists audio inputs and outputs only, with the browser's default in use", async () => {
    const { desktop } = setUp(deviceList(BROWSER));
    await settle();
    expect(desktop.snapshot().audio).toEqual({
      devices: [
        { id: "default", label: "Default - Built-in Microphone", kind: "input" },
        { id: "mic-headset", label: "Jabra Evolve2 65", kind: "input" },
        { id: "default", label: "Default - Built-in Speakers", kind: "output" },
        { id: "out-headset", label: "Jabra Evolve2 65", kind: "output" },
      ],
      input: "default",
      output: "default",
      ringer: "default",
    });
  });

  it("skips ids the browser hides before the microphone is granted, and names unlabelled devices", async () => {
    const media = deviceList([
      { deviceId: "", kind: "audioinput", label: "" },
      { deviceId: "x1", kind: "audiooutput", label: "" },
    ]);
    const { desktop } = setUp(media);
    await settle();
    expect(desktop.snapshot().audio.devices).toEqual([{ id: "x1", label: "Speaker 1", kind: "output" }]);
  });

  it("applies a selection before reporting it; a device that goes away falls back to the default, applied, with a warning", async () => {
    const media = deviceList(BROWSER);
    const { desktop, applied } = setUp(media);
    await settle();
    await desktop.selectAudioDevice("input", "mic-headset");
    await desktop.selectAudioDevice("output", "out-headset");
    expect(applied).toEqual([
      ["input", "mic-headset"],
      ["output", "out-headset"],
    ]);
    const warnings: string[] = [];
    desktop.on("warning", (w) => warnings.push(`${w.code}: ${w.message}`));
    media.set(BROWSER.filter((d) => !d.deviceId.includes("headset")));
    await settle();
    expect(desktop.snapshot().audio).toMatchObject({ input: "default", output: "default", ringer: "default" });
    expect(applied.slice(2)).toEqual([
      ["input", "default"],
      ["output", "default"],
    ]);
    expect(warnings).toEqual([
      "AUDIO_DEVICE_LOST: Jabra Evolve2 65 (input) went away; using Default - Built-in Microphone.",
      "AUDIO_DEVICE_LOST: Jabra Evolve2 65 (output) went away; using Default - Built-in Speakers.",
    ]);
  });

  it("a browser that lists no \"default\" (Firefox, Safari): the first device of the kind is in use, and the fallback", async () => {
    const media = deviceList([
      { deviceId: "mic-a", kind: "audioinput", label: "Built-in" },
      { deviceId: "mic-b", kind: "audioinput", label: "Headset" },
      { deviceId: "out-a", kind: "audiooutput", label: "Speakers" },
    ]);
    const { desktop, applied } = setUp(media);
    await settle();
    expect(desktop.snapshot().audio).toMatchObject({ input: "mic-a", output: "out-a", ringer: "out-a" });
    await desktop.selectAudioDevice("input", "mic-b");
    media.set([
      { deviceId: "mic-a", kind: "audioinput", label: "Built-in" },
      { deviceId: "out-a", kind: "audiooutput", label: "Speakers" },
    ]);
    await settle();
    expect(desktop.snapshot().audio.input).toBe("mic-a");
    expect(applied).toEqual([
      ["input", "mic-b"],
      ["input", "mic-a"],
    ]);
  });

  it("still warns when apply throws (instead of rejecting) on the fallback", async () => {
    const media = deviceList(BROWSER);
    const warnings: string[] = [];
    let ctx: ConnectorContext | undefined;
    let throwing = false;
    const connector: Connector = {
      name: "devices",
      capabilities: ["audioDevices"],
      reasons: [],
      start(c) {
        ctx = c;
        c.setLink("connected");
        watcher = watchAudioDevices({
          ctx: () => ctx,
          mediaDevices: media,
          apply: () => {
            if (throwing) throw new Error("the sink is gone");
          },
        });
      },
      stop: () => watcher?.stop(),
      login: async () => {},
      logout: async () => {},
      selectAudioDevice: ({ use, device }) => watcher!.select(use, device),
    };
    let watcher: ReturnType<typeof watchAudioDevices> | undefined;
    const desktop = createDesktop({ connector, requestTimeoutMs: 500 });
    desktop.on("warning", (w) => warnings.push(w.code));
    await settle();
    await desktop.selectAudioDevice("output", "out-headset");
    throwing = true;
    media.set(BROWSER.filter((d) => d.deviceId !== "out-headset"));
    await settle();
    expect(warnings).toEqual(["AUDIO_DEVICE_LOST"]);
    // The default could not be opened: no device is in use for the output (not a reassuring "default").
    expect(desktop.snapshot().audio.output).toBeUndefined();
  });

  it("follows the browser while the agent chose nothing: a new first device is in use without a warning or an apply; inUse says undefined until a choice", async () => {
    const media = deviceList([
      { deviceId: "mic-a", kind: "audioinput", label: "Built-in" },
      { deviceId: "out-a", kind: "audiooutput", label: "Speakers" },
    ]);
    const { desktop, applied, watcher } = setUp(media);
    const warnings: string[] = [];
    desktop.on("warning", (w) => warnings.push(w.code));
    await settle();
    expect(watcher.current!.inUse("input")).toBeUndefined();
    media.set([
      { deviceId: "mic-h", kind: "audioinput", label: "Headset" },
      { deviceId: "out-a", kind: "audiooutput", label: "Speakers" },
    ]);
    await settle();
    expect(desktop.snapshot().audio.input).toBe("mic-h");
    expect(applied).toEqual([]);
    expect(warnings).toEqual([]);
    media.set([
      { deviceId: "mic-h", kind: "audioinput", label: "Headset" },
      { deviceId: "mic-a", kind: "audioinput", label: "Built-in" },
      { deviceId: "out-a", kind: "audiooutput", label: "Speakers" },
    ]);
    await settle();
    await desktop.selectAudioDevice("input", "mic-a");
    expect(watcher.current!.inUse("input")).toBe("mic-a");
  });

  it("keeps the list within the model's limits (64 devices, labels clipped) instead of losing it", async () => {
    expect(DEVICE_LIMITS).toEqual({ devices: LIMITS.devices, id: LIMITS.id, label: LIMITS.text });
    const many = Array.from({ length: 70 }, (_, i) => ({ deviceId: `out-${i}`, kind: "audiooutput", label: "x".repeat(i === 0 ? 2000 : 5) }));
    const { desktop } = setUp(deviceList(many));
    await settle();
    const { devices } = desktop.snapshot().audio;
    expect(devices).toHaveLength(64);
    expect(devices[0]!.label.length).toBeLessThanOrEqual(1024);
  });

  it("stops following devicechange once stopped (the desktop destroyed)", async () => {
    const media = deviceList(BROWSER);
    const { desktop } = setUp(media);
    await settle();
    const before = desktop.snapshot().audio;
    await desktop.destroy();
    media.set([]);
    await settle();
    expect(desktop.snapshot().audio).toBe(before);
  });
});
