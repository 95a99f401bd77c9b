/**
 * The conformance harness: the real Streams library in a fresh JSDOM window,
 * the fake CCP answering at the postMessage boundary, and the connector.
 */
import type { Call } from "@opencti/core";
import type { ConnectorHarness, HarnessVariant } from "@opencti/testkit";
import { createAmazonConnectConnector, type AmazonConnectConnectorOptions } from "../../src/index.js";
import { attachFakeCcp, createFakeCcp, type FakeCcp, type FakeCcpOptions, type FakeMediaDevice } from "../../src/testing/index.js";
import { createStreamsWindow, type StreamsWindow } from "./streams-dom.js";

/** Numbers the fake CCP fails as Connect reports it (feature `outboundFailures`). */
const FAILING = { busy: "+15550186", notFound: "+15550187", unavailable: "+15550188" };
/** The CCP's audio devices (JSDOM lists none): the conformance suite's audio-devices scenario picks from them. */
const DEVICES: FakeMediaDevice[] = [
  { deviceId: "default", kind: "audioinput", label: "Default - Built-in Microphone", groupId: "g-1" },
  { deviceId: "ccp-mic-headset", kind: "audioinput", label: "Headset microphone", groupId: "g-2" },
  { deviceId: "default", kind: "audiooutput", label: "Default - Built-in Speakers", groupId: "g-1" },
  { deviceId: "ccp-out-headset", kind: "audiooutput", label: "Headset", groupId: "g-2" },
];
const DESTINATIONS = { outbound: "+15550142", transferTarget: "+15550143", consultTarget: "+15550144", ...FAILING };

export interface AmazonConnectHarness extends ConnectorHarness {
  fake: FakeCcp;
  dom: StreamsWindow;
}

export function createHarness(options: { fake?: FakeCcpOptions; connector?: Partial<AmazonConnectConnectorOptions>; variant?: HarnessVariant | undefined } = {}): AmazonConnectHarness {
  const dom = createStreamsWindow();
  const { variant = {} } = options;
  const fake = createFakeCcp({
    quickConnects: [{ name: "Billing desk", phoneNumber: "+15550177" }],
    // Busy line, unknown number, carrier failure: the agent error states Connect reports for each.
    outboundFailures: { [FAILING.busy]: "LineEngagedCustomer", [FAILING.notFound]: "BadAddressCustomer", [FAILING.unavailable]: "FailedConnectCustomer" },
    ...(variant.microphone ? { microphone: variant.microphone } : {}),
    ...(variant.credentials ? { credentials: variant.credentials } : {}),
    mediaDevices: DEVICES,
    ...options.fake,
  });
  const detach = attachFakeCcp(fake, dom.container);
  const connector = createAmazonConnectConnector({
    ccpUrl: "https://example.my.connect.aws/ccp-v2/",
    container: dom.container,
    streams: dom.connect,
    loginPopup: false,
    softphone: { disableRingtone: true }, // the framed-softphone default is what a deployment gets
    // Where the page hears devicechange (JSDOM has no navigator.mediaDevices).
    mediaDevices: new EventTarget(),
    ...options.connector,
  });
  const contactOf = (call: Call): string => call.vendorCallId;
  /** A consult call's id is `<contactId>:<connectionId>`. */
  const connectionOf = (call: Call): string | undefined => (call.relatedCallId ? call.id.slice(call.vendorCallId.length + 1) : undefined);
  const act = (fn: () => void): Promise<void> => {
    fn();
    return Promise.resolve();
  };
  return {
    connector,
    fake,
    dom,
    destinations: DESTINATIONS,
    login: { agentId: "tagent" },
    driver: {
      ringInbound: (c) =>
        act(() => {
          fake.ringInbound({ from: c.from, ...(c.to ? { to: c.to } : {}), ...(c.fromName ? { fromName: c.fromName } : {}), ...(c.queue ? { queue: c.queue } : {}), ...(c.data ? { attributes: c.data } : {}) });
        }),
      remoteAnswer: (call) => act(() => fake.remoteAnswer(contactOf(call), connectionOf(call))),
      remoteHangup: (call) => act(() => fake.remoteHangup(contactOf(call), connectionOf(call))),
      abandon: (call) => act(() => fake.abandon(contactOf(call))),
      missInbound: (call) => act(() => fake.missInbound(contactOf(call))),
      dropLink: () => act(() => fake.dropLink()),
      restoreLink: () => act(() => fake.restoreLink()),
      injectMalformed: () => act(() => fake.pushMalformedSnapshot((s) => (s.contacts = [{ contactId: "c-bad", type: "voice", state: { type: "exploding" }, connections: [] }]))),
      stallNext: (op) => act(() => fake.stallNext(op === "hold" ? "holdConnection" : op)),
      dtmfReceived: (call) => Promise.resolve(fake.dtmf(contactOf(call))),
    },
    dispose: () => {
      detach();
      dom.close();
    },
  };
}
