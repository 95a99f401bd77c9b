import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.ts";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: "amazon-connect",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Streams runs inside a JSDOM window each harness creates and closes; the test files themselves run in Node.
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
