// Audio devices in the contract (issue 15): the list and the ones in use, the
// audio.changed event, and selectAudioDevice's checks.
import { describe, expect, it } from "vitest";
import { createDesktop, type AudioDevices, type DesktopEvent } from "../src/index.js";
import { ALL_CAPABILITIES, recordingConnector } from "./recording-connector.js";
import { schemaProblems } from "./schema-validator.js";

const LIST: AudioDevices = {
  devices: [
    { id: "default", label: "Default microphone", kind: "input" },
    { id: "mic-headset", label: "Jabra Evolve2 65", kind: "input" },
    { id: "default-out", label: "Default speakers", kind: "output" },
    { id: "out-headset", label: "Jabra Evolve2 65", kind: "output" },
  ],
  input: "default",
  output: "default-out",
};

function setUp(capabilities = ALL_CAPABILITIES) {
  const rec = recordingConnector(capabilities);
  const desktop = createDesktop({ connector: rec.connector, requestTimeoutMs: 200 });
  const events: DesktopEvent[] = [];
  desktop.on("*", (e) => events.push(e));
  return { rec, desktop, events };
}

describe("audio devices", () => {
  it("are empty until reported; a report is one audio.changed (valid against the schema), a repeat none", () => {
    const { rec, desktop, events } = setUp();
    expect(desktop.snapshot().audio).toEqual({ devices: [] });
    rec.setAudio(LIST);
    rec.setAudio({ ...LIST, devices: LIST.devices.map((d) => ({ ...d })) });
    const changed = events.filter((e) => e.type === "audio.changed");
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ audio: LIST, previous: { devices: [] } });
    expect(schemaProblems(changed[0]!)).toEqual([]);
    expect(desktop.snapshot().audio).toEqual(LIST);
  });

  it("copies known fields only and refuses a bad list whole, as INVALID_VENDOR_EVENT", () => {
    const { rec, desktop, events } = setUp();
    rec.setAudio({ ...LIST, devices: [{ ...LIST.devices[0]!, groupId: "secret-group" } as never] });
    expect(JSON.stringify(desktop.snapshot().audio)).not.toContain("secret-group");
    const before = desktop.snapshot().audio;
    const bad = [
      null,
      { devices: "no" },
      { devices: [{ id: "", label: "x", kind: "input" }] },
      { devices: [{ id: "a", label: "", kind: "input" }] },
      { devices: [{ id: "a", label: "A", kind: "videoinput" }] },
      { devices: [], input: 42 },
      { devices: Array.from({ length: 65 }, (_, i) => ({ id: `d${i}`, label: "D", kind: "input" })) },
    ];
    for (const b of bad) rec.setAudio(b as never);
    expect(events.filter((e) => e.type === "error").map((e) => e.type === "error" && e.code)).toEqual(bad.map(() => "INVALID_VENDOR_EVENT"));
    expect(desktop.snapshot().audio).toBe(before);
  });

  it("selectAudioDevice works logged out, reaches the connector with the device, and resolves once the snapshot shows it", async () => {
    const { rec, desktop } = setUp();
    rec.setAudio(LIST);
    expect(desktop.snapshot().agent.state).toBe("logged_out");
    await desktop.selectAudioDevice("input", "mic-headset");
    expect(rec.calls.at(-1)).toMatchObject({ method: "selectAudioDevice", args: { use: "input", device: LIST.devices[1] } });
    expect(desktop.snapshot().audio.input).toBe("mic-headset");
    // The ringer is an output device.
    await desktop.selectAudioDevice("ringer", "default-out");
    expect(desktop.snapshot().audio).toMatchObject({ input: "mic-headset", output: "default-out", ringer: "default-out" });
    // Already in use: nothing asked.
    const asked = rec.calls.length;
    await desktop.selectAudioDevice("input", "mic-headset");
    expect(rec.calls).toHaveLength(asked);
  });

  it("switches two uses at once (one request per use in flight), but not the same use twice", async () => {
    const { rec, desktop } = setUp();
    rec.setAudio(LIST);
    rec.behaviour.set("selectAudioDevice", "hang");
    const input = desktop.selectAudioDevice("input", "mic-headset");
    const output = desktop.selectAudioDevice("output", "out-headset");
    await expect(desktop.selectAudioDevice("input", "mic-headset")).rejects.toMatchObject({ code: "INVALID_STATE" });
    expect(rec.calls.filter((c) => c.method === "selectAudioDevice").map((c) => c.args.use)).toEqual(["input", "output"]);
    await Promise.all([input, output].map((p) => p.catch(() => undefined)));
  });

  it("refuses unknown devices, a device of the wrong kind, an unknown use, and connectors without the capability", async () => {
    const { rec, desktop } = setUp();
    rec.setAudio(LIST);
    for (const [use, id] of [
      ["input", "nope"],
      ["input", "out-headset"],
      ["ringer", "mic-headset"],
      ["speaker", "out-headset"],
    ] as const)
      await expect(desktop.selectAudioDevice(use as never, id)).rejects.toMatchObject({ code: "INVALID_ARGUMENT", request: "selectAudioDevice" });
    const without = setUp(ALL_CAPABILITIES.filter((c) => c !== "audioDevices"));
    await expect(without.desktop.selectAudioDevice("input", "default")).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    expect(rec.calls.filter((c) => c.method === "selectAudioDevice")).toEqual([]);
  });
});

