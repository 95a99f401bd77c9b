/**
 * What an integrator configures, what the connector declares for it, and the
 * defaults. Every duration is in milliseconds.
 */
import type { AgentReason, Capability, DirectoryEntry } from "@opencti/core";
import type { AgentStreamSource } from "@opencti/core/connector";
import type { Device } from "@twilio/voice-sdk";
import type { AgentStatePort } from "./agent-state.js";
import type { CallControlBackend } from "./backend.js";

/** The part of the @twilio/voice-sdk module the connector uses. */
export interface TwilioSdk {
  readonly Device: typeof Device;
}

export interface TwilioConnectorOptions {
  /**
   * Fetches an Access Token (a JWT with a Voice grant for the agent's identity).
   * Called at start, on the SDK's `tokenWillExpire`, after a 20104 (expired)
   * error, and again on each start retry. Never logged. Required unless `tokenUrl`
   * is given (then this wins).
   */
  getToken?(): Promise<string>;
  /**
   * Where to fetch the Access Token instead of `getToken`: a GET with the page's
   * cookies (`credentials: "include"`, no cache) answered with JSON `{"token": "…"}`
   * or the bare JWT, within DEFAULTS.tokenTimeoutMs. A failure is said in words
   * naming the URL (scheme, host, port and path; never its query). While it
   * cannot be reached (no response, a timeout, a gateway's 502/503/504) the link
   * stays `connecting`, one `LINK_DOWN` error says so and the start is retried
   * after `startRetryDelaysMs`. Default: none.
   */
  tokenUrl?: string;
  /** The Twilio edge location(s) to connect through, in order of preference. Default: the SDK's (`roaming`). */
  edge?: string | string[];
  /** Audio codecs in order of preference, e.g. `["opus", "pcmu"]`. Default: the SDK's (PCMU, then Opus). */
  codecPreferences?: Device.Options["codecPreferences"];
  /** Sound URLs replacing the SDK's ringtones and tones. Default: the SDK's own sounds. */
  sounds?: Device.Options["sounds"];
  /** The SDK's own log level; keep `warn` or above in production (`debug`/`trace` print signalling frames). Default: the SDK's (`error`). */
  logLevel?: Device.Options["logLevel"];
  /** Play the SDK's incoming ringtone. Default true. */
  incomingSound?: boolean;
  /** Let a second call ring while one is active (the SDK ignores it otherwise). Default false. */
  allowIncomingWhileBusy?: boolean;
  /** Hold, blind/consult transfer, conference, drop party, recording pause/resume and a supervisor's monitor/whisper/barge go through it; without it they are NOT_SUPPORTED. Default: none. */
  backend?: CallControlBackend;
  /**
   * Voice AI: the agent event stream to follow from login until logout or
   * stop (transcripts, the call's media stream), declaring the capability
   * `transcripts`. `true`: the `backend`'s own stream (createHttpCallControlBackend's
   * `<url>/stream-ticket` and `<url>/events`, with its headers and the Voice
   * token; a TypeError at construction when the backend has none); an
   * AgentStreamSource (`httpAgentStream({ url, headers })` of
   * `@opencti/core/connector`): a separate service. Its events name calls by
   * CallSid (the agent leg's). Needs `EventSource` (every browser has it).
   * Default: none.
   */
  agentStream?: AgentStreamSource | true;
  /** Agent availability. Default: `createLocalAgentStatePort()`, kept in the browser (a login without a state enters `not_ready`). */
  agentState?: AgentStatePort;
  /**
   * Custom parameters lifted into the call's `queue`, `fromName` and
   * `recording` (they stay in `data` too; `recording` is read when it is
   * active, paused or off: the TwiML that records the call says so, the SDK
   * cannot tell). Default `{ queue: "queue", callerName: "callerName", recording: "recording" }`.
   */
  parameterNames?: { queue?: string; callerName?: string; recording?: string };
  /** More Device options passed through unchanged (e.g. the private `chunderw` of an emulator); they win over the above. Default none. */
  deviceOptions?: Record<string, unknown>;
  /** Loads the SDK. Default `import("@twilio/voice-sdk")`, so it stays out of the host's first bundle. */
  loadSdk?: () => Promise<TwilioSdk>;
  /**
   * How long to wait before fetching the token and building the Device again
   * after a failed start, ms: the first retry waits the first delay, the last
   * one repeats; `[]` never retries. Default 2000, 5000, 15000, 30000.
   */
  startRetryDelaysMs?: readonly number[];
  /**
   * After the signalling is lost, how long to wait between checks that the
   * Device is back, ms (the last one repeats, for as long as the socket is
   * down): once the socket is back and the SDK did not register again (a
   * flapping edge), the connector registers it; after
   * DEFAULTS.reregisterAttempts such checks the link is `disconnected`.
   * Default 1000, 2000, 4000, 8000, 15000.
   */
  reregisterDelaysMs?: readonly number[];
  /**
   * After the signalling socket is lost, how long it may stay down before one
   * `error` event (LINK_DOWN) names Twilio's signalling server (from `edge`, or
   * the Device option `chunderw`) and says the SDK keeps retrying, ms; a
   * `warning` (LINK_RESTORED) once the socket is back. Default 10000 (inside the
   * desktop's default 15 s request timeout).
   */
  reportUnreachableAfterMs?: number;
  /**
   * Declare fewer capabilities. Default TWILIO_CAPABILITIES, plus
   * TWILIO_BACKEND_CAPABILITIES with a `backend`; the list is intersected with
   * those (what this configuration supports).
   */
  capabilities?: readonly Capability[];
  /**
   * Transfer and consult targets the panel offers to pick (agents, queues,
   * numbers): `{ id, label, kind, destination }`, each destination dialable
   * as it is (see core's DirectoryEntry). Default none.
   */
  directory?: readonly DirectoryEntry[];
  /** `connector` on every event. Default "twilio". */
  name?: string;
}

