/**
 * Audio devices on Amazon Connect. The CCP iframe owns the softphone media and
 * the ringtone, so a choice is sent to it through Streams' own agent calls
 * (Streams 2.28 `Agent.prototype.setSpeakerDevice` / `setMicrophoneDevice` /
 * `setRingerDevice`): each broadcasts `configuration::set_<x>_device`
 * `{ deviceId }` upstream, and the CCP's softphone manager / ringtone engine
 * applies it and broadcasts `configuration::<x>_device_changed` back.
 *
 * The list is the CCP frame's own (`connect.core.getFrameMediaDevices`: the
 * CCP answers Streams' `media_device_request` with its `enumerateDevices()`),
 * because browsers key device ids by origin: an id this page enumerates means
 * nothing to the CCP on its own origin (only "default" and "communications"
 * are the same everywhere). The toolkit's `watchAudioDevices` turns it into
 * `snapshot().audio`, follows this page's `devicechange` (the same machine's
 * devices) and falls back to "default" when a device in use goes away.
 *
 * The CCP confirms a choice only where something applies it: the speaker and
 * microphone in its SoftphoneManager (created only for a softphone agent,
 * `configuration.softphoneEnabled`), the microphone only on a live call's
 * stream, the ringer in its ringtone engine (softphone, ringtone on). A desk
 * phone agent has none of them: the list is empty and a choice is refused
 * NOT_SUPPORTED. A choice the CCP should confirm is sent directly and waited
 * for outside the watcher's chain (other uses and the unplug fallback go on
 * meanwhile); it is reported in use, and re-sent at each call's media start
 * and link-up, only once the CCP confirmed it.
 */
import { CtiError, type AudioDevice, type AudioUse, type Connector, type ConnectorContext } from "@opencti/core";
import { isRecord, waitFor, watchAudioDevices, type AudioDeviceWatcher, type MediaDeviceList } from "@opencti/core/connector";
import type { AmazonConnectConnectorOptions } from "./options.js";
import type { Live } from "./requests.js";
import type { StreamsAgent } from "./streams.js";

/** How long the CCP may take to list its devices (Streams' getFrameMediaDevices timeout), ms. */
const DEVICE_LIST_TIMEOUT_MS = 2000;

/** The Streams agent call per use. */
const SEND = { input: "setMicrophoneDevice", output: "setSpeakerDevice", ringer: "setRingerDevice" } as const satisfies Record<AudioUse, keyof StreamsAgent>;

export interface CcpAudio {
  /** Starts the watcher (the first list is empty until the CCP is up). */
  start(ctx: () => ConnectorContext | undefined): void;
  stop(): void;
  /** The CCP came up: list its devices again and send it the choices made here (a reloaded CCP starts on its defaults). */
  linkUp(): void;
  /** After each agent snapshot: a change of phone type (softphone ⇄ desk phone) lists the devices again. */
  agentUpdated(): void;
  /** The CCP applied a device (`configuration::<x>_device_changed`). */
  changed(use: AudioUse, data: unknown): void;
  /** The softphone opened a call's media (`agent::local_media_stream_created`, `{ connectionId }`). */
  mediaStarted(data: unknown): void;
  readonly selectAudioDevice: NonNullable<Connector["selectAudioDevice"]>;
}

