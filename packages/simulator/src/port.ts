/**
 * The simulator's server behind a MessagePort, so one simulated CTI server
 * can serve every tab of an origin, as a real one does: run it in a
 * SharedWorker with `serveSimulator`, and connect each tab with
 * `connectSimulator`. This is what lets a demo (and the multi-tab tests of
 * `@opencti/core/tabs`) close the tab that owns the session and keep the call.
 *
 * ```ts
 * // worker.ts (new SharedWorker(new URL("./worker.ts", import.meta.url), { type: "module" }))
 * const server = new SimulatorServer();
 * onconnect = (e) => serveSimulator(server, e.ports[0]);
 * // a tab
 * const connector = connectSimulator(worker.port);
 * ```
 *
 * The server takes one connection at a time: the newest `connect` wins (with
 * `@opencti/core/tabs`, only the owner tab connects). Scripting from any tab:
 * `script(port, "ringInbound", { from: "+15550100" })`.
 */
import type { Connector } from "@opencti/core";
import { createSimulatorConnector } from "./connector.js";
import { DEFAULT_AGENT_STATES, type AgentStateOption, type SimulatorConnectorOptions } from "./options.js";
import type { ClientRequest, Wire } from "./protocol.js";
import type { SimulatorServer } from "./server.js";

/** The server methods a tab may call with `script` (the far end and the network, as the drawer drives them). */
export const SCRIPT_METHODS = [
  "ringInbound",
  "missInbound",
  "remoteHold",
  "remoteResume",
  "remoteAnswer",
  "remoteHangup",
  "abandon",
  "interruptMedia",
  "restoreMedia",
  "transcript",
  "insight",
  "setRecording",
  "supervise",
  "startFloorCall",
  "endFloorCall",
  "listFloor",
  "failNext",
  "stallNext",
  "dropLink",
  "restoreLink",
  "listCalls",
  "getCall",
] as const satisfies readonly (keyof SimulatorServer)[];
export type ScriptMethod = (typeof SCRIPT_METHODS)[number];

/** Page → server. */
type ToServer = { op: "connect" } | { op: "send"; request: ClientRequest } | { op: "close" } | { op: "script"; id: number; method: string; args: unknown[] };
/** Server → page. */
type ToPage = { op: "message"; message: unknown } | { op: "closed" } | { op: "result"; id: number; value?: unknown; error?: string };

/** The port whose tab holds each server's one connection. */
const holders = new WeakMap<SimulatorServer, MessagePort>();

/**
 * Serves `server` on `port` (one per tab; call it for each port a
 * SharedWorker's `connect` event brings). The newest `connect` takes the
 * server's one connection, and the tab it replaces hears it closed; a
 * replaced tab's `send` and `close` are ignored.
 */
export function serveSimulator(server: SimulatorServer, port: MessagePort): void {
  const post = (m: ToPage): void => port.postMessage(m);
  const holds = (): boolean => holders.get(server) === port;
  port.onmessage = ({ data: m }: MessageEvent<ToServer>) => {
    if (m.op === "connect") {
      const previous = holders.get(server);
      if (previous && previous !== port) previous.postMessage({ op: "closed" } satisfies ToPage);
      holders.set(server, port);
      const accepted = server.wire.connect(
        (message) => holds() && post({ op: "message", message }),
        () => holds() && post({ op: "closed" }),
      );
      if (!accepted) {
        holders.delete(server);
        post({ op: "closed" });
      }
    } else if (m.op === "send") {
      if (holds()) server.wire.send(m.request);
    } else if (m.op === "close") {
      if (!holds()) return;
      holders.delete(server);
      server.wire.close();
    } else if (m.op === "script") {
      try {
        if (!(SCRIPT_METHODS as readonly string[]).includes(m.method)) throw new Error(`${m.method} is not a scripting method`);
        const value: unknown = (server[m.method as ScriptMethod] as (...a: unknown[]) => unknown)(...m.args);
        post({ op: "result", id: m.id, value: value === undefined ? undefined : JSON.parse(JSON.stringify(value)) });
      } catch (err) {
        post({ op: "result", id: m.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
  };
  port.start();
}

/** A wire to a server on the other side of `port` (see serveSimulator). */
function portWire(port: MessagePort): Wire {
  let client: { onMessage: (m: unknown) => void; onClose: () => void } | undefined;
  port.addEventListener("message", ({ data: m }: MessageEvent<ToPage>) => {
    if (m.op === "message") client?.onMessage(m.message);
    else if (m.op === "closed") {
      const c = client;
      client = undefined;
      c?.onClose();
    }
  });
  port.start();
  return {
    // The answer comes back on the port: refused shows as a close, and the connector retries.
    connect(onMessage, onClose) {
      client = { onMessage, onClose };
      port.postMessage({ op: "connect" } satisfies ToServer);
      return true;
    },
    send: (request) => port.postMessage({ op: "send", request } satisfies ToServer),
    close() {
      client = undefined;
      port.postMessage({ op: "close" } satisfies ToServer);
    },
  };
}

/**
 * A simulator connector for the server served on `port`. `agentStates` must
 * be the server's (default: the simulator's default states).
 */
export function connectSimulator(port: MessagePort, options: SimulatorConnectorOptions & { agentStates?: readonly AgentStateOption[] } = {}): Connector {
  const { agentStates = DEFAULT_AGENT_STATES, ...connectorOptions } = options;
  // (The devices in use are recorded on this side: the server behind the port does not see them.)
  return createSimulatorConnector({ options: { agentStates: [...agentStates] }, wire: portWire(port), audioInUse: new Map() }, connectorOptions);
}

let nextScript = 1;
/** Calls a scripting method of the server served on `port`; resolves with its result (a JSON copy). */
export function script(port: MessagePort, method: ScriptMethod, ...args: unknown[]): Promise<unknown> {
  const id = nextScript++;
  return new Promise((resolve, reject) => {
    const onResult = ({ data: m }: MessageEvent<ToPage>): void => {
      if (m.op !== "result" || m.id !== id) return;
      port.removeEventListener("message", onResult);
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve(m.value);
    };
    port.addEventListener("message", onResult);
    port.start();
    port.postMessage({ op: "script", id, method, args } satisfies ToServer);
  });
}
