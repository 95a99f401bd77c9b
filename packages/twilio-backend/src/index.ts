export { createCallControlHandler, type CallControlHandlerOptions, type DestinationPolicy, type MonitorMode, type SupervisorRequest } from "./handler.js";
export { accessTokenAuthenticator, verifyAccessToken, type AccessTokenAuthenticatorOptions } from "./access-token.js";
