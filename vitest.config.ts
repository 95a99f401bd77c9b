import { defineConfig } from "vitest/config";
import CountReporter from "./scripts/count-reporter.ts";

export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*"],
    reporters: ["default", new CountReporter()],
  },
});
