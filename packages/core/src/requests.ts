/**
 * Every Desktop request, described once: what it needs before the connector
 * sees it and how its arguments become the connector request. `createDesktop`
 * runs them all through one path, in this order:
 *
 * 1. `capability`: NOT_SUPPORTED unless the connector declares it (requests on
 *    a call, the call actions: `ACTION_CAPABILITY[request]`);
 * 2. unless `link` says otherwise: LINK_DOWN unless the link is connected;
 * 3. every request but login: NOT_LOGGED_IN while the agent is logged out;
 * 4. requests on a call: the first argument is a call id; INVALID_STATE unless
 *    that call is live and the request is in its `actions`;
 * 5. `args`: checks the other arguments (INVALID_ARGUMENT, INVALID_DESTINATION,
 *    INVALID_STATE) and returns the connector request's fields, or undefined
 *    when there is nothing to do (the request resolves at once);
 * 6. `link: "after"`: LINK_DOWN, checked after the arguments; `link: "wait"`:
 *    waits for the link to connect (LINK_DOWN after the request timeout);
 * 7. NOT_SUPPORTED when the connector lacks the method;
 * 8. INVALID_STATE while the same request (on the same call) is in flight;
 *    then the connector method, bounded by the request timeout
 *    (REQUEST_TIMEOUT), its failures as CtiErrors (VENDOR_ERROR unless it threw
 *    a CtiError);
 * 9. `done` (below): the request resolves once the desktop shows the change,
 *    and a request on a call rejects with INVALID_STATE when its call ends (or
 *    goes to wrap-up) before it showed it.
 */
import { isLiveRemote, over } from "./actions.js";
import type { LoginRequest, DialOptions } from "./connector.js";
import { CtiError } from "./errors.js";
import { AUDIO_USES, MONITOR_MODES, type AgentReason, type MonitorMode, type AudioUse, type Call, type CallAction, type Capability, type CtiErrorCode, type Party, type WrapUp } from "./model.js";
import type { DesktopStore } from "./store.js";
import { checkData, DTMF, isText, LIMITS, normalizeDestination, read, WRAP_UP } from "./validate.js";

/** What a request's argument check sees. */
export interface RequestScope {
  readonly store: DesktopStore;
  /** The request's name. */
  readonly name: RequestName;
  /** The call, for requests on a call. */
  readonly call?: Call | undefined;
}

/** Fields of the connector request (the desktop adds `call` and `signal`). */
type Fields = Record<string, unknown>;

export interface RequestSpec {
  /** Words for messages ("hold the call"); the request's name otherwise. */
  readonly words?: string;
  /** For requests not on a call (those take their call action's). */
  readonly capability?: Capability;
  /** When the link is checked: before the arguments (the default), after them, waited for, or (`local`: the agent's own browser) neither it nor login. */
  readonly link?: "after" | "wait" | "local";
  readonly args?: (scope: RequestScope, ...args: never[]) => Fields | undefined;
  /**
   * Whether the desktop shows the change the request asked for: checked when
   * the connector resolves and after every report while the request is in
   * flight, and remembered once true. `call` is the request's call as it is
   * now (undefined once it has ended). The request resolves when the
   * connector has resolved and this has been true (REQUEST_TIMEOUT if it never
   * is); without `done`, when the connector resolves. A request on a call whose
   * call ends (or goes to wrap-up) before `done` was true rejects with
   * INVALID_STATE.
   */
  readonly done?: (call: Call | undefined, store: DesktopStore, fields: Fields) => unknown;
  /** One at a time per desktop, not per call (answer; the consult-pair requests, on either call of the pair). */
  readonly single?: true;
}

export type RequestName = "login" | "logout" | "setAgentState" | "dial" | "selectAudioDevice" | "monitor" | CallAction;

/** A CtiError for `request`. */
export const fail = (code: CtiErrorCode, message: string, request: string, callId?: string): CtiError => new CtiError(code, message, { request, callId });

