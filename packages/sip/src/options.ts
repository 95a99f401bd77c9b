import type { AgentReason, Capability } from "@opencti/core";
import type { SessionDescriptionHandlerFactory } from "sip.js";

export interface SipConnectorOptions {
  /** SIP over WebSocket server URL(s), e.g. `wss://pbx.example.com:8089/ws`. With several, each failed connect moves on to the next (same scheme). */
  readonly server: string | readonly string[];
  /** The agent's SIP address of record, e.g. `sip:1001@pbx.example.com`. */
  readonly uri: string;
  /** Digest auth user (defaults to the URI's user). */
  readonly authorizationUsername?: string;
  /** Digest auth password. Never logged, never in events. */
  readonly password?: string;
  readonly displayName?: string;
  readonly iceServers?: readonly RTCIceServer[];
  /** How long a REGISTER may go unanswered before login fails with LINK_DOWN. Default 10000 ms. */
  readonly registerTimeoutMs?: number;
  /** REGISTER expiry, seconds. Default 300. */
  readonly registerExpires?: number;
  /** DTMF: RFC 4733 telephone-events in the media (default) or SIP INFO (application/dtmf-relay). */
  readonly dtmf?: "rfc4733" | "info";
  /** SIP headers starting with this prefix (case-insensitive) become call data, keyed by the rest of the name, e.g. `X-Data-`. */
  readonly callDataHeaderPrefix?: string;
  /** A header whose value is the call's queue (e.g. `X-Queue`). */
  readonly queueHeader?: string;
  /** The status code for reject: 486 Busy Here (default) or 603 Decline. */
  readonly rejectStatusCode?: 486 | 603;
  /** Calls go through after-call work when they end. Default true. */
  readonly wrapUp?: boolean;
  /** SIP has no ACD: agent state is local. With this, "not ready" unregisters so no calls arrive. */
  readonly unregisterWhenNotReady?: boolean;
  /** The agent states a person can pick. Default: Ready, Not ready, Break. */
  readonly reasons?: readonly AgentReason[];
  /** Delays between reconnect attempts, ms; the last repeats. Default 500, 1000, 2000, 4000, 8000. */
  readonly reconnectDelaysMs?: readonly number[];
  /** After an attended transfer, how long the target gets to release the consult leg (Replaces) before we do. Default 3000 ms. */
  readonly consultReleaseMs?: number;
  /**
   * The media seam. Default: sip.js's WebRTC handler (microphone + peer connection).
   * Tests in Node pass a signalling-only handler from `@opencti/sip/testing`.
   */
  readonly sessionDescriptionHandlerFactory?: SessionDescriptionHandlerFactory;
  /** Where remote audio plays in the browser. Default: a detached `<audio autoplay>` element per call. */
  readonly playRemoteAudio?: boolean;
  /** Declare fewer capabilities than the default set. */
  readonly capabilities?: readonly Capability[];
  /** The `connector` name on events. Default "sip". */
  readonly name?: string;
}

/** Everything plain SIP can do. Conference needs a mixer SIP does not have, so it is not claimed. */
export const SIP_CAPABILITIES: readonly Capability[] = ["agentState", "dial", "answer", "reject", "hangup", "hold", "mute", "dtmf", "blindTransfer", "consult", "completeTransfer", "swap", "wrapUp"];

export const DEFAULT_REASONS: readonly AgentReason[] = [
  { id: "ready", state: "ready", label: "Ready" },
  { id: "not_ready", state: "not_ready", label: "Not ready" },
  { id: "break", state: "not_ready", label: "Break" },
];
