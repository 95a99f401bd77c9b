/**
 * What a deployment configures, with the defaults, the capabilities the
 * connector claims and what stands in for a default reason list.
 */
import { CAPABILITIES, type AgentReason, type Capability } from "@opencti/core";
import type { AgentStreamSource } from "@opencti/core/connector";
import type { AmazonConnectBackend } from "./backend.js";
import type { StreamsGlobal } from "./streams.js";

export interface AmazonConnectConnectorOptions {
  /** The instance's CCP, e.g. `https://example.my.connect.aws/ccp-v2/`. Required; the page's origin must be in the instance's approved origins. */
  ccpUrl: string;
  /** The element the CCP iframe goes into (it may be hidden). Required; `stop()` removes the iframe again. */
  container: HTMLElement;
  /** The instance's AWS region, e.g. `us-east-1`, passed to Streams' initCCP. Default: not passed. */
  region?: string;
  /**
   * Open Connect's login window when the agent is not signed in. Default `true` (Streams' default);
   * an object sets the window's size and position in pixels, and `autoClose` (default true) closes it once signed in.
   * It also decides what a CCP that does not load means: `AUTH_FAILED` (sign-in needed) with it, `LINK_DOWN` without.
   */
  loginPopup?: boolean | { autoClose?: boolean; height?: number; width?: number; top?: number; left?: number };
  /** The page the login popup opens instead of the instance's own (e.g. a SAML sign-in URL). Default: not passed. */
  loginUrl?: string;
  /**
   * Softphone: the CCP iframe hosts WebRTC (`allowFramedSoftphone`, default true); `false` leaves media to
   * this page, which then needs its own softphone manager (connect.core.initSoftphoneManager + connect-rtc-js).
   * `disableRingtone` defaults to false; `ringtoneUrl` to Connect's ringtone.
   */
  softphone?: { allowFramedSoftphone?: boolean; disableRingtone?: boolean; ringtoneUrl?: string };
  /** How long the CCP (and the Streams script) may take to load before the link is reported down, ms. Default 5000. */
  ccpLoadTimeoutMs?: number;
  /**
   * Streams' keepalive acknowledge timeout, ms. Default Streams' own, 3000. The connector reports the link
   * `reconnecting` when the CCP has not acknowledged for this plus 2000 ms.
   */
  ccpAckTimeoutMs?: number;
  /** Contact attributes (by key) that become call data. Default: every attribute. Never `callKind`: that key is the connector's (the call's kind). */
  callDataAttributes?: readonly string[];
  /** Outbound caller-id queue (its ARN) for dial(). Default: the agent's routing profile's default outbound queue. */
  outboundQueueArn?: string;
  /** Declare fewer capabilities. Default AMAZON_CONNECT_CAPABILITIES. */
  capabilities?: readonly Capability[];
  /** The `connector` name on every event. Default "amazon-connect". */
  name?: string;
  /** A Streams `connect` namespace already loaded (a JSDOM window, a <script> tag). Default: imported on start. */
  streams?: StreamsGlobal;
  /** Load Streams from this URL as a classic script instead of importing it (recommended under a strict CSP). Default: none. */
  streamsScriptUrl?: string;
  /**
   * Where the connector hears `devicechange` (a headset plugged in or out), to list the CCP's devices again.
   * Default `navigator.mediaDevices`. Only the event is used: the list itself comes from the CCP frame
   * (`connect.core.getFrameMediaDevices`), whose device ids are the ones the CCP can use.
   */
  mediaDevices?: Pick<MediaDevices, "addEventListener" | "removeEventListener">;
  /**
   * The server side for what Streams cannot do: starting to monitor a contact and pausing/resuming
   * the recording (`createHttpAmazonConnectBackend({ url })` for @opencti/amazon-connect-backend).
   * With it the connector declares `monitor`, `barge` and `recordingControl`. Default: none.
   */
  backend?: AmazonConnectBackend;
  /**
   * Whether the instance's contact flows record the agent's voice calls ("Set recording and analytics
   * behavior"): Streams' snapshot does not say, so a connected or held call is reported
   * `recording: "active"` (then "paused"/"active" as the agent pauses and resumes) only when this is
   * true. Default false, a backend or not: set it only where the flows record every agent voice call
   * (a site that adds the backend for supervisors must not show unrecorded calls as "Recording").
   */
  recordedCalls?: boolean;
  /**
   * Ask MonitorContact for BARGE on every monitoring session, listen-only ones too, so the supervisor
   * can barge later in the session (the backend's `authorizeMonitor` then decides on barge when any
   * session starts). Default false: `monitor(target)` asks for SILENT_MONITOR only and that session can
   * never barge (`setMonitorMode(id, "barge")` is refused NOT_SUPPORTED); `monitor(target, "barge")`
   * asks for both. Mode changes happen in the CCP through Streams and never return to the backend.
   */
  monitorAllowsBarge?: boolean;
  /**
   * Live transcripts and insights (Voice AI) from the agent event stream: `true` for the `backend`'s own
   * stream (`createHttpAmazonConnectBackend`'s: `POST <url>/stream-ticket`, `<url>/events`, with its
   * headers; a backend without one is a TypeError), or a source for a separate service (`httpAgentStream`
   * from `@opencti/core/connector`). With it the connector declares `transcripts`, follows the stream while
   * the agent is signed in to the CCP (not Offline) until logout or `stop()`, and, when the backend offers
   * `followContactLens`, asks it to follow Contact Lens real-time analysis of each voice contact the agent
   * connects to, only while the stream is open (once per contact, and again for live ones each time the stream
   * reopens, with `since`: the end of the last transcript shown; three failures in a row give up on a contact).
   * Messages name calls by contact id. Default: none.
   */
  agentStream?: AgentStreamSource | true;
  /**
   * The contact attribute holding the customer audio's Kinesis Video Streams ARN, reported as the call's
   * `mediaStream` (for Voice AI that reads the audio itself). Connect's "Start media streaming" block makes
   * the ARN available in the flow as `$.MediaStreams.Customer.Audio.StreamARN`, which Streams' contact
   * attributes do not carry: the flow must copy it with "Set contact attributes" under this key. An empty
   * value clears it (the flow stopped the stream); a value that is not a `kinesisvideo` stream ARN clears it
   * too, with one `MEDIA_STREAM_INVALID` warning per contact. The attribute is not call data. Default: none
   * (there is no common attribute name).
   */
  mediaStreamAttribute?: string;
}

