import { runConnectorConformance } from "@opencti/testkit";
import { AMAZON_CONNECT_CAPABILITIES } from "../src/index.js";
import { createHarness } from "./support/harness.js";

// The whole suite on the real amazon-connect-streams library against the fake CCP.
// Voice concurrency is one contact in Connect, so no call waiting; transcripts are Contact Lens, not Streams.
const features = { stall: true, dtmfEcho: true, changesWhileDown: true, wrapUp: true };
runConnectorConformance({ name: "amazon-connect (real Streams, fake CCP)", capabilities: AMAZON_CONNECT_CAPABILITIES, features, createHarness: () => createHarness(), requestTimeoutMs: 1500 });
// The same with every CCP message delayed, so responses and snapshots arrive on later tasks as they do for real.
runConnectorConformance({
  name: "amazon-connect (real Streams, fake CCP with 5 ms latency)",
  capabilities: AMAZON_CONNECT_CAPABILITIES,
  features,
  createHarness: () => createHarness({ fake: { latencyMs: 5 } }),
  requestTimeoutMs: 1500,
});
