import type { Connector } from "@opencti/core";
import { createSimulatorConnector } from "./connector.js";
import type { SimulatorConnectorOptions, SimulatorServerOptions } from "./options.js";
import { SimulatorServer } from "./server.js";

export { SimulatorServer, type FloorCall, type FloorCallSpec, type InboundCall } from "./server.js";
export { createSimulatorConnector, type SimulatorLink } from "./connector.js";
export { connectSimulator, script, serveSimulator, SCRIPT_METHODS, type ScriptMethod } from "./port.js";
export { toCallReport } from "./mapping.js";
export { createFakeMediaDevices, FAKE_AUDIO_DEVICES, type FakeMediaDevice, type FakeMediaDevices } from "./devices.js";
export { DEFAULT_AGENT_STATES, DEFAULT_REASONS, SIMULATOR_CAPABILITIES, type AgentStateOption, type FarEnd, type SimulatorConnectorOptions, type SimulatorServerOptions } from "./options.js";
export type * from "./protocol.js";

export interface Simulator {
  /** The in-memory CTI server and its scripting API. */
  readonly server: SimulatorServer;
  /** Pass this to createDesktop. */
  readonly connector: Connector;
}

/** A simulated CTI server plus a connector wired to it. */
export function createSimulator(options: SimulatorServerOptions & { connector?: SimulatorConnectorOptions } = {}): Simulator {
  const server = new SimulatorServer(options);
  return { server, connector: createSimulatorConnector(server, options.connector) };
}
