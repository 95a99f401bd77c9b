// A guided tour of the desktop on the simulator, printed as the normalized
// events a CRM would receive. Run from the repository root: pnpm demo
import { createDesktop } from "@opencti/core";
import { createSimulator } from "../dist/index.js";

const sim = createSimulator({ latencyMs: 40, farEnds: { "+15550199": "answer", "+15550188": "answer", "+15550166": "busy" }, answerAfterMs: 300 });
const desktop = createDesktop({ connector: sim.connector, requestTimeoutMs: 5000 });
const t0 = Date.now();
const stamp = () => `+${String(Date.now() - t0).padStart(5)} ms`;

desktop.on("*", (e) => {
  let detail = "";
  if ("call" in e) detail = `${e.call.id} ${e.call.direction} ${e.call.state}${e.call.from ? ` from ${e.call.from}` : ""}${e.call.endReason ? ` (${e.call.endReason}${e.call.failure ? `: ${e.call.failure.code} ${e.call.failure.vendorCode ?? ""} "${e.call.failure.message}"` : ""})` : ""}${e.call.media ? ` media ${e.call.media}` : ""}  actions: [${e.call.actions.join(", ")}]`;
  else if (e.type === "agent.changed") detail = `${e.agent.state}${e.agent.reason ? ` (${e.agent.reason.label})` : ""}${e.agent.pendingState ? ` → next ${e.agent.pendingState.state}` : ""}`;
  else if (e.type === "link.changed") detail = `${e.previous} → ${e.link}`;
  else if (e.type === "call.transcript") detail = `${e.segment.speaker}: "${e.segment.text}"`;
  else if (e.type === "call.insight") detail = `${e.insight.kind}: ${e.insight.text}`;
  else if (e.type === "error" || e.type === "warning") detail = `${e.code}: ${e.message}`;
  console.log(`${stamp()}  #${String(e.seq).padStart(3)} ${e.type.padEnd(16)} ${detail}`);
});

const step = (text) => console.log(`\n${stamp()}  ▶ ${text}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const until = async (pred) => { while (!pred()) await sleep(5); };

step("log in as agent-7 and go Ready");
await desktop.login({ agentId: "agent-7" });
await desktop.setAgentState("available");

step("a customer calls: the screen pop has caller id, queue and attached data");
const inbound = sim.server.ringInbound({ from: "+15550100", fromName: "Ada Lovelace", to: "+18005550000", queue: "Support", data: { customerId: "C-42" } });
await until(() => desktop.getCall(inbound));
console.log("           screen pop:", JSON.stringify({ from: desktop.getCall(inbound).from, name: desktop.getCall(inbound).fromName, queue: desktop.getCall(inbound).queue, data: desktop.getCall(inbound).data }));

step("answer, hold, resume, send DTMF; the Voice AI transcribes");
await desktop.answer(inbound);
await desktop.hold(inbound);
await desktop.resume(inbound);
await desktop.sendDtmf(inbound, "1234#");
sim.server.transcript(inbound, { speaker: "customer", text: "I'd like to upgrade my plan." });
sim.server.insight(inbound, { kind: "intent", text: "upgrade", score: 0.92 });
await sleep(100);

step("a request in the wrong state is refused before it reaches the vendor");
await desktop.answer(inbound).catch((err) => console.log(`           ${err.code}: ${err.message}`));

step("consult a colleague, then complete the transfer");
const consult = await desktop.consult(inbound, "+15550199");
await until(() => desktop.getCall(consult)?.state === "connected");
await desktop.completeTransfer(consult);
await until(() => desktop.getCall(inbound)?.state === "wrapup");

step("wrap up with a disposition");
await desktop.completeWrapUp(inbound, { disposition: "upgraded" });

step("the link drops and recovers: the desktop resyncs");
sim.server.dropLink();
await until(() => desktop.snapshot().link === "reconnecting");
sim.server.restoreLink();
await until(() => desktop.snapshot().link === "connected");

step("a malformed vendor event becomes an error event; the desktop goes on");
sim.server.sendRaw({ type: "call", call: { callId: "bad", status: "on-fire", legs: [] } });
await sleep(100);

step("outbound call, the far end answers, the agent hangs up");
const out = await desktop.dial("+1 (555) 018-8");
await until(() => desktop.getCall(out)?.state === "connected");
await desktop.hangup(out);
await until(() => desktop.getCall(out)?.state === "wrapup");
await desktop.completeWrapUp(out);
await until(() => !desktop.getCall(out));

step("a busy number: the call ends busy, with the network's release cause as its failure");
const busy = await desktop.dial("+15550166");
await until(() => !desktop.getCall(busy));

step("log out");
await desktop.logout();
await desktop.destroy();
sim.server.dispose();
console.log(`\nDone: ${desktop.events().length} events in the history. See README.md for the API.`);
