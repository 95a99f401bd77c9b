import { describe, expect, it } from "vitest";
import type { EventBody } from "./events.js";
import { CALL_STATES, type CallState, type Capability } from "./model.js";
import { DesktopStore } from "./store.js";

const ALL: Capability[] = ["agentState", "dial", "answer", "reject", "hangup", "hold", "mute", "dtmf", "blindTransfer", "consult", "completeTransfer", "conference", "swap", "dropParty", "wrapUp"];
const reasons = [
  { id: "available", state: "ready" as const, label: "Available" },
  { id: "lunch", state: "not_ready" as const, label: "Lunch" },
];

function store(capabilities = ALL): DesktopStore {
  let t = 1000;
  return new DesktopStore({ capabilities, reasons, now: () => t++ });
}
const types = (events: EventBody[]): string[] => events.map((e) => e.type);
const customer = { id: "c", role: "customer" as const, state: "connected" as const, address: "+15550100" };

describe("DesktopStore calls", () => {
  it("allows exactly the documented call state transitions", () => {
    // ringing|dialing → connected ⇄ held → wrapup → ended; a call may repeat its state and never leaves ended.
    const NEXT: Record<CallState, CallState[]> = {
      ringing: ["ringing", "connected", "held", "wrapup", "ended"],
      dialing: ["dialing", "connected", "held", "wrapup", "ended"],
      connected: ["connected", "held", "wrapup", "ended"],
      held: ["held", "connected", "wrapup", "ended"],
      wrapup: ["wrapup", "ended"],
      ended: ["ended"],
    };
    for (const from of CALL_STATES) {
      for (const to of CALL_STATES) {
        const s = store();
        s.upsertCall({ id: "1", state: from === "ended" ? "connected" : from });
        if (from === "ended") s.upsertCall({ id: "1", state: "ended" });
        const refused = s.upsertCall({ id: "1", state: to }).some((e) => e.type === "error");
        expect(refused, `${from} → ${to}`).toBe(!NEXT[from].includes(to) && !(from === "ended" && to === "ended"));
      }
    }
  });

  it("emits one event per real transition and nothing for duplicates", () => {
    const s = store();
    expect(types(s.upsertCall({ id: "1", state: "ringing", direction: "inbound", from: "+15550100" }))).toEqual(["call.ringing"]);
    expect(s.upsertCall({ id: "1", state: "ringing", direction: "inbound", from: "+15550100" })).toEqual([]);
    expect(types(s.upsertCall({ id: "1", state: "connected" }))).toEqual(["call.connected"]);
    expect(types(s.upsertCall({ id: "1", state: "held" }))).toEqual(["call.held"]);
    expect(types(s.upsertCall({ id: "1", state: "connected" }))).toEqual(["call.resumed"]);
    expect(types(s.upsertCall({ id: "1", state: "connected", muted: true }))).toEqual(["call.muted"]);
    expect(types(s.upsertCall({ id: "1", state: "connected", muted: false }))).toEqual(["call.unmuted"]);
    expect(types(s.upsertCall({ id: "1", state: "wrapup", endReason: "remote_hangup" }))).toEqual(["call.wrapup"]);
    expect(types(s.upsertCall({ id: "1", state: "ended" }))).toEqual(["call.ended"]);
    expect(s.calls.size).toBe(0);
    expect(s.upsertCall({ id: "1", state: "ended" })).toEqual([]);
  });

  it("keeps omitted fields and stamps timestamps once", () => {
    const s = store();
    s.upsertCall({ id: "1", state: "ringing", direction: "inbound", from: "+15550100", queue: "Sales", data: { crm: "42" } });
    s.upsertCall({ id: "1", state: "connected" });
    const call = s.calls.get("1")!;
    expect(call).toMatchObject({ from: "+15550100", queue: "Sales", data: { crm: "42" }, direction: "inbound", vendorCallId: "1" });
    expect(call.connectedAt).toBeGreaterThan(call.startedAt);
    s.upsertCall({ id: "1", state: "held" });
    s.upsertCall({ id: "1", state: "connected" });
    expect(s.calls.get("1")!.connectedAt).toBe(call.connectedAt);
  });

  it("refuses impossible transitions with an INVALID_VENDOR_EVENT and keeps state", () => {
    const s = store();
    s.upsertCall({ id: "1", state: "ringing" });
    s.upsertCall({ id: "1", state: "connected" });
    const [error] = s.upsertCall({ id: "1", state: "ringing" });
    expect(error).toMatchObject({ type: "error", code: "INVALID_VENDOR_EVENT", callId: "1" });
    expect(s.calls.get("1")!.state).toBe("connected");
    s.upsertCall({ id: "1", state: "ended" });
    expect(s.upsertCall({ id: "1", state: "connected" })[0]).toMatchObject({ code: "INVALID_VENDOR_EVENT" });
    expect(s.calls.has("1")).toBe(false);
  });

  it("turns malformed reports into errors that carry the raw payload", () => {
    const s = store();
    for (const bad of [null, 42, "x", {}, { id: "" }, { id: "1", state: "flying" }, { id: "1", state: "ringing", muted: "yes" }, { id: "1", state: "ringing", data: { n: 1 } }, { id: "1", state: "ringing", parties: [{ id: "p" }] }]) {
      const events = s.upsertCall(bad);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: "error", code: "INVALID_VENDOR_EVENT", raw: bad });
    }
    expect(s.calls.size).toBe(0);
  });

  it("announces parties, data and other fields", () => {
    const s = store();
    s.upsertCall({ id: "1", state: "connected", parties: [customer] });
    expect(types(s.upsertCall({ id: "1", state: "connected", data: { a: "1" } }))).toEqual(["call.data"]);
    expect(types(s.upsertCall({ id: "1", state: "connected", fromName: "Ada" }))).toEqual(["call.updated"]);
    const third = { id: "t", role: "third_party" as const, state: "connected" as const };
    expect(types(s.upsertCall({ id: "1", state: "connected", parties: [customer, third] }))).toEqual(["call.conferenced"]);
    expect(types(s.upsertCall({ id: "1", state: "connected", parties: [customer] }))).toEqual(["call.parties"]);
  });

  it("folds party and field changes into the state change they came with", () => {
    const s = store();
    s.upsertCall({ id: "1", state: "connected", parties: [customer] });
    const held = { ...customer, state: "held" as const };
    expect(types(s.upsertCall({ id: "1", state: "held", parties: [held], fromName: "Ada" }))).toEqual(["call.held"]);
    expect(s.calls.get("1")).toMatchObject({ parties: [held], fromName: "Ada" });
    // … but mute and data keep their own events.
    expect(types(s.upsertCall({ id: "1", state: "connected", parties: [customer], muted: true, data: { a: "1" } }))).toEqual(["call.resumed", "call.muted", "call.data"]);
  });

  it("announces a transfer before the end, and only the outcome", () => {
    const s = store();
    s.upsertCall({ id: "1", state: "connected" });
    expect(types(s.upsertCall({ id: "1", state: "ended", endReason: "transferred", data: { x: "y" } }))).toEqual(["call.transferred", "call.ended"]);
  });

  it("derives actions from state and capabilities", () => {
    const s = store();
    s.upsertCall({ id: "1", state: "ringing" });
    expect(s.calls.get("1")!.actions).toEqual(["answer", "reject"]);
    s.upsertCall({ id: "1", state: "connected" });
    expect(s.calls.get("1")!.actions).toEqual(["hangup", "hold", "mute", "sendDtmf", "blindTransfer", "consult"]);
    const limited = store(["answer", "hangup"]);
    limited.upsertCall({ id: "1", state: "ringing" });
    expect(limited.calls.get("1")!.actions).toEqual(["answer"]);
  });

  it("offers pair actions on a consult and updates the partner's actions", () => {
    const s = store();
    s.upsertCall({ id: "p", state: "connected", direction: "inbound" });
    s.upsertCall({ id: "p", state: "held" });
    const events = s.upsertCall({ id: "k", state: "dialing", direction: "consult", relatedCallId: "p" });
    expect(types(events)).toEqual(["call.dialing", "call.updated"]);
    expect(s.calls.get("p")!.actions).toEqual(["hangup"]);
    s.upsertCall({ id: "k", state: "connected" });
    expect(s.calls.get("p")!.actions).toEqual(expect.arrayContaining(["completeTransfer", "conference", "swap"]));
    expect(s.calls.get("k")!.actions).toEqual(expect.arrayContaining(["completeTransfer", "conference", "swap", "hangup"]));
    expect(s.calls.get("k")!.actions).not.toContain("consult");
    const ended = s.upsertCall({ id: "k", state: "ended", endReason: "remote_hangup" });
    expect(types(ended)).toEqual(["call.ended", "call.updated"]);
    expect(s.calls.get("p")!.actions).toContain("resume");
  });

  it("sync ends the calls it no longer lists, exactly once", () => {
    const s = store();
    s.upsertCall({ id: "1", state: "connected" });
    s.upsertCall({ id: "2", state: "ringing" });
    const events = s.sync({ calls: [{ id: "2", state: "ringing" }], agent: { state: "busy" } });
    // With call 1 gone, call 2 may be answered: its actions change.
    expect(types(events)).toEqual(["call.ended", "call.updated", "agent.changed"]);
    expect(events[0]).toMatchObject({ call: { id: "1", endReason: "lost" } });
    expect(events[1]).toMatchObject({ call: { id: "2", actions: ["answer", "reject"] } });
    expect(s.sync({ calls: [{ id: "2", state: "ringing" }], agent: { state: "busy" } })).toEqual([]);
  });

  it("removeCall ends a call with a reason and ignores unknown ids", () => {
    const s = store();
    s.upsertCall({ id: "1", state: "ringing" });
    expect(s.removeCall("1", "abandoned")[0]).toMatchObject({ type: "call.ended", call: { endReason: "abandoned" } });
    expect(s.removeCall("1")).toEqual([]);
    expect(s.removeCall("nope")).toEqual([]);
    expect(s.removeCall("x", "exploded")[0]).toMatchObject({ code: "INVALID_VENDOR_EVENT" });
  });

  it("forgets ended ids past its memory", () => {
    const s = new DesktopStore({ capabilities: ALL, reasons, now: () => 1, endedMemory: 2 });
    for (const id of ["a", "b", "c"]) {
      s.upsertCall({ id, state: "ringing" });
      s.upsertCall({ id, state: "ended" });
    }
    expect(s.hasEnded("a")).toBe(false);
    expect(s.hasEnded("c")).toBe(true);
  });
});

