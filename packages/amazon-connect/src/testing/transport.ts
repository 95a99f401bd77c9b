/**
 * Ports between the fake CCP and Streams. Neither executes a request from
 * anyone but the page that embeds the CCP.
 *
 * - `framePort`: the fake runs in the embedding page's own JS realm (JSDOM
 *   tests, the sample app's no-AWS demo) and answers on the CCP iframe's
 *   window. Upstream messages are dispatched on the parent window with
 *   `source` set to the iframe's window, which is what Streams' conduit checks.
 *   Downstream, it takes over the iframe window's own `postMessage`, which is
 *   what Streams calls: there is no `message` listener at all, so a message
 *   another window or origin posts to the iframe (anyone holding the page can
 *   reach `frames[0]`; cross-origin callers always get the browser's own
 *   postMessage) is never seen.
 * - `parentPort`: the fake runs inside a page served as the ccpUrl (a real
 *   cross-origin iframe) and uses plain `parent.postMessage`, to
 *   `parentOrigin` only; it accepts a message only when it comes from the
 *   parent window AND from `parentOrigin` (default: its own origin, so an
 *   embedding page on another origin must be named explicitly, like the
 *   approved origins of a real Amazon Connect instance; `"*"` is refused).
 */
import type { CcpMessage, FakeCcp, FakeCcpPort } from "./fake-ccp.js";

export const CCP_IFRAME_NAME = "Amazon Connect CCP";

export function framePort(parent: Window, frameWindow: Window): FakeCcpPort {
  return {
    send(message: CcpMessage) {
      const event = new (parent as unknown as typeof globalThis).MessageEvent("message", { data: message });
      // JSDOM ignores `source` in the init dict; browsers accept it either way.
      Object.defineProperty(event, "source", { value: frameWindow });
      parent.dispatchEvent(event);
    },
    listen(handler) {
      // Streams calls `iframe.contentWindow.postMessage(message, origin)` from this page.
      const target = frameWindow as Window & { postMessage: Window["postMessage"] };
      const had = Object.prototype.hasOwnProperty.call(target, "postMessage");
      const original = target.postMessage;
      const receive = (message: unknown): void => {
        // Asynchronous, like a real postMessage.
        parent.setTimeout(() => handler(message), 0);
      };
      Object.defineProperty(target, "postMessage", { value: receive, configurable: true, writable: true });
      return () => {
        if (target.postMessage !== receive) return;
        if (had) Object.defineProperty(target, "postMessage", { value: original, configurable: true, writable: true });
        else delete (target as { postMessage?: unknown }).postMessage;
      };
    },
  };
}

/**
 * `parentOrigin`: the embedding page's origin (default: `win`'s own origin).
 * Never `"*"` (TypeError): replies would go to whatever page frames the CCP.
 */
export function parentPort(win: Window, parentOrigin: string = win.location.origin): FakeCcpPort {
  if (parentOrigin === "*") throw new TypeError('parentPort: parentOrigin must name the embedding page\'s origin (e.g. "https://crm.example.com"), not "*"');
  return {
    send(message: CcpMessage) {
      win.parent.postMessage(message, parentOrigin);
    },
    listen(handler) {
      const onMessage = (e: MessageEvent) => {
        if (e.source === win.parent && e.origin === parentOrigin) handler(e.data);
      };
      win.addEventListener("message", onMessage);
      return () => win.removeEventListener("message", onMessage);
    },
  };
}

function findFrame(container: Element): HTMLIFrameElement | undefined {
  const frame = container.querySelector(`iframe[name="${CCP_IFRAME_NAME}"]`) ?? container.querySelector("iframe");
  return (frame as HTMLIFrameElement | null) ?? undefined;
}

/**
 * Connects `fake` to the CCP iframe Streams creates inside `container` (now or
 * later), in the same JS realm. Returns a function that detaches it.
 */
export function attachFakeCcp(fake: FakeCcp, container: Element): () => void {
  const view = container.ownerDocument.defaultView;
  if (!view) throw new Error("attachFakeCcp: the container is not in a window");
  let attachedTo: Window | undefined;
  let frame: HTMLIFrameElement | undefined;
  const attach = () => {
    const target = frame?.contentWindow ?? undefined;
    if (!target || target === attachedTo) return;
    fake.close();
    attachedTo = target;
    fake.connect(framePort(view, target));
  };
  const watch = () => {
    const found = findFrame(container);
    if (!found || found === frame) return;
    frame = found;
    attachedTo = undefined;
    // A browser may swap the iframe's initial about:blank window when it loads.
    frame.addEventListener("load", attach);
    attach();
  };
  const observer = new view.MutationObserver(watch);
  observer.observe(container, { childList: true, subtree: true });
  watch();
  return () => {
    observer.disconnect();
    frame?.removeEventListener("load", attach);
    fake.close();
  };
}
