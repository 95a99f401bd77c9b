/**
 * SIP → normalized model, as pure functions: what the connector knows about a
 * SIP dialog in, connector reports out. No SIP library, no timers, no context.
 *
 * The rules:
 * - Parties: the agent's own party first (id "agent", address the user part
 *   of the agent's AOR), then the far end (id "remote"): the customer, or the
 *   third party on a consult leg or a supervisor's monitoring session (the feature code's far end); its address is the remote URI's user (the
 *   whole URI when it has none) and its display name as the caller sent it.
 *   The convention is the vendor's own id for the far-end leg when it gives
 *   one, else the party's role ("customer" / "third_party"); SIP gives none,
 *   and its far end keeps the id "remote" (the integration tests pin it).
 * - Far-end hold: a re-INVITE from the far end with sendonly/inactive holds
 *   the remote party only; the call's own state is what the agent did, so it
 *   stays connected (held only when we hold).
 * - An outbound call shows the remote party dialing until a 180/183, then
 *   ringing; once a call is in wrap-up or ended, every party is disconnected.
 * - End reasons: a transfer or a reject we made says so itself; a call that
 *   connected ended by whoever sent BYE; an inbound call that never connected
 *   was rejected (by us), missed (a CANCEL whose RFC 3326 Reason says a ring
 *   timer gave up, SIP 408/480 or Q.850 18/19, or that it was answered
 *   elsewhere, SIP 200) or abandoned (any other CANCEL: the caller gave up);
 *   an outbound one was hung up by us (CANCEL, then 487) or ended with the
 *   final status of its INVITE.
 * - A final status, one table for dials and transfers alike (sipStatusOutcome):
 *   486/600/603 busy, DESTINATION_BUSY; 404/416/484/604 failed,
 *   INVALID_DESTINATION; 408/480 no_answer, REQUEST_TIMEOUT; any other
 *   4xx–6xx (a proxy relays a 503 as 500) failed, VENDOR_ERROR. The failure
 *   carries the status as vendorCode and the reason phrase in its message.
 * - A call whose target refresh after a reconnect failed (any final status, or
 *   none in time) ends `lost`, failure LINK_DOWN with that status: the far end
 *   never learnt the new connection, so nothing it sends reaches us. A call
 *   still ringing or dialing across a reconnect ends `lost` too, LINK_DOWN
 *   without a status: the proxy's INVITE transaction answers (and CANCELs)
 *   over the dropped connection only, so it is cancelled (outbound) or
 *   refused with 480 (inbound) over the new one.
 * - Media: ICE `disconnected` is the call's media reconnecting, `connected` /
 *   `completed` is ok again; the desktop's link is not touched.
 */
import type { CallData, CallDirection, CallFailure, CallReport, CallState, CtiErrorCode, EndReason, MediaState, MonitorMode, Party, PartyState, RecordingState } from "@opencti/core";
import type { RemoteIdentity, SipLine } from "./stack.js";

/** Call data: at most this many entries, each value at most MAX_DATA_VALUE characters. */
const MAX_DATA_ENTRIES = 50;
const MAX_DATA_VALUE = 1000;

/** What the connector knows about one SIP dialog, as plain data. */
export interface CallFacts {
  readonly id: string;
  readonly sip: Pick<SipLine, "callId" | "remote">;
  readonly direction: CallDirection;
  readonly state: CallState;
  readonly muted: boolean;
  /** The far end holds us (its last re-INVITE was sendonly/inactive). */
  readonly remoteHold: boolean;
  /** An outbound INVITE got 180/183. */
  readonly remoteRinging: boolean;
  readonly data: CallData;
  readonly from?: string;
  readonly fromName?: string;
  readonly to?: string;
  readonly queue?: string;
  readonly relatedCallId?: string;
  readonly endReason?: EndReason;
  /** Why it failed, when SIP said (with `failed`, `busy`, `no_answer`). */
  readonly failure?: CallFailure;
  /** The call's media, once the peer connection said anything. */
  readonly media?: MediaState;
  /** When its wrap-up ends on its own (the connector's wrapUpLimitMs), epoch ms. */
  readonly wrapUpEndsAt?: number;
  /** Its recording as the connector's `recording` option and the PBX's answers to Record INFOs say (absent: not known). */
  readonly recording?: RecordingState;
  /** A monitoring session's mode (direction `monitor`). */
  readonly monitorMode?: MonitorMode;
}

/** `sip:1001@pbx.example.com` → `1001`; undefined when the URI has no user. */
export const aorUser = (uri: string): string | undefined => /^sips?:([^@;]+)@/i.exec(uri)?.[1];

/** The address a remote identity shows as: its user (a number or extension), else the whole URI. */
const remoteAddress = (remote: RemoteIdentity): string => remote.user || remote.uri;

