export { startSipLab, type SipLab, type InboundCall } from "./lab.js";
export { startKamailio, kamailioConfig, assertSipToolsInstalled, LAB_DOMAIN, type Kamailio, type KamailioOptions } from "./kamailio.js";
export { startSipp, poke, waitForLog, type SippProcess, type Poke } from "./sipp.js";
export { callerScenario, calleeScenario, featureServerScenario, webRtcStyleOffer, EARLY_MEDIA_SDP, type CallerSpec, type CalleeMode, type RecordMode } from "./scenarios.js";
export { startLinkRelay, type LinkRelay } from "./relay.js";
export { NodeSessionDescriptionHandler, nodeSessionDescriptionHandlerFactory, nodeMediaHandlers, installNodeWebSocket } from "./node-media.js";
export { labConnectorOptions } from "./lab-options.js";
export { freeTcpPort, freeUdpPort } from "./ports.js";
