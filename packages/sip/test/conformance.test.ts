import { runConnectorConformance } from "@opencti/testkit";
import { afterAll, beforeAll } from "vitest";
import { SIP_CAPABILITIES } from "../src/index.js";
import { installNodeWebSocket, startSipLab, type SipLab } from "../src/testing/index.js";
import { createSipHarness } from "./harness.js";
import { startVoiceAiService, type VoiceAiService } from "./voice-ai.js";

let lab: SipLab | undefined;
let voiceAi: VoiceAiService | undefined;
beforeAll(async () => {
  await installNodeWebSocket();
  lab = await startSipLab();
  voiceAi = await startVoiceAiService();
});
afterAll(async () => {
  await voiceAi?.close();
  await lab?.stop();
});

/**
 * Everything the lab's far ends can do. Not microphoneDenied nor
 * mediaReconnect: the harness's media is the signalling-only Node handler (no
 * getUserMedia, no RTCPeerConnection), so there is no microphone to refuse
 * and no ICE to drop; the ICE → media mapping is unit-tested (mapping.test.ts).
 */
const FEATURES = { secondCall: true, wrapUp: true, dtmfEcho: true, stall: true, outboundFailures: true, ringTimeout: true, remoteHold: true, badCredentials: true } as const;
/** Node has no navigator.mediaDevices, so `audioDevices` is not claimed (the browser test in the sample app covers it). */
const NODE_CAPABILITIES = SIP_CAPABILITIES.filter((c) => c !== "audioDevices");

/**
 * Supervisors and recording are options (SIP alone cannot say whether the PBX records, nor which feature
 * codes spy): here the PBX records every call (Record INFOs answered by the lab's far ends) and ChanSpy's
 * feature code with its DTMF modes reaches the lab's feature server.
 */
const SUPERVISOR_OPTIONS = { recording: "always", monitor: { prefix: "*222", digits: { monitor: "4", whisper: "5", barge: "6" } } } as const;

// Live transcripts from the deployment's media server, through a real agent-stream service (the lab posts them by SIP Call-ID).
runConnectorConformance({
  name: "sip (Kamailio + SIPp)",
  capabilities: [...NODE_CAPABILITIES, "recordingControl", "monitor", "whisper", "barge", "transcripts"],
  features: { ...FEATURES, recordsCalls: true, monitorTargets: true, transcripts: true, transcriptPartials: true, insights: true },
  createHarness: (variant) => createSipHarness(lab!, SUPERVISOR_OPTIONS, variant, voiceAi),
  requestTimeoutMs: 4000,
  eventTimeoutMs: 10_000,
});

// Without after-call work and with RFC 4733 DTMF (through the media seam): calls end at once. Without the
// recording and monitor options: no recordingControl, monitor, whisper or barge (refused NOT_SUPPORTED).
runConnectorConformance({
  name: "sip without wrap-up, RFC 4733 DTMF",
  capabilities: NODE_CAPABILITIES.filter((c) => c !== "wrapUp"),
  features: { ...FEATURES, wrapUp: false, dtmfEcho: false },
  createHarness: (variant) => createSipHarness(lab!, { wrapUp: false, dtmf: "rfc4733" }, variant),
  requestTimeoutMs: 4000,
  eventTimeoutMs: 10_000,
});
