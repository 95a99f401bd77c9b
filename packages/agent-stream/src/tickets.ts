/**
 * Stream tickets: EventSource cannot send headers, so the browser trades its
 * usual authentication for a ticket (POST /stream-ticket) and puts that in
 * the /events URL. A ticket is 32 random bytes (base64url, 43 characters),
 * single use and short-lived, so a URL that ends up in a log is worthless.
 */
import { randomBytes } from "node:crypto";
import type { RedisLink } from "./redis.js";

/** What a well-formed ticket looks like; anything else is refused before a lookup. */
export const TICKET_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export const newTicket = (): string => randomBytes(32).toString("base64url");

export interface TicketStore {
  /** Remembers `ticket` → `agentId` for `ttlMs`; false if the ticket exists already. */
  put(ticket: string, agentId: string, ttlMs: number): Promise<boolean>;
  /** The ticket's agent id, at most once, and only before it expires. */
  take(ticket: string): Promise<string | undefined>;
}

/** Outstanding tickets one instance keeps at most without Redis; the oldest go first past it. */
const MAX_MEMORY_TICKETS = 100_000;

/** One instance's tickets, in a Map kept in issue order (so the oldest, first to expire, are at the front). */
export function memoryTickets(now: () => number = Date.now): TicketStore {
  const tickets = new Map<string, { agentId: string; expiresAt: number }>();
  const sweep = (): void => {
    const t = now();
    for (const [ticket, entry] of tickets) {
      if (entry.expiresAt > t && tickets.size <= MAX_MEMORY_TICKETS) break;
      tickets.delete(ticket);
    }
  };
  return {
    put(ticket, agentId, ttlMs) {
      sweep();
      if (tickets.has(ticket)) return Promise.resolve(false);
      tickets.set(ticket, { agentId, expiresAt: now() + ttlMs });
      return Promise.resolve(true);
    },
    take(ticket) {
      sweep();
      const entry = tickets.get(ticket);
      tickets.delete(ticket);
      return Promise.resolve(entry && entry.expiresAt > now() ? entry.agentId : undefined);
    },
  };
}

/** Tickets in Redis (`SET <prefix>ticket:<t> <agentId> PX ttl NX`, taken with GETDEL): any instance honours any instance's ticket, once. */
export function redisTickets(redis: RedisLink, prefix: string): TicketStore {
  return {
    put: (ticket, agentId, ttlMs) => redis.setNew(`${prefix}ticket:${ticket}`, agentId, ttlMs),
    take: (ticket) => redis.take(`${prefix}ticket:${ticket}`),
  };
}
