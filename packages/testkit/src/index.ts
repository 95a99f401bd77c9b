export { runConnectorConformance } from "./conformance.js";
export { schemaProblems } from "./schema.js";
export type { BackendDriver, ConformanceFeatures, ConformanceOptions, ConnectorHarness, InboundCallSpec } from "./harness.js";
