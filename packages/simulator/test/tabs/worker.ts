// The SharedWorker of the multi-tab test: one simulated CTI server for every tab,
// plus a count of the connections it took (the "registrations" at the backend).
import { serveSimulator } from "../../src/port.js";
import { SimulatorServer } from "../../src/server.js";

const server = new SimulatorServer({ latencyMs: 5 });
let connects = 0;
(self as unknown as { onconnect: (e: MessageEvent) => void }).onconnect = (e) => {
  const port = e.ports[0]!;
  port.addEventListener("message", ({ data }: MessageEvent<{ op: string }>) => {
    if (data.op === "connect") connects++;
    if (data.op === "test-connects") port.postMessage({ op: "test-connects", connects });
  });
  serveSimulator(server, port);
};
