/**
 * The browser global (dist/pega.global.js), built from the package's own
 * tsup config, then run in a V8 context where eval and new Function throw:
 * what a strict Content-Security-Policy does to Pega's implementation file.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { createSimulator } from "@opencti/simulator";
import { build } from "tsup";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { esbuildSourceAliases } from "../../../vitest.shared.ts";
import { globalBuild } from "../tsup.config.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), "pega-global-"));
let code = "";

beforeAll(async () => {
  await build({
    ...globalBuild,
    entry: { pega: join(root, "src/global.ts") },
    outDir,
    sourcemap: false,
    silent: true,
    config: false,
    // Core from source, so the test needs no prior build.
    esbuildOptions(options) {
      options.alias = esbuildSourceAliases();
    },
  });
  code = readFileSync(join(outDir, "pega.global.js"), "utf8");
}, 60_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("browser global", () => {
  it("contains no eval or Function constructor", () => {
    expect(code.length).toBeGreaterThan(1000);
    expect(code).not.toMatch(/\beval\s*\(/);
    expect(code).not.toMatch(/\bnew Function\b|\bFunction\s*\(/);
  });

  it("offers a console logger that masks phone numbers, for implementation files without a logger of their own", () => {
    const sandbox: Record<string, unknown> = { lines: [] };
    const context = vm.createContext(sandbox, { codeGeneration: { strings: false, wasm: false } });
    vm.runInContext(code, context, { filename: "pega.global.js" });
    vm.runInContext(
      `var sink = { debug: function () {}, info: function () { lines.push([].slice.call(arguments)); }, warn: function () {}, error: function () {} };
       OpenCTIPega.createConsoleLogger({ sink: sink, maskPhoneNumbers: true }).info("dialing", { to: "+15550100199", token: "abc" });`,
      context,
    );
    expect(JSON.parse(JSON.stringify(sandbox.lines))).toEqual([["[opencti]", "dialing", { to: "+*******0199", token: "[redacted]" }]]);
  });

  it("registers OpenCTIPega and works where code generation from strings is forbidden", async () => {
    const { server, connector } = createSimulator();
    const sandbox: Record<string, unknown> = { setTimeout, clearTimeout, queueMicrotask, AbortController, connector };
    const context = vm.createContext(sandbox, { codeGeneration: { strings: false, wasm: false } });
    expect(() => void vm.runInContext("eval('1 + 1')", context)).toThrow();
    vm.runInContext(code, context, { filename: "pega.global.js" });
    const api = sandbox.OpenCTIPega as Record<string, unknown>;
    expect(typeof api.createPegaImplementation).toBe("function");
    expect(typeof api.createDesktop).toBe("function");

    // Pega's side, written as an implementation file would be, inside the locked-down context.
    vm.runInContext(
      `var events = []; var results = [];
       var desktop = OpenCTIPega.createDesktop({ connector: connector });
       var impl = OpenCTIPega.createPegaImplementation(desktop, { media: "Phone" });
       impl.login("agent-7", "", "4001", {}, {}, function () { results.push("login ok"); }, function (e) { results.push(e.errCode); }, function (e) { events.push(e); });`,
      context,
    );
    await vi.waitFor(() => expect(sandbox.results).toEqual(["login ok"]));
    const id = server.ringInbound({ from: "+15550100" });
    await vi.waitFor(() => expect((sandbox.events as { pyEventName: string }[]).map((e) => e.pyEventName)).toContain("Alerting"));
    vm.runInContext(`impl.answerCall(${JSON.stringify(id)}, {}, function () { results.push("answer ok"); }, function (e) { results.push(e.errCode); });`, context);
    await vi.waitFor(() => expect(sandbox.results).toEqual(["login ok", "answer ok"]));
    await vi.waitFor(() => expect((sandbox.events as { pyEventName: string }[]).map((e) => e.pyEventName)).toContain("Established"));
    await (sandbox.desktop as { destroy(): Promise<void> }).destroy();
    server.dispose();
  });
});
