export { runConnectorConformance } from "./conformance.js";
export { createRecordedDesktop, waitUntil, type RecordedDesktop, type RecordedDesktopOptions, type WaitOptions } from "./recorder.js";
export { schemaProblems } from "./schema.js";
export type { BackendDriver, ConformanceContext, ConformanceFeatures, ConformanceOptions, ConnectorHarness, HarnessVariant, InboundCallSpec, ScenarioSession } from "./harness.js";
