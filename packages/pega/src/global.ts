/**
 * Entry of the browser global (dist/pega.global.js): everything a Pega
 * implementation file needs, as `window.OpenCTIPega`, core included.
 *
 *   const desktop = OpenCTIPega.createDesktop({ connector });
 *   const impl = OpenCTIPega.createPegaImplementation(desktop, { media: "Phone" });
 */
export { createDesktop, CtiError, isCtiError } from "@opencti/core";
export * from "./index.js";
