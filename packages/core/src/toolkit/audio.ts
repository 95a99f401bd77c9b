/**
 * The agent's audio devices from the browser's own list
 * (`navigator.mediaDevices`), for connectors whose media runs in the page
 * (SIP) or that route it by device id (Amazon Connect). It reports the list
 * and the devices in use with `ctx.setAudioDevices`, follows `devicechange`,
 * and when a device in use goes away (a headset unplugged mid-call) falls
 * back to the default with an `AUDIO_DEVICE_LOST` warning.
 */
import type { AudioDevice, AudioDevices, AudioUse } from "../model.js";
import type { ContextRef } from "./guard.js";

/** What the watcher needs of `navigator.mediaDevices` (a test may pass its own list). */
export type MediaDeviceList = Pick<MediaDevices, "enumerateDevices" | "addEventListener" | "removeEventListener">;

export interface AudioDeviceWatcherOptions {
  readonly ctx: ContextRef;
  /** Default `navigator.mediaDevices` (absent outside a browser: an empty list). */
  readonly mediaDevices?: MediaDeviceList;
  /**
   * Puts `device` to `use` on the live call and later ones (replace the input
   * track, set the output sink); throw a CtiError to refuse. Also called with
   * the fallback when a device in use went away.
   */
  readonly apply: (use: AudioUse, device: AudioDevice) => void | Promise<void>;
}

export interface AudioDeviceWatcher {
  /** Reads the list again (after the microphone was granted, labels appear) and reports it. */
  refresh(): Promise<void>;
  /** A connector's `selectAudioDevice`: applies the device, then reports it in use. */
  select(use: AudioUse, device: AudioDevice): Promise<void>;
  /**
   * The device the agent chose for `use`, undefined until it chose one (or
   * after it went away): then the connector should follow the browser's
   * default (no `exact` deviceId, no setSinkId), as the list reports it.
   */
  inUse(use: AudioUse): string | undefined;
  /** Stops following `devicechange`. */
  stop(): void;
}

/** The model's limits (LIMITS.devices, .id, .text), written out: the toolkit does not load core's validators. */
export const DEVICE_LIMITS = { devices: 64, id: 256, label: 1024 } as const;
const KINDS = { audioinput: "input", audiooutput: "output" } as const;
const WORDS = { input: "Microphone", output: "Speaker" } as const;

/** Starts reading and following the device list; the first report follows at once. */
export function watchAudioDevices(options: AudioDeviceWatcherOptions): AudioDeviceWatcher {
  const media = options.mediaDevices ?? (globalThis.navigator as Navigator | undefined)?.mediaDevices;
  let state: AudioDevices = { devices: [] };
  let stopped = false;
  // One read at a time, in order: the last devicechange wins.
  let chain = Promise.resolve();
  /** The uses the agent chose a device for; the others follow the browser's default. */
  const chosen = new Set<AudioUse>();
  const ctx = () => (typeof options.ctx === "function" ? options.ctx() : options.ctx);
  /** A device of the list by id and kind (ids repeat across kinds: "default"). */
  const find = (devices: readonly AudioDevice[], use: AudioUse, id?: string) => devices.find((d) => d.kind === (use === "input" ? "input" : "output") && d.id === id);

  const report = (next: AudioDevices): void => {
    state = next;
    if (!stopped) ctx()?.setAudioDevices(next);
  };

  async function read(): Promise<void> {
    const listed = media ? await media.enumerateDevices() : [];
    const count = { input: 0, output: 0 };
    const devices: AudioDevice[] = [];
    for (const d of listed) {
      const kind = KINDS[d.kind as keyof typeof KINDS];
      // Before the microphone is granted a browser lists ids as "": nothing to select yet. (Within the model's limits.)
      if (!kind || !d.deviceId || d.deviceId.length > DEVICE_LIMITS.id || devices.length === DEVICE_LIMITS.devices) continue;
      devices.push({ id: d.deviceId, label: (d.label || `${WORDS[kind]} ${++count[kind]}`).slice(0, DEVICE_LIMITS.label), kind });
    }
    const next: { -readonly [K in keyof AudioDevices]: AudioDevices[K] } = { devices };
    const lost: [AudioUse, string][] = [];
    for (const use of ["input", "output", "ringer"] as const) {
      const was = state[use];
      if (chosen.has(use) && was && find(devices, use, was)) next[use] = was;
      else {
        // Not chosen (or gone): the browser's default, or (a browser that lists none, Firefox, Safari) the first device of the kind.
        const fallback = find(devices, use, "default") ?? devices.find((d) => d.kind === (use === "input" ? "input" : "output"));
        if (fallback) next[use] = fallback.id;
        if (chosen.delete(use) && was !== "default") lost.push([use, find(state.devices, use, was)?.label ?? String(was)]);
      }
    }
    // The fallbacks are applied before they are reported: one that fails leaves its use without a device.
    const words: string[] = [];
    for (const [use, label] of lost) {
      const fallback = find(devices, use, next[use]);
      // (Through then: an apply that throws instead of rejecting fails the same way.)
      const applied = !!fallback && !stopped && (await Promise.resolve(fallback).then((d) => options.apply(use, d)).then(() => true, () => false));
      if (stopped) return;
      if (!applied) delete next[use];
      words.push(`${label} (${use}) went away; ${applied ? `using ${fallback.label}` : "no other device could be opened"}.`);
    }
    report(next);
    for (const message of words) ctx()?.signal({ kind: "warning", code: "AUDIO_DEVICE_LOST", message });
  }

  const refresh = (): Promise<void> => (chain = chain.then(read, read).catch((err: unknown) => ctx()?.signal({ kind: "warning", code: "AUDIO_DEVICES_UNREADABLE", message: `The browser did not list the audio devices: ${String(err)}` })));
  const onChange = (): void => void refresh();
  media?.addEventListener("devicechange", onChange);
  void refresh();

  return {
    refresh,
    // On the same chain as the reads: a fallback being applied finishes first, and the choice wins.
    select(use, device) {
      const done = chain.then(async () => {
        await options.apply(use, device);
        chosen.add(use);
        report({ ...state, [use]: device.id });
      });
      chain = done.catch(() => undefined);
      return done;
    },
    inUse: (use) => (chosen.has(use) ? state[use] : undefined),
    stop() {
      stopped = true;
      media?.removeEventListener("devicechange", onChange);
    },
  };
}
