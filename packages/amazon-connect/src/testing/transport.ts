/**
 * Ports between the fake CCP and Streams.
 *
 * - `framePort`: the fake runs in the embedding page's own JS realm (JSDOM
 *   tests, the sample app's no-AWS demo) and answers on the CCP iframe's
 *   window. Upstream messages are dispatched on the parent window with
 *   `source` set to the iframe's window, which is what Streams' conduit checks.
 * - `parentPort`: the fake runs inside a page served as the ccpUrl (a real
 *   cross-origin iframe) and uses plain `parent.postMessage`.
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
      const onMessage = (e: MessageEvent) => handler(e.data);
      frameWindow.addEventListener("message", onMessage);
      return () => frameWindow.removeEventListener("message", onMessage);
    },
  };
}

export function parentPort(win: Window): FakeCcpPort {
  return {
    send(message: CcpMessage) {
      win.parent.postMessage(message, "*");
    },
    listen(handler) {
      const onMessage = (e: MessageEvent) => {
        if (e.source === win.parent) handler(e.data);
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
