/**
 * Test support: Pega's draft-06 event schemas checked with ajv. The
 * published schemas are as lenient as Pega's own (no required list, other
 * properties allowed); pegaSchemaProblems adds the strict checks from the
 * test's own table of documented shapes (documented-shapes.ts). (The
 * simulator harness for the conformance suite is @opencti/simulator/testing.)
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import { DOCUMENTED_SHAPES, type DocumentedShape } from "./documented-shapes.js";

const SCHEMA_FOR: Record<string, string> = {
  CallStateEvent: "CallEvent",
  AgentStateEvent: "AgentEvent",
  SnapshotEvent: "Snapshot",
  PartyInfoEvent: "PartyInfo",
  CallInfoEvent: "CallInfo",
  VoiceAIEvent: "VoiceAI",
  VoiceAIErrorEvent: "VoiceAIError",
  VoiceAITranscriptEvent: "VoiceAITranscript",
  VoiceAIInsightEvent: "VoiceAIInsight",
};

interface Schema {
  $schema: string;
  $id: string;
  properties: Record<string, { items?: { properties: Record<string, unknown> } } & Record<string, unknown>>;
}

let validators: { published: Map<string, ValidateFunction>; strict: Map<string, ValidateFunction> } | undefined;

/** A published schema as read from disk. */
export function publishedSchema(name: string): Schema {
  const schema = JSON.parse(readFileSync(new URL(`../schema/${name}.json`, import.meta.url), "utf8")) as Schema;
  if (schema.$schema !== "http://json-schema.org/draft-06/schema#") throw new Error(`${name}.json is not draft-06`);
  return schema;
}

/** The published schema plus the documented shape: every field required, nothing else, exact event type and names, non-empty call ids. */
function strictSchema(schema: Schema, shape: DocumentedShape): object {
  const properties: Record<string, unknown> = { ...schema.properties };
  properties.pyEventType = { type: "string", const: shape.eventType };
  properties.pyEventName = { type: "string", enum: shape.eventNames };
  if (properties.pyCallId) properties.pyCallId = { type: "string", minLength: 1 };
  for (const [name, fields] of Object.entries(shape.arrays ?? {})) {
    const items = schema.properties[name]!.items!;
    properties[name] = { type: "array", items: { ...items, required: fields, additionalProperties: false } };
  }
  for (const name of shape.objects ?? []) properties[name] = { type: "object", additionalProperties: { type: "string" } };
  for (const [name, values] of Object.entries(shape.enums ?? {})) properties[name] = { type: "string", enum: values };
  for (const [name, pattern] of Object.entries(shape.patterns ?? {})) properties[name] = { type: "string", pattern };
  for (const name of [...shape.required, ...shape.optional]) if (!(name in properties)) throw new Error(`${shape.eventType}: ${name} is not in the published schema`);
  return { $schema: schema.$schema, $id: `${schema.$id.replace("http://pega.com/", "http://opencti.test/strict/")}`, type: "object", properties, required: shape.required, additionalProperties: false };
}

function load(): NonNullable<typeof validators> {
  if (validators) return validators;
  const require = createRequire(import.meta.url);
  const meta = JSON.parse(readFileSync(require.resolve("ajv/dist/refs/json-schema-draft-06.json"), "utf8")) as { $id?: string };
  const ajv = new Ajv({ allErrors: true, strict: true, meta: false });
  ajv.addMetaSchema(meta);
  validators = { published: new Map(), strict: new Map() };
  for (const name of Object.values(SCHEMA_FOR)) {
    const schema = publishedSchema(name);
    validators.published.set(name, ajv.compile(schema));
    validators.strict.set(name, ajv.compile(strictSchema(schema, DOCUMENTED_SHAPES[name]!)));
  }
  return validators;
}

function problems(validate: ValidateFunction, name: string, event: unknown): string[] {
  if (validate(event)) return [];
  return (validate.errors ?? []).map((e) => `${name}${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
}

/** Problems with a forwarded event against the Pega schema for its pyEventType, made strict by the documented shapes; [] when valid. */
export function pegaSchemaProblems(event: unknown): string[] {
  const type = (event as { pyEventType?: unknown } | null)?.pyEventType;
  const name = typeof type === "string" ? SCHEMA_FOR[type] : undefined;
  if (!name) return [`unknown pyEventType ${JSON.stringify(type)}`];
  const { published, strict } = load();
  const lenient = problems(published.get(name)!, name, event);
  return lenient.length > 0 ? lenient : problems(strict.get(name)!, name, event);
}

/** Problems with an event against the published schema `name` alone (what a Pega-side validator sees); [] when valid. */
export function publishedSchemaProblems(name: string, event: unknown): string[] {
  return problems(load().published.get(name)!, name, event);
}

/** Paths of every leaf that is not a string: Pega's events carry strings only. */
export function nonStringLeaves(value: unknown, path = ""): string[] {
  if (typeof value === "string") return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonStringLeaves(v, `${path}/${i}`));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => nonStringLeaves(v, `${path}/${k}`));
  return [`${path || "/"} is ${typeof value}`];
}
