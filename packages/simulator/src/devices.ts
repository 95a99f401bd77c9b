/**
 * A fake `navigator.mediaDevices` for the simulator: a list of audio devices
 * as the browser's `enumerateDevices()` gives them, and a `devicechange`
 * when one is plugged in or unplugged. The simulator's connector reads it
 * (through core's `watchAudioDevices`, as a browser softphone reads the real
 * one) when it is given no `mediaDevices`, so demos and tests have devices
 * without a browser. Runs in Node (EventTarget) and in the browser.
 */
import type { MediaDeviceList } from "@opencti/core/connector";

/** One entry of the fake list: `MediaDeviceInfo`'s fields (`groupId` optional). */
export interface FakeMediaDevice {
  /** The browser's deviceId; "default" is the system's choice (one per kind). */
  readonly deviceId: string;
  readonly kind: "audioinput" | "audiooutput" | "videoinput";
  /** What the agent reads; "" as a browser lists it before the microphone is granted. */
  readonly label: string;
  readonly groupId?: string;
}

/** The simulated agent's devices: the default microphone and speakers, and a headset (its mic and its earpiece). */
export const FAKE_AUDIO_DEVICES: readonly FakeMediaDevice[] = [
  { deviceId: "default", kind: "audioinput", label: "Default - Built-in Microphone", groupId: "built-in" },
  { deviceId: "headset-mic", kind: "audioinput", label: "Headset Microphone", groupId: "headset" },
  { deviceId: "default", kind: "audiooutput", label: "Default - Built-in Speakers", groupId: "built-in" },
  { deviceId: "headset", kind: "audiooutput", label: "Headset", groupId: "headset" },
];

/** The fake list: what core's watcher needs of `navigator.mediaDevices` (enumerateDevices, devicechange listeners), plus plugging and unplugging. */
export interface FakeMediaDevices extends MediaDeviceList {
  /** The devices listed now. */
  readonly devices: readonly FakeMediaDevice[];
  /** Plugs a device in (replacing one of the same id and kind), then fires `devicechange`. */
  add(device: FakeMediaDevice): void;
  /** Unplugs the devices with `deviceId` (of `kind` only, when given), then fires `devicechange`; false when none was listed. */
  remove(deviceId: string, kind?: FakeMediaDevice["kind"]): boolean;
}

/** A fake device list, by default FAKE_AUDIO_DEVICES. Each call makes an independent list. */
export function createFakeMediaDevices(devices: readonly FakeMediaDevice[] = FAKE_AUDIO_DEVICES): FakeMediaDevices {
  const target = new EventTarget();
  let listed = [...devices];
  const changed = (): void => void target.dispatchEvent(new Event("devicechange"));
  return {
    enumerateDevices: () => Promise.resolve(listed.map((d): MediaDeviceInfo => ({ groupId: "", ...d, toJSON: () => ({ groupId: "", ...d }) }))),
    addEventListener: target.addEventListener.bind(target) as MediaDeviceList["addEventListener"],
    removeEventListener: target.removeEventListener.bind(target) as MediaDeviceList["removeEventListener"],
    get devices() {
      return listed;
    },
    add(device) {
      listed = [...listed.filter((d) => d.deviceId !== device.deviceId || d.kind !== device.kind), device];
      changed();
    },
    remove(deviceId, kind) {
      const kept = listed.filter((d) => d.deviceId !== deviceId || (kind !== undefined && d.kind !== kind));
      if (kept.length === listed.length) return false;
      listed = kept;
      changed();
      return true;
    },
  };
}
