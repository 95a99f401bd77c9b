import { describe, expect, it } from "vitest";
import type { AgentReport } from "../connector.js";
import type { AgentReason, CallState } from "../model.js";
import { createLocalAgentState } from "./agent-state.js";

const READY: AgentReason = { id: "available", state: "ready", label: "Available" };
const BREAK: AgentReason = { id: "break", state: "not_ready", label: "Break" };
const LUNCH: AgentReason = { id: "lunch", state: "not_ready", label: "Lunch" };
const REASONS = [READY, BREAK, LUNCH];

function setup(initialState?: "ready" | "not_ready") {
  const reports: AgentReport[] = [];
  const agent = createLocalAgentState({ reasons: REASONS, report: (r) => reports.push(r), ...(initialState ? { initialState } : {}) });
  const last = (): AgentReport | undefined => reports.at(-1);
  return { agent, reports, last };
}

describe("createLocalAgentState", () => {
  it("starts logged out and logs in to the initial state (not_ready by default)", () => {
    const { agent, last } = setup();
    expect(agent.current()).toEqual({ state: "logged_out", pendingState: null });
    expect(agent.loggedIn).toBe(false);
    agent.login();
    expect(agent.loggedIn).toBe(true);
    expect(last()).toEqual({ state: "not_ready", reason: "break", pendingState: null });
  });

  it("login picks the first reason in the requested state, else the configured default", () => {
    const { agent, last } = setup("ready");
    expect(agent.loginReason()).toBe(READY);
    expect(agent.loginReason("not_ready")).toBe(BREAK);
    expect(agent.loginReason("after_call_work")).toBe(READY);
    agent.login("not_ready");
    expect(last()).toEqual({ state: "not_ready", reason: "break", pendingState: null });
    agent.login(LUNCH);
    expect(last()).toEqual({ state: "not_ready", reason: "lunch", pendingState: null });
  });

  it("a reason the agent picks while idle applies at once", () => {
    const { agent, last } = setup();
    agent.login();
    agent.select(READY);
    expect(last()).toEqual({ state: "ready", reason: "available", pendingState: null });
    expect(agent.selected).toBe(READY);
  });

  it("busy while a call is dialing, connected or held; a ringing call does not count", () => {
    const { agent, last } = setup("ready");
    agent.login();
    agent.setCalls(["ringing"]);
    expect(last()).toEqual({ state: "ready", reason: "available", pendingState: null });
    for (const state of ["dialing", "connected", "held"] as CallState[]) {
      agent.setCalls([state]);
      expect(last()).toEqual({ state: "busy", pendingState: null });
    }
    agent.setCalls(["ringing", "ended"]);
    expect(last()).toEqual({ state: "ready", reason: "available", pendingState: null });
  });

  it("after_call_work while any call is in wrap-up, even with another call live", () => {
    const { agent, last } = setup("ready");
    agent.login();
    agent.setCalls(["wrapup"]);
    expect(last()).toEqual({ state: "after_call_work", pendingState: null });
    agent.setCalls(["connected", "wrapup"]);
    expect(last()).toEqual({ state: "after_call_work", pendingState: null });
    agent.setCalls([]);
    expect(last()).toEqual({ state: "ready", reason: "available", pendingState: null });
  });

  it("a reason picked during a call is pending and applies when the calls end", () => {
    const { agent, last } = setup("ready");
    agent.login();
    agent.setCalls(["connected"]);
    agent.select(LUNCH);
    expect(last()).toEqual({ state: "busy", pendingState: { state: "not_ready", reason: LUNCH } });
    agent.setCalls(["wrapup"]);
    expect(last()).toEqual({ state: "after_call_work", pendingState: { state: "not_ready", reason: LUNCH } });
    agent.setCalls([]);
    expect(last()).toEqual({ state: "not_ready", reason: "lunch", pendingState: null });
    // Applied: the next call does not bring it back as pending.
    agent.setCalls(["connected"]);
    expect(last()).toEqual({ state: "busy", pendingState: null });
  });

  it("logout wins over calls and clears a pending state; login after it starts clean", () => {
    const { agent, last } = setup("ready");
    agent.login();
    agent.setCalls(["connected"]);
    agent.select(BREAK);
    agent.logout();
    expect(last()).toEqual({ state: "logged_out", pendingState: null });
    agent.setCalls([]);
    agent.login();
    expect(last()).toEqual({ state: "ready", reason: "available", pendingState: null });
  });

  it("reports after every change, and current() is the same report (for sync after a reconnect)", () => {
    const { agent, reports } = setup();
    agent.login();
    agent.setCalls(["connected"]);
    expect(reports).toHaveLength(2);
    expect(agent.current()).toEqual(reports[1]);
  });

  it("works without any reasons", () => {
    const reports: AgentReport[] = [];
    const agent = createLocalAgentState({ reasons: [], report: (r) => reports.push(r), initialState: "ready" });
    agent.login();
    expect(reports).toEqual([{ state: "ready", reason: "ready", pendingState: null }]);
  });
});
