/**
 * The simulator's connector: the reference implementation of the connector
 * contract. It speaks the simulator's wire protocol, translates its messages
 * into reports, reconnects with backoff and resyncs from a full snapshot.
 */
import { CtiError, CTI_ERROR_CODES, type AgentReason, type AgentReport, type CallReport, type Capability, type Connector, type ConnectorContext, type CtiErrorCode, type EndReason, type Party } from "@opencti/core";
import { createBackoff, guard, isKeyOf, isRecord, waitFor } from "@opencti/core/connector";
import type { ClientRequest, Operation, ServerMessage, VAgent, VCall, VLeg } from "./protocol.js";
import type { SimulatorServer } from "./server.js";

export const SIMULATOR_CAPABILITIES: readonly Capability[] = [
  "agentState",
  "dial",
  "answer",
  "reject",
  "hangup",
  "hold",
  "mute",
  "dtmf",
  "blindTransfer",
  "consult",
  "completeTransfer",
  "conference",
  "swap",
  "dropParty",
  "wrapUp",
  "transcripts",
];

export interface SimulatorConnectorOptions {
  /** Delays between reconnect attempts, ms; the last one repeats. */
  reconnectDelaysMs?: readonly number[];
  /** Declare fewer capabilities, to play a more limited vendor. */
  capabilities?: readonly Capability[];
  name?: string;
}

const STATUS = { alerting: "ringing", originating: "dialing", talking: "connected", onhold: "held", acw: "wrapup", done: "ended" } as const;
const KIND = { in: "inbound", out: "outbound", consult: "consult" } as const;
const LEG_ROLE = { agent: "agent", caller: "customer", third: "third_party" } as const;
const LEG_STATE = { alerting: "ringing", talking: "connected", held: "held", gone: "disconnected" } as const;
const CAUSE: Record<string, EndReason> = {
  local: "local_hangup",
  remote: "remote_hangup",
  rejected: "rejected",
  abandoned: "abandoned",
  busy: "busy",
  no_answer: "no_answer",
  transferred: "transferred",
  merged: "merged",
  failed: "failed",
};
const AGENT = { offline: "logged_out", ready: "ready", not_ready: "not_ready", acw: "after_call_work", busy: "busy" } as const;

class BadMessage extends Error {}

function pick<T extends Record<string, string>>(map: T, value: unknown, what: string): T[keyof T] {
  if (isKeyOf(map, value)) return map[value];
  throw new BadMessage(`unknown ${what} ${JSON.stringify(value)}`);
}

/** Vendor call → call report. Throws BadMessage on anything it cannot read. */
export function toCallReport(v: unknown): CallReport {
  if (!isRecord(v) || typeof v.callId !== "string" || v.callId === "") throw new BadMessage("call without callId");
  if (!Array.isArray(v.legs)) throw new BadMessage("call without legs");
  const c = v as unknown as VCall;
  const parties: Party[] = c.legs.map((leg: VLeg) => {
    if (!isRecord(leg) || typeof leg.legId !== "string") throw new BadMessage("leg without legId");
    return {
      id: leg.legId,
      role: pick(LEG_ROLE, leg.type, "leg type"),
      state: pick(LEG_STATE, leg.status, "leg status"),
      ...(typeof leg.number === "string" ? { address: leg.number } : {}),
      ...(typeof leg.name === "string" ? { displayName: leg.name } : {}),
    };
  });
  const report: Record<string, unknown> = {
    id: c.callId,
    vendorCallId: c.callId,
    state: pick(STATUS, c.status, "call status"),
    direction: pick(KIND, c.kind, "call kind"),
    parties,
    muted: c.micMuted === true,
    data: isRecord(c.attached) ? c.attached : {},
  };
  if (typeof c.ani === "string") report.from = c.ani;
  if (typeof c.callerName === "string") report.fromName = c.callerName;
  if (typeof c.dnis === "string") report.to = c.dnis;
  if (typeof c.queue === "string") report.queue = c.queue;
  if (typeof c.parent === "string") report.relatedCallId = c.parent;
  if (c.cause !== undefined) report.endReason = pick(CAUSE, c.cause, "cause");
  if (c.disposition || c.notes) report.wrapUp = { ...(c.disposition ? { disposition: c.disposition } : {}), ...(c.notes ? { notes: c.notes } : {}) };
  return report as unknown as CallReport;
}

