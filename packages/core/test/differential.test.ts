// Differential test of the hot-path rework (issue 13): on random report
// sequences (valid, odd and garbage), the store gives the same output as the
// previous reducer (test/previous), byte for byte: every event body it
// returns, key order and undefined-valued keys included, and the state after
// every report.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CAPABILITIES, type Capability } from "../src/model.js";
import { DesktopStore } from "../src/store.js";
import { DesktopStore as PreviousStore } from "./previous/store.js";

const ids = ["a", "b", "c", "d", "e"];
/** Mostly one of `valid`, now and then one of `invalid`: most reports pass, some are refused. */
const mostly = <T, U>(valid: T[], invalid: U[]) => fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...invalid) });
const id = fc.constantFrom(...ids);
const party = fc.record(
  {
    id: fc.constantFrom("p1", "p2", "p3"),
    role: mostly(["agent", "customer", "third_party", "supervisor"], ["boss"]),
    state: fc.constantFrom("ringing", "dialing", "connected", "held", "disconnected"),
    address: mostly(["+15550100", "sip:x@y"], [""]),
    displayName: mostly(["Ann", ""], [7]),
    password: fc.constant("hunter2"),
  },
  { requiredKeys: ["id", "role", "state"] },
);
const failure = fc.record(
  { code: mostly(["DESTINATION_BUSY", "VENDOR_ERROR"], ["NOPE"]), vendorCode: mostly(["486", "31486"], ["bad code", "x".repeat(65)]), message: mostly(["Busy", "<b>x</b>"], [""]) },
  { requiredKeys: ["code", "message"] },
);
const callReport = fc.record(
  {
    id: fc.oneof({ weight: 9, arbitrary: id }, { weight: 1, arbitrary: fc.constantFrom("", 5, "x".repeat(300)) }),
    state: fc.oneof({ weight: 9, arbitrary: fc.constantFrom("ringing", "dialing", "connected", "held", "wrapup", "ended") }, { weight: 1, arbitrary: fc.constantFrom("gone", undefined) }),
    vendorCallId: mostly(["V1", "V2"], [""]),
    direction: mostly(["inbound", "outbound", "consult", "internal", "unknown"], ["sideways"]),
    from: fc.constantFrom("+15550100", "+15550199", "<b>x</b>", ""),
    fromName: fc.constantFrom("Ann", "Bob"),
    to: mostly(["+15550111"], [3]),
    queue: fc.constantFrom("Sales", "Support"),
    relatedCallId: id,
    muted: mostly([true, false], ["yes"]),
    parties: fc.oneof({ weight: 9, arbitrary: fc.array(party, { maxLength: 3 }) }, { weight: 1, arbitrary: fc.constant("p1") }),
    data: fc.oneof({ weight: 9, arbitrary: fc.dictionary(fc.constantFrom("k1", "k2"), fc.string({ maxLength: 4 }), { maxKeys: 2 }) }, { weight: 1, arbitrary: fc.constant({ k: 1 }) }),
    endReason: mostly(["remote_hangup", "transferred", "abandoned", "failed", "merged"], ["whatever"]),
    failure,
    media: mostly(["ok", "reconnecting"], ["bad"]),
    wrapUp: fc.record({ disposition: fc.constantFrom("Sale", "No sale"), notes: mostly(["n"], [4]) }, { requiredKeys: [] }),
  },
  { requiredKeys: ["id", "state"] },
);
const reason = fc.constantFrom("available", "lunch", "other", { id: "x", state: "ready", label: "X" }, { id: "y" });
const agentReport = fc.record(
  {
    state: fc.constantFrom("logged_out", "not_ready", "ready", "busy", "after_call_work", "asleep"),
    reason,
    pendingState: fc.oneof(fc.constant(null), fc.record({ state: fc.constantFrom("ready", "not_ready"), reason: fc.constantFrom({ id: "l", state: "not_ready", label: "L" }, undefined) }, { requiredKeys: ["state"] })),
    agentId: fc.constantFrom("a1", "a2"),
  },
  { requiredKeys: ["state"] },
);
const signal = fc.oneof(
  fc.record({ kind: fc.constant("transcript"), callId: id, segment: fc.record({ id: fc.constant("s"), speaker: fc.constantFrom("customer", "nobody"), text: fc.string({ maxLength: 4 }), final: fc.boolean() }) }),
  fc.record({ kind: fc.constant("insight"), callId: id, insight: fc.record({ kind: fc.constantFrom("sentiment", "mood"), text: fc.constant("ok"), data: fc.constantFrom({ a: "b" }, undefined) }) }),
  fc.record({ kind: fc.constantFrom("error", "warning"), code: fc.constantFrom("E1", ""), message: fc.constantFrom("m", 1), callId: fc.constantFrom("a", undefined), raw: fc.constantFrom({ token: "t" }, undefined) }),
);

type Op = { kind: string; args: unknown[] };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: callReport.map((r) => ({ kind: "upsertCall", args: [r] })) },
  { weight: 3, arbitrary: fc.tuple(id, fc.constantFrom(undefined, "remote_hangup", "missed", "failed", "nonsense"), fc.constantFrom(undefined, { code: "DESTINATION_BUSY", message: "Busy" }, { code: "x" })).map((args) => ({ kind: "removeCall", args })) },
  { weight: 2, arbitrary: agentReport.map((r) => ({ kind: "setAgent", args: [r] })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("connected", "reconnecting", "disconnected", "up"), fc.constantFrom(undefined, "network", 4)).map((args) => ({ kind: "setLink", args })) },
  { weight: 1, arbitrary: fc.array(callReport, { maxLength: 4 }).map((calls) => ({ kind: "sync", args: [{ calls, missingEndReason: "lost" }] })) },
  { weight: 1, arbitrary: fc.constantFrom([{ id: "lunch", state: "not_ready", label: "Lunch" }], "none").map((r) => ({ kind: "setReasons", args: [r] })) },
  { weight: 1, arbitrary: signal.map((s) => ({ kind: "signal", args: [s] })) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom("upsertCall", "setAgent", "sync", "signal", "removeCall", "setLink"), fc.anything()).map(([kind, arg]) => ({ kind, args: [arg] })) },
);

