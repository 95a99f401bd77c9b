import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.ts";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: { name: "agent-stream", include: ["src/**/*.test.ts", "test/**/*.test.ts"], testTimeout: 20_000 },
});
