/** Runs SIPp far ends on 127.0.0.1 and steers them with pokes. */
import { spawn, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeUdpPort } from "./ports.js";
import { killOnExit } from "./processes.js";

/**
 * XSTALL: the far end stops answering re-INVITEs (and absorbs their
 * retransmissions) and accepts a REFER (202) without ever NOTIFYing, until
 * BYE, or until XHANGUP makes it send one (or XRESUME its own re-INVITE). XMISS: the
 * caller CANCELs with `Reason: SIP;cause=480` (a ring timer gave up).
 * XHOLDLATE: the far end holds (re-INVITE sendonly) but ACKs the 200 only a
 * second later, keeping the agent inside that INVITE transaction.
 * XSLOW: the far end answers the agent's next re-INVITE 2.5 s late.
 * XREFUSE488/491/500: the far end refuses every re-INVITE from the agent with
 * that status until its own re-INVITE (XRESUME). A far end whose BYE fails
 * (the agent's connection is gone) logs BYEFAILED and answers 481 to anything
 * else in the dialog (GONE).
 */
export type Poke = "XANSWER" | "XHANGUP" | "XABANDON" | "XMISS" | "XHOLD" | "XHOLDLATE" | "XRESUME" | "XSTALL" | "XSLOW" | "XREFUSE488" | "XREFUSE491" | "XREFUSE500";

export interface SippProcess {
  readonly port: number;
  readonly pid: number | undefined;
  /** Resolves with SIPp's exit code (0: every call passed). */
  readonly exited: Promise<number | null>;
  /** The scenario's <log> lines so far. */
  logs(): string;
  /** SIPp's error trace and stderr, for failure messages. */
  errors(): string;
  stop(): Promise<void>;
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts SIPp with a scenario; loopback only (-i, -ci), its own ports, no stdin. */
/** true when something (SIPp) holds the UDP port. */
function udpPortTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => resolve(true));
    socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(false)));
  });
}

export async function startSipp(scenario: string, args: readonly string[], options: { port?: number; waitUntilBound?: boolean } = {}): Promise<SippProcess> {
  // A free port can be taken by someone else before SIPp binds it: try again on fresh ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchSipp(scenario, args, options);
    } catch (e) {
      if (attempt >= 3 || options.port !== undefined || !/Address already in use/.test(String(e))) throw e;
    }
  }
}

async function launchSipp(scenario: string, args: readonly string[], options: { port?: number; waitUntilBound?: boolean }): Promise<SippProcess> {
  const dir = mkdtempSync(join(tmpdir(), "opencti-sipp-"));
  const file = join(dir, "scenario.xml");
  writeFileSync(file, scenario);
  const port = options.port ?? (await freeUdpPort());
  let controlPort = await freeUdpPort();
  while (controlPort === port) controlPort = await freeUdpPort();
  const child: ChildProcess = spawn(
    "sipp",
    ["-sf", file, "-i", "127.0.0.1", "-p", String(port), "-ci", "127.0.0.1", "-cp", String(controlPort), "-mi", "127.0.0.1", "-nostdin", "-trace_logs", "-trace_err", "-base_cseq", "10", ...args],
    { cwd: dir, stdio: ["ignore", "ignore", "pipe"] },
  );
  killOnExit(child);
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-10_000);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(-1));
  });
  const read = (suffix: string): string => {
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith(suffix))
        .map((f) => readFileSync(join(dir, f), "utf8"))
        .join("\n");
    } catch {
      return "";
    }
  };
  let finalLogs: string | undefined;
  if (options.waitUntilBound) {
    // A long-running far end must be listening before anyone calls it; a bad scenario makes SIPp exit at once.
    const deadline = Date.now() + 10_000;
    while (!(await udpPortTaken(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        const why = `${stderr}\n${read("_errors.log")}`.slice(-2000);
        child.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`SIPp did not start on 127.0.0.1:${port}: ${why}`);
      }
      await wait(20);
    }
  }
  return {
    port,
    pid: child.pid,
    exited,
    logs: () => finalLogs ?? read("_logs.log"),
    errors: () => `${stderr}\n${read("_errors.log")}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
      }
      finalLogs = read("_logs.log");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sends a poke: an extension-method request the scenario waits for, matched to the call by Call-ID. */
export async function poke(port: number, callId: string, method: Poke): Promise<void> {
  const socket = createSocket("udp4");
  const message = [
    `${method} sip:farend@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-poke-${Math.random().toString(36).slice(2)}`,
    "From: <sip:driver@127.0.0.1>;tag=driver",
    "To: <sip:farend@127.0.0.1>",
    `Call-ID: ${callId}`,
    `CSeq: 1 ${method}`,
    "Max-Forwards: 70",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  await new Promise<void>((resolve, reject) => socket.send(message, port, "127.0.0.1", (e) => (e ? reject(e) : resolve())));
  socket.close();
}

/** Waits until `sipp`'s log has a line matching `pattern`; returns the match. */
export async function waitForLog(sipp: SippProcess, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = sipp.logs().match(pattern);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`SIPp never logged ${String(pattern)}.\nLogs:\n${sipp.logs().slice(-2000)}\nErrors:\n${sipp.errors().slice(-2000)}`);
    await wait(20);
  }
}

export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
