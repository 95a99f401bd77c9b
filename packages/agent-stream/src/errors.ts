/**
 * The one error class this package throws, with a stable `code`: callers
 * branch on the code, never on the message (which names fields and limits,
 * never values: a transcript's text must not reach a log through an error).
 */

/**
 * - `INVALID_ARGUMENT`: a bad option, agent id or event (the message names the field and the limit).
 * - `FANOUT_FAILED`: Redis did not take a PUBLISH or SUBSCRIBE in time (or refused it).
 * - `TICKET_STORE_FAILED`: Redis did not store or hand back a ticket in time.
 * - `CLOSED`: the stream was closed.
 * - `CLIENT_DROPPED`: a browser stopped reading and was disconnected (told to `onError` only).
 * - `REDIS_CONNECTION`: the connection to Redis failed; the client keeps reconnecting (told to `onError` only).
 * - `INTERNAL`: anything else, e.g. a throwing `authenticate` (told to `onError` only; the browser gets a 500).
 */
export type AgentStreamErrorCode = "INVALID_ARGUMENT" | "FANOUT_FAILED" | "TICKET_STORE_FAILED" | "CLOSED" | "CLIENT_DROPPED" | "REDIS_CONNECTION" | "INTERNAL";

/** What `publish`, `issueTicket` and the factories throw or reject with, and what `onError` receives. */
export class AgentStreamError extends Error {
  override readonly name = "AgentStreamError";
  constructor(
    readonly code: AgentStreamErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const invalid = (message: string): AgentStreamError => new AgentStreamError("INVALID_ARGUMENT", message);
