// The fair baseline of the pipeline bench (bench/fair-baseline.mjs, plain
// hand-written JavaScript) gives the same event stream as createDesktop, byte
// for byte: on random sequences of connector reports (every call field, every
// state, refused transitions, bad fields, the live-calls bound, removeCall and
// setLink), under several capability sets, the JSON of every event, in order,
// is the same on both; so are the history (events()) and the live calls at
// the end. Only then is the bench's ratio a fair one.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
// @ts-expect-error -- plain JavaScript for the benches (no declaration file: knip would call it unused); typed below
import { createFairBaseline as untypedBaseline } from "../bench/fair-baseline.mjs";
import type { Connector, ConnectorContext } from "../src/connector.js";
import { CAPABILITIES, createDesktop, type Call, type Capability, type DesktopEvent } from "../src/index.js";

/** bench/fair-baseline.mjs's one export. */
const createFairBaseline = untypedBaseline as (options: { name: string; capabilities: readonly Capability[]; now?: () => number; historyLimit?: number; maxCalls?: number }) => {
  /** The hot path of a ConnectorContext, unchecked arguments like a connector's. */
  ctx: Record<"setLink" | "upsertCall" | "removeCall", (...args: unknown[]) => void>;
  /** Calls `handler` for every event. */
  on(handler: (event: DesktopEvent) => void): void;
  /** The most recent events, oldest first. */
  events(): DesktopEvent[];
  /** The live calls, oldest first. */
  calls(): Call[];
};

const ids = ["a", "b", "c", "d", "e"];
const id = fc.constantFrom(...ids);
const callState = fc.constantFrom("ringing", "dialing", "connected", "held", "wrapup", "ended");
const END_REASONS = ["local_hangup", "remote_hangup", "rejected", "missed", "abandoned", "busy", "no_answer", "transferred", "merged", "failed", "lost", "unknown"];
const endReason = fc.constantFrom(...END_REASONS);
const party = fc.record(
  {
    id: fc.constantFrom("p1", "p2", "p3"),
    role: fc.constantFrom("agent", "customer", "third_party", "supervisor"),
    state: fc.constantFrom("ringing", "dialing", "connected", "held", "disconnected"),
    address: fc.constantFrom("+15550100", "sip:ann@example.com"),
    displayName: fc.constantFrom("Ann", ""),
    // Not a party field: dropped from the snapshot.
    note: fc.constant("extra"),
  },
  { requiredKeys: ["id", "role", "state"] },
);
const failure = fc.record(
  { code: fc.constantFrom("DESTINATION_BUSY", "VENDOR_ERROR", "INVALID_DESTINATION"), vendorCode: fc.constantFrom("486", "31486", "Line.Busy:1"), message: fc.constantFrom("Busy", "<b>x</b>") },
  { requiredKeys: ["code", "message"] },
);
/** A call report with valid values only: refusals come from the transitions, ended calls and the live-calls bound. */
const callReport = fc.record(
  {
    id,
    state: callState,
    vendorCallId: fc.constantFrom("V1", "V2"),
    direction: fc.constantFrom("inbound", "outbound", "consult", "internal", "unknown"),
    from: fc.constantFrom("+15550100", "+15550199", "<b>x</b>", ""),
    fromName: fc.constantFrom("Ann", "Bob"),
    to: fc.constantFrom("+15550111", "sip:q@example.com"),
    queue: fc.constantFrom("Sales", "Support"),
    relatedCallId: id,
    muted: fc.boolean(),
    parties: fc.array(party, { maxLength: 3 }),
    data: fc.dictionary(fc.constantFrom("k1", "k2", "k3"), fc.constantFrom("", "x", "y"), { maxKeys: 3 }),
    endReason,
    failure,
    media: fc.constantFrom("ok", "reconnecting"),
    wrapUp: fc.record({ disposition: fc.constantFrom("Sale", "No sale", ""), notes: fc.constantFrom("n", "m") }, { requiredKeys: [] }),
    wrapUpEndsAt: fc.constantFrom(0, 61_000, 90_500),
  },
  { requiredKeys: ["id", "state"] },
);
/** One bad field (or no object at all): refused with the first bad field named. */
const BAD: Record<string, unknown[]> = {
  id: ["", 5, "x".repeat(300)],
  state: ["gone", undefined],
  vendorCallId: [""],
  direction: ["sideways"],
  from: [7, null, "x".repeat(1025)],
  fromName: [false],
  to: [3],
  queue: [["Sales"]],
  relatedCallId: [""],
  parties: ["p1", [{ id: "p1" }], [{ id: "p1", role: "boss", state: "connected" }], [{ id: "p1", role: "customer", state: "connected", address: "" }]],
  muted: ["yes"],
  data: [{ k: 1 }, [], { ["k".repeat(257)]: "v" }],
  endReason: ["whatever"],
  failure: [{ code: "NOPE", message: "m" }, { code: "VENDOR_ERROR", message: "" }, { code: "VENDOR_ERROR", vendorCode: "bad code", message: "m" }],
  media: ["bad"],
  wrapUp: [{ notes: 4 }, "done"],
  wrapUpEndsAt: [-1, "soon", NaN],
};
const badReport = fc.oneof(
  fc.tuple(callReport, fc.constantFrom(...Object.keys(BAD)), fc.nat()).map(([r, key, i]) => ({ ...r, [key]: BAD[key]![i % BAD[key]!.length] })),
  fc.constantFrom(null, 42, "report", [], undefined),
);

