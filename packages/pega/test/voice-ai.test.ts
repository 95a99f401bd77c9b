/**
 * Pega Voice AI: the AI session properties per call, the connect /
 * disconnect notifications that carry them, transcript segments and
 * insights, and refused properties, checked against the independent table
 * in documented-shapes.ts (Pega's property names from "Integrating Voice AI
 * with a CTI system"; the event shapes this package documents).
 */
import { createDesktop, INSIGHT_KINDS, type Call, type CallReport, type Desktop, type ConnectorContext, type Insight, type Logger, type TranscriptSegment } from "@opencti/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createPegaImplementation, newSessionId, type PegaError, type PegaEvent, type PegaImplementationOptions, type PegaVoiceAiErrorEvent, type PegaVoiceAiEvent, type PegaVoiceAiInsightEvent, type PegaVoiceAiTranscriptEvent } from "../src/index.js";
import { DOCUMENTED_SHAPES, GUID_V4_PATTERN, PEGA_VOICE_AI_PROPERTIES } from "./documented-shapes.js";
import { disposeRigs, rig } from "./helpers.js";
import { nonStringLeaves, pegaSchemaProblems } from "./support.js";

const GUID_V4 = new RegExp(GUID_V4_PATTERN);
const KVS_ARN = "arn:aws:kinesisvideo:us-east-1:123456789012:stream/connect-contact-1/1700000000000";
const CONFIG = { channelId: "VoiceAIChannel-1", isolationId: "acme-prod", languageModel: "en_US", speechModel: "telephony-8k" } as const;

type VoiceEvent = PegaVoiceAiEvent | PegaVoiceAiErrorEvent | PegaVoiceAiTranscriptEvent | PegaVoiceAiInsightEvent;

interface Line {
  readonly desktop: Desktop;
  readonly events: PegaEvent[];
  readonly warnings: string[];
  report(r: CallReport): void;
  end(id: string): void;
  say(callId: string, segment: TranscriptSegment): void;
  tell(callId: string, insight: Insight): void;
  /** The Voice AI events forwarded. */
  voice(): VoiceEvent[];
  /** `pyEventType:pyEventName` of the call events forwarded (of one call). */
  names(callId?: string): string[];
}
const lines: Line[] = [];
afterEach(async () => {
  for (const l of lines.splice(0)) await l.desktop.destroy();
  await disposeRigs();
});

/** A desktop on a connector the test reports for directly, the Pega adapter forwarding (JSON round trip) from creation. */
function scripted(pega: PegaImplementationOptions = {}, before?: (ctx: ConnectorContext) => void): Line {
  let ctx!: ConnectorContext;
  const connector = {
    name: "scripted",
    capabilities: ["answer", "hangup", "hold", "wrapUp"] as const,
    reasons: [],
    start: (c: ConnectorContext) => {
      ctx = c;
      c.setLink("connected");
    },
    stop() {},
    login: async () => {},
    logout: async () => {},
  };
  const desktop = createDesktop({ connector });
  before?.(ctx);
  const events: PegaEvent[] = [];
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, error() {}, warn: (message) => void warnings.push(message) };
  createPegaImplementation(desktop, { forwardEvent: (e) => void events.push(JSON.parse(JSON.stringify(e)) as PegaEvent), logger, ...pega });
  const line: Line = {
    desktop,
    events,
    warnings,
    report: (r: CallReport) => ctx.upsertCall({ direction: "inbound", from: "+15550100", ...r }),
    end: (id: string) => ctx.removeCall(id, "remote_hangup"),
    say: (callId: string, segment: TranscriptSegment) => ctx.signal({ kind: "transcript", callId, segment }),
    tell: (callId: string, insight: Insight) => ctx.signal({ kind: "insight", callId, insight }),
    voice: () => events.filter((e): e is VoiceEvent => e.pyEventType.startsWith("VoiceAI")),
    names: (callId?: string) => events.filter((e) => e.pyEventType !== "AgentStateEvent" && e.pyEventType !== "SnapshotEvent" && (callId === undefined || e.pyCallId === callId)).map((e) => `${e.pyEventType}:${e.pyEventName}`),
  };
  lines.push(line);
  return line;
}

