/**
 * Test support: Pega's draft-06 event schemas checked with ajv. (The
 * simulator harness for the conformance suite is @opencti/simulator/testing.)
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";

const SCHEMA_FOR: Record<string, string> = {
  CallStateEvent: "CallEvent",
  AgentStateEvent: "AgentEvent",
  SnapshotEvent: "Snapshot",
  PartyInfoEvent: "PartyInfo",
  CallInfoEvent: "CallInfo",
};

let validators: Map<string, ValidateFunction> | undefined;

function load(): Map<string, ValidateFunction> {
  if (validators) return validators;
  const require = createRequire(import.meta.url);
  const meta = JSON.parse(readFileSync(require.resolve("ajv/dist/refs/json-schema-draft-06.json"), "utf8")) as { $id?: string };
  const ajv = new Ajv({ allErrors: true, strict: true, meta: false });
  ajv.addMetaSchema(meta);
  validators = new Map();
  for (const name of Object.values(SCHEMA_FOR)) {
    const schema = JSON.parse(readFileSync(new URL(`../schema/${name}.json`, import.meta.url), "utf8")) as { $schema: string };
    if (schema.$schema !== "http://json-schema.org/draft-06/schema#") throw new Error(`${name}.json is not draft-06`);
    validators.set(name, ajv.compile(schema));
  }
  return validators;
}

/** Problems with a forwarded event against the Pega schema for its pyEventType; [] when valid. */
export function pegaSchemaProblems(event: unknown): string[] {
  const type = (event as { pyEventType?: unknown } | null)?.pyEventType;
  const name = typeof type === "string" ? SCHEMA_FOR[type] : undefined;
  if (!name) return [`unknown pyEventType ${JSON.stringify(type)}`];
  const validate = load().get(name)!;
  if (validate(event)) return [];
  return (validate.errors ?? []).map((e) => `${name}${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
}

/** Paths of every leaf that is not a string: Pega's events carry strings only. */
export function nonStringLeaves(value: unknown, path = ""): string[] {
  if (typeof value === "string") return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonStringLeaves(v, `${path}/${i}`));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => nonStringLeaves(v, `${path}/${k}`));
  return [`${path || "/"} is ${typeof value}`];
}