type Op = { kind: "upsertCall"; report: unknown } | { kind: "removeCall"; id: unknown; endReason?: unknown; failure?: unknown } | { kind: "setLink"; state: unknown; reason?: unknown };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: callReport.map((report) => ({ kind: "upsertCall" as const, report })) },
  { weight: 2, arbitrary: badReport.map((report) => ({ kind: "upsertCall" as const, report })) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.oneof({ weight: 9, arbitrary: id }, { weight: 1, arbitrary: fc.constantFrom("", 5) }),
        fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: endReason }, { weight: 1, arbitrary: fc.constant("whatever") }),
        fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: failure }, { weight: 1, arbitrary: fc.constant({ code: "NOPE", message: "m" }) }),
      )
      .map(([i, e, f]) => ({ kind: "removeCall" as const, id: i, endReason: e, failure: f })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom("connecting", "connected", "reconnecting", "disconnected", "bogus"), fc.constantFrom(undefined, "", "network lost", "x".repeat(1100)))
      .map(([state, reason]) => ({ kind: "setLink" as const, state, reason })),
  },
);

interface Options {
  capabilities: readonly Capability[];
  maxCalls: number;
  historyLimit: number;
}

/** What both sides showed, as JSON: each event when its listener saw it, the history and the live calls at the end. */
interface Shown {
  events: string[];
  history: string;
  calls: string;
}

/** Both sides' reports, with unchecked arguments (as a connector may send). */
type Context = Record<"setLink" | "upsertCall" | "removeCall", (...args: unknown[]) => void>;

function apply(ctx: Context, o: Op): void {
  if (o.kind === "upsertCall") ctx.upsertCall(o.report);
  else if (o.kind === "removeCall") ctx.removeCall(o.id, o.endReason, o.failure);
  else ctx.setLink(o.state, o.reason);
}

/**
 * Runs the same ops through createDesktop and the fair baseline. The clock is
 * the tests': it moves between reports (never within one), so both see the
 * same time whatever number of times they read it.
 */
function run(ops: Op[], { capabilities, maxCalls, historyLimit }: Options, react?: (ctx: Context, event: { type: string; call?: { id: string } }) => void): { core: Shown; baseline: Shown } {
  let t = 1_700_000_000_000;
  const now = () => t;
  let ctx!: Context;
  const connector: Connector = {
    name: "fair",
    capabilities,
    reasons: [],
    start: (c: ConnectorContext) => {
      ctx = c as unknown as Context;
    },
    stop() {},
    login: async () => {},
    logout: async () => {},
  };
  const desktop = createDesktop({ connector, now, historyLimit, maxCalls });
  const baseline = createFairBaseline({ name: "fair", capabilities, now, historyLimit, maxCalls });
  const core: string[] = [];
  const base: string[] = [];
  desktop.on("*", (e) => {
    core.push(JSON.stringify(e));
    react?.(ctx, e);
  });
  baseline.on((e) => {
    base.push(JSON.stringify(e));
    react?.(baseline.ctx, e);
  });
  for (const o of ops) {
    t += 1000;
    apply(ctx, o);
    apply(baseline.ctx, o);
  }
  return {
    core: { events: core, history: JSON.stringify(desktop.events()), calls: JSON.stringify(desktop.snapshot().calls) },
    baseline: { events: base, history: JSON.stringify(baseline.events()), calls: JSON.stringify(baseline.calls()) },
  };
}

