import { defineConfig } from "tsup";

export default defineConfig({
  // index: the class, no side effects; define: registers the element;
  // phone-numbers: libphonenumber-js formatting, only for hosts that import it.
  entry: ["src/index.ts", "src/define.ts", "src/phone-numbers.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  minify: false,
});
