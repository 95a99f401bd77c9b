/**
 * The agent's audio device choices, kept per browser: for each use (input,
 * output, ringer) the id and label of the device the agent last chose in the
 * panel, in localStorage under `opencti.audio.<connector>`. Nothing else is
 * stored. When the connector lists the devices, the panel selects the stored
 * one again: by id, else by label (browsers may change device ids between
 * sessions; a label such as "Jabra Evolve2 65" stays).
 */
import { AUDIO_USES, type AudioDevice, type AudioDevices, type AudioUse } from "@opencti/core";

/** What is stored: per use, the device's id and label. */
export type AudioChoices = Partial<Record<AudioUse, { readonly id: string; readonly label: string }>>;

/** The localStorage key for a connector's choices ("opencti.audio.sip"). */
export const audioStorageKey = (connector: string): string => `opencti.audio.${connector}`;

/** The device kind a use takes: the ringer is an output. */
export const kindFor = (use: AudioUse): AudioDevice["kind"] => (use === "input" ? "input" : "output");

const isText = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= 256;

/** The stored choices, checked field by field; none when storage is unavailable (a sandboxed frame) or holds something else. */
export function loadAudioChoices(connector: string): AudioChoices {
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

/** Stores `device` as the choice for `use` (the other uses' choices kept); a no-op where storage is unavailable. */
export function saveAudioChoice(connector: string, use: AudioUse, device: AudioDevice): void {
  try {
    localStorage.setItem(audioStorageKey(connector), JSON.stringify({ ...loadAudioChoices(connector), [use]: { id: device.id, label: device.label } }));
  } catch {
    // Full, or refused: the choice holds for this page only.
  }
}

/** The stored devices listed now and not in use: `[use, id]` to select again (matched by id, then by label, within the use's kind). */
export function audioToRestore(audio: AudioDevices, choices: AudioChoices): [AudioUse, string][] {
  const out: [AudioUse, string][] = [];
  for (const use of AUDIO_USES) {
    const want = choices[use];
    if (!want) continue;
    const listed = audio.devices.filter((d) => d.kind === kindFor(use));
    const found = listed.find((d) => d.id === want.id) ?? listed.find((d) => d.label === want.label);
    if (found && found.id !== audio[use]) out.push([use, found.id]);
  }
  return out;
}
