// Cost of the Pega adapter, measured against the desktop alone in the same run.
// 1. Events: 20,000 call lifecycles reported straight into a desktop, with and
//    without createPegaImplementation forwarding every event as Pega JSON, and
//    with Voice AI on (an AI session per call: Connected and Disconnected too).
// 2. Requests: 1,000 inbound calls on the simulator driven through Pega's
//    functions (answerCall, holdCall, retrieveCall, hangUpCall with callbacks)
//    versus the same Desktop requests called directly.
// Run: pnpm bench (builds first). Uses the built dist, as users get it.
// Also prints one `BENCH {"name","value","unit"}` line per ratio for CI logs.
import { createDesktop } from "@opencti/core";
import { createSimulator } from "@opencti/simulator";
import { createPegaImplementation } from "../dist/index.js";

const CALLS = 20_000;
const ROUNDS = 5;
const LIFECYCLE = ["ringing", "connected", "held", "connected", "ended"];

function reports() {
  const out = [];
  for (let i = 0; i < CALLS; i++) {
    for (const state of LIFECYCLE) out.push({ id: `c${i}`, state, direction: "inbound", from: "+15550100", data: { customerId: "C-1" }, parties: [{ id: "p", role: "customer", state: "connected", address: "+15550100" }] });
  }
  return out;
}

/** withPega: false (desktop alone), true, or Pega options (Voice AI). */
function eventRun(payloads, withPega) {
  let ctx;
  const connector = { name: "bench", capabilities: ["answer", "hangup", "hold"], reasons: [], start: (c) => { ctx = c; c.setLink("connected"); }, stop() {}, login: async () => {}, logout: async () => {} };
  const desktop = createDesktop({ connector, historyLimit: 0 });
  let forwarded = 0;
  if (withPega) createPegaImplementation(desktop, { ...(withPega === true ? {} : withPega), forwardEvent: () => { forwarded++; } });
  const start = performance.now();
  for (const p of payloads) ctx.upsertCall(p);
  return { ms: performance.now() - start, forwarded };
}

// One machine-readable line per figure, 3 significant digits.
const bench = (name, value, unit) => console.log(`BENCH ${JSON.stringify({ name, value: Number(value.toPrecision(3)), unit })}`);

const payloads = reports();
const VOICE_AI = { voiceAi: { channelId: "bench", isolationId: "bench" } };
const best = { desktop: Infinity, pega: Infinity, voice: Infinity };
let forwarded = 0;
let voiceForwarded = 0;
for (let r = 0; r < ROUNDS; r++) {
  best.desktop = Math.min(best.desktop, eventRun(payloads, false).ms);
  const run = eventRun(payloads, true);
  best.pega = Math.min(best.pega, run.ms);
  forwarded = run.forwarded;
  const voice = eventRun(payloads, VOICE_AI);
  best.voice = Math.min(best.voice, voice.ms);
  voiceForwarded = voice.forwarded;
}
console.log(`events: ${CALLS.toLocaleString("en")} call lifecycles, desktop alone ${best.desktop.toFixed(1)} ms, with the Pega adapter ${best.pega.toFixed(1)} ms (×${(best.pega / best.desktop).toFixed(2)}), ${forwarded.toLocaleString("en")} Pega events (${Math.round(forwarded / (best.pega / 1000)).toLocaleString("en")}/s)`);
bench("pega.events.ratioToDesktop", best.pega / best.desktop, "x");
console.log(`events with Voice AI on: ${best.voice.toFixed(1)} ms (×${(best.voice / best.desktop).toFixed(2)} the desktop alone), ${voiceForwarded.toLocaleString("en")} Pega events`);
bench("pega.voiceAi.events.ratioToDesktop", best.voice / best.desktop, "x");
const PER_CALL = 7; // Alerting, PartyInfo, CallInfoEvent (the call has data), Established, Held, Retrieved, Disconnected.
const PER_CALL_VOICE_AI = PER_CALL + 2; // and VoiceAIEvent Connected (after Established) and Disconnected (after Disconnected).
if (forwarded !== CALLS * PER_CALL) {
  console.error(`FAIL: expected ${CALLS * PER_CALL} Pega events, got ${forwarded}`);
  process.exitCode = 1;
}
if (voiceForwarded !== CALLS * PER_CALL_VOICE_AI) {
  console.error(`FAIL: expected ${CALLS * PER_CALL_VOICE_AI} Pega events with Voice AI on, got ${voiceForwarded}`);
  process.exitCode = 1;
}

// Requests ---------------------------------------------------------------------
const REQUEST_CALLS = 1000;
const waitFor = (pred) => new Promise((resolve) => { const tick = () => (pred() ? resolve() : setImmediate(tick)); tick(); });
const viaPega = (fn) => new Promise((resolve, reject) => fn(resolve, (e) => reject(new Error(e.errCode))));

async function requestRun(withPega) {
  const { server, connector } = createSimulator({ wrapUp: false });
  const desktop = createDesktop({ connector });
  const impl = createPegaImplementation(desktop);
  await waitFor(() => desktop.snapshot().link === "connected");
  if (withPega) await viaPega((ok, fail) => impl.login("bench", "", "", {}, {}, ok, fail, () => {}));
  else await desktop.login({ agentId: "bench" });
  const start = performance.now();
  for (let i = 0; i < REQUEST_CALLS; i++) {
    const id = server.ringInbound({ from: "+15550100" });
    await waitFor(() => desktop.getCall(id));
    if (withPega) {
      for (const fn of ["answerCall", "holdCall", "retrieveCall", "hangUpCall"]) await viaPega((ok, fail) => impl[fn](id, {}, ok, fail));
    } else {
      await desktop.answer(id);
      await desktop.hold(id);
      await desktop.resume(id);
      await desktop.hangup(id);
    }
    await waitFor(() => !desktop.getCall(id));
  }
  const ms = performance.now() - start;
  await desktop.destroy();
  server.dispose();
  return ms;
}

await requestRun(false); // warm up both paths
await requestRun(true);
let direct = Infinity;
let pega = Infinity;
for (let r = 0; r < 3; r++) {
  direct = Math.min(direct, await requestRun(false));
  pega = Math.min(pega, await requestRun(true));
}
console.log(`requests: ${REQUEST_CALLS.toLocaleString("en")} calls (answer, hold, retrieve, hang up) on the simulator, Desktop directly ${(direct / REQUEST_CALLS).toFixed(3)} ms/call, through Pega's functions ${(pega / REQUEST_CALLS).toFixed(3)} ms/call (×${(pega / direct).toFixed(2)})`);
bench("pega.requests.ratioToDesktop", pega / direct, "x");
