import { runConnectorConformance, type ConnectorHarness } from "@opencti/testkit";
import { createSimulator, SIMULATOR_CAPABILITIES, type SimulatorServer } from "../src/index.js";
import type { Call } from "@opencti/core";

function harness(latencyMs: number) {
  return (): ConnectorHarness => {
    const { server, connector } = createSimulator({ latencyMs, connector: { reconnectDelaysMs: [10, 20] } });
    const id = (call: Call): string => call.vendorCallId;
    const run = (fn: (s: SimulatorServer) => void): Promise<void> => Promise.resolve(fn(server));
    return {
      connector,
      destinations: { outbound: "+15550142", transferTarget: "+15550143", consultTarget: "+15550144" },
      login: { agentId: "agent-7" },
      driver: {
        ringInbound: (c) => run((s) => void s.ringInbound(c)),
        remoteAnswer: (call) => run((s) => s.remoteAnswer(id(call))),
        remoteHangup: (call) => run((s) => s.remoteHangup(id(call))),
        abandon: (call) => run((s) => s.abandon(id(call))),
        dropLink: () => run((s) => s.dropLink()),
        restoreLink: () => run((s) => s.restoreLink()),
        injectMalformed: () => run((s) => s.sendRaw({ type: "call", call: { callId: "x", status: "exploding", legs: [] } })),
        stallNext: (op) => run((s) => s.stallNext(op)),
        sendTranscript: (call, text) => run((s) => s.transcript(id(call), { speaker: "customer", text })),
        dtmfReceived: (call) => Promise.resolve(server.dtmf.get(id(call)) ?? ""),
      },
      dispose: () => server.dispose(),
    };
  };
}

const features = { stall: true, transcripts: true, dtmfEcho: true, changesWhileDown: true, callWaiting: true, wrapUp: true };

runConnectorConformance({ name: "simulator", capabilities: SIMULATOR_CAPABILITIES, features, createHarness: harness(0), requestTimeoutMs: 300 });
runConnectorConformance({ name: "simulator with 5 ms latency", capabilities: SIMULATOR_CAPABILITIES, features, createHarness: harness(5), requestTimeoutMs: 300 });
