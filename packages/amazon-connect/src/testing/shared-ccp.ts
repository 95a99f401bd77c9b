/**
 * A fake CCP whose state outlives the CCP frame, as an agent's Connect session
 * does: the contacts and the agent's state live in a SharedWorker on the CCP's
 * origin (where the real CCP keeps its own SharedWorker), and each CCP frame
 * is a relay between Streams in the embedding page and that worker. A new CCP
 * frame (another tab taking over the softphone) finds the contact as it was.
 *
 * The worker lives while a page of the CCP's origin holds it: a test opens
 * one (`startFakeCcpHost`), which also drives the fake (`window.fakeCcp` there
 * is a proxy whose methods return promises).
 */
import { createFakeCcp, type CcpMessage, type FakeCcp, type FakeCcpOptions, type FakeCcpPort } from "./fake-ccp.js";
import { parentPort } from "./transport.js";

/** Frame/host → worker. */
type ToWorker = { role: "frame" } | { role: "host" } | { from: "parent"; message: unknown } | { op: "call"; id: number; name: string; args: unknown[] };
/** Worker → frame/host. */
type ToPage = { to: "parent"; message: CcpMessage } | { op: "result"; id: number; value?: unknown; error?: string };

/** In the SharedWorker: one fake CCP for every frame and host that connects. Returns the fake. */
export function startFakeCcpWorker(scope: { onconnect: ((e: MessageEvent) => void) | null }, options: FakeCcpOptions = {}): FakeCcp {
  const fake = createFakeCcp(options);
  /** How many CCP frames connected so far: each is a softphone session Streams started. */
  let frames = 0;
  scope.onconnect = (e) => {
    const port = e.ports[0]!;
    let parent: ((message: unknown) => void) | undefined;
    port.onmessage = ({ data: m }: MessageEvent<ToWorker>) => {
      if ("role" in m && m.role === "frame") {
        // The newest frame is the CCP Streams talks to (the owner tab's); the fake's timers (a contact's pending transitions) go on.
        frames++;
        const relay: FakeCcpPort = {
          send: (message) => port.postMessage({ to: "parent", message } satisfies ToPage),
          listen: (handler) => {
            parent = handler;
            return () => (parent = undefined);
          },
        };
        fake.connect(relay);
      } else if ("from" in m) parent?.(m.message);
      else if ("op" in m) {
        try {
          const member = m.name === "framesConnected" ? frames : (fake as unknown as Record<string, unknown>)[m.name];
          const value = typeof member === "function" ? (member as (...a: unknown[]) => unknown).apply(fake, m.args) : member;
          port.postMessage({ op: "result", id: m.id, value: value === undefined ? undefined : JSON.parse(JSON.stringify(value)) } satisfies ToPage);
        } catch (err) {
          port.postMessage({ op: "result", id: m.id, error: String(err) } satisfies ToPage);
        }
      }
    };
  };
  return fake;
}

/** In the CCP frame (the page served as the ccpUrl): relays Streams' messages to and from the worker. */
export function startFakeCcpRelay(win: Window, worker: SharedWorker, parentOrigin?: string): void {
  const toParent = parentPort(win, parentOrigin);
  const port = worker.port;
  toParent.listen((message) => port.postMessage({ from: "parent", message } satisfies ToWorker));
  port.onmessage = ({ data: m }: MessageEvent<ToPage>) => {
    if ("to" in m) toParent.send(m.message);
  };
  port.postMessage({ role: "frame" } satisfies ToWorker);
}

/**
 * A page of the CCP's origin that keeps the worker alive and exposes
 * `window.fakeCcp`: each member of FakeCcp is a function returning a promise
 * of its value (a JSON copy), plus `framesConnected()`: how many CCP frames
 * connected so far.
 */
export function startFakeCcpHost(win: Window & { fakeCcp?: unknown }, worker: SharedWorker): void {
  const port = worker.port;
  let next = 1;
  const waiting = new Map<number, [(v: unknown) => void, (e: Error) => void]>();
  port.onmessage = ({ data: m }: MessageEvent<ToPage>) => {
    if (!("op" in m)) return;
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.[1](new Error(m.error));
    else w?.[0](m.value);
  };
  port.postMessage({ role: "host" } satisfies ToWorker);
  win.fakeCcp = new Proxy(
    {},
    {
      // (No `then`: the proxy is not a promise.)
      get: (_, name) =>
        name === "then"
          ? undefined
          : (...args: unknown[]) =>
        new Promise((resolve, reject) => {
          const id = next++;
          waiting.set(id, [resolve, reject]);
          port.postMessage({ op: "call", id, name: String(name), args } satisfies ToWorker);
        }),
    },
  );
}
