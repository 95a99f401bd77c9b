/**
 * createPegaImplementation: a Desktop (any connector) as a Pega Call OpenCTI
 * Desktop Implementation. Pega calls the Desktop Interface functions with
 * success/failure callbacks; CTI events reach Pega through forwardEvent as
 * Pega's JSON events.
 */
import { CtiError, silentLogger, type Agent, type AgentReason, type Call, type Desktop, type CallEventType, type DesktopEvent, type Logger, type TelephonyMode } from "@opencti/core";
import { isRecord } from "@opencti/core/connector";
import { PegaFailure, toPegaError } from "./errors.js";
import { agentEvent, CALL_STATE_EVENT, callEvent, callInfoEvent, endEvent, linkState, loginEvent, partyDNs, partyInfoEvent, snapshotEvent, type PegaContext } from "./events.js";
import { version as packageVersion } from "../package.json";
import { createVoiceAi, type PegaVoiceAiOptions } from "./voice-ai.js";
import type { ForwardEvent, PegaCallEventName, PegaDesktopImplementation, PegaEvent, PegaTelephonyMode, PegaWorkMode } from "./types.js";

/** The implementation's default name (`impl.name`). */
export const PEGA_IMPLEMENTATION_NAME = "OpenCTI for TypeScript";
/** The implementation's version (`impl.version`): this package's. */
export const PEGA_IMPLEMENTATION_VERSION: string = packageVersion;

export interface PegaImplementationOptions {
  /** The implementation's name (`impl.name`), e.g. the name it is registered under in Pega. Default "OpenCTI for TypeScript". */
  name?: string;
  /** pyMedia on every event. Default "Phone". */
  media?: string;
  /** The mode configured in Pega; it can only narrow what the connector's capabilities allow. */
  telephonyMode?: PegaTelephonyMode;
  /** Pega reason code → the connector's reason id, where they differ. */
  reasonCodes?: Readonly<Record<string, string>>;
  /**
   * Receive events from now on, before any Pega login: for a host whose
   * desktop is logged in elsewhere (our panel) and that mirrors it to Pega.
   * A Pega login's forwardEvent takes over; a Pega logout hands back to it.
   */
  forwardEvent?: ForwardEvent;
  /** How long login/logout wait for the agent state the vendor confirmed. Default 5000 ms. */
  stateTimeoutMs?: number;
  /** Where callbacks that throw, and refused Voice AI session properties, are reported. Silent by default. */
  logger?: Logger;
  /**
   * Pega Voice AI for this CTI: each connected call gets an AI session
   * (VoiceAIEvent Connected / Updated / Disconnected with its properties) and
   * its transcript segments and insights are forwarded with the session id.
   * Off without this option. See the README's Voice AI section.
   */
  voiceAi?: PegaVoiceAiOptions;
}

const MODES: Readonly<Record<TelephonyMode, PegaTelephonyMode>> = {
  screen_pop: "SimpleTelephony",
  agent_state: "SimpleTelephonyWithAgentState",
  full: "FullTelephony",
};
const RANK: Readonly<Record<PegaTelephonyMode, number>> = { SimpleTelephony: 0, SimpleTelephonyWithAgentState: 1, FullTelephony: 2 };

/** Pega's telephony mode for a desktop: what its connector's capabilities allow. */
export function pegaTelephonyMode(desktop: Pick<Desktop, "mode">): PegaTelephonyMode {
  return MODES[desktop.mode];
}

/** The normalized call event → the Pega CallEvent it becomes (end events are decided per call). */
const STATE_EVENT = {
  "call.ringing": CALL_STATE_EVENT.ringing,
  "call.dialing": CALL_STATE_EVENT.dialing,
  "call.connected": CALL_STATE_EVENT.connected,
  "call.held": CALL_STATE_EVENT.held,
  "call.resumed": "Retrieved",
} as const satisfies Partial<Record<CallEventType, PegaCallEventName>>;

const READY_WORK_MODES: ReadonlySet<string> = new Set<PegaWorkMode>(["MODE_NONE", "MODE_AUTO_IN", "MODE_MANUAL_IN"]);
const ACW_WORK_MODES: ReadonlySet<string> = new Set(["ACW", "AFTER_CALL_WORK"]);

