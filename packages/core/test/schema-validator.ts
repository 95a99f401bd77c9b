// One ajv instance over the published schema files, for tests here and in the testkit.
import { readFileSync, readdirSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";

const dir = new URL("../schema/", import.meta.url);
export const schemaFiles: Record<string, unknown> = Object.fromEntries(
  readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => [f, JSON.parse(readFileSync(new URL(f, dir), "utf8"))]),
);

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validateAny = ajv.compile(schemaFiles["event.json"] as object);

/** Problems with `event` against the schema, or [] when it validates. */
export function schemaProblems(event: unknown): string[] {
  if (validateAny(event)) return [];
  return (validateAny.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
}
