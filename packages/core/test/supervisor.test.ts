// Supervisors and recording in the contract (issue 16): recording state and
// its call.recording event, pause/resume, monitoring sessions and their modes.
import { describe, expect, it } from "vitest";
import { createDesktop, type Capability, type DesktopEvent } from "../src/index.js";
import { ALL_CAPABILITIES, recordingConnector } from "./recording-connector.js";
import { schemaProblems } from "./schema-validator.js";

async function setUp(capabilities: Capability[] = ALL_CAPABILITIES) {
  const rec = recordingConnector(capabilities);
  const desktop = createDesktop({ connector: rec.connector, requestTimeoutMs: 300 });
  const events: DesktopEvent[] = [];
  desktop.on("*", (e) => events.push(e));
  await desktop.login({ agentId: "a1" });
  return { rec, desktop, events };
}

describe("recording", () => {
  it("is reported on the call; a change is one call.recording event (valid against the schema), not call.updated", async () => {
    const { rec, desktop, events } = await setUp();
    rec.ctx.upsertCall({ id: "c1", state: "connected", direction: "inbound", recording: "active" });
    rec.ctx.upsertCall({ id: "c1", state: "connected", recording: "paused" });
    rec.ctx.upsertCall({ id: "c1", state: "connected", recording: "paused" });
    const types = events.filter((e) => "call" in e).map((e) => e.type);
    expect(types).toEqual(["call.connected", "call.recording"]);
    const changed = events.find((e) => e.type === "call.recording")!;
    expect(schemaProblems(changed)).toEqual([]);
    expect(desktop.getCall("c1")?.recording).toBe("paused");
  });

  it("pause and resume follow the recording state; the actions offer only the one that applies", async () => {
    const { rec, desktop } = await setUp();
    rec.ctx.upsertCall({ id: "c1", state: "connected", direction: "inbound", recording: "active" });
    expect(desktop.getCall("c1")?.actions).toContain("pauseRecording");
    expect(desktop.getCall("c1")?.actions).not.toContain("resumeRecording");
    await expect(desktop.resumeRecording("c1")).rejects.toMatchObject({ code: "INVALID_STATE" });
    await desktop.pauseRecording("c1");
    expect(desktop.getCall("c1")).toMatchObject({ recording: "paused" });
    expect(desktop.getCall("c1")?.actions).toContain("resumeRecording");
    await desktop.resumeRecording("c1");
    expect(desktop.getCall("c1")?.recording).toBe("active");
    // Not recorded, or unknown: neither.
    rec.ctx.upsertCall({ id: "c2", state: "held", direction: "inbound", recording: "off" });
    rec.ctx.upsertCall({ id: "c3", state: "ringing", direction: "inbound" });
    for (const id of ["c2", "c3"]) expect(desktop.getCall(id)?.actions.filter((a) => a.endsWith("Recording"))).toEqual([]);
    expect(rec.calls.filter((c) => c.method.endsWith("Recording")).map((c) => c.method)).toEqual(["pauseRecording", "resumeRecording"]);
  });

  it("needs recordingControl", async () => {
    const { rec, desktop } = await setUp(ALL_CAPABILITIES.filter((c) => c !== "recordingControl"));
    rec.ctx.upsertCall({ id: "c1", state: "connected", direction: "inbound", recording: "active" });
    expect(desktop.getCall("c1")?.actions).not.toContain("pauseRecording");
    await expect(desktop.pauseRecording("c1")).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
  });

  it("a bad recording value is refused as INVALID_VENDOR_EVENT", async () => {
    const { rec, events } = await setUp();
    rec.ctx.upsertCall({ id: "c1", state: "connected", recording: "maybe" as never });
    expect(events.at(-1)).toMatchObject({ type: "error", code: "INVALID_VENDOR_EVENT" });
  });
});

