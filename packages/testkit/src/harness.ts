import type { Call, Capability, Connector, Desktop, LoginRequest } from "@opencti/core";
import type { RecordedDesktop, RecordedDesktopOptions } from "./recorder.js";

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
  /**
   * Push a transcript line for a call (feature `transcripts`), through the
   * vendor's own path (its transcription service's callbacks, a backend's
   * stream). `final` (default true): a partial (false) and the final after it
   * are one utterance; the line after a final starts the next one.
   */
  sendTranscript?(call: Call, text: string, options?: { final?: boolean }): Promise<void>;
  /** Push a Voice AI insight for a call (feature `insights`), through the vendor's own path. */
  sendInsight?(call: Call, insight: { kind: "sentiment"; text: string; score: number }): Promise<void>;
  /** The DTMF digits the far end received on a call (feature `dtmfEcho`). */
  dtmfReceived?(call: Call): Promise<string>;
  /**
   * The backend gives up offering a ringing call because nobody answered (its
   * ring timeout, or the vendor's missed-call state), the caller still there
   * (feature `ringTimeout`). The call must end `missed`.
   */
  missInbound?(call: Call): Promise<void>;
  /** The far end puts a connected call on hold (feature `remoteHold`): the call stays connected, the far end's party is `held`. */
  remoteHold?(call: Call): Promise<void>;
  /** The far end takes it off hold again (feature `remoteHold`). */
  remoteResume?(call: Call): Promise<void>;
  /** One call's media goes away while signalling and the link stay up (feature `mediaReconnect`): the call's `media` goes `reconnecting`. */
  interruptMedia?(call: Call): Promise<void>;
  /** Its media comes back (feature `mediaReconnect`): `media` is `ok` again. */
  restoreMedia?(call: Call): Promise<void>;
  /**
   * Something live for a supervisor to monitor (feature `monitorTargets`):
   * another agent's call on the backend, resolved with the id
   * `desktop.monitor` takes (a Connect contact id, a Twilio CallSid, a SIP
   * extension). Each call gives a fresh one.
   */
  monitorTarget?(): Promise<string>;
}

/** A variation of the harness for one scenario: `createHarness(variant)`. */
export interface HarnessVariant {
  /** Credentials the backend refuses (feature `badCredentials`). */
  readonly credentials?: "bad";
  /** The browser refuses the microphone (feature `microphoneDenied`). */
  readonly microphone?: "denied";
}

/**
 * A connector on its real backend, and a driver for the backend. Structural:
 * a package's own harness type (such as @opencti/simulator/testing's
 * SimulatorHarness) fits without naming this one, and may carry more.
 */
export interface ConnectorHarness {
  readonly connector: Connector;
  readonly driver: BackendDriver;
  /** Destinations the backend knows how to treat. */
  readonly destinations: {
    /** A number whose far end answers when the driver says so. */
    readonly outbound: string;
    /** A blind-transfer target that accepts. */
    readonly transferTarget: string;
    /** A consult target whose far end answers when the driver says so. */
    readonly consultTarget: string;
    /** Feature `outboundFailures`: a number whose far end is busy (SIP 486, Twilio busy, Connect LineEngagedCustomer). */
    readonly busy?: string;
    /** Feature `outboundFailures`: a number that does not exist (SIP 404, Connect BadAddressCustomer). */
    readonly notFound?: string;
    /** Feature `outboundFailures`: a number whose far end or network fails (SIP 503, a Twilio 31xxx failure). */
    readonly unavailable?: string;
    /** Feature `monitorTargets`: a monitor target the backend does not know, in its id format. Default "no-such-call-or-agent". */
    readonly unknownMonitorTarget?: string;
  };
  readonly login?: LoginRequest;
  dispose(): Promise<void> | void;
}

/** Optional backend features; scenarios that need one are skipped without it. */
export interface ConformanceFeatures {
  /** The driver can stall a request (request timeout scenario). */
  stall?: boolean;
  /** The driver can push transcripts. */
  transcripts?: boolean;
  /** The vendor's transcription sends partial lines before the final (Twilio, the simulator; not Contact Lens). */
  transcriptPartials?: boolean;
  /** The driver can push a sentiment insight (`sendInsight`). */
  insights?: boolean;
  /** The driver can read back the DTMF digits the far end received. */
  dtmfEcho?: boolean;
  /** The backend changes state while the link is down (a caller abandons), and the resync must show it. */
  changesWhileDown?: boolean;
  /**
   * A second inbound call can ring while the agent is on a call (whether it can
   * be answered while the first is held is the connector's `callWaiting`
   * capability, not this).
   */
  secondCall?: boolean;
  /** Calls go through after-call work (wrap-up) when they end. */
  wrapUp?: boolean;
  /** `destinations.busy`, `notFound` and `unavailable` fail as their names say. */
  outboundFailures?: boolean;
  /** The driver can let a ringing call time out (`missInbound`). */
  ringTimeout?: boolean;
  /** The driver can hold and resume from the far end. */
  remoteHold?: boolean;
  /** The driver can interrupt and restore one call's media. */
  mediaReconnect?: boolean;
  /** `createHarness({ credentials: "bad" })` builds a harness whose backend refuses the credentials. */
  badCredentials?: boolean;
  /** `createHarness({ microphone: "denied" })` builds a harness whose browser refuses the microphone. */
  microphoneDenied?: boolean;
  /** The backend records an answered call: once connected, its `recording` is "active" (with `recordingControl`, the recording scenario). */
  recordsCalls?: boolean;
  /** The driver gives something to monitor (`monitorTarget`; with `monitor`, the supervisor scenario). */
  monitorTargets?: boolean;
}

/** The running scenario, as additional tests see it: its harness and its recorded desktop, link connected. */
export interface ScenarioSession<H extends ConnectorHarness = ConnectorHarness> extends RecordedDesktop {
  harness: H;
  /** Log in with the harness's `login`, and go ready when the connector has agent state. */
  ready(): Promise<void>;
}

/** What `additionalTests` gets. */
export interface ConformanceContext<H extends ConnectorHarness = ConnectorHarness> {
  readonly name: string;
  readonly capabilities: ReadonlySet<Capability>;
  readonly features: Readonly<ConformanceFeatures>;
  /**
   * The running scenario's session, inside an `it` only. The suite built it
   * before the test (a fresh harness, a desktop with the link up, `onDesktop`
   * called) and checks its events and tears it down after, as for its own scenarios.
   */
  session(): ScenarioSession<H>;
  /** The suite's harness factory, for a test that needs another harness; dispose it yourself. */
  createHarness(variant?: HarnessVariant): Promise<H>;
  /** `createRecordedDesktop` with the suite's request and event timeouts; destroy the desktop yourself. */
  record(connector: Connector, options?: RecordedDesktopOptions): RecordedDesktop;
}

export interface ConformanceOptions<H extends ConnectorHarness = ConnectorHarness> {
  name: string;
  /** What the connector declares in this harness's configuration; the suite checks it. */
  capabilities: readonly Capability[];
  /** Plain objects do (such as @opencti/simulator/testing's SIMULATOR_FEATURES). */
  features?: Readonly<ConformanceFeatures>;
  /** A fresh harness per scenario; `variant` only when the matching feature is declared. */
  createHarness(variant?: HarnessVariant): Promise<H> | H;
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
  /**
   * Registers the connector's own scenarios (`it`, `describe`) inside the
   * suite's describe, so they run on the same harness with the same
   * per-scenario setup, event checks and teardown; read the scenario with
   * `ctx.session()` inside each test.
   */
  additionalTests?(ctx: ConformanceContext<H>): void;
}
