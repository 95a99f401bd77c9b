import { runConnectorConformance } from "@opencti/testkit";
import { SIMULATOR_CAPABILITIES } from "../src/index.js";
import { createSimulatorHarness, SIMULATOR_FEATURES } from "../src/testing/index.js";

for (const [name, latencyMs] of [["simulator", 0], ["simulator with 5 ms latency", 5]] as const) {
  runConnectorConformance({ name, capabilities: SIMULATOR_CAPABILITIES, features: SIMULATOR_FEATURES, createHarness: (variant) => createSimulatorHarness({ latencyMs }, variant), requestTimeoutMs: 300 });
}