/** What a backend adds: MonitorContact (then silent monitor ⇄ barge through Streams), recording suspend/resume. */
const BACKEND_CAPABILITIES: readonly Capability[] = ["monitor", "barge", "recordingControl"];
/** What an agent stream adds. */
const STREAM_CAPABILITIES: readonly Capability[] = ["transcripts"];

/**
 * Everything Connect's CCP does for a voice contact, through Streams' API
 * (`audioDevices`: the CCP's speaker, microphone and ringer). Not
 * `transcripts` (Contact Lens, not Streams: with `agentStream` only), `callWaiting` (Connect routes
 * one voice contact at a time: no second call rings while one is live),
 * `whisper` (Connect has no coaching mode: MonitorContact offers
 * SILENT_MONITOR and BARGE only), nor without a `backend` `monitor`, `barge`
 * and `recordingControl` (see amazonConnectCapabilities).
 */
export const AMAZON_CONNECT_CAPABILITIES: readonly Capability[] = CAPABILITIES.filter((c) => c !== "callWaiting" && c !== "whisper" && !BACKEND_CAPABILITIES.includes(c) && !STREAM_CAPABILITIES.includes(c));

/** The capabilities for these options: AMAZON_CONNECT_CAPABILITIES, plus monitor, barge and recordingControl with a backend, transcripts with an agent stream; `capabilities` narrows them. */
export function amazonConnectCapabilities(options: Pick<AmazonConnectConnectorOptions, "backend" | "capabilities" | "agentStream">): Capability[] {
  const supported = [...AMAZON_CONNECT_CAPABILITIES, ...(options.backend ? BACKEND_CAPABILITIES : []), ...(options.agentStream ? STREAM_CAPABILITIES : [])];
  return options.capabilities ? supported.filter((c) => options.capabilities!.includes(c)) : supported;
}

/**
 * None: Connect's reasons are the instance's configured agent states, which
 * the CCP sends with every agent snapshot (`configuration.agentStates`). The
 * connector starts with this empty list and replaces it through
 * `ctx.setReasons` from the first snapshot on (and whenever the list
 * changes): routable states as `ready`, not-routable ones as `not_ready`, id
 * the state's ARN (its name without one), label its name. Offline is logout,
 * not a reason (see mapping.ts `reasonsFrom`).
 */
export const DEFAULT_REASONS: readonly AgentReason[] = [];

/** The defaults the fields above name. */
export const DEFAULTS = {
  /** The CCP (and Streams) must load within this, ms. */
  ccpLoadTimeoutMs: 5000,
  /** Streams' default keepalive acknowledge timeout, ms. */
  ccpAckTimeoutMs: 3000,
  /** How much longer than the acknowledge timeout the connector waits before it calls the CCP gone, ms. */
  keepaliveGraceMs: 2000,
  /** How often the connector checks for the CCP's acknowledge, ms. */
  keepaliveCheckEveryMs: 500,
  loginPopup: true,
  name: "amazon-connect",
} as const;

/** The options with their defaults applied (what the connector reads). */
export interface ResolvedOptions {
  readonly loadTimeoutMs: number;
  readonly loginPopup: NonNullable<AmazonConnectConnectorOptions["loginPopup"]>;
  /** No acknowledge from the CCP for this long means it is gone or frozen, ms. */
  readonly keepaliveTimeoutMs: number;
}

export function resolveOptions(options: AmazonConnectConnectorOptions): ResolvedOptions {
  return {
    loadTimeoutMs: options.ccpLoadTimeoutMs ?? DEFAULTS.ccpLoadTimeoutMs,
    loginPopup: options.loginPopup ?? DEFAULTS.loginPopup,
    keepaliveTimeoutMs: (options.ccpAckTimeoutMs ?? DEFAULTS.ccpAckTimeoutMs) + DEFAULTS.keepaliveGraceMs,
  };
}
