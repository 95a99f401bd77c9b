/** The SIP connector's options, capabilities and default agent states. Durations are milliseconds unless a field says otherwise. */
import { MONITOR_MODES, type AgentReason, type Capability, type DirectoryEntry, type MonitorMode } from "@opencti/core";
import type { AgentStreamSource, MediaDeviceList } from "@opencti/core/connector";
import type { SessionDescriptionHandlerFactory } from "sip.js";

export interface SipConnectorOptions {
  /** SIP over WebSocket server URL(s), e.g. `wss://pbx.example.com:8089/ws`. Required. With several, each failed (re)connect moves on to the next (same scheme). */
  readonly server: string | readonly string[];
  /** The agent's SIP address of record, e.g. `sip:1001@pbx.example.com`. Required. Its user part is the agent party's address on every call. */
  readonly uri: string;
  /** Digest auth user. Default: the URI's user. */
  readonly authorizationUsername?: string;
  /** Digest auth password. Default: none. Never logged, never in events. */
  readonly password?: string;
  /** The display name sent in From on outbound calls. Default: none. */
  readonly displayName?: string;
  /** STUN/TURN servers for the WebRTC peer connection. Default: none (host candidates only). */
  readonly iceServers?: readonly RTCIceServer[];
  /** How long a REGISTER may go unanswered before login (or a re-registration) fails with LINK_DOWN, ms. Default 10000. */
  readonly registerTimeoutMs?: number;
  /** REGISTER expiry, seconds (sip.js refreshes before it runs out). Default 300. */
  readonly registerExpires?: number;
  /** DTMF: RFC 4733 telephone-events in the media (`"rfc4733"`, default) or SIP INFO (`"info"`, application/dtmf-relay, one request per digit; `,` and `w` pause 1000 ms). */
  readonly dtmf?: "rfc4733" | "info";
  /** SIP headers starting with this prefix (case-insensitive) become call data, keyed by the rest of the name as sent, e.g. `X-Data-`; dial data goes out the same way. Default: none (no call data). At most 50 entries, values cut at 1000 characters. */
  readonly callDataHeaderPrefix?: string;
  /** A header (case-insensitive) whose value is the call's queue, e.g. `X-Queue`. Default: none. */
  readonly queueHeader?: string;
  /** The SIP status a reject answers with: 486 Busy Here (default) or 603 Decline. */
  readonly rejectStatusCode?: 486 | 603;
  /** Calls that connected go through after-call work when they end (and `wrapUp` is claimed). Default true. */
  readonly wrapUp?: boolean;
  /**
   * After-call work ends on its own this long after the call ends, ms (the
   * call carries `wrapUpEndsAt`, and the panel counts down; a disposition the
   * agent had not submitted is not sent). Default none: wrap-up lasts until
   * the agent completes it.
   */
  readonly wrapUpLimitMs?: number;
  /** SIP has no ACD: agent state is local. With this, a not-ready state unregisters so no calls arrive; ready registers again. Default false. */
  readonly unregisterWhenNotReady?: boolean;
  /**
   * Transfer and consult targets the panel offers to pick (agents, queues,
   * numbers): `{ id, label, kind, destination }`, each destination dialable
   * as it is (see core's DirectoryEntry). Default none.
   */
  readonly directory?: readonly DirectoryEntry[];
  /** The agent states a person can pick. Default DEFAULT_REASONS (Ready, Not ready, Break); a login without a state enters the first ready one. */
  readonly reasons?: readonly AgentReason[];
  /** Delays before each reconnect attempt, ms; the last repeats, `[]` retries every 1000. Default 500, 1000, 2000, 4000, 8000. */
  readonly reconnectDelaysMs?: readonly number[];
  /**
   * An unreachable server is said so in one `error` event (LINK_DOWN) naming it (scheme, host and port) and saying
   * the connector keeps retrying: at start as soon as each configured server failed once, or after this long while
   * a connect hangs; after a drop only once the server stayed unreachable this long (a server back within seconds is
   * just the link's `reconnecting`). Once reached again, a `warning` (LINK_RESTORED). Default 10000 (inside the
   * desktop's default 15 s request timeout), ms.
   */
  readonly reportUnreachableAfterMs?: number;
  /** After an attended transfer, how long the target gets to release the consult leg (Replaces) before we send BYE, ms. Default 3000. */
  readonly consultReleaseMs?: number;
  /**
   * The media seam. Default: sip.js's WebRTC handler (microphone + peer connection).
   * Tests in Node pass a signalling-only handler from `@opencti/sip/testing`.
   */
  readonly sessionDescriptionHandlerFactory?: SessionDescriptionHandlerFactory;
  /**
   * Early media: an outbound call applies the far end's 183 answer (SDP), so its ringback or
   * announcement plays before the call is answered. A proxy that forks INVITEs may answer from
   * another branch than the one that sent early media; sip.js then has to end the call (a WebRTC
   * offer cannot fork: it hangs up on whoever answered), so behind such a proxy turn this off. Default
   * true: agent desktops dial customers through one gateway or trunk, where ringback and announcements
   * come only as early media (README, options).
   */
  readonly earlyMedia?: boolean;
  /** Play the far end through a detached `<audio autoplay>` element per call (browser only). Default true. */
  readonly playRemoteAudio?: boolean;
  /**
   * Where the agent's audio devices are listed (`audioDevices`): enumerateDevices and
   * `devicechange`, read by core's `watchAudioDevices`. Default `navigator.mediaDevices`;
   * without either (Node) the connector does not claim `audioDevices`. A Node host or
   * test may pass its own list: input choices are then recorded and passed to the media
   * handler as constraints (the signalling-only handler ignores them), and output
   * selection rejects NOT_SUPPORTED (no `HTMLMediaElement.setSinkId`).
   */
  readonly mediaDevices?: MediaDeviceList;
  /**
   * Whether the PBX records calls; SIP itself does not say, so the connector knows only what this
   * option tells it. `"always"`: every call is recorded from the moment it connects (`recording:
   * "active"`). `"on-demand"`: nothing is recorded until the agent asks: calls connect `paused`, and
   * `resumeRecording` starts the PBX's recording. Either way the connector claims `recordingControl`:
   * `pauseRecording` sends an INFO with `Record: off`, `resumeRecording` one with `Record: on` (the
   * one-touch-record convention of desk phones; Asterisk's PJSIP stack maps them to its
   * `record_off_feature`/`record_on_feature` when the endpoint has `one_touch_recording=yes`), and a
   * final 2xx is the only confirmation there is. Default: none: no `recording` on calls and no
   * `recordingControl`.
   */
  readonly recording?: "always" | "on-demand";
  /** Supervisors' monitoring by feature codes or dial prefixes (e.g. Asterisk ChanSpy); see SipMonitorOptions. Default none: no `monitor`, `whisper` or `barge`. */
  readonly monitor?: SipMonitorOptions;
  /**
   * Live transcripts and insights pushed by the deployment's media server (SIP itself carries none):
   * the agent event stream of @opencti/agent-stream (`httpAgentStream({ url, headers })` from
   * `@opencti/core/connector`), whose messages name calls by their SIP Call-ID. With it the connector
   * claims `transcripts` and follows the stream from login to logout. Default none.
   */
  readonly agentStream?: AgentStreamSource;
  /** Declare fewer capabilities than SIP_CAPABILITIES. Default SIP_CAPABILITIES; the ones in SIP_UNSUPPORTED are dropped, and `wrapUp` with `wrapUp: false`. */
  readonly capabilities?: readonly Capability[];
  /** The `connector` name on events. Default "sip". */
  readonly name?: string;
}

