// Issue 18, item 8: every string and collection the model accepts is bounded
// by a documented limit, unknown fields are dropped, and nothing a connector
// or a host passes in can make an error message, an event or the event
// history grow with its size.
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import { createDesktop, CtiError, DesktopStore, toCtiError, type DesktopEvent } from "../src/index.js";
import { recordingConnector, rejection } from "./recording-connector.js";
import { schemaFiles } from "./schema-validator.js";
// @ts-expect-error: a plain .mjs build script without types
import * as source from "../scripts/schema-source.mjs";

const BIG = "x".repeat(10_000_000);
const LIMITS = (core as unknown as { LIMITS?: Record<string, number> }).LIMITS;

async function loggedIn(maxCalls = 64) {
  const rec = recordingConnector();
  const desktop = createDesktop({ connector: rec.connector, requestTimeoutMs: 200, maxCalls });
  await desktop.login({ agentId: "a1" });
  const errors: (DesktopEvent & { type: "error" })[] = [];
  desktop.on("error", (e) => errors.push(e));
  return { rec, desktop, errors };
}

describe("documented limits", () => {
  it("are exported as LIMITS", () => {
    expect(LIMITS).toEqual({
      id: 256,
      text: 1024,
      longText: 8192,
      dataEntries: 200,
      dataChars: 65536,
      parties: 64,
      calls: 64,
      reasons: 256,
      directory: 1000,
      devices: 64,
      message: 1024,
      raw: 4096,
      redacted: 16384,
    });
    expect(Object.isFrozen(LIMITS)).toBe(true);
    expect((source as { LIMITS: unknown }).LIMITS).toEqual(LIMITS);
  });

  it("are in the published JSON Schema", () => {
    const defs = (schemaFiles["event.json"] as { $defs: Record<string, { properties: Record<string, Record<string, unknown>> }> }).$defs;
    const call = defs.Call!.properties;
    expect(call.id).toMatchObject({ maxLength: 256 });
    expect(call.fromName).toMatchObject({ maxLength: 1024 });
    expect(call.parties).toMatchObject({ maxItems: 64 });
    expect(call.data).toMatchObject({ maxProperties: 200, propertyNames: { type: "string", maxLength: 256 }, additionalProperties: { type: "string", maxLength: 8192 } });
    expect(call.wrapUp).toMatchObject({ properties: { disposition: { maxLength: 1024 }, notes: { maxLength: 8192 } } });
    expect(defs.Party!.properties.displayName).toMatchObject({ maxLength: 1024 });
    const error = (schemaFiles["error.json"] as { properties: Record<string, unknown> }).properties;
    expect(error.message).toMatchObject({ maxLength: 1024 });
    const transcript = (schemaFiles["call.transcript.json"] as { properties: { segment: { properties: Record<string, unknown> } } }).properties;
    expect(transcript.segment.properties.text).toMatchObject({ maxLength: 8192 });
  });

  it("are listed in the core README", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    for (const key of ["id", "text", "longText", "dataEntries", "dataChars", "parties", "calls", "reasons", "message", "raw", "redacted"]) expect(readme).toMatch(new RegExp(`\\| \`${key}\` \\|`));
  });
});

