/**
 * The connector's reconnect logic on a flapping link, through the stack seam: which refresh failure ends a
 * call. A fake stack drives it deterministically (the lab cannot: a re-INVITE cut short by a drop keeps
 * sip.js's transaction open for 32 s). The same logic against Kamailio and SIPp is in test/sip.test.ts.
 */
import { createDesktop } from "@opencti/core";
import { createRecordedDesktop } from "@opencti/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSipConnector } from "./connector.js";
import type { SipConnectorOptions } from "./options.js";
import { SipFailure, type SipLine, type StackEvents, type StackFactory } from "./stack.js";

const never = (): Promise<never> => Promise.reject(new Error("not in this test"));

function fakeStack(options: { register?: () => Promise<void> } = {}) {
  let events: StackEvents | undefined;
  let connected = true;
  const refreshes: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  let hangups = 0;
  /** The getUserMedia constraints each INVITE and answer carried, and the tracks put on the line. */
  const microphones: (MediaStreamConstraints | undefined)[] = [];
  const inputs: MediaStreamTrack[] = [];
  /** The tracks put on each line, by its Call-ID. */
  const inputsOf = new Map<string, MediaStreamTrack[]>();
  const makeLine = (callId: string): SipLine => {
    const line: SipLine = {
      callId,
      direction: "outbound",
      remote: { user: "200", uri: "sip:200@lab" },
      headers: [],
      events: { onRinging() {}, onEarlyMedia() {}, onConnected() {}, onLocalHold() {}, onRemoteHold() {}, onIceState() {}, onEnded() {} },
      cancelled: false,
      accept: never,
      reject: never,
      abandon: never,
      hold(on) {
        line.events.onLocalHold(on);
        return Promise.resolve();
      },
      sendInfoDtmf: never,
      sendRecordInfo: never,
      refer: never,
      hangup() {
        hangups++;
        line.events.onEnded({ by: "local" });
        return Promise.resolve();
      },
      refresh: () => new Promise<void>((resolve, reject) => refreshes.push({ resolve, reject })),
      mute() {},
      hasInput: () => true,
      replaceInput(track) {
        inputs.push(track);
        inputsOf.set(callId, [...(inputsOf.get(callId) ?? []), track]);
        return Promise.resolve();
      },
      remoteStream: () => undefined,
      sendRtpDtmf: () => true,
    };
    return line;
  };
  /** The lines the INVITEs made, in order (the first one is made up front). */
  const lines = [makeLine("call-1")];
  const line = lines[0]!;
  /** While set, an INVITE is not sent yet (sip.js's invite still opening the microphone). */
  let inviting: Promise<void> | undefined;
  const holdInvites = () => {
    let release = (): void => {};
    inviting = new Promise<void>((r) => (release = r));
    return () => {
      inviting = undefined;
      release();
    };
  };
  const factory: StackFactory = (_options, e) => {
    events = e;
    return {
      connect: () => Promise.resolve(),
      reconnect: () => Promise.resolve(void (connected = true)),
      isConnected: () => connected,
      register: options.register ?? (() => Promise.resolve()),
      unregister: () => Promise.resolve(),
      async invite(_target, _headers, microphone) {
        const n = microphones.push(microphone);
        if (n > lines.length) lines.push(makeLine(`call-${n}`));
        await inviting;
        return lines[n - 1]!;
      },
      targetUri: (t) => `sip:${t}@lab`,
      stop: () => Promise.resolve(),
    };
  };
  const drop = (): void => {
    connected = false;
    events?.onDisconnected(new Error("the WebSocket closed"));
  };
  return { factory, line, lines, holdInvites, refreshes, drop, microphones, inputs, inputsOf, hangups: () => hangups };
}

const desktops: { destroy(): Promise<void> }[] = [];
afterEach(async () => Promise.all(desktops.splice(0).map((d) => d.destroy())));

