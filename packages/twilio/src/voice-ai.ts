/**
 * Voice AI for the Twilio connector: which agent event stream a
 * configuration follows, and which of the connector's calls a CallSid on that
 * stream is (the backend names the agent leg by its CallSid).
 */
import type { AgentStreamSource } from "@opencti/core/connector";
import type { CallControlBackend } from "./backend.js";

/**
 * The stream to follow: `agentStream` itself, the backend's own with `true`,
 * none without. Throws a TypeError when `true` finds no backend stream or a
 * source has no `url()`.
 */
export function agentStreamSource(agentStream: AgentStreamSource | true | undefined, backend: CallControlBackend | undefined): AgentStreamSource | undefined {
  if (agentStream === undefined) return undefined;
  if (agentStream === true) {
    if (typeof backend?.agentStream !== "function") throw new TypeError("createTwilioConnector: agentStream: true follows the backend's own event stream, and this backend serves none (use createHttpCallControlBackend, or pass a source such as httpAgentStream({ url, headers }))");
    return backend.agentStream();
  }
  if (typeof (agentStream as Partial<AgentStreamSource> | null)?.url !== "function") throw new TypeError("createTwilioConnector: agentStream must be true or an AgentStreamSource (an object with url(signal))");
  return agentStream;
}

/**
 * The connector's call id for a CallSid: an incoming call's id is its
 * CallSid; an outbound call's is the SDK's connection id, its CallSid (the
 * call's vendorCallId) known once Twilio gives it.
 */
export function callIdForSid(calls: Iterable<{ readonly id: string; readonly call: { readonly parameters: { readonly CallSid?: string } } }>, callSid: string): string | undefined {
  for (const entry of calls) if ((entry.call.parameters.CallSid ?? entry.id) === callSid) return entry.id;
  return undefined;
}
