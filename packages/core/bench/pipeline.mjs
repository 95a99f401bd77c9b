// Throughput of the full desktop pipeline (validate + reduce + emit) against
// a bare EventTarget dispatch of the same payloads, in the same run.
// Run: pnpm bench (builds first). Uses the built dist, as users get it.
import { createDesktop } from "../dist/index.js";

const CALLS = 20_000;
const ROUNDS = 5;
const LIFECYCLE = ["ringing", "connected", "held", "connected", "ended"];

function reports() {
  const out = [];
  for (let i = 0; i < CALLS; i++) {
    const id = `c${i}`;
    for (const state of LIFECYCLE) out.push({ id, state, direction: "inbound", from: "+15550100", data: { customerId: "C-1" }, parties: [{ id: "p", role: "customer", state: "connected" }] });
  }
  return out;
}

function pipelineRun(payloads) {
  let ctx;
  const connector = { name: "bench", capabilities: ["answer", "hangup", "hold", "mute"], reasons: [], start: (c) => { ctx = c; c.setLink("connected"); }, stop() {}, login: async () => {}, logout: async () => {} };
  const desktop = createDesktop({ connector });
  let events = 0;
  desktop.on("*", () => { events++; });
  const start = performance.now();
  for (const p of payloads) ctx.upsertCall(p);
  const ms = performance.now() - start;
  return { ms, events };
}

function eventTargetRun(payloads) {
  const target = new EventTarget();
  let events = 0;
  target.addEventListener("report", () => { events++; });
  const start = performance.now();
  for (const p of payloads) target.dispatchEvent(new CustomEvent("report", { detail: p }));
  const ms = performance.now() - start;
  return { ms, events };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const payloads = reports();
pipelineRun(payloads.slice(0, 5000)); // warm up both paths
eventTargetRun(payloads.slice(0, 5000));
const pipe = [];
const bare = [];
let emitted = 0;
for (let r = 0; r < ROUNDS; r++) {
  const a = pipelineRun(payloads);
  emitted = a.events;
  pipe.push(a.ms);
  bare.push(eventTargetRun(payloads).ms);
}
const pipeMs = median(pipe);
const bareMs = median(bare);
const perSec = (n, ms) => Math.round((n / ms) * 1000);
console.log(`desktop pipeline: ${payloads.length} reports → ${emitted} events in ${pipeMs.toFixed(1)} ms (median of ${ROUNDS})`);
console.log(`  ${perSec(emitted, pipeMs).toLocaleString("en")} events/s, ${perSec(payloads.length, pipeMs).toLocaleString("en")} reports/s`);
console.log(`bare EventTarget: ${payloads.length} dispatches in ${bareMs.toFixed(1)} ms → ${perSec(payloads.length, bareMs).toLocaleString("en")} dispatches/s`);
console.log(`ratio: the pipeline takes ${(pipeMs / bareMs).toFixed(2)}× the time of a bare EventTarget dispatch per payload`);
