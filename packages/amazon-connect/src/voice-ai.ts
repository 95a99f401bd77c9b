/**
 * Voice AI (the `agentStream` option): the agent event stream followed while
 * the agent is signed in to the CCP, and Contact Lens real-time analysis asked
 * of the backend for each voice contact the agent is connected to.
 *
 * Level-triggered like the rest of the connector: each agent snapshot says
 * whether the agent is signed in (not Offline: the stream opens; Offline: it
 * closes) and which voice contacts are connected (each followed once; a
 * contact gone from the snapshot is forgotten). Each (re)connection of the
 * stream asks again for the live contacts: the backend dedupes, and a poller
 * it lost (a restart, failures) starts again. The wire names calls by contact
 * id, which is the connector's call id.
 */
import { CtiError, type ConnectorContext } from "@opencti/core";
import { errorMessage, followAgentStream, timeoutSignal, type AgentStreamFollower, type AgentStreamSource } from "@opencti/core/connector";
import { agentConnection, monitorSession, VOICE_CONTACT_TYPES } from "./mapping.js";
import type { AmazonConnectConnectorOptions } from "./options.js";
import type { AgentData, ContactData } from "./snapshot.js";

export interface VoiceAi {
  /** A snapshot was reported: open or close the stream, follow newly connected contacts. */
  agentUpdated(ctx: ConnectorContext, data: AgentData): void;
  /** Closes the stream (logout, stop). */
  stop(): void;
}

/** A followContactLens request's deadline, ms. */
const FOLLOW_TIMEOUT_MS = 10_000;
/** Attempts per contact before the connector gives up on its Contact Lens analysis. */
const FOLLOW_ATTEMPTS = 3;

/** The stream to follow: a source, or `true` for the backend's own (TypeError when the backend has none). */
function sourceOf(options: AmazonConnectConnectorOptions): AgentStreamSource | undefined {
  if (options.agentStream !== true) return options.agentStream;
  if (!options.backend?.agentStream) throw new TypeError("createAmazonConnectConnector: agentStream: true needs a backend with an agent stream (createHttpAmazonConnectBackend)");
  return options.backend.agentStream;
}

/** A voice contact the agent is talking on (not ringing, not over, not a supervisor's monitoring session). */
const isConnectedVoice = (c: ContactData): boolean =>
  VOICE_CONTACT_TYPES.has(c.type) && (c.state === "connected" || c.state === "paused") && agentConnection(c)?.state !== "disconnected" && !monitorSession(c);

/** Undefined without the `agentStream` option. */
export function createVoiceAi(options: AmazonConnectConnectorOptions): VoiceAi | undefined {
  const source = sourceOf(options);
  if (!source) return undefined;
  const backend = options.backend;
  let follower: AgentStreamFollower | undefined;
  let ctx: ConnectorContext | undefined;
  /** Connected voice contacts in the last snapshot. */
  let connected: string[] = [];
  /** Contacts asked for (or being asked for), with the attempts made. */
  const asked = new Map<string, { attempts: number; pending: boolean; done: boolean }>();
  /** The backend answered NOT_SUPPORTED: it has no Contact Lens; stop asking. */
  let lensUnsupported = false;
  let noEventSource = false;

  /** One warning: Contact Lens analysis will not reach this desktop (for this call, or at all). */
  const unavailable = (why: string, callId?: string): void => ctx?.signal({ kind: "warning", code: "CONTACT_LENS_UNAVAILABLE", message: `No Contact Lens transcripts: ${why}`, ...(callId ? { callId } : {}) });

  function follow(contactId: string): void {
    if (!backend?.followContactLens || lensUnsupported || !ctx) return;
    const entry = asked.get(contactId) ?? { attempts: 0, pending: false, done: false };
    if (entry.pending || entry.done || entry.attempts >= FOLLOW_ATTEMPTS) return;
    asked.set(contactId, entry);
    entry.pending = true;
    entry.attempts += 1;
    const deadline = timeoutSignal(FOLLOW_TIMEOUT_MS);
    backend.followContactLens({ contactId }, deadline.signal).then(
      () => {
        entry.done = true;
      },
      (err: unknown) => {
        if (err instanceof CtiError && err.code === "NOT_SUPPORTED") {
          if (!lensUnsupported) unavailable("the backend does not follow Contact Lens");
          lensUnsupported = true;
        } else if (entry.attempts >= FOLLOW_ATTEMPTS) unavailable(errorMessage(err), contactId);
        // Else asked again on the next snapshot.
      },
    ).finally(() => {
      entry.pending = false;
      deadline.clear();
    });
  }

  /** Every (re)connection of the stream asks again for the live contacts. */
  const refollowing: AgentStreamSource = {
    async url(signal) {
      const url = await source.url(signal);
      for (const entry of asked.values()) entry.done = false;
      for (const id of connected) follow(id);
      return url;
    },
  };

  function close(): void {
    follower?.close();
    follower = undefined;
    asked.clear();
    connected = [];
  }

  return {
    agentUpdated(c, data) {
      ctx = c;
      const signedIn = data.state.type !== "offline" && data.state.type !== "init";
      if (!signedIn) return close();
      if (!follower && !noEventSource) {
        try {
          follower = followAgentStream(c, refollowing);
        } catch (err) {
          // No EventSource in this environment: say so once, keep the calls working.
          noEventSource = true;
          c.signal({ kind: "warning", code: "VOICE_AI_UNAVAILABLE", message: errorMessage(err) });
        }
      }
      connected = data.contacts.filter(isConnectedVoice).map((x) => x.contactId);
      for (const id of asked.keys()) if (!data.contacts.some((x) => x.contactId === id)) asked.delete(id);
      for (const id of connected) follow(id);
    },
    stop: close,
  };
}
