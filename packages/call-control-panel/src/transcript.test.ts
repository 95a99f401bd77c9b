import type { TranscriptSegment } from "@opencti/core";
import { describe, expect, it } from "vitest";
import { addInsight, addLine, INSIGHTS_KEPT, tone, TRANSCRIPT_LINES, type CallAi } from "./transcript.js";

const line = (id: string, text: string, final = true, speaker: TranscriptSegment["speaker"] = "customer"): TranscriptSegment => ({ id, speaker, text, final });
const fresh = (): CallAi => ({ lines: [], insights: [] });
const texts = (ai: CallAi): string[] => ai.lines.map((l) => `${l.speaker}:${l.text}${l.final ? "" : "…"}`);

describe("addLine", () => {
  it("replaces a partial in place by later partials and by its final; finals stay in arrival order", () => {
    const ai = fresh();
    addLine(ai, line("a", "My rou", false));
    addLine(ai, line("b", "Hello", false, "agent"));
    addLine(ai, line("a", "My router keeps", false));
    expect(texts(ai)).toEqual(["customer:My router keeps…", "agent:Hello…"]);
    expect(ai.final).toBeUndefined();
    addLine(ai, line("a", "My router keeps rebooting."));
    addLine(ai, line("c", "Since Monday.", true, "customer"));
    addLine(ai, line("b", "Hello, how can I help?", true, "agent"));
    expect(texts(ai)).toEqual(["customer:My router keeps rebooting.", "agent:Hello, how can I help?", "customer:Since Monday."]);
    expect(ai.final?.text).toBe("Hello, how can I help?");
  });

  it("a late partial does not undo its final; a revised final replaces the final", () => {
    const ai = fresh();
    addLine(ai, line("a", "Done."));
    addLine(ai, line("a", "Do", false));
    expect(texts(ai)).toEqual(["customer:Done."]);
    addLine(ai, line("a", "Done, thanks."));
    expect(texts(ai)).toEqual(["customer:Done, thanks."]);
  });

  it(`keeps the last ${TRANSCRIPT_LINES} lines`, () => {
    const ai = fresh();
    for (let i = 0; i < TRANSCRIPT_LINES + 5; i++) addLine(ai, line(`s${i}`, `line ${i}`));
    expect(ai.lines).toHaveLength(TRANSCRIPT_LINES);
    expect(ai.lines[0]!.text).toBe("line 5");
    expect(ai.lines.at(-1)!.text).toBe(`line ${TRANSCRIPT_LINES + 4}`);
  });
});

describe("addInsight", () => {
  const kinds = (ai: CallAi): string[] => ai.insights.map((i) => `${i.kind}:${i.text}${i.score === undefined ? "" : `@${i.score}`}`);

  it("dedupes by kind and text (the newest kept, at the end); the latest sentiment replaces the previous one", () => {
    const ai = fresh();
    addInsight(ai, { kind: "sentiment", text: "neutral", score: 0 });
    addInsight(ai, { kind: "intent", text: "Cancel subscription" });
    addInsight(ai, { kind: "issue", text: "Router reboots" });
    addInsight(ai, { kind: "intent", text: "Cancel subscription", score: 0.9 });
    addInsight(ai, { kind: "sentiment", text: "negative", score: -0.7 });
    addInsight(ai, { kind: "category", text: "Router reboots" });
    expect(kinds(ai)).toEqual(["issue:Router reboots", "intent:Cancel subscription@0.9", "sentiment:negative@-0.7", "category:Router reboots"]);
  });

  it(`keeps the last ${INSIGHTS_KEPT}`, () => {
    const ai = fresh();
    for (let i = 0; i < INSIGHTS_KEPT + 3; i++) addInsight(ai, { kind: "entity", text: `e${i}` });
    expect(ai.insights).toHaveLength(INSIGHTS_KEPT);
    expect(ai.insights[0]!.text).toBe("e3");
  });
});

describe("tone", () => {
  it("reads the score's direction, else the text", () => {
    expect([0.8, 0.25, 0.1, 0, -0.24, -0.25, -1].map((score) => tone({ kind: "sentiment", text: "x", score }))).toEqual([
      "positive",
      "positive",
      "neutral",
      "neutral",
      "neutral",
      "negative",
      "negative",
    ]);
    expect(["POSITIVE", " negative", "Neutral", "MIXED", "happy"].map((text) => tone({ kind: "sentiment", text }))).toEqual(["positive", "negative", "neutral", "neutral", "neutral"]);
  });
});