/**
 * agentReady's arguments after workMode, in either form: Pega's documented
 * `(options, success, failure)` (developer guide for client-side integration
 * 8.5, "The agentReady function") or agentNotReady's longer `(reasonCode,
 * linkDefinition, options, success, failure)`. A function in the 4th or 5th
 * of these positions means the longer form; otherwise the documented one.
 */
function readyArguments(rest: readonly unknown[]): { reasonCode: unknown; success: unknown; failure: unknown } {
  if (typeof rest[3] === "function" || typeof rest[4] === "function") return { reasonCode: rest[0], success: rest[3], failure: rest[4] };
  return { reasonCode: undefined, success: rest[1], failure: rest[2] };
}

export function createPegaImplementation(desktop: Desktop, options: PegaImplementationOptions = {}): PegaDesktopImplementation {
  const logger = options.logger ?? silentLogger;
  const stateTimeoutMs = options.stateTimeoutMs ?? 5000;
  const derived = pegaTelephonyMode(desktop);
  const mode = options.telephonyMode !== undefined && RANK[options.telephonyMode] < RANK[derived] ? options.telephonyMode : derived;
  const reasonCodes = options.reasonCodes ?? {};
  const pegaCodeOf = new Map(Object.entries(reasonCodes).map(([pega, id]) => [id, pega]));

  let forwarder: ForwardEvent | undefined = options.forwardEvent;
  /** A Pega login or logout in progress sends its own Snapshot. */
  let inFlight: "login" | "logout" | undefined;
  const session = { agentId: "", thisDN: "", readyWorkMode: "MODE_NONE" as PegaWorkMode, logoutReasonCode: "" };
  let lastAgentEvent = "";
  const partiesSent = new Map<string, string>();
  /** The CallInfo last sent per call (DNIS and data), to send it only when it changes. */
  const infoSent = new Map<string, string>();
  const disconnected = new Set<string>();

  const ctx = (): PegaContext => ({
    media: options.media ?? "Phone",
    thisDN: session.thisDN,
    agentId: session.agentId,
    readyWorkMode: session.readyWorkMode,
    logoutReasonCode: session.logoutReasonCode,
    reasonCode: (id) => pegaCodeOf.get(id) ?? id,
  });

  function send(event: PegaEvent): void {
    const target = forwarder;
    if (!target) return;
    try {
      target(event);
    } catch (err) {
      logger.error(`Pega's forwardEvent threw on ${event.pyEventType} ${event.pyEventName}`, { error: err });
    }
  }
  const sendSnapshot = (): void => send(snapshotEvent(desktop.snapshot(), ctx()));
  const voiceAi = options.voiceAi && createVoiceAi(options.voiceAi, ctx, send, (id) => desktop.getCall(id), logger);

  // Desktop events → Pega events -------------------------------------------------

  function onCall(event: DesktopEvent & { call: Call }): void {
    const { call } = event;
    switch (event.type) {
      case "call.ringing":
      case "call.dialing":
      case "call.connected":
      case "call.held":
      case "call.resumed":
        send(callEvent(STATE_EVENT[event.type], call, ctx()));
        break;
      case "call.wrapup":
      case "call.ended": {
        // For Pega the call is over when the conversation is: wrap-up is agent state (ACW).
        if (!disconnected.has(call.id)) send(endEvent(call, ctx()));
        voiceAi?.onEnd(call, event.type === "call.ended");
        if (event.type === "call.ended") {
          disconnected.delete(call.id);
          partiesSent.delete(call.id);
          infoSent.delete(call.id);
        } else disconnected.add(call.id);
        return;
      }
      default:
        break; // muted, data, updated, transferred: no CallEvent (PartyInfo and CallInfo below)
    }
    if (disconnected.has(call.id)) return; // over for Pega: nothing after Disconnected
    const dns = partyDNs(call).join("\n");
    if (partiesSent.get(call.id) !== dns) {
      partiesSent.set(call.id, dns);
      send(partyInfoEvent(call, ctx()));
    }
    // CallInfo once the call has data or a DNIS, and again whenever they change.
    const info = callInfoEvent(call, ctx());
    const key = JSON.stringify([info.pyDNIS, info.pyUserData]);
    if (infoSent.get(call.id) !== key && (infoSent.has(call.id) || info.pyDNIS !== "" || Object.keys(info.pyUserData).length > 0)) {
      infoSent.set(call.id, key);
      send(info);
    }
    voiceAi?.onCall(call);
  }

  function onAgent(agent: Agent, previous: Agent): void {
    const wasOut = previous.state === "logged_out";
    const isOut = agent.state === "logged_out";
    if (wasOut && !isOut) {
      send(loginEvent(ctx()));
      lastAgentEvent = "";
    }
    const event = agentEvent(agent, ctx());
    const key = JSON.stringify(event);
    if (key !== lastAgentEvent) {
      lastAgentEvent = key;
      send(event);
    }
    // Logged in or out by someone other than Pega's login/logout: Pega still needs the picture.
    if (wasOut !== isOut && !inFlight) sendSnapshot();
  }

  desktop.on("*", (event) => {
    if (!forwarder) return;
    if (event.type === "link.changed") {
      // A Pega login in progress sends its Snapshot once the agent is in.
      if (linkState(event.link) !== linkState(event.previous) && inFlight !== "login") sendSnapshot();
    } else if (event.type === "agent.changed") onAgent(event.agent, event.previous);
    else if ("call" in event) onCall(event);
    else if (voiceAi && (event.type === "call.transcript" || event.type === "call.insight")) voiceAi.onSignal(event);
  });

  // Requests ---------------------------------------------------------------------

  /** Runs `work`, then calls exactly one of success/failure, once, never synchronously. */
  function settle(name: string, success: unknown, failure: unknown, work: () => Promise<void>, secrets: readonly string[] = []): void {
    const invoke = (which: "success" | "failure", fn: unknown, arg?: unknown): void => {
      if (typeof fn !== "function") return;
      try {
        if (arg === undefined) (fn as () => void)();
        else (fn as (a: unknown) => void)(arg);
      } catch (err) {
        logger.error(`Pega's ${which} callback for ${name} threw`, { error: err });
      }
    };
    void Promise.resolve()
      .then(work)
      .then(
        () => invoke("success", success),
        (err: unknown) => invoke("failure", failure, toPegaError(err, secrets)),
      );
  }

  function needMode(wanted: PegaTelephonyMode, request: string): void {
    if (RANK[mode] < RANK[wanted]) throw new PegaFailure("OPENCTI_HTTP_ERROR_405", `${request} is not available in ${mode} mode.`);
  }

  function text(value: unknown, what: string, request: string): string {
    if (typeof value !== "string" || value.trim() === "") throw new CtiError("INVALID_ARGUMENT", `${request} needs a ${what}.`, { request });
    return value.trim();
  }

  function waitForAgent(done: (agent: Agent) => boolean): Promise<void> {
    if (done(desktop.snapshot().agent)) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        off();
        resolve();
      };
      // Bounded: the vendor already confirmed; the Snapshot shows whatever is known by then.
      const timer = setTimeout(finish, stateTimeoutMs);
      const off = desktop.on("agent.changed", (e) => {
        if (done(e.agent)) finish();
      });
    });
  }

  /** Pega has no wrap-up step: leaving ACW (or logging out) completes it. */
  async function finishWrapUps(): Promise<void> {
    for (const call of desktop.snapshot().calls) {
      if (call.state === "wrapup" && call.actions.includes("completeWrapUp")) await desktop.completeWrapUp(call.id);
    }
  }

  function findReason(code: string, states: readonly AgentReason["state"][]): AgentReason | undefined {
    const reasons = desktop.snapshot().reasons.filter((r) => states.includes(r.state));
    const id = reasonCodes[code] ?? code;
    return reasons.find((r) => r.id === id) ?? reasons.find((r) => r.label.toLowerCase() === code.toLowerCase());
  }

  async function changeState(target: AgentReason): Promise<void> {
    const agent = desktop.snapshot().agent;
    if (agent.state === target.state && (agent.reason === undefined || agent.reason.id === target.id) && !agent.pendingState) {
      throw new PegaFailure("OPENCTI_IN_SAME_STATE", `The agent is already ${target.label}.`);
    }
    if (agent.state !== "logged_out" && target.state !== "after_call_work") await finishWrapUps();
    await desktop.setAgentState(target.id);
  }

  function pairTarget(heldCallId: unknown, activeCallId: unknown, request: string): string {
    for (const id of [activeCallId, heldCallId]) if (typeof id === "string" && id.trim() !== "") return id.trim();
    throw new CtiError("INVALID_ARGUMENT", `${request} needs the held or the active call id.`, { request });
  }

  function hasConsultPartner(callId: string): boolean {
    const calls = desktop.snapshot().calls.filter((c) => c.state !== "wrapup" && c.state !== "ended");
    const call = calls.find((c) => c.id === callId);
    return calls.some((c) => c.relatedCallId === callId || (call?.relatedCallId !== undefined && c.id === call.relatedCallId));
  }

  /** The shared shape of the call-control functions. */
  const callControl =
    (request: string, run: (callId: string) => Promise<unknown>) =>
    (callId: string, _options: unknown, success: unknown, failure: unknown): void =>
      settle(request, success, failure, async () => {
        needMode("FullTelephony", request);
        await run(text(callId, "call id", request));
      });
  const toDestination =
    (request: string, run: (callId: string, destination: string) => Promise<unknown>) =>
    (callId: string, destination: string, _options: unknown, success: unknown, failure: unknown): void =>
      settle(request, success, failure, async () => {
        needMode("FullTelephony", request);
        await run(text(callId, "call id", request), text(destination, "destination", request));
      });
  const completePair =
    (request: string, run: (callId: string) => Promise<unknown>) =>
    (heldCallId: string, activeCallId: string, _options: unknown, success: unknown, failure: unknown): void =>
      settle(request, success, failure, async () => {
        needMode("FullTelephony", request);
        await run(pairTarget(heldCallId, activeCallId, request));
      });

  const implementation: PegaDesktopImplementation = {
    telephonyMode: mode,
    name: typeof options.name === "string" && options.name.trim() !== "" ? options.name.trim().slice(0, 256) : PEGA_IMPLEMENTATION_NAME,
    version: PEGA_IMPLEMENTATION_VERSION,

    login(agentID, agentPwd, extension, _linkDefinition, _options, success, failure, forwardEvent) {
      settle(
        "login",
        success,
        failure,
        async () => {
          if (typeof forwardEvent !== "function") throw new CtiError("INVALID_ARGUMENT", "login needs Pega's forwardEvent callback.", { request: "login" });
          const previous = forwarder;
          forwarder = forwardEvent as ForwardEvent;
          session.agentId = typeof agentID === "string" ? agentID.trim() : "";
          session.thisDN = typeof extension === "string" ? extension.trim() : "";
          session.logoutReasonCode = "";
          inFlight = "login";
          try {
            await desktop.login({
              ...(session.agentId ? { agentId: session.agentId } : {}),
              ...(typeof agentPwd === "string" && agentPwd !== "" ? { password: agentPwd } : {}),
              ...(session.thisDN ? { extension: session.thisDN } : {}),
            });
            await waitForAgent((a) => a.state !== "logged_out");
          } catch (err) {
            forwarder = previous;
            throw err;
          } finally {
            inFlight = undefined;
          }
          sendSnapshot();
        },
        typeof agentPwd === "string" ? [agentPwd] : [],
      );
    },

    logout(_agentID, reasonCode, _options, success, failure) {
      settle("logout", success, failure, async () => {
        const code = typeof reasonCode === "string" ? reasonCode.trim() : "";
        if (desktop.snapshot().agent.state !== "logged_out") await finishWrapUps();
        const reason = code ? findReason(code, ["logged_out", "not_ready"]) : undefined;
        inFlight = "logout";
        const previousCode = session.logoutReasonCode;
        session.logoutReasonCode = code;
        try {
          await desktop.logout(reason?.state === "logged_out" ? reason.id : undefined);
          await waitForAgent((a) => a.state === "logged_out");
        } catch (err) {
          session.logoutReasonCode = previousCode;
          throw err;
        } finally {
          inFlight = undefined;
        }
        sendSnapshot();
        forwarder = options.forwardEvent; // Pega's subscription ends here
      });
    },

    agentReady(_agentID, workMode, ...rest) {
      const { reasonCode, success, failure } = readyArguments(rest);
      settle("agentReady", success, failure, async () => {
        needMode("SimpleTelephonyWithAgentState", "agentReady");
        const code = typeof reasonCode === "string" ? reasonCode.trim() : "";
        const target = (code ? findReason(code, ["ready"]) : undefined) ?? desktop.snapshot().reasons.find((r) => r.state === "ready");
        if (!target) throw new CtiError("NOT_SUPPORTED", "The connector has no Ready state.", { request: "agentReady" });
        const previous = session.readyWorkMode;
        session.readyWorkMode = typeof workMode === "string" && READY_WORK_MODES.has(workMode) ? (workMode as PegaWorkMode) : "MODE_NONE";
        try {
          await changeState(target);
        } catch (err) {
          session.readyWorkMode = previous;
          throw err;
        }
      });
    },

    agentNotReady(_agentID, workMode, reasonCode, _linkDefinition, _options, success, failure) {
      settle("agentNotReady", success, failure, async () => {
        needMode("SimpleTelephonyWithAgentState", "agentNotReady");
        const code = typeof reasonCode === "string" ? reasonCode.trim() : "";
        let target: AgentReason | undefined;
        if (typeof workMode === "string" && ACW_WORK_MODES.has(workMode)) {
          target = findReason(code, ["after_call_work"]) ?? desktop.snapshot().reasons.find((r) => r.state === "after_call_work");
          if (!target) throw new CtiError("NOT_SUPPORTED", "The connector has no After Call Work state an agent can choose.", { request: "agentNotReady" });
        } else if (code) {
          target = findReason(code, ["not_ready", "after_call_work", "busy"]);
          if (!target) throw new CtiError("INVALID_ARGUMENT", `Unknown Not Ready reason code "${code.slice(0, 64)}".`, { request: "agentNotReady" });
        } else {
          target = desktop.snapshot().reasons.find((r) => r.state === "not_ready");
          if (!target) throw new CtiError("NOT_SUPPORTED", "The connector has no Not Ready state.", { request: "agentNotReady" });
        }
        await changeState(target);
      });
    },

    answerCall: callControl("answerCall", (id) => desktop.answer(id)),
    holdCall: callControl("holdCall", (id) => desktop.hold(id)),
    retrieveCall: callControl("retrieveCall", (id) => desktop.resume(id)),
    hangUpCall: callControl("hangUpCall", (id) => {
      // Pega hangs up whatever the call's state: a ringing call is declined, a wrap-up finished.
      const call = desktop.getCall(id);
      if (call?.state === "ringing" && call.actions.includes("reject")) return desktop.reject(id);
      if (call?.state === "wrapup" && call.actions.includes("completeWrapUp")) return desktop.completeWrapUp(id);
      return desktop.hangup(id);
    }),

    makeCall(destination, options, success, failure) {
      settle("makeCall", success, failure, async () => {
        needMode("FullTelephony", "makeCall");
        const data = isRecord(options) && isRecord(options.callData) ? (options.callData as Record<string, string>) : undefined;
        await desktop.dial(text(destination, "destination", "makeCall"), data ? { data } : {});
      });
    },

    sendDTMF(callId, digits, _options, success, failure) {
      settle("sendDTMF", success, failure, async () => {
        needMode("FullTelephony", "sendDTMF");
        await desktop.sendDtmf(text(callId, "call id", "sendDTMF"), typeof digits === "string" ? digits : "");
      });
    },

    blindTransfer: toDestination("blindTransfer", (id, to) => desktop.blindTransfer(id, to)),
    consultationCall: toDestination("consultationCall", (id, to) => desktop.consult(id, to)),
    transferInitiate: toDestination("transferInitiate", (id, to) => desktop.consult(id, to)),
    conferenceInitiate: toDestination("conferenceInitiate", (id, to) => {
      if (hasConsultPartner(id)) throw new PegaFailure("OPENCTI_CONF_ALREADY_PRESENT", "A consultation or conference is already in progress on this call.");
      return desktop.consult(id, to);
    }),
    transferComplete: completePair("transferComplete", (id) => desktop.completeTransfer(id)),
    conferenceComplete: completePair("conferenceComplete", (id) => desktop.conference(id)),

    dropParty(callId, partyDN, _options, success, failure) {
      settle("dropParty", success, failure, async () => {
        needMode("FullTelephony", "dropParty");
        const id = text(callId, "call id", "dropParty");
        const dn = text(partyDN, "party", "dropParty");
        const party = desktop.getCall(id)?.parties.find((p) => p.role !== "agent" && p.state !== "disconnected" && (p.address === dn || p.id === dn));
        await desktop.dropParty(id, party?.id ?? dn);
      });
    },
  };
  return implementation;
}
