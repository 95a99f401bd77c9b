/**
 * Audio devices through the real Streams library against the fake CCP: the
 * list is the CCP frame's (Streams' getFrameMediaDevices), each choice goes
 * to the CCP with Streams' agent.setSpeakerDevice / setMicrophoneDevice /
 * setRingerDevice and counts once the CCP says it applied it.
 */
import type { CtiError } from "@opencti/core";
import { afterEach, describe, expect, it } from "vitest";
import type { FakeMediaDevice } from "../src/testing/index.js";
import { openSession, type Session } from "./support/session.js";

/** The CCP's devices as its own origin lists them (ids unlike any this page would see). */
const DEVICES: FakeMediaDevice[] = [
  { deviceId: "default", kind: "audioinput", label: "Default - Built-in Microphone", groupId: "g-1" },
  { deviceId: "ccp-mic-builtin", kind: "audioinput", label: "Built-in Microphone", groupId: "g-1" },
  { deviceId: "ccp-mic-headset", kind: "audioinput", label: "Jabra Evolve2 65", groupId: "g-2" },
  { deviceId: "default", kind: "audiooutput", label: "Default - Built-in Speakers", groupId: "g-1" },
  { deviceId: "ccp-out-speakers", kind: "audiooutput", label: "Built-in Speakers", groupId: "g-1" },
  { deviceId: "ccp-out-headset", kind: "audiooutput", label: "Jabra Evolve2 65", groupId: "g-2" },
  { deviceId: "ccp-camera", kind: "videoinput", label: "Camera", groupId: "g-3" },
];
const UNPLUGGED = DEVICES.filter((d) => d.groupId !== "g-2");

let s: Session | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** A session whose page hears `devicechange` on `page` (JSDOM has no navigator.mediaDevices), the ringtone on. */
async function open(): Promise<{ s: Session; page: EventTarget }> {
  const page = new EventTarget();
  s = await openSession({ fake: { mediaDevices: DEVICES }, connector: { mediaDevices: page, softphone: { disableRingtone: false } } });
  await s.waitFor(() => s!.desktop.snapshot().audio.devices.length > 0, "the CCP's devices");
  return { s, page };
}

