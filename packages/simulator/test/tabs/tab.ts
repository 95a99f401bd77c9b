// One tab of the multi-tab test: a shared desktop on the simulator served by the SharedWorker.
import { createTabDesktop, type TabDesktop } from "@opencti/core/tabs";
import type { DesktopEvent } from "@opencti/core";
import { connectSimulator, script, type ScriptMethod } from "../../src/port.js";

declare global {
  interface Window {
    desktop?: TabDesktop;
    ready: Promise<void>;
    seen: { seq: number; type: string; callId?: string; state?: string }[];
    script: (method: ScriptMethod, ...args: unknown[]) => Promise<unknown>;
    connects: () => Promise<number>;
  }
}

const worker = new SharedWorker("/worker.js");
window.seen = [];
window.script = (method, ...args) => script(worker.port, method, ...args);
window.connects = () =>
  new Promise((resolve) => {
    const on = ({ data }: MessageEvent<{ op: string; connects: number }>) => {
      if (data.op !== "test-connects") return;
      worker.port.removeEventListener("message", on);
      resolve(data.connects);
    };
    worker.port.addEventListener("message", on);
    worker.port.postMessage({ op: "test-connects" });
  });
window.ready = createTabDesktop({ connector: connectSimulator(worker.port), name: "agent-7", requestTimeoutMs: 5000 }).then((desktop) => {
  window.desktop = desktop;
  desktop.on("*", (e: DesktopEvent) => window.seen.push({ seq: e.seq, type: e.type, ...("call" in e ? { callId: e.call.id, state: e.call.state } : {}) }));
});