/** A desktop on the fake stack with one connected outbound call; `options` go to the connector. */
async function connectedCall(options: Partial<SipConnectorOptions> = {}) {
  const stack = fakeStack();
  const recorded = createRecordedDesktop(createSipConnector({ server: "ws://127.0.0.1:1", uri: "sip:1001@lab", reconnectDelaysMs: [0], ...options }, stack.factory));
  desktops.push(recorded.desktop);
  await recorded.connected();
  await recorded.desktop.login();
  const id = await recorded.desktop.dial("200");
  stack.line.events.onConnected();
  await recorded.waitFor(() => recorded.desktop.getCall(id)?.state === "connected");
  /** Drops the link and waits until the reconnect refreshed the call again. */
  const flap = async (): Promise<void> => {
    const refreshed = stack.refreshes.length;
    stack.drop();
    await recorded.waitFor(() => stack.refreshes.length === refreshed + 1 && recorded.desktop.snapshot().link === "connected");
  };
  return { ...recorded, stack, id, flap };
}

it("a refresh the link's next drop cut short does not end the call: the refresh after that reconnect decides", async () => {
  const { desktop, stack, id, flap, waitFor, events } = await connectedCall();
  await flap();
  await flap(); // the link dropped again while the first refresh was out, and came back
  stack.refreshes[0]!.reject(new SipFailure("The refresh re-INVITE was abandoned", 0));
  stack.refreshes[1]!.resolve();
  await new Promise((r) => setTimeout(r, 20)); // both settled (microtasks) with room to spare
  expect(desktop.getCall(id)?.state).toBe("connected");
  expect(stack.hangups()).toBe(0);
  expect(events.some((e) => e.type === "call.ended")).toBe(false);
  // A refresh on the current connection that fails still ends the call lost.
  await flap();
  stack.refreshes[2]!.reject(new SipFailure("The far end refused the refresh re-INVITE (481 )", 481));
  await waitFor(() => desktop.getCall(id)?.state === "wrapup");
  expect(desktop.getCall(id)).toMatchObject({ endReason: "lost", failure: { code: "LINK_DOWN", vendorCode: "481" } });
});

it("offers the directory from its options in the desktop's snapshot", async () => {
  const stack = fakeStack();
  const directory = [{ id: "200", label: "Support desk", kind: "number", destination: "sip:200@lab" }] as const;
  const recorded = createRecordedDesktop(createSipConnector({ server: "ws://127.0.0.1:1", uri: "sip:1001@lab", reconnectDelaysMs: [0], directory }, stack.factory));
  desktops.push(recorded.desktop);
  await recorded.connected();
  expect(recorded.desktop.snapshot().directory).toEqual(directory);
});

it("with wrapUpLimitMs, a call in wrap-up says when it ends (wrapUpEndsAt) and ends then on its own", async () => {
  const { id, ...recorded } = await connectedCall({ wrapUpLimitMs: 200 });
  const hungUp = Date.now();
  await recorded.desktop.hangup(id);
  await recorded.waitFor(() => recorded.desktop.getCall(id)?.state === "wrapup");
  const endsAt = recorded.desktop.getCall(id)!.wrapUpEndsAt!;
  expect(endsAt - hungUp).toBeGreaterThanOrEqual(190);
  expect(endsAt - hungUp).toBeLessThan(1000);
  await recorded.waitFor(() => recorded.desktop.getCall(id) === undefined);
  expect(Date.now() - hungUp).toBeGreaterThanOrEqual(190);
  expect(recorded.events.find((e) => e.type === "call.ended")).toMatchObject({ call: { id, endReason: "local_hangup", wrapUpEndsAt: endsAt } });
  // The agent is back from after-call work.
  await recorded.waitFor(() => recorded.desktop.snapshot().agent.state !== "after_call_work");
});

it("with wrapUpLimitMs, destroying the desktop on a live call leaves no wrap-up timer behind", async () => {
  const { id, ...recorded } = await connectedCall({ wrapUpLimitMs: 100 });
  // The stop hangs the call up (it goes to wrap-up as it ends), then no timer may end it later.
  await recorded.desktop.destroy();
  const after = recorded.desktop.getCall(id);
  await new Promise((r) => setTimeout(r, 250));
  expect(recorded.desktop.getCall(id)).toEqual(after);
  expect(after?.wrapUpEndsAt).toBeUndefined();
});

