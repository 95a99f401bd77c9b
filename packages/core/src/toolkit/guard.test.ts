import { describe, expect, it, vi } from "vitest";
import type { Connector, ConnectorContext } from "../connector.js";
import type { ErrorEvent } from "../events.js";
import { createDesktop } from "../index.js";
import type { Logger } from "../logger.js";
import { guard } from "./guard.js";

function fakeContext() {
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const ctx = { invalidVendorEvent: vi.fn(), signal: vi.fn(), logger: logger as unknown as Logger } as unknown as ConnectorContext;
  return { ctx, logger, invalidVendorEvent: vi.mocked(ctx.invalidVendorEvent), signal: vi.mocked(ctx.signal) };
}

const boom = (): never => {
  throw new Error("boom");
};

describe("guard", () => {
  it("passes arguments through and reports nothing when fn succeeds", () => {
    const f = fakeContext();
    const fn = vi.fn();
    guard(f.ctx, fn)(1, "two");
    expect(fn).toHaveBeenCalledWith(1, "two");
    expect(f.invalidVendorEvent).not.toHaveBeenCalled();
  });

  it("a throw does not reach the caller: it becomes INVALID_VENDOR_EVENT with the first argument as raw", () => {
    const f = fakeContext();
    const handler = guard(f.ctx, (_message: unknown) => boom(), { message: "The vendor sent a message the connector cannot read" });
    expect(() => handler({ type: "nonsense" })).not.toThrow();
    expect(f.invalidVendorEvent).toHaveBeenCalledWith("The vendor sent a message the connector cannot read: boom", { type: "nonsense" });
  });

  it("raw and callId are configurable", () => {
    const f = fakeContext();
    guard(f.ctx, (_line: { callId: string; secret: string }) => boom(), { message: "Unreadable", raw: (line) => ({ callId: line.callId }), callId: "c1" })({ callId: "x", secret: "s" });
    expect(f.invalidVendorEvent).toHaveBeenCalledWith("Unreadable: boom", { callId: "x" }, "c1");
  });

  it('as "error": logs a warning and signals VENDOR_ERROR', () => {
    const f = fakeContext();
    guard(f.ctx, boom, { as: "error", message: "The connector failed to handle an SDK event" })();
    expect(f.logger.warn).toHaveBeenCalledWith("The connector failed to handle an SDK event", { error: "boom" });
    expect(f.signal).toHaveBeenCalledWith({ kind: "error", code: "VENDOR_ERROR", message: "The connector failed to handle an SDK event" });
    expect(f.invalidVendorEvent).not.toHaveBeenCalled();
  });

  it('as "log": only an error log line, with extra fields', () => {
    const f = fakeContext();
    guard(f.ctx, boom, { as: "log", message: "vendor: handler failed", log: { event: "refresh" } })();
    expect(f.logger.error).toHaveBeenCalledWith("vendor: handler failed", { event: "refresh", error: "boom" });
    expect(f.signal).not.toHaveBeenCalled();
    expect(f.invalidVendorEvent).not.toHaveBeenCalled();
  });

  it("reports a rejected promise too", async () => {
    const f = fakeContext();
    guard(f.ctx, (_payload: string) => Promise.reject(new Error("later")), { message: "Async" })("payload");
    await Promise.resolve();
    await Promise.resolve();
    expect(f.invalidVendorEvent).toHaveBeenCalledWith("Async: later", "payload");
  });

  it("reads the context when the callback runs, and stays silent without one", () => {
    let ctx: ConnectorContext | undefined = undefined;
    const handler = guard(() => ctx, (_x?: string) => boom());
    expect(() => handler()).not.toThrow();
    const f = fakeContext();
    ctx = f.ctx;
    handler("x");
    expect(f.invalidVendorEvent).toHaveBeenCalledWith("A vendor event could not be handled: boom", "x");
  });

  it("never throws, even when reporting throws", () => {
    const ctx = {
      invalidVendorEvent: () => boom(),
      logger: {
        error: () => {
          throw new Error("logger down");
        },
      },
    } as unknown as ConnectorContext;
    expect(() => guard(ctx, boom)()).not.toThrow();
    expect(() => guard(ctx, boom, { as: "log" })()).not.toThrow();
    expect(() => guard(ctx, () => "fine")()).not.toThrow();
  });

  it("with a real desktop: the throw becomes an INVALID_VENDOR_EVENT error event and the desktop goes on", () => {
    let context!: ConnectorContext;
    const connector: Connector = {
      name: "guarded",
      capabilities: [],
      reasons: [],
      start(c) {
        context = c;
        c.setLink("connected");
      },
      stop() {},
      login: () => Promise.resolve(),
      logout: () => Promise.resolve(),
    };
    const desktop = createDesktop({ connector });
    const errors: ErrorEvent[] = [];
    desktop.on("error", (e) => void errors.push(e));
    const onVendorEvent = guard(
      () => context,
      (m: { n: number }) => {
        if (m.n > 1) throw new Error(`unexpected n ${m.n}`);
      },
      { message: "The vendor sent an event the connector cannot read" },
    );
    onVendorEvent({ n: 1 });
    onVendorEvent({ n: 2 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ type: "error", code: "INVALID_VENDOR_EVENT", message: "The vendor sent an event the connector cannot read: unexpected n 2", raw: { n: 2 } });
    expect(desktop.snapshot().link).toBe("connected");
  });
});
