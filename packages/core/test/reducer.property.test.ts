// Property tests: random sequences of connector reports (valid, odd and pure
// garbage) must keep the desktop's invariants.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createDesktop, deriveActions, type Call, type DesktopEvent } from "../src/index.js";
import { ALL_CAPABILITIES, recordingConnector } from "./recording-connector.js";
import { schemaProblems } from "./schema-validator.js";

const id = fc.constantFrom("a", "b", "c", "d");
const callState = fc.constantFrom("ringing", "dialing", "connected", "held", "wrapup", "ended");
const party = fc.record({ id: fc.constantFrom("p1", "p2", "p3"), role: fc.constantFrom("agent", "customer", "third_party"), state: fc.constantFrom("ringing", "connected", "held", "disconnected") });
const callReport = fc.record(
  {
    id,
    state: callState,
    direction: fc.constantFrom("inbound", "outbound", "consult", "internal", "unknown"),
    from: fc.constantFrom("+15550100", "+15550199", "<b>x</b>"),
    relatedCallId: id,
    muted: fc.boolean(),
    parties: fc.array(party, { maxLength: 3 }),
    data: fc.dictionary(fc.constantFrom("k1", "k2"), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
    endReason: fc.constantFrom("remote_hangup", "transferred", "abandoned"),
  },
  { requiredKeys: ["id", "state"] },
);
const agentReport = fc.record({ state: fc.constantFrom("logged_out", "not_ready", "ready", "busy", "after_call_work"), reason: fc.constantFrom("available", "lunch", "other") }, { requiredKeys: ["state"] });

const op = fc.oneof(
  { weight: 8, arbitrary: callReport.map((r) => ({ kind: "upsertCall" as const, arg: r })) },
  { weight: 2, arbitrary: fc.tuple(id, fc.constantFrom(undefined, "remote_hangup", "missed")).map(([i, r]) => ({ kind: "removeCall" as const, arg: i, extra: r })) },
  { weight: 2, arbitrary: agentReport.map((r) => ({ kind: "setAgent" as const, arg: r })) },
  { weight: 1, arbitrary: fc.constantFrom("connected", "reconnecting", "disconnected").map((s) => ({ kind: "setLink" as const, arg: s })) },
  { weight: 1, arbitrary: fc.array(callReport, { maxLength: 3 }).map((calls) => ({ kind: "sync" as const, arg: { calls } })) },
  { weight: 1, arbitrary: fc.tuple(id, fc.string({ maxLength: 8 })).map(([callId, text]) => ({ kind: "signal" as const, arg: { kind: "transcript", callId, segment: { id: "s", speaker: "customer", text, final: true } } })) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom("upsertCall", "setAgent", "sync", "signal", "removeCall", "setLink"), fc.anything()).map(([kind, arg]) => ({ kind, arg })) },
);

function run(ops: { kind: string; arg: unknown; extra?: unknown }[]) {
  const rec = recordingConnector();
  const desktop = createDesktop({ connector: rec.connector, historyLimit: 10_000 });
  const events: DesktopEvent[] = [];
  desktop.on("*", (e) => events.push(e));
  const ctx = rec.ctx as unknown as Record<string, (...a: unknown[]) => void>;
  for (const o of ops) ctx[o.kind]!(o.arg, o.extra);
  return { desktop, events };
}

describe("reducer invariants under random reports", () => {
  it("never throws, keeps seq strictly increasing and every event schema-valid", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const { events } = run(ops);
        events.forEach((e, i) => {
          if (i > 0) expect(e.seq).toBeGreaterThan(events[i - 1]!.seq);
          expect(schemaProblems(e), JSON.stringify(e)).toEqual([]);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("ended calls never come back and end exactly once; no call is in two states", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const { desktop, events } = run(ops);
        const ended = new Set<string>();
        for (const e of events) {
          if (!("call" in e)) continue;
          const call = (e as { call: Call }).call;
          expect(ended.has(call.id), `${e.type} after call.ended for ${call.id}`).toBe(false);
          if (e.type === "call.ended") ended.add(call.id);
        }
        const snapshot = desktop.snapshot();
        const ids = snapshot.calls.map((c) => c.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const c of snapshot.calls) {
          expect(c.state).not.toBe("ended");
          expect(ended.has(c.id)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("actions always match state and capabilities, in snapshots and in the latest event of each call", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const { desktop, events } = run(ops);
        const calls = desktop.snapshot().calls;
        const caps = new Set(ALL_CAPABILITIES);
        for (const c of calls) {
          expect(c.actions).toEqual(deriveActions(c, calls, caps));
          const last = [...events].reverse().find((e) => "call" in e && (e as { call: Call }).call.id === c.id) as { call: Call } | undefined;
          expect(last?.call).toEqual(c);
        }
        for (const e of events) {
          if (!("call" in e)) continue;
          const { state, actions } = (e as { call: Call }).call;
          if (state === "ringing") expect(actions.every((a) => a === "answer" || a === "reject")).toBe(true);
          if (state === "ended") expect(actions).toEqual([]);
          if (state === "wrapup") expect(actions).toEqual(["completeWrapUp"]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
