/**
 * Supervisors and recording on real Streams against the fake CCP, with the
 * real backend handler on 127.0.0.1 (its AWS SDK client against the Connect
 * API stub). The conformance run covers the scenarios; these check the
 * Streams side and the shapes.
 */
import { createRecordedDesktop } from "@opencti/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { isSessionInAcw, mapVoiceContact, newMemoryForTests, type ContactData } from "./support/mapping-access.js";
import { createBackendHarness, type BackendHarness } from "./support/backend.js";
import { openSession, type Session } from "./support/session.js";

let h: BackendHarness | undefined;
let s: Session | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
  await h?.dispose();
  h = undefined;
});

interface StreamsConnectionView {
  isSilentMonitor(): boolean;
  isBarge(): boolean;
  getMonitorStatus(): string | null;
  getMonitorCapabilities(): string[] | undefined;
}

describe("amazon-connect supervisors (real Streams, fake CCP, real backend)", () => {
  it("a barge session is a Streams monitoring contact allowed both modes: barge, silent, barge again through updateMonitorParticipantState, then left", async () => {
    h = await createBackendHarness();
    const rec = createRecordedDesktop(h.connector, { requestTimeoutMs: 2000, timeoutMs: 5000, intervalMs: 5 });
    await rec.connected();
    await rec.desktop.login({});
    const target = await h.driver.monitorTarget!();
    const id = await rec.desktop.monitor(target, "barge");
    // MonitorContact went out for this user, with both modes allowed (what authorizeMonitor allowed).
    expect(h.stub.monitors).toEqual([expect.objectContaining({ contactId: target, capabilities: ["SILENT_MONITOR", "BARGE"] })]);
    expect(h.authorized.map((r) => r.capabilities)).toEqual([["SILENT_MONITOR", "BARGE"]]);
    expect(rec.desktop.getCall(id)?.monitorMode).toBe("barge");
    await rec.desktop.setMonitorMode(id, "monitor");
    const streamsConnection = (): StreamsConnectionView => {
      const agent = new h!.dom.connect.Agent() as unknown as { getContacts(): { getContactId(): string; getAgentConnection(): StreamsConnectionView }[] };
      return agent.getContacts().find((c) => c.getContactId() === id)!.getAgentConnection();
    };
    // Streams' own reading of the fake CCP's snapshot.
    expect(streamsConnection().isSilentMonitor()).toBe(true);
    expect(streamsConnection().getMonitorCapabilities()).toEqual(["SILENT_MONITOR", "BARGE"]);
    expect(rec.desktop.getCall(id)).toMatchObject({ direction: "monitor", state: "connected", monitorMode: "monitor" });
    await rec.desktop.setMonitorMode(id, "barge");
    expect(h.fake.requests.at(-1)).toEqual({ method: "updateMonitorParticipantState", params: { contactId: id, targetMonitorMode: "BARGE" } });
    expect(streamsConnection().isBarge()).toBe(true);
    expect(rec.desktop.getCall(id)?.monitorMode).toBe("barge");
    expect(((await rec.desktop.setMonitorMode(id, "whisper").catch((e: unknown) => e)) as { code: string }).code).toBe("NOT_SUPPORTED");
    await rec.desktop.hangup(id);
    await rec.waitFor(() => rec.desktop.getCall(id) === undefined, "the session over");
    const ended = rec.events.find((e) => e.type === "call.ended" && e.call.id === id);
    expect(ended?.type === "call.ended" && ended.call.endReason).toBe("local_hangup");
    await rec.desktop.destroy();
  });

  it("a listen-only session asks MonitorContact for SILENT_MONITOR only, and barging it later is refused before Streams", async () => {
    h = await createBackendHarness();
    const rec = createRecordedDesktop(h.connector, { requestTimeoutMs: 2000, timeoutMs: 5000, intervalMs: 5 });
    await rec.connected();
    await rec.desktop.login({});
    const id = await rec.desktop.monitor(await h.driver.monitorTarget!());
    // The backend's authorizeMonitor decided on listen-only, and MonitorContact allowed only that.
    expect(h.authorized.map((r) => r.capabilities)).toEqual([["SILENT_MONITOR"]]);
    expect(h.stub.monitors.map((m) => m.capabilities)).toEqual([["SILENT_MONITOR"]]);
    expect(rec.desktop.getCall(id)).toMatchObject({ direction: "monitor", state: "connected", monitorMode: "monitor" });
    const sent = h.fake.requests.length;
    const refused = (await rec.desktop.setMonitorMode(id, "barge").catch((e: unknown) => e)) as { code: string; message: string };
    expect(refused).toMatchObject({ code: "NOT_SUPPORTED" });
    expect(refused.message).toMatch(/listen-only/);
    // Nothing went to the CCP: Streams was never asked to barge.
    expect(h.fake.requests.slice(sent).map((r) => r.method)).not.toContain("updateMonitorParticipantState");
    expect(rec.desktop.getCall(id)?.monitorMode).toBe("monitor");
    await rec.desktop.destroy();
  });

  it("a session this connector did not start barges only where Connect granted it (Streams' monitorCapabilities)", async () => {
    h = await createBackendHarness();
    const rec = createRecordedDesktop(h.connector, { requestTimeoutMs: 2000, timeoutMs: 5000, intervalMs: 5 });
    await rec.connected();
    await rec.desktop.login({});
    const listenOnly = h.fake.startMonitoring({ capabilities: ["SILENT_MONITOR"] });
    await rec.waitFor(() => rec.desktop.getCall(listenOnly)?.state === "connected", "the listen-only session");
    const sent = h.fake.requests.length;
    expect(((await rec.desktop.setMonitorMode(listenOnly, "barge").catch((e: unknown) => e)) as { code: string }).code).toBe("NOT_SUPPORTED");
    expect(h.fake.requests.slice(sent).map((r) => r.method)).not.toContain("updateMonitorParticipantState");
    await rec.desktop.hangup(listenOnly);
    await rec.waitFor(() => rec.desktop.getCall(listenOnly) === undefined, "the session over");
    const both = h.fake.startMonitoring({ capabilities: ["SILENT_MONITOR", "BARGE"] });
    await rec.waitFor(() => rec.desktop.getCall(both)?.state === "connected", "the session granted barge");
    await rec.desktop.setMonitorMode(both, "barge");
    expect(rec.desktop.getCall(both)?.monitorMode).toBe("barge");
    await rec.desktop.destroy();
  });

  it("the supervisor's own contact is refused by the backend before MonitorContact", async () => {
    h = await createBackendHarness();
    const rec = createRecordedDesktop(h.connector, { requestTimeoutMs: 2000, timeoutMs: 5000, intervalMs: 5 });
    await rec.connected();
    await rec.desktop.login({});
    const mine = h.stub.addContact({ agentId: "aaaaaaaa-0000-4000-8000-0000000000a1" });
    const refused = (await rec.desktop.monitor(mine.id).catch((e: unknown) => e)) as { code: string; message: string };
    expect(refused).toMatchObject({ code: "AUTH_FAILED", message: "A user may not monitor its own contact" });
    expect(h.stub.monitors).toEqual([]);
    await rec.desktop.destroy();
  });

  it("with monitorAllowsBarge a listen-only session is granted barge at the start (authorizeMonitor decides on it) and may barge later", async () => {
    h = await createBackendHarness({ connector: { monitorAllowsBarge: true } });
    const rec = createRecordedDesktop(h.connector, { requestTimeoutMs: 2000, timeoutMs: 5000, intervalMs: 5 });
    await rec.connected();
    await rec.desktop.login({});
    const id = await rec.desktop.monitor(await h.driver.monitorTarget!());
    expect(h.authorized.map((r) => r.capabilities)).toEqual([["SILENT_MONITOR", "BARGE"]]);
    expect(rec.desktop.getCall(id)?.monitorMode).toBe("monitor");
    await rec.desktop.setMonitorMode(id, "barge");
    expect(rec.desktop.getCall(id)?.monitorMode).toBe("barge");
    await rec.desktop.destroy();
  });

  it("a session the supervisor leaves goes to after-contact work in Connect: the connector clears it (clearContact), the desktop saw it end, and a state picked after is not queued", async () => {
    h = await createBackendHarness();
    const rec = createRecordedDesktop(h.connector, { requestTimeoutMs: 2000, timeoutMs: 5000, intervalMs: 5 });
    await rec.connected();
    await rec.desktop.login({});
    const id = await rec.desktop.monitor(await h.driver.monitorTarget!());
    await rec.desktop.hangup(id);
    await rec.waitFor(() => rec.desktop.getCall(id) === undefined, "the session over");
    const ended = rec.events.find((e) => e.type === "call.ended" && e.call.id === id);
    expect(ended?.type === "call.ended" && ended.call.endReason).toBe("local_hangup");
    // Never a wrap-up for the desktop: the session went from connected to ended.
    expect(rec.events.some((e) => e.type === "call.wrapup" && e.call.id === id)).toBe(false);
    // Streams' contact.clear() reached the CCP for that contact, and Connect let the supervisor out of AfterCallWork.
    await rec.waitFor(() => h!.fake.requests.some((r) => r.method === "clearContact" && r.params.contactId === id), "clearContact");
    await rec.waitFor(() => !h!.fake.contactIds().includes(id) && rec.desktop.snapshot().agent.state !== "after_call_work", "the contact cleared");
    const training = rec.desktop.snapshot().reasons.find((r) => r.label === "Training")!;
    await rec.desktop.setAgentState(training.id);
    expect(h.fake.requests.at(-1)).toMatchObject({ method: "putAgentState", params: { enqueueNextState: false } });
    await rec.waitFor(() => rec.desktop.snapshot().agent.reason?.id === training.id && rec.desktop.snapshot().agent.pendingState === undefined, "Training now, not pending");
    expect(rec.events.filter((e) => e.type === "warning")).toEqual([]);
    await rec.desktop.destroy();
  });

  it("the watched call ends: the session ends remote_hangup; a clear Connect refuses is a warning, and the next state picked clears it again and is not queued behind it", async () => {
    h = await createBackendHarness();
    const rec = createRecordedDesktop(h.connector, { requestTimeoutMs: 2000, timeoutMs: 5000, intervalMs: 5 });
    await rec.connected();
    await rec.desktop.login({});
    const id = await rec.desktop.monitor(await h.driver.monitorTarget!());
    h.fake.failNext("clearContact", "InternalServiceException");
    h.fake.remoteHangup(id);
    await rec.waitFor(() => rec.desktop.getCall(id) === undefined, "the session over");
    const ended = rec.events.find((e) => e.type === "call.ended" && e.call.id === id);
    expect(ended?.type === "call.ended" && ended.call.endReason).toBe("remote_hangup");
    await rec.waitFor(() => rec.events.some((e) => e.type === "warning" && e.code === "MONITOR_NOT_CLEARED"), "the warning");
    const warning = rec.events.find((e) => e.type === "warning" && e.code === "MONITOR_NOT_CLEARED");
    expect(warning?.type === "warning" && warning.message).toMatch(/^Amazon Connect could not clear the ended monitoring session .*: pick a state to retry\.$/);
    // The contact is still in ACW in the CCP (the supervisor in AfterCallWork) and the connector asked once.
    expect(h.fake.contactIds()).toContain(id);
    expect(rec.desktop.snapshot().agent.state).toBe("after_call_work");
    expect(h.fake.requests.filter((r) => r.method === "clearContact")).toHaveLength(1);
    // Picking a state clears it again first, then sets the state now, not queued behind the monitoring contact.
    const training = rec.desktop.snapshot().reasons.find((r) => r.label === "Training")!;
    const sent = h.fake.requests.length;
    await rec.desktop.setAgentState(training.id);
    expect(h.fake.requests.slice(sent).map((r) => r.method)).toEqual(["clearContact", "putAgentState"]);
    expect(h.fake.requests.at(-1)).toMatchObject({ method: "putAgentState", params: { enqueueNextState: false } });
    await rec.waitFor(() => rec.desktop.snapshot().agent.reason?.id === training.id && rec.desktop.snapshot().agent.pendingState === undefined, "Training now, not pending");
    expect(h.fake.contactIds()).not.toContain(id);
    await rec.desktop.destroy();
  });

  it("with a backend but without recordedCalls (the default): no recording reported and no Pause, the backend not asked", async () => {
    h = await createBackendHarness();
    const rec = createRecordedDesktop(h.connector, { requestTimeoutMs: 2000, timeoutMs: 5000, intervalMs: 5 });
    await rec.connected();
    await rec.desktop.login({});
    expect(rec.desktop.snapshot().capabilities).toContain("recordingControl");
    await h.driver.ringInbound({ from: "+15550100" });
    const ringing = await rec.waitFor(() => rec.desktop.snapshot().calls.find((c) => c.state === "ringing"), "a ringing call");
    await rec.desktop.answer(ringing.id);
    const call = await rec.waitFor(() => (rec.desktop.getCall(ringing.id)?.state === "connected" ? rec.desktop.getCall(ringing.id) : undefined), "connected");
    expect(call.recording).toBeUndefined();
    expect(call.actions).not.toContain("pauseRecording");
    expect(rec.events.some((e) => e.type === "call.recording")).toBe(false);
    await rec.desktop.destroy();
  });

  it("with a backend and recordedCalls: true a connected call is recording, with Pause", async () => {
    h = await createBackendHarness({ connector: { recordedCalls: true } });
    const rec = createRecordedDesktop(h.connector, { requestTimeoutMs: 2000, timeoutMs: 5000, intervalMs: 5 });
    await rec.connected();
    await rec.desktop.login({});
    await h.driver.ringInbound({ from: "+15550100" });
    const ringing = await rec.waitFor(() => rec.desktop.snapshot().calls.find((c) => c.state === "ringing"), "a ringing call");
    await rec.desktop.answer(ringing.id);
    const call = await rec.waitFor(() => (rec.desktop.getCall(ringing.id)?.state === "connected" ? rec.desktop.getCall(ringing.id) : undefined), "connected");
    expect(call.recording).toBe("active");
    expect(call.actions).toContain("pauseRecording");
    await rec.desktop.destroy();
  });

  it("without a backend: no monitor, barge, whisper nor recording control, and no recording reported", async () => {
    s = await openSession();
    const { capabilities } = s.desktop.snapshot();
    for (const c of ["monitor", "barge", "whisper", "recordingControl"] as const) expect(capabilities).not.toContain(c);
    const call = await s.answeredCall();
    expect(call.recording).toBeUndefined();
    expect(call.actions).not.toContain("pauseRecording");
  });

  it("a monitoring contact over: ended for the desktop even once Connect's snapshot drops the monitor status (the memory knows), and in ACW for the connector to clear", () => {
    const memory = newMemoryForTests();
    const session = (state: string, own: ContactData["connections"][number]): ContactData => ({
      contactId: "m-1",
      type: "voice",
      state,
      initiationMethod: "monitor",
      attributes: {},
      connections: [own, { connectionId: "cust", type: "inbound", initial: true, state: state === "ended" ? "disconnected" : "connected", phoneNumber: "+15550100" }],
    });
    const live = mapVoiceContact(session("connected", { connectionId: "a", type: "agent", initial: false, state: "silent_monitor", monitorStatus: "SILENT_MONITOR" }), memory, { muted: false, recordedCalls: true });
    expect(live.call).toMatchObject({ direction: "monitor", state: "connected", monitorMode: "monitor" });
    expect(live.call.recording).toBeUndefined();
    const acw = session("ended", { connectionId: "a", type: "agent", initial: false, state: "disconnected" });
    expect(isSessionInAcw(acw, memory)).toBe(true);
    const over = mapVoiceContact(acw, memory, { muted: false });
    expect(over.call).toMatchObject({ direction: "monitor", state: "ended", endReason: "remote_hangup" });
    expect(over.call.monitorMode).toBeUndefined();
    // A contact never seen as a session is a plain call in after-call work, for the agent to finish.
    const fresh = newMemoryForTests();
    expect(isSessionInAcw(acw, fresh)).toBe(false);
    expect(mapVoiceContact(acw, fresh, { muted: false }).call).toMatchObject({ direction: "inbound", state: "wrapup" });
  });

  it("on the agent's own call, a barging supervisor (a monitoring connection) is a supervisor party with its mode", () => {
    const contact: ContactData = {
      contactId: "c-1",
      type: "voice",
      state: "connected",
      initiationMethod: "inbound",
      attributes: {},
      connections: [
        { connectionId: "a", type: "agent", initial: false, state: "connected" },
        { connectionId: "cust", type: "inbound", initial: true, state: "connected", phoneNumber: "+15550100" },
        { connectionId: "sup", type: "monitoring", initial: false, state: "connected", monitorStatus: "BARGE" },
      ],
    };
    const { call, legs } = mapVoiceContact(contact, newMemoryForTests(), { muted: false, recordedCalls: true });
    expect(call.parties).toContainEqual({ id: "sup", role: "supervisor", state: "connected", monitorMode: "barge" });
    expect(call).toMatchObject({ direction: "inbound", state: "connected", recording: "active" });
    expect(legs).toEqual([]);
  });
});