/** Where two event streams part, in words: the first differing event of each (undefined when they are the same). */
function firstDifference(a: Shown, b: Shown): string | undefined {
  const n = Math.max(a.events.length, b.events.length);
  for (let i = 0; i < n; i++) if (a.events[i] !== b.events[i]) return `event ${i}:\n  core:     ${a.events[i]}\n  baseline: ${b.events[i]}`;
  if (a.history !== b.history) return `history:\n  core:     ${a.history}\n  baseline: ${b.history}`;
  if (a.calls !== b.calls) return `live calls:\n  core:     ${a.calls}\n  baseline: ${b.calls}`;
  return undefined;
}

const ALL: Capability[] = [...CAPABILITIES];
const CAPABILITY_SETS: [string, Capability[]][] = [
  ["every capability", ALL],
  ["every capability but callWaiting", ALL.filter((c) => c !== "callWaiting")],
  ["the bench's (answer, hangup, hold, mute)", ["answer", "hangup", "hold", "mute"]],
  ["consult and conference, no answer", ["reject", "hangup", "hold", "consult", "completeTransfer", "conference", "swap", "dropParty", "wrapUp", "callWaiting"]],
];
const limits = fc.record({ maxCalls: fc.constantFrom(2, 3, 64), historyLimit: fc.constantFrom(0, 7, 200) });
const RUNS = 400;

describe("the fair baseline gives createDesktop's event stream, byte for byte", () => {
  for (const [label, capabilities] of CAPABILITY_SETS) {
    it(`on random report sequences, with ${label}`, () => {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 60 }), limits, (ops, l) => {
          const { core, baseline } = run(ops, { capabilities, ...l });
          const diff = firstDifference(core, baseline);
          expect(diff, diff).toBeUndefined();
        }),
        { numRuns: RUNS },
      );
    });
  }

  it("the random sequences reach every kind of event", () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), limits, (ops, l) => {
        for (const e of run(ops, { capabilities: ALL, ...l }).core.events) {
          const { type, message } = JSON.parse(e) as { type: string; message?: string };
          const key = type === "error" ? `error: ${message!.replace(/ \(.*|call \w+ |\d+ /g, "")}` : type;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
      }),
      { numRuns: RUNS },
    );
    const kinds = [...seen.keys()];
    for (const type of ["link.changed", "ringing", "dialing", "connected", "held", "resumed", "muted", "unmuted", "parties", "data", "updated", "transferred", "conferenced", "wrapup", "ended"]) {
      expect(kinds, type).toContain(type === "link.changed" ? type : `call.${type}`);
    }
    for (const message of ["cannot go from", "has ended and cannot become", "more than", "is invalid", "must be an object", "removeCall needs an id"]) {
      expect(kinds.some((k) => k.startsWith("error: ") && k.includes(message)), message).toBe(true);
    }
  });

  it("on a bench-like run: 200 calls ring, connect with data and parties, hold, resume and end, 40 of them in consult pairs", { timeout: 30_000 }, () => {
    const ops: Op[] = [{ kind: "setLink", state: "connected" }];
    const party = [{ id: "p", role: "customer", state: "connected" }];
    for (let i = 0; i < 200; i++) ops.push({ kind: "upsertCall", report: { id: `c${i}`, state: "ringing", direction: "inbound", from: "+15550100", data: { customerId: `C-${i}` }, parties: party } });
    for (let i = 0; i < 200; i++) ops.push({ kind: "upsertCall", report: { id: `c${i}`, state: i % 3 ? "connected" : "held" } });
    for (let i = 0; i < 40; i++) ops.push({ kind: "upsertCall", report: { id: `k${i}`, state: "dialing", direction: "consult", relatedCallId: `c${i * 3}` } }, { kind: "upsertCall", report: { id: `k${i}`, state: "connected" } });
    for (let i = 0; i < 200; i++) ops.push({ kind: "upsertCall", report: { id: `c${i}`, state: "held" } }, { kind: "upsertCall", report: { id: `c${i}`, state: "connected" } });
    for (let i = 199; i >= 0; i -= 2) ops.push({ kind: "removeCall", id: `c${i}`, endReason: "remote_hangup" });
    for (let i = 0; i < 40; i++) ops.push({ kind: "removeCall", id: `k${i}` });
    for (let i = 0; i < 200; i += 2) ops.push({ kind: "upsertCall", report: { id: `c${i}`, state: "ended", endReason: "transferred" } });
    const { core, baseline } = run(ops, { capabilities: ALL, maxCalls: 300, historyLimit: 200 });
    expect(core.events.length).toBeGreaterThan(1000);
    expect(firstDifference(core, baseline)).toBeUndefined();
  });

  it("forgets the oldest ended call past 1000, as the desktop does", () => {
    const ops: Op[] = [];
    for (let i = 0; i < 1003; i++) ops.push({ kind: "upsertCall", report: { id: `c${i}`, state: "ringing" } }, { kind: "removeCall", id: `c${i}`, endReason: "missed" });
    // c0..c2 are forgotten (new calls again); c3 and c1002 are still remembered (refused).
    for (const i of [0, 1, 2, 3, 1002]) ops.push({ kind: "upsertCall", report: { id: `c${i}`, state: "ringing" } });
    const { core, baseline } = run(ops, { capabilities: ALL, maxCalls: 64, historyLimit: 50 });
    expect(core.events.slice(-5).map((e) => (JSON.parse(e) as { type: string }).type)).toEqual(["call.ringing", "call.ringing", "call.ringing", "error", "error"]);
    expect(firstDifference(core, baseline)).toBeUndefined();
  });

  it("delivers reports made by listeners after the current events, in seq order", () => {
    const ops: Op[] = [
      { kind: "upsertCall", report: { id: "a", state: "ringing" } },
      { kind: "upsertCall", report: { id: "b", state: "ringing" } },
      { kind: "upsertCall", report: { id: "b", state: "held" } },
    ];
    // A listener that answers every ringing call and ends every held one, from inside the emit.
    const react = (ctx: Context, e: { type: string; call?: { id: string } }) => {
      if (e.type === "call.ringing") ctx.upsertCall({ id: e.call!.id, state: "connected" });
      if (e.type === "call.held") ctx.removeCall(e.call!.id, "local_hangup");
    };
    const { core, baseline } = run(ops, { capabilities: ALL, maxCalls: 64, historyLimit: 200 }, react);
    expect(core.events.length).toBeGreaterThan(5);
    expect(firstDifference(core, baseline)).toBeUndefined();
  });
});