describe("audio devices through the stack seam (Node: a given device list, no setSinkId)", () => {
  /** A device list as navigator.mediaDevices gives it; `unplug` removes one and fires devicechange (a headset pulled out). */
  function deviceList() {
    const target = new EventTarget();
    let listed = [
      { kind: "audioinput", deviceId: "default", label: "Default microphone" },
      { kind: "audioinput", deviceId: "headset-mic", label: "Headset microphone" },
      { kind: "audiooutput", deviceId: "default", label: "Default speakers" },
      { kind: "audiooutput", deviceId: "headset", label: "Headset" },
    ];
    const opened: MediaStreamConstraints[] = [];
    let refuse: Error | undefined;
    /** Refuses the getUserMedia calls it returns an error for. */
    let refuseWhen: ((constraints: MediaStreamConstraints) => Error | undefined) | undefined;
    /** While set, getUserMedia waits for it (a permission prompt, a slow device). */
    let gate: Promise<void> | undefined;
    let waiting = 0;
    const media = {
      enumerateDevices: () => Promise.resolve(listed as MediaDeviceInfo[]),
      addEventListener: target.addEventListener.bind(target),
      removeEventListener: target.removeEventListener.bind(target),
      async getUserMedia(constraints: MediaStreamConstraints) {
        if (gate) {
          waiting++;
          await gate;
          waiting--;
        }
        const refused = refuse ?? refuseWhen?.(constraints);
        if (refused) return Promise.reject(refused);
        opened.push(constraints);
        const track = { kind: "audio", constraints, stop() {} } as unknown as MediaStreamTrack;
        return Promise.resolve({ getTracks: () => [track] } as unknown as MediaStream);
      },
    };
    return {
      media,
      opened,
      refuseWith: (e: Error | undefined) => void (refuse = e),
      refuseWhen: (fn: typeof refuseWhen) => void (refuseWhen = fn),
      waiting: () => waiting,
      /** getUserMedia waits until the returned function is called. */
      hold() {
        let release = (): void => {};
        gate = new Promise<void>((r) => (release = r));
        return () => {
          gate = undefined;
          release();
        };
      },
      unplug(id: string) {
        listed = listed.filter((d) => d.deviceId !== id);
        target.dispatchEvent(new Event("devicechange"));
      },
    };
  }

  async function onDevices() {
    const stack = fakeStack();
    const devices = deviceList();
    const recorded = createRecordedDesktop(createSipConnector({ server: "ws://127.0.0.1:1", uri: "sip:1001@lab", reconnectDelaysMs: [0], mediaDevices: devices.media }, stack.factory));
    desktops.push(recorded.desktop);
    await recorded.connected();
    await recorded.waitFor(() => recorded.desktop.snapshot().audio.devices.length === 4);
    return { ...recorded, stack, devices };
  }

  it("claims audioDevices only where a device list exists", () => {
    expect(createSipConnector({ server: "ws://127.0.0.1:1", uri: "sip:1001@lab" }, fakeStack().factory).capabilities).not.toContain("audioDevices");
    expect(createSipConnector({ server: "ws://127.0.0.1:1", uri: "sip:1001@lab", mediaDevices: deviceList().media }, fakeStack().factory).capabilities).toContain("audioDevices");
  });

  it("lists the devices, opens new calls' microphone with the chosen input (exact deviceId), records the ringer, refuses an output without setSinkId", async () => {
    const { desktop, stack } = await onDevices();
    expect(desktop.snapshot().audio).toMatchObject({ input: "default", output: "default", ringer: "default" });
    await desktop.selectAudioDevice("input", "headset-mic"); // logged out: allowed
    await desktop.selectAudioDevice("ringer", "headset");
    expect(desktop.snapshot().audio).toMatchObject({ input: "headset-mic", ringer: "headset" });
    const output = await desktop.selectAudioDevice("output", "headset").catch((e: unknown) => e);
    expect(output).toMatchObject({ code: "NOT_SUPPORTED" });
    expect(desktop.snapshot().audio.output).toBe("default");
    await desktop.login();
    await desktop.dial("200");
    expect(stack.microphones).toEqual([{ audio: { deviceId: { exact: "headset-mic" } } }]);
  });

  it("on a live call a new input is a new getUserMedia track on the line; a refusal is MEDIA_PERMISSION_DENIED and keeps the input in use", async () => {
    const { desktop, stack, devices } = await onDevices();
    await desktop.login();
    await desktop.dial("200");
    stack.line.events.onConnected();
    await desktop.selectAudioDevice("input", "headset-mic");
    expect(devices.opened).toEqual([{ audio: { deviceId: { exact: "headset-mic" } } }]);
    expect(stack.inputs).toHaveLength(1);
    devices.refuseWith(new DOMException("Permission denied", "NotAllowedError"));
    await expect(desktop.selectAudioDevice("input", "default")).rejects.toMatchObject({ code: "MEDIA_PERMISSION_DENIED" });
    expect(desktop.snapshot().audio.input).toBe("headset-mic");
    devices.refuseWith(undefined);
  });

  it("a device in use unplugged mid-call: the live call gets the default microphone, with an AUDIO_DEVICE_LOST warning", async () => {
    const { desktop, stack, devices, events, waitFor } = await onDevices();
    await desktop.login();
    await desktop.dial("200");
    stack.line.events.onConnected();
    await desktop.selectAudioDevice("input", "headset-mic");
    devices.unplug("headset-mic");
    await waitFor(() => events.some((e) => e.type === "warning" && e.code === "AUDIO_DEVICE_LOST"));
    expect(desktop.snapshot().audio.input).toBe("default");
    expect(devices.opened.at(-1)).toEqual({ audio: { deviceId: { exact: "default" } } });
    expect(stack.inputs).toHaveLength(2);
  });

  const DENIED = () => new DOMException("Permission denied", "NotAllowedError");
  const HEADSET = { audio: { deviceId: { exact: "headset-mic" } } };
  const exact = (c: MediaStreamConstraints) => (c.audio as { deviceId?: { exact?: string } }).deviceId?.exact;
  const constraintsOf = (tracks: MediaStreamTrack[] | undefined) => (tracks ?? []).map((t) => (t as unknown as { constraints: MediaStreamConstraints }).constraints);

  /** Two calls: the first held, the second connected, both opened on the browser's default microphone. */
  async function twoCalls() {
    const setup = await onDevices();
    const { desktop, stack, waitFor } = setup;
    await desktop.login();
    const first = await desktop.dial("200");
    stack.line.events.onConnected();
    await waitFor(() => desktop.getCall(first)?.state === "connected");
    await desktop.hold(first);
    const second = await desktop.dial("201");
    stack.lines[1]!.events.onConnected();
    await waitFor(() => desktop.getCall(second)?.state === "connected");
    expect(stack.microphones).toEqual([undefined, undefined]); // nothing chosen yet: the browser's default
    return { ...setup, first, second };
  }

  it("a call dialled while an input is being selected opens the new microphone (the choice is in place before the live calls are walked)", async () => {
    const { desktop, stack, devices, waitFor } = await onDevices();
    await desktop.login();
    const first = await desktop.dial("200");
    stack.line.events.onConnected();
    await waitFor(() => desktop.getCall(first)?.state === "connected");
    await desktop.hold(first);
    const release = devices.hold();
    const selected = desktop.selectAudioDevice("input", "headset-mic");
    await waitFor(() => devices.waiting() === 1); // the first call's new track is being opened
    await desktop.dial("201");
    expect(stack.microphones).toEqual([undefined, HEADSET]);
    release();
    await selected;
    expect(desktop.snapshot().audio.input).toBe("headset-mic");
    expect(constraintsOf(stack.inputsOf.get("call-1"))).toEqual([HEADSET]);
    expect(stack.inputsOf.get("call-2")).toBeUndefined(); // it opened the headset already: not switched again
  });

  it("a call whose INVITE was on its way with the old microphone is moved to the chosen one: after the selection, or by the walk still in progress", async () => {
    const { desktop, stack, devices, waitFor, second } = await twoCalls();
    await desktop.hold(second);
    // The third call's getUserMedia (inside sip.js's invite) ran before the choice: it holds the old microphone.
    const sendInvite = stack.holdInvites();
    const third = desktop.dial("202");
    await waitFor(() => stack.microphones.length === 3);
    const release = devices.hold();
    const selected = desktop.selectAudioDevice("input", "headset-mic");
    await waitFor(() => devices.waiting() === 1); // the walk is switching the first call
    sendInvite(); // the third call is there now, opened on the default: the walk must find it
    await third;
    release();
    await selected;
    expect(stack.microphones[2]).toBeUndefined();
    expect(constraintsOf(stack.inputsOf.get("call-3"))).toEqual([HEADSET]);
    expect(constraintsOf(stack.inputsOf.get("call-1"))).toEqual([HEADSET]);
    expect(constraintsOf(stack.inputsOf.get("call-2"))).toEqual([HEADSET]);
    // One more whose INVITE outlives the whole selection: moved as soon as it is there.
    await desktop.hangup(await third);
    const sendFourth = stack.holdInvites();
    await desktop.selectAudioDevice("input", "default");
    const fourth = desktop.dial("203");
    await waitFor(() => stack.microphones.length === 4);
    expect(stack.microphones[3]).toEqual({ audio: { deviceId: { exact: "default" } } });
    await desktop.selectAudioDevice("input", "headset-mic"); // the fourth call is not there yet
    sendFourth();
    await fourth;
    await waitFor(() => constraintsOf(stack.inputsOf.get("call-4")).length === 1);
    expect(constraintsOf(stack.inputsOf.get("call-4"))).toEqual([HEADSET]);
  });

  it("a partial failure rolls back: the second call's microphone refused, the first call goes back to its microphone, the input in use stays", async () => {
    const { desktop, stack, devices, events } = await twoCalls();
    let headsets = 0;
    devices.refuseWhen((c) => (exact(c) === "headset-mic" && ++headsets === 2 ? DENIED() : undefined));
    await expect(desktop.selectAudioDevice("input", "headset-mic")).rejects.toMatchObject({ code: "MEDIA_PERMISSION_DENIED" });
    expect(desktop.snapshot().audio.input).toBe("default");
    // The held call had switched: it is back on the browser's default (what it was opened with).
    expect(constraintsOf(stack.inputsOf.get("call-1"))).toEqual([HEADSET, { audio: true }]);
    expect(stack.inputsOf.get("call-2")).toBeUndefined();
    expect(events.some((e) => e.type === "warning")).toBe(false);
    devices.refuseWhen(undefined);
  });

  it("a call that cannot go back keeps the new microphone and says so (AUDIO_INPUT_NOT_RESTORED on that call)", async () => {
    const { desktop, stack, devices, events, first } = await twoCalls();
    let headsets = 0;
    devices.refuseWhen((c) => (c.audio === true || (exact(c) === "headset-mic" && ++headsets === 2) ? DENIED() : undefined));
    await expect(desktop.selectAudioDevice("input", "headset-mic")).rejects.toMatchObject({ code: "MEDIA_PERMISSION_DENIED" });
    expect(desktop.snapshot().audio.input).toBe("default");
    expect(constraintsOf(stack.inputsOf.get("call-1"))).toEqual([HEADSET]);
    expect(events.filter((e) => e.type === "warning")).toMatchObject([{ code: "AUDIO_INPUT_NOT_RESTORED", callId: first }]);
    devices.refuseWhen(undefined);
  });
});

