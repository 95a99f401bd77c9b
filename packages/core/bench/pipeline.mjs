// The core Desktop pipeline bench (issue 13): what the pipeline (connector
// report → validate → reduce → derive call actions → envelope → history →
// listeners) costs, against what the same work costs written by hand.
//
// - core.ratioToFairBaseline: createDesktop's time over the fair baseline's
//   (bench/fair-baseline.mjs) for the same reports. Fair because the baseline
//   gives the same event stream byte for byte (test/fair-baseline.test.ts
//   proves it on random report sequences; this script re-checks it on the
//   bench's own reports and that both emit as many events) and does the same
//   work, only hand-written for speed.
// - core.ratioToEventTarget: against a bare EventTarget dispatch of the same
//   reports (no work at all: a floor, not a target).
// - core.pipeline.eventsPerSec: createDesktop's events per second.
// - core.burst<n>.ringMs / endMs: n calls ring, then end, on one desktop
//   (n = 250, 500, 1000, 2000); core.burst.growth: ms per call at 2000 over ms
//   per call at 250 (ring and end, the larger): 1 when the work per report does
//   not grow with the number of live calls.
// - core.heap100k.growthMB: retained heap after 100,000 calls less after 10,000.
//
// Each side and each burst runs in its own process (bench/worker.mjs), the
// pipeline sides in a different order every round; medians across rounds.
// Prints human-readable lines and one `BENCH {"name","value","unit"}` line per
// figure; exits non-zero when a regression guard fails (listed at the end).
// Run: pnpm bench (builds dist first). Uses the built dist, as users get it.
// BENCH_ROUNDS (default 7), BENCH_BURSTS ("250,500,1000,2000") and
// BENCH_BURST_TIMEOUT_S (120) tune it.
import { spawn } from "node:child_process";
import { openSide, pipelineReports, WORKER } from "./worker.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const BURSTS = (process.env.BENCH_BURSTS ?? "250,500,1000,2000").split(",").map(Number);
const BURST_TIMEOUT_MS = Number(process.env.BENCH_BURST_TIMEOUT_S ?? 120) * 1000;
const GUARDS = { ratioToFairBaseline: 1.5, burst1000Ms: 1000, burstGrowth: 3, heapGrowthMB: 5 };

const failures = [];
const fail = (message) => {
  failures.push(message);
  console.log(`FAIL: ${message}`);
};
const bench = (name, value, unit) => console.log(`BENCH ${JSON.stringify({ name, value: Number(value.toPrecision(3)), unit })}`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const fmt = (n) => Math.round(n).toLocaleString("en");

/** Runs bench/worker.mjs with `args` in its own process: its JSON result, or why there is none. */
function worker(args, timeoutMs = 300_000) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--expose-gc", WORKER, ...args], { stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs, killSignal: "SIGKILL" });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      if (signal && seconds * 1000 >= timeoutMs) resolve({ error: `timed out after ${seconds.toFixed(0)} s`, timedOut: true });
      else if (code !== 0) resolve({ error: `exited ${code ?? signal}: ${err.trim().split("\n").slice(-3).join(" | ")}` });
      else resolve({ result: JSON.parse(out.trim().split("\n").pop()) });
    });
  });
}

// 1. The baseline is only fair if it gives the same events: re-checked on the
// bench's own reports (2,000 calls), with a fixed clock, before timing anything.
{
  const reports = pipelineReports(2000);
  const streams = ["core", "baseline"].map((side) => {
    const { ctx, on } = openSide(side, { now: () => 1_700_000_000_000 });
    const out = [];
    on((e) => out.push(JSON.stringify(e)));
    ctx.setLink("connected");
    for (const r of reports) ctx.upsertCall(r);
    return out;
  });
  const at = streams[0].findIndex((e, i) => e !== streams[1][i]);
  if (at >= 0 || streams[0].length !== streams[1].length) {
    const i = at >= 0 ? at : Math.min(streams[0].length, streams[1].length);
    fail(`the fair baseline's events differ from core's on the bench reports, at event ${i}:\n  core:     ${streams[0][i]}\n  baseline: ${streams[1][i]}`);
  } else console.log(`fair baseline: the same ${fmt(streams[0].length)} events as core on the bench's reports (2,000 calls)`);
}

