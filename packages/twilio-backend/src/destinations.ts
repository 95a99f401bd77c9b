/**
 * Where an agent may make Twilio dial (consult and transfer targets): each
 * leg costs money on the account, so anything beyond plain E.164 numbers is
 * opt-in.
 */

export interface DestinationPolicy {
  /** Allowed E.164 prefixes, e.g. ["+1", "+44"]; every E.164 number when omitted. */
  e164Prefixes?: readonly string[];
  /** SIP hosts that may be dialled (`sip:user@host[:port][;transport=…]`, exact host, no URI headers); none when omitted. */
  sipDomains?: readonly string[];
  /** Whether `client:<identity>` (another browser) may be dialled; false when omitted. */
  clients?: boolean;
}

const E164 = /^\+[1-9][0-9]{1,14}$/;
/** A Twilio Client identity this package dials or names as a leg's `client:`: nothing a URL or query could split (`?`, `&`, `/`, `%`, spaces). */
export const CLIENT_IDENTITY = /^[A-Za-z0-9_.@-]{1,121}$/;
const CLIENT = new RegExp(`^client:${CLIENT_IDENTITY.source.slice(1, -1)}$`);
// No `?headers` and no parameters but transport: a SIP URI must not smuggle X- headers or routing into Twilio's INVITE.
const SIP = /^sip:[A-Za-z0-9_.+-]{1,64}@([A-Za-z0-9.-]{1,253})(?::[0-9]{1,5})?(?:;transport=(?:udp|tcp|tls))?$/;

/** Whether the policy lets Twilio dial `to` (the grammar is always enforced). */
export function destinationAllowed(to: string, policy: DestinationPolicy = {}): boolean {
  if (E164.test(to)) return policy.e164Prefixes === undefined || policy.e164Prefixes.some((prefix) => to.startsWith(prefix));
  if (CLIENT.test(to)) return policy.clients === true;
  const sip = SIP.exec(to);
  if (sip) {
    const host = sip[1]!.toLowerCase();
    return (policy.sipDomains ?? []).some((domain) => domain.toLowerCase() === host);
  }
  return false;
}
