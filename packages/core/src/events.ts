import type { Agent, AudioDevices, Call, LinkState } from "./model.js";
import type { CtiErrorCode } from "./model.js";

/** Common envelope on every event. */
export interface EventEnvelope<T extends string> {
  readonly type: T;
  /** Strictly increasing per desktop, from 1. */
  readonly seq: number;
  /** Epoch ms. */
  readonly at: number;
  /** The connector's name. */
  readonly connector: string;
}

export interface LinkChangedEvent extends EventEnvelope<"link.changed"> {
  readonly link: LinkState;
  readonly previous: LinkState;
  readonly reason?: string;
}

export interface AgentChangedEvent extends EventEnvelope<"agent.changed"> {
  readonly agent: Agent;
  readonly previous: Agent;
}

/** Audio devices came or went, or the one in use for input, output or the ringer changed. */
export interface AudioChangedEvent extends EventEnvelope<"audio.changed"> {
  readonly audio: AudioDevices;
  readonly previous: AudioDevices;
}

/** Call lifecycle events, without their `call.` prefix. */
const CALL_EVENTS = ["ringing", "dialing", "connected", "held", "resumed", "muted", "unmuted", "recording", "parties", "data", "updated", "transferred", "conferenced", "wrapup", "ended"] as const;
/** Call lifecycle events. Each carries the full call snapshot after the change. */
export const CALL_EVENT_TYPES = CALL_EVENTS.map((t) => `call.${t}`) as unknown as Prefixed<typeof CALL_EVENTS>;
/** Each of a tuple's names with the `call.` prefix. */
type Prefixed<T extends readonly string[]> = { readonly [K in keyof T]: `call.${T[K]}` };
export type CallEventType = (typeof CALL_EVENT_TYPES)[number];

export interface CallEvent<T extends CallEventType = CallEventType> extends EventEnvelope<T> {
  readonly call: Call;
}

/** Who said a transcript segment. */
export const TRANSCRIPT_SPEAKERS = ["agent", "customer", "third_party", "system"] as const;
export type TranscriptSpeaker = (typeof TRANSCRIPT_SPEAKERS)[number];

export interface TranscriptSegment {
  /** Stable per segment: a partial and its final share the id. */
  readonly id: string;
  readonly speaker: TranscriptSpeaker;
  readonly text: string;
  /** False while the recognizer may still revise it. */
  readonly final: boolean;
  readonly language?: string;
  /** Offset from the call's start, ms. */
  readonly startMs?: number;
  readonly endMs?: number;
}

export interface CallTranscriptEvent extends EventEnvelope<"call.transcript"> {
  readonly callId: string;
  readonly segment: TranscriptSegment;
}

/**
 * What a Voice AI insight is about: `issue` is a reason for calling the
 * analysis detected (Contact Lens "issues detected"), `category` a rule the
 * conversation matched (Contact Lens categories).
 */
export const INSIGHT_KINDS = ["sentiment", "summary", "intent", "suggestion", "entity", "issue", "category"] as const;
export type InsightKind = (typeof INSIGHT_KINDS)[number];

export interface Insight {
  readonly kind: InsightKind;
  /** Human-readable text: the summary, the suggestion, "negative", … */
  readonly text: string;
  /** A score in [-1, 1] for sentiment, [0, 1] confidence otherwise. */
  readonly score?: number;
  readonly data?: Readonly<Record<string, string>>;
}

export interface CallInsightEvent extends EventEnvelope<"call.insight"> {
  readonly callId: string;
  readonly insight: Insight;
}

export interface WarningEvent extends EventEnvelope<"warning"> {
  /** A short machine-friendly code, e.g. "network_quality", "late_report". */
  readonly code: string;
  readonly message: string;
  readonly callId?: string;
}

export interface ErrorEvent extends EventEnvelope<"error"> {
  readonly code: CtiErrorCode;
  readonly message: string;
  readonly retryable: boolean;
  readonly callId?: string;
  /** The request that failed, when the error came from one. */
  readonly request?: string;
  /** The offending vendor payload (INVALID_VENDOR_EVENT), secrets redacted. */
  readonly raw?: unknown;
}

export type DesktopEvent =
  | LinkChangedEvent
  | AgentChangedEvent
  | AudioChangedEvent
  | CallEvent
  | CallTranscriptEvent
  | CallInsightEvent
  | WarningEvent
  | ErrorEvent;

export type DesktopEventType = DesktopEvent["type"];

/** Maps each event type to its event, so `on("call.held", e => e.call)` is typed. */
export type DesktopEventMap = {
  "link.changed": LinkChangedEvent;
  "agent.changed": AgentChangedEvent;
  "audio.changed": AudioChangedEvent;
  "call.transcript": CallTranscriptEvent;
  "call.insight": CallInsightEvent;
  warning: WarningEvent;
  error: ErrorEvent;
} & { [T in CallEventType]: CallEvent<T> };

/** Every event type, call events in lifecycle order among them. */
export const EVENT_TYPES = ["link.changed", "agent.changed", "audio.changed", ...CALL_EVENT_TYPES, "call.transcript", "call.insight", "warning", "error"] as const;
// Compile-time check: the list and the DesktopEvent union name the same types.
const _allTypes: readonly DesktopEventType[] = EVENT_TYPES satisfies readonly DesktopEventType[];
const _noneMissing: readonly (typeof EVENT_TYPES)[number][] = [] as DesktopEventType[];

/** An event before the desktop stamps its envelope. */
export type EventBody = DesktopEvent extends infer E ? (E extends DesktopEvent ? Omit<E, "seq" | "at" | "connector"> : never) : never;
