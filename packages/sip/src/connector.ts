/**
 * The SIP connector: one registered SIP user agent is the agent's phone.
 * SIP has no ACD, so agent state is kept here; calls are SIP dialogs
 * reported as facts. The SIP library sits behind the stack seam.
 */
import { CtiError, type AgentReason, type AgentReport, type CallData, type CallDirection, type CallReport, type CallState, type Connector, type ConnectorContext, type EndReason, type Party } from "@opencti/core";
import { callError, failedInviteReason, registerError } from "./errors.js";
import { DEFAULT_REASONS, SIP_CAPABILITIES, type SipConnectorOptions } from "./options.js";
import { createSipJsStack } from "./sipjs-stack.js";
import type { SipLine, SipStack, StackEvents } from "./stack.js";

interface Line {
  readonly id: string;
  readonly sip: SipLine;
  readonly direction: CallDirection;
  state: CallState;
  everConnected: boolean;
  muted: boolean;
  localHold: boolean;
  remoteHold: boolean;
  remoteRinging: boolean;
  /** Set when we know better than "who hung up" why the line ends (transfer, reject). */
  endOverride?: EndReason;
  endReason?: EndReason;
  readonly relatedCallId?: string;
  readonly from?: string;
  readonly fromName?: string;
  readonly to?: string;
  readonly queue?: string;
  readonly data: CallData;
  audio?: HTMLAudioElement;
}

/** Creates the stack; tests may swap in another implementation of the seam. */
export type StackFactory = (options: SipConnectorOptions, events: StackEvents, log: (text: string) => void) => SipStack;

const defaultStackFactory: StackFactory = (o, events, log) =>
  createSipJsStack(
    {
      servers: typeof o.server === "string" ? [o.server] : o.server,
      uri: o.uri,
      registerExpires: o.registerExpires ?? 300,
      ...(o.authorizationUsername !== undefined ? { authorizationUsername: o.authorizationUsername } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.displayName !== undefined ? { displayName: o.displayName } : {}),
      ...(o.iceServers !== undefined ? { iceServers: o.iceServers } : {}),
      ...(o.sessionDescriptionHandlerFactory !== undefined ? { sessionDescriptionHandlerFactory: o.sessionDescriptionHandlerFactory } : {}),
      log: (_level, text) => log(text),
    },
    events,
  );

const MAX_DATA_ENTRIES = 50;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function looksLikeSdp(contentType: string, body: string): boolean {
  return /^application\/sdp\b/i.test(contentType.trim()) && /^v=0\r?$/m.test(body) && /^m=audio /m.test(body);
}