/** The connector request's `destination`, normalized (dial, blindTransfer, consult). */
const destination = ({ name }: RequestScope, value: unknown): { destination: string } => {
  const target = normalizeDestination(value);
  if (!target) throw fail("INVALID_DESTINATION", `Cannot dial "${String(value).slice(0, 64)}": not a number or address.`, name);
  return { destination: target };
};

/** A monitoring mode the connector can do: INVALID_ARGUMENT for an unknown one, NOT_SUPPORTED for one it cannot. */
const monitorMode = ({ store, name }: RequestScope, mode: unknown): MonitorMode => {
  if (!MONITOR_MODES.includes(mode as MonitorMode)) throw fail("INVALID_ARGUMENT", `Unknown monitoring mode "${String(mode).slice(0, 16)}": monitor, whisper or barge.`, name);
  if (!store.capabilities.has(mode as MonitorMode)) throw fail("NOT_SUPPORTED", `This connector cannot ${String(mode)}.`, name);
  return mode as MonitorMode;
};

/**
 * completeTransfer / conference: the connector gets the primary call and its
 * consult leg. The call has a consult partner: these requests are in its
 * actions only then (see deriveActions), and the desktop checks the actions first.
 */
const pair: NonNullable<RequestSpec["args"]> = ({ store, call }) => {
  const other = store.partner(call!)!;
  return call!.direction === "consult" && other.direction !== "consult" ? { call: other, consultCall: call } : { consultCall: other };
};