/** The parties of a live call: the agent first, then the far end. */
export function parties(call: CallFacts, agentAddress: string | undefined): Party[] {
  const { state } = call;
  const agentState: PartyState = state === "ringing" ? "ringing" : state === "dialing" ? "dialing" : state === "held" ? "held" : "connected";
  const remoteState: PartyState = state === "ringing" ? "ringing" : state === "dialing" ? (call.remoteRinging ? "ringing" : "dialing") : call.remoteHold || state === "held" ? "held" : "connected";
  const remote = call.sip.remote;
  return [
    { id: "agent", role: "agent", state: agentState, ...(agentAddress ? { address: agentAddress } : {}) },
    { id: "remote", role: call.direction === "consult" || call.direction === "monitor" ? "third_party" : "customer", state: remoteState, address: remoteAddress(remote), ...(remote.displayName ? { displayName: remote.displayName } : {}) },
  ];
}

/** The full report of a call as it is now. */
export function callReport(call: CallFacts, agentAddress: string | undefined): CallReport {
  const over = call.state === "wrapup" || call.state === "ended";
  return {
    id: call.id,
    vendorCallId: call.sip.callId,
    state: call.state,
    direction: call.direction,
    muted: call.muted,
    data: call.data,
    parties: over ? parties(call, agentAddress).map((p) => ({ ...p, state: "disconnected" as const })) : parties(call, agentAddress),
    ...(call.from !== undefined ? { from: call.from } : {}),
    ...(call.fromName !== undefined ? { fromName: call.fromName } : {}),
    ...(call.to !== undefined ? { to: call.to } : {}),
    ...(call.queue !== undefined ? { queue: call.queue } : {}),
    ...(call.relatedCallId !== undefined ? { relatedCallId: call.relatedCallId } : {}),
    ...(call.endReason !== undefined ? { endReason: call.endReason } : {}),
    ...(call.failure !== undefined ? { failure: call.failure } : {}),
    ...(call.media !== undefined ? { media: call.media } : {}),
    ...(call.wrapUpEndsAt !== undefined ? { wrapUpEndsAt: call.wrapUpEndsAt } : {}),
    ...(call.recording !== undefined ? { recording: call.recording } : {}),
    ...(call.monitorMode !== undefined ? { monitorMode: call.monitorMode } : {}),
  };
}

/** How a call ended: the reason, and why it failed when SIP said. */
export interface EndOutcome {
  readonly endReason: EndReason;
  readonly failure?: CallFailure;
}

/** Each status's outcome; any other 4xx–6xx is VENDOR_ERROR. */
const STATUS_OUTCOMES: readonly (readonly [readonly number[], EndReason, CtiErrorCode, string])[] = [
  [[486, 600, 603], "busy", "DESTINATION_BUSY", "The far end is busy or declined the call"],
  [[404, 416, 484, 604], "failed", "INVALID_DESTINATION", "The number or address does not exist"],
  [[408, 480], "no_answer", "REQUEST_TIMEOUT", "The far end did not answer"],
];

/** A final SIP status (an INVITE's, a REFER's, a transfer's sipfrag) as an end reason and a typed failure. */
export function sipStatusOutcome(status: number, reasonPhrase = ""): { readonly endReason: EndReason; readonly failure: CallFailure } {
  const said = `${status} ${reasonPhrase}`.trim();
  const known = STATUS_OUTCOMES.find(([statuses]) => statuses.includes(status));
  const [endReason, code, what] = known ? [known[1], known[2], known[3]] : (["failed", "VENDOR_ERROR", status > 0 ? "The call failed" : "The call failed without a SIP status"] as const);
  return { endReason, failure: { code, ...(status > 0 ? { vendorCode: String(status) } : {}), message: status > 0 ? `${what} (SIP ${said}).` : `${what}.` } };
}

/**
 * A call whose target refresh failed after a reconnect: `lost` (the desktop lost sight of it while the
 * link was down; a 481 says the far end's BYE never reached us), with LINK_DOWN and the status it got.
 */
export function refreshFailure(status: number): CallFailure {
  const said = status > 0 ? ` (SIP ${status})` : " in time";
  return { code: "LINK_DOWN", ...(status > 0 ? { vendorCode: String(status) } : {}), message: `The call was lost while the connection to the SIP server was down: it could not be refreshed on the new connection${said}.` };
}

/** A call still being set up when the WebSocket dropped (see the rules above): `lost`, with LINK_DOWN. */
export function setupLost(sipDirection: "inbound" | "outbound"): CallFailure {
  const what = sipDirection === "inbound" ? "it could no longer be answered, so the caller was refused" : "its answer could no longer reach the agent, so it was cancelled";
  return { code: "LINK_DOWN", message: `The call was lost while the connection to the SIP server was down: it was still ringing, and ${what}.` };
}

