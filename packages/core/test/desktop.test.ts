import { afterEach, describe, expect, it, vi } from "vitest";
import { createDesktop, CtiError, type DesktopEvent, type Logger } from "../src/index.js";
import { recordingConnector, rejection } from "./recording-connector.js";

async function loggedIn(capabilities?: Parameters<typeof recordingConnector>[0], requestTimeoutMs = 200) {
  const rec = recordingConnector(capabilities);
  const desktop = createDesktop({ connector: rec.connector, requestTimeoutMs });
  await desktop.login({ agentId: "a1" });
  return { rec, desktop };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("requests are checked before the connector sees them", () => {
  it("refuses a capability the connector lacks with NOT_SUPPORTED", async () => {
    const { rec, desktop } = await loggedIn(["answer", "hangup"]);
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    const error = await rejection(desktop.hold("1"));
    expect(error.code).toBe("NOT_SUPPORTED");
    expect(error.message).toMatch(/cannot hold the call/);
    expect((await rejection(desktop.setAgentState("available"))).code).toBe("NOT_SUPPORTED");
    expect((await rejection(desktop.dial("+15550100"))).code).toBe("NOT_SUPPORTED");
    expect(rec.methods()).toEqual(["login"]);
  });

  it("refuses requests in the wrong state with INVALID_STATE", async () => {
    const { rec, desktop } = await loggedIn();
    rec.ctx.upsertCall({ id: "1", state: "ringing", direction: "inbound" });
    expect((await rejection(desktop.hold("1"))).code).toBe("INVALID_STATE");
    expect((await rejection(desktop.completeWrapUp("1"))).code).toBe("INVALID_STATE");
    expect((await rejection(desktop.answer("missing"))).code).toBe("INVALID_STATE");
    expect((await rejection(desktop.login())).code).toBe("INVALID_STATE");
    expect((await rejection(desktop.logout())).message).toMatch(/End or wrap up/);
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    expect((await rejection(desktop.dial("+15550100"))).message).toMatch(/Hold or end the current call/);
    expect((await rejection(desktop.completeTransfer("1"))).code).toBe("INVALID_STATE");
    rec.ctx.removeCall("1", "remote_hangup");
    expect((await rejection(desktop.hangup("1"))).message).toMatch(/has ended/);
    expect(rec.methods()).toEqual(["login"]);
  });

  it("refuses everything but login before login, and while the link is down", async () => {
    const rec = recordingConnector();
    const desktop = createDesktop({ connector: rec.connector, requestTimeoutMs: 100 });
    expect((await rejection(desktop.setAgentState("available"))).code).toBe("NOT_LOGGED_IN");
    expect((await rejection(desktop.logout())).code).toBe("NOT_LOGGED_IN");
    await desktop.login();
    rec.ctx.setLink("reconnecting");
    const error = await rejection(desktop.setAgentState("available"));
    expect(error.code).toBe("LINK_DOWN");
    expect(error.retryable).toBe(true);
    expect(rec.methods()).toEqual(["login"]);
  });

  it("validates arguments: destinations, digits, reasons, parties", async () => {
    const { rec, desktop } = await loggedIn();
    expect((await rejection(desktop.dial("<script>"))).code).toBe("INVALID_DESTINATION");
    expect((await rejection(desktop.dial("   "))).code).toBe("INVALID_DESTINATION");
    expect((await rejection(desktop.setAgentState("sleeping"))).message).toMatch(/Choose one of: available, lunch, training/);
    rec.ctx.upsertCall({ id: "1", state: "connected", parties: [{ id: "c", role: "customer", state: "connected" }] });
    expect((await rejection(desktop.sendDtmf("1", "12x"))).code).toBe("INVALID_ARGUMENT");
    expect((await rejection(desktop.blindTransfer("1", ""))).code).toBe("INVALID_DESTINATION");
    expect(rec.methods()).toEqual(["login"]);
    await desktop.dial("+1 (555) 010-0199").catch(() => {});
  });

  it("normalizes phone numbers before dialling", async () => {
    const { rec, desktop } = await loggedIn();
    const id = await desktop.dial("+1 (555) 010-0199");
    expect(rec.calls.at(-1)).toMatchObject({ method: "dial", args: { destination: "+15550100199" } });
    expect(desktop.getCall(id)).toMatchObject({ state: "dialing", direction: "outbound", to: "+15550100199" });
  });

  it("passes the right calls to pair requests from either leg", async () => {
    const { rec, desktop } = await loggedIn();
    // A fresh consult pair for each request (completing a transfer ends both calls).
    const pair = (n: number): [string, string] => {
      rec.ctx.upsertCall({ id: `p${n}`, state: "held", direction: "inbound" });
      rec.ctx.upsertCall({ id: `k${n}`, state: "connected", direction: "consult", relatedCallId: `p${n}` });
      return [`p${n}`, `k${n}`];
    };
    let [p, k] = pair(1);
    await desktop.completeTransfer(k);
    expect(rec.calls.at(-1)!.args).toMatchObject({ call: { id: p }, consultCall: { id: k } });
    [p, k] = pair(2);
    await desktop.conference(p);
    expect(rec.calls.at(-1)!.args).toMatchObject({ call: { id: p }, consultCall: { id: k } });
    rec.ctx.upsertCall({ id: p, state: "ended", endReason: "local_hangup" });
    [p, k] = pair(3);
    await desktop.swap(k);
    expect(rec.calls.at(-1)!.args).toMatchObject({ call: { id: p }, otherCall: { id: k } });
    await desktop.swap(p);
    expect(rec.calls.at(-1)!.args).toMatchObject({ call: { id: p }, otherCall: { id: k } });
  });
});

describe("request outcomes", () => {
  it("times out a request the vendor never answers, and aborts it", async () => {
    const { rec, desktop } = await loggedIn(undefined, 50);
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    rec.behaviour.set("hold", "hang");
    const started = Date.now();
    const error = await rejection(desktop.hold("1"));
    expect(error.code).toBe("REQUEST_TIMEOUT");
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    expect((rec.calls.at(-1)!.args.signal as AbortSignal).aborted).toBe(true);
    rec.behaviour.set("hold", "ok");
    await desktop.hold("1");
  });

  it("wraps vendor failures as VENDOR_ERROR with the cause, and keeps CtiErrors as they are", async () => {
    const { rec, desktop } = await loggedIn();
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    const cause = new Error("503 from the vendor");
    rec.behaviour.set("hold", cause);
    const error = await rejection(desktop.hold("1"));
    expect(error).toMatchObject({ code: "VENDOR_ERROR", message: "503 from the vendor", request: "hold" });
    expect(error.cause).toBe(cause);
    rec.behaviour.set("blindTransfer", new CtiError("DESTINATION_BUSY", "busy"));
    expect((await rejection(desktop.blindTransfer("1", "+15550100"))).code).toBe("DESTINATION_BUSY");
  });

  it("refuses a duplicate request while the first is in flight", async () => {
    const { rec, desktop } = await loggedIn(undefined, 100);
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    rec.behaviour.set("hold", "hang");
    const first = desktop.hold("1");
    const second = await rejection(desktop.hold("1"));
    expect(second.message).toMatch(/already in progress/);
    await rejection(first);
    expect(rec.methods().filter((m) => m === "hold")).toHaveLength(1);
  });

  it("treats setting the current state as done without asking the vendor", async () => {
    const { rec, desktop } = await loggedIn();
    await desktop.setAgentState("lunch");
    expect(rec.methods()).toEqual(["login"]);
    await desktop.setAgentState("ready");
    expect(desktop.snapshot().agent).toMatchObject({ state: "ready", reason: { id: "available" } });
  });

  it("login waits for the link to connect, bounded by the timeout", async () => {
    const rec = recordingConnector();
    const start = rec.connector.start.bind(rec.connector);
    rec.connector.start = (ctx) => {
      void start(ctx);
      ctx.setLink("connecting");
      setTimeout(() => ctx.setLink("connected"), 20);
    };
    const desktop = createDesktop({ connector: rec.connector, requestTimeoutMs: 500 });
    await desktop.login();
    expect(desktop.snapshot().agent.state).toBe("not_ready");

    const never = recordingConnector();
    never.connector.start = () => {};
    const stuck = createDesktop({ connector: never.connector, requestTimeoutMs: 30 });
    expect((await rejection(stuck.login())).code).toBe("LINK_DOWN");
  });

  it("reports a connector that fails to start as a disconnected link and an error event", async () => {
    const rec = recordingConnector();
    rec.connector.start = () => Promise.reject(new CtiError("AUTH_FAILED", "bad token"));
    const desktop = createDesktop({ connector: rec.connector });
    const seen: DesktopEvent[] = [];
    desktop.on("*", (e) => seen.push(e));
    await new Promise((r) => setTimeout(r, 0));
    expect(desktop.snapshot().link).toBe("disconnected");
    expect(seen.map((e) => e.type)).toEqual(["link.changed", "error"]);
    expect(seen[1]).toMatchObject({ code: "AUTH_FAILED", message: "bad token" });
  });
});

describe("events", () => {
  it("delivers typed events in seq order, to type and wildcard listeners, with unsubscribe", async () => {
    const { rec, desktop } = await loggedIn();
    const held: string[] = [];
    const all: number[] = [];
    const off = desktop.on("call.held", (e) => held.push(e.call.id));
    desktop.on("*", (e) => all.push(e.seq));
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    rec.ctx.upsertCall({ id: "1", state: "held" });
    off();
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    rec.ctx.upsertCall({ id: "1", state: "held" });
    expect(held).toEqual(["1"]);
    expect(all).toEqual([...all].sort((a, b) => a - b));
    expect(new Set(all).size).toBe(all.length);
  });

  it("keeps seq order when a listener causes more events", async () => {
    const { rec, desktop } = await loggedIn();
    const order: string[] = [];
    desktop.on("call.ringing", () => rec.ctx.upsertCall({ id: "1", state: "connected" }));
    desktop.on("*", (e) => order.push(`${e.seq}:${e.type}`));
    rec.ctx.upsertCall({ id: "1", state: "ringing" });
    expect(order.map((o) => o.split(":")[1])).toEqual(["call.ringing", "call.connected"]);
    expect(order.map((o) => Number(o.split(":")[0]))).toEqual([...order.map((o) => Number(o.split(":")[0]))].sort((a, b) => a - b));
  });

  it("isolates a throwing listener", () => {
    const errors: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn() {}, error: (m) => errors.push(m) };
    const rec = recordingConnector();
    const desktop = createDesktop({ connector: rec.connector, logger });
    const got: string[] = [];
    desktop.on("call.ringing", () => {
      throw new Error("boom");
    });
    desktop.on("call.ringing", (e) => got.push(e.call.id));
    expect(() => rec.ctx.upsertCall({ id: "1", state: "ringing" })).not.toThrow();
    expect(got).toEqual(["1"]);
    expect(errors).toEqual(["A listener for call.ringing threw"]);
  });

  it("never throws into the vendor's callback, whatever the connector reports", async () => {
    const { rec, desktop } = await loggedIn();
    const errors: DesktopEvent[] = [];
    desktop.on("error", (e) => errors.push(e));
    const ctx = rec.ctx as unknown as Record<string, (...args: unknown[]) => void>;
    for (const method of ["upsertCall", "removeCall", "setAgent", "setLink", "setReasons", "setDirectory", "sync", "signal"]) {
      for (const garbage of [undefined, null, 7, "x", [], { id: {} }, { calls: [null] }, { get id() { throw new Error("getter"); } }]) {
        expect(() => ctx[method]!(garbage)).not.toThrow();
      }
    }
    expect(errors.length).toBeGreaterThan(20);
    expect(errors.every((e) => e.type === "error" && e.code === "INVALID_VENDOR_EVENT")).toBe(true);
    // The desktop goes on.
    rec.ctx.upsertCall({ id: "after", state: "ringing", direction: "inbound" });
    await desktop.answer("after");
    expect(rec.methods().at(-1)).toBe("answer");
  });

  it("redacts secrets from raw payloads in error events", async () => {
    const { rec, desktop } = await loggedIn();
    const errors: DesktopEvent[] = [];
    desktop.on("error", (e) => errors.push(e));
    rec.ctx.invalidVendorEvent("bad frame", { password: "hunter2", token: "abc", uri: "sip:alice:s3cret@pbx", nested: { jwt: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig" } });
    const text = JSON.stringify(errors);
    expect(text).not.toMatch(/hunter2|abc"|s3cret|eyJhbGci/);
    expect(errors[0]).toMatchObject({ code: "INVALID_VENDOR_EVENT", raw: { password: "[redacted]", uri: "sip:alice:[redacted]@pbx" } });
  });

  it("bounds the event history", async () => {
    const rec = recordingConnector();
    const desktop = createDesktop({ connector: rec.connector, historyLimit: 5 });
    await desktop.login();
    for (let i = 0; i < 20; i++) rec.ctx.upsertCall({ id: `c${i}`, state: "ringing" });
    const events = desktop.events();
    expect(events).toHaveLength(5);
    expect(events.at(-1)).toMatchObject({ type: "call.ringing", call: { id: "c19" } });
  });

  it("stops delivering after destroy and stops the connector", async () => {
    const { rec, desktop } = await loggedIn();
    const stop = vi.spyOn(rec.connector, "stop");
    const got: string[] = [];
    desktop.on("*", (e) => got.push(e.type));
    await desktop.destroy();
    rec.ctx.upsertCall({ id: "1", state: "ringing" });
    // Only the link going down as it is destroyed (so a panel stops alerting).
    expect(got).toEqual(["link.changed"]);
    expect(desktop.snapshot().link).toBe("disconnected");
    expect(stop).toHaveBeenCalledOnce();
  });

  it("derives the telephony mode from capabilities", () => {
    expect(createDesktop({ connector: recordingConnector().connector }).mode).toBe("full");
    expect(createDesktop({ connector: recordingConnector(["agentState"]).connector }).mode).toBe("agent_state");
    expect(createDesktop({ connector: recordingConnector([]).connector }).mode).toBe("screen_pop");
  });
});
