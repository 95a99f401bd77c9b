/**
 * The SIP dialogs the connector tracks as calls: a line's events (ringing,
 * connected, far-end hold, ended) and incoming INVITEs in, call reports and
 * the local agent state out through the connector context. Nothing here
 * throws back into the SIP library: every callback is guarded.
 */
import { CtiError, type CallFailure, type CallReport, type ConnectorContext, type EndReason, type MediaState, type MonitorMode, type RecordingState, type WrapUp } from "@opencti/core";
import { errorMessage, guard, timeoutSignal, type LocalAgentState } from "@opencti/core/connector";
import { callError } from "./errors.js";
import { aorUser, callReport, endOutcome, inboundDetails, looksLikeSdp, mediaState, refreshFailure, setupLost, type CallFacts, type EndOutcome } from "./mapping.js";
import { DEFAULTS, type SipConnectorOptions } from "./options.js";
import { SipFailure, type LineEnd, type SipLine } from "./stack.js";

/** A call as the connector tracks it: the facts it reports, plus what only the connector needs. */
export interface Line extends CallFacts {
  readonly sip: SipLine;
  state: CallFacts["state"];
  muted: boolean;
  remoteHold: boolean;
  remoteRinging: boolean;
  endReason?: EndReason;
  failure?: CallFailure;
  media?: MediaState;
  everConnected: boolean;
  localHold: boolean;
  /** Set when we know better than "who hung up" why the line ends (transfer, reject, failed answer). */
  endOverride?: EndOutcome;
  audio?: HTMLAudioElement;
  wrapUpEndsAt?: number;
  /** Ends the wrap-up at wrapUpEndsAt. */
  wrapUpTimer?: ReturnType<typeof setTimeout>;
  recording?: RecordingState;
  monitorMode?: MonitorMode;
  /** Told each time the line is reported (a request waiting for the session to connect). */
  watcher?: () => void;
}

export type NewLine = Pick<Line, "direction" | "state" | "data" | "from" | "fromName" | "to" | "queue" | "relatedCallId" | "monitorMode">;

export interface Lines {
  /** The user part of the agent's own AOR (the agent party's address). */
  readonly agentAddress: string | undefined;
  get(id: string): Line | undefined;
  /** The calls not yet in wrap-up or ended. */
  live(): Line[];
  /** The tracked call whose SIP Call-ID this is (wrap-up included). */
  bySipCallId(callId: string): Line | undefined;
  /** Every call, as reports (for a sync). */
  reports(): CallReport[];
  /** Starts tracking a new SIP line (its events are wired here); not reported yet. */
  track(sip: SipLine, init: NewLine): Line;
  report(line: Line): void;
  /** The agent state follows the calls: call it after a line is added or changes state. */
  pushAgent(): void;
  /** An incoming INVITE (guarded: for the stack's onIncoming). */
  incoming(sip: SipLine): void;
  /** Wrap-up is done: the call ends with its result. */
  completeWrapUp(line: Line, result: WrapUp): void;
  /** `true` as the connector stops: the wrap-up timers stop and none starts; `false` as it starts again. */
  setStopping(on: boolean): void;
  /** Holds or resumes the line (a re-INVITE); a connected or held call's state follows. */
  setHold(line: Line, on: boolean, request: string, signal?: AbortSignal): Promise<void>;
  /** The call is in wrap-up or ended. */
  over(line: Line): boolean;
  /** The error for a request the call's end overtook. */
  overtaken(request: string, cause: unknown): CtiError;
  /**
   * After the WebSocket came back on a new connection (`current`: still that one): a target refresh in
   * every established dialog, so the far end's requests (its BYE) reach the new connection; a call whose
   * refresh fails ends `lost`, one whose refresh a later drop cut short waits for the next reconnect.
   * A call still ringing or dialing ends `lost` (cancelled, or refused 480): the proxy's INVITE
   * transaction is bound to the dropped connection, so its answer or CANCEL could never reach us.
   */
  afterReconnect(current: () => boolean): void;
  /** Mutes or unmutes the agent's microphone on the line. */
  setMute(line: Line, on: boolean): Promise<void>;
}

