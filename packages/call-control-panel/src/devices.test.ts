import type { AudioDevices } from "@opencti/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { audioStorageKey, audioToRestore, loadAudioChoices, saveAudioChoice } from "./devices.js";

const AUDIO: AudioDevices = {
  devices: [
    { id: "default", label: "Default - Built-in Microphone", kind: "input" },
    { id: "mic-2", label: "Jabra Evolve2 65", kind: "input" },
    { id: "default", label: "Default - Built-in Speakers", kind: "output" },
    { id: "out-2", label: "Jabra Evolve2 65", kind: "output" },
  ],
  input: "default",
  output: "default",
  ringer: "default",
};

describe("audio device choices", () => {
  let store: Map<string, string>;
  beforeEach(() => {
    store = new Map();
    (globalThis as { localStorage?: unknown }).localStorage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    };
  });
  afterEach(() => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it("stores only each use's id and label, per connector", () => {
    saveAudioChoice("sip", "output", { id: "out-2", label: "Jabra Evolve2 65", kind: "output" });
    saveAudioChoice("sip", "ringer", { id: "default", label: "Default - Built-in Speakers", kind: "output" });
    expect(JSON.parse(store.get("opencti.audio.sip")!)).toEqual({ output: { id: "out-2", label: "Jabra Evolve2 65" }, ringer: { id: "default", label: "Default - Built-in Speakers" } });
    expect(audioStorageKey("twilio")).toBe("opencti.audio.twilio");
    expect(loadAudioChoices("twilio")).toEqual({});
  });

  it("reads back only well-formed choices; unreadable or missing storage is no choice", () => {
    store.set("opencti.audio.sip", JSON.stringify({ input: { id: "mic-2", label: "Jabra" }, output: { id: 7 }, ringer: "x", other: { id: "a", label: "b" } }));
    expect(loadAudioChoices("sip")).toEqual({ input: { id: "mic-2", label: "Jabra" } });
    store.set("opencti.audio.sip", "{not json");
    expect(loadAudioChoices("sip")).toEqual({});
    delete (globalThis as { localStorage?: unknown }).localStorage;
    expect(loadAudioChoices("sip")).toEqual({});
    expect(() => saveAudioChoice("sip", "input", AUDIO.devices[1]!)).not.toThrow();
  });

  it("restores by id, else by label within the use's kind, and not what is in use or not listed", () => {
    expect(audioToRestore(AUDIO, { output: { id: "out-2", label: "whatever" } })).toEqual([["output", "out-2"]]);
    // The ids changed since (a new session): the label finds the headset, its mic for input, its earpiece for the ringer.
    expect(audioToRestore(AUDIO, { input: { id: "old-id", label: "Jabra Evolve2 65" }, ringer: { id: "old-out", label: "Jabra Evolve2 65" } })).toEqual([
      ["input", "mic-2"],
      ["ringer", "out-2"],
    ]);
    expect(audioToRestore({ ...AUDIO, output: "out-2" }, { output: { id: "out-2", label: "Jabra Evolve2 65" } })).toEqual([]);
    expect(audioToRestore(AUDIO, { output: { id: "gone", label: "Unplugged" } })).toEqual([]);
    // "default" is an input and an output: the use's kind decides.
    expect(audioToRestore({ ...AUDIO, ringer: "out-2" }, { ringer: { id: "default", label: "x" } })).toEqual([["ringer", "default"]]);
  });
});
