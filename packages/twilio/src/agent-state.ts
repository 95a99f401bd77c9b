/**
 * The agent-state port. Twilio keeps agent availability outside the Voice SDK
 * (TaskRouter Worker activities); the default keeps it in the browser.
 */
import type { AgentReason, AgentReport, AgentStateKind, CallState } from "@opencti/core";
import { createLocalAgentState as createToolkitLocalAgentState } from "@opencti/core/connector";
import { DEFAULT_REASONS } from "./options.js";

export interface AgentStatePort {
  readonly reasons: readonly AgentReason[];
  /** Called after the Device registered; report the state the agent starts in. */
  login(report: (agent: AgentReport) => void, initialState: AgentStateKind | undefined, signal: AbortSignal): Promise<void>;
  logout(report: (agent: AgentReport) => void, signal: AbortSignal): Promise<void>;
  setState(report: (agent: AgentReport) => void, reason: AgentReason, signal: AbortSignal): Promise<void>;
  /**
   * Optional: the states of the agent's calls (consult legs included), each
   * time they change. The local state derives busy (a dialing, connected or
   * held call) and after call work (a call in wrap-up) from them; a
   * server-side one may ignore them.
   */
  setCalls?(report: (agent: AgentReport) => void, states: readonly CallState[]): void;
}

/**
 * Agent state kept in the browser (the toolkit's local agent state), as an
 * AgentStatePort: every choice is confirmed at once; a login without a state
 * enters `not_ready`; during a call the agent is busy, and a reason chosen
 * meanwhile is pending until the last call ends.
 */
export function createLocalAgentStatePort(reasons: readonly AgentReason[] = DEFAULT_REASONS): AgentStatePort {
  let sink: ((agent: AgentReport) => void) | undefined;
  const local = createToolkitLocalAgentState({ reasons, report: (agent) => sink?.(agent) });
  const via = (report: (agent: AgentReport) => void, apply: () => void): Promise<void> => {
    sink = report;
    apply();
    return Promise.resolve();
  };
  return {
    reasons,
    login: (report, initialState) => via(report, () => local.login(initialState)),
    logout: (report) => via(report, () => local.logout()),
    setState: (report, reason) => via(report, () => local.select(reason)),
    setCalls: (report, states) => void via(report, () => local.setCalls(states)),
  };
}

/**
 * @deprecated Renamed `createLocalAgentStatePort` (this name clashes with the
 * toolkit's `createLocalAgentState` in `@opencti/core/connector`, which returns
 * a different shape). Kept as an alias; it will be removed in a major release.
 * @alias
 */
export const createLocalAgentState = createLocalAgentStatePort;
