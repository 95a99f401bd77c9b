/**
 * The agent's audio devices through the Voice SDK's own audio helper
 * (`device.audio`, an AudioHelper in @twilio/voice-sdk 2.x), not the
 * browser's list: the SDK routes the call's audio by its own lists and
 * choices, and falls back by itself when a device goes away.
 *
 * - The list: `availableInputDevices` / `availableOutputDevices`, reported
 *   once the Device exists and again on each SDK `deviceChange`.
 * - input: remembered here, and opened only for calls. The SDK's
 *   `setInputDevice(id)` opens that microphone and keeps it open until
 *   `unsetInputDevice()` (audiohelper.ts, "will not release it
 *   automatically"; its lost-input fallback and `devicechange` handling open
 *   it again), so the connector calls `setInputDevice(chosen)` only while a
 *   call is live or just before `accept()` / `connect()` (`beforeCall`), and
 *   `unsetInputDevice()` once the last call is gone (`release`). Idle, no
 *   microphone is open; the report says the choice.
 * - output → `speakerDevices.set([id])`: the live call's audio element and
 *   the SDK's outgoing/disconnect/DTMF sounds (HTMLMediaElement.setSinkId).
 * - ringer → `ringtoneDevices.set([id])`: the SDK's incoming ringtone only.
 * - A device in use that went away (the SDK's `deviceChange` with
 *   `lostActiveDevices`, or a remembered input no longer listed): the SDK
 *   moves that use to "default" (or its first device) — the input by opening
 *   it again, on a live call only here — and the connector reports that
 *   fallback with an `AUDIO_DEVICE_LOST` warning.
 * - One promise chain per use: selections (and, for the input, the opening
 *   before a call and the release after it) run one after the other, and
 *   each reports what the SDK ended on once its promise settled.
 *
 * Core's toolkit `watchAudioDevices` reads `navigator.mediaDevices` and
 * applies its own fallback; here the SDK already does both, so this module
 * only reports what the SDK has.
 */
import { CtiError, type AudioDevice, type AudioDevices, type AudioUse, type ConnectorContext } from "@opencti/core";
import type { AudioHelper } from "@twilio/voice-sdk";
import type { Device, Wrap } from "./device.js";
import { toTwilioCtiError } from "./errors.js";
import { audioDevices } from "./mapping.js";

export interface TwilioAudio {
  /** Follows this Device's audio helper: reports its devices now and on each `deviceChange`. */
  attach(device: Device): void;
  /**
   * The connector's `selectAudioDevice`: resolves once the choice is the
   * SDK's (and reported). The input is remembered and opened only for calls
   * (at once when a call is live). Rejects NOT_SUPPORTED for output or ringer
   * where the browser has no setSinkId (`isOutputSelectionSupported` false),
   * MEDIA_PERMISSION_DENIED when the microphone is refused (on a live call),
   * INVALID_ARGUMENT for a device the SDK does not list (any other SDK error:
   * errors.ts).
   */
  select(device: Device, use: AudioUse, choice: AudioDevice): Promise<void>;
  /**
   * Just before `call.accept()` / `device.connect()`: opens the chosen
   * microphone for the call (`setInputDevice`). Never rejects: a choice the
   * SDK cannot open leaves the SDK's default (a warning says so, unless the
   * microphone is refused, which the call itself then reports).
   */
  beforeCall(device: Device): Promise<void>;
  /** No call is live any more: the microphone is released (`unsetInputDevice`); the choice stays for the next call. */
  release(device: Device): void;
  detach(): void;
}

const first = (devices: Set<MediaDeviceInfo>): string | undefined => devices.values().next().value?.deviceId;

