import { defineConfig } from "vitest/config";
import CountReporter from "./scripts/count-reporter.ts";

export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", { test: { name: "repo", include: ["scripts/**/*.test.ts"] } }],
    reporters: ["default", new CountReporter()],
  },
});
