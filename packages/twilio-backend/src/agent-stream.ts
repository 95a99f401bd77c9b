/**
 * What the handler needs of an agent event stream (wire contract v1, the
 * `@opencti/agent-stream` package's `createAgentStream(…)` fits): typed here
 * by shape, so this backend does not depend on that package.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Who spoke, from the agent's side of the call. */
export type TranscriptSpeaker = "agent" | "customer" | "third_party" | "system";

/** The events this backend publishes to an agent's stream. */
export type AgentStreamEvent =
  | {
      type: "transcript";
      /** The agent leg's CallSid (the connector maps it to its call). */
      callId: string;
      /** `id` names an utterance stream (`<TranscriptionSid>:<track>`); `text` at most 8192 characters. */
      segment: { id: string; speaker: TranscriptSpeaker; text: string; final: boolean; language?: string };
      /** Twilio's SequenceId: the browser numbers utterances with it (each final closes one). */
      sequence?: number;
    }
  | {
      type: "media";
      callId: string;
      /** The Media Stream SID (`MZ…`), or null when it stopped. */
      mediaStream: string | null;
    };

export interface AgentStream {
  /** Sends `event` to every open stream of `agentId` (across instances with the stream's Redis). */
  publish(agentId: string, event: AgentStreamEvent): Promise<void>;
  /** A single-use ticket for `GET <base>/events?ticket=…`, short-lived. */
  issueTicket(agentId: string): Promise<{ ticket: string; expiresInMs: number }>;
  /** Serves `GET <base>/events?ticket=…` (server-sent events; 401 for a bad ticket). */
  handleEvents(req: IncomingMessage, res: ServerResponse): Promise<void>;
}
