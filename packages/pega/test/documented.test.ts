/**
 * The adapter against an independent table of Pega's documented shapes,
 * written from Pega Call's developer guide for client-side integration
 * (8.5–8.7, docs-previous.pega.com/pega-call-developer-guide-client-side-integration/…),
 * not from this package's code. Each entry names the page it follows.
 */
import { readFileSync } from "node:fs";
import type { Call, CallDirection } from "@opencti/core";
import { afterEach, describe, expect, it } from "vitest";
import { callType, PEGA_ERROR_CODES, PEGA_ERROR_MAP, type PegaCallEvent, type PegaCallInfoEvent, type PegaEvent } from "../src/index.js";
import { disposeRigs, rig, succeeds } from "./helpers.js";
import { pegaSchemaProblems } from "./support.js";

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

/**
 * The event types Pega's Snapshot schema lists for pyEventType (8.7
 * "Snapshot event schema", docs-previous.pega.com/node/2509931).
 */
const DOCUMENTED_EVENT_TYPES = ["SnapshotEvent", "AgentStateEvent", "CallStateEvent", "PartyInfoEvent", "CallInfoEvent"] as const;

/**
 * CallInfo's fields and their JSON types. Pega names the event type but its
 * client-side guide has no schema page for it (none found: see README), so
 * this row is PartyInfo's shape (8.7 "PartyInfo event schema") plus the call
 * data the issue asks for: DNIS and the named call data (Pega Call's
 * pyUserData value group, implementation guide 8.6 "Configuring call data").
 */
const CALL_INFO_FIELDS = {
  pyEventType: "string",
  pyEventName: "string",
  pyCallId: "string",
  pyThisDN: "string",
  pyMedia: "string",
  pyDNIS: "string",
  pyUserData: "object of strings",
} as const;

function jsonType(value: unknown): string {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return Object.values(value).every((v) => typeof v === "string") ? "object of strings" : "object";
  return Array.isArray(value) ? "array" : typeof value;
}

function shapeOf(event: object): Record<string, string> {
  return Object.fromEntries(Object.entries(event).map(([k, v]) => [k, jsonType(v)]));
}

describe("CallInfoEvent, listed by Pega's Snapshot schema", () => {
  it("every event type the adapter can forward is one Pega's Snapshot schema lists, CallInfoEvent included", async () => {
    const r = rig();
    await r.login();
    const id = r.server.ringInbound({ from: "+15550100", to: "+15550009999", data: { customerId: "C-1" } });
    await r.next({ pyEventType: "CallInfoEvent", pyCallId: id });
    for (const e of r.events) expect(DOCUMENTED_EVENT_TYPES).toContain(e.pyEventType);
  });

  it("a ringing call with data forwards CallInfo (DNIS, named call data) in the documented shape, after its CallEvent", async () => {
    const r = rig();
    await r.login();
    const from = r.events.length;
    const id = r.server.ringInbound({ from: "+15550100", to: "+15550009999", data: { customerId: "C-1", ivrChoice: "2" } });
    const info = await r.next<PegaCallInfoEvent>({ pyEventType: "CallInfoEvent", pyCallId: id }, from);
    expect(shapeOf(info)).toEqual(CALL_INFO_FIELDS);
    expect(info).toEqual({ pyEventType: "CallInfoEvent", pyEventName: "CallInfo", pyCallId: id, pyThisDN: "4001", pyMedia: "Phone", pyDNIS: "+15550009999", pyUserData: { customerId: "C-1", ivrChoice: "2" } });
    expect(pegaSchemaProblems(info)).toEqual([]);
    const mine = r.events.slice(from).filter((e) => "pyCallId" in e && e.pyCallId === id);
    expect(mine.map((e) => e.pyEventType)).toEqual(["CallStateEvent", "PartyInfoEvent", "CallInfoEvent"]);
  });

  it("CallInfo again when the call's data changes (the vendor's own call message), never when it did not, never after Disconnected", async () => {
    const r = rig();
    await r.login();
    const id = r.server.ringInbound({ from: "+15550100", to: "+15550009999", data: { customerId: "C-1" } });
    await r.next({ pyEventType: "CallInfoEvent", pyCallId: id });
    await succeeds((s, f) => r.impl.answerCall(id, {}, s, f));
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Established", pyCallId: id });
    const infos = (): PegaCallInfoEvent[] => r.events.filter((e): e is PegaCallInfoEvent => e.pyEventType === "CallInfoEvent" && e.pyCallId === id);
    expect(infos()).toHaveLength(1); // answering changed no data
    // The simulator's server says the call's data changed, on its own wire.
    const vcall = r.server.getCall(id)!;
    r.server.sendRaw({ type: "call", call: { ...structuredClone(vcall), attached: { customerId: "C-1", verified: "yes" } } });
    await expect.poll(() => infos().length, { timeout: 5000, interval: 5 }).toBe(2);
    expect(infos()[1]!.pyUserData).toEqual({ customerId: "C-1", verified: "yes" });
    await succeeds((s, f) => r.impl.hangUpCall(id, {}, s, f));
    await r.next({ pyEventType: "CallStateEvent", pyEventName: "Disconnected", pyCallId: id });
    const end = r.events.findIndex((e) => e.pyEventType === "CallStateEvent" && e.pyEventName === "Disconnected" && e.pyCallId === id);
    expect(r.events.slice(end + 1).filter((e: PegaEvent) => "pyCallId" in e && e.pyCallId === id)).toEqual([]);
  });

  it("a call with no data and no DNIS sends no CallInfo", async () => {
    const r = rig();
    await r.login();
    const id = r.server.ringInbound({ from: "+15550100" });
    await r.next({ pyEventType: "PartyInfoEvent", pyCallId: id });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.events.filter((e) => e.pyEventType === "CallInfoEvent")).toEqual([]);
  });
});

