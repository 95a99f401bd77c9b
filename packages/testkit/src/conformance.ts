/**
 * runConnectorConformance: the scenarios every connector passes, each against
 * the connector's real backend through its harness. Optional capabilities and
 * backend features gate scenarios (it.skipIf), in the style of unstorage's
 * shared driver tests.
 */
import { CtiError, type Call, type CallEventType, type Capability, type Connector, type DesktopEvent, type DesktopEventMap } from "@opencti/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ConformanceContext, ConformanceOptions, ConnectorHarness, ScenarioSession } from "./harness.js";
import { createRecordedDesktop, type RecordedDesktop } from "./recorder.js";
import { schemaProblems } from "./schema.js";

const REQUEST_METHODS = ["login", "logout", "setAgentState", "dial", "answer", "reject", "hangup", "hold", "resume", "mute", "unmute", "sendDtmf", "blindTransfer", "consult", "completeTransfer", "conference", "swap", "dropParty", "completeWrapUp", "selectAudioDevice", "pauseRecording", "resumeRecording", "monitor", "setMonitorMode"] as const;

interface Session<H extends ConnectorHarness> extends ScenarioSession<H> {
  afterScenario: (() => void | Promise<void>) | undefined;
  /** How many times each connector request method was called. */
  vendorCalls: Map<string, number>;
}

/** Wraps the connector so the suite can tell whether a request reached it. */
function counting(connector: Connector, counts: Map<string, number>): Connector {
  const wrapped: Record<string, unknown> = Object.create(connector) as Record<string, unknown>;
  for (const method of REQUEST_METHODS) {
    const fn = (connector as unknown as Record<string, unknown>)[method];
    if (typeof fn !== "function") continue;
    wrapped[method] = (...args: unknown[]): unknown => {
      counts.set(method, (counts.get(method) ?? 0) + 1);
      return (fn as (...a: unknown[]) => unknown).apply(connector, args);
    };
  }
  for (const key of ["start", "stop"] as const) wrapped[key] = connector[key].bind(connector);
  return wrapped as unknown as Connector;
}

/** What every scenario's events must satisfy, whatever the connector. */
function checkEvents(events: readonly DesktopEvent[]): void {
  // Every event validates against the published schema …
  for (const e of events) expect(schemaProblems(e), `${e.type} #${e.seq}: ${JSON.stringify(e).slice(0, 300)}`).toEqual([]);
  // … seq strictly increases …
  events.forEach((e, i) => i === 0 || expect(e.seq).toBeGreaterThan(events[i - 1]!.seq));
  // … every call lists the agent's own party first, and only once (one party shape from every connector) …
  // … and a call ends at most once, with nothing after its end.
  const ended = new Map<string, number>();
  for (const e of events) {
    if (!("call" in e)) continue;
    const { id, parties } = (e as { call: Call }).call;
    expect(
      parties[0]?.role === "agent" && parties.filter((p) => p.role === "agent").length === 1,
      `${e.type} #${e.seq}: parties ${JSON.stringify(parties.map((p) => p.role))} do not start with the agent's own party`,
    ).toBe(true);
    expect(ended.has(id), `${e.type} after call.ended for ${id}`).toBe(false);
    if (e.type === "call.ended") ended.set(id, e.seq);
    // … a call that is over has nobody left on it, and a failed call says why.
    const call = (e as { call: Call }).call;
    if (e.type === "call.ended" || e.type === "call.wrapup") {
      expect(parties.filter((p) => p.state !== "disconnected"), `${e.type} #${e.seq}: parties still on an ended call`).toEqual([]);
      if (call.endReason === "failed") expect(call.failure, `${e.type} #${e.seq}: a failed call without failure`).toBeDefined();
    }
  }
}