describe("monitoring", () => {
  it("monitor starts a session (direction monitor, its mode) that offers only leaving and changing mode", async () => {
    const { rec, desktop } = await setUp();
    const id = await desktop.monitor("contact-42");
    expect(rec.calls.at(-1)).toMatchObject({ method: "monitor", args: { target: "contact-42", mode: "monitor" } });
    const call = desktop.getCall(id)!;
    expect(call).toMatchObject({ direction: "monitor", monitorMode: "monitor", state: "connected" });
    expect(call.actions).toEqual(["hangup", "setMonitorMode"]);
    await desktop.setMonitorMode(id, "whisper");
    await desktop.setMonitorMode(id, "barge");
    expect(desktop.getCall(id)?.monitorMode).toBe("barge");
    // The same mode again: nothing to ask.
    const asked = rec.calls.length;
    await desktop.setMonitorMode(id, "barge");
    expect(rec.calls).toHaveLength(asked);
    await desktop.hangup(id);
    expect(desktop.getCall(id)).toBeUndefined();
  });

  it("refuses an empty target, an unknown mode, and a mode the connector cannot do (NOT_SUPPORTED), before the connector", async () => {
    const { rec, desktop } = await setUp(ALL_CAPABILITIES.filter((c) => c !== "whisper"));
    await expect(desktop.monitor("")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(desktop.monitor("c", "spy" as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(desktop.monitor("c", "whisper")).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    const id = await desktop.monitor("c", "barge");
    await expect(desktop.setMonitorMode(id, "whisper")).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    expect(rec.calls.filter((c) => c.method === "monitor")).toHaveLength(1);
    expect(rec.calls.filter((c) => c.method === "setMonitorMode")).toHaveLength(0);
  });

  it("a supervisor party carries its mode on the agent's call; a bad mode is refused", async () => {
    const { rec, desktop, events } = await setUp();
    const agent = { id: "me", role: "agent", state: "connected" } as const;
    rec.ctx.upsertCall({ id: "c1", state: "connected", direction: "inbound", parties: [agent, { id: "sup", role: "supervisor", state: "connected", monitorMode: "whisper" }] });
    expect(desktop.getCall("c1")?.parties[1]).toEqual({ id: "sup", role: "supervisor", state: "connected", monitorMode: "whisper" });
    // With the customer too: a supervisor neither makes a conference nor is a party the agent can drop.
    rec.ctx.upsertCall({ id: "c1", state: "connected", parties: [agent, { id: "cust", role: "customer", state: "connected" }, { id: "sup", role: "supervisor", state: "connected", monitorMode: "barge" }] });
    expect(events.map((e) => e.type)).not.toContain("call.conferenced");
    expect(desktop.getCall("c1")?.actions).not.toContain("dropParty");
    await expect(desktop.dropParty("c1", "sup")).rejects.toMatchObject({ code: "INVALID_STATE" });
    rec.ctx.upsertCall({ id: "c1", state: "connected", parties: [agent, { id: "sup", role: "supervisor", state: "connected", monitorMode: "shout" as never }] });
    expect(events.at(-1)).toMatchObject({ type: "error", code: "INVALID_VENDOR_EVENT" });
  });

  it("refuses to start a session while the supervisor is on another call (as dial does), and a session in wrap-up can be finished", async () => {
    const { rec, desktop } = await setUp(ALL_CAPABILITIES.filter((c) => c !== "callWaiting"));
    rec.ctx.upsertCall({ id: "c1", state: "connected", direction: "inbound" });
    await expect(desktop.monitor("contact-9")).rejects.toMatchObject({ code: "INVALID_STATE", request: "monitor" });
    rec.ctx.upsertCall({ id: "c1", state: "held" });
    await expect(desktop.monitor("contact-9")).rejects.toMatchObject({ code: "INVALID_STATE" });
    expect(rec.calls.filter((c) => c.method === "monitor")).toHaveLength(0);
    rec.ctx.removeCall("c1", "remote_hangup");
    const id = await desktop.monitor("contact-9");
    await expect(desktop.monitor("contact-10")).rejects.toMatchObject({ code: "INVALID_STATE" });
    rec.ctx.upsertCall({ id, state: "wrapup", direction: "monitor" });
    expect(desktop.getCall(id)?.actions).toEqual(["completeWrapUp"]);
    await desktop.completeWrapUp(id);
    expect(desktop.getCall(id)).toBeUndefined();
  });
});
