/**
 * @opencti/amazon-connect/testing: a fake Amazon Connect CCP for tests and
 * demos. It speaks the CCP's postMessage protocol to the real
 * amazon-connect-streams library; no AWS account or network is involved.
 */
export { createFakeCcp, SOFTPHONE_ERROR_WORDS, type FakeCcp, type FakeCcpOptions, type FakeCcpPort, type FakeAgentState, type InboundContactSpec, type QuickConnect, type ApiRequestRecord, type CcpMessage, type OutboundFailure, type FakeMediaDevice, type FakeCcpDevices } from "./fake-ccp.js";
export { attachFakeCcp, framePort, parentPort, CCP_IFRAME_NAME } from "./transport.js";
export { startFakeCcpPage, type FakeCcpPageOptions } from "./page.js";
export { startFakeCcpHost, startFakeCcpRelay, startFakeCcpWorker } from "./shared-ccp.js";
