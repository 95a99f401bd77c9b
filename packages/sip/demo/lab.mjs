// Runs the SIP lab (Kamailio + SIPp on 127.0.0.1) for the sample app, until Ctrl-C:
//   pnpm --filter @opencti/sip build && node packages/sip/demo/lab.mjs
// Prints the app query string; press Enter to ring the agent from a SIPp caller.
import { createInterface } from "node:readline";
import { startSipLab, webRtcStyleOffer } from "../dist/testing/index.js";

const lab = await startSipLab();
const uri = lab.newAgentUri();
const query = new URLSearchParams({ connector: "sip", server: lab.wsUrl, uri, password: lab.password, displayName: "Demo Agent" });
console.log(`Kamailio: WebSocket ${lab.kamailio.wsUrl} (through ${lab.wsUrl}), SIP/UDP 127.0.0.1:${lab.kamailio.udpPort}`);
console.log(`Open the agent desktop with:\n  ?${query}\n`);
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
const stop = async () => {
  lines.close();
  await lab.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
