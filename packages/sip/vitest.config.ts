import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.ts";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: "sip",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Each file starts its own Kamailio and SIPp processes on free loopback ports.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