describe("resume (a tab taking over)", () => {
  it("carries on from another desktop's snapshot: calls kept without events, seq continued, link connecting until the connector reports", async () => {
    const first = setUp();
    await first.desktop.login({ agentId: "a1" });
    first.rec.setAudio(LIST);
    first.rec.ctx.upsertCall({ id: "c1", state: "connected", direction: "inbound", from: "+15550100" });
    const snapshot = first.desktop.snapshot();
    const seq = first.events.at(-1)!.seq;

    const rec = recordingConnector();
    const start = rec.connector.start;
    // A connector that reports the same call at its first sync, before it says the link is up.
    rec.connector.start = (ctx) => {
      ctx.sync({ calls: [{ id: "c1", state: "connected", direction: "inbound", from: "+15550100" }], agent: { state: "not_ready", reason: "lunch", agentId: "a1" } });
      return start(ctx);
    };
    const desktop = createDesktop({ connector: rec.connector, resume: { seq, snapshot } });
    const events = desktop.events();
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [seq + 1, "link.changed"],
      [seq + 2, "link.changed"],
    ]);
    expect(events[0]).toMatchObject({ link: "connecting", previous: "connected" });
    expect(desktop.snapshot()).toMatchObject({ link: "connected", agent: snapshot.agent, audio: LIST });
    expect(desktop.getCall("c1")).toEqual(first.desktop.getCall("c1"));
    // Requests work on the carried call.
    await desktop.hold("c1");
    expect(desktop.getCall("c1")?.state).toBe("held");
  });

  it("a connector that knows nothing of the other tab's session (no sync at start): at link-up the carried calls end lost and the agent is logged out", async () => {
    const first = setUp();
    await first.desktop.login({ agentId: "a1" });
    first.rec.ctx.upsertCall({ id: "c1", state: "connected", direction: "inbound" });
    first.rec.ctx.upsertCall({ id: "c2", state: "ringing", direction: "inbound" });
    const snapshot = first.desktop.snapshot();
    const rec = recordingConnector();
    const start = rec.connector.start;
    // It reports one of the calls (its SDK still knows it), then the link.
    rec.connector.start = (ctx) => {
      ctx.setLink("connecting");
      ctx.upsertCall({ id: "c2", state: "ringing" });
      return start(ctx);
    };
    const desktop = createDesktop({ connector: rec.connector, resume: { seq: 10, snapshot } });
    const ended = desktop.events().filter((e) => e.type === "call.ended");
    expect(ended.map((e) => e.type === "call.ended" && [e.call.id, e.call.endReason])).toEqual([["c1", "lost"]]);
    expect(desktop.snapshot().calls.map((c) => c.id)).toEqual(["c2"]);
    expect(desktop.snapshot().agent.state).toBe("logged_out");
    // Logging in works again.
    await desktop.login({ agentId: "a1" });
    expect(desktop.snapshot().agent.state).toBe("not_ready");
  });
});
