// The directory: transfer and consult targets a connector lists (issue 14).
import { describe, expect, it } from "vitest";
import { createDesktop, type DesktopEvent, type DirectoryEntry } from "../src/index.js";
import { recordingConnector } from "./recording-connector.js";

const QUEUE: DirectoryEntry = { id: "arn:aws:connect:q/billing", label: "Billing queue", kind: "queue", destination: "Billing queue" };
const GRACE: DirectoryEntry = { id: "grace", label: "Grace Hopper (Tier 2)", kind: "agent", destination: "sip:grace@pbx.example.com" };
const NUMBER: DirectoryEntry = { id: "+15550142", label: "Alan's desk", kind: "number", destination: "+15550142" };

async function desktopWith(directory?: unknown) {
  const rec = recordingConnector();
  const desktop = createDesktop({ connector: { ...rec.connector, ...(directory !== undefined ? { directory: directory as DirectoryEntry[] } : {}) }, requestTimeoutMs: 200 });
  await desktop.login({ agentId: "a1" });
  const errors: DesktopEvent[] = [];
  desktop.on("error", (e) => errors.push(e));
  return { rec, desktop, errors };
}

describe("directory", () => {
  it("is empty unless the connector has one; the connector's static list is in the snapshot, copied with its known fields only", async () => {
    expect((await desktopWith()).desktop.snapshot().directory).toEqual([]);
    const { desktop } = await desktopWith([QUEUE, { ...GRACE, password: "s3cret" }, NUMBER]);
    expect(desktop.snapshot().directory).toEqual([QUEUE, GRACE, NUMBER]);
    expect(JSON.stringify(desktop.snapshot())).not.toContain("s3cret");
  });

  it("is replaced by ctx.setDirectory (a vendor that loads it at login), and a consult takes an entry's destination as it is", async () => {
    const { rec, desktop } = await desktopWith([NUMBER]);
    rec.ctx.setDirectory([QUEUE, GRACE]);
    expect(desktop.snapshot().directory).toEqual([QUEUE, GRACE]);
    rec.ctx.upsertCall({ id: "c1", state: "connected", direction: "inbound" });
    await desktop.consult("c1", QUEUE.destination);
    expect(rec.calls.at(-1)).toMatchObject({ method: "consult", args: { destination: "Billing queue" } });
    rec.ctx.upsertCall({ id: "c2", state: "connected", direction: "inbound" });
    await desktop.blindTransfer("c2", GRACE.destination);
    expect(rec.calls.at(-1)).toMatchObject({ method: "blindTransfer", args: { destination: "sip:grace@pbx.example.com" } });
  });

  it("refuses a bad list whole, as INVALID_VENDOR_EVENT, and keeps the one it had", async () => {
    const { rec, desktop, errors } = await desktopWith([QUEUE]);
    const bad: unknown[] = [
      "not a list",
      [{ ...QUEUE, kind: "robot" }],
      [{ ...QUEUE, destination: "a<b" }],
      [{ ...QUEUE, destination: "+1 555 0142" }],
      [{ ...QUEUE, label: "x".repeat(1025) }],
      [{ ...QUEUE, id: "" }],
      [QUEUE, null],
      // No destination at all (undefined is not dialable), and a hole in the list.
      [{ id: "x", label: "X", kind: "queue" }],
      // eslint-disable-next-line no-sparse-arrays
      [QUEUE, , NUMBER],
      Array.from({ length: 1001 }, (_, i) => ({ ...NUMBER, id: `n${i}` })),
    ];
    for (const list of bad) rec.ctx.setDirectory(list as DirectoryEntry[]);
    expect(errors.map((e) => e.type === "error" && e.code)).toEqual(bad.map(() => "INVALID_VENDOR_EVENT"));
    expect(desktop.snapshot().directory).toEqual([QUEUE]);
    rec.ctx.setDirectory(Array.from({ length: 1000 }, (_, i) => ({ ...NUMBER, id: `n${i}` })));
    expect(desktop.snapshot().directory).toHaveLength(1000);
  });

  it("a bad static list is an error event in the history, and the desktop goes on with none", async () => {
    const { desktop } = await desktopWith([{ ...QUEUE, kind: "robot" }]);
    expect(desktop.snapshot().directory).toEqual([]);
    expect(desktop.events().find((e) => e.type === "error")).toMatchObject({ code: "INVALID_VENDOR_EVENT", message: expect.stringContaining("directory must be a list") });
  });
});

describe("destroy", () => {
  it("called from a listener: every listener still gets the last link.changed, and the connector stops once", async () => {
    const rec = recordingConnector();
    let stops = 0;
    const desktop = createDesktop({ connector: { ...rec.connector, stop: () => void stops++ }, requestTimeoutMs: 200 });
    await desktop.login({ agentId: "a1" });
    const seen: string[] = [];
    desktop.on("call.ringing", () => void desktop.destroy());
    desktop.on("link.changed", () => void desktop.destroy());
    desktop.on("*", (e) => seen.push(e.type === "link.changed" ? `link.changed:${e.link}` : e.type));
    rec.ctx.upsertCall({ id: "c1", state: "ringing", direction: "inbound" });
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual(["call.ringing", "link.changed:disconnected"]);
    expect(stops).toBe(1);
    rec.ctx.upsertCall({ id: "c2", state: "ringing", direction: "inbound" });
    expect(seen).toHaveLength(2);
  });
});

describe("wrapUpEndsAt", () => {
  it("is kept with a call (a change is a call.updated), and refused unless a finite number ≥ 0", async () => {
    const { rec, desktop, errors } = await desktopWith();
    rec.ctx.upsertCall({ id: "c1", state: "connected", direction: "inbound" });
    rec.ctx.upsertCall({ id: "c1", state: "wrapup", wrapUpEndsAt: 90_000 });
    expect(desktop.getCall("c1")!.wrapUpEndsAt).toBe(90_000);
    const updated: DesktopEvent[] = [];
    desktop.on("call.updated", (e) => updated.push(e));
    rec.ctx.upsertCall({ id: "c1", state: "wrapup", wrapUpEndsAt: 120_000 });
    expect(updated).toHaveLength(1);
    for (const bad of [-1, Infinity, NaN, "soon"]) rec.ctx.upsertCall({ id: "c1", state: "wrapup", wrapUpEndsAt: bad as number });
    expect(errors.map((e) => e.type === "error" && e.message)).toEqual(new Array(4).fill(expect.stringContaining("wrapUpEndsAt is invalid")));
    expect(desktop.getCall("c1")!.wrapUpEndsAt).toBe(120_000);
  });
});
