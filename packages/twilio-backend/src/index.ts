export { createCallControlHandler, type CallControlHandlerOptions } from "./handler.js";
export { accessTokenAuthenticator, verifyAccessToken, type AccessTokenAuthenticatorOptions } from "./access-token.js";
