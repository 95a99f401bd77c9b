// What the connector declares for a configuration, on plain data.
import { describe, expect, it } from "vitest";
import { createLocalAgentState, createLocalAgentStatePort } from "./agent-state.js";
import { twilioCapabilities, TWILIO_BACKEND_CAPABILITIES, TWILIO_CAPABILITIES } from "./options.js";

describe("twilioCapabilities", () => {
  it("declares the SDK's own capabilities, and the backend's only with a backend", () => {
    expect(twilioCapabilities({})).toEqual(TWILIO_CAPABILITIES);
    expect(TWILIO_CAPABILITIES).toContain("audioDevices");
    expect(twilioCapabilities({ backend: {} })).toEqual([...TWILIO_CAPABILITIES, ...TWILIO_BACKEND_CAPABILITIES]);
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