describe("connector reports are bounded", () => {
  it("a 10 MB call state becomes a short error message and a small raw payload", async () => {
    const { rec, errors } = await loggedIn();
    rec.ctx.upsertCall({ id: "1", state: BIG as "ringing" });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message.length).toBeLessThanOrEqual(1024);
    expect(JSON.stringify(errors[0]!.raw).length).toBeLessThan(4096 + 200);
  });

  it("400 bad reports of 1 MB keep the event history small", async () => {
    const rec = recordingConnector();
    const desktop = createDesktop({ connector: rec.connector });
    await desktop.login();
    const mb = "y".repeat(1_000_000);
    for (let i = 0; i < 400; i++) rec.ctx.upsertCall({ id: `c${i}`, state: "ringing", fromName: mb + i });
    for (let i = 0; i < 100; i++) rec.ctx.signal({ kind: "warning", code: "w", message: mb + i });
    for (let i = 0; i < 100; i++) rec.ctx.invalidVendorEvent(mb + i, { frame: mb + i, list: new Array(100_000).fill("item") });
    const size = JSON.stringify(desktop.events()).length;
    expect(size).toBeLessThan(1_500_000);
  });

  it("refuses over-long fields of calls, parties, wrap-up, transcripts and insights", async () => {
    const { rec, desktop, errors } = await loggedIn();
    const long = (n: number) => "z".repeat(n + 1);
    const party = { id: "c", role: "customer", state: "connected" } as const;
    rec.ctx.upsertCall({ id: "1", state: "connected", parties: [party] });
    const bad = [
      { id: "1", state: "connected", parties: [{ ...party, displayName: long(1024) }] },
      { id: "1", state: "connected", parties: [{ ...party, id: long(256) }] },
      { id: "1", state: "connected", parties: Array.from({ length: 65 }, (_, i) => ({ ...party, id: `p${i}` })) },
      { id: "1", state: "wrapup", wrapUp: { disposition: long(1024) } },
      { id: "1", state: "wrapup", wrapUp: { notes: long(8192) } },
      { id: "1", state: "connected", data: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, long(4000)])) },
    ];
    for (const r of bad) rec.ctx.upsertCall(r as never);
    rec.ctx.signal({ kind: "transcript", callId: "1", segment: { id: "s", speaker: "customer", text: long(8192), final: true } });
    rec.ctx.signal({ kind: "insight", callId: "1", insight: { kind: "summary", text: long(8192) } });
    rec.ctx.setReasons(Array.from({ length: 257 }, (_, i) => ({ id: `r${i}`, state: "ready", label: "R" })));
    expect(errors.map((e) => e.code)).toEqual(new Array(bad.length + 3).fill("INVALID_VENDOR_EVENT"));
    expect(desktop.getCall("1")).toMatchObject({ state: "connected", parties: [party], data: {} });
  });

  it("bounds the number of live calls", async () => {
    const { rec, desktop, errors } = await loggedIn();
    for (let i = 0; i < 70; i++) rec.ctx.upsertCall({ id: `c${i}`, state: "ringing" });
    expect(desktop.snapshot().calls).toHaveLength(64);
    expect(errors).toHaveLength(6);
  });

  it("tracks up to maxCalls live calls when the host raises the bound (a supervisor wall)", async () => {
    const { rec, desktop, errors } = await loggedIn(3000);
    for (let i = 0; i < 3001; i++) rec.ctx.upsertCall({ id: `c${i}`, state: "ringing" });
    expect(desktop.snapshot().calls).toHaveLength(3000);
    expect(errors.map((e) => e.message)).toEqual(["Ignored a bad connector report: more than 3000 live calls"]);
    rec.ctx.sync({ calls: Array.from({ length: 3001 }, (_, i) => ({ id: `c${i}`, state: "ringing" as const })) });
    expect(errors).toHaveLength(2);
    expect(desktop.snapshot().calls).toHaveLength(3000);
  });

  it("clips warning and error messages, link reasons and vendor error messages", async () => {
    const { rec, desktop, errors } = await loggedIn();
    const warnings: DesktopEvent[] = [];
    desktop.on("warning", (e) => warnings.push(e));
    rec.ctx.signal({ kind: "warning", code: "w", message: BIG });
    rec.ctx.signal({ kind: "error", code: "VENDOR_ERROR", message: BIG, raw: { blob: BIG } });
    rec.ctx.setLink("reconnecting", BIG);
    const text = JSON.stringify(desktop.events());
    expect(text.length).toBeLessThan(20_000);
    expect(warnings).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(toCtiError(new Error(BIG)).message.length).toBeLessThanOrEqual(1024);
    expect(new CtiError("VENDOR_ERROR", BIG).message.length).toBeLessThanOrEqual(1024);
  });

  it("drops unknown fields from parties, wrap-up, reasons, transcript segments and insights", async () => {
    const { rec, desktop } = await loggedIn();
    const events: DesktopEvent[] = [];
    desktop.on("*", (e) => events.push(e));
    rec.ctx.upsertCall({ id: "1", state: "connected", parties: [{ id: "c", role: "customer", state: "connected", password: "hunter2", extra: 1 } as never] });
    expect(desktop.getCall("1")!.parties).toEqual([{ id: "c", role: "customer", state: "connected" }]);
    rec.ctx.upsertCall({ id: "1", state: "wrapup", wrapUp: { disposition: "sale", secret: "s" } as never });
    expect(desktop.getCall("1")!.wrapUp).toEqual({ disposition: "sale" });
    rec.ctx.setAgent({ state: "ready", reason: { id: "r", state: "ready", label: "R", token: "t" } as never, pendingState: { state: "not_ready", extra: 1 } as never });
    expect(desktop.snapshot().agent.reason).toEqual({ id: "r", state: "ready", label: "R" });
    expect(desktop.snapshot().agent.pendingState).toEqual({ state: "not_ready" });
    rec.ctx.setReasons([{ id: "r", state: "ready", label: "R", extra: 1 } as never]);
    expect(desktop.snapshot().reasons).toEqual([{ id: "r", state: "ready", label: "R" }]);
    rec.ctx.signal({ kind: "transcript", callId: "1", segment: { id: "s", speaker: "customer", text: "hi", final: true, extra: 1 } as never });
    rec.ctx.signal({ kind: "insight", callId: "1", insight: { kind: "intent", text: "buy", extra: 1 } as never });
    expect(events.at(-2)).toMatchObject({ type: "call.transcript", segment: { id: "s", speaker: "customer", text: "hi", final: true } });
    expect(Object.keys((events.at(-2) as { segment: object }).segment)).not.toContain("extra");
    expect(Object.keys((events.at(-1) as { insight: object }).insight)).not.toContain("extra");
    expect(JSON.stringify(events)).not.toMatch(/hunter2|"extra"/);
  });

  it("a report the redactor cannot read never throws back into the connector (item 6)", async () => {
    const { rec, errors } = await loggedIn();
    const broken = new Error("x");
    Object.defineProperty(broken, "message", { get: () => { throw new Error("getter"); } });
    expect(() => rec.ctx.upsertCall({ id: "c1", state: "bogus" as "ringing", when: new Date(NaN) } as never)).not.toThrow();
    expect(() => rec.ctx.invalidVendorEvent("bad", broken)).not.toThrow();
    expect(() => rec.ctx.signal({ kind: "error", code: "VENDOR_ERROR", message: "m", raw: { broken } })).not.toThrow();
    const nasty = Object.defineProperty({ state: "ringing" }, "id", { enumerable: true, get: () => { throw Object.create(null); } });
    expect(() => rec.ctx.upsertCall(nasty as never)).not.toThrow();
    expect(errors.map((e) => e.code)).toEqual(["INVALID_VENDOR_EVENT", "INVALID_VENDOR_EVENT", "VENDOR_ERROR", "INVALID_VENDOR_EVENT"]);
    expect(errors[3]!.raw).toEqual(["[unreadable]"]);
    expect(errors[0]!.raw).toMatchObject({ id: "c1", when: "Invalid Date" });
  });

  it("stores copies of call and insight data, not the connector's objects (item 8)", async () => {
    const { rec, desktop } = await loggedIn();
    const data: Record<string, string> = { account: "42" };
    rec.ctx.upsertCall({ id: "1", state: "connected", data });
    const insightData: Record<string, string> = { topic: "billing" };
    const insights: DesktopEvent[] = [];
    desktop.on("call.insight", (e) => insights.push(e));
    rec.ctx.signal({ kind: "insight", callId: "1", insight: { kind: "intent", text: "pay", data: insightData } });
    for (let i = 0; i < 10_000; i++) data[`k${i}`] = "v";
    data.account = "y".repeat(1_000_000);
    insightData.topic = "y".repeat(1_000_000);
    expect(desktop.getCall("1")!.data).toEqual({ account: "42" });
    expect(insights[0]).toMatchObject({ insight: { data: { topic: "billing" } } });
  });

  it("refuses a sync with more calls than LIMITS.calls as one error (item 9)", async () => {
    const { rec, desktop, errors } = await loggedIn();
    const events: DesktopEvent[] = [];
    desktop.on("*", (e) => events.push(e));
    rec.ctx.upsertCall({ id: "kept", state: "connected" });
    const started = performance.now();
    rec.ctx.sync({ calls: Array.from({ length: 50_000 }, (_, i) => ({ id: `c${i}`, state: "ringing" as const })) });
    expect(performance.now() - started).toBeLessThan(100);
    expect(errors.map((e) => e.code)).toEqual(["INVALID_VENDOR_EVENT"]);
    expect(events).toHaveLength(2); // call.connected, then the one error
    expect(desktop.snapshot().calls.map((c) => c.id)).toEqual(["kept"]);
    rec.ctx.sync({ calls: [{ id: "kept", state: "connected" }, ...Array.from({ length: 63 }, (_, i) => ({ id: `c${i}`, state: "ringing" as const }))] });
    expect(desktop.snapshot().calls).toHaveLength(64);
  });

  it("the store alone builds no message from a huge value", () => {
    const s = new DesktopStore({ capabilities: [], reasons: [], now: () => 1 });
    for (const events of [s.setLink(BIG), s.setAgent({ state: BIG }), s.upsertCall({ id: "1", state: { big: BIG } }), s.removeCall("1", BIG)]) {
      expect((events[0] as { message: string }).message.length).toBeLessThanOrEqual(1024);
    }
  });
});

