import type { SipConnectorOptions } from "../options.js";
import type { SipLab } from "./lab.js";
import { nodeSessionDescriptionHandlerFactory } from "./node-media.js";

/** Connector options for an agent of the lab: Node media, INFO DTMF, X-Data-* call data, fast reconnects. */
export function labConnectorOptions(lab: SipLab, overrides: Partial<SipConnectorOptions> = {}): SipConnectorOptions {
  return {
    server: lab.wsUrl,
    uri: lab.newAgentUri(),
    password: lab.password,
    displayName: "Test Agent",
    dtmf: "info",
    callDataHeaderPrefix: "X-Data-",
    queueHeader: "X-Queue",
    reconnectDelaysMs: [100, 200, 400, 800],
    consultReleaseMs: 300,
    sessionDescriptionHandlerFactory: nodeSessionDescriptionHandlerFactory,
    ...overrides,
  };
}
