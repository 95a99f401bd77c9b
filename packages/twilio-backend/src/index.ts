export { createCallControlHandler, type CallControlHandlerOptions, type DestinationPolicy } from "./handler.js";
export { accessTokenAuthenticator, verifyAccessToken, type AccessTokenAuthenticatorOptions } from "./access-token.js";
