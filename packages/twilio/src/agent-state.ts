/**
 * The agent-state port. Twilio keeps agent availability outside the Voice SDK
 * (TaskRouter Worker activities); the default keeps it in the browser.
 */
import type { AgentReason, AgentReport, AgentStateKind } from "@opencti/core";

export interface AgentStatePort {
  readonly reasons: readonly AgentReason[];
  /** Called after the Device registered; report the state the agent starts in. */
  login(report: (agent: AgentReport) => void, initialState: AgentStateKind | undefined, signal: AbortSignal): Promise<void>;
  logout(report: (agent: AgentReport) => void, signal: AbortSignal): Promise<void>;
  setState(report: (agent: AgentReport) => void, reason: AgentReason, signal: AbortSignal): Promise<void>;
}

export const DEFAULT_REASONS: readonly AgentReason[] = [
  { id: "ready", state: "ready", label: "Ready" },
  { id: "not_ready", state: "not_ready", label: "Not ready" },
  { id: "break", state: "not_ready", label: "Break" },
  { id: "after_call_work", state: "after_call_work", label: "After call work" },
];

/** Agent state kept in the browser: every change is confirmed at once. */
export function createLocalAgentState(reasons: readonly AgentReason[] = DEFAULT_REASONS): AgentStatePort {
  return {
    reasons,
    login: (report, initialState) => {
      const state = initialState ?? "not_ready";
      const reason = reasons.find((r) => r.state === state);
      report(reason ? { state, reason: reason.id } : { state });
      return Promise.resolve();
    },
    logout: (report) => {
      report({ state: "logged_out" });
      return Promise.resolve();
    },
    setState: (report, reason) => {
      report({ state: reason.state, reason: reason.id });
      return Promise.resolve();
    },
  };
}
