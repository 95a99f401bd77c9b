/**
 * What a simulator is configured with: the in-memory server's options (its
 * far ends, latency, credentials, agent states), the connector's, the
 * capabilities the connector declares and the agent states it offers by
 * default. Durations are milliseconds.
 */
import { CAPABILITIES, type AgentReason, type Capability, type DirectoryEntry } from "@opencti/core";
import type { MediaDeviceList } from "@opencti/core/connector";

/**
 * How a dialled number behaves: it answers (after `answerAfterMs`), is busy,
 * never answers, declines, does not exist ("not_found"), fails in the network
 * ("unavailable"), or waits for `server.remoteAnswer` ("manual").
 */
export type FarEnd = "answer" | "busy" | "no_answer" | "reject" | "not_found" | "unavailable" | "manual";

/** An agent state a person can pick, in the server's own shape (its `status` is the wire's, see protocol.ts). */
export interface AgentStateOption {
  /** The reason code the connector sends in `setState`, and the reason's id on the desktop. */
  id: string;
  /** Whether the agent takes calls in this state. */
  status: "ready" | "not_ready";
  /** What a person sees. */
  label: string;
}

export interface SimulatorServerOptions {
  /** One-way delay of every message between server and connector, ms; 0 delivers on the next microtask. Default 0. Changeable later as `server.latencyMs`. */
  latencyMs?: number;
  /** Calls that connected go to wrap-up (after call work) when they end, until `wrapUp` completes them. Default true. */
  wrapUp?: boolean;
  /** The server ends a call's wrap-up on its own this long after it began, ms (the call carries `acwEndsAt`, the desktop a countdown); 0 never does. Default 0. */
  wrapUpLimitMs?: number;
  /** Far-end behaviour by destination, for dialled, blind-transfer and consult destinations. Default: none listed. */
  farEnds?: Record<string, FarEnd>;
  /** The behaviour of destinations not listed in `farEnds`. Default "manual". */
  defaultFarEnd?: FarEnd;
  /** How long an "answer" far end rings before it picks up, ms. Default 0. */
  answerAfterMs?: number;
  /** How long an inbound call rings at the agent before the server gives up on it (it ends `missed`), ms; 0 rings until answered or abandoned. Default 0. */
  ringTimeoutMs?: number;
  /** Agent id → password; when set, login checks it (AUTH_FAILED otherwise). Default: none (any agent logs in). */
  credentials?: Record<string, string>;
  /** The agent states a person can pick; login without `initialState: "ready"` enters the first not-ready one. Default DEFAULT_AGENT_STATES. */
  agentStates?: AgentStateOption[];
  /** The agent's own line, the ANI of outbound and consult calls. Default "+15550001000". */
  agentLine?: string;
  /**
   * Calls are recorded from the moment they connect (`call.recording`
   * "active", paused and resumed with pauseRecording / resumeRecording);
   * false: not recorded ("off"). Default true.
   */
  recording?: boolean;
}

export interface SimulatorConnectorOptions {
  /** Delays before each reconnect attempt, ms; the last one repeats, `[]` retries every 1000. Default 50, 100, 250, 500, 1000. */
  reconnectDelaysMs?: readonly number[];
  /** Declare fewer capabilities, to play a more limited vendor (the desktop refuses the others before they reach the server). Default SIMULATOR_CAPABILITIES. */
  capabilities?: readonly Capability[];
  /**
   * Transfer and consult targets the panel offers to pick (agents, queues,
   * numbers): `{ id, label, kind, destination }`, each destination dialable
   * as it is (see core's DirectoryEntry). Default none.
   */
  directory?: readonly DirectoryEntry[];
  /** The `connector` name on every event. Default "simulator". */
  name?: string;
  /** The simulated browser's microphone permission: "denied" makes answer and dial fail with MEDIA_PERMISSION_DENIED before they reach the server (the call keeps ringing). Default "granted". */
  microphone?: "granted" | "denied";
  /**
   * Where the agent's audio devices come from (with the `audioDevices`
   * capability), read through core's `watchAudioDevices`: anything with
   * `enumerateDevices` and `devicechange` listeners, such as
   * `navigator.mediaDevices` in a browser demo. Default: a fresh
   * `createFakeMediaDevices()` (a default microphone, a headset microphone,
   * the default speakers, a headset), so Node and tests have devices too.
   * The simulator plays no audio: a chosen device is only recorded
   * (`server.audioInUse`); with `microphone: "denied"` choosing an input
   * fails with MEDIA_PERMISSION_DENIED.
   */
  mediaDevices?: MediaDeviceList;
}

/** Everything the simulator's server can do: every capability there is (recordingControl, monitor, whisper and barge included). */
export const SIMULATOR_CAPABILITIES: readonly Capability[] = CAPABILITIES;

/** The agent states a person can pick when the server is given none, as the connector reports them (mapping.ts `agentReasons`). */
export const DEFAULT_REASONS: readonly AgentReason[] = [
  { id: "available", state: "ready", label: "Available" },
  { id: "break", state: "not_ready", label: "Break" },
  { id: "lunch", state: "not_ready", label: "Lunch" },
  { id: "training", state: "not_ready", label: "Training" },
];

/** The server's default `agentStates`: DEFAULT_REASONS in the server's shape. */
export const DEFAULT_AGENT_STATES: AgentStateOption[] = DEFAULT_REASONS.map(({ id, state, label }) => ({ id, status: state === "ready" ? "ready" : "not_ready", label }));

/** The defaults the fields above name. */
export const DEFAULTS = {
  latencyMs: 0,
  wrapUp: true,
  wrapUpLimitMs: 0,
  defaultFarEnd: "manual",
  answerAfterMs: 0,
  ringTimeoutMs: 0,
  agentLine: "+15550001000",
  recording: true,
  reconnectDelaysMs: [50, 100, 250, 500, 1000],
  /** The reconnect delay when `reconnectDelaysMs` is empty, ms. */
  reconnectEveryMs: 1000,
  name: "simulator",
} as const;
