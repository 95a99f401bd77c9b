/**
 * The Twilio connector: lifecycle and requests. The real @twilio/voice-sdk
 * Device is the phone (device.ts); what it says becomes reports through the
 * pure mapping (mapping.ts). Hold, transfer and conference go through a
 * call-control backend (Twilio Conference on the server) when one is
 * configured (backend-requests.ts).
 */
import { CtiError, type AgentReport, type CallFailure, type Connector, type CallReport, type ConnectorContext, type EndReason, type MonitorMode } from "@opencti/core";
import { followAgentStream, guard, waitFor, type AgentStreamFollower } from "@opencti/core/connector";
import { createLocalAgentStatePort } from "./agent-state.js";
import { createTwilioAudio } from "./audio.js";
import { backendRequests, fail, type CallEntry } from "./backend-requests.js";
import { createDeviceSession, isClosed, placeCall, subscribe, waitForCall, type Device, type TwilioCall, type Wrap } from "./device.js";
import { toTwilioCtiError, type TwilioErrorLike } from "./errors.js";
import * as map from "./mapping.js";
import { DEFAULTS, twilioCapabilities, type TwilioConnectorOptions } from "./options.js";
import { agentStreamSource, callIdForSid } from "./voice-ai.js";

export function createTwilioConnector(options: TwilioConnectorOptions): Connector {
  const backend = options.backend;
  const streamSource = agentStreamSource(options.agentStream, backend);
  const agentState = options.agentState ?? createLocalAgentStatePort();
  const names = {
    queue: options.parameterNames?.queue ?? DEFAULTS.parameterNames.queue,
    callerName: options.parameterNames?.callerName ?? DEFAULTS.parameterNames.callerName,
    recording: options.parameterNames?.recording ?? DEFAULTS.parameterNames.recording,
  };
  const calls = new Map<string, CallEntry>();
  const consults = new Map<string, map.ConsultFacts>();
  let ctx: ConnectorContext | undefined;
  /** The agent's Twilio Client identity, once the Device learnt it (kept through signalling reconnects). */
  let identity: string | undefined;
  let stopped = false;
  let outboundCounter = 0;
  let callStates = "";

  /** Nothing the SDK hands us may throw back into its event emitter: a handler that fails is an INVALID_VENDOR_EVENT carrying the event's payload. */
  const safe: Wrap = (fn) => guard(() => ctx, fn, { message: "Twilio sent an SDK event the connector could not handle" });
  /** The agent state as last reported; with the local port (the default) it is the whole truth, so a resync reports it too. */
  const localAgent = options.agentState === undefined;
  let agentNow: AgentReport | undefined;
  const reportAgent = (agent: AgentReport): void => {
    agentNow = agent;
    ctx?.setAgent(agent);
  };
  const sidOf = (entry: CallEntry): string => entry.call.parameters.CallSid ?? entry.id;
  const agentAddress = (): string | undefined => (identity = session.device?.identity ?? identity);
  const toReport = (entry: CallEntry) => map.callReport(entry, { callSid: entry.call.parameters.CallSid, muted: entry.call.isMuted() }, agentAddress());

  /** Every call the desktop has from this connector, consult legs included. */
  const live = (): (CallEntry | map.ConsultFacts)[] => [...calls.values(), ...consults.values()];
  const reportOf = (leg: CallEntry | map.ConsultFacts): CallReport => ("call" in leg ? toReport(leg) : map.consultReport(leg, agentAddress()));

  /** The agent-state port hears the calls' states each time they change (the local one makes the agent busy during calls). */
  function callsChanged(): void {
    const states = live().map((leg) => leg.state);
    if (states.join() === callStates) return;
    callStates = states.join();
    agentState.setCalls?.(reportAgent, states);
  }

  /** Reports a call or consult leg the connector still has. */
  function report(leg: CallEntry | map.ConsultFacts): void {
    if (ctx && (calls.get(leg.id) ?? consults.get(leg.id)) === leg) ctx.upsertCall(reportOf(leg));
    callsChanged();
  }

  /** Forgets a call and reports its end (with why it failed, when Twilio said); its consult legs end with it (`transferred` by a transfer, otherwise `lost`). */
  function end(leg: CallEntry | map.ConsultFacts, reason: EndReason, failure?: CallFailure): void {
    if (!calls.delete(leg.id) && !consults.delete(leg.id)) return;
    for (const consult of consults.values()) if (consult.primaryId === leg.id) end(consult, reason === "transferred" ? "transferred" : "lost");
    if (failure) ctx?.upsertCall({ id: leg.id, state: "ended", endReason: reason, failure });
    else ctx?.removeCall(leg.id, reason);
    callsChanged();
    releaseMicrophone();
  }

  /** Answers and dials under way (the microphone is opened for them before the SDK's accept/connect). */
  let takingUp = 0;
  /** The last call is gone (ended, rejected, cancelled; ringing offers do not hold the microphone): the chosen input is released. */
  function releaseMicrophone(): void {
    const device = session.device;
    if (device && takingUp === 0 && ![...calls.values()].some((e) => e.state !== "ringing")) audio.release(device);
  }
  /** Opens the chosen microphone, then accept()/connect(); released again if no call came of it. */
  async function withMicrophone<T>(device: Device, fn: () => Promise<T>): Promise<T> {
    takingUp++;
    try {
      await audio.beforeCall(device);
      return await fn();
    } finally {
      takingUp--;
      releaseMicrophone();
    }
  }

  /**
   * Ends a call the SDK closed, with the connection error it got while the
   * signalling was down if any. Deferred a turn: the SDK emits a failure's
   * `error` right after its `disconnect`, and a request the failure rejects
   * (an answer without a microphone) must settle before the call is gone.
   */
  function closed(entry: CallEntry): void {
    const pending = session.takePendingFailure(entry.call);
    setTimeout(
      safe(() => {
        if (stopped) return;
        if (pending && !entry.error) callFailed(entry, pending, toTwilioCtiError(pending), false);
        const outcome = map.outcomeOnDisconnect(entry);
        end(entry, outcome.endReason, outcome.failure);
      }),
      0,
    );
  }

  /** One call's media: its own condition, reported on the call; the desktop's link follows the Device's registration only. */
  function setMedia(entry: CallEntry, media: map.CallFacts["media"]): void {
    if (!media || entry.media === media) return;
    entry.media = media;
    report(entry);
  }

  /** After a signalling reconnect, a full report: calls the SDK dropped meanwhile (closed ones, offers it forgot on the socket close) are lost. */
  function resync(device: Device): void {
    if (!ctx) return;
    const offers = new Set(device.calls);
    for (const entry of calls.values()) if (isClosed(entry.call) || (entry.state === "ringing" && !offers.has(entry.call))) calls.delete(entry.id);
    for (const consult of consults.values()) if (!calls.has(consult.primaryId)) consults.delete(consult.id);
    ctx.sync({ ...(localAgent && agentNow ? { agent: agentNow } : {}), calls: live().map(reportOf), missingEndReason: "lost" });
    callsChanged();
    releaseMicrophone();
  }

  function track(entry: CallEntry): void {
    calls.set(entry.id, entry);
    subscribe(entry.call, safe, {
      accept: () => {
        session.takePendingFailure(entry.call); // it came through: not the failure of its end
        entry.state = "connected";
        report(entry);
      },
      disconnect: () => closed(entry),
      cancel: () => end(entry, entry.localEnd ?? "abandoned"),
      reject: () => end(entry, "rejected"),
      mute: () => report(entry),
      ringing: () => report(entry), // an outbound call learns its real CallSid
      error: (error: TwilioErrorLike) => onCallError(entry, error),
      reconnecting: (error?: TwilioErrorLike) => setMedia(entry, map.mediaOnReconnecting(error?.code)),
      reconnected: () => entry.media === "reconnecting" && setMedia(entry, "ok"),
      warning: (name: string) => ctx?.signal({ kind: "warning", ...map.callWarning(name), callId: entry.id }),
      messageReceived: (message: { content?: unknown; contentType?: unknown }) => onMessage(entry, message),
    });
    report(entry);
  }

  /**
   * An SDK error about one call: an error event for it, typed as the call's
   * failure would be (a 31005 the gateway sent in a hangup is the call's, not
   * the link's); a call the SDK closed without a disconnect still ends. While
   * the signalling is down a connection error is the link's (session.callError).
   */
  function onCallError(entry: CallEntry, error: TwilioErrorLike): void {
    const cti = session.callError(entry.call, error);
    if (cti) callFailed(entry, error, cti, true);
  }

  function callFailed(entry: CallEntry, error: TwilioErrorLike, cti: CtiError, endIfClosed: boolean): void {
    entry.error = { code: typeof error.code === "number" ? error.code : undefined, message: cti.message };
    ctx?.signal({ kind: "error", code: map.errorOutcome(entry.error).failure.code, message: cti.message, callId: entry.id });
    if (endIfClosed && isClosed(entry.call)) closed(entry);
  }

  /** The backend's party progress, pushed to the agent's call as a user-defined message. */
  function onMessage(entry: CallEntry, message: { content?: unknown; contentType?: unknown }): void {
    const content = map.callMessage(message);
    if (content === "invalid") return ctx?.invalidVendorEvent("Twilio delivered a call message that is not valid JSON", message, entry.id);
    const status = content && map.partyStatus(content.status);
    if (!content || !status) return; // someone else's message, or progress that changes nothing
    const consult = [...consults.values()].find((c) => c.primaryId === entry.id && c.partySid === content.callSid);
    const party = entry.thirdParties.get(content.callSid);
    if (consult && status.state === "connected") {
      consult.state = "connected";
      report(consult);
    } else if (consult && status.state === "disconnected") end(consult, status.endReason, status.failure);
    else if (party && status.state === "disconnected") {
      entry.thirdParties.set(party.id, { ...party, state: "disconnected" });
      report(entry);
    }
  }

  /**
   * Monitoring sessions: the backend's dial to the supervisor's Client
   * (custom parameter `opencti=monitor`) is no offer for the desktop; it waits
   * here, by CallSid, for the `monitor` request that asked for it (it may
   * arrive before the backend's answer). One with no request under way is declined.
   */
  const sessionOffers = new Map<string, TwilioCall>();
  const sessionWaiters = new Map<string, (call: TwilioCall) => void>();
  let monitorsUnderWay = 0;
  function onSessionOffer(call: TwilioCall): void {
    const sid = call.parameters.CallSid;
    if (!sid || monitorsUnderWay === 0) return call.reject();
    const waiter = sessionWaiters.get(sid);
    if (waiter) return waiter(call);
    sessionOffers.set(sid, call);
    call.once("cancel", () => sessionOffers.delete(sid));
  }
  /** The session's incoming call, once Twilio rings it (REQUEST_TIMEOUT with the request's signal). */
  function sessionOffer(sid: string, signal: AbortSignal): Promise<TwilioCall> {
    const ready = sessionOffers.get(sid);
    if (ready) {
      sessionOffers.delete(sid);
      return Promise.resolve(ready);
    }
    return waitFor<TwilioCall>(
      (resolve) => {
        sessionWaiters.set(sid, resolve);
        return () => sessionWaiters.delete(sid);
      },
      signal,
      () => new CtiError("REQUEST_TIMEOUT", "Twilio did not ring the monitoring session in time", { request: "monitor" }),
    );
  }

  /** An offer to a logged-out agent (a registration Twilio confirmed too late, one the SDK renewed) is declined: the caller is not left ringing. */
  function onIncoming(call: TwilioCall): void {
    if (!session.loggedIn) return call.reject();
    if (map.isMonitorOffer(call.customParameters)) return onSessionOffer(call);
    const facts = map.incomingCall(call.parameters, call.customParameters, names);
    if (!facts) return ctx?.invalidVendorEvent("Twilio offered a call without a readable CallSid or From", call.parameters);
    if (!calls.has(facts.id)) track({ ...facts, call }); // else a duplicate offer
  }

  const audio = createTwilioAudio(() => ctx, safe);

  const session = createDeviceSession(options, safe, {
    incoming: onIncoming,
    callError(call, error) {
      const entry = [...calls.values()].find((e) => e.call === call);
      if (entry) onCallError(entry, error);
      return entry !== undefined;
    },
    resync,
    created: (device) => audio.attach(device),
  });

  const entryFor = (id: string): CallEntry => calls.get(id) ?? fail("INVALID_STATE", "This call is no longer known to the Twilio Device");

  /** Voice AI: the agent event stream, followed while logged in. */
  let follower: AgentStreamFollower | undefined;
  /** Bumped by logout and stop: a login they overtook does not follow afterwards. */
  let streamEpoch = 0;
  function unfollow(): void {
    streamEpoch++;
    follower?.close();
    follower = undefined;
  }
  function follow(epoch: number): void {
    if (epoch !== streamEpoch || stopped) return;
    unfollow();
    if (!streamSource || !ctx) return;
    try {
      follower = followAgentStream(ctx, streamSource, { resolveCallId: (callSid) => callIdForSid(calls.values(), callSid) });
    } catch (error) {
      // No EventSource here: the agent is logged in all the same, without transcripts.
      ctx.signal({ kind: "warning", code: "VOICE_AI_UNAVAILABLE", message: `Live transcripts are unavailable: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  return {
    name: options.name ?? DEFAULTS.name,
    capabilities: twilioCapabilities(options),
    reasons: agentState.reasons,
    ...(options.directory ? { directory: options.directory } : {}),

    async start(context) {
      ctx = context;
      await session.start(context);
    },

    async stop() {
      stopped = true;
      unfollow();
      audio.detach();
      session.stop();
      await Promise.resolve();
    },

    async login({ initialState, signal }) {
      const epoch = streamEpoch;
      await session.register(signal);
      await agentState.login(reportAgent, initialState, signal);
      follow(epoch);
    },

    async logout({ signal }) {
      unfollow();
      await session.unregister();
      await agentState.logout(reportAgent, signal);
    },

    setAgentState: ({ reason, signal }) => agentState.setState(reportAgent, reason, signal),

    async dial({ destination, options: dialOptions, signal }) {
      const device = session.require();
      return withMicrophone(device, async () => {
        const call = await placeCall(device, map.dialParams(destination, dialOptions.data), signal);
        const id = call.outboundConnectionId ?? `twilio-out-${++outboundCounter}`;
        track({ ...map.outboundCall(id, destination, dialOptions.data), call });
        return { callId: id };
      });
    },

    async answer({ call, signal }) {
      const entry = entryFor(call.id);
      // Accepting hangs up the SDK's active call (the Device's beforeAccept): that is the agent's side ending it, not the far end.
      // Core offers answer only when no other call is connected, dialing or held, so this is a safety net.
      for (const other of calls.values()) if (other !== entry && other.state !== "ringing") other.localEnd ??= "local_hangup";
      await withMicrophone(session.require(), async () => {
        const accepted = waitForCall(entry.call, "accept", signal, "answer");
        entry.call.accept();
        await accepted;
      });
    },

    reject({ call }) {
      const entry = entryFor(call.id);
      entry.localEnd = "rejected";
      entry.call.reject();
      return Promise.resolve();
    },

    async hangup({ call, signal }) {
      const consult = consults.get(call.id);
      if (consult) {
        const primary = entryFor(consult.primaryId);
        await (backend ?? fail("NOT_SUPPORTED", "Hold, transfer and conference need a call-control backend")).dropParty({ callSid: sidOf(primary), partyCallSid: consult.partySid }, signal);
        return end(consult, "local_hangup");
      }
      const entry = entryFor(call.id);
      entry.localEnd = entry.state === "ringing" ? "rejected" : "local_hangup";
      if (entry.state === "ringing") entry.call.reject();
      else entry.call.disconnect();
    },

    mute: ({ call }) => Promise.resolve(entryFor(call.id).call.mute(true)),
    unmute: ({ call }) => Promise.resolve(entryFor(call.id).call.mute(false)),

    sendDtmf({ call, digits }) {
      const entry = entryFor(call.id);
      const sdkDigits = map.sdkDigits(digits);
      if (sdkDigits === undefined) return Promise.reject(new CtiError("INVALID_ARGUMENT", "Twilio sends only 0-9, * and # (and pauses)", { request: "sendDtmf" }));
      try {
        entry.call.sendDigits(sdkDigits);
      } catch (error) {
        return Promise.reject(toTwilioCtiError(error, "sendDtmf"));
      }
      return Promise.resolve();
    },

    /**
     * A supervisor's session: the backend dials the supervisor's own Client
     * into the watched conference (`backend.monitor`); the connector answers
     * that incoming call itself and reports it (direction `monitor`, its
     * CallSid as id, `monitorMode` from the backend's answer). Leaving is
     * hangup (the SDK's disconnect: Twilio removes the participant whose
     * call ended). Should the session not come up, the leg is declined.
     */
    ...(backend?.monitor
      ? {
          async monitor({ target, mode, signal }: { target: string; mode: MonitorMode; signal: AbortSignal }) {
            const device = session.require();
            monitorsUnderWay++;
            try {
              const started = await backend.monitor!({ target, mode }, signal);
              const call = await sessionOffer(started.callSid, signal);
              await withMicrophone(device, async () => {
                const accepted = waitForCall(call, "accept", signal, "monitor");
                call.accept();
                await accepted.catch((error: unknown) => {
                  if (!isClosed(call)) call.disconnect();
                  throw error;
                });
                track({ ...map.monitorSession(started.callSid, started.mode), call });
              });
              return { callId: started.callSid };
            } finally {
              // No request waits any more: a session Twilio rang meanwhile is declined (the participant's call ends).
              if (--monitorsUnderWay === 0) {
                for (const orphan of sessionOffers.values()) orphan.reject();
                sessionOffers.clear();
              }
            }
          },
        }
      : {}),

    /** The SDK's audio helper does it (audio.ts): the input remembered and opened for calls only, output and ringer where the browser has setSinkId (else NOT_SUPPORTED). */
    selectAudioDevice: ({ use, device }) => audio.select(session.require(), use, device),

    ...(backend ? backendRequests(backend, { calls, consults, stopped: () => stopped, entryFor, sidOf, report, end }) : {}),
  };
}