it("declares recordingControl only with the recording option, and each monitoring mode only when its configuration reaches it", () => {
  const caps = (options: Partial<SipConnectorOptions>) => createSipConnector({ server: "ws://127.0.0.1:1", uri: "sip:1001@lab", ...options }, fakeStack().factory).capabilities;
  const supervisor = ["recordingControl", "monitor", "whisper", "barge"];
  expect(caps({}).filter((c) => supervisor.includes(c))).toEqual([]);
  // Listed in `capabilities` is not enough: SIP cannot say, the options must.
  expect(caps({ capabilities: ["dial", "recordingControl", "monitor"] })).toEqual(["dial"]);
  expect(caps({ recording: "on-demand" })).toContain("recordingControl");
  expect(caps({ recording: "always", capabilities: ["dial"] })).toEqual(["dial"]);
  expect(caps({ monitor: { prefix: "*222" } }).filter((c) => supervisor.includes(c))).toEqual(["monitor"]);
  expect(caps({ monitor: { prefix: "*222", digits: { whisper: "5" } } }).filter((c) => supervisor.includes(c))).toEqual(["monitor", "whisper"]);
  expect(caps({ monitor: { prefixes: { whisper: "*223", barge: "*224" } } }).filter((c) => supervisor.includes(c))).toEqual([]); // no monitor: no session can start
  expect(caps({ monitor: { prefixes: { monitor: "*222", barge: "*224" } } }).filter((c) => supervisor.includes(c))).toEqual(["monitor", "barge"]);
  expect(caps({ monitor: { prefix: "*222", initialMode: "barge", digits: { monitor: "4" } } }).filter((c) => supervisor.includes(c))).toEqual(["monitor", "barge"]);
});

