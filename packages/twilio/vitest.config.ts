import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.ts";

// The Chromium files each drive a browser: one file at a time on a 2-core machine.
export default defineProject({
  resolve: { alias: sourceAliases },
  test: { name: "twilio", include: ["src/**/*.test.ts", "test/**/*.test.ts"], testTimeout: 90_000, hookTimeout: 90_000, fileParallelism: false },
});