export function createCcpAudio(live: Live, options: AmazonConnectConnectorOptions): CcpAudio {
  let watcher: AudioDeviceWatcher | undefined;
  /** The CCP's last list, kept while it is down (nothing is lost because the link is). */
  let listed: MediaDeviceInfo[] = [];
  /** Ids the CCP confirmed (or that need no confirmation): re-sent when it comes back, and the microphone for each call. */
  const chosen: Partial<Record<AudioUse, string>> = {};
  /** Waits for the CCP's confirmation. */
  const waiting = new Set<{ use: AudioUse; id: string; done(): void }>();
  /** The agent connection whose media the softphone opened last. */
  let mediaConnection: string | undefined;
  /** A device the CCP already applied (confirmed, or picked in the CCP itself): the watcher reports it without sending it again. */
  const applied = new Map<AudioUse, string>();
  /** The phone type the last list was read for. */
  let listedFor: boolean | undefined;

  /** A desk phone agent: the CCP has no softphone manager nor ringtone engine (see the file comment). */
  const deskphone = (): boolean => live.current?.softphoneEnabled === false;

  const pageDevices = (): Pick<MediaDevices, "addEventListener" | "removeEventListener"> | undefined => options.mediaDevices ?? (typeof navigator === "undefined" ? undefined : navigator.mediaDevices);
  const source: MediaDeviceList = {
    async enumerateDevices() {
      listedFor = deskphone();
      // A desk phone carries the call: no device of this computer is offered.
      if (listedFor) return [];
      const frameDevices = live.streams?.core.getFrameMediaDevices;
      if (!live.linkUp || !frameDevices) return listed;
      const devices: unknown = await frameDevices(DEVICE_LIST_TIMEOUT_MS);
      if (!Array.isArray(devices)) throw new Error("the CCP sent no device list");
      const text = (v: unknown): string => (typeof v === "string" ? v : "");
      listed = devices.filter(isRecord).map((d) => ({ deviceId: text(d.deviceId), kind: text(d.kind), label: text(d.label), groupId: text(d.groupId) }) as MediaDeviceInfo);
      return listed;
    },
    addEventListener: (type: string, fn: EventListenerOrEventListenerObject) => pageDevices()?.addEventListener(type, fn),
    removeEventListener: (type: string, fn: EventListenerOrEventListenerObject) => pageDevices()?.removeEventListener(type, fn),
  };

  /** Whether the softphone holds a call's media now (the CCP drops a microphone choice otherwise). */
  const mediaLive = (): boolean => !!mediaConnection && !!live.current?.contacts.some((c) => c.connections.some((x) => x.connectionId === mediaConnection && x.state !== "disconnected"));

  /** Whether the CCP will confirm a choice for `use` now (see the file comment). */
  function confirms(use: AudioUse): boolean {
    if (live.current?.softphoneEnabled !== true) return false;
    if (use === "input") return mediaLive();
    // Without a ringtone the CCP's ringtone engine never starts: it keeps the id and confirms nothing.
    if (use === "ringer") return options.softphone?.disableRingtone !== true;
    return true;
  }

  function check(label: string): void {
    if (deskphone()) throw new CtiError("NOT_SUPPORTED", `The agent uses a desk phone: Amazon Connect rings and carries the call there, not on ${label}. Switch to the softphone in the CCP to choose a device.`);
    if (!live.streams || !live.linkUp) throw new CtiError("LINK_DOWN", `Cannot use ${label}: the Amazon Connect CCP is not connected. Choose it again once the CCP is back.`);
  }

  function send(use: AudioUse, id: string): void {
    try {
      const agent = new (live.streams!.Agent)();
      agent[SEND[use]](id);
    } catch (err) {
      throw new CtiError("VENDOR_ERROR", `Amazon Connect Streams could not send the ${use} device: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  /**
   * The watcher's apply: a device the CCP already applied is only reported; any other
   * (a choice that needs no confirmation, the fallback for a device that went away) is sent.
   */
  function apply(use: AudioUse, device: AudioDevice): void {
    if (applied.get(use) === device.id) {
      applied.delete(use);
      return;
    }
    check(device.label);
    send(use, device.id);
    // Nothing will confirm it (no live stream, no ringtone engine): it is what the CCP gets from now on.
    // Otherwise `changed` records it once the CCP applied it.
    if (!confirms(use)) chosen[use] = device.id;
  }

  function confirmation(use: AudioUse, id: string, signal: AbortSignal): Promise<void> {
    return waitFor<void>(
      (resolve) => {
        const w = { use, id, done: () => resolve() };
        waiting.add(w);
        return () => waiting.delete(w);
      },
      signal,
      () => new CtiError("REQUEST_TIMEOUT", `The Amazon Connect CCP did not apply the ${use} device in time (is the id one the CCP's origin lists?).`),
    );
  }

  /** Reports a device the CCP applied in use, without sending it back. */
  function report(use: AudioUse, id: string, label: string): Promise<void> {
    if (!watcher) return Promise.resolve();
    applied.set(use, id);
    return watcher.select(use, { id, label, kind: use === "input" ? "input" : "output" }).finally(() => {
      if (applied.get(use) === id) applied.delete(use);
    });
  }

  return {
    start(ctx) {
      watcher?.stop();
      watcher = watchAudioDevices({ ctx, mediaDevices: source, apply });
    },
    stop() {
      watcher?.stop();
      watcher = undefined;
      mediaConnection = undefined;
    },
    linkUp() {
      void watcher?.refresh();
      if (deskphone()) return;
      for (const use of ["output", "ringer", "input"] as const) {
        const id = chosen[use];
        if (id) send(use, id);
      }
    },
    agentUpdated() {
      if (watcher && listedFor !== undefined && listedFor !== deskphone()) void watcher.refresh();
    },
    changed(use, data) {
      const id = isRecord(data) && typeof data.deviceId === "string" ? data.deviceId : undefined;
      if (!id) return;
      // The CCP applied it: it is the device from now on (re-sent at media start and link-up).
      chosen[use] = id;
      const mine = [...waiting].filter((w) => w.use === use && w.id === id);
      for (const w of mine) w.done();
      if (mine.length || !watcher || watcher.inUse(use) === id) return;
      // The agent chose it in the CCP's own settings, or a fallback the CCP applied: report it in use.
      const device = listed.find((d) => d.deviceId === id && d.kind === (use === "input" ? "audioinput" : "audiooutput"));
      if (device) void report(use, id, device.label || id).catch(() => undefined);
    },
    mediaStarted(data) {
      mediaConnection = isRecord(data) && typeof data.connectionId === "string" ? data.connectionId : undefined;
      // Each call's stream starts on the default microphone: the CCP applies a choice only to a live stream.
      if (chosen.input && live.linkUp && !deskphone()) send("input", chosen.input);
    },
    async selectAudioDevice({ use, device, signal }) {
      if (!watcher) throw new CtiError("LINK_DOWN", "The Amazon Connect connector is not started.");
      check(device.label);
      if (!confirms(use)) {
        // Sent through the watcher's chain (after a fallback being applied), reported at once.
        await watcher.select(use, device);
        return;
      }
      // Sent now and waited for outside the watcher's chain: other uses and the unplug fallback go on meanwhile.
      send(use, device.id);
      await confirmation(use, device.id, signal);
      await report(use, device.id, device.label);
    },
  };
}
