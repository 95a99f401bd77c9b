/** What the example's scripts share through `window`, as Pega's framework would. */
import type { createDesktop } from "@opencti/core";
import type * as Pega from "@opencti/pega";
import type { SimulatorServer } from "@opencti/simulator";

/** What dist/pega.global.js defines as window.OpenCTIPega. */
export type OpenCTIPegaGlobal = typeof Pega & { createDesktop: typeof createDesktop };

declare global {
  interface Window {
    OpenCTIPega?: OpenCTIPegaGlobal;
    /** The name the Pega CTI link configuration points at. */
    pegaDesktopImplementation?: Pega.PegaDesktopImplementation;
    /** The example's far end, for the simulator controls. */
    pegaExampleServer?: SimulatorServer;
  }
}
