/**
 * Pega Voice AI for a CTI that is not one of Pega Call's own: Pega's Voice
 * AI must be told of "call connections and disconnections" with the call's
 * AI session properties (.AISessionID, .AIChannelID, .AIIsolationID,
 * .AILanguageModel, .AISpeechModel, .AIRecordOnlyMode: "Integrating Voice AI
 * with a CTI system", Pega Customer Service implementation guide 8.6/8.7,
 * https://docs-previous.pega.com/pega-customer-service-implementation-guide/87/integrating-voice-ai-cti-system).
 * This module resolves those properties per call, sends the notifications,
 * and forwards the call's transcript segments and insights with its session
 * id. Pega documents the properties, not a client-side event for them, nor
 * any for transcripts or insights: the event types and their other fields
 * are this package's, in Pega's style (py names, every leaf a string).
 */
import { CtiError, type Call, type CallInsightEvent, type CallTranscriptEvent, type Logger } from "@opencti/core";
import { toPegaError } from "./errors.js";
import type { PegaContext } from "./events.js";
import type { PegaEvent, PegaVoiceAiEvent, PegaVoiceAiSession } from "./types.js";

/** One call's AI session properties; each one optional. */
export interface PegaVoiceAiProperties {
  /**
   * .AISessionID: a GUID, version 4 (`xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`,
   * either case), as Pega's own @Utilities.pxGetNewGUID() makes. Default: one
   * generated for the call (crypto.randomUUID), the same on all its events.
   */
  readonly sessionId?: string;
  /** .AIChannelID: the Voice AI configuration set's "Voice AI Channel ID". Text, at most 256 characters, no control characters (the same for the three below). */
  readonly channelId?: string;
  /** .AIIsolationID: the configuration set's "Isolation ID". */
  readonly isolationId?: string;
  /** .AILanguageModel: the configuration set's "Language Model" (Pega gives no format; passed as given). */
  readonly languageModel?: string;
  /** .AISpeechModel: the configuration set's "Speech Model". */
  readonly speechModel?: string;
  /** .AIRecordOnlyMode: the configuration set's "VAD Record Only Mode". Default false. Passed on, not acted on: transcripts and insights are forwarded either way. */
  readonly recordOnly?: boolean;
  /**
   * The call's live audio stream reference (at most 1024 characters). Default:
   * the call's own (`Call.mediaStream`: Amazon Connect's Kinesis Video Stream
   * ARN, Twilio's Media Stream SID, …), followed as it changes (VoiceAIEvent Updated).
   */
  readonly mediaStream?: string;
}

/** The `voiceAi` option: the configuration set's values for every call, and what differs per call. */
export interface PegaVoiceAiOptions extends Omit<PegaVoiceAiProperties, "sessionId" | "mediaStream"> {
  /**
   * Asked once per call, when it is first connected: that call's properties
   * (overriding the ones above), or `undefined` for no Voice AI on that call
   * (e.g. `call.direction === "monitor"`). Default: `{}`, Voice AI on every
   * call. Refused properties (or a throw) mean no Voice AI on that call: a
   * VoiceAIErrorEvent is forwarded and the `logger` warned; nothing throws.
   */
  readonly sessionProperties?: (call: Call) => PegaVoiceAiProperties | undefined;
}

const KEYS: readonly string[] = ["sessionId", "channelId", "isolationId", "languageModel", "speechModel", "recordOnly", "mediaStream"] satisfies (keyof PegaVoiceAiProperties)[];
const GUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Ended calls whose late transcript segments and insights are still forwarded (core accepts them for recently ended calls). */
const RECENT = 32;

/** A random GUID version 4: crypto.randomUUID, or getRandomValues where there is none (a page outside a secure context). */
export function newSessionId(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === "function") return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A segment offset as whole milliseconds (core checks only that it is a number). */
const offset = (ms: number | undefined): string | undefined => (ms !== undefined && ms >= 0 && Number.isFinite(ms) ? String(Math.round(ms)) : undefined);

interface Session {
  /** Undefined: no Voice AI on this call. */
  props?: PegaVoiceAiSession;
  /** The media stream is the call's own (followed), not one given for it. */
  ownMedia?: boolean;
  /** Pega was told the call disconnected. */
  over?: boolean;
}

