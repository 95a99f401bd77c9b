import { runConnectorConformance } from "@opencti/testkit";
import { AMAZON_CONNECT_CAPABILITIES } from "../src/index.js";
import { createHarness } from "./support/harness.js";

// The whole suite on the real amazon-connect-streams library against the fake CCP.
// Voice concurrency is one contact in Connect, so no call waiting; transcripts are Contact Lens, not Streams.
runConnectorConformance({
  name: "amazon-connect (real Streams, fake CCP)",
  capabilities: AMAZON_CONNECT_CAPABILITIES,
  features: { stall: true, dtmfEcho: true, changesWhileDown: true, wrapUp: true },
  createHarness: () => createHarness(),
  requestTimeoutMs: 1500,
});
