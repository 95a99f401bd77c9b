/** A desktop on the harness, with its events recorded, for the Streams-specific tests. */
import type { Call } from "@opencti/core";
import { createRecordedDesktop, type RecordedDesktop } from "@opencti/testkit";
import { createHarness, type AmazonConnectHarness } from "./harness.js";

export interface Session extends RecordedDesktop {
  h: AmazonConnectHarness;
  /** Log in, go ready, ring an inbound call and answer it. */
  answeredCall(spec?: { attributes?: Record<string, string> }): Promise<Call>;
  close(): Promise<void>;
}

export async function openSession(options: Parameters<typeof createHarness>[0] = {}, requestTimeoutMs = 2000): Promise<Session> {
  const h = createHarness(options);
  const rec = createRecordedDesktop(h.connector, { requestTimeoutMs, historyLimit: 5000, timeoutMs: 5000, intervalMs: 5 });
  const { desktop, waitFor, next, lastSeq } = rec;
  const session: Session = {
    ...rec,
    h,
    async answeredCall(spec = {}) {
      await waitFor(() => desktop.snapshot().link === "connected", "the link");
      await desktop.login({});
      await desktop.setAgentState("ready");
      await waitFor(() => desktop.snapshot().agent.state === "ready", "ready");
      const after = lastSeq();
      const contactId = h.fake.ringInbound({ from: "+15550100", to: "+15559999", ...spec });
      await next("call.ringing", (e) => e.call.id === contactId, { after });
      await desktop.answer(contactId);
      return (await next("call.connected", (e) => e.call.id === contactId, { after })).call;
    },
    async close() {
      await desktop.destroy();
      await h.dispose();
    },
  };
  await rec.connected();
  return session;
}
