/**
 * The legs of an agent's conference, as this backend names them: Twilio SIDs,
 * participant labels (the customer's, the parties the backend dials, the
 * supervisors' sessions) and whose Twilio Client a Call resource is.
 */
import { randomBytes } from "node:crypto";

// Twilio SIDs: two letters and 32 lowercase hex digits. Nothing else may reach
// the twilio client, which puts ids into URL paths unescaped (`..\`, `%2e%2e`).
export const CALL_SID = /^CA[0-9a-f]{32}$/;
export const CONFERENCE_SID = /^CF[0-9a-f]{32}$/;

/**
 * The parties an agent dialled (consult, transfer): the ones it may drop, and
 * the only ones a completeTransfer / conference may name (a supervisor is not
 * the agent's to drop or hand the customer to).
 */
export const DROPPABLE_LABELS: ReadonlySet<string> = new Set(["consult", "transfer"]);
const SUPERVISOR_LABEL = "supervisor";
export const CUSTOMER_LABEL = "customer";
/**
 * A supervisor participant's label: `supervisor:<watched agent's CallSid>:<8 hex>`
 * (at most 54 characters; Twilio wants labels unique within a conference,
 * at most 128 characters, without "/", and not a bare CallSid). The watched
 * leg is recorded when the session starts, so a change of mode and the
 * agent's leaving find it without guessing; a bare "supervisor" (an older
 * session) is still a supervisor, watching nobody known.
 */
const SUPERVISOR_SESSION = /^supervisor:(CA[0-9a-f]{32}):[0-9a-f]{8}$/;
export const supervisorLabel = (agentCallSid: string): string => `${SUPERVISOR_LABEL}:${agentCallSid}:${randomBytes(4).toString("hex")}`;
export const isSupervisor = (label: string): boolean => label === SUPERVISOR_LABEL || label.startsWith(`${SUPERVISOR_LABEL}:`);
/** The agent leg a supervisor participant watches, from its label; undefined for anything else. */
export const watchedBy = (label: string): string | undefined => SUPERVISOR_SESSION.exec(label)?.[1];
/** Participants this backend dials into a conference: never its owning agent. */
export const isAdded = (label: string): boolean => DROPPABLE_LABELS.has(label) || isSupervisor(label);
export const labelOf = (p: { label?: string | null }): string => (typeof p.label === "string" ? p.label : "");
/** Whose Twilio Client leg a Call resource is: an inbound call its caller's (`from`), any other its callee's (`to`); undefined when that is no `client:`. */
export function clientOf(call: { direction?: string | null; from?: string | null; to?: string | null }): string | undefined {
  const owner = call.direction === "inbound" ? call.from : call.to;
  return typeof owner === "string" && owner.startsWith("client:") && owner.length > 7 ? owner.slice(7) : undefined;
}