describe("DesktopStore agent, link and signals", () => {
  it("resolves reasons, tracks since, and collapses duplicates", () => {
    const s = store();
    const [e] = s.setAgent({ state: "not_ready", reason: "lunch" });
    expect(e).toMatchObject({ type: "agent.changed", agent: { state: "not_ready", reason: { label: "Lunch" } }, previous: { state: "logged_out" } });
    expect(s.setAgent({ state: "not_ready", reason: "lunch" })).toEqual([]);
    const since = s.agent.since;
    expect(types(s.setAgent({ state: "not_ready", reason: "lunch", pendingState: { state: "ready" } }))).toEqual(["agent.changed"]);
    expect(s.agent.since).toBe(since);
    expect(s.agent.pendingState).toEqual({ state: "ready" });
    s.setAgent({ state: "not_ready", reason: "lunch", pendingState: null });
    expect(s.agent.pendingState).toBeUndefined();
    expect(s.setAgent({ state: "dancing" })[0]).toMatchObject({ code: "INVALID_VENDOR_EVENT" });
  });

  it("emits link changes once", () => {
    const s = store();
    expect(types(s.setLink("connected"))).toEqual(["link.changed"]);
    expect(s.setLink("connected")).toEqual([]);
    expect(s.setLink("up")[0]).toMatchObject({ code: "INVALID_VENDOR_EVENT" });
  });

  it("accepts transcripts for known calls only", () => {
    const s = store();
    s.upsertCall({ id: "1", state: "connected" });
    const segment = { id: "s1", speaker: "customer" as const, text: "hello", final: true };
    expect(types(s.signal({ kind: "transcript", callId: "1", segment }))).toEqual(["call.transcript"]);
    expect(s.signal({ kind: "transcript", callId: "2", segment })[0]).toMatchObject({ code: "INVALID_VENDOR_EVENT" });
    expect(s.signal({ kind: "transcript", callId: "1", segment: { ...segment, speaker: "robot" } })[0]).toMatchObject({ code: "INVALID_VENDOR_EVENT" });
    expect(types(s.signal({ kind: "insight", callId: "1", insight: { kind: "sentiment", text: "positive", score: 0.8 } }))).toEqual(["call.insight"]);
    expect(s.signal({ kind: "teleport" })[0]).toMatchObject({ code: "INVALID_VENDOR_EVENT" });
    expect(s.signal(null)[0]).toMatchObject({ code: "INVALID_VENDOR_EVENT" });
  });

  it("takes Contact Lens issues and categories as insights", () => {
    const s = store();
    s.upsertCall({ id: "1", state: "connected" });
    expect(types(s.signal({ kind: "insight", callId: "1", insight: { kind: "issue", text: "cancel my plan" } }))).toEqual(["call.insight"]);
    expect(types(s.signal({ kind: "insight", callId: "1", insight: { kind: "category", text: "Churn risk" } }))).toEqual(["call.insight"]);
    expect(s.signal({ kind: "insight", callId: "1", insight: { kind: "mood", text: "x" } })[0]).toMatchObject({ code: "INVALID_VENDOR_EVENT" });
  });

  it("keeps the call's media stream reference until it is cleared with null, each change a call.updated", () => {
    const s = store();
    s.upsertCall({ id: "1", state: "connected" });
    const set = s.upsertCall({ id: "1", state: "connected", mediaStream: "MZ0123" });
    expect(types(set)).toEqual(["call.updated"]);
    expect(s.calls.get("1")!.mediaStream).toBe("MZ0123");
    expect(s.upsertCall({ id: "1", state: "connected", mediaStream: "MZ0123" })).toEqual([]);
    // Other reports leave it alone.
    s.upsertCall({ id: "1", state: "held" });
    expect(s.calls.get("1")!.mediaStream).toBe("MZ0123");
    expect(types(s.upsertCall({ id: "1", state: "held", mediaStream: null }))).toEqual(["call.updated"]);
    expect("mediaStream" in s.calls.get("1")!).toBe(false);
    expect(s.upsertCall({ id: "1", state: "held", mediaStream: 42 as never })[0]).toMatchObject({ code: "INVALID_VENDOR_EVENT" });
    expect(s.upsertCall({ id: "1", state: "held", mediaStream: "x".repeat(1025) })[0]).toMatchObject({ code: "INVALID_VENDOR_EVENT" });
  });
});
