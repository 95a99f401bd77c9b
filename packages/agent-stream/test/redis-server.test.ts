// ./testing's startRedisServer: Debian's redis-server on 127.0.0.1, stopped by PID.
import { createClient } from "redis";
import { afterEach, describe, expect, it } from "vitest";
import { startRedisServer } from "../src/testing/index.js";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const path = process.env.PATH;
afterEach(() => {
  process.env.PATH = path;
});

describe("startRedisServer", () => {
  it("starts redis-server on 127.0.0.1 and a free port, answering commands, with nothing saved; stop() ends its process", async () => {
    const server = await startRedisServer();
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(alive(server.pid)).toBe(true);
    const client = createClient({ url: server.url });
    await client.connect();
    expect(await client.ping()).toBe("PONG");
    expect(await client.configGet("save")).toEqual({ save: "" });
    expect(await client.configGet("bind")).toEqual({ bind: "127.0.0.1" });
    client.destroy();
    await server.stop();
    expect(alive(server.pid)).toBe(false);
    await server.stop(); // idempotent
  });

  it("with a password, clients must authenticate (the URL carries it)", async () => {
    const server = await startRedisServer({ password: "p@ss word" });
    try {
      expect(server.url).toBe(`redis://:p%40ss%20word@127.0.0.1:${server.port}`);
      const client = createClient({ url: server.url });
      await client.connect();
      expect(await client.ping()).toBe("PONG");
      client.destroy();
      const anonymous = createClient({ url: `redis://127.0.0.1:${server.port}`, socket: { reconnectStrategy: false } });
      anonymous.on("error", () => {});
      await expect(anonymous.connect()).rejects.toThrow(/NOAUTH/);
    } finally {
      await server.stop();
    }
  });

  it("says clearly when redis-server is not installed", async () => {
    process.env.PATH = "/nonexistent";
    await expect(startRedisServer()).rejects.toThrow(/redis-server is not installed/);
  });
});
