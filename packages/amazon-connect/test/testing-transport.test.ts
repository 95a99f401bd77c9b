/**
 * The fake CCP's transports only take requests from the page that embeds it:
 * a message from any other origin (or window) is ignored, never executed.
 */
import { JSDOM } from "jsdom";
import { afterEach, describe, expect, it } from "vitest";
import { attachFakeCcp, createFakeCcp, parentPort, startFakeCcpPage } from "../src/testing/index.js";

const putAgentState = (requestId: string) => ({ event: "api_request", data: { method: "putAgentState", requestId, params: { state: { name: "Available" } } } });
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

const doms: JSDOM[] = [];
afterEach(() => {
  for (const dom of doms.splice(0)) dom.window.close();
});

function page(url: string): JSDOM {
  const dom = new JSDOM("<!doctype html><body></body>", { url, pretendToBeVisual: true });
  doms.push(dom);
  return dom;
}

/** A message as the browser delivers it: with its sender's origin and window. */
function deliver(target: Window, data: unknown, origin: string, source: unknown): void {
  const event = new (target as unknown as typeof globalThis).MessageEvent("message", { data, origin });
  Object.defineProperty(event, "source", { value: source });
  target.dispatchEvent(event);
}

describe("startFakeCcpPage / parentPort (the fake CCP served at the ccpUrl)", () => {
  /** The CCP page in an iframe whose parent is `parent`. */
  function ccpPage(parent: object): Window {
    const win = page("https://ccp.example.test/ccp-v2/").window as unknown as Window;
    Object.defineProperty(win, "parent", { value: parent });
    return win;
  }

  it("ignores a request from a foreign origin, even one posted by its parent window", async () => {
    const sent: unknown[] = [];
    const parent = { postMessage: (message: unknown, targetOrigin: string) => sent.push({ message, targetOrigin }) };
    const win = ccpPage(parent);
    const fake = startFakeCcpPage(win, { parentOrigin: "https://crm.example.test" });

    deliver(win, putAgentState("evil"), "https://attacker.example", parent);
    await tick();
    expect(fake.requests).toEqual([]);

    deliver(win, putAgentState("ok"), "https://crm.example.test", parent);
    await tick();
    expect(fake.requests.map((r) => r.method)).toEqual(["putAgentState"]);
    // Everything it says goes to the expected origin only, never "*".
    expect(sent.length).toBeGreaterThan(0);
    for (const s of sent as { targetOrigin: string }[]) expect(s.targetOrigin).toBe("https://crm.example.test");
    fake.close();
  });

  it("without parentOrigin it trusts only its own origin", async () => {
    const parent = { postMessage: () => {} };
    const win = ccpPage(parent);
    const fake = startFakeCcpPage(win);
    deliver(win, putAgentState("cross"), "https://crm.example.test", parent);
    await tick();
    expect(fake.requests).toEqual([]);
    deliver(win, putAgentState("same"), "https://ccp.example.test", parent);
    await tick();
    expect(fake.requests).toHaveLength(1);
    fake.close();
  });

  it('refuses "*" as the parent origin: replies would go to whatever page embeds it (TypeError)', () => {
    const sent: unknown[] = [];
    const win = ccpPage({ postMessage: (message: unknown) => sent.push(message) });
    expect(() => parentPort(win, "*")).toThrow(TypeError);
    expect(() => startFakeCcpPage(win, { parentOrigin: "*" })).toThrow(TypeError);
    expect(sent).toEqual([]);
    // A named origin still works.
    expect(() => parentPort(win, "https://crm.example.test")).not.toThrow();
  });

  it("ignores a message from its own origin sent by another window", async () => {
    const parent = { postMessage: () => {} };
    const win = ccpPage(parent);
    const fake = startFakeCcpPage(win, { parentOrigin: "https://crm.example.test" });
    deliver(win, putAgentState("other window"), "https://crm.example.test", { postMessage: () => {} });
    await tick();
    expect(fake.requests).toEqual([]);
    fake.close();
  });
});

describe("attachFakeCcp / framePort (the fake CCP in the embedding page)", () => {
  it("answers the page's own Streams but ignores a message another origin posts to the CCP iframe", async () => {
    const dom = page("https://crm.example.test/desktop");
    const win = dom.window as unknown as Window;
    const container = win.document.createElement("div");
    win.document.body.append(container);
    const fake = createFakeCcp();
    const detach = attachFakeCcp(fake, container);
    const iframe = win.document.createElement("iframe");
    container.append(iframe);
    const frame = iframe.contentWindow!;
    await tick();

    // Anyone holding the app window can reach frames[0]: a foreign page's message.
    deliver(frame, putAgentState("evil"), "https://attacker.example", null);
    await tick();
    expect(fake.requests).toEqual([]);

    // What Streams in this page does: post to the iframe's window.
    frame.postMessage(putAgentState("streams"), "*");
    await tick();
    expect(fake.requests.map((r) => r.method)).toEqual(["putAgentState"]);
    detach();
  });
});
