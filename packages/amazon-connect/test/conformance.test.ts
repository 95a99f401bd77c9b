import { runConnectorConformance } from "@opencti/testkit";
import { AMAZON_CONNECT_CAPABILITIES } from "../src/index.js";
import { createHarness } from "./support/harness.js";

// The whole suite on the real amazon-connect-streams library against the fake CCP.
// Not declared: secondCall and the callWaiting capability (Connect routes one voice contact at a time: no second call rings while one is live);
// remoteHold (hold in Connect is the agent's action on a connection: a customer cannot hold the agent);
// mediaReconnect (Streams reports no per-call media state); transcripts (Contact Lens, not Streams).
const features = {
  stall: true,
  dtmfEcho: true,
  changesWhileDown: true,
  wrapUp: true,
  outboundFailures: true,
  ringTimeout: true,
  microphoneDenied: true,
  badCredentials: true,
};
runConnectorConformance({ name: "amazon-connect (real Streams, fake CCP)", capabilities: AMAZON_CONNECT_CAPABILITIES, features, createHarness: (variant) => createHarness({ variant }), requestTimeoutMs: 1500 });
// The same with every CCP message delayed, so responses and snapshots arrive on later tasks as they do for real.
runConnectorConformance({
  name: "amazon-connect (real Streams, fake CCP with 5 ms latency)",
  capabilities: AMAZON_CONNECT_CAPABILITIES,
  features,
  createHarness: (variant) => createHarness({ fake: { latencyMs: 5 }, variant }),
  requestTimeoutMs: 1500,
});
