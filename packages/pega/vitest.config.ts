import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.ts";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: { name: "pega", include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});
