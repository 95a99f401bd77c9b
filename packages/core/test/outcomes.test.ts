// Issue 11: how calls end (endReason + failure, parties at the end), what a
// resolved request means (the call shows it; a call that ends first rejects
// it), one call's media apart from the link, and call waiting.
import { describe, expect, it } from "vitest";
import { CAPABILITIES, createDesktop, type Call, type DesktopEvent } from "../src/index.js";
import { DesktopStore } from "../src/store.js";
import { recordingConnector, rejection } from "./recording-connector.js";

const ALL = [...CAPABILITIES];
const WITHOUT_WAITING = ALL.filter((c) => c !== "callWaiting");
const agent = { id: "me", role: "agent" as const, state: "connected" as const };
const customer = { id: "c", role: "customer" as const, state: "connected" as const, address: "+15550100" };

function store(capabilities = ALL): DesktopStore {
  let t = 1000;
  return new DesktopStore({ capabilities, reasons: [], now: () => t++ });
}

async function loggedIn(capabilities = ALL, requestTimeoutMs = 300) {
  const rec = recordingConnector(capabilities);
  const desktop = createDesktop({ connector: rec.connector, requestTimeoutMs });
  await desktop.login();
  const events: DesktopEvent[] = [];
  desktop.on("*", (e) => events.push(e));
  return { rec, desktop, events };
}

describe("how a call ends", () => {
  it("carries the vendor's failure on the ended call, redacted and validated", () => {
    const s = store();
    s.upsertCall({ id: "1", state: "dialing", direction: "outbound" });
    const [ended] = s.upsertCall({ id: "1", state: "ended", endReason: "failed", failure: { code: "VENDOR_ERROR", vendorCode: "503", message: "Service Unavailable token=abc123", extra: "dropped" } as never });
    expect(ended).toMatchObject({ type: "call.ended", call: { endReason: "failed", failure: { code: "VENDOR_ERROR", vendorCode: "503", message: "Service Unavailable token=[redacted]" } } });
    expect((ended as unknown as { call: Call }).call.failure).not.toHaveProperty("extra");
    s.upsertCall({ id: "2", state: "dialing" });
    for (const failure of [{ code: "NOPE", message: "x" }, { code: "VENDOR_ERROR" }, { code: "VENDOR_ERROR", message: "x", vendorCode: "" }, "503"]) {
      const [error] = s.upsertCall({ id: "2", state: "ended", endReason: "failed", failure } as never);
      expect(error).toMatchObject({ type: "error", code: "INVALID_VENDOR_EVENT", message: expect.stringContaining("failure is invalid") });
    }
  });

  it("leaves every party disconnected once the call is over (wrap-up or ended)", () => {
    const s = store();
    s.upsertCall({ id: "1", state: "connected", parties: [agent, customer] });
    const [wrapup] = s.upsertCall({ id: "1", state: "wrapup", endReason: "remote_hangup" });
    expect((wrapup as unknown as { call: Call }).call.parties.map((p) => p.state)).toEqual(["disconnected", "disconnected"]);
    s.upsertCall({ id: "2", state: "ringing", parties: [{ ...agent, state: "ringing" }, { ...customer, state: "dialing" }] });
    const [ended] = s.upsertCall({ id: "2", state: "ended", endReason: "missed" });
    expect((ended as unknown as { call: Call }).call.parties.every((p) => p.state === "disconnected")).toBe(true);
  });
});

describe("one call's media is not the link", () => {
  it("reports media as a call field with call.updated, and requests on the call still go through", async () => {
    const { rec, desktop, events } = await loggedIn();
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    rec.ctx.upsertCall({ id: "1", state: "connected", media: "reconnecting" });
    expect(events.at(-1)).toMatchObject({ type: "call.updated", call: { media: "reconnecting" } });
    expect(desktop.snapshot().link).toBe("connected");
    await desktop.hold("1");
    rec.ctx.upsertCall({ id: "1", state: "held", media: "ok" });
    expect(desktop.getCall("1")?.media).toBe("ok");
    rec.ctx.upsertCall({ id: "1", state: "held", media: "lost" as never });
    expect(events.at(-1)).toMatchObject({ type: "error", code: "INVALID_VENDOR_EVENT" });
  });
});

