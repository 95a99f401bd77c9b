/**
 * Contact Lens real-time analysis → the agent event stream (wire contract v1):
 * pure mapping, no I/O. One `RealtimeContactAnalysisSegment` of
 * ListRealtimeContactAnalysisSegments (Amazon Connect Contact Lens API,
 * https://docs.aws.amazon.com/contact-lens/latest/APIReference/API_ListRealtimeContactAnalysisSegments.html,
 * also https://docs.aws.amazon.com/connect/latest/APIReference/API_connect-contact-lens_ListRealtimeContactAnalysisSegments.html)
 * becomes, in this order:
 *
 * - `Transcript` → `transcript` { id: Transcript.Id, speaker: ParticipantRole AGENT → agent, CUSTOMER → customer,
 *   SYSTEM → system, anything else → third_party; text: Content; final: true (Contact Lens publishes finished
 *   utterances only); startMs/endMs: Begin/EndOffsetMillis (ms from the contact's start) }
 * - `Transcript.Sentiment` → `insight` sentiment { text: "positive" | "neutral" | "negative", score 1 | 0 | -1, data { segmentId } }
 * - `Transcript.IssuesDetected[]` → `insight` issue { text: the characters of Content at CharacterOffsets
 *   [BeginOffsetChar, EndOffsetChar), data { segmentId } }
 * - `Categories.MatchedCategories[]` → `insight` category { text: the rule's name } — each name once per contact
 *   (Contact Lens reports a category again in later segments; `seenCategories` remembers it)
 * - `PostContactSummary` with Status COMPLETED → `insight` summary { text: Content }
 *
 * callId on the wire is the contact id. Wire limits: text ≤ 8192 characters (longer is cut), ids ≤ 128
 * characters (a transcript whose Id is missing or longer is dropped with its insights).
 */

/** Wire contract v1: `transcript` (Contact Lens segments carry no `sequence`: each is final with its own Id). */
export interface TranscriptStreamEvent {
  readonly type: "transcript";
  readonly callId: string;
  readonly segment: {
    readonly id: string;
    readonly speaker: "agent" | "customer" | "third_party" | "system";
    readonly text: string;
    readonly final: boolean;
    readonly language?: string;
    readonly startMs?: number;
    readonly endMs?: number;
  };
  readonly sequence?: number;
}

export interface InsightStreamEvent {
  readonly type: "insight";
  readonly callId: string;
  readonly insight: {
    readonly kind: "sentiment" | "summary" | "intent" | "suggestion" | "entity" | "issue" | "category";
    readonly text: string;
    readonly score?: number;
    readonly data?: Readonly<Record<string, string>>;
  };
}

export interface MediaStreamEvent {
  readonly type: "media";
  readonly callId: string;
  readonly mediaStream: string | null;
}

/** What the backend publishes to an agent's stream (structurally `@opencti/agent-stream`'s AgentStreamEvent). */
export type AgentStreamEvent = TranscriptStreamEvent | InsightStreamEvent | MediaStreamEvent;

/** The JSON shape of one segment as the SDK returns it (`@aws-sdk/client-connect-contact-lens` RealtimeContactAnalysisSegment), loosely typed: Connect's text is untrusted input. */
export interface ContactLensSegment {
  Transcript?:
    | {
        Id?: string | undefined;
        ParticipantId?: string | undefined;
        ParticipantRole?: string | undefined;
        Content?: string | undefined;
        BeginOffsetMillis?: number | undefined;
        EndOffsetMillis?: number | undefined;
        Sentiment?: string | undefined;
        IssuesDetected?: readonly { CharacterOffsets?: CharacterOffsets | undefined }[] | undefined;
      }
    | undefined;
  Categories?: { MatchedCategories?: readonly string[] | undefined } | undefined;
  PostContactSummary?: { Status?: string | undefined; Content?: string | undefined } | undefined;
}

