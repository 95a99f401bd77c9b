/**
 * An in-memory CTI server: agent state, calls, an ACD-like far end, and a
 * scripting API for demos and tests (ring a call, hang up from the far end,
 * drop the link, inject faults). It talks to its connector only through
 * messages on a `Wire` (protocol.ts), with configurable latency. Its
 * options are in options.ts.
 */
import type { AudioDevice, AudioUse, InsightKind } from "@opencti/core";
import { DEFAULT_AGENT_STATES, DEFAULTS, type FarEnd, type SimulatorServerOptions } from "./options.js";
import type { ClientRequest, Operation, VAgent, VAgentStatus, VCall, VCause, VLeg, VListen, VRecorder, Wire } from "./protocol.js";

/**
 * The release cause the network gives when a far end does not take a call
 * (Q.850 numbers, as real switches report them), by far-end behaviour.
 */
const RELEASE: Partial<Record<FarEnd, { cause: VCause; q850: number; causeText: string }>> = {
  busy: { cause: "busy", q850: 17, causeText: "User busy" },
  reject: { cause: "busy", q850: 21, causeText: "Call rejected" },
  no_answer: { cause: "no_answer", q850: 19, causeText: "No answer from user (user alerted)" },
  not_found: { cause: "not_found", q850: 1, causeText: "Unallocated (unassigned) number" },
  unavailable: { cause: "unavailable", q850: 38, causeText: "Network out of order" },
};

/** An inbound call to offer with `ringInbound`; every field is optional. */
export interface InboundCall {
  /** The caller's number (ANI). */
  from?: string;
  /** The caller's name. */
  fromName?: string;
  /** The number dialled (DNIS). */
  to?: string;
  /** The queue the call came through. */
  queue?: string;
  /** Attached call data, for screen pops. */
  data?: Record<string, string>;
}

/** Another agent's live call on the floor, for a supervisor to monitor: `startFloorCall`. */
export interface FloorCallSpec {
  /** The agent on the call (a monitor target too). */
  agentId: string;
  /** The customer's number. */
  from?: string;
  /** The customer's name. */
  fromName?: string;
  /** The queue the call came through. */
  queue?: string;
}

/** A floor call as `listFloor` shows it. */
export interface FloorCall extends FloorCallSpec {
  /** Its vendor call id (a monitor target). */
  callId: string;
  /** When it started, epoch ms. */
  since: number;
  /** The agent's monitor session on it, and how it listens. */
  monitoredBy?: { sessionId: string; listen: VListen };
}

const LISTEN: readonly VListen[] = ["silent", "coach", "join"];
const RECORDER: readonly VRecorder[] = ["on", "paused", "off"];

type Fault = { kind: "fail"; code: string; message: string } | { kind: "stall" };

