/**
 * Agent state for vendors without a server-side ACD (SIP, Twilio without
 * TaskRouter): the connector keeps it, derived from the agent's choice and its
 * own calls. The rule, in order:
 *
 * 1. logged out → `logged_out`;
 * 2. a call in wrap-up → `after_call_work` (only connectors with wrap-up have such calls);
 * 3. a live call (dialing, connected or held; a call still ringing does not count) → `busy`;
 * 4. otherwise the reason the agent chose (`ready`, `not_ready`, …), with its id.
 *
 * A reason chosen during 2 or 3 is reported as `pendingState` and applied when
 * the last call ends (or its wrap-up completes).
 */
import type { AgentReport } from "../connector.js";
import type { AgentReason, AgentStateKind, CallState } from "../model.js";

export interface LocalAgentStateOptions {
  /** The reasons the agent picks from (the connector's `reasons`). */
  readonly reasons: readonly AgentReason[];
  /**
   * Receives the report after every call below: normally `(agent) => ctx?.setAgent(agent)`
   * (core drops reports that change nothing).
   */
  readonly report: (agent: AgentReport) => void;
  /** The state a login enters when the request names none. Default `not_ready`. */
  readonly initialState?: AgentStateKind;
}

export interface LocalAgentState {
  readonly loggedIn: boolean;
  /** The reason the agent chose last (in force once no call is live). */
  readonly selected: AgentReason;
  /** The reason a login with this initial state enters: the first reason in that state, else the default's. */
  loginReason(initialState?: AgentStateKind): AgentReason;
  /** Logs in with `loginReason(initial)`, or with `initial` itself when it is a reason. */
  login(initial?: AgentStateKind | AgentReason): void;
  logout(): void;
  /** The agent chose a reason: in force now, or pending while a call is live or in wrap-up. */
  select(reason: AgentReason): void;
  /** The states of every call the connector knows (ended ones may be left out); call it on each change. */
  setCalls(states: Iterable<CallState>): void;
  /** The report as of now (for `ctx.sync` after a reconnect). */
  current(): AgentReport;
}

export function createLocalAgentState(options: LocalAgentStateOptions): LocalAgentState {
  const { reasons, report } = options;
  const fallback = (state: AgentStateKind | undefined): AgentReason | undefined => (state === undefined ? undefined : reasons.find((r) => r.state === state));
  const initialState = options.initialState ?? "not_ready";
  const defaultReason = fallback(initialState) ?? reasons[0] ?? { id: initialState, state: initialState, label: initialState };
  let loggedIn = false;
  let selected = defaultReason;
  let pending = false;
  let activity: "idle" | "busy" | "after_call_work" = "idle";

  const current = (): AgentReport => {
    if (!loggedIn) return { state: "logged_out", pendingState: null };
    if (activity === "idle") return { state: selected.state, reason: selected.id, pendingState: null };
    return { state: activity, pendingState: pending ? { state: selected.state, reason: selected } : null };
  };
  const push = (): void => report(current());
  const loginReason = (initialState?: AgentStateKind): AgentReason => fallback(initialState) ?? defaultReason;

  return {
    get loggedIn() {
      return loggedIn;
    },
    get selected() {
      return selected;
    },
    loginReason,
    login(initial) {
      selected = typeof initial === "object" ? initial : loginReason(initial);
      pending = false;
      loggedIn = true;
      push();
    },
    logout() {
      loggedIn = false;
      pending = false;
      push();
    },
    select(reason) {
      selected = reason;
      pending = activity !== "idle";
      push();
    },
    setCalls(states) {
      let next: typeof activity = "idle";
      for (const state of states) {
        if (state === "wrapup") next = "after_call_work";
        else if (next === "idle" && (state === "dialing" || state === "connected" || state === "held")) next = "busy";
      }
      activity = next;
      if (next === "idle") pending = false;
      push();
    },
    current,
  };
}
