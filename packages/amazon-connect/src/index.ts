export { createAmazonConnectConnector } from "./connector.js";
export { AMAZON_CONNECT_CAPABILITIES, type AmazonConnectConnectorOptions } from "./options.js";
export { readAgentData, BadVendorData, type AgentData, type AgentStateDef, type ContactData, type ConnectionData } from "./snapshot.js";
export { mapVoiceContact, reasonsFrom, toAgentReport, type ContactMemory } from "./mapping.js";
export { streamsFailure } from "./errors.js";
export { loadStreams, type StreamsGlobal } from "./streams.js";
