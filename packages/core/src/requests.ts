/**
 * Every Desktop request, described once: what it needs before the connector
 * sees it and how its arguments become the connector request. `createDesktop`
 * runs them all through one path, in this order:
 *
 * 1. `capability`: NOT_SUPPORTED unless the connector declares it (requests on
 *    a call: `ACTION_CAPABILITY[request]`);
 * 2. `link: "before"`: LINK_DOWN unless the link is connected;
 * 3. `login`: NOT_LOGGED_IN while the agent is logged out;
 * 4. `call`: the first argument is a call id; INVALID_STATE unless that call is
 *    live and the request is in its `actions`;
 * 5. `args`: checks the other arguments (INVALID_ARGUMENT, INVALID_DESTINATION,
 *    INVALID_STATE) and returns the connector request's fields, or undefined
 *    when there is nothing to do (the request resolves at once);
 * 6. `link: "after"`: LINK_DOWN, checked after the arguments; `link: "wait"`:
 *    waits for the link to connect (LINK_DOWN after the request timeout);
 * 7. NOT_SUPPORTED when the connector lacks the method;
 * 8. INVALID_STATE while the same request (on the same call) is in flight;
 *    then the connector method, bounded by the request timeout
 *    (REQUEST_TIMEOUT), its failures as CtiErrors (VENDOR_ERROR unless it threw
 *    a CtiError).
 */
import { ACTION_CAPABILITY, consultPartner } from "./actions.js";
import type { LoginRequest, DialOptions } from "./connector.js";
import { CtiError, type CtiErrorCode } from "./errors.js";
import type { AgentReason, Call, CallAction, Capability, WrapUp } from "./model.js";
import type { DesktopStore } from "./store.js";
import { checkData, DTMF, LIMITS, normalizeDestination, read, WRAP_UP } from "./validate.js";

/** What a request's argument check sees. */
export interface RequestScope {
  readonly store: DesktopStore;
  /** The call, for requests on a call (`call: true`). */
  readonly call?: Call | undefined;
}

/** Fields of the connector request (the desktop adds `call` and `signal`). */
type Fields = Record<string, unknown>;

export interface RequestSpec {
  /** Words for messages ("hold the call"); the request's name otherwise. */
  readonly words?: string;
  readonly capability?: Capability;
  readonly link?: "before" | "after" | "wait";
  readonly login?: boolean;
  readonly call?: boolean;
  readonly args?: (scope: RequestScope, ...args: never[]) => Fields | undefined;
  /** Resolves with the connector's `callId` (dial, consult). */
  readonly returnsCallId?: boolean;
}

export type RequestName = "login" | "logout" | "setAgentState" | "dial" | CallAction;

/** A CtiError for `request`. */
export const fail = (code: CtiErrorCode, message: string, request: string, callId?: string): CtiError => new CtiError(code, message, { request, callId });

/** A request on one call: link, login and the call are checked; its capability is ACTION_CAPABILITY's. */
const onCall = { link: "before", login: true, call: true } as const;

function destination(request: string, value: unknown): string {
  const target = normalizeDestination(value);
  if (target === undefined) throw fail("INVALID_DESTINATION", `"${String(value).slice(0, 64)}" is not a number or address that can be dialled.`, request);
  return target;
}

function partner(request: CallAction, { store, call }: RequestScope): Call {
  const other = consultPartner(call!, store.calls.values());
  if (!other) throw fail("INVALID_STATE", `Cannot ${describe(request)}: there is no consult call.`, request, call!.id);
  return other;
}

/** completeTransfer / conference: the connector gets the primary call and its consult leg. */
function pair(request: "completeTransfer" | "conference"): NonNullable<RequestSpec["args"]> {
  return (scope) => {
    const call = scope.call!;
    const other = partner(request, scope);
    return call.direction === "consult" && other.direction !== "consult" ? { call: other, consultCall: call } : { consultCall: other };
  };
}

function resolveReason(reasons: readonly AgentReason[], target: string): AgentReason {
  const found = reasons.find((r) => r.id === target) ?? reasons.find((r) => r.state === target);
  if (!found || found.state === "logged_out") throw fail("INVALID_ARGUMENT", `Unknown agent state "${target}". Choose one of: ${reasons.map((r) => r.id).join(", ")}.`, "setAgentState");
  return found;
}

