/**
 * The agent's audio device choices, kept per browser: for each use (input,
 * output, ringer) the id and label of the device the agent last chose in the
 * panel, in localStorage under `opencti.audio.<connector>`. Nothing else is
 * stored. When the connector lists the devices, the panel selects the stored
 * one again: by id, else by label (browsers may change device ids between
 * sessions; a label such as "Jabra Evolve2 65" stays).
 *
 * The page keeps its own copy of each connector's choices, updated on every
 * successful pick and read before storage: a pick holds for the page even
 * when storage refuses it (full, a sandboxed frame). Another tab's write
 * (the `storage` event) replaces the copy.
 */
import { AUDIO_USES, type AudioDevice, type AudioDevices, type AudioUse } from "@opencti/core";

/** What is stored: per use, the device's id and label. */
export type AudioChoices = Partial<Record<AudioUse, { readonly id: string; readonly label: string }>>;

/** The localStorage key for a connector's choices ("opencti.audio.sip"). */
export const audioStorageKey = (connector: string): string => `opencti.audio.${connector}`;

/** The device kind a use takes: the ringer is an output. */
export const kindFor = (use: AudioUse): AudioDevice["kind"] => (use === "input" ? "input" : "output");

const isText = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= 256;

/** This page's copy of the choices, per connector (see the module comment). */
const remembered = new Map<string, AudioChoices>();
let listening = false;
/** Another tab stored a choice (or storage was cleared): its value wins over this page's copy. */
function forgetOnStorage(): void {
  if (listening || typeof addEventListener !== "function") return;
  listening = true;
  addEventListener("storage", (event: StorageEvent) => {
    if (event.key === null) remembered.clear();
    else if (event.key.startsWith(audioStorageKey(""))) remembered.delete(event.key.slice(audioStorageKey("").length));
  });
}

/** The choices: this page's copy, else the stored ones checked field by field; none when storage is unavailable (a sandboxed frame) or holds something else. */
export function loadAudioChoices(connector: string): AudioChoices {
  forgetOnStorage();
  const kept = remembered.get(connector);
  if (kept) return kept;
  const out: Record<string, { id: string; label: string }> = {};
  try {
    const raw = JSON.parse(localStorage.getItem(audioStorageKey(connector)) ?? "{}") as Record<string, { id?: unknown; label?: unknown } | undefined>;
    for (const use of AUDIO_USES) {
      const { id, label } = raw[use] ?? {};
      if (isText(id) && isText(label)) out[use] = { id, label };
    }
  } catch {
    // Unreadable or unavailable: nothing to restore.
  }
  return out;
}

/**
 * Keeps `device` as the choice for `use` (the other uses' choices kept): in
 * this page's copy, and in storage where it takes it. When storage refuses
 * (full), the stored choices are removed, so a reload does not bring back an
 * older one; the choice holds for this page.
 */
export function saveAudioChoice(connector: string, use: AudioUse, device: AudioDevice): void {
  const choices: AudioChoices = { ...loadAudioChoices(connector), [use]: { id: device.id, label: device.label } };
  remembered.set(connector, choices);
  try {
    localStorage.setItem(audioStorageKey(connector), JSON.stringify(choices));
  } catch {
    try {
      localStorage.removeItem(audioStorageKey(connector));
    } catch {
      // Unavailable: the page's copy is all there is.
    }
  }
}

/** What `audioToRestore` leaves out. */
export interface RestoreFilter {
  /** The list before this change: only devices it did not have (newly listed) are selected again. */
  readonly previous?: AudioDevices | undefined;
  /** `"<use>:<id>"` pairs the connector refused since the list last changed: not asked again. */
  readonly failed?: ReadonlySet<string> | undefined;
}

/**
 * The stored devices listed now and not in use: `[use, id]` to select again
 * (matched by id, then by label, within the use's kind), less what `filter`
 * leaves out. The input is never selected while the connector reports none
 * in use (`audio.input` undefined, e.g. no microphone open before a call):
 * selecting it would open the microphone at page load (Twilio's SDK then
 * keeps it open); the agent's own pick still applies.
 */
export function audioToRestore(audio: AudioDevices, choices: AudioChoices, filter: RestoreFilter = {}): [AudioUse, string][] {
  const out: [AudioUse, string][] = [];
  for (const use of AUDIO_USES) {
    const want = choices[use];
    if (!want || (use === "input" && audio[use] === undefined)) continue;
    const listed = audio.devices.filter((d) => d.kind === kindFor(use));
    const found = listed.find((d) => d.id === want.id) ?? listed.find((d) => d.label === want.label);
    if (!found || found.id === audio[use] || filter.failed?.has(`${use}:${found.id}`)) continue;
    if (filter.previous?.devices.some((d) => d.kind === found.kind && d.id === found.id)) continue;
    out.push([use, found.id]);
  }
  return out;
}
