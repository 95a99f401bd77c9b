/**
 * Loads the real, unmodified amazon-connect-streams bundle into a fresh JSDOM
 * window. Streams is a global singleton that keeps timers alive and allows one
 * initCCP per page, so every harness gets its own window and closes it (which
 * clears all its timers) when done: nothing keeps the Node process alive.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Script } from "node:vm";
import { JSDOM, VirtualConsole } from "jsdom";
import type { StreamsGlobal } from "../../src/streams.js";

const require = createRequire(import.meta.url);
let compiled: Script | undefined;

function streamsScript(): Script {
  compiled ??= new Script(readFileSync(require.resolve("amazon-connect-streams/release/connect-streams.js"), "utf8"), { filename: "connect-streams.js" });
  return compiled;
}

export interface StreamsWindow {
  readonly window: Window & typeof globalThis;
  readonly connect: StreamsGlobal;
  /** The element the CCP iframe goes into. */
  readonly container: HTMLElement;
  /** Errors Streams or the page threw (uncaught in the window). */
  readonly pageErrors: unknown[];
  close(): void;
}

export function createStreamsWindow(): StreamsWindow {
  const pageErrors: unknown[] = [];
  const virtualConsole = new VirtualConsole();
  // Streams logs plenty to the console; keep only uncaught page errors.
  virtualConsole.on("jsdomError", (e: unknown) => pageErrors.push(e));
  const dom = new JSDOM('<!doctype html><html><body><div id="ccp"></div></body></html>', {
    url: "https://crm.example.com/desktop",
    runScripts: "outside-only",
    pretendToBeVisual: true,
    virtualConsole,
  });
  streamsScript().runInContext(dom.getInternalVMContext());
  const connect = (dom.window as unknown as { connect: StreamsGlobal }).connect;
  // Quiet Streams' own logger (it would print every line to the console).
  (connect as unknown as { getLog(): { setLogLevel?(l: string): void; setEchoLevel?(l: string): void } }).getLog().setEchoLevel?.("ERROR");
  const container = dom.window.document.getElementById("ccp")!;
  return {
    window: dom.window,
    connect,
    container,
    pageErrors,
    close: () => dom.window.close(),
  };
}
