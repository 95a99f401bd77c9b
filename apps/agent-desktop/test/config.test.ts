import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { configFromQuery, DEFAULT_CONNECTOR, isSecretOption, readConfig, readConfigFile, URL_OPTIONS } from "../src/config.ts";
import { CONNECTOR_NAMES } from "../src/load-connector.ts";

const CONNECTOR_FILES = join(dirname(fileURLToPath(import.meta.url)), "../src/connectors");

/** Every option a connector's loader reads (`options.X`), by connector. */
function optionsReadBy(): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const file of readdirSync(CONNECTOR_FILES)) {
    const name = file.replace(/\.ts$/, "");
    if (!CONNECTOR_NAMES.includes(name)) continue;
    const source = readFileSync(join(CONNECTOR_FILES, file), "utf8");
    result[name] = [...new Set([...source.matchAll(/\boptions\.(\w+)/g)].map((m) => m[1]!))];
  }
  return result;
}

describe("app configuration", () => {
  it("defaults to the simulator with no options", () => {
    expect(configFromQuery("")).toEqual({ connector: DEFAULT_CONNECTOR, options: {} });
    expect(DEFAULT_CONNECTOR).toBe("simulator");
  });

  it("a link cannot send a configured deployment to another server: servers and credentials come only from config.json", () => {
    const file = { connector: "sip", options: { server: "wss://pbx.example/ws", uri: "sip:1001@pbx.example", password: "s3cret" } };
    const attack = "?server=ws%3A%2F%2Fattacker%2Fws&uri=sip%3A1001%40attacker&password=x&user=evil&iceServers=turn%3Aattacker&credentialsUrl=https%3A%2F%2Fattacker%2F";
    expect(configFromQuery(attack, file)).toEqual(file);
    // Nor switch it to another connector that would take its server from the URL.
    expect(configFromQuery("?connector=twilio&tokenUrl=https%3A%2F%2Fattacker%2Ftoken&signalingUrl=ws%3A%2F%2F127.0.0.1%3A1%2Fsignal", file)).toEqual(file);
  });

  it("shareAcrossTabs comes from config.json only (true, nothing else), never from the URL", () => {
    expect(configFromQuery("?shareAcrossTabs=true&connector=twilio")).toEqual({ connector: "twilio", options: {} });
    expect(configFromQuery("", { connector: "amazon-connect", options: {}, shareAcrossTabs: true })).toEqual({ connector: "amazon-connect", options: {}, shareAcrossTabs: true });
  });

  it("no option any connector reads can come from the URL unless it is on that connector's allowlist", () => {
    const read = optionsReadBy();
    expect(Object.keys(read).sort()).toEqual([...CONNECTOR_NAMES].sort());
    for (const [connector, names] of Object.entries(read)) {
      const query = new URLSearchParams(names.map((n) => [n, "from-the-url"])).toString();
      const { options } = configFromQuery(query, { connector, options: {} });
      expect(Object.keys(options).sort(), connector).toEqual(names.filter((n) => URL_OPTIONS[connector]!.includes(n)).sort());
    }
    // Among them: every server, endpoint and credential option of every connector.
    const sensitive = ["server", "uri", "user", "password", "iceServers", "ccpUrl", "loginUrl", "ringtoneUrl", "region", "outboundQueueArn", "tokenUrl", "token", "backendUrl", "signalingUrl", "edge", "monitorPrefix", "monitorDigits"];
    for (const [connector, names] of Object.entries(read)) for (const n of names.filter((x) => sensitive.includes(x))) expect(URL_OPTIONS[connector], `${connector}.${n}`).not.toContain(n);
  });

  it("the allowlist holds only display and behaviour options: nothing URL- or credential-like", () => {
    for (const [connector, names] of Object.entries(URL_OPTIONS)) {
      expect(CONNECTOR_NAMES, connector).toContain(connector);
      for (const n of names) expect(n, `${connector}.${n}`).not.toMatch(/url|server|uri|user|pass|token|secret|key|ice|edge|backend|arn|region|credential/i);
    }
  });

  it("takes allowlisted options from the URL, over config.json, one by one", () => {
    const file = { options: { latencyMs: "40", agentId: "agent-1" } };
    expect(configFromQuery("?connector=simulator&agentId=agent-9&wrapUp=false", file)).toEqual({
      connector: "simulator",
      options: { latencyMs: "40", agentId: "agent-9", wrapUp: "false" },
    });
    expect(file.options.agentId).toBe("agent-1"); // the file's object is not modified
    expect(configFromQuery("?showCcp=true&wrapUp=false", { connector: "amazon-connect", options: { ccpUrl: "https://acme.my.connect.aws/ccp-v2/" } }).options).toEqual({
      ccpUrl: "https://acme.my.connect.aws/ccp-v2/",
      showCcp: "true",
    });
  });

  it("the URL picks the connector only when config.json does not name one", () => {
    expect(configFromQuery("?connector=sip").connector).toBe("sip");
    expect(configFromQuery("?connector=simulator", { connector: "twilio", options: {} }).connector).toBe("twilio");
  });
});

