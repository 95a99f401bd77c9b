/**
 * What the panel keeps of a call's Voice AI (`call.transcript` and
 * `call.insight` events): the lines in arrival order, a partial replaced in
 * place by later partials and by its final (same segment id), the last
 * TRANSCRIPT_LINES lines; insights deduplicated by kind and text, one
 * sentiment (the latest), the last INSIGHTS_KEPT.
 */
import type { Insight, TranscriptSegment } from "@opencti/core";

/** Lines kept per call; older ones are dropped (the vendor keeps the record). */
export const TRANSCRIPT_LINES = 200;
/** Insight chips kept per call. */
export const INSIGHTS_KEPT = 30;

export interface CallAi {
  readonly lines: TranscriptSegment[];
  /** Kinds are open strings: a kind the panel does not know gets a generic chip. */
  readonly insights: Insight[];
  /** The last final line, for the live region (partials are never announced). */
  final?: TranscriptSegment;
}

/** Adds a line: a segment id already shown is replaced where it is, except a final by a late partial. */
export function addLine(ai: CallAi, segment: TranscriptSegment): void {
  const at = ai.lines.findIndex((l) => l.id === segment.id);
  if (at < 0) ai.lines.push(segment);
  else if (segment.final || !ai.lines[at]!.final) ai.lines[at] = segment;
  else return;
  if (segment.final) ai.final = segment;
  if (ai.lines.length > TRANSCRIPT_LINES) ai.lines.splice(0, ai.lines.length - TRANSCRIPT_LINES);
}

/** Adds an insight: it replaces the same kind and text (and any sentiment, for a sentiment). */
export function addInsight(ai: CallAi, insight: Insight): void {
  const same = (i: Insight): boolean => i.kind === insight.kind && (i.kind === "sentiment" || i.text === insight.text);
  const kept = ai.insights.filter((i) => !same(i));
  kept.push(insight);
  ai.insights.splice(0, ai.insights.length, ...kept.slice(-INSIGHTS_KEPT));
}

export type Tone = "positive" | "neutral" | "negative";

/**
 * A sentiment's direction: from its score (in [-1, 1]: ≥ 0.25 positive,
 * ≤ -0.25 negative), else from its text ("POSITIVE", "negative"; anything
 * else, "MIXED" too, is neutral).
 */
export function tone(insight: Insight): Tone {
  const { score, text } = insight;
  if (score !== undefined) return score >= 0.25 ? "positive" : score <= -0.25 ? "negative" : "neutral";
  return (/^(positive|negative)/i.exec(text.trim())?.[1]?.toLowerCase() as Tone | undefined) ?? "neutral";
}
