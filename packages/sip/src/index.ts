export { createSipConnector } from "./connector.js";
export { SIP_CAPABILITIES, DEFAULT_REASONS, type SipConnectorOptions, type SipMonitorOptions } from "./options.js";
export { SipFailure, type SipStack, type SipLine, type StackEvents, type LineEvents, type LineEnd, type RemoteIdentity, type TransferProgress, type StackFactory } from "./stack.js";
