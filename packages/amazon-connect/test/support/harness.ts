/**
 * The conformance harness: the real Streams library in a fresh JSDOM window,
 * the fake CCP answering at the postMessage boundary, and the connector.
 */
import type { Call } from "@opencti/core";
import type { ConnectorHarness } from "@opencti/testkit";
import { createAmazonConnectConnector, type AmazonConnectConnectorOptions } from "../../src/index.js";
import { attachFakeCcp, createFakeCcp, type FakeCcp, type FakeCcpOptions } from "../../src/testing/index.js";
import { createStreamsWindow, type StreamsWindow } from "./streams-dom.js";

const DESTINATIONS = { outbound: "+15550142", transferTarget: "+15550143", consultTarget: "+15550144" };

export interface AmazonConnectHarness extends ConnectorHarness {
  fake: FakeCcp;
  dom: StreamsWindow;
}

export function createHarness(options: { fake?: FakeCcpOptions; connector?: Partial<AmazonConnectConnectorOptions> } = {}): AmazonConnectHarness {
  const dom = createStreamsWindow();
  const fake = createFakeCcp({ quickConnects: [{ name: "Billing desk", phoneNumber: "+15550177" }], ...options.fake });
  const detach = attachFakeCcp(fake, dom.container);
  const connector = createAmazonConnectConnector({
    ccpUrl: "https://example.my.connect.aws/ccp-v2/",
    container: dom.container,
    streams: dom.connect,
    loginPopup: false,
    softphone: { disableRingtone: true }, // the framed-softphone default is what a deployment gets
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