export const REQUESTS: { readonly [K in RequestName]: RequestSpec } = {
  login: {
    link: "wait",
    done: (_, store) => store.agent.state !== "logged_out",
    args: ({ store }, request: LoginRequest = {}) => {
      if (store.agent.state !== "logged_out") throw fail("INVALID_STATE", "The agent is already logged in.", "login");
      return { ...request };
    },
  },
  logout: {
    link: "after",
    done: (_, store) => store.agent.state === "logged_out",
    args: ({ store }, reasonId?: string) => {
      if (store.calls.size) throw fail("INVALID_STATE", "End or wrap up every call before you log out.", "logout");
      if (reasonId === undefined) return {};
      const reason = store.reasons.find((r) => r.id === reasonId);
      if (!reason) throw fail("INVALID_ARGUMENT", `Unknown reason "${reasonId}".`, "logout");
      return { reason };
    },
  },
  setAgentState: {
    words: "change agent state",
    capability: "agentState",
    // In that state, or queued for it until the current call ends.
    done: (_, { agent }, { reason }) => agent.state === (reason as AgentReason).state || agent.pendingState?.state === (reason as AgentReason).state,
    args: ({ store }, target: string) => {
      const reasons = store.reasons;
      const reason = reasons.find((r) => r.id === target) ?? reasons.find((r) => r.state === target);
      if (!reason || reason.state === "logged_out") throw fail("INVALID_ARGUMENT", `Unknown agent state "${target}". Choose one of: ${reasons.map((r) => r.id).join(", ")}.`, "setAgentState");
      const agent = store.agent;
      // Already in that state: nothing to ask the vendor.
      return agent.state === reason.state && (agent.reason?.id ?? reason.id) === reason.id && !agent.pendingState ? undefined : { reason };
    },
  },
  dial: {
    capability: "dial",
    args: (scope, value: string, options: DialOptions = {}) => {
      const target = destination(scope, value);
      if (options.data !== undefined && !checkData(options.data)) throw fail("INVALID_ARGUMENT", "Call data must be string values.", "dial");
      for (const c of scope.store.calls.values()) {
        if (c.state === "connected" || c.state === "dialing") throw fail("INVALID_STATE", "Hold or end the current call before you dial another.", "dial");
        // As for answer: a held call stays held only with callWaiting.
        if (c.state === "held" && !scope.store.capabilities.has("callWaiting")) throw fail("INVALID_STATE", "End the held call before you dial another.", "dial");
      }
      return { ...target, options };
    },
  },
  answer: { single: true, done: (c) => c && c.state !== "ringing" },
  reject: { done: over },
  hangup: { words: "hang up", done: over },
  hold: { words: "hold the call", done: (c) => c?.state === "held" },
  resume: { words: "resume the call", done: (c) => c?.state === "connected" },
  mute: { done: (c) => c?.muted },
  unmute: { done: (c) => c?.muted === false },
  sendDtmf: {
    words: "send DTMF digits",
    args: (_, digits: string) => {
      if (typeof digits !== "string" || !DTMF.test(digits)) throw fail("INVALID_ARGUMENT", "DTMF digits must be 0-9, *, #, A-D (and , or w to pause).", "sendDtmf");
      return { digits };
    },
  },
  blindTransfer: { words: "transfer the call", done: over, args: destination },
  consult: { words: "place a consult call", args: destination },
  completeTransfer: { words: "complete the transfer", single: true, done: over, args: pair },
  // On either call: the two calls became one (one of them ended merged).
  conference: { words: "start a conference", single: true, done: (c, store) => over(c) || !store.partner(c!), args: pair },
  swap: {
    words: "swap calls",
    single: true,
    args: ({ store, call }) => {
      // Its consult partner exists, as for pair; the connector always gets the call to make active.
      const other = store.partner(call!)!;
      return call!.state === "held" ? { otherCall: other } : { call: other, otherCall: call };
    },
  },
  dropParty: {
    words: "drop a party",
    // The party is off the call (or the call is over).
    done: (c, _, { party }) => over(c) || !c!.parties.find((p) => p.id === (party as Party).id && isLiveRemote(p)),
    args: ({ call }, partyId: string) => {
      const party = call!.parties.find((p) => p.id === partyId && isLiveRemote(p));
      if (!party) throw fail("INVALID_ARGUMENT", `Party ${partyId} is not on this call.`, "dropParty", call!.id);
      return { party };
    },
  },
  completeWrapUp: {
    words: "finish wrap-up",
    done: (c) => !c,
    args: (_, wrapUp: WrapUp = {}) => {
      const clean = read(wrapUp, WRAP_UP);
      if (!clean) throw fail("INVALID_ARGUMENT", `Disposition or notes too long (at most ${LIMITS.text} and ${LIMITS.longText} characters).`, "completeWrapUp");
      return { wrapUp: clean };
    },
  },
  pauseRecording: { words: "pause the recording", done: (c) => c?.recording === "paused" },
  resumeRecording: { words: "resume the recording", done: (c) => c?.recording === "active" },
  monitor: {
    words: "monitor a call",
    capability: "monitor",
    args: (scope, target: string, mode: MonitorMode = "monitor") => {
      if (!isText(target)) throw fail("INVALID_ARGUMENT", "Name the call or agent to monitor (1 to 256 characters).", "monitor");
      // The mode first: a mode the connector cannot do is refused whatever the calls (as capabilities come first).
      const checked = monitorMode(scope, mode);
      // As for dial: the supervisor's microphone must not be on another conversation (a customer would hear the coaching).
      for (const c of scope.store.calls.values())
        if (c.state === "connected" || c.state === "dialing" || (c.state === "held" && !scope.store.capabilities.has("callWaiting")))
          throw fail("INVALID_STATE", "End the current call (or leave the current session) before you monitor another.", "monitor");
      return { target, mode: checked };
    },
  },
  setMonitorMode: {
    words: "change the monitoring mode",
    done: (c, _, { mode }) => c?.monitorMode === mode,
    args: (scope, mode: MonitorMode) => {
      const checked = monitorMode(scope, mode);
      return scope.call!.monitorMode === checked ? undefined : { mode: checked };
    },
  },
  selectAudioDevice: {
    words: "choose an audio device",
    capability: "audioDevices",
    link: "local",
    done: (_, { audio }, { use, device }) => audio[use as AudioUse] === (device as { id: string }).id,
    args: ({ store }, use: AudioUse, deviceId: string) => {
      const device = store.audio.devices.find((d) => d.id === deviceId && d.kind === (use === "input" ? "input" : "output"));
      if (!AUDIO_USES.includes(use) || !device) throw fail("INVALID_ARGUMENT", `No ${String(use).slice(0, 16)} device "${String(deviceId).slice(0, 64)}".`, "selectAudioDevice");
      // Already in use: nothing to ask.
      return store.audio[use] === deviceId ? undefined : { use, device };
    },
  },
};
