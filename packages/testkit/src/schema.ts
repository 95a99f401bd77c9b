// Validates events against @opencti/core's published JSON Schema with a real validator.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";

let validate: ValidateFunction | undefined;

function load(): ValidateFunction {
  if (validate) return validate;
  // Resolve through the package so the published files are what is checked.
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve("@opencti/core/package.json"));
  const schema = JSON.parse(readFileSync(join(dir, "schema", "event.json"), "utf8")) as object;
  validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
  return validate;
}

/** The problems with `event` against the event schema; [] when it validates. */
export function schemaProblems(event: unknown): string[] {
  const v = load();
  if (v(event)) return [];
  return (v.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
}
