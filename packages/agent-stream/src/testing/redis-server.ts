/**
 * A throwaway Redis for tests: Debian's `redis-server` (scripts/ensure-system.sh
 * installs it) on 127.0.0.1 and a free port, nothing saved to disk, stopped
 * by its PID.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { connect, createServer } from "node:net";

export interface RedisServer {
  /** `redis://127.0.0.1:<port>`, with `:<password>@` when started with one. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. Resolves once it has exited; idempotent. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** `--requirepass`: clients must AUTH (the URL carries it). */
  password?: string;
  /** How long to wait for the first PING answer, ms. Default 10 000. */
  startTimeoutMs?: number;
  /** A fixed port, e.g. to start a server again where clients expect the one that was stopped (rejects when it is taken). Default a free one. */
  port?: number;
}

const running = new Set<ChildProcess>();
let hooked = false;

/** Kills (by PID) the servers still running when the test process exits, e.g. a killed worker. */
function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
  if (hooked) return;
  hooked = true;
  process.once("exit", () => {
    for (const c of running) c.kill("SIGKILL");
  });
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port"))));
    });
  });
}

/** Whether something on `port` answers a RESP `PING` (any reply, `-NOAUTH` included, means Redis is up). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(/^[+-]/.test(data.toString("latin1"))));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));
}

async function startOnce(options: RedisServerOptions): Promise<RedisServer | "port taken"> {
  const port = options.port ?? (await freePort());
  const args = ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", ...(options.password ? ["--requirepass", options.password] : [])];
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer): void => void (output = (output + chunk.toString("utf8")).slice(-4000));
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once("spawn", () => resolve(undefined));
    child.once("error", resolve);
  });
  if (spawned) {
    const missing = (spawned as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(missing ? "redis-server is not installed (Debian: apt-get install redis-server; scripts/ensure-system.sh does it)" : `redis-server did not start: ${spawned.message}`);
  }
  killOnExit(child);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited(child);
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return /already in use/i.test(output) ? "port taken" : Promise.reject(new Error(`redis-server exited (${child.exitCode}): ${output.trim().slice(-500)}`));
    if (await answersPing(port)) {
      const auth = options.password ? `:${encodeURIComponent(options.password)}@` : "";
      return { url: `redis://${auth}127.0.0.1:${port}`, port, pid: child.pid!, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`redis-server did not answer PING on 127.0.0.1:${port} within ${options.startTimeoutMs ?? 10_000} ms: ${output.trim().slice(-500)}`);
}

/**
 * Starts `redis-server --bind 127.0.0.1 --port <free, or options.port> --save "" --appendonly no`
 * and resolves once it answers PING. Rejects with a clear error when
 * redis-server is not installed, exits, or does not answer in time.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const server = await startOnce(options);
    if (server !== "port taken") return server;
    if (options.port !== undefined) throw new Error(`redis-server: port ${options.port} on 127.0.0.1 is taken`);
  }
  throw new Error("redis-server: no free port on 127.0.0.1 after 3 attempts");
}