describe("amazon-connect audio devices (real Streams, fake CCP)", () => {
  it("lists the CCP frame's audio devices, the defaults in use", async () => {
    const { s } = await open();
    expect(s.desktop.snapshot().capabilities).toContain("audioDevices");
    expect(s.desktop.snapshot().audio).toEqual({
      devices: [
        { id: "default", label: "Default - Built-in Microphone", kind: "input" },
        { id: "ccp-mic-builtin", label: "Built-in Microphone", kind: "input" },
        { id: "ccp-mic-headset", label: "Jabra Evolve2 65", kind: "input" },
        { id: "default", label: "Default - Built-in Speakers", kind: "output" },
        { id: "ccp-out-speakers", label: "Built-in Speakers", kind: "output" },
        { id: "ccp-out-headset", label: "Jabra Evolve2 65", kind: "output" },
      ],
      input: "default",
      output: "default",
      ringer: "default",
    });
    // Asked of the CCP through Streams (connect.core.getFrameMediaDevices).
    expect(s.h.fake.received).toContain("media_device_request");
    expect(s.h.fake.devices()).toEqual({});
  });

  it("sends each use's device to the CCP through Streams, which applies it", async () => {
    const { s } = await open();
    await s.desktop.selectAudioDevice("output", "ccp-out-headset");
    expect(s.h.fake.devices().speaker).toEqual({ deviceId: "ccp-out-headset" });
    await s.desktop.selectAudioDevice("ringer", "ccp-out-speakers");
    expect(s.h.fake.devices().ringer).toEqual({ deviceId: "ccp-out-speakers" });
    // No call: the CCP has no media stream and drops a microphone choice; the connector sends it again for the next call.
    await s.desktop.selectAudioDevice("input", "ccp-mic-headset");
    expect(s.h.fake.devices().microphone).toBeUndefined();
    const { output, ringer, input } = s.desktop.snapshot().audio;
    expect({ output, ringer, input }).toEqual({ output: "ccp-out-headset", ringer: "ccp-out-speakers", input: "ccp-mic-headset" });
    const changed = s.events.filter((e) => e.type === "audio.changed");
    expect(changed.map((e) => (e.type === "audio.changed" ? [e.previous.output, e.audio.output] : []))).toContainEqual(["default", "ccp-out-headset"]);

    // The next call's media starts on the default microphone; the CCP gets the choice as its stream opens.
    await s.answeredCall();
    await s.waitFor(() => s.h.fake.devices().microphone?.deviceId === "ccp-mic-headset", "the microphone on the call");
    expect(s.h.fake.devices()).toEqual({ speaker: { deviceId: "ccp-out-headset" }, ringer: { deviceId: "ccp-out-speakers" }, microphone: { deviceId: "ccp-mic-headset" } });
  });

  it("switches the live call's microphone and speaker mid-call, resolving once the CCP applied them", async () => {
    const { s } = await open();
    const call = await s.answeredCall();
    // The softphone opened the call's media (agent::local_media_stream_created): the CCP takes a microphone now.
    await new Promise((r) => setTimeout(r, 30));
    await s.desktop.selectAudioDevice("input", "ccp-mic-headset");
    expect(s.h.fake.devices().microphone).toEqual({ deviceId: "ccp-mic-headset" });
    await s.desktop.selectAudioDevice("output", "ccp-out-headset");
    expect(s.h.fake.devices().speaker).toEqual({ deviceId: "ccp-out-headset" });
    await s.desktop.selectAudioDevice("input", "ccp-mic-builtin");
    expect(s.h.fake.devices().microphone).toEqual({ deviceId: "ccp-mic-builtin" });
    expect(s.desktop.getCall(call.id)?.state).toBe("connected");
  });

  it("a device unplugged mid-call falls back to the default, says AUDIO_DEVICE_LOST and sends the default to the CCP", async () => {
    const { s, page } = await open();
    await s.answeredCall();
    await new Promise((r) => setTimeout(r, 30));
    await s.desktop.selectAudioDevice("output", "ccp-out-headset");
    await s.desktop.selectAudioDevice("input", "ccp-mic-headset");
    expect(s.h.fake.devices()).toMatchObject({ speaker: { deviceId: "ccp-out-headset" }, microphone: { deviceId: "ccp-mic-headset" } });
    const after = s.lastSeq();
    // The headset goes away: the CCP's list loses it, and this page hears devicechange.
    s.h.fake.setMediaDevices(UNPLUGGED);
    page.dispatchEvent(new Event("devicechange"));
    const lost = await s.next("warning", (e) => e.code === "AUDIO_DEVICE_LOST", { after });
    expect(lost.message).toContain("Jabra Evolve2 65");
    await s.waitFor(() => s.h.fake.devices().speaker?.deviceId === "default" && s.h.fake.devices().microphone?.deviceId === "default", "the defaults at the CCP");
    const { input, output, devices } = s.desktop.snapshot().audio;
    expect({ input, output }).toEqual({ input: "default", output: "default" });
    expect(devices.map((d) => d.id)).not.toContain("ccp-out-headset");
  });

  it("follows a device the agent picks in the CCP's own settings", async () => {
    const { s } = await open();
    // The CCP's softphone broadcasts what it applied (Streams' ConfigurationEvents.SPEAKER_DEVICE_CHANGED).
    s.h.fake.sendRaw("configuration::speaker_device_changed", { deviceId: "ccp-out-speakers" });
    await s.waitFor(() => s.desktop.snapshot().audio.output === "ccp-out-speakers", "the CCP's choice");
    // Not sent back to the CCP as a new choice (the fake would have applied it).
    await new Promise((r) => setTimeout(r, 30));
    expect(s.h.fake.devices()).toEqual({});
  });

  it("refuses a choice while the CCP is down (LINK_DOWN, typed) and takes it once the CCP is back", async () => {
    const { s } = await open();
    s.h.fake.dropLink();
    await s.waitFor(() => s.desktop.snapshot().link === "reconnecting", "the link down");
    const err = (await s.desktop.selectAudioDevice("output", "ccp-out-headset").catch((e: unknown) => e)) as CtiError;
    expect(err.code).toBe("LINK_DOWN");
    expect(err.retryable).toBe(true);
    expect(s.desktop.snapshot().audio.output).toBe("default");
    expect(s.h.fake.devices().speaker).toBeUndefined();
    s.h.fake.restoreLink();
    await s.waitFor(() => s.desktop.snapshot().link === "connected", "the link back");
    await s.desktop.selectAudioDevice("output", "ccp-out-headset");
    expect(s.h.fake.devices().speaker).toEqual({ deviceId: "ccp-out-headset" });
  });

  it("with the ringtone off the CCP keeps the ringer without confirming: the choice resolves once sent", async () => {
    s = await openSession({ fake: { mediaDevices: DEVICES }, connector: { mediaDevices: new EventTarget() } });
    await s.waitFor(() => s!.desktop.snapshot().audio.devices.length > 0, "the CCP's devices");
    await s.desktop.selectAudioDevice("ringer", "ccp-out-headset");
    expect(s.desktop.snapshot().audio.ringer).toBe("ccp-out-headset");
    await s.waitFor(() => s!.h.fake.devices().ringer?.deviceId === "ccp-out-headset", "the ringer kept by the CCP");
  });

  it("a desk phone agent (softphoneEnabled false): no device listed, a choice refused NOT_SUPPORTED, nothing sent to the CCP", async () => {
    s = await openSession({ fake: { mediaDevices: DEVICES, softphoneEnabled: false }, connector: { mediaDevices: new EventTarget() } });
    await s.answeredCall();
    await new Promise((r) => setTimeout(r, 50));
    expect(s.desktop.snapshot().audio.devices).toEqual([]);
    expect(s.desktop.snapshot().audio.input).toBeUndefined();
    // The desktop refuses an id that is not listed; the connector itself refuses the use, typed.
    expect(((await s.desktop.selectAudioDevice("input", "default").catch((e: unknown) => e)) as CtiError).code).toBe("INVALID_ARGUMENT");
    const direct = (await s.h.connector.selectAudioDevice!({ use: "input", device: { id: "default", label: "Default", kind: "input" }, signal: new AbortController().signal }).catch((e: unknown) => e)) as CtiError;
    expect(direct.code).toBe("NOT_SUPPORTED");
    expect(direct.message).toContain("desk phone");
    expect(s.desktop.snapshot().audio.input).toBeUndefined();
    expect(s.h.fake.received.filter((e) => e.startsWith("broadcast:configuration::set_"))).toEqual([]);
  });

  it("waits for the CCP's confirmation outside the watcher's chain: another use goes on meanwhile; unconfirmed, it times out, is not shown nor re-sent", async () => {
    const { s } = await open();
    // The CCP's softphone manager is not up yet: nothing applies or confirms the speaker.
    s.h.fake.holdDeviceChanges(true);
    const started = Date.now();
    const output = s.desktop.selectAudioDevice("output", "ccp-out-headset").catch((e: unknown) => e);
    // No call: the microphone needs no confirmation, and does not wait behind the speaker.
    await s.desktop.selectAudioDevice("input", "ccp-mic-headset");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(s.desktop.snapshot().audio.input).toBe("ccp-mic-headset");
    expect(s.desktop.snapshot().audio.output).toBe("default");
    expect(((await output) as CtiError).code).toBe("REQUEST_TIMEOUT");
    expect(s.desktop.snapshot().audio.output).toBe("default");
    // The CCP comes back with its softphone manager: the unconfirmed speaker is not sent again, the microphone is (with the call).
    s.h.fake.holdDeviceChanges(false);
    s.h.fake.dropLink();
    await s.waitFor(() => s.desktop.snapshot().link === "reconnecting", "the link down");
    s.h.fake.restoreLink();
    await s.waitFor(() => s.desktop.snapshot().link === "connected", "the link back");
    await s.answeredCall();
    await s.waitFor(() => s.h.fake.devices().microphone?.deviceId === "ccp-mic-headset", "the microphone on the call");
    expect(s.h.fake.devices().speaker).toBeUndefined();
    expect(s.desktop.snapshot().audio.output).toBe("default");
  });
});
