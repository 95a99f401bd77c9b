import { runConnectorConformance } from "@opencti/testkit";
import { afterAll, beforeAll } from "vitest";
import { SIP_CAPABILITIES } from "../src/index.js";
import { installNodeWebSocket, startSipLab, type SipLab } from "../src/testing/index.js";
import { createSipHarness } from "./harness.js";

let lab: SipLab | undefined;
beforeAll(async () => {
  await installNodeWebSocket();
  lab = await startSipLab();
});
afterAll(async () => lab?.stop());

runConnectorConformance({
  name: "sip (Kamailio + SIPp)",
  capabilities: SIP_CAPABILITIES,
  features: { callWaiting: true, wrapUp: true, dtmfEcho: true, stall: true },
  createHarness: () => createSipHarness(lab!),
  requestTimeoutMs: 4000,
  eventTimeoutMs: 10_000,
});

// Without after-call work and with RFC 4733 DTMF (through the media seam): calls end at once.
runConnectorConformance({
  name: "sip without wrap-up, RFC 4733 DTMF",
  capabilities: SIP_CAPABILITIES.filter((c) => c !== "wrapUp"),
  features: { callWaiting: true, stall: true },
  createHarness: () => createSipHarness(lab!, { wrapUp: false, dtmf: "rfc4733" }),
  requestTimeoutMs: 4000,
  eventTimeoutMs: 10_000,
});
