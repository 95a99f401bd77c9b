export { createPegaImplementation, PEGA_IMPLEMENTATION_NAME, PEGA_IMPLEMENTATION_VERSION, pegaTelephonyMode, type PegaImplementationOptions } from "./implementation.js";
export { PEGA_ERROR_MAP, PegaFailure, toPegaError } from "./errors.js";
export { agentEvent, callEvent, callInfoEvent, callType, CALL_STATE_EVENT, CALL_TYPE, endEvent, partyInfoEvent, snapshotEvent, type PegaContext } from "./events.js";
export { newSessionId, type PegaVoiceAiOptions, type PegaVoiceAiProperties } from "./voice-ai.js";
export * from "./types.js";
