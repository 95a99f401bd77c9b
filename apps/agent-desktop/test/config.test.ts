import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { configFromQuery, DEFAULT_CONNECTOR, readConfigFile } from "../src/config.ts";

describe("app configuration", () => {
  it("defaults to the simulator with no options", () => {
    expect(configFromQuery("")).toEqual({ connector: DEFAULT_CONNECTOR, options: {} });
    expect(DEFAULT_CONNECTOR).toBe("simulator");
  });

  it("takes the connector and its options from the URL", () => {
    expect(configFromQuery("?connector=sip&server=wss%3A%2F%2Fpbx.example%2Fws&aor=sip%3A1001%40pbx.example")).toEqual({
      connector: "sip",
      options: { server: "wss://pbx.example/ws", aor: "sip:1001@pbx.example" },
    });
  });

  it("lets URL parameters override config.json one by one", () => {
    const file = { connector: "twilio", options: { tokenUrl: "/token", region: "ie1" } };
    expect(configFromQuery("?region=us1", file)).toEqual({ connector: "twilio", options: { tokenUrl: "/token", region: "us1" } });
    expect(configFromQuery("?connector=simulator", file).connector).toBe("simulator");
    expect(file.options.region).toBe("ie1"); // the file's object is not modified
  });
});

describe("config.json", () => {
  it("a server that never answers does not hold the app: the defaults apply after the timeout", async () => {
    const sockets = new Set<Socket>();
    // Accepts the request and never responds.
    const server = createServer(() => {});
    server.on("connection", (s) => sockets.add(s));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    vi.stubGlobal("document", { baseURI: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
    try {
      const started = Date.now();
      const result = await Promise.race([readConfigFile(300), new Promise((resolve) => setTimeout(() => resolve("still waiting"), 10_000))]);
      expect(result).toEqual({});
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      vi.unstubAllGlobals();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
