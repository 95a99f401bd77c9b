// Supervisors and recording on the simulator (issue 16): the server's recorder
// and its pause/resume, monitor sessions on the floor's calls, a supervisor
// on the agent's own call; through a desktop, and on the bare wire for the
// server's own refusals.
import { createDesktop, CtiError } from "@opencti/core";
import { describe, expect, it } from "vitest";
import { SIMULATOR_CAPABILITIES, type SimulatorServer } from "../src/index.js";
import { script, serveSimulator } from "../src/port.js";
import { onCleanup, setup as setupAs, until } from "./desktops.js";
import type { Operation } from "../src/protocol.js";

/** A desktop logged in as the supervisor sup-1. */
const setup = (options: Parameters<typeof setupAs>[0] = {}) => setupAs(options, "sup-1");

async function rejection(p: Promise<unknown>): Promise<CtiError> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e as CtiError,
  );
}

/** The server on its bare wire, logged in, for its own refusals (core refuses most of these before they reach a connector). */
function rawClient(server: SimulatorServer) {
  const waiting = new Map<number, (r: { ok: boolean; result?: { callId?: string }; error?: { code: string; message: string } }) => void>();
  let next = 1;
  server.wire.connect(
    (m) => {
      const msg = m as { type: string; requestId: number };
      if (msg.type === "response") waiting.get(msg.requestId)?.(m as never);
    },
    () => {},
  );
  const send = (op: Operation, args: Record<string, unknown> = {}) =>
    new Promise<{ ok: boolean; result?: { callId?: string }; error?: { code: string; message: string } }>((resolve) => {
      const requestId = next++;
      waiting.set(requestId, resolve);
      server.wire.send({ type: "request", requestId, op, args });
    });
  return { send };
}

async function answered(desktop: ReturnType<typeof createDesktop>, server: SimulatorServer): Promise<string> {
  const id = server.ringInbound({ from: "+15550100" });
  await until(() => desktop.getCall(id));
  await desktop.answer(id);
  return id;
}

describe("recording", () => {
  it("declares recordingControl, monitor, whisper and barge", () => {
    for (const c of ["recordingControl", "monitor", "whisper", "barge"] as const) expect(SIMULATOR_CAPABILITIES).toContain(c);
  });

  it("records a call from the moment it connects; pause and resume are call.recording events", async () => {
    const { server, desktop, events } = await setup();
    const id = server.ringInbound({ from: "+15550100" });
    await until(() => desktop.getCall(id));
    expect(desktop.getCall(id)?.recording).toBeUndefined();
    await desktop.answer(id);
    expect(desktop.getCall(id)).toMatchObject({ state: "connected", recording: "active" });
    expect(server.getCall(id)?.recorder).toBe("on");
    await desktop.pauseRecording(id);
    expect(desktop.getCall(id)?.recording).toBe("paused");
    expect(server.getCall(id)?.recorder).toBe("paused");
    await desktop.resumeRecording(id);
    expect(desktop.getCall(id)?.recording).toBe("active");
    expect(events.filter((e) => e.type === "call.recording").map((e) => (e as { call: { recording: string } }).call.recording)).toEqual(["active", "paused", "active"]);
    // While held too.
    await desktop.hold(id);
    await desktop.pauseRecording(id);
    expect(desktop.getCall(id)).toMatchObject({ state: "held", recording: "paused" });
  });

  it("records an outbound call once the far end answers, and a consult leg too", async () => {
    const { server, desktop } = await setup();
    const id = await desktop.dial("+15550199");
    expect(desktop.getCall(id)?.recording).toBeUndefined();
    server.remoteAnswer(id);
    await until(() => desktop.getCall(id)?.recording === "active");
    const consult = await desktop.consult(id, "+15550144");
    server.remoteAnswer(consult);
    await until(() => desktop.getCall(consult)?.recording === "active");
  });

  it("with recording: false, calls are not recorded (off) and nothing is offered", async () => {
    const { server, desktop } = await setup({ recording: false });
    const id = await answered(desktop, server);
    expect(desktop.getCall(id)?.recording).toBe("off");
    expect(desktop.getCall(id)?.actions.filter((a) => a.endsWith("Recording"))).toEqual([]);
  });

  it("the server refuses pause and resume in the wrong state with its own INVALID_STATE, also when the desktop did not know yet", async () => {
    const { server, desktop } = await setup({ latencyMs: 10 });
    const id = await answered(desktop, server);
    // The recorder pauses on the server; the desktop still shows it active when it asks.
    server.setRecording(id, "paused");
    const error = await rejection(desktop.pauseRecording(id));
    expect(error).toBeInstanceOf(CtiError);
    expect(error).toMatchObject({ code: "INVALID_STATE", message: expect.stringMatching(/already paused/) });
    await until(() => desktop.getCall(id)?.recording === "paused");

    const raw = rawClient(server);
    expect(await raw.send("resumeRecording", { callId: id })).toMatchObject({ ok: true });
    expect(await raw.send("resumeRecording", { callId: id })).toMatchObject({ ok: false, error: { code: "INVALID_STATE", message: expect.stringMatching(/already running/) } });
    server.setRecording(id, "off");
    expect(await raw.send("pauseRecording", { callId: id })).toMatchObject({ ok: false, error: { code: "INVALID_STATE", message: expect.stringMatching(/not being recorded/) } });
    const ringing = server.ringInbound({ from: "+15550101" });
    expect(await raw.send("pauseRecording", { callId: ringing })).toMatchObject({ ok: false, error: { code: "INVALID_STATE" } });
    expect(await raw.send("pauseRecording", { callId: "sim-404" })).toMatchObject({ ok: false, error: { code: "INVALID_STATE" } });
  });

  it("scripting changes the recording from the far end; a bad state is refused", async () => {
    const { server, desktop, events } = await setup();
    const id = await answered(desktop, server);
    server.setRecording(id, "off");
    await until(() => desktop.getCall(id)?.recording === "off");
    server.setRecording(id, "on");
    await until(() => desktop.getCall(id)?.recording === "active");
    expect(events.filter((e) => e.type === "call.recording")).toHaveLength(3);
    expect(() => server.setRecording(id, "tape" as never)).toThrow(/on, paused or off/);
  });
});

