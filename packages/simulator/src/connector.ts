/**
 * The simulator's connector: the reference implementation of the connector
 * contract. This file holds its lifecycle (connect, reconnect with backoff,
 * resync from a full snapshot) and its requests; the server's messages are
 * read by mapping.ts and its refusals by errors.ts. Options: options.ts.
 */
import { CtiError, type Connector, type ConnectorContext } from "@opencti/core";
import { createBackoff, guard, waitFor, watchAudioDevices, type AudioDeviceWatcher } from "@opencti/core/connector";
import { createFakeMediaDevices } from "./devices.js";
import { serverError } from "./errors.js";
import { agentReasons, agentReport, aiSignal, LISTEN_FOR, serverMessage, syncReport, toCallReport } from "./mapping.js";
import { DEFAULTS, SIMULATOR_CAPABILITIES, type SimulatorConnectorOptions } from "./options.js";
import type { ClientRequest, Operation } from "./protocol.js";
import type { SimulatorServer } from "./server.js";

/** What the connector needs of a server: its agent states, its wire, and where it records the devices in use. */
export type SimulatorLink = Pick<SimulatorServer, "wire" | "audioInUse"> & { readonly options: Pick<SimulatorServer["options"], "agentStates"> };

/**
 * A connector for `server`: the in-memory SimulatorServer, or the part of it a
 * connector uses (`connectSimulator` gives one for a server behind a MessagePort).
 */