it("declares transcripts only with an agent stream (SIP itself carries none)", () => {
  const caps = (options: Partial<SipConnectorOptions>) => createSipConnector({ server: "ws://127.0.0.1:1", uri: "sip:1001@lab", ...options }, fakeStack().factory).capabilities;
  const agentStream = { url: () => Promise.resolve("http://127.0.0.1:1/events?ticket=t") };
  expect(caps({})).not.toContain("transcripts");
  expect(caps({ capabilities: ["dial", "transcripts"] })).toEqual(["dial"]);
  expect(caps({ agentStream })).toContain("transcripts");
  expect(caps({ agentStream, capabilities: ["dial"] })).toEqual(["dial"]);
});

// The agent-stream follower's lifetime: from login to logout, never past a stop or a logout the registrar forced.
// A counting EventSource stands in for the browser's (the wire itself is tested in core and the lab).
describe("transcripts (agentStream)", () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  class CountingEventSource {
    static open = 0;
    onopen = null;
    onerror = null;
    constructor() {
      CountingEventSource.open++;
    }
    addEventListener() {}
    close() {
      CountingEventSource.open--;
    }
  }
  const agentStream = { url: () => Promise.resolve("http://127.0.0.1:1/events?ticket=t") };

  let saved: unknown;
  beforeEach(() => {
    saved = (globalThis as { EventSource?: unknown }).EventSource;
    (globalThis as { EventSource?: unknown }).EventSource = CountingEventSource;
    CountingEventSource.open = 0;
  });
  afterEach(() => {
    (globalThis as { EventSource?: unknown }).EventSource = saved;
  });

  it("follows from login to logout", async () => {
    const desktop = createDesktop({ connector: createSipConnector({ server: "ws://127.0.0.1:1", uri: "sip:1001@lab", agentStream }, fakeStack().factory) });
    await sleep(20);
    await desktop.login();
    await sleep(20);
    expect(CountingEventSource.open).toBe(1);
    await desktop.logout();
    expect(CountingEventSource.open).toBe(0);
    await desktop.destroy();
  });

  it("a login whose REGISTER completes after the stop follows nothing", async () => {
    const desktop = createDesktop({ connector: createSipConnector({ server: "ws://127.0.0.1:1", uri: "sip:1001@lab", agentStream }, fakeStack({ register: () => sleep(200).then(() => undefined) }).factory) });
    await sleep(20);
    const login = desktop.login().catch((e: unknown) => e);
    await sleep(50);
    await desktop.destroy(); // stop() while the REGISTER is under way
    await login;
    await sleep(300);
    expect(CountingEventSource.open).toBe(0);
  });

  it("the registrar refusing a re-REGISTER (AUTH_FAILED) logs the agent out and stops following", async () => {
    let registers = 0;
    const s = fakeStack({ register: () => (++registers === 1 ? Promise.resolve() : Promise.reject(new SipFailure("Forbidden", 403))) });
    const desktop = createDesktop({ connector: createSipConnector({ server: "ws://127.0.0.1:1", uri: "sip:1001@lab", agentStream, reconnectDelaysMs: [0] }, s.factory) });
    await sleep(20);
    await desktop.login();
    await sleep(20);
    expect(CountingEventSource.open).toBe(1);
    s.drop();
    await sleep(300);
    expect(desktop.snapshot().agent.state).toBe("logged_out");
    expect(CountingEventSource.open).toBe(0);
    await desktop.destroy();
  });
});
