/**
 * Supervisors and recording on real Streams against the fake CCP, with the
 * real backend handler on 127.0.0.1 (its AWS SDK client against the Connect
 * API stub). The conformance run covers the scenarios; these check the
 * Streams side and the shapes.
 */
import { createRecordedDesktop } from "@opencti/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { mapVoiceContact, newMemoryForTests, type ContactData } from "./support/mapping-access.js";
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

  it("without a backend: no monitor, barge, whisper nor recording control, and no recording reported", async () => {
    s = await openSession();
    const { capabilities } = s.desktop.snapshot();
    for (const c of ["monitor", "barge", "whisper", "recordingControl"] as const) expect(capabilities).not.toContain(c);
    const call = await s.answeredCall();
    expect(call.recording).toBeUndefined();
    expect(call.actions).not.toContain("pauseRecording");
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
