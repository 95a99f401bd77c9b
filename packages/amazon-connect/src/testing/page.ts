import { createFakeCcp, type FakeCcp, type FakeCcpOptions } from "./fake-ccp.js";
import { parentPort } from "./transport.js";

/**
 * Runs the fake CCP inside a page loaded as the ccpUrl (the CCP iframe on
 * its own origin). Exposes it as `window.fakeCcp` so a browser test can drive
 * the far end with `frame.evaluate(() => fakeCcp.ringInbound(…))`.
 */
export function startFakeCcpPage(win: Window, options: FakeCcpOptions = {}): FakeCcp {
  const fake = createFakeCcp(options);
  (win as Window & { fakeCcp?: FakeCcp }).fakeCcp = fake;
  fake.connect(parentPort(win));
  return fake;
}
