/**
 * The agent's audio devices through the Voice SDK's own audio helper
 * (`device.audio`, an AudioHelper in @twilio/voice-sdk 2.x), not the
 * browser's list: the SDK routes the call's audio by its own lists and
 * choices, and falls back by itself when a device goes away.
 *
 * - The list: `availableInputDevices` / `availableOutputDevices`, reported
 *   once the Device exists and again on each SDK `deviceChange`.
 * - input → `setInputDevice(id)`: the SDK opens that microphone and replaces
 *   the track of the live call (RTCRtpSender.replaceTrack); later calls use it.
 * - output → `speakerDevices.set([id])`: the live call's audio element and
 *   the SDK's outgoing/disconnect/DTMF sounds (HTMLMediaElement.setSinkId).
 * - ringer → `ringtoneDevices.set([id])`: the SDK's incoming ringtone only.
 * - A device in use that went away (the SDK's `deviceChange` with
 *   `lostActiveDevices`): the SDK itself moves that use to "default" (or its
 *   first device) — the input by opening it again, the outputs at once — and
 *   the connector reports that fallback with an `AUDIO_DEVICE_LOST` warning.
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
   * The connector's `selectAudioDevice`: resolves once the SDK uses `device`
   * for `use` (and reports it). Rejects NOT_SUPPORTED for output or ringer
   * where the browser has no setSinkId (`isOutputSelectionSupported` false),
   * MEDIA_PERMISSION_DENIED when the microphone is refused, INVALID_ARGUMENT
   * for a device the SDK does not list (any other SDK error: errors.ts).
   */
  select(device: Device, use: AudioUse, choice: AudioDevice): Promise<void>;
  detach(): void;
}

const first = (devices: Set<MediaDeviceInfo>): string | undefined => devices.values().next().value?.deviceId;

/** What the SDK uses now, as the desktop's AudioDevices. */
function read(audio: AudioHelper): AudioDevices {
  return audioDevices(audio.availableInputDevices.values(), audio.availableOutputDevices.values(), {
    input: audio.inputDevice?.deviceId,
    output: first(audio.speakerDevices.get()),
    ringer: first(audio.ringtoneDevices.get()),
  });
}

export function createTwilioAudio(ctx: () => ConnectorContext | undefined, wrap: Wrap): TwilioAudio {
  let helper: AudioHelper | undefined;
  let now: AudioDevices = { devices: [] };
  let onChange: ((lost: MediaDeviceInfo[]) => void) | undefined;

  function report(audio: AudioHelper): AudioDevices {
    const was = now;
    now = read(audio);
    ctx()?.setAudioDevices(now);
    return was;
  }

  /** The list changed; a device in use among `lost` is a warning naming where the SDK went instead. */
  function changed(audio: AudioHelper, lost: readonly MediaDeviceInfo[]): void {
    const was = report(audio);
    for (const use of ["input", "output", "ringer"] as const) {
      const id = was[use];
      const kind = use === "input" ? "input" : "output";
      const gone = id !== undefined && lost.some((d) => d.deviceId === id && d.kind === `audio${kind}`);
      if (!gone) continue;
      const label = was.devices.find((d) => d.kind === kind && d.id === id)?.label ?? id;
      const fallback = now.devices.find((d) => d.kind === kind && d.id === now[use])?.label ?? "the default device";
      ctx()?.signal({ kind: "warning", code: "AUDIO_DEVICE_LOST", message: `${label} (${use}) went away; Twilio uses ${fallback}.` });
    }
  }

  return {
    attach(device) {
      const audio = device.audio;
      if (!audio) return;
      helper = audio;
      onChange = wrap((lost: MediaDeviceInfo[]) => changed(audio, Array.isArray(lost) ? lost : []));
      audio.on("deviceChange", onChange);
      report(audio);
    },

    async select(device, use, choice) {
      const audio = device.audio;
      if (!audio) throw new CtiError("NOT_SUPPORTED", "The Twilio Device has no audio helper", { request: "selectAudioDevice" });
      if (use !== "input" && !audio.isOutputSelectionSupported) {
        throw new CtiError("NOT_SUPPORTED", "This browser cannot choose where audio plays (no HTMLMediaElement.setSinkId)", { request: "selectAudioDevice" });
      }
      try {
        if (use === "input") await audio.setInputDevice(choice.id);
        else await (use === "output" ? audio.speakerDevices : audio.ringtoneDevices).set([choice.id]);
      } catch (error) {
        throw toTwilioCtiError(error, "selectAudioDevice");
      }
      report(audio);
    },

    detach() {
      if (helper && onChange) helper.removeListener("deviceChange", onChange);
      helper = undefined;
      onChange = undefined;
    },
  };
}
