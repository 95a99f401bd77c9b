// SIP connector latency against Kamailio on loopback, next to raw sip.js in the same run:
//   register time (REGISTER with digest → 200), inbound ring → call.ringing (an INVITE sent
//   over UDP to Kamailio → the desktop's event, vs sip.js's onInvite), outbound setup
//   (dial → call.connected, vs Inviter.invite() → Established) against an auto-answering SIPp.
// Run after a build: `pnpm --filter @opencti/sip bench`.
// Also prints one `BENCH {"name","value","unit"}` line per figure (medians, ratio) for CI logs.
import { createSocket } from "node:dgram";
import { createDesktop } from "@opencti/core";
import { Inviter, Registerer, SessionState, UserAgent } from "sip.js";
import { createSipConnector } from "../dist/index.js";
import { installNodeWebSocket, labConnectorOptions, nodeSessionDescriptionHandlerFactory, startSipLab } from "../dist/testing/index.js";

const ROUNDS = 15;
const now = () => performance.now();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
// Let the previous call's responses and ACKs drain, so each ring starts from quiet.
const settle = () => new Promise((r) => setTimeout(r, 50));
// One machine-readable line per figure, 3 significant digits.
const bench = (name, value, unit) => console.log(`BENCH ${JSON.stringify({ name, value: Number(value.toPrecision(3)), unit })}`);
const within = (promise, ms, what) => Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);

await installNodeWebSocket();
const lab = await startSipLab();
const results = {};
const record = (name, ms) => (results[name] ??= []).push(ms);

// A caller that is just a UDP socket: the INVITE's send time is the ring time.
const caller = createSocket("udp4");
await new Promise((r) => caller.bind(0, "127.0.0.1", r));
const callerPort = caller.address().port;
caller.on("message", (buf) => {
  // ACK final error responses hop-by-hop so Kamailio stops retransmitting them.
  const text = buf.toString();
  const status = Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0);
  if (status < 300) return;
  const header = (name) => new RegExp(`^${name}:\\s*(.*)$`, "mi").exec(text)?.[1]?.trim() ?? "";
  const ack = [`ACK sip:${header("To").replace(/^.*<sip:([^>]+)>.*$/, "$1")} SIP/2.0`, `Via: ${header("Via")}`, `From: ${header("From")}`, `To: ${header("To")}`, `Call-ID: ${header("Call-ID")}`, "CSeq: 1 ACK", "Max-Forwards: 70", "Content-Length: 0", "", ""].join("\r\n");
  caller.send(ack, lab.kamailio.udpPort, "127.0.0.1");
});
let invites = 0;
function ring(user) {
  const n = ++invites;
  const sdp = ["v=0", "o=bench 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", "m=audio 49170 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", "a=sendrecv", ""].join("\r\n");
  const target = `${user}@127.0.0.1:${lab.kamailio.udpPort}`;
  const invite = [
    `INVITE sip:${target} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${callerPort};branch=z9hG4bK-bench-${n}`,
    `From: "Bench" <sip:+1555010${String(n).padStart(4, "0")}@127.0.0.1:${callerPort}>;tag=bench-${n}`,
    `To: <sip:${target}>`,
    `Call-ID: bench-${n}-${Date.now()}@127.0.0.1`,
    "CSeq: 1 INVITE",
    `Contact: <sip:bench@127.0.0.1:${callerPort}>`,
    "Max-Forwards: 70",
    "Content-Type: application/sdp",
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    "",
    sdp,
  ].join("\r\n");
  const sentAt = now();
  caller.send(invite, lab.kamailio.udpPort, "127.0.0.1");
  return sentAt;
}

// --- the connector through the desktop ---
const options = labConnectorOptions(lab);
const user = /^sip:([^@]+)@/.exec(options.uri)[1];
const desktop = createDesktop({ connector: createSipConnector(options), requestTimeoutMs: 10_000 });
await within(new Promise((r) => (desktop.snapshot().link === "connected" ? r() : desktop.on("link.changed", (e) => e.link === "connected" && r()))), 10_000, "connector link");

