// Issue 10, item 4: every enumeration is one `as const` array in the model,
// and every `enum` in the published JSON Schema (each file, not only
// event.json) is one of those arrays, value for value and in order.
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import { schemaFiles } from "./schema-validator.js";

/** Where each enumeration appears in the schema, by normalized path (see `enumsIn`). */
const SCHEMA_ENUMS: Record<string, readonly string[]> = {
  "$defs/AgentState": core.AGENT_STATES,
  "$defs/LinkState": core.LINK_STATES,
  "$defs/Party/properties/role": core.PARTY_ROLES,
  "$defs/Party/properties/state": core.PARTY_STATES,
  "$defs/Party/properties/monitorMode": core.MONITOR_MODES,
  "$defs/Call/properties/recording": core.RECORDING_STATES,
  "$defs/Call/properties/monitorMode": core.MONITOR_MODES,
  "$defs/Call/properties/direction": core.CALL_DIRECTIONS,
  "$defs/Call/properties/state": core.CALL_STATES,
  "$defs/Call/properties/endReason": core.END_REASONS,
  "$defs/Call/properties/failure/properties/code": core.CTI_ERROR_CODES,
  "$defs/Call/properties/media": core.MEDIA_STATES,
  "$defs/Call/properties/actions/items": core.CALL_ACTIONS,
  "call.transcript:properties/segment/properties/speaker": core.TRANSCRIPT_SPEAKERS,
  "call.insight:properties/insight/properties/kind": core.INSIGHT_KINDS,
  "error:properties/code": core.CTI_ERROR_CODES,
  "$defs/AudioDevices/properties/devices/items/properties/kind": core.AUDIO_DEVICE_KINDS,
};

/** Exported enumerations that no event carries, so no schema lists them. */
const NOT_IN_SCHEMA: Record<string, string> = {
  CAPABILITIES: "a connector's capabilities are in the snapshot, not in events",
  CALL_EVENT_TYPES: "event types are each event's `type` const (checked below)",
  EVENT_TYPES: "event types are each event's `type` const (checked below)",
  TELEPHONY_MODES: "the telephony mode is in the snapshot, not in events",
  DIRECTORY_KINDS: "the directory is in the snapshot, not in events",
  AUDIO_USES: "the uses are the AudioDevices' property names (input, output, ringer), not an enum",
};

type Found = { path: string; values: unknown[] };

/**
 * Every `enum` in the schema files, by a path that is the same in every file:
 * shared definitions keep their `$defs/…` path; an event's own properties are
 * `<type>:<path>` whether they sit in `<type>.json` or under
 * `$defs/event:<type>` in event.json.
 */
function enumsIn(files: Record<string, unknown>): Found[] {
  const found: Found[] = [];
  const walk = (node: unknown, path: string): void => {
    if (typeof node !== "object" || node === null) return;
    if (Array.isArray(node)) return node.forEach((x, i) => walk(x, `${path}/${i}`));
    for (const [key, value] of Object.entries(node)) {
      if (key === "enum") found.push({ path, values: value as unknown[] });
      else walk(value, path ? `${path}/${key}` : key);
    }
  };
  for (const [file, schema] of Object.entries(files)) {
    const type = file.replace(/\.json$/, "");
    const before = found.length;
    walk(schema, "");
    for (const f of found.slice(before)) {
      const event = /^\$defs\/event:([^/]+)\/(.*)$/.exec(f.path);
      if (event) f.path = `${event[1]}:${event[2]}`;
      else if (!f.path.startsWith("$defs/")) f.path = `${type}:${f.path}`;
    }
  }
  return found;
}

/** What differs between the schema's enums and the model's arrays, in words. */
function drift(files: Record<string, unknown>, expected: Record<string, readonly string[]>): string[] {
  const problems: string[] = [];
  const found = enumsIn(files);
  for (const { path, values } of found) {
    const want = expected[path];
    if (!want) problems.push(`${path}: an enum with no model array`);
    else if (JSON.stringify(values) !== JSON.stringify(want)) problems.push(`${path}: schema has ${JSON.stringify(values)}, the model ${JSON.stringify(want)}`);
  }
  for (const path of Object.keys(expected)) if (!found.some((f) => f.path === path)) problems.push(`${path}: not in the schema`);
  return problems;
}

