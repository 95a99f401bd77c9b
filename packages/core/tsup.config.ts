import { defineConfig } from "tsup";

export default defineConfig({
  // The connector toolkit (@opencti/core/connector) and the logging extras
  // (@opencti/core/logging) are their own entries, never part of dist/index.js
  // (the logging entry shares the redaction with it through a chunk), and
  // @opencti/core/tabs shares the desktop with it the same way.
  entry: { index: "src/index.ts", "connector/index": "src/toolkit/index.ts", "logging/index": "src/logging.ts", "tabs/index": "src/tabs/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  minify: false,
});
