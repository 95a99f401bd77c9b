/**
 * The agent's audio devices on SIP calls (`audioDevices`). Core's `watchAudioDevices` lists
 * them (enumerateDevices, `devicechange`, the fall back to "default" with an AUDIO_DEVICE_LOST
 * warning when one in use goes away) and calls `apply` here, which puts a device to use:
 *
 * - input: a new call's microphone is opened with `{ audio: { deviceId: { exact } } }` (sip.js's
 *   Web SessionDescriptionHandler hands its options' `constraints` to getUserMedia, see
 *   `microphone()`); on a live call a fresh getUserMedia track replaces the one being sent
 *   (RTCRtpSender.replaceTrack, no re-INVITE), the old track stops and mute is kept.
 * - output: `HTMLMediaElement.setSinkId` on every live call's `<audio>` element and on later
 *   ones (`attach`); NOT_SUPPORTED where the browser has no setSinkId, or with
 *   `playRemoteAudio: false` (the host plays the audio, not the connector).
 * - ringer: recorded only: for SIP the panel plays the ring tone, on `snapshot().audio.ringer`.
 */
import { CtiError, type AudioDevice, type AudioUse, type ConnectorContext } from "@opencti/core";
import { errorMessage, watchAudioDevices, type AudioDeviceWatcher, type MediaDeviceList } from "@opencti/core/connector";
import { deviceError } from "./errors.js";
import type { Line } from "./lines.js";

/** getUserMedia constraints for the microphone `deviceId`; undefined (sip.js's `{ audio: true }`) for the browser's choice. */
export function microphoneConstraints(deviceId: string | undefined): MediaStreamConstraints | undefined {
  return deviceId ? { audio: { deviceId: { exact: deviceId } } } : undefined;
}

/** Whether `<audio>` elements can be routed to a chosen output here (HTMLMediaElement.setSinkId). */
export function canSetSink(): boolean {
  return typeof HTMLMediaElement !== "undefined" && typeof (HTMLMediaElement.prototype as { setSinkId?: unknown }).setSinkId === "function";
}

type SinkElement = HTMLMediaElement & { setSinkId(id: string): Promise<void> };

export interface SipAudioOptions {
  /** The device list (the connector's `mediaDevices` option or `navigator.mediaDevices`). */
  readonly mediaDevices: MediaDeviceList | undefined;
  readonly ctx: () => ConnectorContext | undefined;
  /** The calls not yet in wrap-up or ended. */
  readonly live: () => Line[];
  readonly over: (line: Line) => boolean;
  /** The connector plays the far end (`playRemoteAudio`), so it can route it. */
  readonly playing: boolean;
}

export interface SipAudio {
  /** Starts following the device list (the first report follows at once); only with `audioDevices`. */
  start(): void;
  stop(): void;
  /** The connector's `selectAudioDevice`: applied to the live calls, then reported in use. */
  select(use: AudioUse, device: AudioDevice): Promise<void>;
  /** The constraints for a new call's microphone (the input in use). */
  microphone(): MediaStreamConstraints | undefined;
  /** A new call's `<audio>` element: it plays on the output in use. */
  attach(audio: HTMLAudioElement): void;
  /** A call's getUserMedia succeeded: the browser now shows device labels, so read the list again (once). */
  granted(): void;
}

export function createSipAudio(o: SipAudioOptions): SipAudio {
  let watcher: AudioDeviceWatcher | undefined;
  let refreshed = false;
  const media = o.mediaDevices as (MediaDeviceList & Partial<Pick<MediaDevices, "getUserMedia">>) | undefined;

  async function open(device: AudioDevice): Promise<MediaStreamTrack> {
    if (typeof media?.getUserMedia !== "function") throw new CtiError("NOT_SUPPORTED", "This browser cannot open a microphone here (no getUserMedia).", { request: "selectAudioDevice" });
    const stream = await media.getUserMedia(microphoneConstraints(device.id)).catch((e: unknown) => Promise.reject(deviceError(e, "input", device.label)));
    const [track, ...rest] = stream.getTracks();
    for (const t of rest) t.stop();
    if (!track) throw new CtiError("VENDOR_ERROR", `${device.label} gave no audio track.`, { request: "selectAudioDevice" });
    return track;
  }

  async function useInput(device: AudioDevice): Promise<void> {
    // One track per call: sip.js stops a call's tracks when it ends, which must not silence another call.
    for (const line of o.live().filter((l) => l.sip.hasInput())) {
      const track = await open(device);
      if (o.over(line)) {
        track.stop();
        continue;
      }
      await line.sip.replaceInput(track).catch((e: unknown) => {
        if (!o.over(line)) throw deviceError(e, "input", device.label);
      });
    }
  }

  async function useOutput(device: AudioDevice): Promise<void> {
    if (!o.playing) throw new CtiError("NOT_SUPPORTED", "The SIP connector does not play the calls' audio (playRemoteAudio is off), so it cannot choose their output.", { request: "selectAudioDevice" });
    if (!canSetSink()) throw new CtiError("NOT_SUPPORTED", "This browser cannot choose where audio plays (no HTMLMediaElement.setSinkId).", { request: "selectAudioDevice" });
    const elements = o.live().flatMap((line) => (line.audio ? [line.audio as SinkElement] : []));
    await Promise.all(elements.map((audio) => audio.setSinkId(device.id).catch((e: unknown) => Promise.reject(deviceError(e, "output", device.label)))));
  }

  async function apply(use: AudioUse, device: AudioDevice): Promise<void> {
    if (use === "input") await useInput(device);
    else if (use === "output") await useOutput(device);
    // ringer: the panel rings on snapshot().audio.ringer; nothing to apply here.
  }

  return {
    start() {
      watcher?.stop();
      refreshed = false;
      watcher = watchAudioDevices({ ctx: o.ctx, ...(media ? { mediaDevices: media } : {}), apply });
    },
    stop() {
      watcher?.stop();
      watcher = undefined;
    },
    async select(use, device) {
      if (!watcher) throw new CtiError("INVALID_STATE", "The SIP connector is not started.", { request: "selectAudioDevice" });
      await watcher.select(use, device);
    },
    microphone: () => microphoneConstraints(watcher?.inUse("input")),
    attach(audio) {
      const id = watcher?.inUse("output");
      if (!id || !o.playing || !canSetSink()) return;
      (audio as SinkElement).setSinkId(id).catch((e: unknown) => o.ctx()?.logger.warn("sip: the call's audio could not go to the chosen output", { device: id, error: errorMessage(e) }));
    },
    granted() {
      if (refreshed || !watcher) return;
      refreshed = true;
      void watcher.refresh();
    },
  };
}