/**
 * A supervisor's monitoring session is a call to `<prefix><target>` (the PBX's feature code and the
 * extension to watch, e.g. Asterisk `*222` + `1001` into ChanSpy), made with `desktop.monitor(target, mode)`.
 * Two ways to reach a mode, which may be combined:
 * - `prefix` + `digits`: one prefix; the session starts in `initialMode` and a mode change is its DTMF
 *   digit sent in the session (ChanSpy's `d` option: 4 listen, 5 whisper, 6 barge), by the connector's
 *   `dtmf` method (RFC 4733 or SIP INFO, whichever the PBX reads).
 * - `prefixes`: a prefix per mode (e.g. ChanSpy with `q`, `qw`, `qB` behind three feature codes); the
 *   session is dialled with the requested mode's prefix. Changing mode in a session still needs `digits`.
 * A mode is declared (`monitor`, `whisper`, `barge`) only when it can be reached: it has its own prefix,
 * or a `prefix` and a digit (or it is the `initialMode`). Without `monitor` reachable nothing is declared
 * (core starts every session through the `monitor` capability). A session is reported `connected` once
 * the PBX answered and its mode once the digit was sent (an INFO's 2xx; RFC 4733 tones have no answer).
 * SIP does not tell the watched agent's desktop that it is being monitored: no `supervisor` party appears there.
 */