/** `onAudio`: a call's `<audio>` element was made, before it plays (the chosen output goes on it). */
export function createLines(options: SipConnectorOptions, context: () => ConnectorContext | undefined, agent: LocalAgentState, accepting: () => boolean, onAudio?: (audio: HTMLAudioElement) => void): Lines {
  const wrapUp = options.wrapUp !== false;
  const agentAddress = aorUser(options.uri);
  const lines = new Map<string, Line>();
  let nextId = 1;
  /** The connector is stopping: no wrap-up timer starts any more. */
  let stopping = false;

  const over = (line: Line): boolean => line.state === "ended" || line.state === "wrapup";
  // A request the call's end overtook (a BYE either way while its re-INVITE or REFER was in flight).
  const overtaken = (request: string, cause: unknown): CtiError => new CtiError("INVALID_STATE", `Cannot ${request === "blindTransfer" || request === "completeTransfer" ? "transfer" : request} the call: it ended first.`, { request, cause });
  const report = (line: Line): void => {
    context()?.upsertCall(callReport(line, agentAddress));
    line.watcher?.();
  };
  const pushAgent = (): void => agent.setCalls([...lines.values()].map((l) => l.state));

  function ended(line: Line, end: LineEnd): void {
    if (over(line)) return;
    const outcome = endOutcome({ ...end, override: line.endOverride, everConnected: line.everConnected, sipDirection: line.sip.direction });
    line.endReason = outcome.endReason;
    if (outcome.failure) line.failure = outcome.failure;
    if (line.audio) line.audio.srcObject = null;
    // A supervisor's monitoring session has no after-call work: leaving it ends it.
    if (wrapUp && line.everConnected && line.direction !== "monitor") {
      line.state = "wrapup";
      // A limited wrap-up ends on its own (the desktop counts down to wrapUpEndsAt).
      const limit = options.wrapUpLimitMs ?? 0;
      if (limit > 0 && !stopping) {
        line.wrapUpEndsAt = Date.now() + limit;
        line.wrapUpTimer = setTimeout(() => line.state === "wrapup" && finishWrapUp(line, {}), limit);
      }
    } else {
      line.state = "ended";
      lines.delete(line.id);
    }
    // The full report, so the end carries its failure (and every party disconnected).
    report(line);
    pushAgent();
  }

  function finishWrapUp(line: Line, result: WrapUp): void {
    clearTimeout(line.wrapUpTimer);
    line.state = "ended";
    lines.delete(line.id);
    context()?.upsertCall({ ...callReport(line, agentAddress), wrapUp: result });
    pushAgent();
  }

  async function setHold(line: Line, on: boolean, request: string, signal?: AbortSignal): Promise<void> {
    // The call's state follows the line's onLocalHold, which comes before this resolves.
    await line.sip.hold(on, signal).catch((e: unknown) => Promise.reject(over(line) ? overtaken(request, e) : callError(e, request)));
  }

  /** What the far end accepted is the call's state, even when the request had given up before its answer came. */
  function localHold(line: Line, on: boolean): void {
    line.localHold = on;
    if (!on && line.muted) line.sip.mute(true); // un-holding re-enables the microphone track
    if (line.state === "connected" || line.state === "held") {
      line.state = on ? "held" : "connected";
      report(line);
    }
  }

  function afterReconnect(current: () => boolean): void {
    for (const line of [...lines.values()]) {
      if (line.state === "dialing" || line.state === "ringing") {
        line.endOverride = { endReason: "lost", failure: setupLost(line.sip.direction) };
        context()?.logger.warn("sip: a call still ringing was lost across a reconnect", { callId: line.id });
        void line.sip
          .abandon()
          .catch(() => undefined)
          .finally(() => ended(line, { by: "local" }));
      }
      if (line.state !== "connected" && line.state !== "held") continue;
      const limit = timeoutSignal(DEFAULTS.refreshTimeoutMs);
      void line.sip
        .refresh(limit.signal)
        .catch((e: unknown) => {
          // A refresh the link's next drop cut short says nothing about the call: the next reconnect refreshes again.
          if (over(line) || !current()) return;
          // The far end never learnt the new connection: its BYE could not reach us, so the call is over for the desktop.
          line.endOverride = { endReason: "lost", failure: refreshFailure(e instanceof SipFailure ? e.status : 0) };
          context()?.logger.warn("sip: a call was lost across a reconnect", { callId: line.id, error: errorMessage(e) });
          return line.sip.hangup();
        })
        .catch(() => undefined)
        .finally(() => limit.clear());
    }
  }

  function setMute(line: Line, on: boolean): Promise<void> {
    if (on || line.state !== "held") line.sip.mute(on); // a held call's microphone stays off until resume
    line.muted = on;
    report(line);
    return Promise.resolve();
  }

  function playAudio(line: Line): void {
    if (options.playRemoteAudio === false || typeof document === "undefined") return;
    const stream = line.sip.remoteStream();
    if (!stream) return;
    const audio = document.createElement("audio");
    audio.autoplay = true;
    audio.srcObject = stream;
    line.audio = audio;
    onAudio?.(audio);
    void audio.play().catch(() => undefined);
  }

  function track(sip: SipLine, init: NewLine): Line {
    const line: Line = { ...init, id: `sip-${nextId++}`, sip, everConnected: false, muted: false, localHold: false, remoteHold: false, remoteRinging: false };
    lines.set(line.id, line);
    // Nothing may throw back into the SIP library's callbacks: a failing handler is an INVALID_VENDOR_EVENT about this call.
    const safe = <A extends unknown[]>(what: string, fn: (...args: A) => void) =>
      guard(context, fn, { message: `The SIP ${what} event could not be handled`, raw: (...args: A) => ({ event: what, callId: sip.callId, args }), callId: line.id });
    sip.events = {
      onRinging: safe("ringing", () => {
        if (line.state !== "dialing" || line.remoteRinging) return;
        line.remoteRinging = true;
        report(line);
      }),
      // The far end's ringback or announcement (a 183 with SDP) plays before the answer.
      onEarlyMedia: safe("early media", () => {
        if (line.state === "dialing" && !line.audio) playAudio(line);
      }),
      onConnected: safe("connected", () => {
        if (line.state !== "ringing" && line.state !== "dialing") return;
        line.everConnected = true;
        line.state = line.localHold ? "held" : "connected";
        // What the PBX does with a connected call, as the `recording` option says (SIP does not); never for a monitoring session.
        if (options.recording && line.direction !== "monitor" && line.recording === undefined) line.recording = options.recording === "always" ? "active" : "paused";
        report(line);
        pushAgent();
        if (!line.audio) playAudio(line);
      }),
      onLocalHold: safe("hold", (on: boolean) => localHold(line, on)),
      onRemoteHold: safe("remote hold", (held: boolean) => {
        line.remoteHold = held;
        if (line.state === "connected" || line.state === "held") report(line);
      }),
      onIceState: safe("media", (ice: string) => {
        const media = mediaState(ice);
        if (!media || media === line.media || over(line)) return;
        line.media = media;
        report(line);
      }),
      onEnded: safe("end", (end: LineEnd) => ended(line, end)),
    };
    return line;
  }

  const incoming = guard(
    context,
    (sip: SipLine) => {
      const c = context();
      if (!c || !accepting()) return;
      if (sip.offer && !looksLikeSdp(sip.offer.contentType, sip.offer.body)) {
        void sip.reject(488).catch(() => undefined);
        c.invalidVendorEvent("An incoming SIP INVITE carried an unreadable session description; it was refused with 488.", { callId: sip.callId, from: sip.remote.uri, contentType: sip.offer.contentType, body: sip.offer.body.slice(0, 200) });
        return;
      }
      if (!agent.loggedIn) {
        void sip.reject(480).catch(() => undefined);
        return;
      }
      report(track(sip, { direction: "inbound", state: "ringing", ...inboundDetails(sip, { dataPrefix: options.callDataHeaderPrefix, queueHeader: options.queueHeader }) }));
    },
    { message: "An incoming SIP INVITE could not be read", raw: (sip) => ({ callId: sip.callId }) },
  );

  return {
    agentAddress,
    get: (id) => lines.get(id),
    live: () => [...lines.values()].filter((l) => !over(l)),
    bySipCallId: (callId) => [...lines.values()].find((l) => l.sip.callId === callId),
    reports: () => [...lines.values()].map((l) => callReport(l, agentAddress)),
    track,
    report,
    pushAgent,
    incoming,
    setHold,
    setMute,
    afterReconnect,
    over,
    overtaken,
    completeWrapUp: finishWrapUp,
    setStopping(on) {
      // While stopping no wrap-up timer starts (the hang-ups of a stop end lines too).
      stopping = on;
      if (on) for (const line of lines.values()) clearTimeout(line.wrapUpTimer);
    },
  };
}
