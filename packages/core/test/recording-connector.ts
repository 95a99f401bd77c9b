// A connector for core's own unit tests: it records every request and lets
// the test decide how the "vendor" answers (resolve, fail, or never).
import { expect } from "vitest";
import type { Connector, ConnectorContext } from "../src/connector.js";
import { CtiError } from "../src/errors.js";
import { CAPABILITIES, type AgentReason, type AudioDevices, type Capability } from "../src/model.js";

export const ALL_CAPABILITIES: Capability[] = [...CAPABILITIES];

const REASONS: AgentReason[] = [
  { id: "available", state: "ready", label: "Available" },
  { id: "lunch", state: "not_ready", label: "Lunch" },
  { id: "training", state: "not_ready", label: "Training" },
];

export interface Recorded {
  method: string;
  args: Record<string, unknown>;
}

export type Behaviour = "ok" | "hang" | Error;

export function recordingConnector(capabilities: Capability[] = ALL_CAPABILITIES) {
  const calls: Recorded[] = [];
  let ctx!: ConnectorContext;
  const behaviour = new Map<string, Behaviour>();
  let counter = 0;
  let audio: AudioDevices = { devices: [] };
  const respond = (method: string, request: object): Promise<never> | Promise<void> => {
    calls.push({ method, args: request as Record<string, unknown> });
    const b = behaviour.get(method) ?? "ok";
    if (b === "hang") return new Promise<never>(() => {});
    if (b instanceof Error) return Promise.reject(b);
    return Promise.resolve();
  };
  const connector: Connector = {
    name: "recording",
    capabilities,
    reasons: REASONS,
    start(c) {
      ctx = c;
      c.setLink("connected");
    },
    stop() {},
    login: async (r) => {
      await respond("login", r);
      ctx.setAgent({ state: "not_ready", reason: "lunch", agentId: r.agentId ?? "agent-1" });
    },
    logout: async (r) => {
      await respond("logout", r);
      ctx.setAgent({ state: "logged_out" });
    },
    setAgentState: async (r) => {
      await respond("setAgentState", r);
      ctx.setAgent({ state: r.reason.state, reason: r.reason });
    },
    dial: async (r) => {
      await respond("dial", r);
      const callId = `out-${++counter}`;
      ctx.upsertCall({ id: callId, state: "dialing", direction: "outbound", to: r.destination });
      return { callId };
    },
    // Like a vendor, it reports the change a request made (the desktop waits for it).
    answer: async (r) => {
      await respond("answer", r);
      ctx.upsertCall({ id: r.call.id, state: "connected" });
    },
    reject: async (r) => {
      await respond("reject", r);
      ctx.upsertCall({ id: r.call.id, state: "ended", endReason: "rejected" });
    },
    hangup: async (r) => {
      await respond("hangup", r);
      ctx.upsertCall({ id: r.call.id, state: "ended", endReason: "local_hangup" });
    },
    hold: async (r) => {
      await respond("hold", r);
      ctx.upsertCall({ id: r.call.id, state: "held" });
    },
    resume: async (r) => {
      await respond("resume", r);
      ctx.upsertCall({ id: r.call.id, state: "connected" });
    },
    mute: async (r) => {
      await respond("mute", r);
      ctx.upsertCall({ id: r.call.id, state: r.call.state, muted: true });
    },
    unmute: async (r) => {
      await respond("unmute", r);
      ctx.upsertCall({ id: r.call.id, state: r.call.state, muted: false });
    },
    sendDtmf: (r) => respond("sendDtmf", r),
    blindTransfer: async (r) => {
      await respond("blindTransfer", r);
      ctx.upsertCall({ id: r.call.id, state: "ended", endReason: "transferred" });
    },
    consult: async (r) => {
      await respond("consult", r);
      return { callId: `consult-${++counter}` };
    },
    completeTransfer: async (r) => {
      await respond("completeTransfer", r);
      for (const c of [r.consultCall, r.call]) ctx.upsertCall({ id: c.id, state: "ended", endReason: "transferred" });
    },
    conference: async (r) => {
      await respond("conference", r);
      ctx.upsertCall({ id: r.consultCall.id, state: "ended", endReason: "merged" });
    },
    swap: (r) => respond("swap", r),
    dropParty: async (r) => {
      await respond("dropParty", r);
      ctx.upsertCall({ id: r.call.id, state: r.call.state, parties: r.call.parties.map((p) => (p.id === r.party.id ? { ...p, state: "disconnected" } : p)) });
    },
    completeWrapUp: async (r) => {
      await respond("completeWrapUp", r);
      ctx.upsertCall({ id: r.call.id, state: "ended" });
    },
    pauseRecording: async (r) => {
      await respond("pauseRecording", r);
      ctx.upsertCall({ id: r.call.id, state: r.call.state, recording: "paused" });
    },
    resumeRecording: async (r) => {
      await respond("resumeRecording", r);
      ctx.upsertCall({ id: r.call.id, state: r.call.state, recording: "active" });
    },
    monitor: async (r) => {
      await respond("monitor", r);
      const callId = `monitor-${++counter}`;
      ctx.upsertCall({ id: callId, state: "connected", direction: "monitor", monitorMode: r.mode, to: r.target });
      return { callId };
    },
    setMonitorMode: async (r) => {
      await respond("setMonitorMode", r);
      ctx.upsertCall({ id: r.call.id, state: r.call.state, monitorMode: r.mode });
    },
    // Like a connector with the toolkit's device watcher: reports the new choice.
    selectAudioDevice: async (r) => {
      await respond("selectAudioDevice", r);
      audio = { ...audio, [r.use]: r.device.id };
      ctx.setAudioDevices(audio);
    },
  };
  return {
    connector,
    calls,
    /** Reports a device list (kept for selectAudioDevice's reports). */
    setAudio(next: AudioDevices): void {
      ctx.setAudioDevices((audio = next));
    },
    behaviour,
    get ctx() {
      return ctx;
    },
    methods: () => calls.map((c) => c.method),
  };
}

/** The CtiError a request rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejection(p: Promise<unknown>): Promise<CtiError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CtiError);
    return err as CtiError;
  }
  throw new Error("expected the request to be refused");
}
