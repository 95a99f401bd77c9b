// The published packages' DEPENDENCIES.md files match what the lockfile installs.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { expected, render } from "./dependency-tree.mjs";

type Entry = [dir: string, file: string, text: string];

describe("DEPENDENCIES.md of each published package", () => {
  const entries = (expected as () => Entry[])();

  it("covers every published package, and only those", () => {
    const names = entries.map(([dir]) => dir.split("/").pop());
    expect(names).toContain("core");
    expect(names).toContain("twilio-backend");
    expect(names).not.toContain("testkit"); // private
  });

  it.each(entries.map(([dir, file, text]) => [dir.split("/").pop()!, file, text] as const))("%s is up to date (node scripts/dependency-tree.mjs)", (_name, file, text) => {
    expect(readFileSync(file, "utf8")).toBe(text);
  });

  it("lists transitive dependencies with versions and licenses, and says what is missing", () => {
    const backend = entries.find(([dir]) => dir.endsWith("twilio-backend"))![2];
    expect(backend).toMatch(/^- twilio@\d+\.\d+\.\d+ \(MIT\)$/m);
    expect(backend).toMatch(/^ {2}- axios@\S+ \(MIT\)$/m);
    const dir = mkdtempSync(join(tmpdir(), "deps-"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "x", dependencies: { "no-such-package-here": "1" } }));
    expect((render as (d: string) => string)(dir)).toContain("- no-such-package-here (not installed)");
  });
});
