import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs build script without types
import * as source from "../scripts/schema-source.mjs";
import { CALL_EVENT_TYPES, CTI_ERROR_CODES, EVENT_TYPES } from "../src/index.js";
import { AGENT_STATES, END_REASONS, LINK_STATES } from "../src/validate.js";
import { ACTION_CAPABILITY } from "../src/actions.js";
import { schemaFiles, schemaProblems } from "./schema-validator.js";

const src = source as { eventSchemas(): Record<string, unknown>; AGENT_STATES: string[]; LINK_STATES: string[]; CALL_ACTIONS: string[]; ERROR_CODES: string[]; CALL_EVENT_TYPES: string[] };

describe("published JSON Schema", () => {
  it("the committed schema files are what the source builds (run `pnpm schema`)", () => {
    const built = src.eventSchemas();
    expect(Object.keys(schemaFiles).sort()).toEqual(Object.keys(built).sort());
    for (const [name, schema] of Object.entries(built)) expect(schemaFiles[name], name).toEqual(schema);
  });

  it("lists the same enums as the TypeScript model", () => {
    expect(src.ERROR_CODES).toEqual(CTI_ERROR_CODES);
    expect(src.CALL_EVENT_TYPES).toEqual([...CALL_EVENT_TYPES]);
    expect(src.AGENT_STATES).toEqual(AGENT_STATES);
    expect(src.LINK_STATES).toEqual(LINK_STATES);
    expect(src.CALL_ACTIONS.sort()).toEqual(Object.keys(ACTION_CAPABILITY).sort());
    const call = (schemaFiles["event.json"] as { $defs: { Call: { properties: { endReason: { enum: string[] } } } } }).$defs.Call;
    expect(call.properties.endReason.enum).toEqual(END_REASONS);
    expect(Object.keys(schemaFiles).filter((f) => f !== "event.json").map((f) => f.replace(/\.json$/, "")).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it("every per-event file compiles on its own and rejects other events", () => {
    const ajv = new Ajv2020({ strict: true });
    const ringing = ajv.compile(JSON.parse(readFileSync(new URL("../schema/call.ringing.json", import.meta.url), "utf8")));
    const call = { id: "1", vendorCallId: "1", direction: "inbound", state: "ringing", parties: [], muted: false, data: {}, startedAt: 1, actions: ["answer"] };
    expect(ringing({ type: "call.ringing", seq: 1, at: 1, connector: "x", call })).toBe(true);
    expect(ringing({ type: "call.held", seq: 1, at: 1, connector: "x", call })).toBe(false);
    expect(ringing({ type: "call.ringing", seq: 1, at: 1, connector: "x", call: { ...call, surprise: 1 } })).toBe(false);
  });

  it("rejects malformed events", () => {
    expect(schemaProblems({ type: "link.changed", seq: 0, at: 1, connector: "x", link: "connected", previous: "connecting" })).not.toEqual([]);
    expect(schemaProblems({ type: "nope", seq: 1, at: 1, connector: "x" })).not.toEqual([]);
    expect(schemaProblems({ type: "warning", seq: 1, at: 1, connector: "x", code: "c", message: "m" })).toEqual([]);
  });
});