/** The call's properties from the option's and the call's own; throws INVALID_ARGUMENT naming the refused property (never its value). */
function resolve(defaults: PegaVoiceAiOptions, given: unknown, call: Call): Session {
  const bad = (message: string): never => {
    throw new CtiError("INVALID_ARGUMENT", `Voice AI session properties: ${message}.`, { callId: call.id, request: "voiceAi" });
  };
  if (typeof given !== "object" || given === null) bad("sessionProperties must return an object or undefined");
  const p = given as Readonly<Record<string, unknown>>;
  const unknown = Object.keys(p).find((key) => !KEYS.includes(key));
  if (unknown !== undefined) bad(`unknown property "${unknown.slice(0, 64)}"`);
  const pick = (key: string): unknown => p[key] ?? (defaults as Readonly<Record<string, unknown>>)[key];
  const text = (key: string, max = 256): string => {
    const value = pick(key) ?? "";
    return typeof value === "string" && value.length <= max && !CONTROL.test(value) ? value : bad(`${key} must be text of at most ${max} characters without control characters`);
  };
  const sessionId = p.sessionId ?? newSessionId();
  if (typeof sessionId !== "string" || !GUID_V4.test(sessionId)) bad("sessionId must be a GUID, version 4 (Pega's .AISessionID)");
  const recordOnly = pick("recordOnly") ?? false;
  if (typeof recordOnly !== "boolean") bad("recordOnly must be true or false");
  const ownMedia = p.mediaStream === undefined;
  return {
    ownMedia,
    props: {
      AISessionID: sessionId as string,
      AIChannelID: text("channelId"),
      AIIsolationID: text("isolationId"),
      AILanguageModel: text("languageModel"),
      AISpeechModel: text("speechModel"),
      AIRecordOnlyMode: recordOnly ? "true" : "false",
      AIMediaStream: ownMedia ? (call.mediaStream ?? "") : text("mediaStream", 1024),
    },
  };
}

export interface VoiceAi {
  /** After a live call's event, never after its end: starts its session when it is first connected, follows its media stream. */
  onCall(call: Call): void;
  /** After the call's Disconnected / Abandoned (`removed`: the call is gone, not in wrap-up). */
  onEnd(call: Call, removed: boolean): void;
  onSignal(event: CallTranscriptEvent | CallInsightEvent): void;
}

export function createVoiceAi(options: PegaVoiceAiOptions, ctx: () => PegaContext, send: (event: PegaEvent) => void, getCall: (id: string) => Call | undefined, logger: Logger): VoiceAi {
  const live = new Map<string, Session>();
  const recent = new Map<string, Session>();

  const head = (callId: string): { pyCallId: string; pyThisDN: string; pyMedia: string } => {
    const c = ctx();
    return { pyCallId: callId, pyThisDN: c.thisDN, pyMedia: c.media };
  };
  const notify = (name: PegaVoiceAiEvent["pyEventName"], callId: string, props: PegaVoiceAiSession): void => send({ pyEventType: "VoiceAIEvent", pyEventName: name, ...head(callId), ...props });

  function start(call: Call): Session {
    let session: Session = {};
    try {
      const given = options.sessionProperties ? options.sessionProperties(call) : {};
      if (given !== undefined) session = resolve(options, given, call);
    } catch (err) {
      const { errCode, errMessage } = toPegaError(err instanceof CtiError ? err : new CtiError("INVALID_ARGUMENT", `voiceAi.sessionProperties threw: ${err instanceof Error ? err.message : String(err)}`));
      logger.warn(`Pega Voice AI is off for call ${call.id}: ${errMessage}`, { code: "INVALID_ARGUMENT", callId: call.id });
      send({ pyEventType: "VoiceAIErrorEvent", pyEventName: "Error", ...head(call.id), pyErrCode: errCode, pyErrMessage: errMessage, pyFailureCode: "INVALID_ARGUMENT" });
    }
    live.set(call.id, session);
    if (session.props) notify("Connected", call.id, session.props);
    return session;
  }

  return {
    onCall(call) {
      const session = live.get(call.id);
      if (!session) {
        if (call.state === "connected") start(call);
        return;
      }
      const media = call.mediaStream ?? "";
      if (session.props && session.ownMedia && media !== session.props.AIMediaStream) {
        session.props = { ...session.props, AIMediaStream: media };
        notify("Updated", call.id, session.props);
      }
    },

    onEnd(call, removed) {
      const session = live.get(call.id);
      if (!session) return;
      if (session.props && !session.over) notify("Disconnected", call.id, session.props);
      session.over = true;
      if (!removed) return;
      live.delete(call.id);
      recent.set(call.id, session);
      if (recent.size > RECENT) recent.delete(recent.keys().next().value!);
    },

    onSignal(event) {
      let session = live.get(event.callId) ?? recent.get(event.callId);
      // A call connected before events were forwarded (Pega logged in mid-call) starts its session here.
      const call = session ? undefined : getCall(event.callId);
      if (call?.state === "connected") session = start(call);
      const props = session?.props;
      if (!props) return;
      const common = { ...head(event.callId), AISessionID: props.AISessionID };
      if (event.type === "call.transcript") {
        const s = event.segment;
        const [start, end] = [offset(s.startMs), offset(s.endMs)];
        send({
          pyEventType: "VoiceAITranscriptEvent",
          pyEventName: s.final ? "Final" : "Partial",
          ...common,
          pySegmentId: s.id,
          pySpeaker: s.speaker.toUpperCase() as Uppercase<typeof s.speaker>,
          pyText: s.text,
          ...(s.language && { pyLanguage: s.language }),
          ...(start && { pyStartMs: start }),
          ...(end && { pyEndMs: end }),
        });
      } else {
        const { kind, text, score, data } = event.insight;
        send({
          pyEventType: "VoiceAIInsightEvent",
          pyEventName: (kind[0]!.toUpperCase() + kind.slice(1)) as Capitalize<typeof kind>,
          ...common,
          pyText: text,
          ...(Number.isFinite(score) && { pyScore: String(score) }),
          pyData: { ...data },
        });
      }
    },
  };
}
