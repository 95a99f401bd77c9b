// One measurement of the core pipeline bench, in its own process (spawned by
// pipeline.mjs, so no side runs in a heap or JIT state another side left):
//
//   node --expose-gc bench/worker.mjs pipeline core|baseline|eventtarget
//     Calls through ringing → connected → held → connected → ended, each
//     report with direction, from, data and parties, into createDesktop (dist,
//     as users get it), into the fair baseline (bench/fair-baseline.mjs: the
//     same event stream, hand-written) or into a bare EventTarget (one
//     CustomEvent per report, no work at all). One desktop per process with
//     one `*` listener counting events, like a page: 3 warm-up runs then 5
//     timed runs of 10,000 calls (50,000 reports, new call ids each run, built
//     before the clock starts, GC forced before each); the median. The same
//     reports, capabilities, listener and procedure on every side: only the
//     pipeline differs.
//   node --expose-gc bench/worker.mjs burst <n>
//     n calls ring (n upsertCall reports) on a desktop with maxCalls n, then
//     all end (removeCall), each phase timed: the cost per report as the
//     number of live calls grows. One warm-up burst, then the median of up to
//     15 bursts on the same desktop (new ids each; fewer when one takes over a
//     second).
//   node --expose-gc bench/worker.mjs heap
//     100,000 calls through the desktop; heap after forced GC after 10,000
//     and after 100,000 calls: ended calls and the history must stay bounded.
//
// (One long-lived desktop per process, not one per run: a forced GC that
// collects a previous desktop also throws away optimized code specialized to
// it, which would measure re-optimization, not the pipeline.)
//
// Prints one JSON line (the result) on stdout.
import { fileURLToPath } from "node:url";
import { createDesktop } from "../dist/index.js";
import { createFairBaseline } from "./fair-baseline.mjs";

/** This file, for pipeline.mjs to spawn. */
export const WORKER = fileURLToPath(import.meta.url);

/** What the bench connector can do: a softphone with a panel (answer, hang up, hold, mute). */
const CAPABILITIES = ["answer", "hangup", "hold", "mute"];
const LIFECYCLE = ["ringing", "connected", "held", "connected", "ended"];
const PIPELINE_CALLS = 10_000;
const WARM_UP_RUNS = 3;
const TIMED_RUNS = 5;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** The pipeline's reports: every call through its lifecycle, one call at a time; ids `<prefix>c<n>`. */
export function pipelineReports(calls = PIPELINE_CALLS, prefix = "") {
  const out = [];
  for (let i = 0; i < calls; i++) {
    const id = `${prefix}c${i}`;
    for (const state of LIFECYCLE) out.push({ id, state, direction: "inbound", from: "+15550100", data: { customerId: "C-1" }, parties: [{ id: "p", role: "customer", state: "connected" }] });
  }
  return out;
}

/**
 * A desktop on one side: `core` (createDesktop with a minimal connector that
 * hands its context out) or `baseline`; `{ ctx, on(handler), events() }`.
 */
export function openSide(side, { now, maxCalls } = {}) {
  if (side === "baseline") {
    const b = createFairBaseline({ name: "bench", capabilities: CAPABILITIES, now, maxCalls });
    return { ctx: b.ctx, on: b.on, events: b.events };
  }
  if (side !== "core") throw new Error(`unknown side ${side}`);
  let ctx;
  const connector = {
    name: "bench",
    capabilities: CAPABILITIES,
    reasons: [],
    start: (c) => {
      ctx = c;
    },
    stop() {},
    login: async () => {},
    logout: async () => {},
  };
  const desktop = createDesktop({ connector, now, maxCalls });
  return { ctx, on: (handler) => desktop.on("*", handler), events: () => desktop.events() };
}