describe("the comparison can fail", () => {
  /** Whether the property finds a sequence where the altered baseline output differs from core's. */
  const differs = (alter: (s: Shown) => Shown, capabilities: Capability[] = ALL, baselineCapabilities: Capability[] = capabilities): boolean =>
    fc.check(
      fc.property(fc.array(op, { maxLength: 60 }), limits, (ops, l) => {
        const { core } = run(ops, { capabilities, ...l });
        const { baseline } = run(ops, { capabilities: baselineCapabilities, ...l });
        return firstDifference(core, alter(baseline)) === undefined;
      }),
      { numRuns: RUNS, seed: 13 },
    ).failed;
  const events = (f: (events: string[]) => string[]) => (s: Shown) => ({ ...s, events: f(s.events) });

  it("the unaltered baseline passes the same check", () => {
    expect(differs((s) => s)).toBe(false);
  });

  it("catches a snapshot with the same fields in another order (JSON equality, not deep equality)", () => {
    const sortedCall = (e: string) => {
      const event = JSON.parse(e) as { call?: Record<string, unknown> };
      if (event.call) event.call = Object.fromEntries(Object.entries(event.call).sort(([a], [b]) => a.localeCompare(b)));
      return JSON.stringify(event);
    };
    expect(differs(events((es) => es.map(sortedCall)))).toBe(true);
  });

  it("catches a missing call.updated for another call", () => {
    expect(
      differs(
        events((es) =>
          es.filter((e, i) => {
            const prev = JSON.parse(es[i - 1] ?? "{}") as { call?: { id: string } };
            const event = JSON.parse(e) as { type: string; call?: { id: string } };
            return !(event.type === "call.updated" && prev.call && prev.call.id !== event.call!.id);
          }),
        ),
      ),
    ).toBe(true);
  });

  it("catches a baseline that ignores call waiting", () => {
    expect(differs((s) => s, ALL, ALL.filter((c) => c !== "callWaiting"))).toBe(true);
  });
});
