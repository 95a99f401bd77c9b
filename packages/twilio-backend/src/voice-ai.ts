/**
 * Twilio's Voice AI status callbacks (form parameters, after the signature
 * check) as plain values: Real-Time Transcription
 * (https://www.twilio.com/docs/voice/twiml/transcription, `statusCallbackUrl`)
 * and Media Streams (https://www.twilio.com/docs/voice/twiml/stream,
 * `statusCallback`). A callback that does not have the documented shape is a
 * MalformedCallback, whose message never quotes what was said.
 */
import type { AgentStreamEvent, TranscriptSpeaker } from "./agent-stream.js";
import { CALL_SID } from "./legs.js";

/** Text of one transcript segment: at most 8192 characters (the wire contract's limit) and 12 KiB of UTF-8 (one SSE message is at most 16 KiB); longer text is cut. */
const MAX_TRANSCRIPT_TEXT = 8192;
const MAX_TRANSCRIPT_BYTES = 12 * 1024;

/** `text` within both limits, cut at a character (never inside a surrogate pair). */
function clipTranscript(text: string): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (end + char.length > MAX_TRANSCRIPT_TEXT || bytes > MAX_TRANSCRIPT_BYTES) break;
    end += char.length;
  }
  return text.slice(0, end);
}

// Never put into a URL: the GT / MZ SIDs only name things on the wire.
const TRANSCRIPTION_SID = /^GT[0-9a-fA-F]{32}$/;
const STREAM_SID = /^MZ[0-9a-fA-F]{32}$/;
const SEQUENCE = /^\d{1,15}$/;
// A BCP-47 tag (en-US, pt-BR, "multi" for Deepgram's detection), at most 35 characters.
const LANGUAGE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,4}$/;

export class MalformedCallback extends Error {
  override name = "MalformedCallback";
}

export type Track = "inbound_track" | "outbound_track";
/** Whose call leg a transcription or stream is on. */
export type LegRole = "agent" | "customer";

/**
 * A Real-Time Transcription callback. Parameters read: `TranscriptionEvent`
 * (transcription-started | -content | -stopped | -error), `CallSid`, and for
 * content `TranscriptionSid` (GT…), `Track` (inbound_track | outbound_track:
 * the default labels; with `inboundTrackLabel`/`outboundTrackLabel` set the
 * callback is refused as malformed), `TranscriptionData` (JSON
 * `{ "transcript", "confidence" }`, confidence on finals only), `Final`
 * ("true" | "false"), `SequenceId` (increasing per transcription, shared by
 * both tracks; callbacks may arrive out of order) and `LanguageCode` (BCP-47,
 * optional). `Timestamp`, `Stability` and `ProviderConfiguration` are not used.
 */
export type TranscriptionCallback =
  | { event: "content"; callSid: string; transcriptionSid: string; track: Track; text: string; final: boolean; sequence: number; language?: string }
  | { event: "started" | "stopped"; callSid: string }
  /** `code`: Twilio's error code when the callback names one (`TranscriptionErrorCode` or `ErrorCode`, digits; not verified against a live error). */
  | { event: "error"; callSid: string; code?: string };

function callSidOf(params: Record<string, string>): string {
  const callSid = params.CallSid ?? "";
  if (!CALL_SID.test(callSid)) throw new MalformedCallback("CallSid is not a Twilio CallSid");
  return callSid;
}

