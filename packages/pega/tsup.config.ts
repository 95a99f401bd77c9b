import { defineConfig, type Options } from "tsup";

/**
 * The browser global for Pega's implementation-file loading: one script,
 * core included, that defines `window.OpenCTIPega`. No eval (esbuild emits
 * none), so it runs under a strict Content-Security-Policy.
 */
export const globalBuild: Options = {
  entry: { pega: "src/global.ts" },
  format: ["iife"],
  globalName: "OpenCTIPega",
  noExternal: ["@opencti/core"],
  platform: "browser",
  target: "es2020",
  minify: true,
  sourcemap: true,
  dts: false,
  clean: false,
};

export default defineConfig([
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "es2022",
    minify: false,
  },
  globalBuild,
]);