describe("the implementation's name and version (Pega's implementation versioning)", () => {
  const packageVersion = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

  it("carries a name and this package's version, as strings", () => {
    const { impl } = rig();
    expect(impl.name).toBe("OpenCTI for TypeScript");
    expect(impl.version).toBe(packageVersion);
    expect(impl.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("takes the name Pega registers it under from the options", () => {
    expect(rig({ pega: { name: "  Acme softphone  " } }).impl.name).toBe("Acme softphone");
    expect(rig({ pega: { name: "" } }).impl.name).toBe("OpenCTI for TypeScript");
  });
});

/**
 * "Pega Call default error messages" (8.5 "Handling errors",
 * …/85/handling-errors; 8.7 "Configuring error messages",
 * …/87/configuring-error-messages), in the documented order. The stored copy
 * of the table is cut off after OPENCTI_IN_SAME_STATE at an entry beginning
 * "OPENCTI_INV_ACT…" whose full name we could not read; it is left out rather
 * than guessed (README, "Errors").
 */
const DOCUMENTED_ERROR_CODES = [
  "OPENCTI_AGENT_LOGGED_IN",
  "OPENCTI_AGENT_NOT_LOGGED_IN",
  "OPENCTI_CALL_REJECTED",
  "OPENCTI_CF_GENERIC_OPERATION",
  "OPENCTI_CF_INVALID_DESTINATION",
  "OPENCTI_CF_INVALID_OBJECT_STATE",
  "OPENCTI_CONF_ALREADY_PRESENT",
  "OPENCTI_DEST_BUSY",
  "OPENCTI_HTTP_ERROR_401",
  "OPENCTI_HTTP_ERROR_404",
  "OPENCTI_HTTP_ERROR_405",
  "OPENCTI_HTTP_ERROR_408",
  "OPENCTI_HTTP_ERROR_500",
  "OPENCTI_HTTP_ERROR_502",
  "OPENCTI_HTTP_ERROR_503",
  "OPENCTI_HTTP_ERROR_504",
  "OPENCTI_IN_SAME_STATE",
];

describe("error codes as Pega documents them", () => {
  it("the package's list is Pega's documented list, every mapped code is one of them, and CallEvent's pyErrCode enum is the same list", () => {
    expect([...PEGA_ERROR_CODES]).toEqual(DOCUMENTED_ERROR_CODES);
    for (const code of Object.values(PEGA_ERROR_MAP)) expect(DOCUMENTED_ERROR_CODES).toContain(code);
    const schema = JSON.parse(readFileSync(new URL("../schema/CallEvent.json", import.meta.url), "utf8")) as { properties: { pyErrCode: { enum: string[] } } };
    expect(schema.properties.pyErrCode.enum).toEqual(DOCUMENTED_ERROR_CODES);
  });
});
