/**
 * The seam between the connector and the in-memory server: the simulator's
 * own "vendor" wire protocol and the transport it travels on. It is
 * deliberately shaped unlike the normalized model (like a real CTI
 * server's), so the connector does the same translation work a real
 * connector does (mapping.ts).
 */

import type { InsightKind } from "@opencti/core";

export type VCallStatus = "alerting" | "originating" | "talking" | "onhold" | "acw" | "done";
export type VLegStatus = "alerting" | "talking" | "held" | "gone";
export type VCause = "local" | "remote" | "rejected" | "missed" | "abandoned" | "busy" | "no_answer" | "not_found" | "unavailable" | "transferred" | "merged" | "failed";
/** The audio path of a talking call: flowing, or lost and being re-established (signalling and the link stay up). */
export type VAudio = "flowing" | "recovering";
/** The call recorder: recording, paused by the agent, or not recording this call (the server's `recording` option false). */
export type VRecorder = "on" | "paused" | "off";
/** How a supervisor listens in: silent (nobody hears them), coach (only the agent does), join (everyone does). */
export type VListen = "silent" | "coach" | "join";

export interface VLeg {
  legId: string;
  /** `supervisor`: someone listening in on the agent's call (scripting's `supervise`). */
  type: "agent" | "caller" | "third" | "supervisor";
  status: VLegStatus;
  number?: string;
  name?: string;
  /** A supervisor leg's way of listening. */
  listen?: VListen;
}

export interface VCall {
  callId: string;
  /** `monitor`: the agent's session listening in on another agent's call on the floor (op `monitor`). */
  kind: "in" | "out" | "consult" | "monitor";
  status: VCallStatus;
  ani?: string;
  callerName?: string;
  dnis?: string;
  queue?: string;
  attached: Record<string, string>;
  legs: VLeg[];
  micMuted: boolean;
  parent?: string;
  cause?: VCause;
  /** The network's release cause for a call that failed to connect: a Q.850 cause number (17 user busy, 1 unallocated number, 38 network out of order). */
  q850?: number;
  /** The release cause in words. */
  causeText?: string;
  /** Present once the call's audio was interrupted at least once. */
  audio?: VAudio;
  disposition?: string;
  notes?: string;
  /** When the server ends this call's wrap-up on its own, epoch ms (its wrapUpLimitMs). */
  acwEndsAt?: number;
  /** The recorder, from the moment the call talks (absent before). */
  recorder?: VRecorder;
  /** A monitor session's way of listening. */
  listen?: VListen;
  /** A monitor session's watched floor call (its callId). */
  watches?: string;
}

export type VAgentStatus = "offline" | "ready" | "not_ready" | "acw" | "busy";

export interface VAgent {
  agentId?: string;
  status: VAgentStatus;
  reasonCode?: string;
  next?: { status: VAgentStatus; reasonCode?: string };
}

export type ServerMessage =
  | { type: "agent"; agent: VAgent }
  | { type: "call"; call: VCall }
  | { type: "snapshot"; agent: VAgent; calls: VCall[]; recentlyEnded: VCall[] }
  | { type: "transcript"; callId: string; segmentId: string; speaker: "agent" | "customer"; text: string; final: boolean }
  | { type: "insight"; callId: string; kind: InsightKind; text: string; score?: number }
  | { type: "response"; requestId: number; ok: boolean; result?: { callId?: string }; error?: { code: string; message: string } };

export type Operation =
  | "snapshot"
  | "login"
  | "logout"
  | "setState"
  | "dial"
  | "answer"
  | "reject"
  | "hangup"
  | "hold"
  | "resume"
  | "mute"
  | "unmute"
  | "dtmf"
  | "blindTransfer"
  | "consult"
  | "completeTransfer"
  | "conference"
  | "swap"
  | "dropParty"
  | "wrapUp"
  // Recording: { callId }; a monitor session: "monitor" { target: a floor callId or agentId, listen } → { callId }, "listen" { callId, listen }.
  | "pauseRecording"
  | "resumeRecording"
  | "monitor"
  | "listen";

export interface ClientRequest {
  type: "request";
  requestId: number;
  op: Operation;
  args: Record<string, unknown>;
}

/** The in-memory transport between the server and its connector (`server.wire`). */
export interface Wire {
  /** Open a connection; false while the link is down. */
  connect(onMessage: (message: unknown) => void, onClose: () => void): boolean;
  send(request: ClientRequest): void;
  close(): void;
}
