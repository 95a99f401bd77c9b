/**
 * `@opencti/core/connector`: the toolkit for connector authors. Separate from
 * `@opencti/core` (hosts never load it) and free of side effects, so a
 * connector's bundle keeps only the helpers it uses.
 */
export { createBackoff, type Backoff, type BackoffOptions } from "./backoff.js";
export { guard, type ContextRef, type GuardOptions } from "./guard.js";
export { abortable, delay, timeoutSignal, waitFor, type OnAbort, type TimeoutSignal } from "./wait.js";
export { isBoolean, isKeyOf, isNonEmptyString, isNumber, isRecord, isString } from "./check.js";
export { describe, errorMessage, MESSAGE_KEYS } from "./text.js";
export { createLocalAgentState, type LocalAgentState, type LocalAgentStateOptions } from "./agent-state.js";
export { createUnreachable, serverName, unreachableMessage, type Unreachable, type UnreachableOptions } from "./unreachable.js";
export { watchAudioDevices, type AudioDeviceWatcher, type AudioDeviceWatcherOptions, type MediaDeviceList } from "./audio.js";
export { followAgentStream, httpAgentStream, type AgentStreamFollower, type AgentStreamSource, type EventSourceLike, type FollowAgentStreamOptions, type HttpAgentStreamOptions } from "./agent-stream.js";
