/**
 * Stream tickets: EventSource cannot send headers, so the browser trades its
 * usual authentication for a ticket (POST /stream-ticket) and puts that in
 * the /events URL. A ticket is 32 random bytes (base64url, 43 characters),
 * single use and short-lived, so a URL that ends up in a log is worthless.
 *
 * Each agent has at most `maxPerAgent` outstanding tickets: issuing one more
 * revokes that agent's oldest (a reconnecting browser is never refused, and
 * one agent's tickets never push out another's).
 */
import { randomBytes } from "node:crypto";
import { AgentStreamError } from "./errors.js";
import type { RedisLink } from "./redis.js";

/** What a well-formed ticket looks like; anything else is refused before a lookup. */
export const TICKET_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export const newTicket = (): string => randomBytes(32).toString("base64url");

export interface TicketStore {
  /**
   * Remembers `ticket` → `agentId` for `ttlMs`, revoking the agent's oldest
   * outstanding ticket past its cap; false if the ticket exists already.
   */
  put(ticket: string, agentId: string, ttlMs: number): Promise<boolean>;
  /** The ticket's agent id, at most once, and only before it expires or is revoked. */
  take(ticket: string): Promise<string | undefined>;
}

/**
 * Outstanding tickets one instance keeps at most without Redis, all agents
 * together (only thousands of agents each at their cap reach it): past it
 * issuing is refused (TICKET_STORE_FAILED) rather than revoking another
 * agent's fresh ticket.
 */
const MAX_MEMORY_TICKETS = 100_000;

/**
 * One instance's tickets: a Map in issue order (so the oldest, first to
 * expire, are at the front; every ticket has the stream's one TTL) and each
 * agent's outstanding tickets, oldest first.
 */
export function memoryTickets(maxPerAgent: number, now: () => number = Date.now): TicketStore {
  const tickets = new Map<string, { agentId: string; expiresAt: number }>();
  const byAgent = new Map<string, string[]>();
  const drop = (ticket: string): string | undefined => {
    const entry = tickets.get(ticket);
    if (!entry) return undefined;
    tickets.delete(ticket);
    const own = byAgent.get(entry.agentId)!;
    own.splice(own.indexOf(ticket), 1);
    if (own.length === 0) byAgent.delete(entry.agentId);
    return entry.expiresAt > now() ? entry.agentId : undefined;
  };
  const sweep = (): void => {
    const t = now();
    for (const [ticket, entry] of tickets) {
      if (entry.expiresAt > t) break;
      drop(ticket);
    }
  };
  return {
    put(ticket, agentId, ttlMs) {
      sweep();
      if (tickets.has(ticket)) return Promise.resolve(false);
      for (let own = byAgent.get(agentId); own && own.length >= maxPerAgent; own = byAgent.get(agentId)) drop(own[0]!);
      if (tickets.size >= MAX_MEMORY_TICKETS) return Promise.reject(new AgentStreamError("TICKET_STORE_FAILED", `More than ${MAX_MEMORY_TICKETS} tickets are outstanding on this instance`));
      tickets.set(ticket, { agentId, expiresAt: now() + ttlMs });
      byAgent.set(agentId, [...(byAgent.get(agentId) ?? []), ticket]);
      return Promise.resolve(true);
    },
    take(ticket) {
      sweep();
      return Promise.resolve(drop(ticket));
    },
  };
}

/**
 * SET the ticket (PX, NX), append it to the agent's list, and past the cap
 * pop the list's oldest and delete their tickets (already used or expired
 * ones too: deleting those is harmless); the list lives as long as the
 * newest ticket. Atomic (one script). The evicted tickets' keys are built
 * in the script: standalone Redis, not Cluster.
 * KEYS: ticket key, the agent's list. ARGV: agentId, ttlMs, cap, ticket, ticket key prefix.
 */
const PUT = `
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[4])
local over = redis.call('LLEN', KEYS[2]) - tonumber(ARGV[3])
for _ = 1, over do redis.call('DEL', ARGV[5] .. redis.call('LPOP', KEYS[2])) end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1`;

/** GETDEL the ticket (Redis ≥ 6.2) and take it off its agent's list. KEYS: ticket key. ARGV: list key prefix, ticket. */
const TAKE = `
local agent = redis.call('GETDEL', KEYS[1])
if agent then redis.call('LREM', ARGV[1] .. agent, 1, ARGV[2]) end
return agent`;

/**
 * Tickets in Redis: `<prefix>ticket:<t>` → agent id (PX ttl), and each
 * agent's outstanding tickets in the list `<prefix>tickets:<agentId>`; any
 * instance honours any instance's ticket, once.
 */
export function redisTickets(redis: RedisLink, prefix: string, maxPerAgent: number): TicketStore {
  const key = (ticket: string): string => `${prefix}ticket:${ticket}`;
  const list = (agentId: string): string => `${prefix}tickets:${agentId}`;
  return {
    put: async (ticket, agentId, ttlMs) =>
      (await redis.script("TICKET_STORE_FAILED", "ticket SET", PUT, [key(ticket), list(agentId)], [agentId, String(ttlMs), String(maxPerAgent), ticket, `${prefix}ticket:`])) === 1,
    take: async (ticket) => {
      const agentId = await redis.script("TICKET_STORE_FAILED", "ticket GETDEL", TAKE, [key(ticket)], [`${prefix}tickets:`, ticket]);
      return typeof agentId === "string" ? agentId : undefined;
    },
  };
}
