export { createConnectBackendHandler, type ConnectBackendOptions, type ConnectBackendHandler, type AgentStream, type Caller, type MonitorRequest, type MonitorCapability } from "./handler.js";
export type { ContactLensOptions } from "./contact-lens-poller.js";
export type { AgentStreamEvent, TranscriptStreamEvent, InsightStreamEvent, MediaStreamEvent } from "./contact-lens.js";
