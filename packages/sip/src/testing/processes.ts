import type { ChildProcess } from "node:child_process";

const running = new Set<ChildProcess>();
let hooked = false;

/**
 * Remembers a server process this harness started, so it is killed (by PID)
 * even if the test process exits without stopping it (a killed worker).
 */
export function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
  if (hooked) return;
  hooked = true;
  process.once("exit", () => {
    for (const c of running) c.kill("SIGKILL");
  });
}