describe("a resolved request means the call shows it", () => {
  it("waits for the vendor's report before resolving", async () => {
    const { rec, desktop } = await loggedIn();
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    // This vendor confirms at once but reports the hold later.
    rec.connector.hold = async () => {
      setTimeout(() => rec.ctx.upsertCall({ id: "1", state: "held" }), 30);
    };
    await desktop.hold("1");
    expect(desktop.getCall("1")?.state).toBe("held");
  });

  it("times out when the vendor confirms but never shows the change", async () => {
    const { rec, desktop } = await loggedIn(ALL, 80);
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    rec.connector.mute = async () => {};
    expect((await rejection(desktop.mute("1"))).code).toBe("REQUEST_TIMEOUT");
    expect(desktop.getCall("1")?.muted).toBe(false);
  });

  it("rejects a request overtaken by the far end: the call ends while hold is in flight", async () => {
    const { rec, desktop } = await loggedIn();
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    rec.behaviour.set("hold", "hang");
    const hold = rejection(desktop.hold("1"));
    await Promise.resolve();
    rec.ctx.upsertCall({ id: "1", state: "ended", endReason: "remote_hangup" });
    const error = await hold;
    expect(error).toMatchObject({ code: "INVALID_STATE", request: "hold", callId: "1", retryable: false });
    expect(error.message).toBe("Cannot hold the call: call 1 has ended.");
    expect((rec.calls.find((c) => c.method === "hold")!.args.signal as AbortSignal).aborted).toBe(true);
  });

  it("rejects a request overtaken by a second request, which goes through: hang up while hold is in flight", async () => {
    const { rec, desktop } = await loggedIn();
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    rec.behaviour.set("hold", "hang");
    const hold = rejection(desktop.hold("1"));
    rec.connector.hangup = async (r) => rec.ctx.upsertCall({ id: r.call.id, state: "ended", endReason: "local_hangup" });
    await desktop.hangup("1");
    expect((await hold).code).toBe("INVALID_STATE");
  });

  it("a call going to wrap-up overtakes a hold too, but not the requests that end calls", async () => {
    const { rec, desktop } = await loggedIn();
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    rec.behaviour.set("hold", "hang");
    const hold = rejection(desktop.hold("1"));
    // The connector ends the call before it confirms the transfer: still a success.
    rec.connector.blindTransfer = async (r) => {
      rec.ctx.upsertCall({ id: r.call.id, state: "wrapup", endReason: "transferred" });
      await new Promise((resolve) => setTimeout(resolve, 10));
    };
    await desktop.blindTransfer("1", "+15550100");
    expect((await hold).code).toBe("INVALID_STATE");
    rec.ctx.upsertCall({ id: "2", state: "ringing" });
    rec.behaviour.set("answer", "hang");
    const answer = rejection(desktop.answer("2"));
    rec.ctx.upsertCall({ id: "2", state: "ended", endReason: "abandoned" });
    expect(await answer).toMatchObject({ code: "INVALID_STATE", message: "Cannot answer: call 2 has ended." });
  });
});

describe("call waiting", () => {
  it("offers answer on a second call only once the first is held, and only with callWaiting while it is", async () => {
    for (const [caps, whileHeld] of [[ALL, true], [WITHOUT_WAITING, false]] as const) {
      const { rec, desktop } = await loggedIn([...caps]);
      rec.ctx.upsertCall({ id: "1", state: "connected" });
      rec.ctx.upsertCall({ id: "2", state: "ringing" });
      expect(desktop.getCall("2")?.actions).toEqual(["reject"]);
      const refused = await rejection(desktop.answer("2"));
      expect(refused).toMatchObject({ code: "INVALID_STATE", message: "Cannot answer: the call is ringing." });
      expect(rec.methods()).not.toContain("answer");
      await desktop.hold("1");
      expect(desktop.getCall("2")?.actions.includes("answer")).toBe(whileHeld);
      rec.ctx.upsertCall({ id: "1", state: "ended", endReason: "remote_hangup" });
      expect(desktop.getCall("2")?.actions).toEqual(["answer", "reject"]);
    }
  });

  it("a dialing call blocks answering too", () => {
    const s = store();
    s.upsertCall({ id: "out", state: "dialing" });
    s.upsertCall({ id: "in", state: "ringing" });
    expect(s.calls.get("in")!.actions).toEqual(["reject"]);
  });
});
