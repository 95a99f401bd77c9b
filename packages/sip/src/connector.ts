/**
 * The SIP connector: one registered SIP user agent is the agent's phone.
 * This file holds its requests and lifecycle (link, reconnect, registration).
 * SIP has no ACD, so agent state is kept locally (createLocalAgentState); the
 * calls are SIP dialogs tracked in lines.ts and reported as facts built in
 * mapping.ts. The SIP library sits behind the stack seam (stack.ts, sipjs-stack.ts).
 */
import { CtiError, type CallData, type CallDirection, type Connector, type ConnectorContext, type MonitorMode } from "@opencti/core";
import { createBackoff, createLocalAgentState, createUnreachable, delay, errorMessage, followAgentStream, guard, serverName, timeoutSignal, waitFor, type AgentStreamFollower } from "@opencti/core/connector";
import { createSipAudio } from "./audio.js";
import { callError, recordingError, registerError, transferError } from "./errors.js";
import { createLines, type Line } from "./lines.js";
import { dataHeaders } from "./mapping.js";
import { capabilitiesOf, DEFAULT_REASONS, DEFAULTS, mediaDevicesOf, monitorModes, type SipConnectorOptions } from "./options.js";
import { sipJsStackFactory } from "./sipjs-stack.js";
import type { SipLine, SipStack, StackEvents, StackFactory } from "./stack.js";