/** A timer of runs through one side: `run(payloads)` → { ms, events emitted meanwhile }. */
function openRunner(side) {
  let events = 0;
  let report;
  if (side === "eventtarget") {
    const target = new EventTarget();
    target.addEventListener("report", () => {
      events++;
    });
    report = (p) => target.dispatchEvent(new CustomEvent("report", { detail: p }));
  } else {
    const { ctx, on } = openSide(side);
    on(() => {
      events++;
    });
    ctx.setLink("connected");
    report = (p) => ctx.upsertCall(p);
  }
  return (payloads) => {
    events = 0;
    globalThis.gc();
    const start = performance.now();
    for (const p of payloads) report(p);
    return { ms: performance.now() - start, events };
  };
}

function pipeline(side) {
  const run = openRunner(side);
  const runs = [];
  for (let r = 0; r < WARM_UP_RUNS + TIMED_RUNS; r++) {
    const result = run(pipelineReports(PIPELINE_CALLS, `r${r}`));
    if (r >= WARM_UP_RUNS) runs.push(result);
  }
  if (runs.some((r) => r.events !== runs[0].events)) throw new Error(`${side}: runs emitted ${runs.map((r) => r.events)} events`);
  return { side, reports: PIPELINE_CALLS * LIFECYCLE.length, events: runs[0].events, ms: median(runs.map((r) => r.ms)), runs: runs.map((r) => r.ms) };
}

function burst(n) {
  const { ctx, on } = openSide("core", { maxCalls: n });
  let events = 0;
  on(() => {
    events++;
  });
  ctx.setLink("connected");
  let bursts = 0;
  const once = (count) => {
    const prefix = `b${bursts++}-`;
    const reports = Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, state: "ringing", direction: "inbound", from: "+15550100", data: { customerId: "C-1" }, parties: [{ id: "p", role: "customer", state: "ringing" }] }));
    const ids = reports.map((r) => r.id);
    events = 0;
    globalThis.gc();
    let t = performance.now();
    for (let i = 0; i < count; i++) ctx.upsertCall(reports[i]);
    const ringMs = performance.now() - t;
    t = performance.now();
    for (let i = 0; i < count; i++) ctx.removeCall(ids[i], "abandoned");
    const endMs = performance.now() - t;
    if (events !== 2 * count) throw new Error(`burst of ${count}: ${events} events, expected ${2 * count}`);
    return { ringMs, endMs };
  };
  once(Math.min(n, 250)); // warm-up
  const runs = [];
  const started = performance.now();
  // At least 5 when fast (small timings are noisy), one when a burst takes over a second.
  while (runs.length < 15 && (runs.length < 5 || performance.now() - started < 300) && !(runs.length && performance.now() - started > 1000)) runs.push(once(n));
  return { n, reps: runs.length, ringMs: median(runs.map((r) => r.ringMs)), endMs: median(runs.map((r) => r.endMs)) };
}

async function heapUsed() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

async function heap() {
  const { ctx, on } = openSide("core");
  let events = 0;
  on(() => {
    events++;
  });
  ctx.setLink("connected");
  const through = (from, to) => {
    for (let i = from; i < to; i++) {
      const id = `h${i}`;
      for (const state of LIFECYCLE) ctx.upsertCall({ id, state, direction: "inbound", from: "+15550100", data: { customerId: `C-${i}` }, parties: [{ id: "p", role: "customer", state: "connected" }] });
    }
  };
  const started = performance.now();
  through(0, 10_000);
  const at10k = await heapUsed();
  through(10_000, 100_000);
  const at100k = await heapUsed();
  const MB = 1024 * 1024;
  return { calls: 100_000, events, ms: performance.now() - started, heap10kMB: at10k / MB, heap100kMB: at100k / MB, growthMB: (at100k - at10k) / MB };
}

if (process.argv[1] === WORKER) {
  if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");
  const [mode, arg] = process.argv.slice(2);
  const result = mode === "pipeline" ? pipeline(arg) : mode === "burst" ? burst(Number(arg)) : mode === "heap" ? await heap() : undefined;
  if (!result) throw new Error(`usage: worker.mjs pipeline <core|baseline|eventtarget> | burst <n> | heap (got ${mode})`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
