export { createAgentStream, type AgentEventSink, type AgentStream, type AgentStreamOptions } from "./stream.js";
export { createAgentStreamHandler, type AgentStreamHandlerOptions } from "./handler.js";
export { AgentStreamError, type AgentStreamErrorCode } from "./errors.js";
export { AGENT_STREAM_LIMITS, INSIGHT_KINDS, TRANSCRIPT_SPEAKERS, type AgentStreamEvent, type Insight, type InsightKind, type InsightStreamEvent, type MediaStreamEvent, type TranscriptSegment, type TranscriptSpeaker, type TranscriptStreamEvent } from "./events.js";
export type { RedisClient, RedisOption } from "./redis.js";
