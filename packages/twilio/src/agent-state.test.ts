// The local agent-state port on plain data: the reports it makes, no SDK.
import type { AgentReport } from "@opencti/core";
import { describe, expect, it } from "vitest";
import { createLocalAgentState } from "./agent-state.js";
import { DEFAULT_REASONS } from "./options.js";

const signal = new AbortController().signal;

describe("createLocalAgentState", () => {
  it("confirms every choice at once, is busy during a live call, and applies a reason chosen meanwhile when the last call ends", async () => {
    const reports: AgentReport[] = [];
    const report = (agent: AgentReport): void => void reports.push(agent);
    const port = createLocalAgentState();
    expect(port.reasons).toBe(DEFAULT_REASONS);
    await port.login(report, undefined, signal);
    expect(reports.at(-1)).toMatchObject({ state: "not_ready", reason: "not_ready" });
    await port.setState(report, DEFAULT_REASONS[0]!, signal);
    expect(reports.at(-1)).toMatchObject({ state: "ready", reason: "ready" });
    port.setCalls!(report, ["ringing"]);
    expect(reports.at(-1)).toMatchObject({ state: "ready" });
    port.setCalls!(report, ["connected"]);
    expect(reports.at(-1)).toMatchObject({ state: "busy", pendingState: null });
    await port.setState(report, DEFAULT_REASONS[2]!, signal);
    expect(reports.at(-1)).toMatchObject({ state: "busy", pendingState: { state: "not_ready", reason: DEFAULT_REASONS[2] } });
    port.setCalls!(report, []);
    expect(reports.at(-1)).toMatchObject({ state: "not_ready", reason: "break", pendingState: null });
    await port.logout(report, signal);
    expect(reports.at(-1)).toMatchObject({ state: "logged_out" });
  });

  it("logs in to the first reason of the requested state", async () => {
    const reports: AgentReport[] = [];
    await createLocalAgentState().login((agent) => void reports.push(agent), "after_call_work", signal);
    expect(reports).toEqual([{ state: "after_call_work", reason: "after_call_work", pendingState: null }]);
  });
});
