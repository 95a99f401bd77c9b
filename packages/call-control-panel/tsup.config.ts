import { defineConfig } from "tsup";

export default defineConfig({
  // index: the class, no side effects; define: registers the element.
  entry: ["src/index.ts", "src/define.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  minify: false,
});
