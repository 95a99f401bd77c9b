import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.ts";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: "call-control-panel",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    // UI waits poll for a condition; generous for a loaded 2-core CI machine.
    expect: { poll: { timeout: 20_000, interval: 50 } },
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
