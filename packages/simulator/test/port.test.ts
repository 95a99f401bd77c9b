// The simulator's server behind MessagePorts (serveSimulator/connectSimulator), in Node: one connection at a time.
import { createDesktop } from "@opencti/core";
import { afterEach, describe, expect, it } from "vitest";
import { connectSimulator, script, serveSimulator } from "../src/port.js";
import { SimulatorServer } from "../src/server.js";

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A tab: a port to the server, and a desktop on it. */
function tab(server: SimulatorServer) {
  const { port1, port2 } = new MessageChannel();
  serveSimulator(server, port1);
  const desktop = createDesktop({ connector: connectSimulator(port2, { reconnectDelaysMs: [20] }), requestTimeoutMs: 1000 });
  closers.push(() => {
    port1.close();
    port2.close();
  });
  return { desktop, port: port2 };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe("the simulator behind a MessagePort", () => {
  it("serves a desktop, and scripting from another port reaches the same server", async () => {
    const server = new SimulatorServer();
    const a = tab(server);
    await until(() => a.desktop.snapshot().link === "connected");
    await a.desktop.login({ agentId: "agent-1" });
    const { port1, port2 } = new MessageChannel();
    serveSimulator(server, port1);
    closers.push(() => (port1.close(), port2.close()));
    await script(port2, "ringInbound", { from: "+15550100" });
    await until(() => a.desktop.snapshot().calls.length === 1);
    await expect(script(port2, "dispose" as never)).rejects.toThrow(/not a scripting method/);
  });

  it("the newest tab takes the connection; the replaced tab hears it closed, and its close does not cut the newer one", async () => {
    const server = new SimulatorServer();
    const a = tab(server);
    await until(() => a.desktop.snapshot().link === "connected");
    const b = tab(server);
    await until(() => b.desktop.snapshot().link === "connected");
    await until(() => a.desktop.snapshot().link !== "connected");
    // The replaced tab goes away: its close must not reach the server's connection.
    await a.desktop.destroy();
    await new Promise((r) => setTimeout(r, 50));
    await b.desktop.login({ agentId: "agent-1" });
    expect(b.desktop.snapshot().agent.state).not.toBe("logged_out");
  });
});
