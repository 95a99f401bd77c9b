export { createTwilioConnector, twilioCapabilities, type TwilioConnectorOptions, type TwilioSdk } from "./connector.js";
export { createHttpCallControlBackend, isPartyStatusMessage, type CallControlBackend, type HttpCallControlBackendOptions, type PartyStatusMessage } from "./backend.js";
export { createLocalAgentState, DEFAULT_REASONS, type AgentStatePort } from "./agent-state.js";
export { ctiCodeFor, toTwilioCtiError, type TwilioErrorLike } from "./errors.js";
