import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/testing/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  minify: false,
  external: ["@aws-sdk/client-connect", "@aws-sdk/client-connect-contact-lens"],
});
