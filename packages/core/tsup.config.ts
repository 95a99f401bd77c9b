import { defineConfig } from "tsup";

export default defineConfig({
  // The connector toolkit is its own entry (@opencti/core/connector), never part of dist/index.js.
  entry: { index: "src/index.ts", "connector/index": "src/toolkit/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  minify: false,
});