const exportedEnums = (Object.entries(core) as [string, unknown][]).filter((e): e is [string, readonly string[]] => /^[A-Z][A-Z_]+$/.test(e[0]) && Array.isArray(e[1]) && e[1].every((x) => typeof x === "string"));

describe("one source for every enumeration", () => {
  it("every enum in every schema file is its model array, and every such array is in the schema", () => {
    expect(drift(schemaFiles, SCHEMA_ENUMS)).toEqual([]);
    // Each shared enum appears in event.json and in each per-event file that uses it.
    expect(enumsIn(schemaFiles).filter((f) => f.path === "$defs/Call/properties/state").length).toBe(1 + core.CALL_EVENT_TYPES.length);
  });

  it("the drift check fails when the schema or a model array changes", () => {
    const copy = JSON.parse(JSON.stringify(schemaFiles)) as Record<string, { $defs: { Call: { properties: { state: { enum: string[] } } } } }>;
    copy["call.held.json"]!.$defs.Call.properties.state.enum.pop();
    expect(drift(copy, SCHEMA_ENUMS)).toEqual([expect.stringMatching(/^\$defs\/Call\/properties\/state: schema has .*"wrapup"\], the model .*"ended"\]$/)]);
    expect(drift(schemaFiles, { ...SCHEMA_ENUMS, "$defs/Call/properties/direction": [...core.CALL_DIRECTIONS, "sideways"] })).toHaveLength(1 + core.CALL_EVENT_TYPES.length);
    const { ["error:properties/code"]: _, ...withoutCodes } = SCHEMA_ENUMS;
    expect(drift(schemaFiles, withoutCodes)).toEqual(["error:properties/code: an enum with no model array", "error:properties/code: an enum with no model array"]);
    expect(drift(schemaFiles, { ...SCHEMA_ENUMS, "$defs/Call/properties/priority": ["high"] })).toEqual(["$defs/Call/properties/priority: not in the schema"]);
  });

  it("covers every exported enumeration", () => {
    expect(exportedEnums.length).toBeGreaterThanOrEqual(14);
    for (const [name, values] of exportedEnums) {
      const inSchema = Object.values(SCHEMA_ENUMS).includes(values);
      expect(inSchema || name in NOT_IN_SCHEMA, `${name} is neither in the schema nor listed in NOT_IN_SCHEMA`).toBe(true);
      expect(new Set(values).size, `${name} has duplicates`).toBe(values.length);
    }
  });

  it("event types are the schema's event files and `type` consts", () => {
    const consts = Object.entries(schemaFiles)
      .filter(([f]) => f !== "event.json")
      .map(([, s]) => (s as { properties: { type: { const: string } } }).properties.type.const);
    expect(consts.sort()).toEqual([...core.EVENT_TYPES].sort());
    expect(core.EVENT_TYPES.filter((t) => t.startsWith("call.") && t !== "call.transcript" && t !== "call.insight")).toEqual([...core.CALL_EVENT_TYPES]);
  });

  it("capabilities cover every call action's capability", () => {
    expect(Object.keys(core.ACTION_CAPABILITY)).toEqual([...core.CALL_ACTIONS]);
    for (const capability of Object.values(core.ACTION_CAPABILITY)) expect(core.CAPABILITIES).toContain(capability);
  });

  it("the type guards narrow to the enumeration", () => {
    const isState = core.isOneOf(core.CALL_STATES);
    const v: unknown = "held";
    expect(isState(v)).toBe(true);
    if (isState(v)) {
      const state: core.CallState = v; // compiles only because v is narrowed
      expect(state).toBe("held");
    }
    expect(isState("HELD")).toBe(false);
    expect(isState(undefined)).toBe(false);
  });
});
