export { createCallControlHandler, type CallControlHandlerOptions, type DestinationPolicy, type MonitorMode, type SupervisorRequest } from "./handler.js";
export type { AgentStream, AgentStreamEvent, TranscriptSpeaker } from "./agent-stream.js";
export { accessTokenAuthenticator, verifyAccessToken, type AccessTokenAuthenticatorOptions } from "./access-token.js";
