// Issue 11: how calls end (endReason + failure, parties at the end), what a
// resolved request means (the call shows it; a call that ends first rejects
// it), one call's media apart from the link, and call waiting.
import { describe, expect, it } from "vitest";
import { CAPABILITIES, createDesktop, CtiError, type Call, type DesktopEvent } from "../src/index.js";
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
      const [error] = s.upsertCall({ id: "2", state: "ended", endReason: "failed", failure });
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
    rec.connector.hold = () => {
      setTimeout(() => rec.ctx.upsertCall({ id: "1", state: "held" }), 30);
      return Promise.resolve();
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
    rec.connector.hangup = (r) => Promise.resolve(rec.ctx.upsertCall({ id: r.call.id, state: "ended", endReason: "local_hangup" }));
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
      expect(refused).toMatchObject({ code: "INVALID_STATE", message: "Cannot answer: hold or end the other call first." });
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

// The review of the first cut (issue 11): each case below failed before its fix.
describe("request lifecycle, crossed by the vendor", () => {
  it("a connector that ends the call because its request failed gets its own error through, not INVALID_STATE", async () => {
    const { rec, desktop } = await loggedIn();
    rec.ctx.upsertCall({ id: "1", state: "ringing" });
    rec.connector.answer = (r) => {
      rec.ctx.upsertCall({ id: r.call.id, state: "ended", endReason: "failed", failure: { code: "MEDIA_PERMISSION_DENIED", message: "Microphone blocked" } });
      return Promise.reject(new CtiError("MEDIA_PERMISSION_DENIED", "Allow the microphone to answer calls."));
    };
    expect(await rejection(desktop.answer("1"))).toMatchObject({ code: "MEDIA_PERMISSION_DENIED" });
  });

  it("remembers a change the call showed, even if something else changed it again before the vendor confirmed", async () => {
    const { rec, desktop } = await loggedIn();
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    let confirm!: () => void;
    rec.connector.hold = () => new Promise<void>((resolve) => (confirm = resolve));
    const hold = desktop.hold("1");
    rec.ctx.upsertCall({ id: "1", state: "held" });
    rec.ctx.upsertCall({ id: "1", state: "connected" }); // resumed (by the far end's UI, another request…)
    confirm();
    await expect(hold).resolves.toBeUndefined();
  });

  it("hangup resolves once the call is over, and times out with its own words when the vendor confirms but the call stays", async () => {
    const { rec, desktop } = await loggedIn(ALL, 80);
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    rec.connector.hangup = async () => {};
    const error = await rejection(desktop.hangup("1"));
    expect(error).toMatchObject({ code: "REQUEST_TIMEOUT", message: "The vendor did not complete hangup within 80 ms." });
    rec.connector.hangup = (r) => Promise.resolve(void setTimeout(() => rec.ctx.upsertCall({ id: r.call.id, state: "ended", endReason: "local_hangup" }), 20));
    await desktop.hangup("1");
    expect(desktop.getCall("1")).toBeUndefined();
  });

  it("setAgentState resolves once the agent is in that state or has it pending", async () => {
    const { rec, desktop } = await loggedIn(ALL, 80);
    rec.connector.setAgentState = async () => {};
    expect((await rejection(desktop.setAgentState("available"))).code).toBe("REQUEST_TIMEOUT");
    rec.connector.setAgentState = (r) => Promise.resolve(rec.ctx.setAgent({ state: "busy", pendingState: { state: r.reason.state, reason: r.reason } }));
    await desktop.setAgentState("available");
    expect(desktop.snapshot().agent.pendingState?.state).toBe("ready");
  });

  it("only one answer (and one consult-pair request) at a time per desktop", async () => {
    const { rec, desktop } = await loggedIn();
    rec.ctx.upsertCall({ id: "a", state: "ringing" });
    rec.ctx.upsertCall({ id: "b", state: "ringing" });
    rec.behaviour.set("answer", "hang");
    void desktop.answer("a").catch(() => {});
    expect(await rejection(desktop.answer("b"))).toMatchObject({ code: "INVALID_STATE", message: "A answer request is already in progress." });
    expect(rec.methods().filter((m) => m === "answer")).toHaveLength(1);
  });

  it("destroy rejects the requests in flight at once, and refuses new ones", async () => {
    const { rec, desktop } = await loggedIn(ALL, 5000);
    rec.ctx.upsertCall({ id: "1", state: "connected" });
    rec.behaviour.set("hold", "hang");
    const hold = rejection(desktop.hold("1"));
    const started = Date.now();
    await desktop.destroy();
    expect(await hold).toMatchObject({ code: "INVALID_STATE", message: "The desktop was destroyed." });
    expect(Date.now() - started).toBeLessThan(1000);
    expect((rec.calls.at(-1)!.args.signal as AbortSignal).aborted).toBe(true);
    expect((await rejection(desktop.hold("1"))).message).toBe("The desktop was destroyed.");
  });

  it("login rejects at once with the connector's start failure (bad credentials), not LINK_DOWN after the timeout", async () => {
    const rec = recordingConnector();
    rec.connector.start = () => {
      throw new CtiError("AUTH_FAILED", "The token was refused.");
    };
    const desktop = createDesktop({ connector: rec.connector, requestTimeoutMs: 5000 });
    const started = Date.now();
    expect(await rejection(desktop.login())).toMatchObject({ code: "AUTH_FAILED", retryable: false });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("failure and media belong to how a call ends", () => {
  it("ignores a failure on a live call, keeps the one reported with the end, and gives a failed call one", () => {
    const s = store();
    s.upsertCall({ id: "1", state: "connected", failure: { code: "VENDOR_ERROR", message: "a passing glitch" } });
    expect(s.calls.get("1")!.failure).toBeUndefined();
    const [ended] = s.upsertCall({ id: "1", state: "ended", endReason: "remote_hangup" });
    expect((ended as unknown as { call: Call }).call.failure).toBeUndefined();
    s.upsertCall({ id: "2", state: "dialing" });
    const [failed] = s.removeCall("2", "failed");
    expect((failed as unknown as { call: Call }).call.failure).toMatchObject({ code: "VENDOR_ERROR" });
    s.upsertCall({ id: "3", state: "dialing" });
    const [busy] = s.removeCall("3", "busy", { code: "DESTINATION_BUSY", vendorCode: "486", message: "Busy Here" });
    expect((busy as unknown as { call: Call }).call).toMatchObject({ endReason: "busy", failure: { code: "DESTINATION_BUSY", vendorCode: "486", message: "Busy Here" } });
  });

  it("refuses a vendorCode that is prose (or a secret) and an empty message", () => {
    const s = store();
    s.upsertCall({ id: "1", state: "dialing" });
    for (const failure of [
      { code: "VENDOR_ERROR", vendorCode: "Authorization: Bearer abc.def.ghi", message: "x" },
      { code: "VENDOR_ERROR", message: "" },
    ]) {
      expect(s.upsertCall({ id: "1", state: "ended", endReason: "failed", failure })[0]).toMatchObject({ type: "error", code: "INVALID_VENDOR_EVENT" });
    }
  });

  it("drops media from a call that is over", () => {
    const s = store();
    s.upsertCall({ id: "1", state: "connected", media: "reconnecting" });
    const [ended] = s.upsertCall({ id: "1", state: "ended", endReason: "local_hangup" });
    expect((ended as unknown as { call: Call }).call).not.toHaveProperty("media");
  });
});

describe("call waiting for dial and resume", () => {
  it("dial is refused while a call is held unless the connector has callWaiting; resume while another call dials out", async () => {
    for (const [caps, allowed] of [[ALL, true], [WITHOUT_WAITING, false]] as const) {
      const { rec, desktop } = await loggedIn([...caps]);
      rec.ctx.upsertCall({ id: "1", state: "held" });
      const dial = desktop.dial("+15550100").catch((e: unknown) => e);
      if (allowed) {
        expect(typeof (await dial)).toBe("string");
        expect(desktop.getCall("1")?.actions).not.toContain("resume");
      } else expect(await dial).toMatchObject({ code: "INVALID_STATE", message: "End the held call before you dial another." });
    }
  });
});
