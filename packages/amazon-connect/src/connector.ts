/**
 * The Amazon Connect connector: embeds the CCP through the real
 * amazon-connect-streams library and reports what every agent snapshot says.
 * Level-triggered: each `agent::refresh` is read whole and reported; core
 * turns the differences into events, so duplicate snapshots cost nothing.
 * This file is the lifecycle and the link (load timeout, keepalive,
 * WebSocket, auth); the map of the rest:
 *
 * - options.ts: options and their defaults, capabilities, reasons;
 * - streams.ts: the Streams seam (load, initCCP, event bus, teardown);
 * - snapshot.ts: each snapshot read and diffed against what was reported;
 * - mapping.ts: the pure rules, Connect's shapes → reports;
 * - requests.ts: the requests, one Streams API call each;
 * - errors.ts: Streams failures → CtiError;
 * - audio.ts: the CCP's audio devices (list, choices, confirmations);
 * - voice-ai.ts: the agent event stream and Contact Lens (the agentStream option).
 */
import { CtiError, type AgentReport, type CallReport, type Connector, type ConnectorContext } from "@opencti/core";
import { errorMessage, guard, isBoolean, isNonEmptyString, isRecord, serverName } from "@opencti/core/connector";
import { createCcpAudio } from "./audio.js";
import { softphoneFailure, softphoneWarning } from "./errors.js";
import { directoryFrom, reasonsFrom, toAgentReport } from "./mapping.js";
import { amazonConnectCapabilities, DEFAULT_REASONS, DEFAULTS, resolveOptions, type AmazonConnectConnectorOptions } from "./options.js";
import { createRequests, type Live } from "./requests.js";
import { createContactTracker, readAgentData, type AgentData } from "./snapshot.js";
import { createStreamsWiring, initParams, loadStreams } from "./streams.js";
import { createVoiceAi } from "./voice-ai.js";