class SimError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class SimulatorServer {
  private agent: VAgent = { status: "offline" };
  /** The state the agent chose; restored when calls and wrap-up are done. */
  private selected: { status: "ready" | "not_ready"; reasonCode: string } = { status: "not_ready", reasonCode: "break" };
  private readonly calls = new Map<string, VCall>();
  private readonly recentlyEnded: VCall[] = [];
  private readonly faults = new Map<Operation, Fault>();
  private client: { onMessage: (m: unknown) => void; onClose: () => void } | undefined;
  private linkUp = true;
  private nextId = 1;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Other agents' live calls (scripting's startFloorCall), by call id. */
  private readonly floor = new Map<string, FloorCall>();
  /** Legs the far end put on hold: the agent's resume leaves them held. */
  private readonly farHeld = new Set<string>();
  latencyMs: number;
  readonly options: Required<Omit<SimulatorServerOptions, "credentials" | "latencyMs">> & { credentials: Record<string, string> | undefined };
  /** DTMF digits the far end received, per live call. */
  readonly dtmf = new Map<string, string>();
  /**
   * The audio device the connector last put to each use (its `apply`: a
   * selection, or the fallback when a device in use went away). The
   * simulator plays no audio, so this is where scripting and tests see what
   * a softphone would play and capture through. Choosing a device is local
   * to the agent's browser: no wire message, works while the link is down.
   */
  readonly audioInUse = new Map<AudioUse, AudioDevice>();
  /** The last 500 requests the server received, for tests. */
  readonly requests: ClientRequest[] = [];

  constructor(options: SimulatorServerOptions = {}) {
    this.latencyMs = options.latencyMs ?? DEFAULTS.latencyMs;
    this.options = {
      wrapUp: options.wrapUp ?? DEFAULTS.wrapUp,
      wrapUpLimitMs: options.wrapUpLimitMs ?? DEFAULTS.wrapUpLimitMs,
      farEnds: options.farEnds ?? {},
      defaultFarEnd: options.defaultFarEnd ?? DEFAULTS.defaultFarEnd,
      answerAfterMs: options.answerAfterMs ?? DEFAULTS.answerAfterMs,
      ringTimeoutMs: options.ringTimeoutMs ?? DEFAULTS.ringTimeoutMs,
      credentials: options.credentials,
      agentStates: options.agentStates ?? DEFAULT_AGENT_STATES,
      agentLine: options.agentLine ?? DEFAULTS.agentLine,
      recording: options.recording ?? DEFAULTS.recording,
    };
  }

  // The wire ------------------------------------------------------------------

  readonly wire: Wire = {
    connect: (onMessage, onClose) => {
      if (!this.linkUp) return false;
      this.client = { onMessage, onClose };
      return true;
    },
    send: (request) => this.later(() => this.receive(request)),
    close: () => {
      this.client = undefined;
    },
  };

  private later(fn: () => void): void {
    if (this.latencyMs <= 0) {
      queueMicrotask(fn);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, this.latencyMs);
    this.timers.add(timer);
  }

  private push(message: unknown): void {
    const client = this.client;
    if (!client || !this.linkUp) return;
    // Deep copy: the connector must never share objects with the server.
    const copy: unknown = JSON.parse(JSON.stringify(message));
    this.later(() => {
      if (this.client === client && this.linkUp) client.onMessage(copy);
    });
  }

  private receive(request: ClientRequest): void {
    if (!this.linkUp || !this.client) return; // lost on the way
    this.requests.push(request);
    if (this.requests.length > 500) this.requests.shift();
    const fault = this.faults.get(request.op);
    if (fault) {
      this.faults.delete(request.op);
      if (fault.kind === "stall") return;
      this.push({ type: "response", requestId: request.requestId, ok: false, error: { code: fault.code, message: fault.message } });
      return;
    }
    try {
      const result = this.apply(request.op, request.args);
      this.push({ type: "response", requestId: request.requestId, ok: true, ...(result ? { result } : {}) });
    } catch (err) {
      const e = err instanceof SimError ? err : new SimError("VENDOR_ERROR", String(err));
      this.push({ type: "response", requestId: request.requestId, ok: false, error: { code: e.code, message: e.message } });
    }
  }

  // Requests from the connector -------------------------------------------------

  private apply(op: Operation, args: Record<string, unknown>): { callId: string } | undefined {
    const str = (key: string): string => {
      const v = args[key];
      if (typeof v !== "string") throw new SimError("INVALID_ARGUMENT", `${key} is required`);
      return v;
    };
    if (op === "snapshot") {
      this.push({ type: "snapshot", agent: this.agent, calls: [...this.calls.values()], recentlyEnded: this.recentlyEnded });
      return undefined;
    }
    if (op === "login") {
      const agentId = typeof args.agentId === "string" ? args.agentId : "agent-1";
      const expected = this.options.credentials?.[agentId];
      if (this.options.credentials && expected !== args.password) throw new SimError("AUTH_FAILED", "Wrong agent id or password.");
      const initial = args.initialState === "ready" ? this.options.agentStates.find((s) => s.status === "ready") : undefined;
      this.selected = initial ? { status: "ready", reasonCode: initial.id } : { status: "not_ready", reasonCode: this.firstNotReady() };
      this.agent = { agentId, status: this.selected.status, reasonCode: this.selected.reasonCode };
      this.pushAgent();
      return undefined;
    }
    if (this.agent.status === "offline") throw new SimError("NOT_LOGGED_IN", "The agent is not logged in.");
    switch (op) {
      case "logout":
        this.agent = { status: "offline" };
        this.pushAgent();
        return undefined;
      case "setState": {
        const option = this.options.agentStates.find((s) => s.id === args.reasonCode);
        if (!option) throw new SimError("INVALID_ARGUMENT", `Unknown state ${String(args.reasonCode)}`);
        const wanted = { status: option.status, reasonCode: option.id };
        if (this.agent.status === "busy" || this.agent.status === "acw") this.agent = { ...this.agent, next: wanted };
        else this.agent = { ...(this.agent.agentId ? { agentId: this.agent.agentId } : {}), ...wanted };
        this.selected = wanted;
        this.pushAgent();
        return undefined;
      }
      case "dial": {
        const to = str("destination");
        const call = this.newCall({ kind: "out", status: "originating", ani: this.options.agentLine, dnis: to, attached: (args.data as Record<string, string> | undefined) ?? {} }, { type: "caller", status: "alerting", number: to });
        this.pushCall(call);
        this.refreshAgent();
        this.farEnd(call.callId, to);
        return { callId: call.callId };
      }
      case "answer": {
        const call = this.call(args, ["alerting"]);
        // Call waiting: a held call stays held; a talking or originating one must be held first.
        this.noOther(call.callId, ["talking", "originating"], "answering");
        this.update(call, { status: "talking" }, { agent: "talking", caller: "talking" });
        return undefined;
      }
      case "reject":
        this.end(this.call(args, ["alerting"]), "rejected", false);
        return undefined;
      case "hangup": {
        // A monitor session too: the supervisor leaves.
        const call = this.call(args, ["originating", "talking", "onhold"], true);
        this.end(call, "local", call.status !== "originating");
        return undefined;
      }
      case "hold":
        this.update(this.call(args, ["talking"]), { status: "onhold" }, { caller: "held", third: "held" });
        return undefined;
      case "resume": {
        const call = this.call(args, ["onhold"]);
        this.noOther(call.callId, ["talking"], "resuming");
        this.update(call, { status: "talking" }, { caller: "talking", third: "talking" });
        return undefined;
      }
      case "mute":
      case "unmute":
        this.update(this.call(args, ["talking", "onhold"]), { micMuted: op === "mute" });
        return undefined;
      case "dtmf": {
        const call = this.call(args, ["talking"]);
        this.dtmf.set(call.callId, (this.dtmf.get(call.callId) ?? "") + str("digits"));
        return undefined;
      }
      case "blindTransfer": {
        const call = this.call(args, ["talking", "onhold"]);
        const to = str("destination");
        this.checkReachable(to);
        this.end(call, "transferred", true);
        return undefined;
      }
      case "consult": {
        const primary = this.call(args, ["talking", "onhold"]);
        const to = str("destination");
        this.checkReachable(to);
        if (primary.status === "talking") this.update(primary, { status: "onhold" }, { caller: "held" });
        const consult = this.newCall({ kind: "consult", status: "originating", ani: this.options.agentLine, dnis: to, parent: primary.callId, attached: { ...primary.attached } }, { type: "third", status: "alerting", number: to });
        this.pushCall(consult);
        this.farEnd(consult.callId, to);
        return { callId: consult.callId };
      }
      case "completeTransfer": {
        const [primary, consult] = this.pair(args);
        this.end(consult, "transferred", false);
        this.end(primary, "transferred", true);
        return undefined;
      }
      case "conference": {
        const [primary, consult] = this.pair(args);
        const third = consult.legs.find((l) => l.type === "third");
        this.end(consult, "merged", false);
        const legs = primary.legs.map((l) => (l.type === "agent" || l.type === "supervisor" ? l : { ...l, status: "talking" as const }));
        if (third) legs.push({ ...third, status: "talking" });
        this.update(primary, { status: "talking", legs });
        return undefined;
      }
      case "swap": {
        const active = this.call(args, ["onhold"]);
        const other = this.call({ callId: args.otherCallId }, ["talking"]);
        this.update(other, { status: "onhold" }, { caller: "held", third: "held" });
        this.update(active, { status: "talking" }, { caller: "talking", third: "talking" });
        return undefined;
      }
      case "dropParty": {
        const call = this.call(args, ["talking", "onhold"]);
        const legId = str("legId");
        // A supervisor listening in is not the agent's to drop.
        if (!call.legs.some((l) => l.legId === legId && l.status !== "gone" && l.type !== "supervisor")) throw new SimError("INVALID_ARGUMENT", `No party ${legId}`);
        const legs = call.legs.map((l) => (l.legId === legId ? { ...l, status: "gone" as const } : l));
        if (legs.some((l) => l.type !== "agent" && l.type !== "supervisor" && l.status !== "gone")) this.update(call, { legs });
        else this.end({ ...call, legs }, "remote", true);
        return undefined;
      }
      case "wrapUp": {
        const call = this.call(args, ["acw"]);
        this.finish({ ...call, disposition: typeof args.disposition === "string" ? args.disposition : "", notes: typeof args.notes === "string" ? args.notes : "" });
        return undefined;
      }
      case "pauseRecording":
      case "resumeRecording": {
        const call = this.call(args, ["talking", "onhold"]);
        const [from, to] = op === "pauseRecording" ? (["on", "paused"] as const) : (["paused", "on"] as const);
        if (call.recorder !== from) throw new SimError("INVALID_STATE", call.recorder === to ? `The recording of call ${call.callId} is already ${to === "on" ? "running" : "paused"}` : `Call ${call.callId} is not being recorded`);
        this.update(call, { recorder: to });
        return undefined;
      }
      case "monitor": {
        const target = str("target");
        const listen = this.listenMode(args.listen);
        // A floor call's id, or an agent on the floor (their latest call).
        const watched = this.floor.get(target) ?? [...this.floor.values()].reverse().find((f) => f.agentId === target);
        if (!watched) throw new SimError("INVALID_DESTINATION", `No live call or agent ${target} on the floor`);
        if (watched.monitoredBy) throw new SimError("INVALID_STATE", `Call ${watched.callId} is already monitored (${watched.monitoredBy.sessionId})`);
        this.noOther(undefined, ["talking", "originating"], "monitoring");
        const session = this.newCall(
          { kind: "monitor", status: "talking", listen, watches: watched.callId, dnis: watched.agentId, attached: {}, ...(watched.from !== undefined ? { ani: watched.from } : {}), ...(watched.queue !== undefined ? { queue: watched.queue } : {}) },
          { type: "caller", status: "talking", ...(watched.from !== undefined ? { number: watched.from } : {}), ...(watched.fromName !== undefined ? { name: watched.fromName } : {}) },
        );
        // The watched agent's leg, after the customer's.
        session.legs.push({ legId: `${session.callId}-third`, type: "third", status: "talking", number: watched.agentId });
        this.floor.set(watched.callId, { ...watched, monitoredBy: { sessionId: session.callId, listen } });
        this.pushCall(session);
        this.refreshAgent();
        return { callId: session.callId };
      }
      case "listen": {
        const session = this.call(args, ["talking"], true);
        if (session.kind !== "monitor") throw new SimError("INVALID_STATE", `Call ${session.callId} is not a monitor session`);
        const listen = this.listenMode(args.listen);
        const watched = this.floor.get(session.watches ?? "");
        if (watched) this.floor.set(watched.callId, { ...watched, monitoredBy: { sessionId: session.callId, listen } });
        this.update(session, { listen });
        return undefined;
      }
      default:
        throw new SimError("NOT_SUPPORTED", `Unknown operation ${String(op)}`);
    }
  }

  // Call bookkeeping ------------------------------------------------------------

  private firstNotReady(): string {
    return this.options.agentStates.find((s) => s.status === "not_ready")?.id ?? this.options.agentStates[0]?.id ?? "not_ready";
  }

  private newCall(fields: Omit<VCall, "callId" | "legs" | "micMuted">, remote: Omit<VLeg, "legId">): VCall {
    const callId = `sim-${this.nextId++}`;
    const agentLeg: VLeg = { legId: `${callId}-agent`, type: "agent", status: fields.status === "alerting" ? "alerting" : "talking" };
    const call: VCall = { ...fields, callId, micMuted: false, legs: [agentLeg, { ...remote, legId: `${callId}-${remote.type}` }] };
    this.calls.set(callId, call);
    return call;
  }

  /** The call a request names, in one of `statuses`; a monitor session only where `session` allows it (leaving, changing how it listens). */
  private call(args: Record<string, unknown>, statuses: VCall["status"][], session = false): VCall {
    const call = typeof args.callId === "string" ? this.calls.get(args.callId) : undefined;
    if (!call) throw new SimError("INVALID_STATE", `No call ${String(args.callId)}`);
    if (call.kind === "monitor" && !session) throw new SimError("INVALID_STATE", `Call ${call.callId} is a monitor session: leave it or change how it listens`);
    if (!statuses.includes(call.status)) throw new SimError("INVALID_STATE", `Call ${call.callId} is ${call.status}`);
    return call;
  }

  /** One conversation at a time: refuses while another call than `callId` is in one of `statuses`. */
  private noOther(callId: string | undefined, statuses: VCall["status"][], doing: string): void {
    const other = [...this.calls.values()].find((c) => c.callId !== callId && statuses.includes(c.status));
    if (other) throw new SimError("INVALID_STATE", `Call ${other.callId} is ${other.status}: hold it before ${doing} another`);
  }

  private pair(args: Record<string, unknown>): [VCall, VCall] {
    const primary = this.call(args, ["talking", "onhold"]);
    const consult = this.call({ callId: args.consultCallId }, ["talking", "onhold"]);
    if (consult.parent !== primary.callId) throw new SimError("INVALID_STATE", "Not a consult pair");
    return [primary, consult];
  }

  private update(call: VCall, fields: Partial<VCall>, legStatus: Partial<Record<VLeg["type"], VLeg["status"]>> = {}): VCall {
    const status = (l: VLeg): VLeg["status"] => (legStatus[l.type] === "talking" && this.farHeld.has(l.legId) ? "held" : legStatus[l.type]!);
    const legs = (fields.legs ?? call.legs).map((l) => (l.status !== "gone" && legStatus[l.type] ? { ...l, status: status(l) } : l));
    const next = { ...call, ...fields, legs };
    // Recorded from the moment it talks (a monitor session is not).
    if (next.status === "talking" && next.recorder === undefined && next.kind !== "monitor") next.recorder = this.options.recording ? "on" : "off";
    this.calls.set(call.callId, next);
    this.pushCall(next);
    this.refreshAgent();
    return next;
  }

  /** The conversation ends; wrap-up follows when enabled and `wrapUp` applies. `release`: the network's cause, for a call that never connected. */
  private end(call: VCall, cause: VCause, wrapUp: boolean, release: Pick<VCall, "q850" | "causeText"> = {}): void {
    const legs = call.legs.map((l) => ({ ...l, status: "gone" as const }));
    if (wrapUp && this.options.wrapUp && call.kind !== "monitor") {
      const limit = this.options.wrapUpLimitMs;
      this.update(call, { status: "acw", cause, legs, ...release, ...(limit > 0 ? { acwEndsAt: Date.now() + limit } : {}) });
      // Wrap-up ends on its own at the limit, unless the agent finished it first.
      if (limit > 0) this.after(limit, () => this.calls.get(call.callId)?.status === "acw" && this.finish(this.calls.get(call.callId)!));
    } else this.finish({ ...call, cause, legs, ...release });
  }

  private finish(call: VCall): void {
    const done: VCall = { ...call, status: "done", legs: call.legs.map((l) => ({ ...l, status: "gone" as const })) };
    this.calls.delete(call.callId);
    this.dtmf.delete(call.callId);
    for (const l of call.legs) this.farHeld.delete(l.legId);
    // A monitor session is over: the watched call is no longer monitored.
    const watched = call.watches !== undefined ? this.floor.get(call.watches) : undefined;
    if (watched?.monitoredBy?.sessionId === call.callId) {
      const { monitoredBy: _, ...rest } = watched;
      this.floor.set(watched.callId, rest);
    }
    this.recentlyEnded.push(done);
    if (this.recentlyEnded.length > 50) this.recentlyEnded.shift();
    this.pushCall(done);
    this.refreshAgent();
  }

  private pushCall(call: VCall): void {
    this.push({ type: "call", call });
  }

  private pushAgent(): void {
    this.push({ type: "agent", agent: this.agent });
  }

  /** Busy while a call talks, ACW while one wraps up, else what the agent chose. */
  private refreshAgent(): void {
    if (this.agent.status === "offline") return;
    const calls = [...this.calls.values()];
    let status: VAgentStatus;
    let reasonCode: string | undefined;
    if (calls.some((c) => c.status === "acw")) status = "acw";
    else if (calls.some((c) => c.status === "talking" || c.status === "onhold" || c.status === "originating")) status = "busy";
    else {
      if (this.agent.next) this.selected = { status: this.agent.next.status as "ready" | "not_ready", reasonCode: this.agent.next.reasonCode ?? this.firstNotReady() };
      status = this.selected.status;
      reasonCode = this.selected.reasonCode;
    }
    const next: VAgent = { status, ...(this.agent.agentId ? { agentId: this.agent.agentId } : {}), ...(reasonCode ? { reasonCode } : {}), ...(status === "busy" || status === "acw") && this.agent.next ? { next: this.agent.next } : {} };
    if (JSON.stringify(next) !== JSON.stringify(this.agent)) {
      this.agent = next;
      this.pushAgent();
    }
  }

  private behaviour(destination: string): FarEnd {
    return this.options.farEnds[destination] ?? this.options.defaultFarEnd;
  }

  private checkReachable(destination: string): void {
    const b = this.behaviour(destination);
    if (b === "busy") throw new SimError("DESTINATION_BUSY", `${destination} is busy`);
    if (b === "reject") throw new SimError("CALL_REJECTED", `${destination} declined the call`);
    if (b === "not_found") throw new SimError("INVALID_DESTINATION", `${destination} does not exist`);
    if (b === "unavailable") throw new SimError("VENDOR_ERROR", `${destination} cannot be reached: network out of order`);
  }

  private farEnd(callId: string, destination: string): void {
    const b = this.behaviour(destination);
    if (b === "manual") return;
    this.after(b === "answer" ? this.options.answerAfterMs : 0, () => {
      const call = this.calls.get(callId);
      if (!call || call.status !== "originating") return;
      const release = RELEASE[b];
      if (release) this.end(call, release.cause, false, { q850: release.q850, causeText: release.causeText });
      else this.remoteAnswer(callId);
    });
  }

  private listenMode(value: unknown): VListen {
    if (!LISTEN.includes(value as VListen)) throw new SimError("INVALID_ARGUMENT", `Unknown listen mode ${JSON.stringify(value)}: silent, coach or join`);
    return value as VListen;
  }

  private after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  // Scripting API: the far end and the network -----------------------------------

  /** Offer an inbound call to the agent; returns its vendor call id. */
  ringInbound(inbound: InboundCall = {}): string {
    const call = this.newCall(
      {
        kind: "in",
        status: "alerting",
        attached: { ...(inbound.data ?? {}) },
        ...(inbound.from !== undefined ? { ani: inbound.from } : {}),
        ...(inbound.fromName !== undefined ? { callerName: inbound.fromName } : {}),
        ...(inbound.to !== undefined ? { dnis: inbound.to } : {}),
        ...(inbound.queue !== undefined ? { queue: inbound.queue } : {}),
      },
      { type: "caller", status: "talking", ...(inbound.from !== undefined ? { number: inbound.from } : {}), ...(inbound.fromName !== undefined ? { name: inbound.fromName } : {}) },
    );
    this.pushCall(call);
    const { ringTimeoutMs } = this.options;
    if (ringTimeoutMs > 0) this.after(ringTimeoutMs, () => this.calls.get(call.callId)?.status === "alerting" && this.missInbound(call.callId));
    return call.callId;
  }

  /** Nobody answered: the server stops offering the ringing call (its ring timeout), the caller still on the line. */
  missInbound(callId: string): void {
    this.end(this.mustGet(callId, ["alerting"]), "missed", false);
  }

  /** The far end puts the call on hold: its leg is held, the call stays talking. */
  remoteHold(callId: string): void {
    const call = this.mustGet(callId, ["talking", "onhold"]);
    for (const l of call.legs) if ((l.type === "caller" || l.type === "third") && l.status !== "gone") this.farHeld.add(l.legId);
    this.update(call, {}, { caller: "held", third: "held" });
  }

  /** The far end takes it off hold (still held if the agent holds the call). */
  remoteResume(callId: string): void {
    const call = this.mustGet(callId, ["talking", "onhold"]);
    for (const l of call.legs) this.farHeld.delete(l.legId);
    const status = call.status === "talking" ? "talking" : "held";
    this.update(call, {}, { caller: status, third: status });
  }

  /** The call's audio path drops while signalling and the link stay up. */
  interruptMedia(callId: string): void {
    this.update(this.mustGet(callId, ["talking", "onhold"]), { audio: "recovering" });
  }

  /** Its audio comes back. */
  restoreMedia(callId: string): void {
    this.update(this.mustGet(callId, ["talking", "onhold"]), { audio: "flowing" });
  }

  /** The far end of an outbound or consult call picks up. */
  remoteAnswer(callId: string): void {
    const call = this.mustGet(callId, ["originating"]);
    this.update(call, { status: "talking" }, { caller: "talking", third: "talking" });
  }

  /** The far end hangs up a call in progress. */
  remoteHangup(callId: string): void {
    const call = this.mustGet(callId, ["originating", "talking", "onhold"]);
    this.end(call, "remote", call.status !== "originating" && call.kind !== "consult");
  }

  /**
   * Recording changed outside the agent's hands (a compliance rule, the
   * recorder failing): `on`, `paused` or `off` on a talking or held call.
   */
  setRecording(callId: string, recorder: VRecorder): void {
    if (!RECORDER.includes(recorder)) throw new Error(`Unknown recorder state ${JSON.stringify(recorder)}: on, paused or off`);
    this.update(this.mustGet(callId, ["talking", "onhold"]), { recorder });
  }

  /**
   * A supervisor listens in on the agent's talking or held call (`silent`,
   * `coach`: only the agent hears them, `join`), or leaves it (undefined): a
   * `supervisor` leg on the call, so the agent's desktop can show it.
   */
  supervise(callId: string, listen: VListen | undefined, name = "Supervisor"): void {
    const call = this.mustGet(callId, ["talking", "onhold"]);
    if (call.kind === "monitor") throw new Error(`Call ${callId} is a monitor session`);
    if (listen !== undefined) this.listenMode(listen);
    const legId = `${callId}-supervisor`;
    const known = call.legs.some((l) => l.legId === legId);
    if (!known && listen === undefined) return;
    const leg: VLeg = { legId, type: "supervisor", status: listen ? "talking" : "gone", name, ...(listen ? { listen } : {}) };
    this.update(call, { legs: known ? call.legs.map((l) => (l.legId === legId ? leg : l)) : [...call.legs, leg] });
  }

  /** Another agent's call starts on the floor (something for the agent, as a supervisor, to monitor); returns its vendor call id. */
  startFloorCall(spec: FloorCallSpec): string {
    if (typeof spec?.agentId !== "string" || spec.agentId === "") throw new Error("A floor call needs the agentId of the agent on it");
    const callId = `floor-${this.nextId++}`;
    const { agentId, from, fromName, queue } = spec;
    this.floor.set(callId, { callId, agentId, since: Date.now(), ...(from !== undefined ? { from } : {}), ...(fromName !== undefined ? { fromName } : {}), ...(queue !== undefined ? { queue } : {}) });
    return callId;
  }

  /** A floor call ends; the agent's monitor session on it ends too (`remote`). */
  endFloorCall(callId: string): void {
    const call = this.floor.get(callId);
    if (!call) throw new Error(`The simulator has no floor call ${callId}`);
    this.floor.delete(callId);
    const session = call.monitoredBy && this.calls.get(call.monitoredBy.sessionId);
    if (session) this.end(session, "remote", false);
  }

  /** Other agents' live calls, oldest first. */
  listFloor(): FloorCall[] {
    return [...this.floor.values()];
  }

  /** The caller gives up while the call is still ringing at the agent. */
  abandon(callId: string): void {
    this.end(this.mustGet(callId, ["alerting"]), "abandoned", false);
  }

  /** A Voice AI transcript line for a call. */
  transcript(callId: string, line: { speaker: "agent" | "customer"; text: string; final?: boolean; segmentId?: string }): void {
    this.push({ type: "transcript", callId, segmentId: line.segmentId ?? `seg-${this.nextId++}`, speaker: line.speaker, text: line.text, final: line.final ?? true });
  }

  insight(callId: string, insight: { kind: InsightKind; text: string; score?: number }): void {
    this.push({ type: "insight", callId, ...insight });
  }

  /** The next request of this kind fails with a vendor error. */
  failNext(op: Operation, error: { code?: string; message?: string } = {}): void {
    this.faults.set(op, { kind: "fail", code: error.code ?? "VENDOR_ERROR", message: error.message ?? `The simulator failed ${op} on purpose` });
  }

  /** The next request of this kind is never answered. */
  stallNext(op: Operation): void {
    this.faults.set(op, { kind: "stall" });
  }

  /** Cut the link: the connector sees its connection close, and cannot reconnect. */
  dropLink(): void {
    this.linkUp = false;
    const client = this.client;
    this.client = undefined;
    if (client) this.later(() => client.onClose());
  }

  /** Let the connector reconnect. */
  restoreLink(): void {
    this.linkUp = true;
  }

  get linkIsUp(): boolean {
    return this.linkUp;
  }

  /** Send anything down the wire as if the server had: for malformed-event tests. */
  sendRaw(message: unknown): void {
    const client = this.client;
    if (client) this.later(() => client.onMessage(message));
  }

  /** The server's view of a call (undefined once done). */
  getCall(callId: string): VCall | undefined {
    return this.calls.get(callId);
  }

  get agentState(): VAgent {
    return this.agent;
  }

  /** Calls the server has, in order. */
  listCalls(): VCall[] {
    return [...this.calls.values()];
  }

  /** Stop every timer (far ends, latency). */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.client = undefined;
  }

  private mustGet(callId: string, statuses: VCall["status"][]): VCall {
    const call = this.calls.get(callId);
    if (!call) throw new Error(`The simulator has no call ${callId}`);
    if (!statuses.includes(call.status)) throw new Error(`Call ${callId} is ${call.status}, not ${statuses.join("/")}`);
    return call;
  }
}