export function createSimulatorConnector(server: SimulatorServer, options: SimulatorConnectorOptions = {}): Connector {
  const reasons: AgentReason[] = server.options.agentStates.map((s) => ({ id: s.id, state: s.status, label: s.label }));
  const delays = options.reconnectDelaysMs ?? [50, 100, 250, 500, 1000];
  // An empty list still retries, every second.
  const backoff = createBackoff({ delaysMs: delays.length > 0 ? delays : [1000] });
  let ctx: ConnectorContext | undefined;
  let connected = false;
  let stopped = false;
  let nextRequestId = 1;
  const pending = new Map<number, { resolve: (r: { callId?: string } | undefined) => void; reject: (e: CtiError) => void }>();

  function toAgentReport(v: unknown): AgentReport {
    if (!isRecord(v)) throw new BadMessage("agent is not an object");
    const a = v as unknown as VAgent;
    const reason = (code: unknown): AgentReason | undefined => reasons.find((r) => r.id === code);
    const next = isRecord(a.next) ? a.next : undefined;
    const nextReason = next ? reason(next.reasonCode) : undefined;
    return {
      state: pick(AGENT, a.status, "agent status"),
      ...(typeof a.reasonCode === "string" ? { reason: a.reasonCode } : {}),
      ...(typeof a.agentId === "string" ? { agentId: a.agentId } : {}),
      pendingState: next ? { state: pick(AGENT, next.status, "agent status"), ...(nextReason ? { reason: nextReason } : {}) } : null,
    };
  }

  // Whatever the server sends, nothing throws back into the wire: an unreadable message is INVALID_VENDOR_EVENT.
  const onMessage = guard(
    () => ctx,
    (raw: unknown): void => {
      const c = ctx;
      if (!c || stopped) return;
      if (!isRecord(raw) || typeof raw.type !== "string") throw new BadMessage("message without a type");
      const m = raw as ServerMessage;
      switch (m.type) {
        case "agent":
          c.setAgent(toAgentReport(m.agent));
          break;
        case "call":
          c.upsertCall(toCallReport(m.call));
          break;
        case "snapshot": {
          if (!Array.isArray(m.calls) || !Array.isArray(m.recentlyEnded)) throw new BadMessage("snapshot without calls");
          // Calls that ended while we were away keep their real end reason.
          c.sync({ agent: toAgentReport(m.agent), calls: [...m.recentlyEnded, ...m.calls].map(toCallReport) });
          connected = true;
          backoff.reset();
          c.setLink("connected");
          break;
        }
        case "transcript":
          c.signal({ kind: "transcript", callId: m.callId, segment: { id: m.segmentId, speaker: m.speaker, text: m.text, final: m.final } });
          break;
        case "insight":
          c.signal({ kind: "insight", callId: m.callId, insight: { kind: m.kind, text: m.text, ...(m.score !== undefined ? { score: m.score } : {}) } });
          break;
        case "response": {
          const waiter = pending.get(m.requestId);
          if (!waiter) break; // answered after the desktop gave up
          pending.delete(m.requestId);
          if (m.ok) waiter.resolve(m.result);
          else {
            const code = CTI_ERROR_CODES.includes(m.error?.code as CtiErrorCode) ? (m.error!.code as CtiErrorCode) : "VENDOR_ERROR";
            waiter.reject(new CtiError(code, m.error?.message ?? "The simulator refused the request", { cause: m.error }));
          }
          break;
        }
        default:
          throw new BadMessage(`unknown message type ${JSON.stringify((raw as { type: unknown }).type)}`);
      }
    },
    { message: "The simulator sent a message the connector cannot read" },
  );

  function onClose(): void {
    if (stopped) return;
    connected = false;
    for (const [id, waiter] of pending) {
      pending.delete(id);
      waiter.reject(new CtiError("LINK_DOWN", "The connection to the simulator was lost before it answered."));
    }
    ctx?.setLink("reconnecting", "connection lost");
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (stopped) return;
    backoff.schedule(connect);
  }

  function connect(): void {
    if (stopped) return;
    if (!server.wire.connect(onMessage, onClose)) {
      scheduleReconnect();
      return;
    }
    // The snapshot message brings the full state and then the link is up.
    send("snapshot", {}).catch(() => {});
  }

  /** Settles with the server's response, or with REQUEST_TIMEOUT once the desktop gives up (a late response is dropped). */
  function send(op: Operation, args: Record<string, unknown>, signal?: AbortSignal): Promise<{ callId?: string } | undefined> {
    return waitFor<{ callId?: string } | undefined>(
      (resolve, reject) => {
        const requestId = nextRequestId++;
        pending.set(requestId, { resolve, reject });
        const request: ClientRequest = { type: "request", requestId, op, args };
        server.wire.send(request);
        return () => pending.delete(requestId);
      },
      signal,
      () => new CtiError("REQUEST_TIMEOUT", `The simulator did not answer ${op} in time.`, { request: op }),
    );
  }

  async function request(op: Operation, args: Record<string, unknown>, signal: AbortSignal): Promise<{ callId?: string } | undefined> {
    if (!connected) throw new CtiError("LINK_DOWN", "The simulator link is down.");
    return send(op, args, signal);
  }

  async function newCallId(op: Operation, args: Record<string, unknown>, signal: AbortSignal): Promise<{ callId: string }> {
    const result = await request(op, args, signal);
    if (typeof result?.callId !== "string") throw new CtiError("VENDOR_ERROR", `The simulator did not return a call id for ${op}.`);
    return { callId: result.callId };
  }

  const onCall =
    (op: Operation) =>
    async ({ call, signal }: { call: { vendorCallId: string }; signal: AbortSignal }): Promise<void> => {
      await request(op, { callId: call.vendorCallId }, signal);
    };

  return {
    name: options.name ?? "simulator",
    capabilities: options.capabilities ?? SIMULATOR_CAPABILITIES,
    reasons,
    start(context) {
      ctx = context;
      stopped = false;
      context.setLink("connecting");
      connect();
    },
    stop() {
      stopped = true;
      connected = false;
      backoff.cancel();
      server.wire.close();
      for (const [id, waiter] of pending) {
        pending.delete(id);
        waiter.reject(new CtiError("LINK_DOWN", "The connector was stopped."));
      }
    },
    login: async ({ agentId, password, initialState, signal }) => {
      await request("login", { agentId, password, initialState }, signal);
    },
    logout: async ({ signal }) => {
      await request("logout", {}, signal);
    },
    setAgentState: async ({ reason, signal }) => {
      await request("setState", { reasonCode: reason.id }, signal);
    },
    dial: ({ destination, options: dialOptions, signal }) => newCallId("dial", { destination, data: dialOptions.data }, signal),
    answer: onCall("answer"),
    reject: onCall("reject"),
    hangup: onCall("hangup"),
    hold: onCall("hold"),
    resume: onCall("resume"),
    mute: onCall("mute"),
    unmute: onCall("unmute"),
    sendDtmf: async ({ call, digits, signal }) => {
      await request("dtmf", { callId: call.vendorCallId, digits }, signal);
    },
    blindTransfer: async ({ call, destination, signal }) => {
      await request("blindTransfer", { callId: call.vendorCallId, destination }, signal);
    },
    consult: ({ call, destination, signal }) => newCallId("consult", { callId: call.vendorCallId, destination }, signal),
    completeTransfer: async ({ call, consultCall, signal }) => {
      await request("completeTransfer", { callId: call.vendorCallId, consultCallId: consultCall.vendorCallId }, signal);
    },
    conference: async ({ call, consultCall, signal }) => {
      await request("conference", { callId: call.vendorCallId, consultCallId: consultCall.vendorCallId }, signal);
    },
    swap: async ({ call, otherCall, signal }) => {
      await request("swap", { callId: call.vendorCallId, otherCallId: otherCall.vendorCallId }, signal);
    },
    dropParty: async ({ call, party, signal }) => {
      await request("dropParty", { callId: call.vendorCallId, legId: party.id }, signal);
    },
    completeWrapUp: async ({ call, wrapUp, signal }) => {
      await request("wrapUp", { callId: call.vendorCallId, ...wrapUp }, signal);
    },
  };
}
