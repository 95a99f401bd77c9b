/**
 * The agent's audio devices on SIP calls (`audioDevices`). Core's `watchAudioDevices` lists
 * them (enumerateDevices, `devicechange`, the fall back to "default" with an AUDIO_DEVICE_LOST
 * warning when one in use goes away) and calls `apply` here, which puts a device to use:
 *
 * - input: a new call's microphone is opened with `{ audio: { deviceId: { exact } } }` (sip.js's
 *   Web SessionDescriptionHandler hands its options' `constraints` to getUserMedia, see
 *   `microphone()`); on a live call a fresh getUserMedia track replaces the one being sent
 *   (RTCRtpSender.replaceTrack, no re-INVITE), the old track stops and mute is kept. The choice is
 *   in place for new calls while it is applied; the live calls are walked until none is left on
 *   another microphone (calls answered or dialled meanwhile included); if one call cannot switch,
 *   the calls that had switched go back (a call that cannot go back says so in an
 *   AUDIO_INPUT_NOT_RESTORED warning) and the selection rejects, the input in use unchanged.
 *   Until the agent chose an input (core's `inUse` undefined) calls open the browser's default.
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

/** The device id a call's microphone constraints name (undefined: the browser's default). */
function deviceOf(microphone: MediaStreamConstraints | undefined): string | undefined {
  const audio = microphone?.audio as { deviceId?: { exact?: string } } | undefined;
  return audio?.deviceId?.exact;
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
  /** The constraints for a new call's microphone: the input being selected, else the one in use (undefined: the browser's default). */
  microphone(): MediaStreamConstraints | undefined;
  /**
   * A call opened its microphone with `microphone` (the constraints `microphone()` gave it): recorded,
   * and moved to the input chosen while it was opening (a failure is an AUDIO_INPUT_NOT_RESTORED warning on the call).
   */
  opened(line: Line, microphone: MediaStreamConstraints | undefined): void;
  /** A new call's `<audio>` element: it plays on the output in use. */
  attach(audio: HTMLAudioElement): void;
  /** A call's getUserMedia succeeded: the browser now shows device labels, so read the list again (once). */
  granted(): void;
}

export function createSipAudio(o: SipAudioOptions): SipAudio {
  let watcher: AudioDeviceWatcher | undefined;
  let refreshed = false;
  const media = o.mediaDevices as (MediaDeviceList & Partial<Pick<MediaDevices, "getUserMedia">>) | undefined;
  /** The input a selection asked for (set by `select` before the watcher applies it). */
  let requested: AudioDevice | undefined;
  /** The input a selection is putting in place: new calls open it already, until the watcher reports it in use. */
  let pending: AudioDevice | undefined;
  /** An input switch is walking the live calls: a call that opened its microphone meanwhile is left to it. */
  let walking = false;
  /** The device each call's microphone was opened on or moved to (undefined: the browser's default). */
  const inputs = new WeakMap<Line, string | undefined>();
  /** The input new calls open: the one being put in place, else the agent's choice (undefined: the browser's default). */
  const wanted = (): string | undefined => pending?.id ?? watcher?.inUse("input");

  /** A microphone track on `id` (undefined: the browser's default), one per call. */
  async function open(id: string | undefined, label: string): Promise<MediaStreamTrack> {
    if (typeof media?.getUserMedia !== "function") throw new CtiError("NOT_SUPPORTED", "This browser cannot open a microphone here (no getUserMedia).", { request: "selectAudioDevice" });
    const stream = await media.getUserMedia(microphoneConstraints(id) ?? { audio: true }).catch((e: unknown) => Promise.reject(deviceError(e, "input", label)));
    const [track, ...rest] = stream.getTracks();
    for (const t of rest) t.stop();
    if (!track) throw new CtiError("VENDOR_ERROR", `${label} gave no audio track.`, { request: "selectAudioDevice" });
    return track;
  }

  /**
   * Moves one call's microphone to `id` (a fresh getUserMedia track: sip.js stops a call's tracks when
   * it ends, which must not silence another call). A later move of the same call wins; a call that ended
   * meanwhile is left alone. On failure the call is recorded on the device it still uses.
   */
  async function move(line: Line, id: string | undefined, label: string): Promise<void> {
    const was = inputs.get(line);
    inputs.set(line, id);
    try {
      const track = await open(id, label);
      if (o.over(line) || inputs.get(line) !== id) return track.stop();
      await line.sip.replaceInput(track).catch((e: unknown) => {
        if (!o.over(line)) throw deviceError(e, "input", label);
      });
    } catch (e) {
      if (inputs.get(line) === id) inputs.set(line, was);
      throw e;
    }
  }

  /** The next live call with a microphone not yet on `id`. */
  const next = (id: string): Line | undefined => o.live().find((line) => line.sip.hasInput() && inputs.get(line) !== id);

  async function useInput(device: AudioDevice): Promise<void> {
    // What the snapshot says until this choice is reported: the device to go back to if it fails.
    const before = watcher?.inUse("input");
    // The choice is in place before the calls are walked: a call answered or dialled meanwhile opens it already.
    if (device === requested) pending = device;
    const previous = new Map<Line, string | undefined>();
    walking = true;
    try {
      // Until no live call is left on another microphone (calls that started during the walk included).
      for (let line = next(device.id); line; line = next(device.id)) {
        previous.set(line, inputs.get(line));
        await move(line, device.id, device.label);
      }
    } catch (e) {
      if (pending === device) pending = undefined;
      await rollBack(device, before, previous);
      throw e;
    } finally {
      walking = false;
    }
  }

  /**
   * A selection failed on one call after others had moved: every call on the new device goes back
   * to what it used (calls dialled during the selection: to the input still reported). A call that
   * cannot go back keeps the new device, and a warning (AUDIO_INPUT_NOT_RESTORED) names it.
   */
  async function rollBack(device: AudioDevice, before: string | undefined, previous: Map<Line, string | undefined>): Promise<void> {
    for (const line of o.live()) {
      if (!line.sip.hasInput() || inputs.get(line) !== device.id) continue;
      const back = previous.has(line) ? previous.get(line) : before;
      if (back === device.id) continue;
      await move(line, back, back ?? "the default microphone").catch((e: unknown) =>
        o.ctx()?.signal({ kind: "warning", code: "AUDIO_INPUT_NOT_RESTORED", callId: line.id, message: `This call kept ${device.label}, which could not be used on every call, because its previous microphone could not be opened again: ${errorMessage(e)}` }),
      );
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
      if (use === "input") requested = device;
      try {
        await watcher.select(use, device);
      } finally {
        // Reported in use (or refused): the watcher says which input new calls open from here on.
        if (requested === device) requested = undefined;
        if (pending === device) pending = undefined;
      }
    },
    microphone: () => microphoneConstraints(wanted()),
    opened(line, microphone) {
      if (!inputs.has(line)) inputs.set(line, deviceOf(microphone));
      const want = wanted();
      // Opened on the old input while a choice was being put in place: a walk in progress takes it, else it moves now.
      if (walking || want === undefined || inputs.get(line) === want || !line.sip.hasInput()) return;
      move(line, want, want).catch((e: unknown) => o.ctx()?.signal({ kind: "warning", code: "AUDIO_INPUT_NOT_RESTORED", callId: line.id, message: `This call's microphone could not be moved to the one chosen while it started: ${errorMessage(e)}` }));
    },
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