export function createSipConnector(options: SipConnectorOptions, stackFactory: StackFactory = sipJsStackFactory): Connector {
  const reasons = options.reasons ?? DEFAULT_REASONS;
  const registerTimeoutMs = options.registerTimeoutMs ?? DEFAULTS.registerTimeoutMs;
  const delays = options.reconnectDelaysMs ?? DEFAULTS.reconnectDelaysMs;
  const retryDelays = delays.length ? delays : [DEFAULTS.reconnectEveryMs];
  const backoff = createBackoff({ delaysMs: retryDelays });
  const servers = typeof options.server === "string" ? [options.server] : options.server;
  // One error per outage naming the server(s): at start once each has failed, otherwise after reportUnreachableAfterMs.
  const unreachable = createUnreachable({
    ctx: () => ctx,
    server: servers.length === 1 ? `the SIP server ${serverName(servers[0]!)}` : `any of the SIP servers ${servers.map((url) => serverName(url)).join(", ")}`,
    retryEveryMs: Math.max(...retryDelays),
    reportAfterMs: options.reportUnreachableAfterMs ?? DEFAULTS.reportUnreachableAfterMs,
    failuresToReport: servers.length,
  });
  let ctx: ConnectorContext | undefined;
  let stack: SipStack | undefined;
  let stopped = false;
  /** Following the agent event stream (options.agentStream), from login to logout. */
  let transcripts: AgentStreamFollower | undefined;
  const stopTranscripts = (): void => {
    transcripts?.close();
    transcripts = undefined;
  };
  let linkUp = false;
  let registered = false;
  /** The WebSocket connection's generation (one more per drop), and the one the dialogs were last moved to. */
  let flow = 0;
  let refreshed = 0;
  const agent = createLocalAgentState({ reasons, report: (a) => ctx?.setAgent(a), initialState: "ready" });
  const capabilities = capabilitiesOf(options);
  // The agent's audio devices (audio.ts): the microphone of new calls, and what live calls use.
  const audio = createSipAudio({ mediaDevices: mediaDevicesOf(options), ctx: () => ctx, live: () => lines.live(), over: (line) => lines.over(line), playing: options.playRemoteAudio !== false });
  const lines = createLines(options, () => ctx, agent, () => !stopped, (element) => audio.attach(element));
  const { report, live, setHold, setMute } = lines;
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  function need(id: string): Line {
    const line = lines.get(id);
    if (!line) throw new CtiError("INVALID_STATE", "That call is no longer known to the SIP connector.");
    return line;
  }

  function needStack(): SipStack {
    if (!stack) throw new CtiError("LINK_DOWN", "The SIP connector is not started.");
    return stack;
  }

  async function register(signal: AbortSignal | undefined, request: string): Promise<void> {
    // A registrar that never answers is a link problem, reported before the desktop's own timeout.
    const limit = timeoutSignal(registerTimeoutMs, signal);
    try {
      await needStack().register(limit.signal);
      registered = true;
    } catch (e) {
      throw registerError(e, request);
    } finally {
      limit.clear();
    }
  }

  async function dialLine(destination: string, signal: AbortSignal, extra: { direction: CallDirection; relatedCallId?: string; data?: CallData; monitorMode?: MonitorMode }): Promise<Line> {
    const s = needStack();
    const request = extra.direction === "consult" ? "consult" : extra.direction === "monitor" ? "monitor" : "dial";
    const target = s.targetUri(destination);
    if (!target) throw new CtiError("INVALID_DESTINATION", `"${destination}" is not a number or SIP address this connector can dial.`);
    const { headers, sent } = dataHeaders(extra.data ?? {}, options.callDataHeaderPrefix);
    const microphone = audio.microphone();
    const sip = await s.invite(target, headers, microphone).catch((e: unknown) => Promise.reject(callError(e, request)));
    audio.granted(); // the INVITE went out, so its microphone opened
    if (signal.aborted) {
      // The desktop gave up (the microphone prompt took too long): no call it does not know about.
      void sip.hangup().catch(() => undefined);
      throw new CtiError("REQUEST_TIMEOUT", "The call was cancelled: it was not ready before the request timed out.", { request });
    }
    const line = lines.track(sip, { direction: extra.direction, state: "dialing", data: sent, to: sip.remote.user || destination, ...(lines.agentAddress ? { from: lines.agentAddress } : {}), ...(extra.relatedCallId ? { relatedCallId: extra.relatedCallId } : {}), ...(extra.monitorMode ? { monitorMode: extra.monitorMode } : {}) });
    report(line);
    lines.pushAgent();
    audio.opened(line, microphone);
    return line;
  }

  /** A REFER that must end in a 2xx sipfrag. */
  async function refer(line: Line, target: string | SipLine, signal: AbortSignal, request: "blindTransfer" | "completeTransfer"): Promise<void> {
    const progress = await line.sip.refer(target, signal).catch((e: unknown) => Promise.reject(lines.over(line) ? lines.overtaken(request, e) : callError(e, request)));
    if (progress.status < 200 || progress.status >= 300) throw transferError(progress.status, progress.reasonPhrase, request);
  }

  /** DTMF on a line by the connector's `dtmf` method (INFO: one request per digit, each answered; RFC 4733: handed to the media). */
  async function sendDigits(line: Line, digits: string, signal: AbortSignal, request: string): Promise<void> {
    if (options.dtmf === "info") {
      for (const digit of digits) {
        if (signal.aborted) return;
        // An abort cuts the pause short; the next digit's check then returns quietly, as before.
        if (digit === "," || digit === "w") await delay(DEFAULTS.dtmfPauseMs, signal).catch(() => undefined);
        else await line.sip.sendInfoDtmf(digit).catch((e: unknown) => Promise.reject(lines.over(line) ? lines.overtaken(request, e) : callError(e, request)));
      }
      return;
    }
    if (!line.sip.sendRtpDtmf(digits.replace(/w/g, ","))) throw new CtiError("VENDOR_ERROR", "The media connection cannot send DTMF tones (RFC 4733) on this call.", { request });
  }

  /** pauseRecording / resumeRecording: a Record INFO in the call's dialog; its 2xx is the new state. */
  async function record(line: Line, on: boolean, signal: AbortSignal): Promise<void> {
    const request = on ? "resumeRecording" : "pauseRecording";
    await line.sip.sendRecordInfo(on, signal).catch((e: unknown) => Promise.reject(lines.over(line) ? lines.overtaken(request, e) : recordingError(e, request)));
    line.recording = on ? "active" : "paused";
    report(line);
  }

  /** How a session in `mode` is dialled: the mode's own prefix, else the common prefix (starting in initialMode). */
  function monitorRoute(mode: MonitorMode): { prefix: string; start: MonitorMode } {
    const m = options.monitor;
    const own = m?.prefixes?.[mode];
    if (own) return { prefix: own, start: mode };
    if (m?.prefix && monitorModes(m).includes(mode)) return { prefix: m.prefix, start: m.initialMode ?? "monitor" };
    throw new CtiError("NOT_SUPPORTED", `No feature code is configured to ${mode} (the monitor option).`, { request: "monitor" });
  }

  /** Resolves once the session is connected; rejects (and hangs it up, if still up) when it ends first or `signal` aborts. */
  function answered(line: Line, signal: AbortSignal): Promise<void> {
    return waitFor<void>(
      (resolve, reject) => {
        const check = (): void => {
          if (line.state === "connected" || line.state === "held") resolve();
          else if (lines.over(line)) reject(line.failure ? new CtiError(line.failure.code, `The PBX refused the monitoring session: ${line.failure.message}`, { request: "monitor" }) : new CtiError("INVALID_STATE", "The monitoring session ended before the PBX answered it.", { request: "monitor" }));
        };
        line.watcher = check;
        check();
        return () => {
          if (line.watcher === check) delete line.watcher;
        };
      },
      signal,
      () => new CtiError("REQUEST_TIMEOUT", "The PBX did not answer the monitoring session in time; it was hung up.", { request: "monitor", retryable: true }),
    ).catch((e: unknown) => {
      if (!lines.over(line)) void line.sip.hangup().catch(() => undefined);
      throw e;
    });
  }

  /** A session's mode change: the mode's DTMF digit (monitor.digits) in the session. */
  async function switchMode(line: Line, mode: MonitorMode, signal: AbortSignal, request: string): Promise<void> {
    const digit = options.monitor?.digits?.[mode];
    if (!digit) throw new CtiError("NOT_SUPPORTED", `No DTMF digit is configured to switch a session to ${mode} (monitor.digits).`, { request });
    await sendDigits(line, digit, signal, request);
    line.monitorMode = mode;
    report(line);
  }

  // --- link: connect, reconnect with backoff, re-register, resync ---

  function scheduleReconnect(): void {
    if (!stopped) backoff.schedule(() => void reconnect());
  }

  async function reconnect(): Promise<void> {
    const s = stack;
    if (!s || stopped) return;
    try {
      await (s.isConnected() ? Promise.resolve() : s.reconnect());
      await afterConnect(s);
    } catch (e) {
      ctx?.logger.warn("sip: reconnect attempt failed", { attempt: backoff.attempt, error: errorMessage(e) });
      if (!stopped) unreachable.failed(errorMessage(e));
      scheduleReconnect();
    }
  }

  async function afterConnect(s: SipStack): Promise<void> {
    if (agent.loggedIn && registered) {
      await register(undefined, "login").catch((error: CtiError) => {
        if (error.code !== "AUTH_FAILED") throw error;
        // Credentials stopped working: say so and leave the agent logged out rather than retry forever.
        registered = false;
        ctx?.signal({ kind: "error", code: "AUTH_FAILED", message: error.message });
        stopTranscripts();
        agent.logout();
      });
    }
    if (stopped || !s.isConnected()) throw new Error("the WebSocket closed again");
    backoff.reset();
    linkUp = true;
    // A reconnect is a fresh full report: the dialogs that survived, as they are now.
    ctx?.sync({ agent: agent.current(), calls: lines.reports() });
    ctx?.setLink("connected");
    unreachable.reached();
    if (refreshed === flow) return;
    const current = (refreshed = flow);
    lines.afterReconnect(() => flow === current);
  }

  /** The link is down (the socket, or the registration): say so once and reconnect. */
  function linkLost(reason: string): void {
    if (linkUp) {
      linkUp = false;
      ctx?.setLink("reconnecting", reason);
      unreachable.begin(true);
    }
    scheduleReconnect();
  }

  // Nothing the SIP library calls may throw back into it: a failing handler is an INVALID_VENDOR_EVENT.
  const events: StackEvents = {
    onConnected() {},
    onDisconnected: guard(() => ctx, (error?: Error) => {
      flow++;
      if (!stopped) linkLost(error?.message ?? "The SIP WebSocket closed");
    }, { message: "The SIP WebSocket's close could not be handled" }),
    onIncoming: lines.incoming,
    onUnreadable: guard(() => ctx, (what: string) => ctx?.invalidVendorEvent("The SIP server sent a message that could not be parsed.", { detail: what.slice(0, 200) }), { message: "An unreadable SIP message could not be reported", raw: (what) => ({ detail: what.slice(0, 200) }) }),
    // The agent can no longer be called: say so and register again (AUTH_FAILED there logs the agent out).
    onRegistrationLost: guard(() => ctx, () => {
      if (!stopped && registered) linkLost("The SIP registration was lost");
    }, { message: "The lost SIP registration could not be handled", raw: () => null }),
  };

  return {
    name: options.name ?? DEFAULTS.name,
    capabilities,
    reasons,
    ...(options.directory ? { directory: options.directory } : {}),

    async start(c) {
      ctx = c;
      stopped = false;
      lines.setStopping(false);
      c.setLink("connecting");
      try {
        stack = stackFactory(options, events, (text) => c.logger.debug(`sip.js ${text}`));
      } catch (e) {
        // A configuration the SIP stack refuses (a bad URI or server URL) cannot get better by retrying.
        c.signal({ kind: "error", code: "VENDOR_ERROR", message: `The SIP connector is misconfigured: ${errorMessage(e)}` });
        c.setLink("disconnected", "misconfigured");
        return;
      }
      if (capabilities.includes("audioDevices")) audio.start();
      unreachable.begin();
      try {
        await stack.connect();
        await afterConnect(stack);
      } catch (e) {
        c.logger.warn("sip: could not connect", { error: errorMessage(e) });
        if (!stopped) unreachable.failed(errorMessage(e));
        scheduleReconnect();
      }
    },

    async stop() {
      stopped = true;
      stopTranscripts();
      audio.stop();
      backoff.cancel();
      unreachable.cancel();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      lines.setStopping(true);
      for (const line of live()) await line.sip.hangup().catch(() => undefined);
      await stack?.stop();
      stack = undefined;
      linkUp = false;
    },

    async login({ initialState, signal }) {
      const next = agent.loginReason(initialState);
      if (!(options.unregisterWhenNotReady && next.state !== "ready")) await register(signal, "login");
      agent.login(next);
      // The media server's transcripts name calls by SIP Call-ID; not after a stop that overtook the REGISTER.
      if (options.agentStream && ctx && !stopped && agent.loggedIn) transcripts ??= followAgentStream(ctx, options.agentStream, { resolveCallId: (callId) => lines.bySipCallId(callId)?.id });
    },

    async logout() {
      stopTranscripts();
      if (registered) await needStack().unregister();
      registered = false;
      agent.logout();
    },

    async setAgentState({ reason, signal }) {
      if (options.unregisterWhenNotReady) {
        if (reason.state === "ready" && !registered) await register(signal, "setAgentState");
        else if (reason.state !== "ready" && registered) {
          await needStack().unregister();
          registered = false;
        }
      }
      agent.select(reason);
    },

    async dial({ destination, options: dialOptions, signal }) {
      const line = await dialLine(destination, signal, { direction: "outbound", ...(dialOptions.data ? { data: dialOptions.data } : {}) });
      return { callId: line.id };
    },

    // Call waiting: core offers answer only when no other call is connected, so a held call stays held (sip.js keeps each dialog).
    async answer({ call }) {
      const line = need(call.id);
      try {
        const microphone = audio.microphone();
        await line.sip.accept(microphone);
        audio.granted(); // answered, so its microphone opened
        audio.opened(line, microphone);
      } catch (e) {
        // Overtaken: the caller's side CANCELled while we answered; the call ends as it said (abandoned or missed).
        if (line.sip.cancelled) throw lines.overtaken("answer", e);
        // The library refuses the call (480) when the media failed: the call ends as failed, saying why.
        const error = callError(e, "answer");
        line.endOverride = { endReason: "failed", failure: { code: error.code, message: error.message } };
        throw error;
      }
    },

    async reject({ call }) {
      const line = need(call.id);
      line.endOverride = { endReason: "rejected" };
      await line.sip.reject(options.rejectStatusCode ?? DEFAULTS.rejectStatusCode).catch((e: unknown) => {
        // The caller's side CANCELled first: the call ends as it said, not as rejected.
        throw line.sip.cancelled ? lines.overtaken("reject", e) : callError(e, "reject");
      });
    },

    hangup: ({ call }) => need(call.id).sip.hangup(),
    hold: ({ call, signal }) => setHold(need(call.id), true, "hold", signal),
    resume: ({ call, signal }) => setHold(need(call.id), false, "resume", signal),

    mute: ({ call }) => setMute(need(call.id), true),
    unmute: ({ call }) => setMute(need(call.id), false),

    sendDtmf: ({ call, digits, signal }) => sendDigits(need(call.id), digits, signal, "sendDtmf"),

    // With the `recording` option only (SIP does not say whether the PBX records): a Record INFO, confirmed by its 2xx.
    pauseRecording: ({ call, signal }) => record(need(call.id), false, signal),
    resumeRecording: ({ call, signal }) => record(need(call.id), true, signal),

    // With the `monitor` option only: `<prefix><target>` dialled, answered by the PBX's spy feature (e.g. ChanSpy).
    async monitor({ target, mode, signal }) {
      const route = monitorRoute(mode);
      if (!/^[\w.+*#-]+$/.test(target)) throw new CtiError("INVALID_DESTINATION", `"${target.slice(0, 64)}" is not an extension a feature code can take.`, { request: "monitor" });
      const line = await dialLine(`${route.prefix}${target}`, signal, { direction: "monitor", monitorMode: route.start });
      await answered(line, signal);
      // A session that cannot reach the mode asked for is left, not kept in another mode.
      if (mode !== route.start)
        await switchMode(line, mode, signal, "monitor").catch((e: unknown) => {
          void line.sip.hangup().catch(() => undefined);
          throw e;
        });
      return { callId: line.id };
    },

    setMonitorMode({ call, mode, signal }) {
      const line = need(call.id);
      if (line.direction !== "monitor") return Promise.reject(new CtiError("INVALID_STATE", "That call is not a monitoring session.", { request: "setMonitorMode" }));
      return switchMode(line, mode, signal, "setMonitorMode");
    },

    async blindTransfer({ call, destination, signal }) {
      const line = need(call.id);
      const target = needStack().targetUri(destination);
      if (!target) throw new CtiError("INVALID_DESTINATION", `"${destination}" is not a number or SIP address this connector can transfer to.`);
      await refer(line, target, signal, "blindTransfer");
      line.endOverride = { endReason: "transferred" };
      await line.sip.hangup();
    },

    async consult({ call, destination, signal }) {
      const primary = need(call.id);
      if (primary.state === "connected") await setHold(primary, true, "consult");
      const line = await dialLine(destination, signal, { direction: "consult", relatedCallId: primary.id });
      return { callId: line.id };
    },

    async completeTransfer({ call, consultCall, signal }) {
      const a = need(call.id);
      const b = need(consultCall.id);
      const [primary, consult] = b.relatedCallId === a.id ? [a, b] : [b, a];
      await refer(primary, consult.sip, signal, "completeTransfer");
      primary.endOverride = { endReason: "transferred" };
      consult.endOverride = { endReason: "transferred" };
      await primary.sip.hangup();
      // The target replaces the consult dialog and releases it (RFC 3891); if it does not, we do.
      later(options.consultReleaseMs ?? DEFAULTS.consultReleaseMs, () => {
        if (consult.state !== "ended" && consult.state !== "wrapup") void consult.sip.hangup().catch(() => undefined);
      });
    },

    async swap({ call, otherCall }) {
      const active = need(call.id);
      const other = need(otherCall.id);
      if (other.state === "connected") await setHold(other, true, "swap");
      if (active.state === "held") await setHold(active, false, "swap");
    },

    // Input, output or ringer (audio.ts); allowed while logged out (a headset picked before login).
    selectAudioDevice: ({ use, device }) => audio.select(use, device),

    completeWrapUp({ call, wrapUp: result }) {
      lines.completeWrapUp(need(call.id), result);
      return Promise.resolve();
    },
  };
}
