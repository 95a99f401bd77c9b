export { createAmazonConnectConnector } from "./connector.js";
// DEFAULT_REASONS is [] on purpose: Connect's reasons are the instance's own agent states, read from the CCP (see options.ts).
export { AMAZON_CONNECT_CAPABILITIES, amazonConnectCapabilities, DEFAULT_REASONS, type AmazonConnectConnectorOptions } from "./options.js";
export { createHttpAmazonConnectBackend, type AmazonConnectBackend, type HttpAmazonConnectBackendOptions, type MonitorCapability } from "./backend.js";
export { readAgentData, BadVendorData, type AgentData, type AgentStateDef, type ContactData, type ConnectionData } from "./snapshot.js";
export { mapVoiceContact, reasonsFrom, toAgentReport, type ContactMemory } from "./mapping.js";
export { streamsFailure } from "./errors.js";
export { loadStreams, type StreamsGlobal } from "./streams.js";