/** JSON with what JSON drops made visible: undefined-valued keys, bigints, functions, symbols. */
const canon = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) => (v === undefined ? "⟨undefined⟩" : typeof v === "bigint" ? `${v}n` : typeof v === "function" || typeof v === "symbol" ? String(v) : v)) ?? "⟨undefined⟩";

const state = (s: DesktopStore | PreviousStore): string => canon({ link: s.link, agent: s.agent, reasons: s.reasons, calls: [...s.calls.entries()] });

const CAPABILITY_SETS: Capability[][] = [[...CAPABILITIES], CAPABILITIES.filter((c) => c !== "callWaiting"), ["answer", "hangup", "hold", "mute"]];

function compare(ops: Op[], capabilities: Capability[], maxCalls?: number, endedMemory = 3): void {
  let t = 0;
  let u = 0;
  const reasons = [{ id: "available", state: "ready", label: "Available" } as const];
  const next = new DesktopStore({ capabilities, reasons, now: () => ++t, maxCalls, endedMemory });
  const previous = new PreviousStore({ capabilities, reasons, now: () => ++u, maxCalls, endedMemory });
  ops.forEach((o, i) => {
    const fromNext = (next[o.kind as "sync"] as (...a: unknown[]) => unknown)(...o.args);
    const fromPrevious = (previous[o.kind as "sync"] as (...a: unknown[]) => unknown)(...o.args);
    expect(canon(fromNext), `op ${i}: ${o.kind}`).toBe(canon(fromPrevious));
    expect(state(next), `state after op ${i}`).toBe(state(previous));
    expect(ids.map((x) => next.hasEnded(x)), `ended ids after op ${i}`).toEqual(ids.map((x) => previous.hasEnded(x)));
  });
}

describe("the store against the previous reducer (byte for byte)", () => {
  for (const capabilities of CAPABILITY_SETS) {
    it(`gives the same events and state with ${capabilities.length} capabilities`, () => {
      fc.assert(
        // size "max": runs of up to 80 reports, not fast-check's default 10.
        fc.property(fc.array(op, { maxLength: 80, size: "max" }), fc.constantFrom(undefined, 2, 4), fc.constantFrom(0, 1, 3, 1000), (ops, maxCalls, endedMemory) => compare(ops, capabilities, maxCalls, endedMemory)),
        { numRuns: 600 },
      );
    });
  }

  it("consult pairs, call waiting and many calls: long runs over few ids", () => {
    // Mostly valid reports with relatedCallId set, so partners, swaps and the
    // "another call is connected" rule change often.
    const pairOp = fc.record({ id, state: fc.constantFrom("ringing", "dialing", "connected", "held", "wrapup", "ended"), relatedCallId: fc.constantFrom(...ids, undefined), direction: fc.constantFrom("consult", "inbound", undefined) }, { requiredKeys: ["id", "state"] });
    fc.assert(
      fc.property(fc.array(pairOp.map((r) => ({ kind: "upsertCall", args: [r] })), { maxLength: 200, size: "max" }), fc.constantFrom(...CAPABILITY_SETS), (ops, caps) => compare(ops, caps)),
      { numRuns: 400 },
    );
  });

  it("refuses a parties list with holes, which the previous reducer stored (and later threw on)", () => {
    const store = new DesktopStore({ capabilities: [...CAPABILITIES], reasons: [], now: () => 1 });
    const parties: unknown[] = [];
    parties[1] = { id: "p", role: "customer", state: "connected" };
    expect(store.upsertCall({ id: "a", state: "ringing", parties })).toMatchObject([{ type: "error", code: "INVALID_VENDOR_EVENT", message: "Ignored a bad connector report: parties is invalid (object)" }]);
    expect(store.calls.size).toBe(0);
  });

  it("shares only frozen action lists between calls", () => {
    const store = new DesktopStore({ capabilities: [...CAPABILITIES], reasons: [], now: () => 1 });
    store.upsertCall({ id: "a", state: "ringing" });
    const [ended] = store.upsertCall({ id: "a", state: "ended" }) as unknown as [{ call: { actions: unknown[] } }];
    store.upsertCall({ id: "b", state: "ringing" });
    expect(Object.isFrozen(ended.call.actions)).toBe(true);
    expect(Object.isFrozen(store.calls.get("b")!.actions)).toBe(true);
  });

  it("can fail: a store that drops one event differs", () => {
    class Dropping extends DesktopStore {
      override upsertCall(r: unknown) {
        return super.upsertCall(r).slice(1);
      }
    }
    const a = new Dropping({ capabilities: [...CAPABILITIES], reasons: [], now: () => 1 });
    const b = new PreviousStore({ capabilities: [...CAPABILITIES], reasons: [], now: () => 1 });
    expect(canon(a.upsertCall({ id: "a", state: "ringing" }))).not.toBe(canon(b.upsertCall({ id: "a", state: "ringing" })));
  });
});
