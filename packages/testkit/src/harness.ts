import type { Call, Capability, Connector, Desktop, LoginRequest } from "@opencti/core";

export interface InboundCallSpec {
  from: string;
  fromName?: string;
  to?: string;
  queue?: string;
  data?: Record<string, string>;
}

/**
 * Drives the vendor's side: the backend, the far end and the network.
 * Every method acts on the real backend (server, emulator), never on the
 * connector, so the suite sees the vendor's events come back up.
 */
export interface BackendDriver {
  /** Offer an inbound call to the agent. */
  ringInbound(call: InboundCallSpec): Promise<void>;
  /** The far end of an outbound or consult call answers. */
  remoteAnswer(call: Call): Promise<void>;
  /** The far end hangs up. */
  remoteHangup(call: Call): Promise<void>;
  /** The caller gives up while the call still rings at the agent. */
  abandon(call: Call): Promise<void>;
  /** Cut the connector's link to the backend. */
  dropLink(): Promise<void>;
  /** Let it reconnect. */
  restoreLink(): Promise<void>;
  /** Send the connector something malformed in the vendor's own format. */
  injectMalformed(): Promise<void>;
  /** Make the backend never answer the next request of this kind (feature `stall`). */
  stallNext?(request: "hold"): Promise<void>;
  /** Push a transcript line for a call (feature `transcripts`). */
  sendTranscript?(call: Call, text: string): Promise<void>;
  /** The DTMF digits the far end received on a call (feature `dtmfEcho`). */
  dtmfReceived?(call: Call): Promise<string>;
}

export interface ConnectorHarness {
  connector: Connector;
  driver: BackendDriver;
  /** Destinations the backend knows how to treat. */
  destinations: {
    /** A number whose far end answers when the driver says so. */
    outbound: string;
    /** A blind-transfer target that accepts. */
    transferTarget: string;
    /** A consult target whose far end answers when the driver says so. */
    consultTarget: string;
  };
  login?: LoginRequest;
  dispose(): Promise<void> | void;
}

/** Optional backend features; scenarios that need one are skipped without it. */
export interface ConformanceFeatures {
  /** The driver can stall a request (request timeout scenario). */
  stall?: boolean;
  /** The driver can push transcripts. */
  transcripts?: boolean;
  /** The driver can read back the DTMF digits the far end received. */
  dtmfEcho?: boolean;
  /** The backend changes state while the link is down (a caller abandons), and the resync must show it. */
  changesWhileDown?: boolean;
  /** A second inbound call can ring while the agent is on a call. */
  callWaiting?: boolean;
  /** Calls go through after-call work (wrap-up) when they end. */
  wrapUp?: boolean;
}

export interface ConformanceOptions {
  name: string;
  /** What the connector declares in this harness's configuration; the suite checks it. */
  capabilities: readonly Capability[];
  features?: ConformanceFeatures;
  createHarness(): Promise<ConnectorHarness> | ConnectorHarness;
  /** Request timeout the desktop uses in the suite. Default 3000 ms. */
  requestTimeoutMs?: number;
  /** How long to wait for an event to arrive. Default 5000 ms. */
  eventTimeoutMs?: number;
  /**
   * Called with each scenario's desktop before it runs, so an adapter (Pega,
   * a CRM bridge) can ride along. The function it returns runs after the
   * scenario, before teardown: put the adapter's own checks there.
   */
  onDesktop?(desktop: Desktop): void | (() => void | Promise<void>);
}
