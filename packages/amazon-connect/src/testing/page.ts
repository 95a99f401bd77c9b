import { createFakeCcp, type FakeCcp, type FakeCcpOptions } from "./fake-ccp.js";
import { parentPort } from "./transport.js";

export interface FakeCcpPageOptions extends FakeCcpOptions {
  /**
   * The origin of the page that embeds this CCP (runs Streams), e.g.
   * `https://crm.example.com`. Only messages from the parent window on this
   * origin are answered, and replies go to this origin only. Default: the
   * CCP page's own origin.
   */
  parentOrigin?: string;
}

/**
 * Runs the fake CCP inside a page loaded as the ccpUrl (the CCP iframe on
 * its own origin). Exposes it as `window.fakeCcp` so a browser test can drive
 * the far end with `frame.evaluate(() => fakeCcp.ringInbound(…))`.
 */
export function startFakeCcpPage(win: Window, options: FakeCcpPageOptions = {}): FakeCcp {
  const { parentOrigin, ...fakeOptions } = options;
  const fake = createFakeCcp(fakeOptions);
  (win as Window & { fakeCcp?: FakeCcp }).fakeCcp = fake;
  fake.connect(parentPort(win, parentOrigin));
  return fake;
}
