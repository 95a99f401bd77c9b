/**
 * The simulator's audio devices: its fake device list (or a host's own), read
 * through core's watchAudioDevices; a chosen device is recorded on the server
 * (the simulator plays no audio).
 */
import { createDesktop, CtiError, type Capability, type DesktopEvent } from "@opencti/core";
import type { MediaDeviceList } from "@opencti/core/connector";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createFakeMediaDevices, createSimulator, FAKE_AUDIO_DEVICES, type SimulatorConnectorOptions } from "../src/index.js";

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

function setup(connector: SimulatorConnectorOptions = {}) {
  const sim = createSimulator({ connector: { reconnectDelaysMs: [5], ...connector } });
  const desktop = createDesktop({ connector: sim.connector, requestTimeoutMs: 300 });
  const events: DesktopEvent[] = [];
  desktop.on("*", (e) => events.push(e));
  cleanup.push(async () => {
    await desktop.destroy();
    sim.server.dispose();
  });
  return { ...sim, desktop, events };
}

const until = <T>(fn: () => T) =>
  vi.waitFor(
    () => {
      const v = fn();
      if (!v) throw new Error("not yet");
      return v;
    },
    { timeout: 2000, interval: 2 },
  );

const LISTED = [
  { id: "default", label: "Default - Built-in Microphone", kind: "input" },
  { id: "headset-mic", label: "Headset Microphone", kind: "input" },
  { id: "default", label: "Default - Built-in Speakers", kind: "output" },
  { id: "headset", label: "Headset", kind: "output" },
];

describe("simulator audio devices", () => {
  it("lists the fake devices by default, the defaults in use, before anyone logs in", async () => {
    const { desktop, events } = setup();
    await until(() => desktop.snapshot().audio.devices.length > 0);
    expect(desktop.snapshot().audio).toEqual({ devices: LISTED, input: "default", output: "default", ringer: "default" });
    expect(desktop.snapshot().agent.state).toBe("logged_out");
    expect(events.filter((e) => e.type === "audio.changed")).toHaveLength(1);
  });

  it("selects a device for each use, on a live call, recording what it applied on the server", async () => {
    const { desktop, server } = setup();
    await until(() => desktop.snapshot().audio.devices.length > 0);
    // Logged out first: choosing a device is local.
    await desktop.selectAudioDevice("ringer", "headset");
    await desktop.login({ agentId: "a1" });
    const id = server.ringInbound({ from: "+15550100" });
    await until(() => desktop.getCall(id));
    await desktop.answer(id);
    await desktop.selectAudioDevice("input", "headset-mic");
    await desktop.selectAudioDevice("output", "headset");
    expect(desktop.snapshot().audio).toMatchObject({ input: "headset-mic", output: "headset", ringer: "headset" });
    expect(Object.fromEntries([...server.audioInUse].map(([use, d]) => [use, `${d.kind}:${d.id}`]))).toEqual({ ringer: "output:headset", input: "input:headset-mic", output: "output:headset" });
    // A microphone is not a speaker, nor an unknown id a device: refused before the connector.
    await expect(desktop.selectAudioDevice("ringer", "headset-mic")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(desktop.selectAudioDevice("output", "nope")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("a headset unplugged mid-call: every use on it falls back to the default, applied, with an AUDIO_DEVICE_LOST warning each", async () => {
    const media = createFakeMediaDevices();
    const { desktop, server, events } = setup({ mediaDevices: media });
    await until(() => desktop.snapshot().audio.devices.length > 0);
    await desktop.login({ agentId: "a1" });
    const id = server.ringInbound({ from: "+15550100" });
    await until(() => desktop.getCall(id));
    await desktop.answer(id);
    await desktop.selectAudioDevice("input", "headset-mic");
    await desktop.selectAudioDevice("output", "headset");
    expect(media.remove("headset-mic")).toBe(true);
    expect(media.remove("headset", "audiooutput")).toBe(true);
    await until(() => desktop.snapshot().audio.output === "default");
    expect(desktop.snapshot().audio).toEqual({ devices: [LISTED[0], LISTED[2]], input: "default", output: "default", ringer: "default" });
    expect(server.audioInUse.get("input")).toEqual(LISTED[0]);
    expect(server.audioInUse.get("output")).toEqual(LISTED[2]);
    expect(events.filter((e) => e.type === "warning").map((e) => (e.type === "warning" ? `${e.code}: ${e.message}` : ""))).toEqual([
      "AUDIO_DEVICE_LOST: Headset Microphone (input) went away; using Default - Built-in Microphone.",
      "AUDIO_DEVICE_LOST: Headset (output) went away; using Default - Built-in Speakers.",
    ]);
    // The call goes on.
    expect(desktop.getCall(id)?.state).toBe("connected");
    // Plugged back in: listed again, the default stays in use until the agent chooses.
    media.add(FAKE_AUDIO_DEVICES[3]!);
    await until(() => desktop.snapshot().audio.devices.length === 3);
    expect(desktop.snapshot().audio.output).toBe("default");
    expect(media.remove("nothing-like-it")).toBe(false);
  });

  it("reads a host's own list (navigator.mediaDevices in a browser), devices in any order, unlabelled ones named", async () => {
    const media = createFakeMediaDevices([
      { deviceId: "usb-1", kind: "audiooutput", label: "" },
      { deviceId: "cam", kind: "videoinput", label: "Camera" },
      { deviceId: "default", kind: "audioinput", label: "Default" },
    ]);
    const { desktop } = setup({ mediaDevices: media satisfies MediaDeviceList });
    await until(() => desktop.snapshot().audio.devices.length > 0);
    expect(desktop.snapshot().audio).toEqual({
      devices: [
        { id: "usb-1", label: "Speaker 1", kind: "output" },
        { id: "default", label: "Default", kind: "input" },
      ],
      input: "default",
      // No "default" output listed: the first output is in use (as Firefox and Safari list them).
      output: "usb-1",
      ringer: "usb-1",
    });
  });

  it("a refused microphone refuses an input device (MEDIA_PERMISSION_DENIED); outputs still change", async () => {
    const { desktop, server } = setup({ microphone: "denied" });
    await until(() => desktop.snapshot().audio.devices.length > 0);
    const err = await desktop.selectAudioDevice("input", "headset-mic").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CtiError);
    expect(err).toMatchObject({ code: "MEDIA_PERMISSION_DENIED" });
    expect(desktop.snapshot().audio.input).toBe("default");
    expect(server.audioInUse.has("input")).toBe(false);
    await desktop.selectAudioDevice("output", "headset");
    expect(desktop.snapshot().audio.output).toBe("headset");
  });

  it("without the audioDevices capability: no devices, and selectAudioDevice is NOT_SUPPORTED", async () => {
    const capabilities: Capability[] = ["agentState", "answer", "hangup"];
    const media = createFakeMediaDevices();
    const listen = vi.spyOn(media, "addEventListener");
    const { desktop } = setup({ capabilities, mediaDevices: media });
    await until(() => desktop.snapshot().link === "connected");
    expect(desktop.snapshot().audio).toEqual({ devices: [] });
    expect(listen).not.toHaveBeenCalled();
    await expect(desktop.selectAudioDevice("output", "headset")).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
  });

  it("stops following the list when the desktop is destroyed", async () => {
    const media = createFakeMediaDevices();
    const { desktop } = setup({ mediaDevices: media });
    await until(() => desktop.snapshot().audio.devices.length > 0);
    const before = desktop.snapshot().audio;
    await desktop.destroy();
    media.remove("headset");
    await new Promise((r) => setTimeout(r, 10));
    expect(desktop.snapshot().audio).toBe(before);
  });
});
