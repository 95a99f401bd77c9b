export * from "./model.js";
export type * from "./events.js";
export type * from "./connector.js";
export { CALL_EVENT_TYPES, EVENT_TYPES, INSIGHT_KINDS, TRANSCRIPT_SPEAKERS } from "./events.js";
export { CtiError, isCtiError, isCtiErrorCode, toCtiError, type CtiErrorOptions } from "./errors.js";
export { createDesktop, telephonyMode, type Desktop, type DesktopOptions, type Unsubscribe } from "./desktop.js";
export { ACTION_CAPABILITY, deriveActions } from "./actions.js";
export { DesktopStore, type StoreOptions } from "./store.js";
export { normalizeDestination, isOneOf, DTMF, LIMITS } from "./validate.js";
// createConsoleLogger lives in @opencti/core/logging (the Desktop does not need it).
// Phone-number masking (maskPhoneNumber, maskPhoneNumbers) lives there too.
export { redact, redactingLogger, secretKey, silentLogger, REDACTED, type Logger, type LogLevel } from "./logger.js";