/** What the Voice SDK does in the browser on its own (`audioDevices`: its AudioHelper, see audio.ts). */
export const TWILIO_CAPABILITIES: readonly Capability[] = ["agentState", "dial", "answer", "reject", "hangup", "mute", "dtmf", "audioDevices"];

/** What a call-control backend adds (Twilio Conference on the server). */
export const TWILIO_BACKEND_CAPABILITIES: readonly Capability[] = ["hold", "blindTransfer", "consult", "completeTransfer", "conference", "dropParty", "recordingControl", "monitor", "whisper", "barge"];

/**
 * What the connector declares for a configuration: server-side features only
 * with a backend, `transcripts` only with an `agentStream`; with
 * `capabilities`, only those of them the configuration supports.
 */
export function twilioCapabilities(options: { backend?: unknown; agentStream?: unknown; capabilities?: readonly Capability[] | undefined }): Capability[] {
  // A backend object of one's own declares only what it implements (the supervisor and recording methods are optional).
  const backend = options.backend as Record<string, unknown> | undefined;
  const implemented = (c: Capability): boolean => {
    if (typeof backend !== "object" || backend === null) return true;
    const needs = c === "recordingControl" ? ["pauseRecording", "resumeRecording"] : c === "monitor" || c === "whisper" || c === "barge" ? ["monitor", "setMonitorMode"] : [];
    return needs.every((m) => typeof backend[m] === "function");
  };
  const supported: Capability[] = [...TWILIO_CAPABILITIES, ...(options.backend ? TWILIO_BACKEND_CAPABILITIES.filter(implemented) : []), ...(options.agentStream ? ["transcripts" as const] : [])];
  const declared = options.capabilities;
  return declared ? supported.filter((c) => declared.includes(c)) : supported;
}

/** The local agent state's reasons. */
export const DEFAULT_REASONS: readonly AgentReason[] = [
  { id: "ready", state: "ready", label: "Ready" },
  { id: "not_ready", state: "not_ready", label: "Not ready" },
  { id: "break", state: "not_ready", label: "Break" },
  { id: "after_call_work", state: "after_call_work", label: "After call work" },
];

/** The defaults the fields above name. */
export const DEFAULTS = {
  /** The default `startRetryDelaysMs`: 2, 5, 15, then every 30 s. */
  startRetryDelaysMs: [2000, 5000, 15_000, 30_000],
  /** The default `reregisterDelaysMs`: 1, 2, 4, 8, then every 15 s. */
  reregisterDelaysMs: [1000, 2000, 4000, 8000, 15_000],
  /** Checks that find the socket back but the Device unregistered before the link is `disconnected` (about 30 s with the default delays). */
  reregisterAttempts: 5,
  /** The default `reportUnreachableAfterMs`, ms. */
  reportUnreachableAfterMs: 10_000,
  /** How long a `tokenUrl` fetch may take before it counts as failed, ms. */
  tokenTimeoutMs: 10_000,
  /** After a transfer, how long Twilio gets to hang up the agent's leg before the connector disconnects it, ms. */
  transferHangupGraceMs: 5000,
  parameterNames: { queue: "queue", callerName: "callerName", recording: "recording" },
  name: "twilio",
} as const;
