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
      removeItem: (k: string) => void store.delete(k),
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
    // (A connector this page never picked for: storage is read.)
    store.set("opencti.audio.amazon-connect", JSON.stringify({ input: { id: "mic-2", label: "Jabra" }, output: { id: 7 }, ringer: "x", other: { id: "a", label: "b" } }));
    expect(loadAudioChoices("amazon-connect")).toEqual({ input: { id: "mic-2", label: "Jabra" } });
    store.set("opencti.audio.amazon-connect", "{not json");
    expect(loadAudioChoices("amazon-connect")).toEqual({});
    delete (globalThis as { localStorage?: unknown }).localStorage;
    expect(loadAudioChoices("amazon-connect")).toEqual({});
    expect(() => saveAudioChoice("amazon-connect", "input", AUDIO.devices[1]!)).not.toThrow();
    // No storage at all: the pick still holds for this page.
    expect(loadAudioChoices("amazon-connect")).toEqual({ input: { id: "mic-2", label: "Jabra Evolve2 65" } });
  });

  it("a pick storage refuses (quota) holds in the page, and the older stored choice is removed so a reload does not bring it back", () => {
    saveAudioChoice("pbx", "output", { id: "default", label: "Default - Built-in Speakers", kind: "output" });
    expect(JSON.parse(store.get("opencti.audio.pbx")!)).toEqual({ output: { id: "default", label: "Default - Built-in Speakers" } });
    (globalThis as unknown as { localStorage: Storage }).localStorage.setItem = () => {
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    };
    saveAudioChoice("pbx", "output", { id: "out-2", label: "Jabra Evolve2 65", kind: "output" });
    expect(loadAudioChoices("pbx")).toEqual({ output: { id: "out-2", label: "Jabra Evolve2 65" } });
    // Restoring reads the page's copy: the pick is not undone.
    expect(audioToRestore({ ...AUDIO, output: "out-2" }, loadAudioChoices("pbx"))).toEqual([]);
    expect(store.has("opencti.audio.pbx")).toBe(false);
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

  it("with the list before a change, only newly listed devices; never a refused one; no input while none is in use", () => {
    const choices = { output: { id: "out-2", label: "Jabra Evolve2 65" }, input: { id: "mic-2", label: "Jabra Evolve2 65" } };
    // The headset was listed before: this change is a pick (here or in another tab), not a plug-in.
    expect(audioToRestore(AUDIO, choices, { previous: AUDIO })).toEqual([]);
    const before = { ...AUDIO, devices: AUDIO.devices.filter((d) => d.id !== "out-2") };
    expect(audioToRestore(AUDIO, choices, { previous: before })).toEqual([["output", "out-2"]]);
    expect(audioToRestore(AUDIO, choices, { failed: new Set(["output:out-2"]) })).toEqual([["input", "mic-2"]]);
    // The connector has no microphone open (Twilio before a call): the input is left alone.
    const { input: _none, ...noInput } = AUDIO;
    expect(audioToRestore(noInput, choices)).toEqual([["output", "out-2"]]);
  });
});