export function createSipConnector(options: SipConnectorOptions, stackFactory: StackFactory = defaultStackFactory): Connector {
  const reasons = options.reasons ?? DEFAULT_REASONS;
  const wrapUp = options.wrapUp !== false;
  const base = options.capabilities ?? SIP_CAPABILITIES;
  const capabilities = base.filter((c) => c !== "conference" && c !== "dropParty" && c !== "transcripts" && (wrapUp || c !== "wrapUp"));
  const delays = options.reconnectDelaysMs ?? [500, 1000, 2000, 4000, 8000];
  const prefix = options.callDataHeaderPrefix?.toLowerCase();
  const queueHeader = options.queueHeader?.toLowerCase();
  const lines = new Map<string, Line>();
  let ctx: ConnectorContext | undefined;
  let stack: SipStack | undefined;
  let nextId = 1;
  let stopped = false;
  let linkUp = false;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let loggedIn = false;
  let registered = false;
  let selected: AgentReason = reasons.find((r) => r.state === "ready") ?? DEFAULT_REASONS[0]!;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const aorUser = /^sips?:([^@;]+)@/i.exec(options.uri)?.[1];

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  function agentReport(): AgentReport {
    if (!loggedIn) return { state: "logged_out" };
    const live = [...lines.values()];
    if (live.some((l) => l.state === "wrapup")) return { state: "after_call_work" };
    if (live.some((l) => l.state === "connected" || l.state === "held" || l.state === "dialing")) return { state: "busy" };
    return { state: selected.state, reason: selected.id };
  }

  const pushAgent = (): void => ctx?.setAgent(agentReport());

  function parties(line: Line): Party[] {
    const remoteState = line.state === "ringing" ? "ringing" : line.state === "dialing" ? (line.remoteRinging ? "ringing" : "dialing") : line.remoteHold ? "held" : line.state === "held" ? "held" : "connected";
    const agentState = line.state === "ringing" ? "ringing" : line.state === "dialing" ? "dialing" : line.state === "held" ? "held" : "connected";
    const remote = line.sip.remote;
    return [
      { id: "agent", role: "agent", state: agentState, ...(aorUser ? { address: aorUser } : {}) },
      { id: "remote", role: line.direction === "consult" ? "third_party" : "customer", state: remoteState, address: remote.user || remote.uri, ...(remote.displayName ? { displayName: remote.displayName } : {}) },
    ];
  }

  function toReport(line: Line): CallReport {
    return {
      id: line.id,
      vendorCallId: line.sip.callId,
      state: line.state,
      direction: line.direction,
      muted: line.muted,
      data: line.data,
      parties: line.state === "wrapup" || line.state === "ended" ? parties(line).map((p) => ({ ...p, state: "disconnected" as const })) : parties(line),
      ...(line.from !== undefined ? { from: line.from } : {}),
      ...(line.fromName !== undefined ? { fromName: line.fromName } : {}),
      ...(line.to !== undefined ? { to: line.to } : {}),
      ...(line.queue !== undefined ? { queue: line.queue } : {}),
      ...(line.relatedCallId !== undefined ? { relatedCallId: line.relatedCallId } : {}),
      ...(line.endReason !== undefined ? { endReason: line.endReason } : {}),
    };
  }

  const report = (line: Line): void => ctx?.upsertCall(toReport(line));

  function ended(line: Line, by: "local" | "remote", status?: number): void {
    if (line.state === "ended" || line.state === "wrapup") return;
    let reason: EndReason;
    if (line.endOverride) reason = line.endOverride;
    else if (line.everConnected) reason = by === "local" ? "local_hangup" : "remote_hangup";
    else if (line.sip.direction === "inbound") reason = by === "local" ? "rejected" : "abandoned";
    else reason = by === "local" ? "local_hangup" : failedInviteReason(status);
    line.endReason = reason;
    if (line.audio) line.audio.srcObject = null;
    if (wrapUp && line.everConnected) {
      line.state = "wrapup";
      report(line);
    } else {
      line.state = "ended";
      lines.delete(line.id);
      ctx?.removeCall(line.id, reason);
    }
    pushAgent();
  }

  function playAudio(line: Line): void {
    if (options.playRemoteAudio === false || typeof document === "undefined") return;
    const stream = line.sip.remoteStream();
    if (!stream) return;
    const audio = document.createElement("audio");
    audio.autoplay = true;
    audio.srcObject = stream;
    line.audio = audio;
    void audio.play().catch(() => undefined);
  }

  function track(sip: SipLine, init: Omit<Line, "sip" | "everConnected" | "muted" | "localHold" | "remoteHold" | "remoteRinging">): Line {
    const line: Line = { ...init, sip, everConnected: false, muted: false, localHold: false, remoteHold: false, remoteRinging: false };
    lines.set(line.id, line);
    // Nothing may throw back into the SIP library's callbacks.
    const safe = (what: string, fn: () => void) => (): void => {
      try {
        fn();
      } catch (e) {
        ctx?.logger.error(`sip: ${what} failed`, { error: e instanceof Error ? e.message : String(e) });
      }
    };
    sip.events = {
      onRinging: safe("ringing", () => {
        if (line.state !== "dialing" || line.remoteRinging) return;
        line.remoteRinging = true;
        report(line);
      }),
      onConnected: safe("connected", () => {
        if (line.state !== "ringing" && line.state !== "dialing") return;
        line.everConnected = true;
        line.state = line.localHold ? "held" : "connected";
        report(line);
        pushAgent();
        playAudio(line);
      }),
      onRemoteHold: (held) =>
        safe("remote hold", () => {
          line.remoteHold = held;
          if (line.state === "connected" || line.state === "held") report(line);
        })(),
      onEnded: (by, status) => safe("end", () => ended(line, by, status))(),
    };
    return line;
  }

  function onIncoming(sip: SipLine): void {
    const c = ctx;
    if (!c || stopped) return;
    try {
      if (sip.offer && !looksLikeSdp(sip.offer.contentType, sip.offer.body)) {
        void sip.reject(488).catch(() => undefined);
        c.invalidVendorEvent("An incoming SIP INVITE carried an unreadable session description; it was refused with 488.", {
          callId: sip.callId,
          from: sip.remote.uri,
          contentType: sip.offer.contentType,
          body: sip.offer.body.slice(0, 200),
        });
        return;
      }
      if (!loggedIn) {
        void sip.reject(480).catch(() => undefined);
        return;
      }
      const data: Record<string, string> = {};
      let queue: string | undefined;
      for (const [name, value] of sip.headers) {
        const lower = name.toLowerCase();
        if (queueHeader && lower === queueHeader) queue = value;
        else if (prefix && lower.startsWith(prefix) && lower.length > prefix.length && Object.keys(data).length < MAX_DATA_ENTRIES) data[name.slice(prefix.length)] = value.slice(0, 1000);
      }
      const line = track(sip, {
        id: `sip-${nextId++}`,
        direction: "inbound",
        state: "ringing",
        data,
        from: sip.remote.user || sip.remote.uri,
        ...(sip.remote.displayName ? { fromName: sip.remote.displayName } : {}),
        ...(sip.to ? { to: sip.to } : {}),
        ...(queue !== undefined ? { queue } : {}),
      });
      report(line);
    } catch (e) {
      c.invalidVendorEvent(`An incoming SIP INVITE could not be read: ${e instanceof Error ? e.message : String(e)}`, { callId: sip.callId });
    }
  }

  const live = (): Line[] => [...lines.values()].filter((l) => l.state !== "wrapup" && l.state !== "ended");

  function need(id: string): Line {
    const line = lines.get(id);
    if (!line) throw new CtiError("INVALID_STATE", "That call is no longer known to the SIP connector.");
    return line;
  }

  function needStack(): SipStack {
    if (!stack) throw new CtiError("LINK_DOWN", "The SIP connector is not started.");
    return stack;
  }

  async function register(signal: AbortSignal, request: string): Promise<void> {
    // A registrar that never answers is a link problem, reported before the desktop's own timeout.
    const limit = new AbortController();
    const abort = (): void => limit.abort();
    signal.addEventListener("abort", abort, { once: true });
    const timer = setTimeout(abort, options.registerTimeoutMs ?? 10_000);
    try {
      await needStack().register(limit.signal);
      registered = true;
    } catch (e) {
      throw registerError(e, request);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", abort);
    }
  }

  async function setHold(line: Line, on: boolean, request: string): Promise<void> {
    try {
      await line.sip.hold(on);
    } catch (e) {
      throw callError(e, request);
    }
    line.localHold = on;
    if (!on && line.muted) line.sip.mute(true); // un-holding re-enables the microphone track
    if (line.state === "connected" || line.state === "held") {
      line.state = on ? "held" : "connected";
      report(line);
    }
  }

  /** Attached data travels as prefixed headers (names and values that are safe in a SIP header only). */
  function dataHeaders(data: CallData): { headers: string[]; sent: Record<string, string> } {
    const sent: Record<string, string> = {};
    const headers: string[] = [];
    if (!options.callDataHeaderPrefix) return { headers, sent };
    for (const [key, value] of Object.entries(data).slice(0, MAX_DATA_ENTRIES)) {
      if (!/^[A-Za-z0-9-]{1,64}$/.test(key) || /[\r\n]/.test(value)) continue;
      headers.push(`${options.callDataHeaderPrefix}${key}: ${value.slice(0, 1000)}`);
      sent[key] = value.slice(0, 1000);
    }
    return { headers, sent };
  }

  async function dialLine(destination: string, signal: AbortSignal, extra: { direction: CallDirection; relatedCallId?: string; data?: CallData }): Promise<Line> {
    const s = needStack();
    const target = s.targetUri(destination);
    if (!target) throw new CtiError("INVALID_DESTINATION", `"${destination}" is not a number or SIP address this connector can dial.`);
    const { headers, sent } = dataHeaders(extra.data ?? {});
    let sip: SipLine;
    try {
      sip = await s.invite(target, headers);
    } catch (e) {
      throw callError(e, extra.direction === "consult" ? "consult" : "dial");
    }
    if (signal.aborted) {
      // The desktop gave up (the microphone prompt took too long): no call it does not know about.
      void sip.hangup().catch(() => undefined);
      throw new CtiError("REQUEST_TIMEOUT", "The call was cancelled: it was not ready before the request timed out.", { request: extra.direction === "consult" ? "consult" : "dial" });
    }
    const line = track(sip, {
      id: `sip-${nextId++}`,
      direction: extra.direction,
      state: "dialing",
      data: sent,
      to: sip.remote.user || destination,
      ...(aorUser ? { from: aorUser } : {}),
      ...(extra.relatedCallId ? { relatedCallId: extra.relatedCallId } : {}),
    });
    report(line);
    pushAgent();
    return line;
  }

  // --- link: connect, reconnect with backoff, re-register, resync ---

  function scheduleReconnect(): void {
    if (stopped || retryTimer) return;
    const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1000;
    attempt++;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void reconnect();
    }, delay);
  }

  async function reconnect(): Promise<void> {
    const s = stack;
    if (!s || stopped) return;
    try {
      await (s.isConnected() ? Promise.resolve() : s.reconnect());
      await afterConnect(s);
    } catch (e) {
      ctx?.logger.warn("sip: reconnect attempt failed", { attempt, error: e instanceof Error ? e.message : String(e) });
      scheduleReconnect();
    }
  }

  async function afterConnect(s: SipStack): Promise<void> {
    if (loggedIn && registered) {
      const abort = new AbortController();
      const t = setTimeout(() => abort.abort(), options.registerTimeoutMs ?? 10_000);
      try {
        await s.register(abort.signal);
      } catch (e) {
        const error = registerError(e, "login");
        if (error.code !== "AUTH_FAILED") throw error;
        // Credentials stopped working: say so and leave the agent logged out rather than retry forever.
        registered = false;
        loggedIn = false;
        ctx?.signal({ kind: "error", code: "AUTH_FAILED", message: error.message });
      } finally {
        clearTimeout(t);
      }
    }
    if (stopped || !s.isConnected()) throw new Error("the WebSocket closed again");
    attempt = 0;
    linkUp = true;
    // A reconnect is a fresh full report: the dialogs that survived, as they are now.
    ctx?.sync({ agent: agentReport(), calls: [...lines.values()].map(toReport) });
    ctx?.setLink("connected");
  }

  const events: StackEvents = {
    onConnected() {},
    onDisconnected(error) {
      if (stopped) return;
      if (linkUp) {
        linkUp = false;
        ctx?.setLink("reconnecting", error?.message ?? "The SIP WebSocket closed");
      }
      scheduleReconnect();
    },
    onIncoming,
    onUnreadable(what) {
      ctx?.invalidVendorEvent("The SIP server sent a message that could not be parsed.", { detail: what.slice(0, 200) });
    },
    onRegistrationLost() {
      // The agent can no longer be called: say so and register again (AUTH_FAILED there logs the agent out).
      if (stopped || !registered) return;
      if (linkUp) {
        linkUp = false;
        ctx?.setLink("reconnecting", "The SIP registration was lost");
      }
      scheduleReconnect();
    },
  };

  const connector: Connector = {
    name: options.name ?? "sip",
    capabilities,
    reasons,

    async start(c) {
      ctx = c;
      stopped = false;
      c.setLink("connecting");
      try {
        stack = stackFactory(options, events, (text) => c.logger.debug(`sip.js ${text}`));
      } catch (e) {
        // A configuration the SIP stack refuses (a bad URI or server URL) cannot get better by retrying.
        c.signal({ kind: "error", code: "VENDOR_ERROR", message: `The SIP connector is misconfigured: ${e instanceof Error ? e.message : String(e)}` });
        c.setLink("disconnected", "misconfigured");
        return;
      }
      try {
        await stack.connect();
        await afterConnect(stack);
      } catch (e) {
        c.logger.warn("sip: could not connect", { error: e instanceof Error ? e.message : String(e) });
        scheduleReconnect();
      }
    },

    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const line of live()) await line.sip.hangup().catch(() => undefined);
      await stack?.stop();
      stack = undefined;
      linkUp = false;
    },

    async login({ initialState, signal }) {
      const initial = initialState ? reasons.find((r) => r.state === initialState) : undefined;
      const next = initial ?? selected;
      if (!(options.unregisterWhenNotReady && next.state !== "ready")) await register(signal, "login");
      selected = next;
      loggedIn = true;
      pushAgent();
    },

    async logout() {
      if (registered) await needStack().unregister();
      registered = false;
      loggedIn = false;
      pushAgent();
    },

    async setAgentState({ reason, signal }) {
      if (options.unregisterWhenNotReady) {
        if (reason.state === "ready" && !registered) await register(signal, "setAgentState");
        else if (reason.state !== "ready" && registered) {
          await needStack().unregister();
          registered = false;
        }
      }
      selected = reason;
      pushAgent();
    },

    async dial({ destination, options: dialOptions, signal }) {
      const line = await dialLine(destination, signal, { direction: "outbound", ...(dialOptions.data ? { data: dialOptions.data } : {}) });
      return { callId: line.id };
    },

    async answer({ call }) {
      const line = need(call.id);
      // Call waiting: the call we are on goes on hold before the new one connects.
      for (const other of live()) if (other !== line && other.state === "connected") await setHold(other, true, "answer");
      try {
        await line.sip.accept();
      } catch (e) {
        // The library refuses the call (480) when the media failed: the call ends as failed.
        line.endOverride = "failed";
        throw callError(e, "answer");
      }
    },

    async reject({ call }) {
      const line = need(call.id);
      line.endOverride = "rejected";
      await line.sip.reject(options.rejectStatusCode ?? 486);
    },

    async hangup({ call }) {
      const line = need(call.id);
      await line.sip.hangup();
    },

    hold: ({ call }) => setHold(need(call.id), true, "hold"),
    resume: ({ call }) => setHold(need(call.id), false, "resume"),

    mute({ call }) {
      const line = need(call.id);
      line.sip.mute(true);
      line.muted = true;
      report(line);
      return Promise.resolve();
    },

    unmute({ call }) {
      const line = need(call.id);
      if (line.state !== "held") line.sip.mute(false);
      line.muted = false;
      report(line);
      return Promise.resolve();
    },

    async sendDtmf({ call, digits, signal }) {
      const line = need(call.id);
      if (options.dtmf === "info") {
        for (const digit of digits) {
          if (signal.aborted) return;
          if (digit === "," || digit === "w") await sleep(1000);
          else await line.sip.sendInfoDtmf(digit).catch((e: unknown) => Promise.reject(callError(e, "sendDtmf")));
        }
        return;
      }
      if (!line.sip.sendRtpDtmf(digits.replace(/w/g, ","))) throw new CtiError("VENDOR_ERROR", "The media connection cannot send DTMF tones (RFC 4733) on this call.", { request: "sendDtmf" });
    },

    async blindTransfer({ call, destination, signal }) {
      const line = need(call.id);
      const target = needStack().targetUri(destination);
      if (!target) throw new CtiError("INVALID_DESTINATION", `"${destination}" is not a number or SIP address this connector can transfer to.`);
      const progress = await line.sip.refer(target, signal).catch((e: unknown) => Promise.reject(callError(e, "blindTransfer")));
      if (progress.status < 200 || progress.status >= 300) throw new CtiError("VENDOR_ERROR", `The transfer failed: the target answered ${progress.status}.`, { request: "blindTransfer" });
      line.endOverride = "transferred";
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
      const progress = await primary.sip.refer(consult.sip, signal).catch((e: unknown) => Promise.reject(callError(e, "completeTransfer")));
      if (progress.status < 200 || progress.status >= 300) throw new CtiError("VENDOR_ERROR", `The transfer failed: the target answered ${progress.status}.`, { request: "completeTransfer" });
      primary.endOverride = "transferred";
      consult.endOverride = "transferred";
      await primary.sip.hangup();
      // The target replaces the consult dialog and releases it (RFC 3891); if it does not, we do.
      later(options.consultReleaseMs ?? 3000, () => {
        if (consult.state !== "ended" && consult.state !== "wrapup") void consult.sip.hangup().catch(() => undefined);
      });
    },

    async swap({ call, otherCall }) {
      const active = need(call.id);
      const other = need(otherCall.id);
      if (other.state === "connected") await setHold(other, true, "swap");
      if (active.state === "held") await setHold(active, false, "swap");
    },

    completeWrapUp({ call, wrapUp: result }) {
      const line = need(call.id);
      line.state = "ended";
      lines.delete(line.id);
      ctx?.upsertCall({ ...toReport(line), wrapUp: result });
      pushAgent();
      return Promise.resolve();
    },
  };
  return connector;
}
