import { createDesktop, CtiError, type Desktop, type DesktopEvent } from "@opencti/core";
import { describe, expect, it } from "vitest";
import { createSimulator, toCallReport } from "../src/index.js";
import { onCleanup, setup, until } from "./desktops.js";

async function connectedCall(desktop: Desktop, server: ReturnType<typeof createSimulator>["server"]): Promise<string> {
  const id = server.ringInbound({ from: "+15550100" });
  await until(() => desktop.getCall(id));
  await desktop.answer(id);
  return id;
}

async function rejection(p: Promise<unknown>): Promise<CtiError> {
  return p.then(() => { throw new Error("expected a rejection"); }, (e: unknown) => e as CtiError);
}

describe("simulator specifics", () => {
  it("keeps the real end reason of a call that ended while the link was down", async () => {
    const { server, desktop, events } = await setup();
    const id = server.ringInbound({ from: "+15550100" });
    await until(() => desktop.getCall(id));
    server.dropLink();
    await until(() => desktop.snapshot().link === "reconnecting");
    server.abandon(id);
    server.restoreLink();
    await until(() => desktop.snapshot().link === "connected");
    const ended = events.filter((e) => e.type === "call.ended");
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ call: { id, endReason: "abandoned" } });
  });

  it("queues a state change made during a call as pendingState, applied after wrap-up", async () => {
    const { server, desktop } = await setup();
    await desktop.setAgentState("available");
    const id = await connectedCall(desktop, server);
    await until(() => desktop.snapshot().agent.state === "busy");
    await desktop.setAgentState("lunch");
    await until(() => desktop.snapshot().agent.pendingState?.reason?.id === "lunch");
    expect(desktop.snapshot().agent.state).toBe("busy");
    server.remoteHangup(id);
    await until(() => desktop.snapshot().agent.state === "after_call_work");
    await desktop.completeWrapUp(id, { disposition: "sale", notes: "upgrade" });
    await until(() => desktop.snapshot().agent.state === "not_ready");
    expect(desktop.snapshot().agent).toMatchObject({ state: "not_ready", reason: { id: "lunch", label: "Lunch" } });
    expect(desktop.snapshot().agent.pendingState).toBeUndefined();
  });

  it("carries the wrap-up disposition into call.ended", async () => {
    const { server, desktop, events } = await setup();
    const id = await connectedCall(desktop, server);
    await desktop.hangup(id);
    await until(() => desktop.getCall(id)?.state === "wrapup");
    await desktop.completeWrapUp(id, { disposition: "resolved", notes: "ok" });
    const ended = await until(() => events.find((e) => e.type === "call.ended"));
    expect(ended).toMatchObject({ call: { wrapUp: { disposition: "resolved", notes: "ok" }, endReason: "local_hangup" } });
  });

  it("turns injected vendor failures into CtiErrors with the vendor's message", async () => {
    const { server, desktop } = await setup();
    const id = await connectedCall(desktop, server);
    server.failNext("hold", { message: "Switch is overloaded" });
    const error = await rejection(desktop.hold(id));
    expect(error).toMatchObject({ code: "VENDOR_ERROR", message: "Switch is overloaded", retryable: true });
    await desktop.hold(id); // the next one goes through
    await until(() => desktop.getCall(id)?.state === "held");
  });

  it("fails a blind transfer to a busy destination and keeps the call", async () => {
    const { server, desktop } = await setup({ farEnds: { "+15550666": "busy" } });
    const id = await connectedCall(desktop, server);
    const error = await rejection(desktop.blindTransfer(id, "+15550666"));
    expect(error.code).toBe("DESTINATION_BUSY");
    expect(desktop.getCall(id)?.state).toBe("connected");
  });

  it("plays far ends: busy, declined, no answer, not found, unavailable and auto-answer, each with its release cause", async () => {
    const { desktop, events } = await setup({ farEnds: { "+15550001": "busy", "+15550002": "no_answer", "+15550003": "answer", "+15550004": "reject", "+15550005": "not_found", "+15550006": "unavailable" } });
    const outcome = async (to: string) => {
      const id = await desktop.dial(to);
      const ended = await until(() => events.find((e) => e.type === "call.ended" && e.call.id === id));
      return ended.type === "call.ended" ? { endReason: ended.call.endReason, failure: ended.call.failure } : undefined;
    };
    expect(await outcome("+15550001")).toEqual({ endReason: "busy", failure: { code: "DESTINATION_BUSY", vendorCode: "17", message: "User busy" } });
    // A far end that declines an outbound call is busy (the agent's own decline is `rejected`).
    expect(await outcome("+15550004")).toEqual({ endReason: "busy", failure: { code: "DESTINATION_BUSY", vendorCode: "21", message: "Call rejected" } });
    expect(await outcome("+15550002")).toEqual({ endReason: "no_answer", failure: undefined });
    expect(await outcome("+15550005")).toEqual({ endReason: "failed", failure: { code: "INVALID_DESTINATION", vendorCode: "1", message: "Unallocated (unassigned) number" } });
    expect(await outcome("+15550006")).toEqual({ endReason: "failed", failure: { code: "VENDOR_ERROR", vendorCode: "38", message: "Network out of order" } });
    const answered = await desktop.dial("+15550003");
    await until(() => desktop.getCall(answered)?.state === "connected");
  });

  it("refuses to transfer to a number that does not exist or cannot be reached", async () => {
    const { server, desktop } = await setup({ farEnds: { "+15550005": "not_found", "+15550006": "unavailable" } });
    const id = await connectedCall(desktop, server);
    expect((await rejection(desktop.blindTransfer(id, "+15550005"))).code).toBe("INVALID_DESTINATION");
    expect((await rejection(desktop.consult(id, "+15550006"))).code).toBe("VENDOR_ERROR");
    expect(desktop.getCall(id)?.state).toBe("connected");
  });

  it("ends an inbound call nobody answers as missed after ringTimeoutMs", async () => {
    const { server, desktop, events } = await setup({ ringTimeoutMs: 40 });
    const missed = server.ringInbound({ from: "+15550100" });
    const answered = server.ringInbound({ from: "+15550101" });
    await until(() => desktop.getCall(answered));
    await desktop.answer(answered);
    const ended = await until(() => events.find((e) => e.type === "call.ended" && e.call.id === missed));
    expect(ended).toMatchObject({ call: { endReason: "missed" } });
    await new Promise((r) => setTimeout(r, 60));
    expect(desktop.getCall(answered)?.state).toBe("connected");
  });

  it("refuses answer and resume over a talking call (the server's own check), and keeps a held call held", async () => {
    const { server, desktop } = await setup();
    const first = await connectedCall(desktop, server);
    const second = server.ringInbound({ from: "+15550101" });
    await until(() => desktop.getCall(second));
    // Past the desktop's own rule: straight on the wire, as a buggy or racing client would.
    const responses = new Map<number, unknown>();
    server.wire.connect((m) => {
      const r = m as { type: string; requestId: number };
      if (r.type === "response") responses.set(r.requestId, r);
    }, () => {});
    let nextId = 1000;
    const raw = async (op: "answer" | "hold" | "resume", callId: string) => {
      const requestId = nextId++;
      server.wire.send({ type: "request", requestId, op, args: { callId } });
      return until(() => responses.get(requestId));
    };
    expect(await raw("answer", second)).toMatchObject({ ok: false, error: { code: "INVALID_STATE" } });
    expect(server.getCall(second)?.status).toBe("alerting");
    expect(await raw("hold", first)).toMatchObject({ ok: true });
    expect(await raw("answer", second)).toMatchObject({ ok: true });
    expect(server.getCall(first)?.status).toBe("onhold");
    expect(await raw("resume", first)).toMatchObject({ ok: false, error: { code: "INVALID_STATE" } });
    expect(server.getCall(first)?.status).toBe("onhold");
    expect(server.getCall(second)?.status).toBe("talking");
  });

  it("keeps a far-end hold through the agent's own hold and resume", async () => {
    const { server, desktop } = await setup();
    const id = await connectedCall(desktop, server);
    const customer = () => desktop.getCall(id)?.parties.find((p) => p.role === "customer")?.state;
    server.remoteHold(id);
    await until(() => customer() === "held");
    expect(desktop.getCall(id)?.state).toBe("connected");
    await desktop.hold(id);
    await desktop.resume(id);
    expect(customer()).toBe("held");
    server.remoteResume(id);
    await until(() => customer() === "connected");
  });

  it("reports a call's audio dropping and coming back as its media, the link untouched", async () => {
    const { server, desktop, events } = await setup();
    const id = await connectedCall(desktop, server);
    const links = events.filter((e) => e.type === "link.changed").length;
    server.interruptMedia(id);
    await until(() => desktop.getCall(id)?.media === "reconnecting");
    // Requests on the call still go through.
    await desktop.hold(id);
    server.restoreMedia(id);
    await until(() => desktop.getCall(id)?.media === "ok");
    expect(events.filter((e) => e.type === "link.changed")).toHaveLength(links);
    expect(desktop.snapshot().link).toBe("connected");
  });

  it("with the microphone denied, answer and dial fail with MEDIA_PERMISSION_DENIED before reaching the server", async () => {
    const sim = createSimulator({ connector: { microphone: "denied" } });
    const desktop = createDesktop({ connector: sim.connector, requestTimeoutMs: 300 });
    onCleanup(async () => {
      await desktop.destroy();
      sim.server.dispose();
    });
    await desktop.login({ agentId: "a1" });
    const id = sim.server.ringInbound({ from: "+15550100" });
    await until(() => desktop.getCall(id));
    expect((await rejection(desktop.answer(id))).code).toBe("MEDIA_PERMISSION_DENIED");
    expect((await rejection(desktop.dial("+15550123"))).code).toBe("MEDIA_PERMISSION_DENIED");
    expect(sim.server.requests.map((r) => r.op)).not.toContain("answer");
    expect(sim.server.requests.map((r) => r.op)).not.toContain("dial");
    expect(desktop.getCall(id)?.state).toBe("ringing");
  });

  it("offers the directory from its options, and a consult to an entry reaches the server as its destination", async () => {
    const directory = [
      { id: "billing", label: "Billing queue", kind: "queue", destination: "Billing queue" },
      { id: "+15550142", label: "Alan Turing", kind: "number", destination: "+15550142" },
    ] as const;
    const sim = createSimulator({ defaultFarEnd: "answer", answerAfterMs: 5, connector: { directory } });
    const desktop = createDesktop({ connector: sim.connector, requestTimeoutMs: 500 });
    onCleanup(async () => {
      await desktop.destroy();
      sim.server.dispose();
    });
    expect(desktop.snapshot().directory).toEqual(directory);
    await desktop.login({ agentId: "a1" });
    const id = sim.server.ringInbound({ from: "+15550100" });
    await until(() => desktop.getCall(id));
    await desktop.answer(id);
    await until(() => desktop.getCall(id)?.state === "connected");
    const leg = await desktop.consult(id, directory[0].destination);
    expect(desktop.getCall(leg)).toMatchObject({ direction: "consult", to: "Billing queue" });
    expect(sim.server.requests.find((r) => r.op === "consult")).toMatchObject({ args: { destination: "Billing queue" } });
  });

  it("with a wrap-up limit, the call says when wrap-up ends (wrapUpEndsAt) and the server ends it then", async () => {
    const sim = createSimulator({ defaultFarEnd: "answer", wrapUpLimitMs: 300 });
    const desktop = createDesktop({ connector: sim.connector, requestTimeoutMs: 500 });
    onCleanup(async () => {
      await desktop.destroy();
      sim.server.dispose();
    });
    const events: DesktopEvent[] = [];
    desktop.on("*", (e) => events.push(e));
    await desktop.login({ agentId: "a1" });
    const id = sim.server.ringInbound({ from: "+15550100" });
    await until(() => desktop.getCall(id));
    await desktop.answer(id);
    await until(() => desktop.getCall(id)?.state === "connected");
    const hungUp = Date.now();
    await desktop.hangup(id);
    await until(() => desktop.getCall(id)?.state === "wrapup");
    const endsAt = desktop.getCall(id)!.wrapUpEndsAt!;
    expect(endsAt - hungUp).toBeGreaterThanOrEqual(250);
    expect(endsAt - hungUp).toBeLessThan(1000);
    // Nobody completes it: the server ends it at the limit.
    await until(() => desktop.getCall(id) === undefined);
    const ended = events.find((e) => e.type === "call.ended");
    expect(ended && "call" in ended && ended.call.endReason).toBe("local_hangup");
    expect(Date.now() - hungUp).toBeGreaterThanOrEqual(250);
    expect(sim.server.requests.map((r) => r.op)).not.toContain("wrapUp");
  });

  it("checks the agent's password when credentials are configured", async () => {
    const sim = createSimulator({ credentials: { a1: "secret" } });
    const desktop = createDesktop({ connector: sim.connector, requestTimeoutMs: 300 });
    onCleanup(async () => {
      await desktop.destroy();
      sim.server.dispose();
    });
    expect((await rejection(desktop.login({ agentId: "a1", password: "wrong" }))).code).toBe("AUTH_FAILED");
    await desktop.login({ agentId: "a1", password: "secret" });
    expect(desktop.snapshot().agent.agentId).toBe("a1");
  });

  it("rejects a request in flight with LINK_DOWN when the link drops, not a timeout", async () => {
    const { server, desktop } = await setup({ latencyMs: 30 });
    const id = await connectedCall(desktop, server);
    const hold = desktop.hold(id);
    server.dropLink();
    const error = await rejection(hold);
    expect(error.code).toBe("LINK_DOWN");
  });

  it("plays a limited vendor: undeclared capabilities are refused", async () => {
    const { server, desktop } = await setup({ capabilities: ["answer", "hangup"] });
    const id = await connectedCall(desktop, server);
    expect(desktop.getCall(id)?.actions).toEqual(["hangup"]);
    expect((await rejection(desktop.hold(id))).code).toBe("NOT_SUPPORTED");
    expect(server.requests.some((r) => r.op === "hold")).toBe(false);
  });

  it("sends insights and partial-then-final transcripts", async () => {
    const { server, desktop, events } = await setup();
    const id = await connectedCall(desktop, server);
    server.transcript(id, { speaker: "customer", text: "I want", final: false, segmentId: "s1" });
    server.transcript(id, { speaker: "customer", text: "I want a refund", final: true, segmentId: "s1" });
    server.insight(id, { kind: "sentiment", text: "negative", score: -0.6 });
    await until(() => events.some((e) => e.type === "call.insight"));
    const lines = events.filter((e) => e.type === "call.transcript").map((e) => e.segment);
    expect(lines).toEqual([
      { id: "s1", speaker: "customer", text: "I want", final: false },
      { id: "s1", speaker: "customer", text: "I want a refund", final: true },
    ]);
  });

  it("reports every kind of malformed message as an error with the raw payload, and goes on", async () => {
    const { server, desktop, events } = await setup();
    const garbage = [null, "text", 42, { no: "type" }, { type: "martian" }, { type: "call", call: { callId: "c", status: "talking", kind: "in", legs: [{ legId: "l", type: "robot", status: "talking" }] } }, { type: "agent", agent: { status: "sleeping" } }, { type: "snapshot" }];
    for (const g of garbage) server.sendRaw(g);
    await until(() => events.filter((e) => e.type === "error").length === garbage.length);
    const errors = events.filter((e) => e.type === "error");
    expect(errors.every((e) => e.code === "INVALID_VENDOR_EVENT")).toBe(true);
    expect(errors.map((e) => e.raw)).toEqual(garbage);
    await connectedCall(desktop, server);
  });

  it("stops reconnecting once destroyed", async () => {
    const { server, desktop, events } = await setup();
    server.dropLink();
    await until(() => desktop.snapshot().link === "reconnecting");
    await desktop.destroy();
    const count = events.length;
    server.restoreLink();
    await new Promise((r) => setTimeout(r, 50));
    expect(events.length).toBe(count);
  });

  it("translates vendor calls field by field", () => {
    expect(
      toCallReport({ callId: "v1", kind: "in", status: "onhold", ani: "+1555", callerName: "Ada", dnis: "+1800", queue: "Q", attached: { k: "v" }, micMuted: true, parent: "p", cause: "remote", legs: [{ legId: "l1", type: "caller", status: "held", number: "+1555", name: "Ada" }] }),
    ).toEqual({
      id: "v1",
      vendorCallId: "v1",
      state: "held",
      direction: "inbound",
      from: "+1555",
      fromName: "Ada",
      to: "+1800",
      queue: "Q",
      relatedCallId: "p",
      endReason: "remote_hangup",
      muted: true,
      data: { k: "v" },
      parties: [{ id: "l1", role: "customer", state: "held", address: "+1555", displayName: "Ada" }],
    });
    expect(() => toCallReport({ callId: "v1", kind: "in", status: "talking", legs: [{ legId: "x", type: "caller", status: "sideways" }] })).toThrow(/leg status/);
  });
});
