/**
 * Voice AI for the SIP tests: a real @opencti/agent-stream service on
 * 127.0.0.1 standing in for the deployment's, and the lab's "media server"
 * posting transcripts to its ingest (POST /voice-ai) by SIP Call-ID, as the
 * agent-stream README documents.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAgentStream, createAgentStreamHandler, type AgentStreamEvent } from "@opencti/agent-stream";
import { httpAgentStream, type AgentStreamSource } from "@opencti/core/connector";
import { EventSource } from "eventsource";

const INGEST_TOKEN = "lab-media-server-ingest-token";
/** The lab's sign-in: `Bearer lab-agent:<SIP user>` is that agent (a deployment authenticates its own way). */
const AGENT_BEARER = /^Bearer lab-agent:([\w.+-]{1,64})$/;

export interface VoiceAiService {
  /** The connector's `agentStream` for the SIP user `user`. */
  source(user: string): AgentStreamSource;
  /** What the media server posts: one event for the agent `user`. */
  ingest(user: string, event: AgentStreamEvent): Promise<void>;
  close(): Promise<void>;
}

export async function startVoiceAiService(): Promise<VoiceAiService> {
  // Node 20 has no EventSource; the browser's is what the connector uses.
  (globalThis as { EventSource?: unknown }).EventSource ??= EventSource;
  const stream = createAgentStream();
  const handler = createAgentStreamHandler({ stream, ingestToken: INGEST_TOKEN, authenticate: (req) => AGENT_BEARER.exec(req.headers.authorization ?? "")?.[1] });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    source: (user) => httpAgentStream({ url, headers: () => ({ authorization: `Bearer lab-agent:${user}` }) }),
    async ingest(user, event) {
      const res = await fetch(`${url}/voice-ai`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${INGEST_TOKEN}` }, body: JSON.stringify({ agentId: user, event }) });
      if (res.status !== 204) throw new Error(`POST /voice-ai answered ${res.status}: ${await res.text()}`);
    },
    async close() {
      await stream.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
