import { runConnectorConformance } from "@opencti/testkit";
import { SIMULATOR_CAPABILITIES } from "../src/index.js";
import { createSimulatorHarness, SIMULATOR_FEATURES } from "../src/testing/index.js";

for (const [name, latencyMs] of [["simulator", 0], ["simulator with 5 ms latency", 5]] as const) {
  runConnectorConformance({ name, capabilities: SIMULATOR_CAPABILITIES, features: SIMULATOR_FEATURES, createHarness: (variant) => createSimulatorHarness({ latencyMs }, variant), requestTimeoutMs: 300 });
}

// Playing a vendor that monitors and barges but neither whispers nor controls recording: the gated steps are refused NOT_SUPPORTED before the connector.
const limited = SIMULATOR_CAPABILITIES.filter((c) => c !== "whisper" && c !== "recordingControl");
runConnectorConformance({
  name: "simulator without whisper or recording control",
  capabilities: limited,
  features: SIMULATOR_FEATURES,
  createHarness: (variant) => createSimulatorHarness({ connector: { capabilities: limited } }, variant),
  requestTimeoutMs: 300,
});