/** An RFC 3326 Reason on a CANCEL that says nobody answered (a ring timer) or someone else did: SIP 200/408/480, Q.850 18/19. */
export function cancelMeansMissed(reason: string | undefined): boolean {
  if (!reason) return false;
  return reason.split(",").some((r) => {
    const m = /^\s*(SIP|Q\.850)\s*;(?:.*;)?\s*cause\s*=\s*(\d+)/i.exec(r);
    if (!m) return false;
    const cause = Number(m[2]);
    return m[1]!.toUpperCase() === "SIP" ? [200, 408, 480].includes(cause) : [18, 19].includes(cause);
  });
}

export interface EndFacts {
  /** Set when the connector knows better than "who hung up" (a transfer, a reject, a failed answer). */
  readonly override?: EndOutcome | undefined;
  readonly everConnected: boolean;
  /** The dialog's direction on the wire (a consult leg is outbound). */
  readonly sipDirection: "inbound" | "outbound";
  /** Who ended the dialog. */
  readonly by: "local" | "remote";
  /** The final SIP status of an outbound INVITE that failed, and its reason phrase. */
  readonly status?: number | undefined;
  readonly reasonPhrase?: string | undefined;
  /** An inbound INVITE the caller's side CANCELled, with the CANCEL's Reason header ("" without one). */
  readonly cancelReason?: string | undefined;
}

/** Why a call ended, and why it failed (see the rules above). */
export function endOutcome(f: EndFacts): EndOutcome {
  // A CANCEL that crossed our answer (or its failure) still says what happened to the caller.
  if (f.cancelReason !== undefined && !f.everConnected && f.sipDirection === "inbound") return { endReason: cancelMeansMissed(f.cancelReason) ? "missed" : "abandoned" };
  if (f.override) return f.override;
  if (f.everConnected) return { endReason: f.by === "local" ? "local_hangup" : "remote_hangup" };
  if (f.sipDirection === "inbound") return { endReason: f.by === "local" ? "rejected" : "abandoned" };
  if (f.by === "local") return { endReason: "local_hangup" };
  return sipStatusOutcome(f.status ?? 0, f.reasonPhrase);
}

/** An ICE connection state as the call's media: undefined when it says nothing new (new, checking, closed, failed). */
export function mediaState(ice: string): MediaState | undefined {
  if (ice === "disconnected") return "reconnecting";
  if (ice === "connected" || ice === "completed") return "ok";
  return undefined;
}

/** An offer the connector can take: an audio session description (the library's own parser is lenient). */
export function looksLikeSdp(contentType: string, body: string): boolean {
  return /^application\/sdp\b/i.test(contentType.trim()) && /^v=0\r?$/m.test(body) && /^m=audio /m.test(body);
}

export interface HeaderRules {
  /** The call-data header prefix, any case. */
  readonly dataPrefix?: string | undefined;
  /** The queue header name, any case. */
  readonly queueHeader?: string | undefined;
}

/** An incoming INVITE as a ringing call's caller, DNIS, queue and data (prefixed headers, keyed by the rest of the name as sent). */
export function inboundDetails(sip: Pick<SipLine, "remote" | "to" | "headers">, rules: HeaderRules): Pick<CallFacts, "from" | "fromName" | "to" | "queue" | "data"> {
  const prefix = rules.dataPrefix?.toLowerCase();
  const queueHeader = rules.queueHeader?.toLowerCase();
  const data: Record<string, string> = {};
  let queue: string | undefined;
  for (const [name, value] of sip.headers) {
    const lower = name.toLowerCase();
    if (queueHeader && lower === queueHeader) queue = value;
    else if (prefix && lower.startsWith(prefix) && lower.length > prefix.length && Object.keys(data).length < MAX_DATA_ENTRIES) data[name.slice(prefix.length)] = value.slice(0, MAX_DATA_VALUE);
  }
  return {
    data,
    from: remoteAddress(sip.remote),
    ...(sip.remote.displayName ? { fromName: sip.remote.displayName } : {}),
    ...(sip.to ? { to: sip.to } : {}),
    ...(queue !== undefined ? { queue } : {}),
  };
}

/** Data attached to a dial as prefixed header lines: only names and values that are safe in a SIP header; `sent` is what went out. */
export function dataHeaders(data: CallData, prefix: string | undefined): { headers: string[]; sent: Record<string, string> } {
  const sent: Record<string, string> = {};
  const headers: string[] = [];
  if (!prefix) return { headers, sent };
  for (const [key, value] of Object.entries(data).slice(0, MAX_DATA_ENTRIES)) {
    if (!/^[A-Za-z0-9-]{1,64}$/.test(key) || /[\r\n]/.test(value)) continue;
    headers.push(`${prefix}${key}: ${value.slice(0, MAX_DATA_VALUE)}`);
    sent[key] = value.slice(0, MAX_DATA_VALUE);
  }
  return { headers, sent };
}