describe("monitoring the floor", () => {
  it("monitor starts a session on a floor call: direction monitor, connected, its mode; modes change; hangup leaves without wrap-up", async () => {
    const { server, desktop, events } = await setup();
    const floor = server.startFloorCall({ agentId: "agent-2", from: "+15550177", fromName: "Ada", queue: "Support" });
    const id = await desktop.monitor(floor);
    const session = desktop.getCall(id)!;
    expect(session).toMatchObject({ direction: "monitor", state: "connected", monitorMode: "monitor", from: "+15550177", to: "agent-2", queue: "Support" });
    expect(session.recording).toBeUndefined();
    expect(session.parties.map((p) => [p.role, p.address])).toEqual([
      ["agent", undefined],
      ["customer", "+15550177"],
      ["third_party", "agent-2"],
    ]);
    expect(session.actions).toEqual(["hangup", "setMonitorMode"]);
    expect(server.listFloor()).toEqual([expect.objectContaining({ callId: floor, agentId: "agent-2", monitoredBy: { sessionId: id, listen: "silent" } })]);
    expect(server.requests.at(-1)).toMatchObject({ op: "monitor", args: { target: floor, listen: "silent" } });

    await desktop.setMonitorMode(id, "whisper");
    expect(desktop.getCall(id)?.monitorMode).toBe("whisper");
    expect(server.listFloor()[0]?.monitoredBy?.listen).toBe("coach");
    await desktop.setMonitorMode(id, "barge");
    expect(desktop.getCall(id)?.monitorMode).toBe("barge");
    expect(server.listFloor()[0]?.monitoredBy?.listen).toBe("join");
    expect(server.requests.filter((r) => r.op === "listen").map((r) => r.args.listen)).toEqual(["coach", "join"]);

    await desktop.hangup(id);
    await until(() => !desktop.getCall(id));
    const mine = events.filter((e) => "call" in e && (e as { call: { id: string } }).call.id === id).map((e) => e.type);
    expect(mine).not.toContain("call.wrapup");
    expect(mine).not.toContain("call.conferenced");
    expect(events.find((e) => e.type === "call.ended")).toMatchObject({ call: { id, endReason: "local_hangup" } });
    // The floor call goes on, unmonitored; the supervisor is free again.
    expect(server.listFloor()).toEqual([expect.not.objectContaining({ monitoredBy: expect.anything() })]);
    await until(() => desktop.snapshot().agent.state !== "busy");
  });

  it("takes an agent id as target (their latest floor call), and a starting mode", async () => {
    const { server, desktop } = await setup();
    server.startFloorCall({ agentId: "agent-2", from: "+15550170" });
    const latest = server.startFloorCall({ agentId: "agent-2", from: "+15550171" });
    const id = await desktop.monitor("agent-2", "whisper");
    expect(desktop.getCall(id)).toMatchObject({ direction: "monitor", monitorMode: "whisper", from: "+15550171" });
    expect(server.getCall(id)?.watches).toBe(latest);
  });

  it("the session ends when the watched call ends (remote_hangup, no wrap-up)", async () => {
    const { server, desktop, events } = await setup();
    const floor = server.startFloorCall({ agentId: "agent-3", from: "+15550172" });
    const id = await desktop.monitor(floor, "barge");
    server.endFloorCall(floor);
    const ended = await until(() => events.find((e) => e.type === "call.ended"));
    expect(ended).toMatchObject({ call: { id, endReason: "remote_hangup", direction: "monitor" } });
    expect(events.some((e) => e.type === "call.wrapup")).toBe(false);
    expect(server.listFloor()).toEqual([]);
    expect(() => server.endFloorCall(floor)).toThrow(/no floor call/);
  });

  it("refuses an unknown target with INVALID_DESTINATION and a call already monitored with INVALID_STATE, leaving no session", async () => {
    const { server, desktop } = await setup();
    const unknown = await rejection(desktop.monitor("agent-404"));
    expect(unknown).toBeInstanceOf(CtiError);
    expect(unknown).toMatchObject({ code: "INVALID_DESTINATION", message: expect.stringMatching(/agent-404/) });
    const floor = server.startFloorCall({ agentId: "agent-2" });
    await desktop.monitor(floor);
    // A second session while in one: core refuses it first (the supervisor is on a call) …
    const twice = await rejection(desktop.monitor(floor));
    expect(twice).toMatchObject({ code: "INVALID_STATE", message: expect.stringMatching(/leave the current session/) });
    expect(desktop.snapshot().calls).toHaveLength(1);
    // … and the server refuses a call already monitored (here from the bare wire).
    const raw = rawClient(server);
    expect(await raw.send("monitor", { target: floor, listen: "silent" })).toMatchObject({ ok: false, error: { code: "INVALID_STATE", message: expect.stringMatching(/already monitored/) } });
  });

  it("the server keeps a session to leaving and changing mode, checks the mode, and monitors only while the agent is free", async () => {
    const { server } = await setup();
    const floor = server.startFloorCall({ agentId: "agent-2" });
    // The bare wire from here on (it takes the server's one connection from the desktop).
    const raw = rawClient(server);
    expect(await raw.send("monitor", { target: floor, listen: "shout" })).toMatchObject({ ok: false, error: { code: "INVALID_ARGUMENT", message: expect.stringMatching(/silent, coach or join/) } });
    expect(await raw.send("monitor", { listen: "silent" })).toMatchObject({ ok: false, error: { code: "INVALID_ARGUMENT" } });
    const started = await raw.send("monitor", { target: floor, listen: "silent" });
    const id = started.result!.callId!;
    expect(server.getCall(id)).toMatchObject({ kind: "monitor", status: "talking", listen: "silent" });
    for (const op of ["hold", "mute", "pauseRecording", "dtmf", "blindTransfer"] as const) {
      expect(await raw.send(op, { callId: id, digits: "1", destination: "+15550143" }), op).toMatchObject({ ok: false, error: { code: "INVALID_STATE", message: expect.stringMatching(/monitor session/) } });
    }
    expect(await raw.send("listen", { callId: id, listen: "whisper" })).toMatchObject({ ok: false, error: { code: "INVALID_ARGUMENT" } });
    expect(await raw.send("hangup", { callId: id })).toMatchObject({ ok: true });
    expect(server.getCall(id)).toBeUndefined();
    // On an ordinary call, listen is refused; while the agent talks, monitor is.
    const call = server.ringInbound({ from: "+15550100" });
    expect(await raw.send("answer", { callId: call })).toMatchObject({ ok: true });
    expect(await raw.send("listen", { callId: call, listen: "coach" })).toMatchObject({ ok: false, error: { code: "INVALID_STATE", message: expect.stringMatching(/not a monitor session/) } });
    expect(await raw.send("monitor", { target: floor, listen: "silent" })).toMatchObject({ ok: false, error: { code: "INVALID_STATE", message: expect.stringMatching(/before monitoring/) } });
  });

  it("a session survives a link drop and comes back with its mode from the snapshot", async () => {
    const { server, desktop, events } = await setup();
    const floor = server.startFloorCall({ agentId: "agent-2" });
    const id = await desktop.monitor(floor, "whisper");
    server.dropLink();
    await until(() => desktop.snapshot().link === "reconnecting");
    server.restoreLink();
    await until(() => desktop.snapshot().link === "connected");
    expect(desktop.getCall(id)).toMatchObject({ direction: "monitor", monitorMode: "whisper", state: "connected" });
    expect(events.filter((e) => "call" in e && (e as { call: { id: string } }).call.id === id).map((e) => e.type)).toEqual(["call.connected"]);
  });
});

