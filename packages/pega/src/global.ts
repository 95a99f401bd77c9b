/**
 * Entry of the browser global (dist/pega.global.js): everything a Pega
 * implementation file needs, as `window.OpenCTIPega`, core included.
 *
 *   const desktop = OpenCTIPega.createDesktop({ connector, logger: OpenCTIPega.createConsoleLogger({ maskPhoneNumbers: true }) });
 *   const impl = OpenCTIPega.createPegaImplementation(desktop, { media: "Phone" });
 */
export { createDesktop, CtiError, isCtiError } from "@opencti/core";
// A console logger (phone numbers masked on request) for implementations without their own.
export { createConsoleLogger, maskPhoneNumbers } from "@opencti/core/logging";
export * from "./index.js";