/** Where an issue is in a transcript's Content, in characters. */
export interface CharacterOffsets {
  BeginOffsetChar?: number | undefined;
  EndOffsetChar?: number | undefined;
}

export const MAX_TEXT = 8192;
const MAX_ID = 128;

const SPEAKERS: Record<string, TranscriptStreamEvent["segment"]["speaker"]> = { AGENT: "agent", CUSTOMER: "customer", SYSTEM: "system" };
const SENTIMENT_SCORES: Record<string, number> = { POSITIVE: 1, NEUTRAL: 0, NEGATIVE: -1 };

/** Contact Lens' ParticipantRole → the wire's speaker (AGENT, CUSTOMER, SYSTEM; anything else, e.g. a supervisor who barged or a bot, is a third party). */
export function speakerOf(role: string | undefined): TranscriptStreamEvent["segment"]["speaker"] {
  return (role !== undefined && SPEAKERS[role]) || "third_party";
}

const cut = (text: string): string => (text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text);
const offset = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined);

/** The issue's text: Content's characters [BeginOffsetChar, EndOffsetChar) (offsets in characters, as Contact Lens documents CharacterOffsets); undefined when the offsets do not fit Content. */
export function issueText(content: string, offsets: CharacterOffsets | undefined): string | undefined {
  const begin = offset(offsets?.BeginOffsetChar);
  const end = offset(offsets?.EndOffsetChar);
  if (begin === undefined || end === undefined || end <= begin || begin >= content.length) return undefined;
  const text = content.slice(begin, Math.min(end, content.length)).trim();
  return text === "" ? undefined : cut(text);
}

/** Where a segment's transcript ends, ms from the contact's start (the wire's `endMs`); undefined without one. */
export const segmentEndMs = (segment: ContactLensSegment): number | undefined => offset(segment.Transcript?.EndOffsetMillis);

/**
 * The stream events of one segment for contact `contactId` (the wire's callId). `seenCategories` is the
 * contact's memory of categories already published (mutated: names published now are added).
 */
export function segmentEvents(contactId: string, segment: ContactLensSegment, seenCategories: Set<string>): AgentStreamEvent[] {
  const events: AgentStreamEvent[] = [];
  const t = segment.Transcript;
  if (t && typeof t.Id === "string" && t.Id !== "" && t.Id.length <= MAX_ID && typeof t.Content === "string") {
    const segmentId = t.Id;
    const startMs = offset(t.BeginOffsetMillis);
    const endMs = offset(t.EndOffsetMillis);
    events.push({
      type: "transcript",
      callId: contactId,
      segment: { id: segmentId, speaker: speakerOf(t.ParticipantRole), text: cut(t.Content), final: true, ...(startMs !== undefined ? { startMs } : {}), ...(endMs !== undefined ? { endMs } : {}) },
    });
    const score = t.Sentiment !== undefined ? SENTIMENT_SCORES[t.Sentiment] : undefined;
    if (score !== undefined) events.push({ type: "insight", callId: contactId, insight: { kind: "sentiment", text: t.Sentiment!.toLowerCase(), score, data: { segmentId } } });
    for (const issue of t.IssuesDetected ?? []) {
      const text = issueText(t.Content, issue.CharacterOffsets);
      if (text !== undefined) events.push({ type: "insight", callId: contactId, insight: { kind: "issue", text, data: { segmentId } } });
    }
  }
  for (const name of segment.Categories?.MatchedCategories ?? []) {
    if (typeof name !== "string" || name === "" || seenCategories.has(name)) continue;
    seenCategories.add(name);
    events.push({ type: "insight", callId: contactId, insight: { kind: "category", text: cut(name) } });
  }
  const summary = segment.PostContactSummary;
  if (summary?.Status === "COMPLETED" && typeof summary.Content === "string" && summary.Content.trim() !== "") {
    events.push({ type: "insight", callId: contactId, insight: { kind: "summary", text: cut(summary.Content) } });
  }
  return events;
}
