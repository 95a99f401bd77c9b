import type { Connector } from "@opencti/core";
import { createSimulatorConnector, type SimulatorConnectorOptions } from "./connector.js";
import { SimulatorServer, type SimulatorServerOptions } from "./server.js";

export { SimulatorServer, DEFAULT_AGENT_STATES, type AgentStateOption, type FarEnd, type InboundCall, type SimulatorServerOptions, type Wire } from "./server.js";
export { createSimulatorConnector, toCallReport, SIMULATOR_CAPABILITIES, type SimulatorConnectorOptions } from "./connector.js";
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