export function runConnectorConformance<H extends ConnectorHarness = ConnectorHarness>(options: ConformanceOptions<H>): void {
  const caps = new Set<Capability>(options.capabilities);
  const has = (...c: Capability[]): boolean => c.every((x) => caps.has(x));
  const features = options.features ?? {};
  const requestTimeoutMs = options.requestTimeoutMs ?? 3000;
  const eventTimeoutMs = options.eventTimeoutMs ?? 5000;
  let s: Session<H>;
  /** A desktop on `connector` with the suite's timeouts (polling every 5 ms). */
  const record = (connector: Connector, overrides: Parameters<typeof createRecordedDesktop>[1] = {}): RecordedDesktop =>
    createRecordedDesktop(connector, { requestTimeoutMs, historyLimit: 5000, timeoutMs: eventTimeoutMs, intervalMs: 5, ...overrides });

  const waitFor = <T>(fn: () => T | undefined | false | Promise<T | undefined | false>, what: string): Promise<T> => s.waitFor(fn, what);

  /** The first event of `type` (for `callId`, if given) after `afterSeq`. */
  const nextEvent = <T extends DesktopEvent["type"]>(type: T, pred: (e: DesktopEventMap[T]) => boolean = () => true, afterSeq = 0): Promise<DesktopEventMap[T]> => s.next(type, pred, { after: afterSeq });

  const callEvent = (type: CallEventType, callId: string, afterSeq = 0) => nextEvent(type, (e) => (e as { call: Call }).call.id === callId, afterSeq);
  const lastSeq = (): number => s.lastSeq();
  const callEvents = (callId: string): string[] => s.callEvents(callId);

  async function ready(): Promise<void> {
    await s.desktop.login(s.harness.login ?? {});
    await waitFor(() => s.desktop.snapshot().agent.state !== "logged_out", "login");
    if (has("agentState")) {
      await s.desktop.setAgentState("ready");
      await waitFor(() => s.desktop.snapshot().agent.state === "ready", "agent ready");
    }
  }

  let inboundCounter = 0;
  async function ringInbound(extra: { fromName?: string; queue?: string; data?: Record<string, string> } = {}): Promise<Call> {
    const from = `+1555010${String(++inboundCounter).padStart(4, "0")}`;
    const after = lastSeq();
    await s.harness.driver.ringInbound({ from, to: "+15550009999", ...extra });
    const event = await nextEvent("call.ringing", (e) => e.call.from === from || e.call.from?.includes(from.slice(1)) === true, after);
    return event.call;
  }

  async function answered(): Promise<Call> {
    const call = await ringInbound();
    const after = lastSeq();
    await s.desktop.answer(call.id);
    return (await callEvent("call.connected", call.id, after)).call;
  }

  /** Ends `callId` from our side or waits for it, finishing wrap-up if there is one. */
  async function finish(callId: string): Promise<Call> {
    const done = await waitFor(() => s.events.find((e) => (e.type === "call.wrapup" || e.type === "call.ended") && (e as { call: Call }).call.id === callId), "the call to end or wrap up");
    if (done.type === "call.wrapup") {
      await s.desktop.completeWrapUp(callId, { disposition: "resolved" });
      return (await callEvent("call.ended", callId)).call;
    }
    return (done as { call: Call }).call;
  }

  async function refused(p: Promise<unknown>, code: string): Promise<CtiError> {
    const error = await p.then(
      () => {
        throw new Error(`expected the request to be refused with ${code}`);
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CtiError);
    expect((error as CtiError).code).toBe(code);
    return error as CtiError;
  }

  const context: ConformanceContext<H> = {
    name: options.name,
    capabilities: caps,
    features,
    session: () => {
      if (!s) throw new Error("session() is only available while a scenario runs");
      return s;
    },
    createHarness: async (variant) => options.createHarness(variant),
    record,
  };

  describe(`connector conformance: ${options.name}`, () => {
    beforeEach(async () => {
      const harness = await options.createHarness();
      const vendorCalls = new Map<string, number>();
      const recorded = record(counting(harness.connector, vendorCalls));
      const hook = options.onDesktop?.(recorded.desktop);
      s = { ...recorded, harness, ready, vendorCalls, afterScenario: hook ?? undefined };
      await s.connected();
    });

    afterEach(async () => {
      try {
        await s.afterScenario?.();
        checkEvents(s.events);
      } finally {
        await s.desktop.destroy();
        await s.harness.dispose();
      }
    });

    it("declares the capabilities it is configured with, and reasons for agent state", () => {
      expect([...s.desktop.capabilities].sort()).toEqual([...caps].sort());
      if (has("agentState")) {
        const reasons = s.desktop.snapshot().reasons;
        expect(reasons.some((r) => r.state === "ready")).toBe(true);
        expect(reasons.some((r) => r.state === "not_ready")).toBe(true);
      }
    });

    it("logs in and out", async () => {
      await ready();
      const agent = s.desktop.snapshot().agent;
      expect(agent.state).not.toBe("logged_out");
      expect(s.events.some((e) => e.type === "agent.changed")).toBe(true);
      await s.desktop.logout();
      await waitFor(() => s.desktop.snapshot().agent.state === "logged_out", "logout");
    });

    it.skipIf(!has("answer", "hangup"))("inbound: ringing → answer → hold → resume → mute → DTMF → hang up → wrap-up → ready", async () => {
      await ready();
      const call = await ringInbound({ fromName: "Ada Lovelace", queue: "Support", data: { customerId: "C-42" } });
      expect(call).toMatchObject({ direction: "inbound", state: "ringing" });
      expect(call.actions).toContain("answer");
      if (has("reject")) expect(call.actions).toContain("reject");
      await s.desktop.answer(call.id);
      let now = (await callEvent("call.connected", call.id)).call;
      expect(now.actions).toContain("hangup");
      if (has("hold")) {
        await s.desktop.hold(call.id);
        now = (await callEvent("call.held", call.id)).call;
        expect(now.actions).toContain("resume");
        await s.desktop.resume(call.id);
        now = (await callEvent("call.resumed", call.id)).call;
      }
      if (has("mute")) {
        await s.desktop.mute(call.id);
        expect((await callEvent("call.muted", call.id)).call.muted).toBe(true);
        await s.desktop.unmute(call.id);
        expect((await callEvent("call.unmuted", call.id)).call.muted).toBe(false);
      }
      if (has("dtmf")) {
        await s.desktop.sendDtmf(call.id, "12#");
        if (features.dtmfEcho) await waitFor(async () => (await s.harness.driver.dtmfReceived!(now)).includes("12#"), "far end to receive DTMF");
      }
      await s.desktop.hangup(call.id);
      const ended = await finish(call.id);
      expect(ended.endReason).toBe("local_hangup");
      if (features.wrapUp) expect(callEvents(call.id)).toContain("call.wrapup");
      if (has("agentState")) await waitFor(() => s.desktop.snapshot().agent.state === "ready", "agent back to ready");
      expect(s.desktop.snapshot().calls).toEqual([]);
      expect(callEvents(call.id).filter((t) => t === "call.ended")).toHaveLength(1);
    });

    it.skipIf(!has("answer"))("inbound call data reaches the screen pop: caller id, DNIS, queue and attached data", async () => {
      await ready();
      const call = await ringInbound({ fromName: "Grace Hopper", queue: "Billing", data: { customerId: "C-7", topic: "invoice" } });
      expect(call.from).toMatch(/\+?1555010/);
      expect(call.to ?? "").toMatch(/9999/);
      if (call.queue !== undefined) expect(call.queue).toBe("Billing");
      expect(call.data).toMatchObject({ customerId: "C-7", topic: "invoice" });
      if (has("reject")) await s.desktop.reject(call.id);
      else await s.harness.driver.abandon(call);
      await finish(call.id);
    });

    it.skipIf(!has("dial", "hangup"))("outbound: dial → dialing → connected → remote hang-up", async () => {
      await ready();
      const id = await s.desktop.dial(s.harness.destinations.outbound);
      const dialing = (await callEvent("call.dialing", id)).call;
      expect(dialing.direction).toBe("outbound");
      expect(dialing.actions).toContain("hangup");
      await s.harness.driver.remoteAnswer(dialing);
      const connected = (await callEvent("call.connected", id)).call;
      await s.harness.driver.remoteHangup(connected);
      const ended = await finish(id);
      expect(ended.endReason).toBe("remote_hangup");
    });

    it.skipIf(!has("reject"))("reject: the call ends as rejected and the agent state is untouched", async () => {
      await ready();
      const before = s.desktop.snapshot().agent.state;
      const call = await ringInbound();
      await s.desktop.reject(call.id);
      const ended = (await callEvent("call.ended", call.id)).call;
      expect(ended.endReason).toBe("rejected");
      expect(callEvents(call.id)).not.toContain("call.connected");
      await waitFor(() => s.desktop.snapshot().agent.state === before, "agent state unchanged");
    });

    it.skipIf(!has("answer"))("caller abandons while ringing: the call ends abandoned, and answering it is refused", async () => {
      await ready();
      const call = await ringInbound();
      await s.harness.driver.abandon(call);
      const ended = (await callEvent("call.ended", call.id)).call;
      expect(ended.endReason).toBe("abandoned");
      const before = s.vendorCalls.get("answer") ?? 0;
      await refused(s.desktop.answer(call.id), "INVALID_STATE");
      expect(s.vendorCalls.get("answer") ?? 0).toBe(before);
    });

    it.skipIf(!has("answer", "blindTransfer"))("blind transfer: call.transferred then the call ends for the agent", async () => {
      await ready();
      const call = await answered();
      await s.desktop.blindTransfer(call.id, s.harness.destinations.transferTarget);
      await callEvent("call.transferred", call.id);
      const ended = await finish(call.id);
      expect(ended.endReason).toBe("transferred");
    });

    it.skipIf(!has("answer", "consult", "completeTransfer"))("consult then complete transfer", async () => {
      await ready();
      const call = await answered();
      const consultId = await s.desktop.consult(call.id, s.harness.destinations.consultTarget);
      const consult = (await callEvent("call.dialing", consultId)).call;
      expect(consult).toMatchObject({ direction: "consult", relatedCallId: call.id });
      await waitFor(() => s.desktop.getCall(call.id)?.state === "held", "primary held during consult");
      await s.harness.driver.remoteAnswer(consult);
      await callEvent("call.connected", consultId);
      await waitFor(() => s.desktop.getCall(call.id)?.actions.includes("completeTransfer"), "completeTransfer offered");
      await s.desktop.completeTransfer(consultId);
      await callEvent("call.transferred", call.id);
      expect((await finish(call.id)).endReason).toBe("transferred");
      await finish(consultId);
      expect(s.desktop.snapshot().calls).toEqual([]);
    });

    it.skipIf(!has("answer", "consult", "swap"))("swap between a consult call and the held call", async () => {
      await ready();
      const call = await answered();
      const consultId = await s.desktop.consult(call.id, s.harness.destinations.consultTarget);
      const consult = (await callEvent("call.dialing", consultId)).call;
      await s.harness.driver.remoteAnswer(consult);
      await callEvent("call.connected", consultId);
      await waitFor(() => s.desktop.getCall(call.id)?.actions.includes("swap"), "swap offered");
      const after = lastSeq();
      await s.desktop.swap(call.id);
      await callEvent("call.resumed", call.id, after);
      await callEvent("call.held", consultId, after);
      await s.desktop.hangup(consultId);
      await finish(consultId);
      await waitFor(() => s.desktop.getCall(call.id)?.actions.includes("hangup"), "primary still live");
      await s.desktop.hangup(call.id);
      await finish(call.id);
    });

    it.skipIf(!has("answer", "consult", "conference"))("conference: consult, merge, then drop a party", async () => {
      await ready();
      const call = await answered();
      const consultId = await s.desktop.consult(call.id, s.harness.destinations.consultTarget);
      const consult = (await callEvent("call.dialing", consultId)).call;
      await s.harness.driver.remoteAnswer(consult);
      await callEvent("call.connected", consultId);
      await waitFor(() => s.desktop.getCall(call.id)?.actions.includes("conference"), "conference offered");
      await s.desktop.conference(call.id);
      const merged = (await callEvent("call.conferenced", call.id)).call;
      expect(merged.parties.filter((p) => p.role !== "agent" && p.state === "connected").length).toBeGreaterThanOrEqual(2);
      expect((await callEvent("call.ended", consultId)).call.endReason).toBe("merged");
      if (has("dropParty")) {
        const third = merged.parties.find((p) => p.role === "third_party" && p.state === "connected")!;
        expect(merged.actions).toContain("dropParty");
        await s.desktop.dropParty(call.id, third.id);
        await waitFor(() => s.desktop.getCall(call.id)?.parties.find((p) => p.id === third.id)?.state === "disconnected" || undefined, "party dropped");
      }
      await s.desktop.hangup(call.id);
      await finish(call.id);
    });

    it.skipIf(!has("answer", "hangup") || !features.secondCall)("call waiting: a second call cannot be answered over a connected one; hold first (and with callWaiting the held call stays)", async () => {
      await ready();
      const first = await answered();
      const second = await ringInbound();
      expect(s.desktop.snapshot().calls.map((c) => c.id)).toEqual([first.id, second.id]);
      expect(second.actions).not.toContain("answer");
      const before = s.vendorCalls.get("answer") ?? 0;
      await refused(s.desktop.answer(second.id), "INVALID_STATE");
      expect(s.vendorCalls.get("answer") ?? 0).toBe(before);
      if (has("hold")) {
        await s.desktop.hold(first.id);
        if (has("callWaiting")) {
          await waitFor(() => s.desktop.getCall(second.id)?.actions.includes("answer"), "answer offered once the first call is held");
          await s.desktop.answer(second.id);
          expect(s.desktop.getCall(second.id)?.state).toBe("connected");
          expect(s.desktop.getCall(first.id)?.state, "the held call stays").toBe("held");
          await s.desktop.hangup(second.id);
          await finish(second.id);
          await waitFor(() => s.desktop.getCall(first.id)?.actions.includes("resume"), "resume offered");
          await s.desktop.resume(first.id);
          await s.desktop.hangup(first.id);
          await finish(first.id);
          return;
        }
        expect(s.desktop.getCall(second.id)?.actions, "without callWaiting, not even over a held call").not.toContain("answer");
      }
      if (has("reject")) {
        await s.desktop.reject(second.id);
        await callEvent("call.ended", second.id);
      } else await s.harness.driver.abandon(second);
      expect(s.desktop.getCall(first.id)?.state).toBe(has("hold") ? "held" : "connected");
      await s.desktop.hangup(first.id);
      await finish(first.id);
    });

    // How calls end (issue 11): one meaning per end reason, with the vendor's failure.
    for (const [kind, endReason, code] of [
      ["busy", "busy", "DESTINATION_BUSY"],
      ["notFound", "failed", "INVALID_DESTINATION"],
      ["unavailable", "failed", "VENDOR_ERROR"],
    ] as const) {
      it.skipIf(!has("dial") || !features.outboundFailures)(`outbound to a ${kind} destination: the call ends ${endReason} with failure ${code}`, async () => {
        const destination = s.harness.destinations[kind];
        expect(destination, `outboundFailures needs destinations.${kind}`).toBeDefined();
        await ready();
        const after = lastSeq();
        const dials = s.vendorCalls.get("dial") ?? 0;
        const id = await s.desktop.dial(destination!).catch((e: unknown) => e);
        expect(s.vendorCalls.get("dial"), "the dial reached the connector").toBe(dials + 1);
        if (id instanceof CtiError) {
          // The vendor refused the dial itself: the request says why, and no call is left.
          expect(id.code).toBe(code);
          expect(s.desktop.snapshot().calls).toEqual([]);
          return;
        }
        const ended = (await callEvent("call.ended", id as string, after)).call;
        expect(ended.endReason).toBe(endReason);
        expect(ended.failure?.code).toBe(code);
        expect(ended.failure?.message.length).toBeGreaterThan(0);
        expect(callEvents(id as string)).not.toContain("call.connected");
      });
    }

    it.skipIf(!has("answer") || !features.ringTimeout)("inbound nobody answers: the call ends missed (not abandoned, not failed)", async () => {
      await ready();
      const call = await ringInbound();
      await s.harness.driver.missInbound!(call);
      const ended = (await callEvent("call.ended", call.id)).call;
      expect(ended.endReason).toBe("missed");
      expect(callEvents(call.id)).not.toContain("call.connected");
    });

    it.skipIf(!has("answer", "hangup") || !features.remoteHold)("far-end hold and resume: the far end's party is held, the call stays connected, no call.held", async () => {
      await ready();
      const call = await answered();
      const after = lastSeq();
      await s.harness.driver.remoteHold!(call);
      await waitFor(() => s.desktop.getCall(call.id)?.parties.some((p) => p.role !== "agent" && p.state === "held"), "the far end's party held");
      expect(s.desktop.getCall(call.id)?.state).toBe("connected");
      await s.harness.driver.remoteResume!(call);
      await waitFor(() => s.desktop.getCall(call.id)?.parties.every((p) => p.state === "connected"), "the far end's party back");
      expect(s.events.filter((e) => e.seq > after && (e.type === "call.held" || e.type === "call.resumed") && e.call.id === call.id), "no call.held or call.resumed for the far end's hold").toEqual([]);
      if (has("hold")) {
        // The agent's own hold still works after the far end's.
        await s.desktop.hold(call.id);
        await s.desktop.resume(call.id);
      }
      await s.desktop.hangup(call.id);
      expect((await finish(call.id)).endReason).toBe("local_hangup");
    });

    it.skipIf(!has("answer", "hangup") || !features.mediaReconnect)("one call's media reconnecting is that call's condition, not the link's", async () => {
      await ready();
      const call = await answered();
      const linkEvents = (): number => s.events.filter((e) => e.type === "link.changed").length;
      const links = linkEvents();
      await s.harness.driver.interruptMedia!(call);
      await waitFor(() => s.desktop.getCall(call.id)?.media === "reconnecting", "media reconnecting");
      expect(s.desktop.snapshot().link).toBe("connected");
      await s.harness.driver.restoreMedia!(call);
      await waitFor(() => s.desktop.getCall(call.id)?.media === "ok", "media back");
      await s.harness.driver.interruptMedia!(call);
      await waitFor(() => s.desktop.getCall(call.id)?.media === "reconnecting", "media reconnecting again");
      // Requests on the call still go through while its media reconnects.
      await s.desktop.hangup(call.id);
      expect((await finish(call.id)).endReason).toBe("local_hangup");
      expect(s.desktop.snapshot().link).toBe("connected");
      expect(linkEvents(), "no link.changed for a call's media").toBe(links);
    });

    it.skipIf(!has("answer", "hold", "hangup") || !features.stall)("a request overtaken by the far end rejects with INVALID_STATE: the call ends while hold is in flight", async () => {
      await ready();
      const call = await answered();
      await s.harness.driver.stallNext!("hold");
      const hold = s.desktop.hold(call.id).catch((e: unknown) => e);
      await s.harness.driver.remoteHangup(call);
      const ended = await finish(call.id);
      expect(ended.endReason).toBe("remote_hangup");
      const error = await hold;
      expect(error).toBeInstanceOf(CtiError);
      expect((error as CtiError).code).toBe("INVALID_STATE");
    });

    it.skipIf(!has("answer", "hold", "hangup") || !features.stall)("a request overtaken by a second request: hang up while hold is in flight", async () => {
      await ready();
      const call = await answered();
      await s.harness.driver.stallNext!("hold");
      const hold = s.desktop.hold(call.id).catch((e: unknown) => e);
      await s.desktop.hangup(call.id);
      expect((await finish(call.id)).endReason).toBe("local_hangup");
      expect(((await hold) as CtiError).code).toBe("INVALID_STATE");
    });

    it.skipIf(!has("answer") || !features.microphoneDenied)("microphone denied: answer rejects with MEDIA_PERMISSION_DENIED and the call never shows connected", async () => {
      const harness = await options.createHarness({ microphone: "denied" });
      const rec = record(harness.connector);
      try {
        await rec.connected();
        await rec.desktop.login(harness.login ?? {});
        if (has("agentState")) await rec.desktop.setAgentState("ready");
        await harness.driver.ringInbound({ from: "+15550107777", to: "+15550009999" });
        const ringing = (await rec.next("call.ringing")).call;
        const error = await rec.desktop.answer(ringing.id).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CtiError);
        expect((error as CtiError).code).toBe("MEDIA_PERMISSION_DENIED");
        expect(rec.callEvents(ringing.id)).not.toContain("call.connected");
        // The vendor either gives the call up (it ends failed, saying why) or leaves it ringing.
        const endedHere = (e: DesktopEvent): e is Extract<DesktopEvent, { type: "call.ended" }> => e.type === "call.ended" && e.call.id === ringing.id;
        // Looked for once more after the wait: an end landing as it times out is an end, not a ringing call.
        const ended = (await rec.next("call.ended", (e) => e.call.id === ringing.id, { timeout: 1000 }).catch(() => undefined)) ?? rec.events.find(endedHere);
        if (ended) expect(ended.call).toMatchObject({ endReason: "failed", failure: { code: "MEDIA_PERMISSION_DENIED" } });
        else expect(rec.desktop.getCall(ringing.id)?.state).toBe("ringing");
        checkEvents(rec.events);
      } finally {
        await rec.desktop.destroy();
        await harness.dispose();
      }
    });

    it.skipIf(!features.badCredentials)("bad credentials: AUTH_FAILED, not retryable, and the agent stays logged out", async () => {
      const harness = await options.createHarness({ credentials: "bad" });
      const rec = record(harness.connector);
      try {
        // Either login is refused, or the connector authenticates at start and says so with an error event.
        const error = await rec.desktop.login(harness.login ?? {}).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CtiError);
        const code = (error as CtiError).code;
        if (code !== "AUTH_FAILED") {
          expect(code).toBe("LINK_DOWN");
          expect(rec.events.some((e) => e.type === "error" && e.code === "AUTH_FAILED")).toBe(true);
        } else expect((error as CtiError).retryable).toBe(false);
        expect(rec.desktop.snapshot().agent.state).toBe("logged_out");
        checkEvents(rec.events);
      } finally {
        await rec.desktop.destroy();
        await harness.dispose();
      }
    });

    it("refuses wrong-state and unsupported requests before they reach the connector", async () => {
      await refused(s.desktop.setAgentState("ready"), has("agentState") ? "NOT_LOGGED_IN" : "NOT_SUPPORTED");
      await ready();
      const before = new Map(s.vendorCalls);
      await refused(s.desktop.answer("no-such-call"), "INVALID_STATE");
      if (has("dial")) await refused(s.desktop.dial("<not a number>"), "INVALID_DESTINATION");
      await refused(s.desktop.login(), "INVALID_STATE");
      if (has("answer")) {
        const call = await ringInbound();
        if (has("hold")) await refused(s.desktop.hold(call.id), "INVALID_STATE");
        if (has("wrapUp")) await refused(s.desktop.completeWrapUp(call.id), "INVALID_STATE");
        if (has("dtmf")) await refused(s.desktop.sendDtmf(call.id, "1"), "INVALID_STATE");
        for (const [request, cap] of [["hold", "hold"], ["mute", "mute"], ["blindTransfer", "blindTransfer"], ["conference", "conference"], ["pauseRecording", "recordingControl"], ["resumeRecording", "recordingControl"]] as const) {
          if (has(cap)) continue;
          const p = request === "blindTransfer" ? s.desktop.blindTransfer(call.id, "+15550100") : s.desktop[request](call.id);
          await refused(p, "NOT_SUPPORTED");
        }
        if (has("reject")) await s.desktop.reject(call.id);
        else await s.harness.driver.abandon(call);
        await callEvent("call.ended", call.id);
      }
      if (!has("dial")) await refused(s.desktop.dial("+15550100"), "NOT_SUPPORTED");
      if (!has("monitor")) await refused(s.desktop.monitor("+15550100"), "NOT_SUPPORTED");
      const reached = [...s.vendorCalls].filter(([m, n]) => n !== (before.get(m) ?? 0) && m !== "reject");
      expect(reached, "requests that reached the connector").toEqual([]);
    });

    it.skipIf(!has("answer", "hold") || !features.stall)("a request the vendor never answers times out, and the desktop goes on", async () => {
      await ready();
      const call = await answered();
      await s.harness.driver.stallNext!("hold");
      const started = Date.now();
      const error = await refused(s.desktop.hold(call.id), "REQUEST_TIMEOUT");
      expect(error.retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(requestTimeoutMs + 2000);
      await s.desktop.hangup(s.desktop.getCall(call.id)!.id);
      await finish(call.id);
    });

    it("link drop: reconnecting, requests refused as LINK_DOWN, full resync on recovery without duplicate events", async () => {
      await ready();
      const call = has("answer") ? await answered() : undefined;
      const ringing = features.changesWhileDown && has("answer") ? await ringInbound() : undefined;
      const before = callEvents(call?.id ?? "");
      const beforeDrop = lastSeq();
      await s.harness.driver.dropLink();
      const down = await nextEvent("link.changed", (e) => e.link === "reconnecting" || e.link === "disconnected", beforeDrop);
      if (has("agentState")) await refused(s.desktop.setAgentState("ready"), "LINK_DOWN");
      if (call && has("hold")) await refused(s.desktop.hold(call.id), "LINK_DOWN");
      if (ringing) await s.harness.driver.abandon(ringing);
      await s.harness.driver.restoreLink();
      // The reconnect, not the first connect: only events after the drop count.
      await nextEvent("link.changed", (e) => e.link === "connected", down.seq);
      if (ringing) expect((await callEvent("call.ended", ringing.id)).call.endReason).toMatch(/abandoned|missed|lost/);
      if (call) {
        expect(s.desktop.getCall(call.id)?.state).toBe("connected");
        expect(callEvents(call.id)).toEqual(before); // nothing replayed twice
        await s.desktop.hangup(call.id);
        await finish(call.id);
      }
    });

    it("malformed vendor input becomes an error event and the desktop goes on", async () => {
      await ready();
      const after = lastSeq();
      await s.harness.driver.injectMalformed();
      const error = await nextEvent("error", (e) => e.code === "INVALID_VENDOR_EVENT", after);
      expect(error.message.length).toBeGreaterThan(0);
      expect(error.retryable).toBe(false);
      expect(s.desktop.snapshot().link).toBe("connected");
      if (has("answer")) {
        const call = await ringInbound();
        if (has("reject")) await s.desktop.reject(call.id);
        else await s.harness.driver.abandon(call);
        await callEvent("call.ended", call.id);
      }
    });

    it.skipIf(!has("answer", "transcripts") || !features.transcripts)("Voice AI: transcript lines arrive as call.transcript events, a partial and its final sharing one segment id, the next line a new one; insights as call.insight", async () => {
      await ready();
      const call = await answered();
      const after = lastSeq();
      const line = (text: string) => nextEvent("call.transcript", (e) => e.callId === call.id && e.segment.text === text, after);
      const partial = features.transcriptPartials ? (await s.harness.driver.sendTranscript!(call, "I would like", { final: false }), await line("I would like")) : undefined;
      if (partial) expect(partial.segment.final).toBe(false);
      await s.harness.driver.sendTranscript!(call, "I would like to change my address");
      const final = await line("I would like to change my address");
      expect(final.segment.final).toBe(true);
      if (partial) expect(final.segment.id, "the final replaces its partial").toBe(partial.segment.id);
      await s.harness.driver.sendTranscript!(call, "Thank you");
      expect((await line("Thank you")).segment.id, "the next utterance").not.toBe(final.segment.id);
      if (features.insights) {
        await s.harness.driver.sendInsight!(call, { kind: "sentiment", text: "positive", score: 1 });
        const insight = await nextEvent("call.insight", (e) => e.callId === call.id, after);
        expect(insight.insight).toMatchObject({ kind: "sentiment", score: 1 });
      }
      await s.desktop.hangup(call.id);
      await finish(call.id);
    });

    it.skipIf(!has("audioDevices"))("audio devices: listed with unique ids; each use switches (logged out, and on a live call), audio.changed follows; an unknown device is refused before the connector", async () => {
      const audio = await waitFor(() => {
        const a = s.desktop.snapshot().audio;
        return a.devices.some((d) => d.kind === "input") && a.devices.some((d) => d.kind === "output") && a;
      }, "a connector declaring audioDevices to list an input and an output device");
      for (const kind of ["input", "output"] as const) {
        const ids = audio.devices.filter((d) => d.kind === kind).map((d) => d.id);
        expect(new Set(ids).size, `${kind} device ids are unique`).toBe(ids.length);
      }
      /** A device of `kind` other than the one in use, when there is one. */
      const pick = (kind: "input" | "output", inUse?: string) => audio.devices.find((d) => d.kind === kind && d.id !== inUse) ?? audio.devices.find((d) => d.kind === kind)!;
      const after = lastSeq();
      const input = pick("input", audio.input);
      await s.desktop.selectAudioDevice("input", input.id);
      expect(s.desktop.snapshot().audio.input).toBe(input.id);
      const ringer = pick("output", audio.ringer);
      await s.desktop.selectAudioDevice("ringer", ringer.id);
      expect(s.desktop.snapshot().audio.ringer).toBe(ringer.id);
      if (input.id !== audio.input) await nextEvent("audio.changed", (e) => e.audio.input === input.id, after);

      const asked = s.vendorCalls.get("selectAudioDevice") ?? 0;
      await refused(s.desktop.selectAudioDevice("input", "no-such-device"), "INVALID_ARGUMENT");
      await refused(s.desktop.selectAudioDevice("speaker" as "output", ringer.id), "INVALID_ARGUMENT");
      expect(s.vendorCalls.get("selectAudioDevice") ?? 0, "refused before the connector").toBe(asked);

      if (has("answer", "hangup")) {
        await ready();
        const call = await answered();
        const output = pick("output", s.desktop.snapshot().audio.output);
        await s.desktop.selectAudioDevice("output", output.id);
        expect(s.desktop.snapshot().audio.output).toBe(output.id);
        expect(s.desktop.getCall(call.id)?.state, "the call goes on").toBe("connected");
        await s.desktop.hangup(call.id);
        await finish(call.id);
      }
    });

    it.skipIf(!has("answer", "hangup", "recordingControl") || !features.recordsCalls)("recording pause → resume: an answered call is recorded, each change is a call.recording event, the wrong one is refused before the connector", async () => {
      await ready();
      const asked = (): number => (s.vendorCalls.get("pauseRecording") ?? 0) + (s.vendorCalls.get("resumeRecording") ?? 0);
      const ringing = await ringInbound();
      // Nothing to pause before the call connects.
      await refused(s.desktop.pauseRecording(ringing.id), "INVALID_STATE");
      await s.desktop.answer(ringing.id);
      const call = await waitFor(() => {
        const c = s.desktop.getCall(ringing.id);
        return c?.state === "connected" && c.recording === "active" && c;
      }, "the answered call to be recorded (recording active)");
      expect(call.actions).toContain("pauseRecording");
      expect(call.actions).not.toContain("resumeRecording");
      await refused(s.desktop.resumeRecording(call.id), "INVALID_STATE");
      expect(asked(), "refused before the connector").toBe(0);

      let after = lastSeq();
      await s.desktop.pauseRecording(call.id);
      const paused = (await callEvent("call.recording", call.id, after)).call;
      expect(paused).toMatchObject({ recording: "paused", state: "connected" });
      expect(paused.actions).toContain("resumeRecording");
      expect(paused.actions).not.toContain("pauseRecording");
      await refused(s.desktop.pauseRecording(call.id), "INVALID_STATE");
      expect(asked(), "the second pause refused before the connector").toBe(1);

      after = lastSeq();
      await s.desktop.resumeRecording(call.id);
      expect((await callEvent("call.recording", call.id, after)).call.recording).toBe("active");
      expect(s.events.filter((e) => e.seq > after && e.type === "call.recording"), "one call.recording for the resume").toHaveLength(1);
      expect(asked()).toBe(2);
      await s.desktop.hangup(call.id);
      expect((await finish(call.id)).endReason).toBe("local_hangup");
    });

    it.skipIf(!has("monitor", "hangup") || !features.monitorTargets)("monitor → whisper → barge → leave: a monitor-direction session, its mode on monitorMode; an unknown target is refused", async () => {
      await ready();
      const monitors = (): number => s.vendorCalls.get("monitor") ?? 0;
      await refused(s.desktop.monitor(""), "INVALID_ARGUMENT");
      expect(monitors(), "refused before the connector").toBe(0);

      const target = await s.harness.driver.monitorTarget!();
      const id = await s.desktop.monitor(target);
      const session = await waitFor(() => {
        const c = s.desktop.getCall(id);
        return c?.state === "connected" && c;
      }, "the monitoring session to connect");
      expect(session).toMatchObject({ direction: "monitor", monitorMode: "monitor" });
      expect([...session.actions].sort(), "a session offers only leaving and changing mode").toEqual(["hangup", "setMonitorMode"]);
      expect(s.events.filter((e) => e.type === "call.conferenced" && e.call.id === id), "a session is not a conference").toEqual([]);

      for (const mode of ["whisper", "barge"] as const) {
        if (!has(mode)) {
          await refused(s.desktop.setMonitorMode(id, mode), "NOT_SUPPORTED");
          continue;
        }
        const after = lastSeq();
        await s.desktop.setMonitorMode(id, mode);
        expect(s.desktop.getCall(id)).toMatchObject({ direction: "monitor", state: "connected", monitorMode: mode });
        expect(s.events.some((e) => e.seq > after && "call" in e && e.call.id === id && e.call.monitorMode === mode), `an event carries monitorMode ${mode}`).toBe(true);
      }

      await s.desktop.hangup(id);
      await finish(id);
      expect(callEvents(id)).toContain("call.ended");
      expect(s.desktop.getCall(id)).toBeUndefined();

      // A target the backend does not know: the vendor refuses it, and no session is left.
      const before = monitors();
      const error = await s.desktop.monitor(s.harness.destinations.unknownMonitorTarget ?? "no-such-call-or-agent").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CtiError);
      expect(["INVALID_DESTINATION", "INVALID_ARGUMENT"], `refused as ${(error as CtiError).code}: ${(error as CtiError).message}`).toContain((error as CtiError).code);
      expect(monitors(), "the vendor refused it").toBe(before + 1);
      expect(s.desktop.snapshot().calls).toEqual([]);
    });

    // The connector's own scenarios: the same harness, per-scenario desktop and checks.
    options.additionalTests?.(context);
  });
}