describe("a supervisor on the agent's call", () => {
  it("supervise puts a supervisor party with its mode on the call, changes it and takes it off; no conference", async () => {
    const { server, desktop, events } = await setup();
    const id = await answered(desktop, server);
    server.supervise(id, "coach");
    await until(() => desktop.getCall(id)?.parties.some((p) => p.role === "supervisor"));
    expect(desktop.getCall(id)?.parties.find((p) => p.role === "supervisor")).toEqual({ id: `${id}-supervisor`, role: "supervisor", state: "connected", displayName: "Supervisor", monitorMode: "whisper" });
    server.supervise(id, "join", "Grace (supervisor)");
    await until(() => desktop.getCall(id)?.parties.find((p) => p.role === "supervisor")?.monitorMode === "barge");
    expect(desktop.getCall(id)?.parties.find((p) => p.role === "supervisor")?.displayName).toBe("Grace (supervisor)");
    // Not a party the agent can drop, not a conference.
    expect(desktop.getCall(id)?.actions).not.toContain("dropParty");
    expect(events.some((e) => e.type === "call.conferenced")).toBe(false);
    server.supervise(id, undefined);
    await until(() => desktop.getCall(id)?.parties.find((p) => p.role === "supervisor")?.state === "disconnected");
    expect(desktop.getCall(id)?.parties.find((p) => p.role === "supervisor")?.monitorMode).toBeUndefined();
    // Leaving a call nobody supervises is nothing; a bad mode or a ringing call is refused.
    const other = server.ringInbound({ from: "+15550102" });
    expect(() => server.supervise(other, "silent")).toThrow(/alerting/);
    expect(() => server.supervise(id, "loud" as never)).toThrow(/silent, coach or join/);
  });

  it("the server will not drop the supervisor, and a call with only the supervisor left ends", async () => {
    const { server, desktop } = await setup();
    const id = await answered(desktop, server);
    server.supervise(id, "silent");
    const raw = rawClient(server);
    expect(await raw.send("dropParty", { callId: id, legId: `${id}-supervisor` })).toMatchObject({ ok: false, error: { code: "INVALID_ARGUMENT" } });
    expect(await raw.send("dropParty", { callId: id, legId: `${id}-caller` })).toMatchObject({ ok: true });
    expect(server.getCall(id)?.status).toBe("acw");
  });

  it("a supervisor who left stays gone through a conference", async () => {
    const { server, desktop } = await setup();
    const id = await answered(desktop, server);
    server.supervise(id, "silent");
    server.supervise(id, undefined);
    const consult = await desktop.consult(id, "+15550144");
    server.remoteAnswer(consult);
    await until(() => desktop.getCall(id)?.actions.includes("conference"));
    await desktop.conference(id);
    expect(server.getCall(id)?.legs.find((l) => l.type === "supervisor")?.status).toBe("gone");
  });

  it("the new scripting is callable through the port (a tab's drawer): a floor call, a supervisor, the recording", async () => {
    const { server, desktop } = await setup();
    const { port1, port2 } = new MessageChannel();
    serveSimulator(server, port1);
    onCleanup(() => Promise.resolve((port1.close(), port2.close())));
    const floor = (await script(port2, "startFloorCall", { agentId: "agent-9", from: "+15550190" })) as string;
    expect(await script(port2, "listFloor")).toEqual([expect.objectContaining({ callId: floor, agentId: "agent-9", from: "+15550190" })]);
    const id = await answered(desktop, server);
    await script(port2, "supervise", id, "coach");
    await script(port2, "setRecording", id, "paused");
    await until(() => desktop.getCall(id)?.recording === "paused" && desktop.getCall(id)?.parties.some((p) => p.monitorMode === "whisper"));
    await script(port2, "endFloorCall", floor);
    expect(server.listFloor()).toEqual([]);
    await expect(script(port2, "supervise", id, "loud")).rejects.toThrow(/silent, coach or join/);
  });
});
