/**
 * The adapter against an independent table of Pega's documented shapes,
 * written from Pega Call's developer guide for client-side integration
 * (8.5–8.7, docs-previous.pega.com/pega-call-developer-guide-client-side-integration/…),
 * not from this package's code. Each entry names the page it follows.
 */
import type { Call, CallDirection } from "@opencti/core";
import { afterEach, describe, expect, it } from "vitest";
import { callType, type PegaCallEvent } from "../src/index.js";
import { disposeRigs, rig, succeeds } from "./helpers.js";

afterEach(disposeRigs);

/** Desktop Interface functions: parameter names, in Pega's order. */
const DOCUMENTED_FUNCTIONS = {
  // 8.5 "The agentReady function" (…/85/agentready-function).
  agentReady: ["agentId", "workMode", "options", "success", "failure"],
  // 8.7 "The agentNotReady function" (docs-previous.pega.com/node/2510006).
  agentNotReady: ["agentID", "workMode", "reasonCode", "linkDefinition", "options", "success", "failure"],
} as const;

/** Arguments in a function's documented order, from named values. */
function documentedCall(fn: keyof typeof DOCUMENTED_FUNCTIONS, values: Readonly<Record<string, unknown>>): unknown[] {
  return DOCUMENTED_FUNCTIONS[fn].map((name) => values[name]);
}

describe("Desktop Interface functions as Pega documents them", () => {
  it("agentReady(agentId, workMode, options, success, failure): the callbacks are the 4th and 5th arguments", async () => {
    const r = rig();
    await r.login();
    const from = r.events.length;
    await succeeds((success, failure) => {
      const args = documentedCall("agentReady", { agentId: "agent-7", workMode: "MODE_MANUAL_IN", options: {}, success, failure });
      expect(args).toHaveLength(5);
      (r.impl.agentReady as (...a: unknown[]) => void)(...args);
    });
    await r.next({ pyEventType: "AgentStateEvent", pyEventName: "Ready", pyWorkMode: "MODE_MANUAL_IN" }, from);
    expect(r.desktop.snapshot().agent.state).toBe("ready");
  });

  it("agentReady in agentNotReady's seven-argument form still works (told apart by the callbacks' positions)", async () => {
    const r = rig();
    await r.login();
    await succeeds((success, failure) => {
      const args = documentedCall("agentNotReady", { agentID: "agent-7", workMode: "MODE_AUTO_IN", reasonCode: "", linkDefinition: {}, options: {}, success, failure });
      (r.impl.agentReady as (...a: unknown[]) => void)(...args);
    });
    expect(r.desktop.snapshot().agent.state).toBe("ready");
  });

  it("agentReady in the documented form reports a failure through the 5th argument", async () => {
    const r = rig();
    await r.connected();
    const error = await new Promise<unknown>((resolve) => {
      (r.impl.agentReady as (...a: unknown[]) => void)(...documentedCall("agentReady", { agentId: "agent-7", workMode: "MODE_AUTO_IN", options: {}, success: () => resolve("success"), failure: resolve }));
    });
    expect(error).toMatchObject({ errCode: "OPENCTI_AGENT_NOT_LOGGED_IN" });
  });
});

/**
 * pyCallType (8.7 "Call event schema", …/87/call-event-schema): INTERNAL,
 * INBOUND, OUTBOUND, CONSULT, UNKNOWN. A call transferred to the agent is
 * CONSULT; the only connector signal for it is call data callKind
 * "transfer" (Amazon Connect's transfer initiation method).
 */
const TRANSFERRED_REACHING_AGENT: Readonly<Record<CallDirection, string>> = {
  inbound: "CONSULT",
  internal: "CONSULT",
  unknown: "CONSULT",
  consult: "CONSULT",
  outbound: "OUTBOUND",
  monitor: "INTERNAL",
};

describe("pyCallType as Pega documents it", () => {
  it("a transferred call reaching the agent is CONSULT whatever direction the connector gave it", () => {
    for (const [direction, type] of Object.entries(TRANSFERRED_REACHING_AGENT)) {
      expect(callType({ direction, data: { callKind: "transfer" } } as unknown as Call), direction).toBe(type);
      // Without the signal, the direction decides.
      expect(callType({ direction, data: {} } as unknown as Call), direction).toBe({ inbound: "INBOUND", internal: "INTERNAL", unknown: "UNKNOWN", consult: "CONSULT", outbound: "OUTBOUND", monitor: "INTERNAL" }[direction]);
    }
  });

  it("a call another agent transferred here rings as CONSULT (simulator, call data callKind transfer)", async () => {
    const r = rig();
    await r.login();
    const id = r.server.ringInbound({ from: "+15550100", data: { callKind: "transfer" } });
    expect(await r.next<PegaCallEvent>({ pyEventType: "CallStateEvent", pyEventName: "Alerting", pyCallId: id })).toMatchObject({ pyCallType: "CONSULT" });
  });
});