// --- raw sip.js, the same way the connector drives it ---
const rawUri = lab.newAgentUri();
const rawUser = /^sip:([^@]+)@/.exec(rawUri)[1];
let onRawInvite = () => {};
const raw = new UserAgent({
  uri: UserAgent.makeURI(rawUri),
  transportOptions: { server: lab.wsUrl },
  authorizationPassword: lab.password,
  sessionDescriptionHandlerFactory: nodeSessionDescriptionHandlerFactory,
  logLevel: "error",
  delegate: { onInvite: (invitation) => onRawInvite(invitation) },
});
await raw.start();

for (let i = 0; i < ROUNDS; i++) {
  // register
  await settle();
  let t = now();
  await desktop.login();
  record("register: connector (login → registered)", now() - t);
  await desktop.logout();
  const registerer = new Registerer(raw, { expires: 300 });
  await settle();
  t = now();
  await within(new Promise((resolve, reject) => registerer.register({ requestDelegate: { onAccept: resolve, onReject: (r) => reject(new Error(`REGISTER ${r.message.statusCode}`)) } })), 5000, "raw register");
  record("register: raw sip.js (REGISTER → 200)", now() - t);
}
await desktop.login();

for (let i = 0; i < ROUNDS; i++) {
  // inbound: raw sip.js
  await settle();
  const invited = new Promise((resolve) => (onRawInvite = (inv) => resolve([now(), inv])));
  let sentAt = ring(rawUser);
  const [rawAt, invitation] = await within(invited, 5000, "raw onInvite");
  record("inbound ring → onInvite: raw sip.js", rawAt - sentAt);
  await invitation.reject({ statusCode: 486 });

  // inbound: connector
  await settle();
  const ringing = new Promise((resolve) => {
    const off = desktop.on("call.ringing", (e) => {
      off();
      resolve([now(), e.call]);
    });
  });
  sentAt = ring(user);
  const [at, call] = await within(ringing, 5000, "call.ringing");
  record("inbound ring → call.ringing: connector", at - sentAt);
  await desktop.reject(call.id);
}

const autoAnswer = lab.destination("auto");
for (let i = 0; i < ROUNDS; i++) {
  // outbound: connector
  await settle();
  let t = now();
  const id = await desktop.dial(autoAnswer);
  await within(new Promise((resolve) => (desktop.getCall(id)?.state === "connected" ? resolve() : desktop.on("call.connected", (e) => e.call.id === id && resolve()))), 5000, "call.connected");
  record("outbound dial → call.connected: connector", now() - t);
  await desktop.hangup(id);
  await desktop.completeWrapUp(id).catch(() => undefined);

  // outbound: raw sip.js
  await settle();
  t = now();
  const inviter = new Inviter(raw, UserAgent.makeURI(`sip:${autoAnswer}@${lab.domain}`));
  const established = new Promise((resolve) => inviter.stateChange.addListener((s) => s === SessionState.Established && resolve()));
  await inviter.invite();
  await within(established, 5000, "raw Established");
  record("outbound invite() → Established: raw sip.js", now() - t);
  await inviter.bye();
}

const rows = Object.entries(results).map(([name, xs]) => ({ measure: name, n: xs.length, "median ms": +median(xs).toFixed(2), "p95 ms": +p95(xs).toFixed(2) }));
console.table(rows);
const ratio = median(results["inbound ring → call.ringing: connector"]) / median(results["inbound ring → onInvite: raw sip.js"]);
console.log(`inbound ring-to-ringing overhead: connector / raw sip.js = ${ratio.toFixed(2)}x (medians, same run)`);
bench("sip.ringing.ratioToRawSdk", ratio, "x");
for (const [measure, connector, rawSdk] of [
  ["register", "register: connector (login → registered)", "register: raw sip.js (REGISTER → 200)"],
  ["ringing", "inbound ring → call.ringing: connector", "inbound ring → onInvite: raw sip.js"],
  ["dial", "outbound dial → call.connected: connector", "outbound invite() → Established: raw sip.js"],
]) {
  bench(`sip.${measure}.connectorMedian`, median(results[connector]), "ms");
  bench(`sip.${measure}.rawSdkMedian`, median(results[rawSdk]), "ms");
}

await desktop.destroy();
await raw.stop();
caller.close();
await lab.stop();
process.exit(0);
