export { createTwilioConnector } from "./connector.js";
export { twilioCapabilities, TWILIO_CAPABILITIES, TWILIO_BACKEND_CAPABILITIES, DEFAULT_REASONS, type TwilioConnectorOptions, type TwilioSdk } from "./options.js";
export { createHttpCallControlBackend, isPartyStatusMessage, type CallControlBackend, type HttpCallControlBackendOptions, type PartyStatusMessage } from "./backend.js";
export { createLocalAgentStatePort, createLocalAgentState, type AgentStatePort } from "./agent-state.js";
export { ctiCodeFor, toTwilioCtiError, type TwilioErrorLike } from "./errors.js";
