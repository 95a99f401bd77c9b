/**
 * Voice AI (the `agentStream` option): the agent event stream followed while
 * the agent is signed in to the CCP, and Contact Lens real-time analysis asked
 * of the backend for each voice contact the agent is connected to.
 *
 * Level-triggered like the rest of the connector: each agent snapshot says
 * whether the agent is signed in (not Offline: the stream opens; Offline: it
 * closes) and which voice contacts are connected (each followed once; a
 * contact gone from the snapshot is forgotten). Contacts are asked for only
 * while the stream is open (the backend subscribed this agent): a new
 * poller's first burst would otherwise be published to no one. Each opening
 * of the stream asks again for the live contacts: the backend dedupes, and a
 * poller it lost (a restart, failures, another instance) starts again, told
 * `since` — the end of the last transcript shown for the contact — so it does
 * not repeat what the agent saw. A contact is given up after
 * `FOLLOW_ATTEMPTS` failures in a row (one warning). The wire names calls by
 * contact id, which is the connector's call id.
 */
import { CtiError, type ConnectorContext, type Signal } from "@opencti/core";
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
/** Failures in a row for a contact before the connector gives up on its Contact Lens analysis. */
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
  /** Contacts asked for (or being asked for): failures in a row, a request under way, asked for this stream. */
  const asked = new Map<string, { failures: number; pending: boolean; done: boolean }>();
  /** Per contact, the end (endMs) of the latest transcript shown: a new poller's `since`. */
  const shown = new Map<string, number>();
  /** The backend answered NOT_SUPPORTED: it has no Contact Lens; stop asking. */
  let lensUnsupported = false;
  let noEventSource = false;

  /** One warning: Contact Lens analysis will not reach this desktop (for this call, or at all). */
  const unavailable = (why: string, callId?: string): void => ctx?.signal({ kind: "warning", code: "CONTACT_LENS_UNAVAILABLE", message: `No Contact Lens transcripts: ${why}`, ...(callId ? { callId } : {}) });

  function follow(contactId: string): void {
    // Only while the stream is open: the backend then publishes to a subscribed agent.
    if (!backend?.followContactLens || lensUnsupported || !ctx || !follower?.open) return;
    const entry = asked.get(contactId) ?? { failures: 0, pending: false, done: false };
    if (entry.pending || entry.done || entry.failures >= FOLLOW_ATTEMPTS) return;
    asked.set(contactId, entry);
    entry.pending = true;
    const deadline = timeoutSignal(FOLLOW_TIMEOUT_MS);
    const since = shown.get(contactId);
    backend.followContactLens({ contactId, ...(since !== undefined ? { since } : {}) }, deadline.signal).then(
      () => {
        entry.done = true;
        entry.failures = 0;
      },
      (err: unknown) => {
        if (err instanceof CtiError && err.code === "NOT_SUPPORTED") {
          if (!lensUnsupported) unavailable("the backend does not follow Contact Lens");
          lensUnsupported = true;
        } else if (++entry.failures >= FOLLOW_ATTEMPTS) unavailable(errorMessage(err), contactId);
        // Else asked again on the next snapshot.
      },
    ).finally(() => {
      entry.pending = false;
      deadline.clear();
    });
  }

  /** Every opening asks again for the live contacts (a new backend instance, a poller lost). */
  const opened = (): void => {
    for (const entry of asked.values()) entry.done = false;
    for (const id of connected) follow(id);
  };

  /** The follower's context: what it signals, with the end of each contact's latest transcript noted. */
  const noting = (c: ConnectorContext): ConnectorContext =>
    Object.assign(Object.create(c) as ConnectorContext, {
      signal(s: Signal) {
        if (s.kind === "transcript" && typeof s.segment.endMs === "number") shown.set(s.callId, Math.max(shown.get(s.callId) ?? 0, s.segment.endMs));
        c.signal(s);
      },
    });

  function close(): void {
    follower?.close();
    follower = undefined;
    asked.clear();
    shown.clear();
    connected = [];
  }

  return {
    agentUpdated(c, data) {
      ctx = c;
      const signedIn = data.state.type !== "offline" && data.state.type !== "init";
      if (!signedIn) return close();
      if (!follower && !noEventSource) {
        try {
          follower = followAgentStream(noting(c), source, { onOpen: opened });
        } catch (err) {
          // No EventSource in this environment: say so once, keep the calls working.
          noEventSource = true;
          c.signal({ kind: "warning", code: "VOICE_AI_UNAVAILABLE", message: errorMessage(err) });
        }
      }
      connected = data.contacts.filter(isConnectedVoice).map((x) => x.contactId);
      for (const map of [asked, shown]) for (const id of map.keys()) if (!data.contacts.some((x) => x.contactId === id)) map.delete(id);
      for (const id of connected) follow(id);
    },
    stop: close,
  };
}
