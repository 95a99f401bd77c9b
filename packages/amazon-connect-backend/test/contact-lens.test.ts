// The pure Contact Lens → agent stream mapping (no I/O).
import { describe, expect, it } from "vitest";
import { issueText, MAX_TEXT, segmentEvents, speakerOf, type ContactLensSegment } from "../src/contact-lens.js";

const CONTACT = "cccccccc-0000-4000-8000-000000000001";

const transcript = (over: Partial<NonNullable<ContactLensSegment["Transcript"]>> = {}): ContactLensSegment => ({
  Transcript: { Id: "t-1", ParticipantId: "CUSTOMER", ParticipantRole: "CUSTOMER", Content: "My card was charged twice.", BeginOffsetMillis: 1200, EndOffsetMillis: 3400, ...over },
});

describe("Contact Lens segments → wire contract v1 events", () => {
  it("a transcript: final, its own Id, the speaker from ParticipantRole, offsets in ms; callId is the contact id", () => {
    expect(segmentEvents(CONTACT, transcript(), new Set())).toEqual([
      { type: "transcript", callId: CONTACT, segment: { id: "t-1", speaker: "customer", text: "My card was charged twice.", final: true, startMs: 1200, endMs: 3400 } },
    ]);
  });

  it("speakers: AGENT, CUSTOMER, SYSTEM; anything else (a supervisor, a bot, none) is a third party", () => {
    expect(["AGENT", "CUSTOMER", "SYSTEM", "SUPERVISOR", "CUSTOM_BOT", undefined, "agent"].map(speakerOf)).toEqual(["agent", "customer", "system", "third_party", "third_party", "third_party", "third_party"]);
  });

  it("sentiment: POSITIVE 1, NEUTRAL 0, NEGATIVE -1, the lowercase label, the segment's id; an unknown label is no insight", () => {
    const scores = ["POSITIVE", "NEUTRAL", "NEGATIVE"].map((Sentiment) => segmentEvents(CONTACT, transcript({ Sentiment }), new Set())[1]);
    expect(scores).toEqual([
      { type: "insight", callId: CONTACT, insight: { kind: "sentiment", text: "positive", score: 1, data: { segmentId: "t-1" } } },
      { type: "insight", callId: CONTACT, insight: { kind: "sentiment", text: "neutral", score: 0, data: { segmentId: "t-1" } } },
      { type: "insight", callId: CONTACT, insight: { kind: "sentiment", text: "negative", score: -1, data: { segmentId: "t-1" } } },
    ]);
    expect(segmentEvents(CONTACT, transcript({ Sentiment: "MIXED" }), new Set())).toHaveLength(1);
  });

  it("issues: Content's characters at CharacterOffsets, after the transcript and its sentiment", () => {
    const events = segmentEvents(CONTACT, transcript({ Sentiment: "NEGATIVE", IssuesDetected: [{ CharacterOffsets: { BeginOffsetChar: 3, EndOffsetChar: 25 } }] }), new Set());
    expect(events.map((e) => e.type === "insight" && e.insight.kind)).toEqual([false, "sentiment", "issue"]);
    expect(events[2]).toEqual({ type: "insight", callId: CONTACT, insight: { kind: "issue", text: "card was charged twice", data: { segmentId: "t-1" } } });
  });

  it("issue offsets that do not fit Content give no insight; an end past Content is cut at its end", () => {
    const content = "Cancel my plan";
    expect(issueText(content, { BeginOffsetChar: 7, EndOffsetChar: 99 })).toBe("my plan");
    expect(issueText(content, { BeginOffsetChar: 20, EndOffsetChar: 30 })).toBeUndefined();
    expect(issueText(content, { BeginOffsetChar: 5, EndOffsetChar: 5 })).toBeUndefined();
    expect(issueText(content, { BeginOffsetChar: -1, EndOffsetChar: 4 })).toBeUndefined();
    expect(issueText(content, undefined)).toBeUndefined();
    expect(issueText(content, { BeginOffsetChar: 6, EndOffsetChar: 7 })).toBeUndefined(); // only a space
  });

  it("categories: each matched rule once per contact, whatever segment repeats it", () => {
    const seen = new Set<string>();
    expect(segmentEvents(CONTACT, { Categories: { MatchedCategories: ["Cancellation", "Billing"] } }, seen)).toEqual([
      { type: "insight", callId: CONTACT, insight: { kind: "category", text: "Cancellation" } },
      { type: "insight", callId: CONTACT, insight: { kind: "category", text: "Billing" } },
    ]);
    expect(segmentEvents(CONTACT, { Categories: { MatchedCategories: ["Billing", "Escalation"] } }, seen).map((e) => e.type === "insight" && e.insight.text)).toEqual(["Escalation"]);
    // Another contact has its own memory.
    expect(segmentEvents("cccccccc-0000-4000-8000-000000000002", { Categories: { MatchedCategories: ["Billing"] } }, new Set())).toHaveLength(1);
  });

  it("a completed post-contact summary is a summary insight; a failed one is nothing", () => {
    expect(segmentEvents(CONTACT, { PostContactSummary: { Status: "COMPLETED", Content: "Customer was double charged; refund issued." } }, new Set())).toEqual([
      { type: "insight", callId: CONTACT, insight: { kind: "summary", text: "Customer was double charged; refund issued." } },
    ]);
    expect(segmentEvents(CONTACT, { PostContactSummary: { Status: "FAILED" } }, new Set())).toEqual([]);
  });

  it("wire limits: text cut at 8192 characters; a transcript without an Id or with one over 128 characters is dropped with its insights", () => {
    const long = segmentEvents(CONTACT, transcript({ Content: "x".repeat(10_000) }), new Set())[0]!;
    expect(long.type === "transcript" && long.segment.text.length).toBe(MAX_TEXT);
    expect(segmentEvents(CONTACT, transcript({ Id: "i".repeat(129), Sentiment: "NEGATIVE" }), new Set())).toEqual([]);
    expect(segmentEvents(CONTACT, transcript({ Id: undefined }), new Set())).toEqual([]);
    expect(segmentEvents(CONTACT, {}, new Set())).toEqual([]);
  });

  it("negative or missing offsets are left out rather than sent wrong", () => {
    const [event] = segmentEvents(CONTACT, transcript({ BeginOffsetMillis: -5, EndOffsetMillis: undefined }), new Set());
    expect(event).toEqual({ type: "transcript", callId: CONTACT, segment: { id: "t-1", speaker: "customer", text: "My card was charged twice.", final: true } });
  });
});
