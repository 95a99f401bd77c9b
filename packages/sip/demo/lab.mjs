// Runs the SIP lab (Kamailio + SIPp on 127.0.0.1) for the sample app, until Ctrl-C:
//   npx --yes pnpm@10.34.9 --filter "@opencti/sip..." build && node packages/sip/demo/lab.mjs [--voice-ai] [--origin <url>]…
// Writes the app's config.json (server and SIP address) and, for the lab only, a
// static credentials file its credentialsUrl names (the password never goes in
// config.json, which every browser can read; the app refuses one there). Both
// are put back as they were on Ctrl-C. Press Enter to ring the agent from SIPp.
//
// --voice-ai also starts an @opencti/agent-stream service on 127.0.0.1 (a free
// port, stopped with the lab) standing in for the deployment's: config.json
// gets its `agentStreamUrl`, the credentials file the agent's
// `agentStreamToken` (an HMAC-signed `agentId.expiry` token, as the
// agent-stream README shows), and each ring prints a curl that posts a
// transcript line for that call, as a media server would. The service accepts
// the app's pages from the origins listed (default: `pnpm dev` and
// `pnpm start` on 127.0.0.1 and localhost; add yours with --origin).
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { startSipLab, webRtcStyleOffer } from "../dist/testing/index.js";

const { values: args } = parseArgs({ options: { "voice-ai": { type: "boolean", default: false }, origin: { type: "string", multiple: true, default: [] } } });
const PUBLIC = new URL("../../../apps/agent-desktop/public/", import.meta.url);
const CONFIG = new URL("config.json", PUBLIC);
const CREDENTIALS = new URL("lab-credentials.json", PUBLIC);

/** A value inside single quotes for a POSIX shell. */
const shellQuote = (text) => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * The lab's agent-stream service: the browser's /stream-ticket and /events,
 * and /voice-ai for the "media server" (the printed curl). Its authenticate
 * verifies the agent's token and returns the agent id it was minted for.
 */
async function startVoiceAi(allowedOrigins) {
  const { createAgentStream, createAgentStreamHandler } = await import("@opencti/agent-stream");
  const signingKey = randomBytes(32);
  const ingestToken = randomBytes(24).toString("base64url");
  const sign = (payload) => createHmac("sha256", signingKey).update(payload).digest("base64url");
  /** `<agentId>.<expiry ms>.<HMAC>`: what your credentials endpoint would mint for the signed-in agent. */
  const mintToken = (agentId, ttlMs) => {
    const payload = `${agentId}.${Date.now() + ttlMs}`;
    return `${payload}.${sign(payload)}`;
  };
  const authenticate = (req) => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    const payload = token.slice(0, token.lastIndexOf("."));
    const given = Buffer.from(token.slice(token.lastIndexOf(".") + 1));
    const expected = Buffer.from(sign(payload));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const expiry = Number(payload.slice(payload.lastIndexOf(".") + 1));
    return expiry > Date.now() ? payload.slice(0, payload.lastIndexOf(".")) : undefined;
  };
  const onError = (e) => console.warn(`agent stream: ${e.code} ${e.message}`);
  const stream = createAgentStream({ allowedOrigins, onError });
  const handler = createAgentStreamHandler({ stream, allowedOrigins, ingestToken, authenticate, onError });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    mintToken,
    /** The curl a media server's request amounts to: one final customer line for the call. */
    curl: (agentId, callId) => {
      const body = { agentId, event: { type: "transcript", callId, segment: { id: "utt-1", speaker: "customer", text: "Hello, I need help with my bill", final: true } } };
      return `curl -sS -X POST ${url}/voice-ai -H ${shellQuote(`Authorization: Bearer ${ingestToken}`)} -H 'Content-Type: application/json' --data ${shellQuote(JSON.stringify(body))} -w '%{http_code}\\n'`;
    },
    async stop() {
      await stream.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const lab = await startSipLab();
const uri = lab.newAgentUri();
const agentId = /^sip:([^@]+)@/.exec(uri)[1]; // the SIP user: the lab's agent id on the stream
const allowedOrigins = [...new Set([...["5173", "4173"].flatMap((port) => [`http://127.0.0.1:${port}`, `http://localhost:${port}`]), ...args.origin])];
let voiceAi;
try {
  voiceAi = args["voice-ai"] ? await startVoiceAi(allowedOrigins) : undefined;
} catch (e) {
  await lab.stop();
  throw e;
}
const original = existsSync(CONFIG) ? readFileSync(CONFIG, "utf8") : undefined;
const options = { server: lab.wsUrl, uri, displayName: "Demo Agent", dataHeaderPrefix: "X-Data-", queueHeader: "X-Queue", ...(voiceAi ? { agentStreamUrl: voiceAi.url } : {}) };
writeFileSync(CONFIG, `${JSON.stringify({ connector: "sip", credentialsUrl: "lab-credentials.json", options }, null, 2)}\n`);
// A lab only: a static file is public. A deployment answers credentialsUrl from an authenticated, per-agent endpoint.
const credentials = { password: lab.password, ...(voiceAi ? { agentStreamToken: voiceAi.mintToken(agentId, 12 * 3600_000) } : {}) };
writeFileSync(CREDENTIALS, `${JSON.stringify(credentials)}\n`);
console.log(`Kamailio: WebSocket ${lab.kamailio.wsUrl} (through ${lab.wsUrl}), SIP/UDP 127.0.0.1:${lab.kamailio.udpPort}`);
console.log(`Wrote apps/agent-desktop/public/config.json for agent ${uri}; start the app with: pnpm --filter @opencti/agent-desktop dev`);
if (voiceAi) {
  console.log(`Voice AI: agent-stream service ${voiceAi.url} for agent id "${agentId}", pages from ${allowedOrigins.join(", ")} (more: --origin <url>).`);
  console.log(`  pnpm dev has no CSP; for pnpm start (a build) set OPENCTI_CSP_CONNECT=${voiceAi.url} (an http:// agentStreamUrl is not taken from config.json).`);
}
console.log(`Dial ${lab.destination("auto")} (answers), ${lab.destination("busy")} (busy) from the panel.`);
console.log("Press Enter to ring the agent (log in and go Ready first); Ctrl-C to stop.");

let n = 0;
const lines = createInterface({ input: process.stdin });
lines.on("line", async () => {
  n++;
  const { callId } = await lab.ring(uri, {
    from: `+1555010${String(n).padStart(4, "0")}`,
    fromName: "Ada Lovelace",
    to: "+15550001000",
    headers: [["X-Data-customerId", "C-1001"], ["X-Queue", "Support"]],
    body: { contentType: "application/sdp", content: webRtcStyleOffer() },
  });
  console.log(`ringing: ${callId}`);
  if (voiceAi) console.log(`A transcript line for it (204 = accepted, shown once the panel has the call):\n${voiceAi.curl(agentId, callId)}`);
});
/** Puts the app's files back (also when the script dies: an "exit" handler runs synchronously). */
let restored = false;
const restore = () => {
  if (restored) return;
  restored = true;
  if (original === undefined) rmSync(CONFIG, { force: true });
  else writeFileSync(CONFIG, original);
  rmSync(CREDENTIALS, { force: true });
};
process.on("exit", restore);
const stop = async () => {
  lines.close();
  restore();
  await voiceAi?.stop();
  await lab.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
