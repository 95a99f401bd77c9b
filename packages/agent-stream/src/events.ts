/**
 * The agent event stream's messages (wire contract v1) and their checks.
 * The shapes follow @opencti/core's TranscriptSegment and Insight (which the
 * browser toolkit turns them into), with the wire's own, tighter limits.
 */
import { INSIGHT_KINDS, TRANSCRIPT_SPEAKERS, type InsightKind, type TranscriptSpeaker } from "@opencti/core";
import { invalid } from "./errors.js";

// The speakers and insight kinds are core's: one list for the wire and the signals the browser makes of it.
export { INSIGHT_KINDS, TRANSCRIPT_SPEAKERS, type InsightKind, type TranscriptSpeaker };

/** The wire's limits, in characters (strings), entries (data) or UTF-8 bytes (message). */
export const AGENT_STREAM_LIMITS = Object.freeze({
  /** Agent, call and segment ids; languages; insight data keys. */
  id: 128,
  /** Transcript and insight text; one insight data value. */
  text: 8192,
  /** Entries of one insight's data. */
  dataEntries: 32,
  /** A media stream reference (Kinesis Video Stream ARN, Twilio Media Stream SID, …). */
  mediaStream: 1024,
  /** One SSE message (`event:` and `data:` lines with their newlines), in UTF-8 bytes. */
  message: 16384,
});

export interface TranscriptSegment {
  /**
   * Without the event's `sequence`: the segment's own id (a partial and its
   * final share it). With it: the utterance stream's id (e.g.
   * `<TranscriptionSid>:<track>`). 1 to 128 characters.
   */
  readonly id: string;
  readonly speaker: TranscriptSpeaker;
  /** At most 8192 characters; may be empty (a partial). */
  readonly text: string;
  /** False while the recognizer may still revise it. */
  readonly final: boolean;
  /** A BCP 47 tag such as "en-US", 1 to 128 characters. */
  readonly language?: string;
  /** Offset from the call's start, ms (a finite number ≥ 0). */
  readonly startMs?: number;
  readonly endMs?: number;
}

export interface Insight {
  readonly kind: InsightKind;
  /** Human-readable text (the summary, the suggestion, "negative", …), at most 8192 characters. */
  readonly text: string;
  /** In [-1, 1]: a sentiment score, or a confidence in [0, 1]. */
  readonly score?: number;
  /** At most 32 entries; keys 1 to 128 characters, values strings of at most 8192. */
  readonly data?: Readonly<Record<string, string>>;
}

/** A transcript segment of the vendor's call `callId` (Twilio: the agent leg's CallSid; Connect: the contactId; SIP: the Call-ID). */
export interface TranscriptStreamEvent {
  readonly type: "transcript";
  /** The vendor's call id, 1 to 128 characters. */
  readonly callId: string;
  readonly segment: TranscriptSegment;
  /**
   * The utterance's place in `segment.id`'s stream (Twilio: the callback's
   * SequenceId), an integer ≥ 0: the browser toolkit numbers utterances from
   * it, so a stateless backend need not count them.
   */
  readonly sequence?: number;
}

/** A Voice AI insight on the vendor's call `callId`. */
export interface InsightStreamEvent {
  readonly type: "insight";
  readonly callId: string;
  readonly insight: Insight;
}

/** The call's live audio stream reference, or null when it stopped. */
export interface MediaStreamEvent {
  readonly type: "media";
  readonly callId: string;
  /** 1 to 1024 characters, or null: the stream stopped. */
  readonly mediaStream: string | null;
}

/** One message of the agent event stream (wire contract v1; README "Wire contract"). */
export type AgentStreamEvent = TranscriptStreamEvent | InsightStreamEvent | MediaStreamEvent;

const { id: ID, text: TEXT } = AGENT_STREAM_LIMITS;
type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields => typeof v === "object" && v !== null && !Array.isArray(v);

function object(v: unknown, path: string): Fields {
  if (!isObject(v)) throw invalid(`${path} must be an object`);
  return v;
}

function string(v: unknown, path: string, max: number, min = 1): string {
  if (typeof v !== "string") throw invalid(`${path} must be a string`);
  if (v.length < min || v.length > max) throw invalid(`${path} must be ${min} to ${max} characters`);
  return v;
}

function oneOf<T extends string>(values: readonly T[], v: unknown, path: string): T {
  if (!(values as readonly unknown[]).includes(v)) throw invalid(`${path} must be one of ${values.join(", ")}`);
  return v as T;
}

