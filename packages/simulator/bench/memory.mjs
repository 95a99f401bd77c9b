// Retained heap after 10,000 simulated calls end to end (ring → answer →
// hold → resume → hang up → wrap-up) through server, connector and desktop.
// Target: under 2 MB growth: ended calls and the event history are bounded.
// Run with --expose-gc (pnpm bench does).
// Also prints a `BENCH {"name","value","unit"}` line (retained heap growth, MB) for CI logs.
import { createDesktop } from "@opencti/core";
import { createSimulator } from "../dist/index.js";

if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");
const CALLS = 10_000;

const { server, connector } = createSimulator();
const desktop = createDesktop({ connector });
let events = 0;
desktop.on("*", () => { events++; });
const waitFor = (pred) => new Promise((resolve) => { const tick = () => (pred() ? resolve() : setImmediate(tick)); tick(); });

await waitFor(() => desktop.snapshot().link === "connected");
await desktop.login({ agentId: "bench" });
await desktop.setAgentState("available");

async function oneCall() {
  const id = server.ringInbound({ from: "+15550100", fromName: "Bench", queue: "Q", data: { customerId: "C-1" } });
  await waitFor(() => desktop.getCall(id));
  await desktop.answer(id);
  await desktop.hold(id);
  await desktop.resume(id);
  await desktop.hangup(id);
  await waitFor(() => desktop.getCall(id)?.state === "wrapup");
  await desktop.completeWrapUp(id, { disposition: "done" });
  await waitFor(() => !desktop.getCall(id));
}

const heap = async () => { for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); } return process.memoryUsage().heapUsed; };
for (let i = 0; i < 500; i++) await oneCall(); // warm up, fill the bounded buffers
const before = await heap();
const started = performance.now();
for (let i = 0; i < CALLS; i++) await oneCall();
const ms = performance.now() - started;
const after = await heap();
const growth = (after - before) / 1024 / 1024;
console.log(`${CALLS.toLocaleString("en")} calls end to end in ${(ms / 1000).toFixed(2)} s (${Math.round(CALLS / (ms / 1000))} calls/s, ${events.toLocaleString("en")} events)`);
console.log(`retained heap growth: ${growth.toFixed(3)} MB (target < 2 MB); event history holds ${desktop.events().length}`);
console.log(`BENCH ${JSON.stringify({ name: "simulator.retainedHeapGrowth", value: Number(growth.toPrecision(3)), unit: "MB" })}`);
await desktop.destroy();
server.dispose();
if (growth >= 2) {
  console.error("FAIL: retained heap grew by 2 MB or more");
  process.exitCode = 1;
}