describe("credentialsUrl", () => {
  it("fetches the connector's secrets from the deployment's endpoint, named only in config.json", async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? "");
      res.setHeader("content-type", "application/json");
      if (req.url?.startsWith("/config.json")) res.end(JSON.stringify({ connector: "sip", credentialsUrl: "/api/agent/sip", options: { server: "wss://pbx.example/ws", uri: "sip:1001@pbx.example" } }));
      else if (req.url === "/api/agent/sip") res.end(JSON.stringify({ password: "from-the-endpoint", user: "1001" }));
      else res.writeHead(404).end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    vi.stubGlobal("document", { baseURI: base });
    vi.stubGlobal("location", { search: "?credentialsUrl=http%3A%2F%2Fattacker%2F&password=x" });
    try {
      expect(await readConfig()).toEqual({ connector: "sip", options: { server: "wss://pbx.example/ws", uri: "sip:1001@pbx.example", password: "from-the-endpoint", user: "1001" } });
      expect(seen).toEqual(["/config.json", "/api/agent/sip"]);
    } finally {
      vi.unstubAllGlobals();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("a secret in config.json (a public file) stops the app with a message naming the option, never its value", async () => {
    const server = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url?.startsWith("/config.json")) res.end(JSON.stringify({ connector: "sip", options: { server: "wss://pbx.example/ws", uri: "sip:1001@pbx.example", password: "hunter2", tokenUrl: "/t" } }));
      else res.writeHead(404).end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    vi.stubGlobal("document", { baseURI: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
    vi.stubGlobal("location", { search: "" });
    try {
      const error = await readConfig().then(() => undefined, (e: unknown) => e as Error);
      expect(error?.message).toMatch(/^config.json holds "password": config.json is public/);
      expect(error?.message).toContain("credentialsUrl");
      expect(error?.message).not.toContain("hunter2");
    } finally {
      vi.unstubAllGlobals();
      await new Promise((resolve) => server.close(resolve));
    }
    // Found even when another option is not a string (the options are then dropped as unreadable).
    const second = createServer((req, res) => res.end(JSON.stringify({ connector: "sip", options: { password: "hunter2", expires: 300 } })));
    await new Promise<void>((resolve) => second.listen(0, "127.0.0.1", resolve));
    vi.stubGlobal("document", { baseURI: `http://127.0.0.1:${(second.address() as AddressInfo).port}/` });
    vi.stubGlobal("location", { search: "" });
    try {
      await expect(readConfig()).rejects.toThrow(/^config.json holds "password"/);
    } finally {
      vi.unstubAllGlobals();
      await new Promise((resolve) => second.close(resolve));
    }
    for (const name of ["password", "token", "apiKey", "secret", "authToken"]) expect(isSecretOption(name), name).toBe(true);
    for (const name of ["tokenUrl", "credentialsUrl", "server", "uri", "user", "ccpUrl", "agentId"]) expect(isSecretOption(name), name).toBe(false);
  });

  it("an endpoint that refuses (not signed in) stops the app with a message instead of registering without credentials", async () => {
    const server = createServer((req, res) => {
      if (req.url?.startsWith("/config.json")) res.end(JSON.stringify({ connector: "sip", credentialsUrl: "/api/agent/sip", options: {} }));
      else res.writeHead(401).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    vi.stubGlobal("document", { baseURI: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
    vi.stubGlobal("location", { search: "" });
    try {
      await expect(readConfig()).rejects.toThrow(/credentials.*401/);
    } finally {
      vi.unstubAllGlobals();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("config.json", () => {
  it("shareAcrossTabs is read as true only, and kept through the credentials fetch", async () => {
    const files = [{ shareAcrossTabs: true }, { shareAcrossTabs: "true" }, { shareAcrossTabs: 1 }];
    let file: object = {};
    const server = createServer((req, res) => res.end(JSON.stringify(req.url?.startsWith("/config.json") ? { connector: "sip", options: {}, credentialsUrl: "/creds", ...file } : { password: "pw" })));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    vi.stubGlobal("document", { baseURI: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
    vi.stubGlobal("location", { search: "" });
    try {
      const read: unknown[] = [];
      for (file of files) read.push((await readConfig()).shareAcrossTabs);
      expect(read).toEqual([true, undefined, undefined]);
    } finally {
      vi.unstubAllGlobals();
      await new Promise((resolve) => server.close(resolve));
    }
  });

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
