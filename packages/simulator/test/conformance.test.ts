import { runConnectorConformance } from "@opencti/testkit";
import { SIMULATOR_CAPABILITIES } from "../src/index.js";
import { createSimulatorHarness, SIMULATOR_FEATURES } from "../src/testing/index.js";

runConnectorConformance({ name: "simulator", capabilities: SIMULATOR_CAPABILITIES, features: SIMULATOR_FEATURES, createHarness: () => createSimulatorHarness({ latencyMs: 0 }), requestTimeoutMs: 300 });
runConnectorConformance({ name: "simulator with 5 ms latency", capabilities: SIMULATOR_CAPABILITIES, features: SIMULATOR_FEATURES, createHarness: () => createSimulatorHarness({ latencyMs: 5 }), requestTimeoutMs: 300 });