export const REQUESTS: { readonly [K in RequestName]: RequestSpec } = {
  login: {
    link: "wait",
    args: ({ store }, request: LoginRequest = {}) => {
      if (store.agent.state !== "logged_out") throw fail("INVALID_STATE", "The agent is already logged in.", "login");
      return { ...request };
    },
  },
  logout: {
    login: true,
    link: "after",
    args: ({ store }, reasonId?: string) => {
      if (store.calls.size > 0) throw fail("INVALID_STATE", "End or wrap up every call before you log out.", "logout");
      const reason = reasonId === undefined ? undefined : store.reasons.find((r) => r.id === reasonId);
      if (reasonId !== undefined && !reason) throw fail("INVALID_ARGUMENT", `Unknown logout reason "${reasonId}".`, "logout");
      return reason ? { reason } : {};
    },
  },
  setAgentState: {
    words: "change agent state",
    capability: "agentState",
    link: "before",
    login: true,
    args: ({ store }, target: string) => {
      const reason = resolveReason(store.reasons, target);
      const agent = store.agent;
      // Already in that state: nothing to ask the vendor.
      return agent.state === reason.state && (agent.reason?.id ?? reason.id) === reason.id && !agent.pendingState ? undefined : { reason };
    },
  },
  dial: {
    capability: "dial",
    link: "before",
    login: true,
    returnsCallId: true,
    args: ({ store }, value: string, options: DialOptions = {}) => {
      const target = destination("dial", value);
      if (options.data !== undefined && !checkData(options.data)) throw fail("INVALID_ARGUMENT", "Call data must be an object of string values.", "dial");
      for (const c of store.calls.values()) if (c.state === "connected" || c.state === "dialing") throw fail("INVALID_STATE", "Hold or end the current call before you dial another.", "dial");
      return { destination: target, options };
    },
  },
  answer: onCall,
  reject: onCall,
  hangup: { ...onCall, words: "hang up" },
  hold: { ...onCall, words: "hold the call" },
  resume: { ...onCall, words: "resume the call" },
  mute: onCall,
  unmute: onCall,
  sendDtmf: {
    ...onCall,
    words: "send DTMF digits",
    args: (_, digits: string) => {
      if (typeof digits !== "string" || !DTMF.test(digits)) throw fail("INVALID_ARGUMENT", "DTMF digits must be 0-9, *, #, A-D (and , or w to pause).", "sendDtmf");
      return { digits };
    },
  },
  blindTransfer: { ...onCall, words: "transfer the call", args: (_, to: string) => ({ destination: destination("blindTransfer", to) }) },
  consult: { ...onCall, words: "place a consult call", returnsCallId: true, args: (_, to: string) => ({ destination: destination("consult", to) }) },
  completeTransfer: { ...onCall, words: "complete the transfer", args: pair("completeTransfer") },
  conference: { ...onCall, words: "start a conference", args: pair("conference") },
  swap: {
    ...onCall,
    words: "swap calls",
    args: (scope) => {
      const call = scope.call!;
      const other = partner("swap", scope);
      // The connector always gets the call to make active.
      return call.state === "held" ? { otherCall: other } : { call: other, otherCall: call };
    },
  },
  dropParty: {
    ...onCall,
    words: "drop a party",
    args: ({ call }, partyId: string) => {
      const party = call!.parties.find((p) => p.id === partyId && p.role !== "agent" && p.state !== "disconnected");
      if (!party) throw fail("INVALID_ARGUMENT", `Party ${partyId} is not on this call.`, "dropParty", call!.id);
      return { party };
    },
  },
  completeWrapUp: {
    ...onCall,
    words: "finish wrap-up",
    args: (_, wrapUp: WrapUp = {}) => {
      const clean = read(wrapUp, WRAP_UP);
      if (!clean) throw fail("INVALID_ARGUMENT", `The disposition or the notes are too long (${LIMITS.text} and ${LIMITS.longText} characters at most).`, "completeWrapUp");
      return { wrapUp: clean };
    },
  },
};

/** The request's capability: its own, or its call action's. */
export const capabilityOf = (name: RequestName): Capability | undefined => REQUESTS[name].capability ?? ACTION_CAPABILITY[name as CallAction];

/** A request in words, for messages: "hold the call", "dial". */
export const describe = (request: string): string => REQUESTS[request as RequestName]?.words ?? request;
