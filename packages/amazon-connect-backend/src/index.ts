export { createConnectBackendHandler, type ConnectBackendOptions, type Caller, type MonitorRequest, type MonitorCapability } from "./handler.js";
