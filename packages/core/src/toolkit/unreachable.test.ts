import { afterEach, describe, expect, it, vi } from "vitest";
import type { ConnectorContext, Signal } from "../connector.js";
import { createUnreachable, serverName, unreachableMessage } from "./unreachable.js";

function recorder() {
  const signals: Signal[] = [];
  const ctx = { signal: (s: Signal) => void signals.push(s) } as unknown as ConnectorContext;
  return { ctx, signals };
}

describe("serverName", () => {
  it("keeps scheme, host and port (and the path when asked); never credentials, query or fragment", () => {
    expect(serverName("wss://alice:s3cret@pbx.example.com:8089/ws?token=abc#x")).toBe("wss://pbx.example.com:8089");
    expect(serverName("https://crm.example.com/api/twilio/token?user=alice&key=k", true)).toBe("https://crm.example.com/api/twilio/token");
    expect(serverName("ws://127.0.0.1:5999")).toBe("ws://127.0.0.1:5999");
    expect(serverName("wss://pbx.example.com:443/ws")).toBe("wss://pbx.example.com"); // the scheme's default port is implied
    expect(serverName("/vendor/connect-streams.js?X-Amz-Signature=abc", true)).toBe("/vendor/connect-streams.js"); // relative: up to the query
    expect(serverName("pbx//alice:pw@host/ws?token=abc")).toBe("pbx//host/ws");
  });
});

describe("createUnreachable", () => {
  afterEach(() => vi.useRealTimers());

  it("from the start: one LINK_DOWN at the first failed attempt naming the server and the retry, none for the next attempts; a warning once reached", () => {
    vi.useFakeTimers();
    const { ctx, signals } = recorder();
    const u = createUnreachable({ ctx, server: "the SIP server ws://127.0.0.1:5999", retryEveryMs: 8000 });
    u.begin();
    u.failed("the WebSocket connection failed");
    expect(signals).toEqual([{ kind: "error", code: "LINK_DOWN", message: "Cannot reach the SIP server ws://127.0.0.1:5999 (the WebSocket connection failed); retrying every 8 s." }]);
    u.failed("the WebSocket connection failed");
    vi.advanceTimersByTime(60_000);
    u.failed("no answer within 5 s");
    expect(signals).toHaveLength(1);
    u.reached();
    expect(signals[1]).toEqual({ kind: "warning", code: "LINK_RESTORED", message: "Reached the SIP server ws://127.0.0.1:5999 again." });
    // The next outage reports again.
    u.failed("the WebSocket connection failed");
    expect(signals).toHaveLength(3);
  });

  it("with several servers it waits for one failure each; a connect that hangs reports after reportAfterMs", () => {
    vi.useFakeTimers();
    const { ctx, signals } = recorder();
    const u = createUnreachable({ ctx, server: "the SIP servers a, b", failuresToReport: 2, reportAfterMs: 3000 });
    u.begin();
    u.failed("refused");
    expect(signals).toEqual([]);
    u.failed("refused");
    expect(signals.map((s) => "message" in s && s.message)).toEqual(["Cannot reach the SIP servers a, b (refused); retrying."]);

    const hanging = createUnreachable({ ctx, server: "the token service", reportAfterMs: 3000 });
    hanging.begin();
    vi.advanceTimersByTime(2999);
    expect(signals).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(signals[1]).toMatchObject({ kind: "error", code: "LINK_DOWN", message: "Cannot reach the token service (no answer within 3 s); retrying." });
  });

  it("a reconnect reports only after reportAfterMs (a server back within seconds stays the link's state); reached before: nothing at all", () => {
    vi.useFakeTimers();
    const { ctx, signals } = recorder();
    const u = createUnreachable({ ctx, server: "the SIP server x", reportAfterMs: 10_000 });
    u.begin(true);
    u.failed("refused");
    u.failed("refused");
    vi.advanceTimersByTime(5000);
    u.reached();
    vi.advanceTimersByTime(60_000);
    expect(signals).toEqual([]);
    u.begin(true);
    u.failed("refused");
    vi.advanceTimersByTime(10_000);
    expect(signals).toEqual([{ kind: "error", code: "LINK_DOWN", message: "Cannot reach the SIP server x (refused); retrying." }]);
  });

  it("cancel stops the clock: nothing is reported after a stop", () => {
    vi.useFakeTimers();
    const { ctx, signals } = recorder();
    const u = createUnreachable({ ctx: () => ctx, server: "s" });
    u.begin();
    u.cancel();
    vi.advanceTimersByTime(60_000);
    u.reached();
    expect(signals).toEqual([]);
  });

  it("words the retry interval in seconds", () => {
    expect(unreachableMessage("x", "y", 500)).toBe("Cannot reach x (y); retrying every 0.5 s.");
    expect(unreachableMessage("x", "y", 30_000)).toBe("Cannot reach x (y); retrying every 30 s.");
  });
});