export function createSimulatorConnector(server: SimulatorLink, options: SimulatorConnectorOptions = {}): Connector {
  const reasons = agentReasons(server.options.agentStates);
  const delays = options.reconnectDelaysMs ?? DEFAULTS.reconnectDelaysMs;
  // An empty list still retries, every second.
  const backoff = createBackoff({ delaysMs: delays.length > 0 ? delays : [DEFAULTS.reconnectEveryMs] });
  let ctx: ConnectorContext | undefined;
  let connected = false;
  let stopped = false;
  let nextRequestId = 1;
  const pending = new Map<number, { resolve: (r: { callId?: string } | undefined) => void; reject: (e: CtiError) => void }>();
  const capabilities = options.capabilities ?? SIMULATOR_CAPABILITIES;
  // The agent's audio devices: the host's list (navigator.mediaDevices) or the fake one, one list for the connector's life.
  const mediaDevices = capabilities.includes("audioDevices") ? (options.mediaDevices ?? createFakeMediaDevices()) : undefined;
  let devices: AudioDeviceWatcher | undefined;

  // Whatever the server sends, nothing throws back into the wire: an unreadable message is INVALID_VENDOR_EVENT.
  const onMessage = guard(
    () => ctx,
    (raw: unknown): void => {
      const c = ctx;
      if (!c || stopped) return;
      const m = serverMessage(raw);
      switch (m.type) {
        case "agent":
          c.setAgent(agentReport(m.agent, reasons));
          break;
        case "call":
          c.upsertCall(toCallReport(m.call));
          break;
        case "snapshot":
          // The full state: the link is up once it is reported.
          c.sync(syncReport(m, reasons));
          connected = true;
          backoff.reset();
          c.setLink("connected");
          break;
        case "transcript":
        case "insight":
          c.signal(aiSignal(m));
          break;
        case "response": {
          const waiter = pending.get(m.requestId);
          if (!waiter) break; // answered after the desktop gave up
          pending.delete(m.requestId);
          if (m.ok) waiter.resolve(m.result);
          else waiter.reject(serverError(m.error));
          break;
        }
        default:
          throw new Error(`unknown message type ${JSON.stringify((raw as { type: unknown }).type)}`);
      }
    },
    { message: "The simulator sent a message the connector cannot read" },
  );

  function onClose(): void {
    if (stopped) return;
    connected = false;
    for (const [id, waiter] of pending) {
      pending.delete(id);
      waiter.reject(new CtiError("LINK_DOWN", "The connection to the simulator was lost before it answered."));
    }
    ctx?.setLink("reconnecting", "connection lost");
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (stopped) return;
    backoff.schedule(connect);
  }

  function connect(): void {
    if (stopped) return;
    if (!server.wire.connect(onMessage, onClose)) {
      scheduleReconnect();
      return;
    }
    // The snapshot message brings the full state and then the link is up.
    send("snapshot", {}).catch(() => {});
  }

  /** Settles with the server's response, or with REQUEST_TIMEOUT once the desktop gives up (a late response is dropped). */
  function send(op: Operation, args: Record<string, unknown>, signal?: AbortSignal): Promise<{ callId?: string } | undefined> {
    return waitFor<{ callId?: string } | undefined>(
      (resolve, reject) => {
        const requestId = nextRequestId++;
        pending.set(requestId, { resolve, reject });
        const request: ClientRequest = { type: "request", requestId, op, args };
        server.wire.send(request);
        return () => pending.delete(requestId);
      },
      signal,
      () => new CtiError("REQUEST_TIMEOUT", `The simulator did not answer ${op} in time.`, { request: op }),
    );
  }

  async function request(op: Operation, args: Record<string, unknown>, signal: AbortSignal): Promise<{ callId?: string } | undefined> {
    if (!connected) throw new CtiError("LINK_DOWN", "The simulator link is down.");
    return send(op, args, signal);
  }

  async function newCallId(op: Operation, args: Record<string, unknown>, signal: AbortSignal): Promise<{ callId: string }> {
    const result = await request(op, args, signal);
    if (typeof result?.callId !== "string") throw new CtiError("VENDOR_ERROR", `The simulator did not return a call id for ${op}.`);
    return { callId: result.callId };
  }

  /** Answer and dial open the (simulated) microphone first, as a browser softphone does. */
  function microphone(): void {
    if (options.microphone === "denied") throw new CtiError("MEDIA_PERMISSION_DENIED", "The browser refused access to the microphone.");
  }

  const onCall =
    (op: Operation) =>
    async ({ call, signal }: { call: { vendorCallId: string }; signal: AbortSignal }): Promise<void> => {
      await request(op, { callId: call.vendorCallId }, signal);
    };

  return {
    name: options.name ?? DEFAULTS.name,
    capabilities,
    reasons,
    ...(options.directory ? { directory: options.directory } : {}),
    start(context) {
      ctx = context;
      stopped = false;
      context.setLink("connecting");
      // The simulator has no media: applying a device only records it, after the browser's microphone check.
      if (mediaDevices)
        devices = watchAudioDevices({
          ctx: () => ctx,
          mediaDevices,
          // A promise either way (a refusal rejects, never throws at the watcher).
          apply: (use, device) =>
            Promise.resolve().then(() => {
              if (use === "input") microphone();
              server.audioInUse.set(use, device);
            }),
        });
      connect();
    },
    stop() {
      stopped = true;
      devices?.stop();
      devices = undefined;
      connected = false;
      backoff.cancel();
      server.wire.close();
      for (const [id, waiter] of pending) {
        pending.delete(id);
        waiter.reject(new CtiError("LINK_DOWN", "The connector was stopped."));
      }
    },
    login: async ({ agentId, password, initialState, signal }) => {
      await request("login", { agentId, password, initialState }, signal);
    },
    logout: async ({ signal }) => {
      await request("logout", {}, signal);
    },
    setAgentState: async ({ reason, signal }) => {
      await request("setState", { reasonCode: reason.id }, signal);
    },
    dial: async ({ destination, options: dialOptions, signal }) => {
      microphone();
      return newCallId("dial", { destination, data: dialOptions.data }, signal);
    },
    answer: async (request) => {
      microphone();
      await onCall("answer")(request);
    },
    reject: onCall("reject"),
    hangup: onCall("hangup"),
    hold: onCall("hold"),
    resume: onCall("resume"),
    mute: onCall("mute"),
    unmute: onCall("unmute"),
    sendDtmf: async ({ call, digits, signal }) => {
      await request("dtmf", { callId: call.vendorCallId, digits }, signal);
    },
    blindTransfer: async ({ call, destination, signal }) => {
      await request("blindTransfer", { callId: call.vendorCallId, destination }, signal);
    },
    consult: ({ call, destination, signal }) => newCallId("consult", { callId: call.vendorCallId, destination }, signal),
    completeTransfer: async ({ call, consultCall, signal }) => {
      await request("completeTransfer", { callId: call.vendorCallId, consultCallId: consultCall.vendorCallId }, signal);
    },
    conference: async ({ call, consultCall, signal }) => {
      await request("conference", { callId: call.vendorCallId, consultCallId: consultCall.vendorCallId }, signal);
    },
    swap: async ({ call, otherCall, signal }) => {
      await request("swap", { callId: call.vendorCallId, otherCallId: otherCall.vendorCallId }, signal);
    },
    dropParty: async ({ call, party, signal }) => {
      await request("dropParty", { callId: call.vendorCallId, legId: party.id }, signal);
    },
    completeWrapUp: async ({ call, wrapUp, signal }) => {
      await request("wrapUp", { callId: call.vendorCallId, ...wrapUp }, signal);
    },
    // Recording (reported back as the call's recorder) and supervisors' monitor sessions (listen modes, see mapping.ts).
    pauseRecording: onCall("pauseRecording"),
    resumeRecording: onCall("resumeRecording"),
    monitor: ({ target, mode, signal }) => newCallId("monitor", { target, listen: LISTEN_FOR[mode] }, signal),
    setMonitorMode: async ({ call, mode, signal }) => {
      await request("listen", { callId: call.vendorCallId, listen: LISTEN_FOR[mode] }, signal);
    },
    // Local to the agent's browser: no link or login needed.
    selectAudioDevice: async ({ use, device }) => {
      if (!devices) throw new CtiError("INVALID_STATE", "The simulator connector is not started.");
      await devices.select(use, device);
    },
  };
}
