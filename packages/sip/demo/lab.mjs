// Runs the SIP lab (Kamailio + SIPp on 127.0.0.1) for the sample app, until Ctrl-C:
//   pnpm --filter @opencti/core build && pnpm --filter @opencti/sip build && node packages/sip/demo/lab.mjs
// Writes the app's config.json (server and SIP address) and, for the lab only, a
// static credentials file its credentialsUrl names (the password never goes in
// config.json, which every browser can read; the app refuses one there). Both
// are put back as they were on Ctrl-C. Press Enter to ring the agent from SIPp.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { startSipLab, webRtcStyleOffer } from "../dist/testing/index.js";

const PUBLIC = new URL("../../../apps/agent-desktop/public/", import.meta.url);
const CONFIG = new URL("config.json", PUBLIC);
const CREDENTIALS = new URL("lab-credentials.json", PUBLIC);

const lab = await startSipLab();
const uri = lab.newAgentUri();
const original = existsSync(CONFIG) ? readFileSync(CONFIG, "utf8") : undefined;
const options = { server: lab.wsUrl, uri, displayName: "Demo Agent", dataHeaderPrefix: "X-Data-", queueHeader: "X-Queue" };
writeFileSync(CONFIG, `${JSON.stringify({ connector: "sip", credentialsUrl: "lab-credentials.json", options }, null, 2)}\n`);
// A lab only: a static file is public. A deployment answers credentialsUrl from an authenticated, per-agent endpoint.
writeFileSync(CREDENTIALS, `${JSON.stringify({ password: lab.password })}\n`);
console.log(`Kamailio: WebSocket ${lab.kamailio.wsUrl} (through ${lab.wsUrl}), SIP/UDP 127.0.0.1:${lab.kamailio.udpPort}`);
console.log(`Wrote apps/agent-desktop/public/config.json for agent ${uri}; start the app with: pnpm --filter @opencti/agent-desktop dev`);
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
  await lab.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