// 2. The pipeline: core, baseline and a bare EventTarget, each in its own process, in a new order every round.
const SIDES = ["core", "baseline", "eventtarget"];
const ORDERS = [
  [0, 1, 2],
  [2, 1, 0],
  [1, 2, 0],
  [0, 2, 1],
  [1, 0, 2],
  [2, 0, 1],
];
const results = Object.fromEntries(SIDES.map((s) => [s, []]));
const pipelineStarted = performance.now();
for (let round = 0; round < ROUNDS; round++) {
  for (const i of ORDERS[round % ORDERS.length]) {
    const side = SIDES[i];
    const { result, error } = await worker(["pipeline", side]);
    if (error) {
      fail(`pipeline ${side}: ${error}`);
      process.exit(1);
    }
    results[side].push(result);
  }
}
const ms = Object.fromEntries(SIDES.map((s) => [s, median(results[s].map((r) => r.ms))]));
const { reports, events } = results.core[0];
const counts = SIDES.map((s) => new Set(results[s].map((r) => r.events)));
if (counts[0].size !== 1 || counts[1].size !== 1 || [...counts[0]][0] !== [...counts[1]][0]) fail(`core and the fair baseline emitted different numbers of events: core ${[...counts[0]]}, baseline ${[...counts[1]]}`);
const ratioToBaseline = ms.core / ms.baseline;
const ratioToEventTarget = ms.core / ms.eventtarget;
const eventsPerSec = (events / ms.core) * 1000;
console.log(`pipeline: ${fmt(reports)} reports → ${fmt(events)} events per run; medians of ${ROUNDS} rounds (each: own process, median of 5 runs) in ${((performance.now() - pipelineStarted) / 1000).toFixed(0)} s`);
console.log(`  core (createDesktop): ${ms.core.toFixed(1)} ms → ${fmt(eventsPerSec)} events/s (rounds: ${results.core.map((r) => r.ms.toFixed(0)).join(", ")} ms)`);
console.log(`  fair baseline:        ${ms.baseline.toFixed(1)} ms → ${fmt((events / ms.baseline) * 1000)} events/s (rounds: ${results.baseline.map((r) => r.ms.toFixed(0)).join(", ")} ms)`);
console.log(`  bare EventTarget:     ${ms.eventtarget.toFixed(1)} ms → ${fmt((reports / ms.eventtarget) * 1000)} dispatches/s`);
console.log(`  core takes ${ratioToBaseline.toFixed(2)}× the fair baseline's time, ${ratioToEventTarget.toFixed(1)}× a bare EventTarget dispatch's`);
bench("core.ratioToFairBaseline", ratioToBaseline, "x");
bench("core.ratioToEventTarget", ratioToEventTarget, "x");
bench("core.pipeline.eventsPerSec", eventsPerSec, "events/s");
if (ratioToBaseline > GUARDS.ratioToFairBaseline) fail(`core takes ${ratioToBaseline.toFixed(2)}× the fair baseline's time (guard: ${GUARDS.ratioToFairBaseline}×)`);

// 3. Retained heap.
{
  const { result, error } = await worker(["heap"]);
  if (error) fail(`heap: ${error}`);
  else {
    console.log(`heap: ${fmt(result.calls)} calls (${fmt(result.events)} events) in ${(result.ms / 1000).toFixed(1)} s; after GC ${result.heap10kMB.toFixed(2)} MB at 10,000 calls, ${result.heap100kMB.toFixed(2)} MB at 100,000`);
    bench("core.heap100k.growthMB", result.growthMB, "MB");
    if (result.growthMB > GUARDS.heapGrowthMB) fail(`the heap grew by ${result.growthMB.toFixed(2)} MB from 10,000 to 100,000 calls (guard: ${GUARDS.heapGrowthMB} MB)`);
  }
}

// 4. The burst curve: is the work per report independent of the number of live calls?
const burst = {};
for (const n of BURSTS) {
  if (n > 1000 && burst[1000]?.timedOut) {
    fail(`burst${n}: not run (burst1000 timed out)`);
    continue;
  }
  const { result, error, timedOut } = await worker(["burst", String(n)], BURST_TIMEOUT_MS);
  if (error) {
    burst[n] = { timedOut };
    fail(`burst${n}: ${error}`);
    continue;
  }
  burst[n] = result;
  console.log(`burst of ${fmt(n)} live calls: ring ${result.ringMs.toFixed(1)} ms, end ${result.endMs.toFixed(1)} ms (${((result.ringMs / n) * 1000).toFixed(1)} / ${((result.endMs / n) * 1000).toFixed(1)} µs per call; median of ${result.reps})`);
  bench(`core.burst${n}.ringMs`, result.ringMs, "ms");
  bench(`core.burst${n}.endMs`, result.endMs, "ms");
}
if (burst[1000]?.ringMs !== undefined) {
  const worst = Math.max(burst[1000].ringMs, burst[1000].endMs);
  if (worst > GUARDS.burst1000Ms) fail(`1,000 calls take ${worst.toFixed(0)} ms to ring or end (guard: ${GUARDS.burst1000Ms} ms)`);
}
if (burst[250]?.ringMs !== undefined && burst[2000]?.ringMs !== undefined) {
  const growth = (phase) => burst[2000][phase] / 2000 / (burst[250][phase] / 250);
  const ring = growth("ringMs");
  const end = growth("endMs");
  console.log(`burst growth, ms per call at 2,000 over at 250: ring ${ring.toFixed(2)}×, end ${end.toFixed(2)}× (1 = linear)`);
  bench("core.burst.ringGrowth", ring, "x");
  bench("core.burst.endGrowth", end, "x");
  bench("core.burst.growth", Math.max(ring, end), "x");
  if (Math.max(ring, end) > GUARDS.burstGrowth) fail(`the cost per call grows ${Math.max(ring, end).toFixed(1)}× from 250 to 2,000 live calls (guard: ${GUARDS.burstGrowth}×)`);
} else if (BURSTS.includes(250) && BURSTS.includes(2000)) fail("burst growth: not measured (a burst failed or timed out)");

if (failures.length) {
  console.log(`\n${failures.length} guard(s) failed:\n${failures.map((f) => `  - ${f.split("\n")[0]}`).join("\n")}`);
  process.exitCode = 1;
} else console.log("\nall guards passed");