function number(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) throw invalid(`${path} must be a number from ${min} to ${max}`);
  return v;
}

/** Control characters would make an id unprintable in logs and ambiguous in Redis channel names. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** An agent id: 1 to 128 characters, no control characters. Throws AgentStreamError INVALID_ARGUMENT. */
export function checkAgentId(v: unknown, path = "agentId"): string {
  const id = string(v, path, ID);
  if (CONTROL.test(id)) throw invalid(`${path} must not contain control characters`);
  return id;
}

function segmentOf(v: unknown, path: string): TranscriptSegment {
  const s = object(v, path);
  if (typeof s.final !== "boolean") throw invalid(`${path}.final must be a boolean`);
  return {
    id: string(s.id, `${path}.id`, ID),
    speaker: oneOf(TRANSCRIPT_SPEAKERS, s.speaker, `${path}.speaker`),
    text: string(s.text, `${path}.text`, TEXT, 0),
    final: s.final,
    ...(s.language !== undefined && { language: string(s.language, `${path}.language`, ID) }),
    ...(s.startMs !== undefined && { startMs: number(s.startMs, `${path}.startMs`, 0, Number.MAX_SAFE_INTEGER) }),
    ...(s.endMs !== undefined && { endMs: number(s.endMs, `${path}.endMs`, 0, Number.MAX_SAFE_INTEGER) }),
  };
}

function dataOf(v: unknown, path: string): Record<string, string> {
  const d = object(v, path);
  const keys = Object.keys(d);
  if (keys.length > AGENT_STREAM_LIMITS.dataEntries) throw invalid(`${path} must have at most ${AGENT_STREAM_LIMITS.dataEntries} entries`);
  const out: Record<string, string> = {};
  for (const key of keys) {
    if (key.length < 1 || key.length > ID) throw invalid(`${path} keys must be 1 to ${ID} characters`);
    // The key is the integrator's field name, not free text: safe to name.
    out[key] = string(d[key], `${path}[${JSON.stringify(key)}]`, TEXT, 0);
  }
  return out;
}

function insightOf(v: unknown, path: string): Insight {
  const i = object(v, path);
  return {
    kind: oneOf(INSIGHT_KINDS, i.kind, `${path}.kind`),
    text: string(i.text, `${path}.text`, TEXT, 0),
    ...(i.score !== undefined && { score: number(i.score, `${path}.score`, -1, 1) }),
    ...(i.data !== undefined && { data: dataOf(i.data, `${path}.data`) }),
  };
}

/**
 * A checked copy of `v` holding only the wire's fields (others are dropped),
 * or AgentStreamError INVALID_ARGUMENT naming the first bad field under
 * `path` (never its value).
 */
export function checkEvent(v: unknown, path = "event"): AgentStreamEvent {
  const e = object(v, path);
  const type = oneOf(["transcript", "insight", "media"] as const, e.type, `${path}.type`);
  const callId = string(e.callId, `${path}.callId`, ID);
  switch (type) {
    case "transcript":
      return {
        type,
        callId,
        segment: segmentOf(e.segment, `${path}.segment`),
        ...(e.sequence !== undefined && { sequence: integer(e.sequence, `${path}.sequence`) }),
      };
    case "insight":
      return { type, callId, insight: insightOf(e.insight, `${path}.insight`) };
    case "media":
      if (e.mediaStream !== null) string(e.mediaStream, `${path}.mediaStream`, AGENT_STREAM_LIMITS.mediaStream);
      return { type, callId, mediaStream: e.mediaStream as string | null };
  }
}

function integer(v: unknown, path: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw invalid(`${path} must be an integer ≥ 0`);
  return v as number;
}

/**
 * The SSE message for a checked event: `event: <type>` and one `data:` line
 * of JSON (JSON.stringify escapes every newline inside strings). Throws
 * INVALID_ARGUMENT past AGENT_STREAM_LIMITS.message bytes.
 */
export function frameOf(event: AgentStreamEvent, path = "event"): string {
  const { type, ...data } = event;
  const frame = `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  const bytes = Buffer.byteLength(frame);
  if (bytes > AGENT_STREAM_LIMITS.message) throw invalid(`${path} makes an SSE message of ${bytes} bytes, more than ${AGENT_STREAM_LIMITS.message}`);
  return frame;
}
