import { expect, it } from "vitest";
import { canSetSink, microphoneConstraints } from "./audio.js";

it("a chosen microphone is an exact deviceId constraint; none leaves sip.js's { audio: true }", () => {
  expect(microphoneConstraints("abc")).toEqual({ audio: { deviceId: { exact: "abc" } } });
  expect(microphoneConstraints("default")).toEqual({ audio: { deviceId: { exact: "default" } } });
  expect(microphoneConstraints(undefined)).toBeUndefined();
});

it("outside a browser there is no setSinkId to choose an output with", () => {
  expect(canSetSink()).toBe(false);
});
