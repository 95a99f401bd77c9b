/** The simulator's far end: buttons that act on the CTI server, not on the desktop. */
import "./globals.ts";
import type { SimulatorServer } from "@opencti/simulator";

function farEnd(server: SimulatorServer): void {
  let caller = 100;
  const first = (statuses: readonly string[]): string | undefined => server.listCalls().find((c) => statuses.includes(c.status))?.callId;
  const actions: Record<string, () => void> = {
    ring: () => void server.ringInbound({ from: `+1555010${String(caller++).padStart(4, "0")}`, fromName: "Ada Lovelace", to: "+15550009999", queue: "Support", data: { customerId: "C-42" } }),
    answer: () => {
      const id = first(["originating"]);
      if (id) server.remoteAnswer(id);
    },
    hangup: () => {
      const id = first(["talking", "onhold", "originating"]);
      if (id) server.remoteHangup(id);
    },
    abandon: () => {
      const id = first(["alerting"]);
      if (id) server.abandon(id);
    },
    // The transcription service on the talking call: a partial, its final, and a sentiment.
    say: () => {
      const id = first(["talking"]);
      if (!id) return;
      server.transcript(id, { speaker: "customer", text: "I was charged", final: false, segmentId: `say-${caller}` });
      server.transcript(id, { speaker: "customer", text: "I was charged twice.", final: true, segmentId: `say-${caller}` });
      server.insight(id, { kind: "sentiment", text: "negative", score: -0.8 });
    },
    drop: () => server.dropLink(),
    restore: () => server.restoreLink(),
  };
  for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-sim]")) {
    const action = actions[button.dataset.sim ?? ""];
    if (action) button.addEventListener("click", action);
  }

  const list = document.getElementById("sim-calls");
  let shown = "";
  // The simulator has no change feed for pages; a light poll keeps the list current.
  setInterval(() => {
    const lines = server.listCalls().map((c) => `${c.callId} · ${c.kind} · ${c.status} · ${c.ani ?? ""} → ${c.dnis ?? ""}`);
    lines.push(`link ${server.linkIsUp ? "up" : "down"} · agent ${server.agentState.status}`);
    const text = lines.join("\n");
    if (!list || text === shown) return;
    shown = text;
    list.replaceChildren(...lines.map((line) => Object.assign(document.createElement("li"), { textContent: line })));
  }, 250);
}

if (window.pegaExampleServer) farEnd(window.pegaExampleServer);
