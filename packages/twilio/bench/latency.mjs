// Invite-to-ringing latency: from the PStream emulator sending `invite` to
// (a) the raw SDK's Device `incoming` callback and (b) the desktop's
// `call.ringing` event through the connector, in one run, alternating, with
// the real @twilio/voice-sdk (its UMD build) in jsdom. Prints medians, p95
// and the ratio. Needs the built package (pnpm bench builds first).
// Also prints one `BENCH {"name","value","unit"}` line per figure (medians, ratio) for CI logs.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { JSDOM } from "jsdom";
import { WebSocket as NodeWebSocket } from "ws";
import { createDesktop } from "@opencti/core";
import { createTwilioConnector } from "../dist/index.js";
import { TwilioEmulator } from "../dist/testing/index.js";

const ROUNDS = Number(process.env.ROUNDS ?? 400);
const WARMUP = 20;
const HOST = "voice-js.emulator.bench";

const raw = await TwilioEmulator.start();
const viaConnector = await TwilioEmulator.start();
const targets = new Map([[`wss://raw.${HOST}/signal`, raw.url], [`wss://cti.${HOST}/signal`, viaConnector.url]]);

// The SDK in a jsdom window, its signalling sent to the emulators on 127.0.0.1.
const { window } = new JSDOM("<!doctype html>", { url: "https://crm.example.test/", runScripts: "outside-only" });
window.WebSocket = class extends NodeWebSocket {
  constructor(url, protocols) {
    super(targets.get(String(url)) ?? String(url), protocols);
  }
};
const require = createRequire(import.meta.url);
// dist/twilio.js (UMD) is not in the package's exports: find it beside package.json.
const sdkMain = require.resolve("@twilio/voice-sdk"); // <package>/es5/twilio.js
window.eval(readFileSync(join(dirname(sdkMain), "..", "dist", "twilio.js"), "utf8"));
const sdk = { Device: window.Twilio.Device };
const deviceOptions = (name) => ({ chunderw: `${name}.${HOST}`, publishEvents: false, logLevel: "silent", closeProtection: false });

// (a) the raw SDK
const device = new sdk.Device("bench.token.sig", deviceOptions("raw"));
device.audio.incoming(false);
await device.register();
let onRaw;
device.on("incoming", (call) => {
  onRaw?.(performance.now());
  call.reject();
});

// (b) the connector and the desktop
const connector = createTwilioConnector({ getToken: async () => "bench.token.sig", loadSdk: async () => sdk, incomingSound: false, logLevel: "silent", deviceOptions: deviceOptions("cti") });
const desktop = createDesktop({ connector });
let onRinging;
desktop.on("call.ringing", ({ call }) => {
  onRinging?.(performance.now());
  void desktop.reject(call.id);
});
await new Promise((resolve) => { const tick = () => (desktop.snapshot().link === "connected" ? resolve() : setTimeout(tick, 5)); tick(); });
await desktop.login({});

const once = (emulator, set) =>
  new Promise((resolve) => {
    set((at) => resolve(at - sent));
    const sent = performance.now();
    emulator.ring({ sdp: "v=0\r\n", from: "+15550100", params: { customerId: "C-42", queue: "Support" } });
  });

const rawMs = [];
const ctiMs = [];
for (let i = 0; i < ROUNDS + WARMUP; i++) {
  // Alternate which goes first, so neither side always runs on a warmer process.
  const rawFirst = i % 2 === 0;
  const first = rawFirst ? await once(raw, (fn) => (onRaw = fn)) : await once(viaConnector, (fn) => (onRinging = fn));
  const second = rawFirst ? await once(viaConnector, (fn) => (onRinging = fn)) : await once(raw, (fn) => (onRaw = fn));
  const [a, b] = rawFirst ? [first, second] : [second, first];
  if (i >= WARMUP) { rawMs.push(a); ctiMs.push(b); }
  await new Promise((r) => setTimeout(r, 2)); // let the rejects settle
}

const pct = (xs, p) => { const s = [...xs].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const fmt = (n) => n.toFixed(3);
const result = {
  rounds: ROUNDS,
  rawSdkIncoming: { medianMs: fmt(pct(rawMs, 50)), p95Ms: fmt(pct(rawMs, 95)) },
  connectorCallRinging: { medianMs: fmt(pct(ctiMs, 50)), p95Ms: fmt(pct(ctiMs, 95)) },
  ratioMedian: (pct(ctiMs, 50) / pct(rawMs, 50)).toFixed(2),
  addedMedianMs: fmt(pct(ctiMs, 50) - pct(rawMs, 50)),
};
console.log("twilio: invite → ringing latency (real Voice SDK in jsdom, PStream emulator on 127.0.0.1)");
console.log(JSON.stringify(result, null, 2));
// One machine-readable line per figure, 3 significant digits.
const bench = (name, value, unit) => console.log(`BENCH ${JSON.stringify({ name, value: Number(value.toPrecision(3)), unit })}`);
bench("twilio.ringing.ratioToRawSdk", pct(ctiMs, 50) / pct(rawMs, 50), "x");
bench("twilio.ringing.connectorMedian", pct(ctiMs, 50), "ms");
bench("twilio.ringing.rawSdkMedian", pct(rawMs, 50), "ms");
bench("twilio.ringing.addedMedian", pct(ctiMs, 50) - pct(rawMs, 50), "ms");

await desktop.destroy();
device.destroy();
await raw.close();
await viaConnector.close();
process.exit(0);
