import { runConnectorConformance } from "@opencti/testkit";
import { AMAZON_CONNECT_CAPABILITIES, amazonConnectCapabilities, createHttpAmazonConnectBackend } from "../src/index.js";
import { createBackendHarness } from "./support/backend.js";
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
// With @opencti/amazon-connect-backend (on 127.0.0.1, its AWS SDK client against the Connect API stub):
// recording pause → resume (the flows record calls) and monitor → barge → leave (Connect has no whisper: refused NOT_SUPPORTED).
// recordedCalls is opt-in (Streams does not say whether the flows record): the recording scenario needs it set.
// The scenario barges a session it started listen-only: monitorAllowsBarge asks MonitorContact for barge up front (by default
// such a session is listen-only for good; test/supervisor.test.ts covers that).
runConnectorConformance({
  name: "amazon-connect with its backend (real Streams, fake CCP, real backend handler, AWS SDK against the Connect API stub)",
  capabilities: amazonConnectCapabilities({ backend: createHttpAmazonConnectBackend({ url: "http://127.0.0.1/unused" }) }),
  features: { ...features, recordsCalls: true, monitorTargets: true },
  createHarness: (variant) => createBackendHarness({ connector: { monitorAllowsBarge: true, recordedCalls: true } }, variant),
  requestTimeoutMs: 1500,
});