/** Every forwarded event validates against the published schema made strict by the documented shapes, strings only. */
function expectDocumented(events: readonly PegaEvent[]): void {
  for (const e of events) {
    expect(pegaSchemaProblems(e), JSON.stringify(e)).toEqual([]);
    expect(nonStringLeaves(e), JSON.stringify(e)).toEqual([]);
  }
}

const connectedOnce = (line: Line, id = "c1", extra: Partial<CallReport> = {}): void => {
  line.report({ id, state: "ringing", ...extra });
  line.report({ id, state: "connected", ...extra });
};

describe("Voice AI connect and disconnect notifications", () => {
  it("a connected call gets VoiceAIEvent Connected with Pega's AI session properties, and Disconnected right after its CallEvent Disconnected", () => {
    const line = scripted({ voiceAi: CONFIG });
    connectedOnce(line, "c1", { mediaStream: KVS_ARN });
    line.report({ id: "c1", state: "held" });
    line.report({ id: "c1", state: "connected" });
    line.end("c1");
    expect(line.names("c1")).toEqual([
      "CallStateEvent:Alerting",
      "PartyInfoEvent:PartyInfo",
      "CallStateEvent:Established",
      "VoiceAIEvent:Connected",
      "CallStateEvent:Held",
      "CallStateEvent:Retrieved",
      "CallStateEvent:Disconnected",
      "VoiceAIEvent:Disconnected",
    ]);
    const [connected, disconnected] = line.voice() as PegaVoiceAiEvent[];
    expect(connected).toEqual({
      pyEventType: "VoiceAIEvent",
      pyEventName: "Connected",
      pyCallId: "c1",
      pyThisDN: "",
      pyMedia: "Phone",
      AISessionID: expect.stringMatching(GUID_V4),
      AIChannelID: "VoiceAIChannel-1",
      AIIsolationID: "acme-prod",
      AILanguageModel: "en_US",
      AISpeechModel: "telephony-8k",
      AIRecordOnlyMode: "false",
      AIMediaStream: KVS_ARN,
    });
    expect(disconnected).toEqual({ ...connected, pyEventName: "Disconnected" });
    expectDocumented(line.events);
  });

  it("carries exactly Pega's documented property names (plus AIMediaStream), every one on every notification", () => {
    const line = scripted({ voiceAi: {} });
    connectedOnce(line);
    line.end("c1");
    for (const e of line.voice()) {
      expect(Object.keys(e).filter((k) => k.startsWith("AI")).sort()).toEqual([...Object.keys(PEGA_VOICE_AI_PROPERTIES), "AIMediaStream"].sort());
      // Not configured: empty strings, record-only off, no stream known yet.
      expect(e).toMatchObject({ AIChannelID: "", AIIsolationID: "", AILanguageModel: "", AISpeechModel: "", AIRecordOnlyMode: "false", AIMediaStream: "" });
    }
    expect(line.voice()).toHaveLength(2);
    expectDocumented(line.events);
  });

  it("the session id is generated once per call: stable across the call's events, distinct across calls", () => {
    const sessionProperties = vi.fn((_call: Call) => ({}));
    const line = scripted({ voiceAi: { sessionProperties } });
    connectedOnce(line, "c1");
    connectedOnce(line, "c2");
    for (const state of ["held", "connected", "held", "connected"] as const) line.report({ id: "c1", state });
    line.say("c1", { id: "s1", speaker: "customer", text: "hello", final: true });
    line.end("c1");
    line.end("c2");
    const ids = (callId: string): string[] => line.voice().flatMap((e) => (e.pyCallId === callId && "AISessionID" in e ? [e.AISessionID] : []));
    expect(ids("c1")).toHaveLength(3); // Connected, the transcript, Disconnected
    expect(new Set(ids("c1")).size).toBe(1);
    expect(new Set(ids("c2")).size).toBe(1);
    expect(ids("c1")[0]).not.toBe(ids("c2")[0]);
    expect(line.voice().filter((e) => e.pyEventName === "Connected")).toHaveLength(2);
    expect(sessionProperties).toHaveBeenCalledTimes(2);
    expect(sessionProperties.mock.calls.map(([call]) => [call.id, call.state])).toEqual([
      ["c1", "connected"],
      ["c2", "connected"],
    ]);
  });

  it("per-call properties override the configuration set's; a given session id and media stream are used as they are", () => {
    const sessionId = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const line = scripted({
      voiceAi: { ...CONFIG, recordOnly: false, sessionProperties: (call) => (call.id === "c2" ? { sessionId, languageModel: "es_ES", recordOnly: true, mediaStream: "MZ0123456789abcdef0123456789abcdef" } : undefined) },
    });
    connectedOnce(line, "c1", { mediaStream: KVS_ARN });
    connectedOnce(line, "c2", { mediaStream: KVS_ARN });
    // c1: sessionProperties said undefined, so no Voice AI at all, silently.
    expect(line.voice().map((e) => e.pyCallId)).toEqual(["c2"]);
    expect(line.warnings).toEqual([]);
    expect(line.voice()[0]).toMatchObject({ AISessionID: sessionId, AIChannelID: "VoiceAIChannel-1", AILanguageModel: "es_ES", AIRecordOnlyMode: "true", AIMediaStream: "MZ0123456789abcdef0123456789abcdef" });
    // A given stream is not replaced by the call's own.
    line.report({ id: "c2", state: "connected", mediaStream: "arn:aws:kinesisvideo:other" });
    expect(line.voice()).toHaveLength(1);
    line.say("c1", { id: "s1", speaker: "customer", text: "not forwarded", final: true });
    expect(line.voice()).toHaveLength(1);
    expectDocumented(line.events);
  });

  it("follows the call's media stream: known later or changed → Updated, cleared → Updated with an empty reference; none after Disconnected", () => {
    const line = scripted({ voiceAi: {} });
    connectedOnce(line);
    line.report({ id: "c1", state: "connected", mediaStream: KVS_ARN });
    line.report({ id: "c1", state: "held" }); // unchanged stream: nothing
    line.report({ id: "c1", state: "held", mediaStream: null });
    line.report({ id: "c1", state: "wrapup" });
    line.report({ id: "c1", state: "wrapup", mediaStream: KVS_ARN });
    line.end("c1");
    const voice = line.voice() as PegaVoiceAiEvent[];
    expect(voice.map((e) => [e.pyEventName, e.AIMediaStream])).toEqual([
      ["Connected", ""],
      ["Updated", KVS_ARN],
      ["Updated", ""],
      ["Disconnected", ""],
    ]);
    expect(new Set(voice.map((e) => e.AISessionID)).size).toBe(1);
    expectDocumented(line.events);
  });

  it("wrap-up: Disconnected once, with the CallEvent Disconnected, not again when the call ends; a call never connected gets none", () => {
    const line = scripted({ voiceAi: {} });
    connectedOnce(line, "c1");
    line.report({ id: "c1", state: "wrapup" });
    line.end("c1");
    line.report({ id: "c2", state: "ringing" });
    line.end("c2");
    expect(line.names().filter((n) => n.startsWith("VoiceAI") || n.endsWith("Disconnected"))).toEqual(["VoiceAIEvent:Connected", "CallStateEvent:Disconnected", "VoiceAIEvent:Disconnected", "CallStateEvent:Disconnected"]);
    expect(line.voice().every((e) => e.pyCallId === "c1")).toBe(true);
  });

  it("a call connected before Pega was forwarded to starts its session with its next event", () => {
    const line = scripted({ voiceAi: {} }, (ctx) => {
      ctx.upsertCall({ id: "c1", state: "ringing", direction: "inbound" });
      ctx.upsertCall({ id: "c1", state: "connected" });
    });
    expect(line.voice()).toEqual([]);
    line.say("c1", { id: "s1", speaker: "agent", text: "how can I help", final: true });
    expect(line.names("c1")).toEqual(["VoiceAIEvent:Connected", "VoiceAITranscriptEvent:Final"]);
  });

  it("without the voiceAi option nothing Voice AI is forwarded (transcripts and insights included)", () => {
    const line = scripted();
    connectedOnce(line, "c1", { mediaStream: KVS_ARN });
    line.say("c1", { id: "s1", speaker: "customer", text: "hello", final: true });
    line.tell("c1", { kind: "sentiment", text: "positive", score: 0.8 });
    line.end("c1");
    expect(line.voice()).toEqual([]);
    expect(line.events.length).toBeGreaterThan(0);
  });

  it("a generated session id is a GUID version 4, also where crypto.randomUUID is missing (a page outside a secure context)", () => {
    const ids = new Set(Array.from({ length: 200 }, () => newSessionId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(GUID_V4);
    const own = Object.getOwnPropertyDescriptor(globalThis.crypto, "randomUUID");
    Object.defineProperty(globalThis.crypto, "randomUUID", { value: undefined, configurable: true, writable: true });
    try {
      const fallback = Array.from({ length: 200 }, () => newSessionId());
      expect(new Set(fallback).size).toBe(200);
      for (const id of fallback) expect(id).toMatch(GUID_V4);
    } finally {
      if (own) Object.defineProperty(globalThis.crypto, "randomUUID", own);
      else delete (globalThis.crypto as { randomUUID?: unknown }).randomUUID;
    }
    expect(typeof globalThis.crypto.randomUUID).toBe("function");
  });
});

describe("transcripts and insights in Pega's format", () => {
  it("transcript segments: Partial then Final with one segment id, speakers, language and offsets as strings, the call's session id", () => {
    const line = scripted({ voiceAi: {} });
    connectedOnce(line);
    line.say("c1", { id: "seg-1", speaker: "customer", text: "I want a ref", final: false });
    line.say("c1", { id: "seg-1", speaker: "customer", text: "I want a refund", final: true, language: "en-US", startMs: 1200, endMs: 2950.4 });
    line.say("c1", { id: "seg-2", speaker: "agent", text: "Sure", final: true });
    line.say("c1", { id: "seg-3", speaker: "third_party", text: "Supervisor here", final: true });
    line.say("c1", { id: "seg-4", speaker: "system", text: "Recording started", final: true, startMs: -5, endMs: Number.NaN });
    const sessionId = (line.voice()[0] as PegaVoiceAiEvent).AISessionID;
    const transcripts = line.voice().filter((e) => e.pyEventType === "VoiceAITranscriptEvent");
    expect(transcripts).toEqual([
      { pyEventType: "VoiceAITranscriptEvent", pyEventName: "Partial", pyCallId: "c1", pyThisDN: "", pyMedia: "Phone", AISessionID: sessionId, pySegmentId: "seg-1", pySpeaker: "CUSTOMER", pyText: "I want a ref" },
      {
        pyEventType: "VoiceAITranscriptEvent",
        pyEventName: "Final",
        pyCallId: "c1",
        pyThisDN: "",
        pyMedia: "Phone",
        AISessionID: sessionId,
        pySegmentId: "seg-1",
        pySpeaker: "CUSTOMER",
        pyText: "I want a refund",
        pyLanguage: "en-US",
        pyStartMs: "1200",
        pyEndMs: "2950",
      },
      expect.objectContaining({ pyEventName: "Final", pySegmentId: "seg-2", pySpeaker: "AGENT" }),
      expect.objectContaining({ pySegmentId: "seg-3", pySpeaker: "THIRD_PARTY" }),
      // Offsets that are not whole non-negative milliseconds are left out.
      expect.not.objectContaining({ pyStartMs: expect.anything(), pyEndMs: expect.anything() }),
    ]);
    expect(transcripts[4]).toMatchObject({ pySpeaker: "SYSTEM" });
    expectDocumented(line.events);
  });

  it("insights: every core kind becomes its documented name, score as a decimal string only when finite, data as strings", () => {
    const line = scripted({ voiceAi: {} });
    connectedOnce(line);
    for (const kind of INSIGHT_KINDS) line.tell("c1", { kind, text: `${kind} text`, score: kind === "sentiment" ? -0.6 : 0.9, data: { source: "contact-lens" } });
    line.tell("c1", { kind: "summary", text: "no score, no data" });
    line.tell("c1", { kind: "intent", text: "not a number", score: Number.NaN });
    const insights = line.voice().filter((e) => e.pyEventType === "VoiceAIInsightEvent");
    expect(insights.map((e) => e.pyEventName)).toEqual([...DOCUMENTED_SHAPES.VoiceAIInsight!.eventNames, "Summary", "Intent"]);
    expect(insights[0]).toEqual({
      pyEventType: "VoiceAIInsightEvent",
      pyEventName: "Sentiment",
      pyCallId: "c1",
      pyThisDN: "",
      pyMedia: "Phone",
      AISessionID: (line.voice()[0] as PegaVoiceAiEvent).AISessionID,
      pyText: "sentiment text",
      pyScore: "-0.6",
      pyData: { source: "contact-lens" },
    });
    expect(insights.at(-2)).toEqual(expect.objectContaining({ pyText: "no score, no data", pyData: {} }));
    expect("pyScore" in insights.at(-2)!).toBe(false);
    expect("pyScore" in insights.at(-1)!).toBe(false);
    expectDocumented(line.events);
  });

  it("before the call is connected nothing is forwarded; after its Disconnected (wrap-up) and once it ended, late segments and insights still come with its session id", () => {
    const line = scripted({ voiceAi: {} });
    line.report({ id: "c1", state: "ringing" });
    line.say("c1", { id: "ivr", speaker: "customer", text: "before the agent", final: true });
    expect(line.voice()).toEqual([]);
    line.report({ id: "c1", state: "connected" });
    line.report({ id: "c1", state: "wrapup" });
    line.say("c1", { id: "late", speaker: "customer", text: "bye", final: true });
    line.end("c1");
    line.tell("c1", { kind: "summary", text: "The customer asked for a refund." });
    expect(line.names("c1").filter((n) => n.startsWith("VoiceAI"))).toEqual(["VoiceAIEvent:Connected", "VoiceAIEvent:Disconnected", "VoiceAITranscriptEvent:Final", "VoiceAIInsightEvent:Summary"]);
    expect(new Set(line.voice().map((e) => (e as { AISessionID: string }).AISessionID)).size).toBe(1);
  });

  it("late events are kept for the 32 most recently ended calls only", () => {
    const line = scripted({ voiceAi: {} });
    for (let i = 0; i <= 32; i++) {
      connectedOnce(line, `c${i}`);
      line.end(`c${i}`);
    }
    const before = line.voice().length;
    line.tell("c0", { kind: "summary", text: "too late: the oldest of 33" });
    line.tell("c1", { kind: "summary", text: "still kept" });
    expect(line.voice().slice(before).map((e) => e.pyCallId)).toEqual(["c1"]);
  });

  it("on the simulator: its transcript lines and insights reach Pega for a call answered through Pega", async () => {
    const r = rig({ pega: { voiceAi: CONFIG } });
    await r.login();
    const id = r.server.ringInbound({ from: "+15550100" });
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Alerting" });
    await new Promise<void>((resolve, reject) => r.impl.answerCall(id, {}, resolve, (e: PegaError) => reject(new Error(e.errCode))));
    const connected = await r.next<PegaVoiceAiEvent>({ pyEventType: "VoiceAIEvent", pyEventName: "Connected", pyCallId: id });
    r.server.transcript(id, { speaker: "customer", text: "My card was charged twice", final: true });
    r.server.insight(id, { kind: "sentiment", text: "negative", score: -0.7 });
    await r.next({ pyEventType: "VoiceAITranscriptEvent", pyText: "My card was charged twice", pySpeaker: "CUSTOMER", AISessionID: connected.AISessionID });
    await r.next({ pyEventType: "VoiceAIInsightEvent", pyEventName: "Sentiment", pyScore: "-0.7", AISessionID: connected.AISessionID });
    await new Promise<void>((resolve, reject) => r.impl.hangUpCall(id, {}, resolve, (e: PegaError) => reject(new Error(e.errCode))));
    await r.next({ pyEventType: "VoiceAIEvent", pyEventName: "Disconnected", AISessionID: connected.AISessionID });
    expectDocumented(r.events);
  });
});

describe("refused AI session properties", () => {
  const BAD: readonly [string, unknown, string][] = [
    ["a session id that is not a GUID", { sessionId: "session-1" }, "sessionId"],
    ["a GUID of another version (1)", { sessionId: "6ba7b810-9dad-11d1-80b4-00c04fd430c8" }, "sessionId"],
    ["a session id that is not a string", { sessionId: 42 }, "sessionId"],
    ["record-only mode that is not a boolean", { recordOnly: "yes" }, "recordOnly"],
    ["an unknown property (a misspelt name)", { sessionID: "0f8fad5b-d9cb-469f-a165-70867728950e" }, "sessionID"],
    ["a channel id that is too long", { channelId: "c".repeat(257) }, "channelId"],
    ["an isolation id with a control character", { isolationId: "acme\nprod" }, "isolationId"],
    ["a language model that is not text", { languageModel: ["en_US"] }, "languageModel"],
    ["a media stream reference that is too long", { mediaStream: "x".repeat(1025) }, "mediaStream"],
    ["not an object", "en_US", "object"],
  ];

  for (const [what, given, field] of BAD) {
    it(`${what}: VoiceAIErrorEvent and a warning, no Voice AI on that call, nothing thrown`, () => {
      const line = scripted({ voiceAi: { sessionProperties: (call) => (call.id === "bad" ? (given as never) : {}) } });
      connectedOnce(line, "bad");
      connectedOnce(line, "good");
      line.say("bad", { id: "s1", speaker: "customer", text: "not forwarded", final: true });
      line.end("bad");
      line.end("good");
      const bad = line.voice().filter((e) => e.pyCallId === "bad");
      expect(bad).toEqual([
        {
          pyEventType: "VoiceAIErrorEvent",
          pyEventName: "Error",
          pyCallId: "bad",
          pyThisDN: "",
          pyMedia: "Phone",
          pyErrCode: "OPENCTI_CF_GENERIC_OPERATION",
          pyErrMessage: expect.stringContaining(field),
          pyFailureCode: "INVALID_ARGUMENT",
        },
      ]);
      // The refused value itself is never echoed.
      if (typeof given === "object" && given !== null) for (const v of Object.values(given)) if (typeof v === "string" && v.length > 3) expect(JSON.stringify(bad)).not.toContain(v);
      expect(line.warnings).toEqual([expect.stringContaining("Pega Voice AI is off for call bad")]);
      // The other call is unaffected; the bad one still had all its CallEvents.
      expect(line.names("good").filter((n) => n.startsWith("VoiceAI"))).toEqual(["VoiceAIEvent:Connected", "VoiceAIEvent:Disconnected"]);
      expect(line.names("bad").filter((n) => n.startsWith("CallStateEvent"))).toEqual(["CallStateEvent:Alerting", "CallStateEvent:Established", "CallStateEvent:Disconnected"]);
      expectDocumented(line.events);
    });
  }

  it("refused configuration-set values are refused on every call the same way", () => {
    const line = scripted({ voiceAi: { recordOnly: "no" as never } });
    connectedOnce(line, "c1");
    connectedOnce(line, "c2");
    expect(line.voice().map((e) => `${e.pyCallId}:${e.pyEventName}:${(e as { pyErrMessage?: string }).pyErrMessage}`)).toEqual([
      "c1:Error:Voice AI session properties: recordOnly must be true or false.",
      "c2:Error:Voice AI session properties: recordOnly must be true or false.",
    ]);
  });

  it("sessionProperties that throws: the same error event, its message redacted; the desktop carries on", () => {
    const line = scripted({
      voiceAi: {
        sessionProperties: () => {
          throw new Error("lookup failed, token=abc123secret");
        },
      },
    });
    connectedOnce(line);
    const [error] = line.voice();
    expect(error).toMatchObject({ pyEventType: "VoiceAIErrorEvent", pyErrCode: "OPENCTI_CF_GENERIC_OPERATION", pyFailureCode: "INVALID_ARGUMENT" });
    expect((error as { pyErrMessage: string }).pyErrMessage).toContain("voiceAi.sessionProperties threw: lookup failed");
    expect(JSON.stringify(line.events)).not.toContain("abc123secret");
    expect(line.warnings.join()).not.toContain("abc123secret");
    line.report({ id: "c1", state: "held" });
    expect(line.names("c1").at(-1)).toBe("CallStateEvent:Held");
    expectDocumented(line.events);
  });
});