export function parseTranscription(params: Record<string, string>): TranscriptionCallback {
  const callSid = callSidOf(params);
  const event = params.TranscriptionEvent;
  if (event === "transcription-started") return { event: "started", callSid };
  if (event === "transcription-stopped") return { event: "stopped", callSid };
  if (event === "transcription-error") {
    const code = [params.TranscriptionErrorCode, params.ErrorCode].find((c) => typeof c === "string" && /^\d{1,6}$/.test(c));
    return code === undefined ? { event: "error", callSid } : { event: "error", callSid, code };
  }
  if (event !== "transcription-content") throw new MalformedCallback(`unknown TranscriptionEvent ${JSON.stringify(String(event).slice(0, 40))}`);
  const transcriptionSid = params.TranscriptionSid ?? "";
  if (!TRANSCRIPTION_SID.test(transcriptionSid)) throw new MalformedCallback("TranscriptionSid is not a GT SID");
  const track = params.Track;
  if (track !== "inbound_track" && track !== "outbound_track") throw new MalformedCallback("Track is neither inbound_track nor outbound_track (custom track labels are not supported)");
  if (params.Final !== "true" && params.Final !== "false") throw new MalformedCallback('Final is neither "true" nor "false"');
  const sequence = params.SequenceId ?? "";
  if (!SEQUENCE.test(sequence)) throw new MalformedCallback("SequenceId is not a number");
  let data: unknown;
  try {
    data = JSON.parse(params.TranscriptionData ?? "");
  } catch {
    throw new MalformedCallback("TranscriptionData is not JSON");
  }
  const transcript = typeof data === "object" && data !== null ? (data as { transcript?: unknown }).transcript : undefined;
  if (typeof transcript !== "string") throw new MalformedCallback("TranscriptionData has no transcript");
  const language = params.LanguageCode;
  return {
    event: "content",
    callSid,
    transcriptionSid,
    track,
    text: clipTranscript(transcript),
    final: params.Final === "true",
    sequence: Number(sequence),
    ...(typeof language === "string" && language.length <= 35 && LANGUAGE.test(language) ? { language } : {}),
  };
}

/**
 * Who is heard on a track. A track is named from Twilio's side of the leg:
 * `inbound_track` is what Twilio receives from the leg's far end (its
 * speaker), `outbound_track` what Twilio sends it (everyone else in the
 * conference, taken as the other principal). So on the customer's leg
 * inbound is the customer and outbound the agent; on the agent's leg the
 * reverse.
 */
function speakerOf(role: LegRole, track: Track): TranscriptSpeaker {
  const own = track === "inbound_track";
  if (role === "customer") return own ? "customer" : "agent";
  return own ? "agent" : "customer";
}

/** A content callback as the agent's `transcript` event: the agent leg's CallSid, one utterance stream per transcription and track. */
export function transcriptEvent(callback: Extract<TranscriptionCallback, { event: "content" }>, agentCallSid: string, role: LegRole): AgentStreamEvent {
  return {
    type: "transcript",
    callId: agentCallSid,
    segment: {
      id: `${callback.transcriptionSid}:${callback.track}`,
      speaker: speakerOf(role, callback.track),
      text: callback.text,
      final: callback.final,
      ...(callback.language === undefined ? {} : { language: callback.language }),
    },
    sequence: callback.sequence,
  };
}

/**
 * A Media Streams status callback. Parameters read: `StreamEvent`
 * (stream-started | stream-stopped | stream-error), `StreamSid` (MZ…),
 * `CallSid`, and `StreamError` on stream-error (cut to 200 characters, for
 * the operator only). `StreamName`, `AccountSid` and `Timestamp` are not used.
 */
export interface MediaStreamCallback {
  event: "started" | "stopped" | "error";
  callSid: string;
  streamSid: string;
  error?: string;
}

export function parseMediaStream(params: Record<string, string>): MediaStreamCallback {
  const callSid = callSidOf(params);
  const streamSid = params.StreamSid ?? "";
  if (!STREAM_SID.test(streamSid)) throw new MalformedCallback("StreamSid is not an MZ SID");
  const event = params.StreamEvent;
  if (event === "stream-started") return { event: "started", callSid, streamSid };
  if (event === "stream-stopped") return { event: "stopped", callSid, streamSid };
  if (event === "stream-error") return { event: "error", callSid, streamSid, error: (params.StreamError ?? "").slice(0, 200) };
  throw new MalformedCallback(`unknown StreamEvent ${JSON.stringify(String(event).slice(0, 40))}`);
}