describe("requests are bounded", () => {
  it("refuses over-long dispositions and notes, and keeps only known wrap-up fields", async () => {
    const { rec, desktop } = await loggedIn();
    rec.ctx.upsertCall({ id: "1", state: "wrapup" });
    expect((await rejection(desktop.completeWrapUp("1", { disposition: "d".repeat(1025) }))).code).toBe("INVALID_ARGUMENT");
    expect((await rejection(desktop.completeWrapUp("1", { notes: "n".repeat(8193) }))).code).toBe("INVALID_ARGUMENT");
    expect((await rejection(desktop.completeWrapUp("1", { notes: 7 as never }))).code).toBe("INVALID_ARGUMENT");
    expect(rec.methods()).toEqual(["login"]);
    await desktop.completeWrapUp("1", { disposition: "sale", notes: "ok", extra: BIG } as never);
    expect(rec.calls.at(-1)!.args.wrapUp).toEqual({ disposition: "sale", notes: "ok" });
  });

  it("refuses huge destinations, reasons, call and party ids with short messages", async () => {
    const { rec, desktop } = await loggedIn();
    rec.ctx.upsertCall({ id: "1", state: "connected", parties: [{ id: "c", role: "customer", state: "connected" }] });
    for (const p of [desktop.dial(BIG), desktop.blindTransfer("1", BIG), desktop.consult("1", BIG), desktop.setAgentState(BIG), desktop.logout(BIG), desktop.hold(BIG), desktop.dropParty("1", BIG), desktop.sendDtmf("1", BIG)]) {
      const error = await rejection(p);
      expect(["INVALID_ARGUMENT", "INVALID_DESTINATION", "INVALID_STATE"]).toContain(error.code);
      expect(error.message.length).toBeLessThanOrEqual(1024);
    }
    expect((await rejection(desktop.dial("+15550100", { data: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, "v".repeat(4000)])) }))).code).toBe("INVALID_ARGUMENT");
  });
});
