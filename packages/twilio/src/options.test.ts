// What the connector declares for a configuration, on plain data.
import { describe, expect, it } from "vitest";
import { createLocalAgentState, createLocalAgentStatePort } from "./agent-state.js";
import { twilioCapabilities, TWILIO_BACKEND_CAPABILITIES, TWILIO_CAPABILITIES } from "./options.js";

describe("twilioCapabilities", () => {
  it("declares the SDK's own capabilities, and the backend's only with a backend", () => {
    expect(twilioCapabilities({})).toEqual(TWILIO_CAPABILITIES);
    expect(TWILIO_CAPABILITIES).toContain("audioDevices");
    const full = { pauseRecording: () => {}, resumeRecording: () => {}, monitor: () => {}, setMonitorMode: () => {} };
    expect(twilioCapabilities({ backend: full })).toEqual([...TWILIO_CAPABILITIES, ...TWILIO_BACKEND_CAPABILITIES]);
    expect(TWILIO_BACKEND_CAPABILITIES).toEqual(expect.arrayContaining(["recordingControl", "monitor", "whisper", "barge"]));
  });

  it("a backend of one's own without the optional recording or supervisor methods declares neither", () => {
    const declared = twilioCapabilities({ backend: {} });
    expect(declared).toContain("hold");
    expect(declared).not.toEqual(expect.arrayContaining(["recordingControl"]));
    expect(declared.filter((c) => ["recordingControl", "monitor", "whisper", "barge"].includes(c))).toEqual([]);
    expect(twilioCapabilities({ backend: { pauseRecording: () => {}, resumeRecording: () => {} } })).toContain("recordingControl");
    expect(twilioCapabilities({ backend: { monitor: () => {}, setMonitorMode: () => {} } })).toEqual(expect.arrayContaining(["monitor", "whisper", "barge"]));
  });

  it("intersects a declared list with what the configuration supports", () => {
    expect(twilioCapabilities({ capabilities: ["dial", "hangup", "hold", "swap"] })).toEqual(["dial", "hangup"]);
    expect(twilioCapabilities({ backend: {}, capabilities: ["hold", "dial", "swap"] })).toEqual(["dial", "hold"]);
    expect(twilioCapabilities({ capabilities: [] })).toEqual([]);
  });
});

describe("createLocalAgentState (deprecated)", () => {
  it("is createLocalAgentStatePort under its old name", () => {
    expect(createLocalAgentState).toBe(createLocalAgentStatePort);
  });
});
