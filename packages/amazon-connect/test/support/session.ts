/** A desktop on the harness, with its events recorded, for the Streams-specific tests. */
import { createDesktop, type Call, type Desktop, type DesktopEvent, type DesktopEventMap } from "@opencti/core";
import { vi } from "vitest";
import { createHarness, type AmazonConnectHarness } from "./harness.js";

export interface Session {
  h: AmazonConnectHarness;
  desktop: Desktop;
  events: DesktopEvent[];
  /** The first event of `type` after `afterSeq` matching `pred`. */
  next<T extends DesktopEvent["type"]>(type: T, pred?: (e: DesktopEventMap[T]) => boolean, afterSeq?: number): Promise<DesktopEventMap[T]>;
  until(pred: () => boolean, what: string): Promise<void>;
  lastSeq(): number;
  callEvents(callId: string): string[];
  /** Log in, go ready, ring an inbound call and answer it. */
  answeredCall(spec?: { attributes?: Record<string, string> }): Promise<Call>;
  close(): Promise<void>;
}

export async function openSession(options: Parameters<typeof createHarness>[0] = {}, requestTimeoutMs = 2000): Promise<Session> {
  const h = createHarness(options);
  const desktop = createDesktop({ connector: h.connector, requestTimeoutMs, historyLimit: 5000 });
  const events: DesktopEvent[] = [];
  desktop.on("*", (e) => events.push(e));
  const until = async (pred: () => boolean, what: string) => {
    await vi.waitFor(
      () => {
        if (!pred()) throw new Error(`Timed out waiting for ${what}`);
      },
      { timeout: 5000, interval: 5 },
    );
  };
  const next = async <T extends DesktopEvent["type"]>(type: T, pred: (e: DesktopEventMap[T]) => boolean = () => true, afterSeq = 0) => {
    let found: DesktopEventMap[T] | undefined;
    await until(() => (found = events.find((e) => e.type === type && e.seq > afterSeq && pred(e as DesktopEventMap[T])) as DesktopEventMap[T] | undefined) !== undefined, type);
    return found!;
  };
  const lastSeq = () => events.at(-1)?.seq ?? 0;
  const session: Session = {
    h,
    desktop,
    events,
    next,
    until,
    lastSeq,
    callEvents: (id) => events.filter((e) => "call" in e && (e as { call: Call }).call.id === id).map((e) => e.type),
    async answeredCall(spec = {}) {
      await until(() => desktop.snapshot().link === "connected", "the link");
      await desktop.login({});
      await desktop.setAgentState("ready");
      await until(() => desktop.snapshot().agent.state === "ready", "ready");
      const after = lastSeq();
      const contactId = h.fake.ringInbound({ from: "+15550100", to: "+15559999", ...spec });
      await next("call.ringing", (e) => e.call.id === contactId, after);
      await desktop.answer(contactId);
      return (await next("call.connected", (e) => e.call.id === contactId, after)).call;
    },
    async close() {
      await desktop.destroy();
      await h.dispose();
    },
  };
  await until(() => desktop.snapshot().link === "connected", "the link to connect");
  return session;
}
