// Snapshot-to-event latency: how long from the CCP pushing an agent snapshot
// (a new ringing contact) to the desktop's `call.ringing`, against the raw
// Streams callbacks for the same snapshot in the same run: `agent.onRefresh`
// (the first one Streams fires, the one the connector listens to) and
// `contact.onConnecting` (what a hand-written integration screen-pops on). Two JSDOM windows each load the real Streams bundle and a fake CCP:
// one with only the raw callback, one with connector + desktop. Iterations
// alternate between them so both see the same machine load.
// Also prints one `BENCH {"name","value","unit"}` line per figure (medians, ratios) for CI logs.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { Script } from "node:vm";
import { JSDOM, VirtualConsole } from "jsdom";
import { createDesktop } from "@opencti/core";
import { createAmazonConnectConnector } from "../dist/index.js";
import { attachFakeCcp, createFakeCcp } from "../dist/testing/index.js";

const WARMUP = 50;
const ROUNDS = 500;
const require = createRequire(import.meta.url);
const script = new Script(readFileSync(require.resolve("amazon-connect-streams/release/connect-streams.js"), "utf8"));

function streamsWindow() {
  const dom = new JSDOM('<!doctype html><div id="ccp"></div>', { url: "https://crm.example.com/", runScripts: "outside-only", virtualConsole: new VirtualConsole() });
  script.runInContext(dom.getInternalVMContext());
  const connect = dom.window.connect;
  connect.getLog().setEchoLevel?.("ERROR");
  return { dom, connect, container: dom.window.document.getElementById("ccp") };
}
const waitFor = (pred, what) =>
  new Promise((resolve, reject) => {
    const until = Date.now() + 5000;
    const tick = () => (pred() ? resolve() : Date.now() > until ? reject(new Error(`bench: timed out waiting for ${what}`)) : setImmediate(tick));
    tick();
  });

// Window A: raw Streams, a callback per new contact.
const raw = streamsWindow();
const rawFake = createFakeCcp({ initialState: "Available" });
const detachRaw = attachFakeCcp(rawFake, raw.container);
raw.connect.core.initCCP(raw.container, { ccpUrl: "https://bench.my.connect.aws/ccp-v2/", loginPopup: false, softphone: { allowFramedSoftphone: false, disableRingtone: true } });
let rawAt = 0;
let refreshAt = 0;
raw.connect.contact((contact) => contact.onConnecting(() => (rawAt = performance.now())));
raw.connect.agent((agent) => agent.onRefresh(() => (refreshAt = performance.now())));
await waitFor(() => raw.connect.core.initialized, "raw Streams to initialise");

// Window B: the connector and the desktop.
const ours = streamsWindow();
const ourFake = createFakeCcp({ initialState: "Available" });
const detachOurs = attachFakeCcp(ourFake, ours.container);
const connector = createAmazonConnectConnector({ ccpUrl: "https://bench.my.connect.aws/ccp-v2/", container: ours.container, streams: ours.connect, loginPopup: false, softphone: { disableRingtone: true } });
const desktop = createDesktop({ connector, historyLimit: 50 });
let eventAt = 0;
desktop.on("call.ringing", () => (eventAt = performance.now()));
await waitFor(() => desktop.snapshot().link === "connected", "the connector to connect");

async function measure(fake, ...reads) {
  const t0 = performance.now();
  const id = fake.ringInbound({ from: "+15550100", to: "+15559999", queue: "Support", attributes: { customerId: "C-42", topic: "billing" } });
  await waitFor(() => reads.every((read) => read() >= t0), "the callback");
  const latencies = reads.map((read) => read() - t0);
  fake.abandon(id);
  return latencies;
}

const rawTimes = [];
const refreshTimes = [];
const ourTimes = [];
for (let i = 0; i < WARMUP + ROUNDS; i++) {
  const [refresh, r] = await measure(rawFake, () => refreshAt, () => rawAt);
  const [o] = await measure(ourFake, () => eventAt);
  if (i >= WARMUP) {
    refreshTimes.push(refresh);
    rawTimes.push(r);
    ourTimes.push(o);
  }
}

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (ms) => `${(ms * 1000).toFixed(0)} µs`;
const row = (name, xs) => `${name.padEnd(44)} p50 ${fmt(pct(xs, 50)).padStart(8)}   p95 ${fmt(pct(xs, 95)).padStart(8)}`;
console.log(`amazon-connect: snapshot → event latency, ${ROUNDS} ringing snapshots each (after ${WARMUP} warm-up), real Streams ${raw.connect.version} in JSDOM`);
console.log(row("raw Streams agent.onRefresh", refreshTimes));
console.log(row("raw Streams contact.onConnecting", rawTimes));
console.log(row("connector → desktop call.ringing", ourTimes));
const ratio = (raws) => `p50 ${(pct(ourTimes, 50) / pct(raws, 50)).toFixed(2)}x   p95 ${(pct(ourTimes, 95) / pct(raws, 95)).toFixed(2)}x`;
console.log(`ratio connector / raw agent.onRefresh:      ${ratio(refreshTimes)}`);
console.log(`ratio connector / raw contact.onConnecting: ${ratio(rawTimes)}`);
// One machine-readable line per figure, 3 significant digits.
const bench = (name, value, unit) => console.log(`BENCH ${JSON.stringify({ name, value: Number(value.toPrecision(3)), unit })}`);
bench("amazonConnect.ringing.connectorMedian", pct(ourTimes, 50), "ms");
bench("amazonConnect.ringing.rawOnRefreshMedian", pct(refreshTimes, 50), "ms");
bench("amazonConnect.ringing.rawOnConnectingMedian", pct(rawTimes, 50), "ms");
bench("amazonConnect.ringing.ratioToRawOnRefresh", pct(ourTimes, 50) / pct(refreshTimes, 50), "x");
bench("amazonConnect.ringing.ratioToRawOnRefreshP95", pct(ourTimes, 95) / pct(refreshTimes, 95), "x");
bench("amazonConnect.ringing.ratioToRawOnConnecting", pct(ourTimes, 50) / pct(rawTimes, 50), "x");
bench("amazonConnect.ringing.ratioToRawOnConnectingP95", pct(ourTimes, 95) / pct(rawTimes, 95), "x");

await desktop.destroy();
detachRaw();
detachOurs();
raw.dom.window.close();
ours.dom.window.close();