export function createAmazonConnectConnector(options: AmazonConnectConnectorOptions): Connector {
  const resolved = resolveOptions(options);
  const { loadTimeoutMs, loginPopup, keepaliveTimeoutMs } = resolved;
  /** The CCP as messages name it: scheme, host, port and path, never a query or fragment. */
  const ccp = serverName(options.ccpUrl, true);
  const live: Live = { ctx: undefined, streams: undefined, linkUp: false, current: undefined, reasons: DEFAULT_REASONS, muted: false, softphoneErrors: 0 };
  let stopped = false;
  let loadTimer: ReturnType<typeof setTimeout> | undefined;
  /** Watches Streams' keepalive (SYNCHRONIZE → ACKNOWLEDGE about every second) while the link is up. */
  let watchdog: ReturnType<typeof setInterval> | undefined;
  let lastAck = 0;
  let lostBy: "keepalive" | "websocket" | undefined;
  let lastTimestamp = -Infinity;
  let reasonsKey = "";
  /** The next snapshot is a full report for ctx.sync: the first one after (re)connecting. */
  let resync = true;
  const contacts = createContactTracker(options.callDataAttributes, options.recordedCalls === true, options.mediaStreamAttribute);
  const requests = createRequests(live, contacts, options);
  const audio = createCcpAudio(live, options);
  const voiceAi = createVoiceAi(options);
  const wiring = createStreamsWiring(
    () => live.ctx,
    () => !stopped,
  );

  /**
   * Reports a snapshot: its calls (first: a screen pop should not wait
   * behind the agent's "busy"), then the agent. The first snapshot after
   * (re)connecting is one `ctx.sync`, unless an unreadable contact without
   * an id hides which calls ended: then it waits for the next snapshot.
   */
  function report(c: ConnectorContext, data: AgentData, raw: unknown): void {
    let agent: AgentReport | undefined;
    let agentError: unknown;
    try {
      agent = toAgentReport(data, live.reasons);
    } catch (err) {
      agentError = err;
    }
    if (resync && data.badContacts.every((b) => b.contactId)) {
      resync = false;
      const calls: CallReport[] = [];
      contacts.apply(data, live.muted, c, {
        upsertCall: (r) => calls.push(r),
        // As removeCall does: a call in wrap-up keeps the reason it ended with.
        removeCall: (id, endReason) => calls.push({ id, state: "ended", endReason: endReason ?? c.getCall(id)?.endReason ?? "unknown" }),
      });
      c.sync({ calls, ...(agent ? { agent } : {}) });
    } else {
      contacts.apply(data, live.muted, c, c);
      if (agent) c.setAgent(agent);
    }
    if (!agent) c.invalidVendorEvent(`Amazon Connect sent an agent state the connector cannot read: ${errorMessage(agentError)}`, raw);
  }

  function onAgentData(raw: unknown): void {
    const c = live.ctx;
    if (!c || stopped) return;
    let data: AgentData;
    try {
      data = readAgentData(raw);
    } catch (err) {
      c.invalidVendorEvent(`Amazon Connect sent an agent snapshot the connector cannot read: ${errorMessage(err)}`, raw);
      return;
    }
    // A snapshot older than the one applied is late: applying it would roll state back.
    // (A snapshot without a timestamp cannot be ordered and is taken as current.)
    if (data.timestamp > 0 && data.timestamp < lastTimestamp) return;
    if (data.timestamp > 0) lastTimestamp = data.timestamp;
    live.current = data;
    const newReasons = reasonsFrom(data.agentStates);
    const key = JSON.stringify(newReasons);
    if (key !== reasonsKey) {
      reasonsKey = key;
      live.reasons = newReasons;
      c.setReasons(newReasons);
    }
    report(c, data, raw);
    voiceAi?.agentUpdated(c, data);
    requests.clearEndedSessions();
    audio.agentUpdated();
    if (!live.linkUp) {
      live.linkUp = true;
      lostBy = undefined;
      clearTimeout(loadTimer);
      lastAck = Date.now();
      clearInterval(watchdog);
      watchdog = setInterval(checkKeepalive, DEFAULTS.keepaliveCheckEveryMs);
      c.setLink("connected");
      loadDirectory(c);
      audio.linkUp();
    }
    requests.check();
  }

  /** The agent's quick connects as the directory, each time the link comes up (see directoryFrom). */
  function loadDirectory(c: ConnectorContext): void {
    const unavailable = (): void =>
      c.signal({ kind: "warning", code: "DIRECTORY_UNAVAILABLE", message: "Amazon Connect did not list the quick connects: transfer and consult take a typed number." });
    try {
      const agent = new (live.streams!.Agent)();
      agent.getEndpoints(agent.getAllQueueARNs(), {
        success: (data) => {
          if (live.ctx !== c || stopped) return;
          const endpoints: unknown[] = isRecord(data) && Array.isArray(data.endpoints) ? data.endpoints : [];
          const entries = directoryFrom(endpoints);
          c.setDirectory(entries);
          // Say so when some cannot be offered, so an admin can rename them.
          if (entries.length < endpoints.length)
            c.signal({ kind: "warning", code: "DIRECTORY_PARTIAL", message: `${endpoints.length - entries.length} of ${endpoints.length} quick connects cannot be picked by name (a name with characters other than letters, digits, spaces, ".", "_" and "-", an agent or queue named like a number, or a name used twice).` });
        },
        failure: unavailable,
      });
    } catch {
      unavailable();
    }
  }

  const refresh = guard(() => live.ctx, () => onAgentData(live.streams?.core.getAgentDataProvider()?.getAgentData()), { message: "Amazon Connect agent data is unavailable", raw: () => null });

  /** The CCP iframe stopped acknowledging: it is gone or frozen, whatever the last snapshot said. */
  function checkKeepalive(): void {
    if (live.linkUp && Date.now() - lastAck > keepaliveTimeoutMs) {
      linkLost("reconnecting", "the CCP stopped answering");
      lostBy = "keepalive";
    }
  }

  function linkLost(state: "reconnecting" | "disconnected", reason: string, error?: CtiError): void {
    clearTimeout(loadTimer);
    clearInterval(watchdog);
    lostBy = undefined;
    live.linkUp = false;
    resync = true;
    live.ctx?.setLink(state, reason);
    if (error) live.ctx?.signal({ kind: "error", code: error.code, message: error.message });
  }

  function onLoadTimeout(): void {
    if (live.linkUp || stopped) return;
    if (!live.streams) {
      const where = options.streamsScriptUrl ? ` from ${serverName(options.streamsScriptUrl, true)}` : "";
      linkLost("disconnected", "Streams did not load", new CtiError("LINK_DOWN", `The amazon-connect-streams library did not load${where} within ${loadTimeoutMs} ms.`));
    } else if (loginPopup) {
      const message = `Amazon Connect needs the agent to sign in: the CCP did not load within ${loadTimeoutMs} ms. Complete the login in Amazon Connect's window; the desktop connects when the CCP loads.`;
      linkLost("disconnected", "sign-in needed", new CtiError("AUTH_FAILED", message));
    } else {
      const message = `The Amazon Connect CCP at ${ccp} did not load within ${loadTimeoutMs} ms. Check the CCP URL, that the agent is signed in, and that this page's origin is approved for the instance.`;
      linkLost("disconnected", "CCP did not load", new CtiError("LINK_DOWN", message));
    }
  }

  /** What each Streams bus event means for the link and the calls. */
  const handlers = {
    refresh,
    muteToggle(data: unknown) {
      if (!isRecord(data) || !isBoolean(data.muted)) {
        live.ctx?.invalidVendorEvent("Amazon Connect sent a mute toggle without a muted flag", data);
        return;
      }
      live.muted = data.muted;
      if (live.current && live.ctx) contacts.apply(live.current, live.muted, live.ctx, live.ctx);
      requests.check();
    },
    /** The softphone (in the CCP iframe, or this page's) failed: a refused microphone, no media path. */
    softphoneError(data: unknown) {
      const type = isRecord(data) ? data.errorType : undefined;
      if (!isNonEmptyString(type)) {
        live.ctx?.invalidVendorEvent("Amazon Connect sent a softphone error without a type", data);
        return;
      }
      const message = isRecord(data) && typeof data.errorMessage === "string" ? data.errorMessage : "";
      const warning = softphoneWarning(type, message);
      if (warning) {
        live.ctx?.signal({ kind: "warning", ...warning });
        return;
      }
      live.softphoneErrors++;
      live.softphoneError = { type, message };
      const [callId] = contacts.softphoneFailed(type, message);
      const error = softphoneFailure(type, message);
      live.ctx?.signal({ kind: "error", code: error.code, message: error.message, ...(callId ? { callId } : {}) });
      requests.check();
    },
    websocketLost() {
      linkLost("reconnecting", "Amazon Connect lost its WebSocket connection");
      lostBy = "websocket";
    },
    websocketGained: refresh,
    ackTimeout() {
      if (!live.linkUp) return;
      linkLost("reconnecting", "the CCP stopped answering");
      lostBy = "keepalive";
    },
    acknowledge() {
      lastAck = Date.now();
      // The CCP answers again: Streams' data is current, report it.
      if (lostBy === "keepalive") refresh();
    },
    authFail: () => linkLost("disconnected", "authentication failed", new CtiError("AUTH_FAILED", "Amazon Connect rejected the agent's session: sign in to Amazon Connect again.")),
    accessDenied: () => linkLost("disconnected", "access denied", new CtiError("AUTH_FAILED", "Amazon Connect denied access to the CCP for this agent.")),
    speakerDeviceChanged: (data: unknown) => audio.changed("output", data),
    microphoneDeviceChanged: (data: unknown) => audio.changed("input", data),
    ringerDeviceChanged: (data: unknown) => audio.changed("ringer", data),
    localMediaStreamCreated: (data: unknown) => audio.mediaStarted(data),
    iframeRetriesExhausted: () => linkLost("disconnected", "CCP failed to load", new CtiError("LINK_DOWN", `The Amazon Connect CCP at ${ccp} failed to load after several retries.`)),
  };

  return {
    name: options.name ?? DEFAULTS.name,
    capabilities: amazonConnectCapabilities(options),
    reasons: DEFAULT_REASONS,
    async start(context) {
      live.ctx = context;
      stopped = false;
      resync = true;
      context.setLink("connecting");
      audio.start(() => live.ctx);
      // Bounded from the start: a Streams script that never arrives counts too.
      loadTimer = setTimeout(onLoadTimeout, loadTimeoutMs);
      try {
        const streams = (live.streams = options.streams ?? (await loadStreams(options.streamsScriptUrl)));
        if (stopped) return;
        wiring.open(streams, options.container, initParams(options, resolved), handlers);
        // Streams may already hold agent data (a page that initialised it earlier).
        if (streams.core.initialized) refresh();
      } catch (err) {
        linkLost("disconnected", "Streams failed to start", new CtiError("LINK_DOWN", `Amazon Connect Streams failed to start: ${errorMessage(err)}`));
      }
    },
    stop() {
      stopped = true;
      live.linkUp = false;
      clearTimeout(loadTimer);
      clearInterval(watchdog);
      requests.cancel(new CtiError("LINK_DOWN", "The connector was stopped."));
      audio.stop();
      voiceAi?.stop();
      wiring.close();
    },
    ...requests.handlers,
    selectAudioDevice: audio.selectAudioDevice,
  };
}