export interface SipMonitorOptions {
  /** Dialled before the target for every mode without its own prefix, e.g. `"*222"`. Digits, `*`, `#`, letters, `.+-_`. */
  readonly prefix?: string;
  /** A prefix per mode, dialled before the target to start a session in that mode. */
  readonly prefixes?: Partial<Record<MonitorMode, string>>;
  /** The DTMF digit (0-9, *, #, A-D) that switches a session to each mode. */
  readonly digits?: Partial<Record<MonitorMode, string>>;
  /** The mode a session dialled with `prefix` starts in. Default `"monitor"` (ChanSpy listens). */
  readonly initialMode?: MonitorMode;
}

/** The modes a monitor configuration reaches (see SipMonitorOptions); empty without `monitor`. */
export function monitorModes(monitor: SipMonitorOptions | undefined): MonitorMode[] {
  if (!monitor) return [];
  const initial = monitor.initialMode ?? "monitor";
  const reachable = MONITOR_MODES.filter((m) => !!monitor.prefixes?.[m] || (!!monitor.prefix && (m === initial || !!monitor.digits?.[m])));
  return reachable.includes("monitor") ? reachable : [];
}

/**
 * Everything plain SIP can do. `callWaiting`: each call is its own dialog, so a held call stays held while the agent
 * answers another. `audioDevices`: only where a device list exists (`mediaDevices`, or the browser's).
 */
export const SIP_CAPABILITIES: readonly Capability[] = ["agentState", "dial", "answer", "reject", "hangup", "hold", "mute", "dtmf", "blindTransfer", "consult", "completeTransfer", "swap", "wrapUp", "callWaiting", "audioDevices"];

/** Never claimed, even when listed in `capabilities`: conference and dropping a party need a mixer plain SIP does not have. */
const SIP_UNSUPPORTED: readonly Capability[] = ["conference", "dropParty"];

export const DEFAULT_REASONS: readonly AgentReason[] = [
  { id: "ready", state: "ready", label: "Ready" },
  { id: "not_ready", state: "not_ready", label: "Not ready" },
  { id: "break", state: "not_ready", label: "Break" },
];

/** The defaults the fields above name. */
export const DEFAULTS = {
  registerTimeoutMs: 10_000,
  registerExpires: 300,
  rejectStatusCode: 486,
  reconnectDelaysMs: [500, 1000, 2000, 4000, 8000],
  /** The reconnect delay when `reconnectDelaysMs` is empty, ms. */
  reconnectEveryMs: 1000,
  consultReleaseMs: 3000,
  /** The pause `,` or `w` makes in SIP INFO DTMF, ms. */
  dtmfPauseMs: 1000,
  /** How long an un-REGISTER may go unanswered before logout (or stop) goes on without it, ms. */
  unregisterTimeoutMs: 3000,
  /** How long a WebSocket connect may take before the attempt counts as failed, ms (sip.js's connectionTimeout). */
  connectTimeoutMs: 5000,
  /** How long the server may stay unreachable before an error event says so (see `reportUnreachableAfterMs`), ms. */
  reportUnreachableAfterMs: 10_000,
  /** How long stop waits for sip.js's outstanding transactions, ms. */
  stopTimeoutMs: 2000,
  /** How long the WebRTC handler gathers ICE candidates before it sends the SDP, ms. */
  iceGatheringTimeoutMs: 2000,
  /** How long a dialog's target refresh after a reconnect may take (491/500 retries included) before the call counts as lost, ms. */
  refreshTimeoutMs: 10_000,
  name: "sip",
} as const;

/** The capabilities a connector with these options claims. */
export function capabilitiesOf(options: SipConnectorOptions): readonly Capability[] {
  const wrapUp = options.wrapUp !== false;
  const devices = mediaDevicesOf(options) !== undefined;
  // recordingControl, the monitoring modes and transcripts come from their options (SIP alone cannot say); `capabilities` may still leave them out.
  const configured: Capability[] = [...(options.recording ? (["recordingControl"] as const) : []), ...monitorModes(options.monitor), ...(options.agentStream ? (["transcripts"] as const) : [])];
  const optional: readonly Capability[] = ["recordingControl", ...MONITOR_MODES, "transcripts"];
  const base = (options.capabilities ?? SIP_CAPABILITIES).filter((c) => !optional.includes(c));
  const extra = configured.filter((c) => !options.capabilities || options.capabilities.includes(c));
  return [...base, ...extra].filter((c) => !SIP_UNSUPPORTED.includes(c) && (wrapUp || c !== "wrapUp") && (devices || c !== "audioDevices"));
}

/** The device list the connector follows: the option, else the browser's (undefined in Node). */
export function mediaDevicesOf(options: SipConnectorOptions): MediaDeviceList | undefined {
  return options.mediaDevices ?? (globalThis.navigator as Navigator | undefined)?.mediaDevices;
}