export function createTwilioAudio(ctx: () => ConnectorContext | undefined, wrap: Wrap): TwilioAudio {
  let helper: AudioHelper | undefined;
  let now: AudioDevices = { devices: [] };
  let onChange: ((lost: MediaDeviceInfo[]) => void) | undefined;
  /** The agent's microphone, opened only for calls (undefined: the SDK's default). */
  let chosen: string | undefined;
  /** Between beforeCall and release: the chosen input goes to the SDK at once. */
  let engaged = false;
  /** One promise chain per use. */
  const chains: Record<AudioUse, Promise<unknown>> = { input: Promise.resolve(), output: Promise.resolve(), ringer: Promise.resolve() };
  const enqueue = <T>(use: AudioUse, step: () => Promise<T>): Promise<T> => {
    const next = chains[use].then(step, step);
    chains[use] = next.catch(() => undefined);
    return next;
  };

  const live = (device: Device): boolean => engaged || device.isBusy;

  /** What the SDK uses now, as the desktop's AudioDevices: the input it has open on a live call, else the remembered choice. */
  function read(audio: AudioHelper): AudioDevices {
    const input = (engaged ? audio.inputDevice?.deviceId : undefined) ?? chosen ?? audio.inputDevice?.deviceId;
    return audioDevices(audio.availableInputDevices.values(), audio.availableOutputDevices.values(), {
      input,
      output: first(audio.speakerDevices.get()),
      ringer: first(audio.ringtoneDevices.get()),
    });
  }

  function report(audio: AudioHelper): AudioDevices {
    const was = now;
    now = read(audio);
    ctx()?.setAudioDevices(now);
    return was;
  }

  /** Re-reads once the SDK's own input promise (a fallback it started; `_getInputDevicePromise`, which 2.18 has and Device.connect awaits too) settled. */
  async function settled(audio: AudioHelper): Promise<void> {
    const pending = (audio as { _getInputDevicePromise?: () => Promise<void> | null })._getInputDevicePromise?.();
    await pending?.catch(() => undefined);
    report(audio);
  }

  /** The list changed; a device in use among `lost` (or a remembered input no longer listed) is a warning naming where the SDK went instead. */
  function changed(audio: AudioHelper, lost: readonly MediaDeviceInfo[]): void {
    const chosenGone = chosen !== undefined && !audio.availableInputDevices.has(chosen) ? chosen : undefined;
    if (chosenGone) chosen = undefined;
    const was = report(audio);
    for (const use of ["input", "output", "ringer"] as const) {
      const id = was[use];
      const kind = use === "input" ? "input" : "output";
      const gone = id !== undefined && (lost.some((d) => d.deviceId === id && d.kind === `audio${kind}`) || (use === "input" && id === chosenGone));
      if (!gone) continue;
      const label = was.devices.find((d) => d.kind === kind && d.id === id)?.label ?? id;
      const fallback = now.devices.find((d) => d.kind === kind && d.id === now[use])?.label ?? "the default device";
      ctx()?.signal({ kind: "warning", code: "AUDIO_DEVICE_LOST", message: `${label} (${use}) went away; Twilio uses ${fallback}.` });
    }
    void settled(audio);
  }

  const helperOf = (device: Device): AudioHelper => device.audio ?? fail("NOT_SUPPORTED", "The Twilio Device has no audio helper");

  return {
    attach(device) {
      const audio = device.audio;
      if (!audio) return;
      helper = audio;
      onChange = wrap((lost: MediaDeviceInfo[]) => changed(audio, Array.isArray(lost) ? lost : []));
      audio.on("deviceChange", onChange);
      report(audio);
    },

    select(device, use, choice) {
      const audio = helperOf(device);
      if (use !== "input" && !audio.isOutputSelectionSupported) {
        return Promise.reject(new CtiError("NOT_SUPPORTED", "This browser cannot choose where audio plays (no HTMLMediaElement.setSinkId)", { request: "selectAudioDevice" }));
      }
      return enqueue(use, async () => {
        try {
          if (use !== "input") await (use === "output" ? audio.speakerDevices : audio.ringtoneDevices).set([choice.id]);
          else if (live(device)) {
            await audio.setInputDevice(choice.id);
            chosen = choice.id;
          } else if (audio.availableInputDevices.has(choice.id)) chosen = choice.id;
          else fail("INVALID_ARGUMENT", `Twilio does not list the microphone ${choice.id}`);
        } catch (error) {
          throw error instanceof CtiError ? error : toTwilioCtiError(error, "selectAudioDevice");
        } finally {
          await settled(audio);
        }
      });
    },

    beforeCall(device) {
      const audio = device.audio;
      engaged = true;
      if (!audio) return Promise.resolve();
      return enqueue("input", async () => {
        const id = chosen;
        if (id === undefined || !engaged) return;
        try {
          await audio.setInputDevice(id);
        } catch (error) {
          const cti = toTwilioCtiError(error, "selectAudioDevice");
          const label = now.devices.find((d) => d.kind === "input" && d.id === id)?.label ?? id;
          if (cti.code !== "MEDIA_PERMISSION_DENIED") ctx()?.signal({ kind: "warning", code: "AUDIO_DEVICE_LOST", message: `Twilio could not open ${label} (${cti.message}); the call uses the default microphone.` });
        }
        await settled(audio);
      });
    },

    release(device) {
      engaged = false;
      const audio = device.audio;
      if (!audio) return;
      void enqueue("input", async () => {
        // A call taken up meanwhile keeps it (the SDK refuses to unset an input during a call).
        if (engaged || device.isBusy || !audio.inputDevice) return;
        await audio.unsetInputDevice().catch(() => undefined);
        report(audio);
      });
    },

    detach() {
      if (helper && onChange) helper.removeListener("deviceChange", onChange);
      helper = undefined;
      onChange = undefined;
    },
  };
}

const fail = (code: "NOT_SUPPORTED" | "INVALID_ARGUMENT", message: string): never => {
  throw new CtiError(code, message, { request: "selectAudioDevice" });
};
