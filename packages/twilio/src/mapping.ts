/**
 * Pure mapping: Twilio's shapes in (a call's parameters and custom
 * parameters, SDK error codes, call messages from the call-control backend),
 * the connector's reports out. Plain data only: no SDK objects, no state, no
 * side effects.
 *
 * The rules:
 * - A call's id is its CallSid (an outbound call: the SDK's outbound
 *   connection id, its vendorCallId the CallSid once Twilio gives one);
 *   From, To and the custom parameters become from, to and data, and the
 *   configured custom parameters also fill queue and fromName.
 * - Parties: the agent's own leg first (id "agent", address its Twilio
 *   Client identity), then the customer, then the conference members the
 *   agent added. A far-end party's id is the vendor's own id for that leg
 *   when the vendor gives one (a consulted or conferenced party: its
 *   CallSid), else its role: the SDK never sees the customer's leg, so the
 *   customer is "customer".
 * - Call states: ringing (an offer), dialing (a dial until the SDK's
 *   accept), connected, held (only through the backend's hold); Twilio has
 *   no wrap-up, so a call ends without one.
 * - Far-end hold: not reported (neither the Voice SDK nor Twilio's REST API
 *   says when the far end holds).
 * - End reasons: our own request's reason (rejected, local_hangup,
 *   transferred; a call the SDK hung up because another was accepted is
 *   local_hangup); else the last SDK error's (errorOutcome: 31486/31603
 *   busy, DESTINATION_BUSY; 31400/31404 failed, INVALID_DESTINATION; 31480
 *   no_answer, REQUEST_TIMEOUT; 31208/31401/31402 failed,
 *   MEDIA_PERMISSION_DENIED; any other failed, VENDOR_ERROR; the Twilio code
 *   is the failure's vendorCode); else a dial that never connected failed,
 *   VENDOR_ERROR; else remote_hangup. An offer withdrawn (`cancel`) is
 *   abandoned: the SDK's cancel does not say whether the caller hung up or
 *   Twilio's ring timeout fired, so it is never `missed`.
 * - Media: a call's `reconnecting` with a media error (ICE lost) is its
 *   media `reconnecting`, its `reconnected` is `ok` again; a `reconnecting`
 *   for the signalling socket (53001) is the link's, which follows the
 *   Device's registration, and leaves the media alone.
 * - Consult legs: a call of their own, id `consult-<CallSid>`, direction
 *   consult, relatedCallId the primary; the backend's party messages move
 *   them from dialing to connected or end them (busy DESTINATION_BUSY,
 *   no_answer, failed VENDOR_ERROR, remote_hangup), the Twilio call status
 *   as vendorCode.
 * - DTMF: `,` becomes the SDK's `w`; only 0-9, `*`, `#` and pauses go out.
 * - Quality warnings are warning signals `twilio.<name>`.
 * - Audio devices: the SDK's AudioHelper lists (`availableInputDevices`,
 *   `availableOutputDevices`) as `input`/`output` devices; a device without a
 *   label (or with the SDK's own "Unknown Audio Input Device 1") is
 *   "Microphone 1" / "Speaker 1", as core's toolkit names them; the ids in
 *   use are the SDK's, "default" while it has none (its default device).
 */
import { LIMITS, RECORDING_STATES, type AudioDevice, type AudioDevices, type CallFailure, type CallReport, type CtiErrorCode, type EndReason, type MediaState, type MonitorMode, type Party, type PartyState, type RecordingState } from "@opencti/core";
import { isKeyOf, isNonEmptyString, isString } from "@opencti/core/connector";
import { isPartyStatusMessage, type PartyStatusMessage } from "./backend.js";

/** The states a Twilio call has for the desktop while it lasts (Twilio has no wrap-up). */
export type LiveState = "ringing" | "dialing" | "connected" | "held";

/** What the connector knows about one of the agent's calls, the SDK's call object aside. */
export interface CallFacts {
  readonly id: string;
  /** `monitor`: a supervisor's session (the backend's participant dial to the supervisor's Client, see monitorSession). */
  readonly direction: "inbound" | "outbound" | "monitor";
  state: LiveState;
  from?: string;
  fromName?: string;
  to?: string;
  queue?: string;
  data: Record<string, string>;
  /** Conference members beyond the customer, by CallSid. */
  readonly thirdParties: Map<string, Party>;
  /** The call's audio, once the SDK said it was reconnecting. */
  media?: MediaState;
  /** The recording: from the custom parameter at the offer, then the backend's answers to pause/resume. */
  recording?: RecordingState;
  /** A session's mode (direction `monitor`), as the backend last answered. */
  monitorMode?: MonitorMode;
}

/** A consult leg: a party the backend dialled into the agent's conference, a call of its own for the desktop. */
export interface ConsultFacts {
  readonly id: string;
  readonly primaryId: string;
  /** The consulted party's CallSid. */
  readonly partySid: string;
  readonly to: string;
  state: "dialing" | "connected";
}

/** What the SDK's call object says right now. */
export interface SdkCallFacts {
  /** The CallSid, once Twilio gave one (an outbound call learns it on `ringing`). */
  readonly callSid?: string | undefined;
  readonly muted: boolean;
}

/** Which custom parameters fill `queue`, `fromName` and `recording`. */
export interface ParameterNames {
  readonly queue: string;
  readonly callerName: string;
  /** Default "recording". */
  readonly recording?: string;
}

/** The custom parameter that marks the backend's dial to a supervisor as a monitoring session (`client:<identity>?opencti=monitor`). */
export const isMonitorOffer = (customParameters: unknown): boolean => callData(customParameters).opencti === "monitor";

/** The agent's own leg comes first on every call: its state is the call's, its address the agent's Twilio Client identity when the SDK knows it. */
export function agentParty(state: PartyState, identity?: string): Party {
  return { id: "agent", role: "agent", state, ...(identity ? { address: identity } : {}) };
}

/**
 * A call's parties: the agent, then the customer (id "customer", whose
 * address is the remote number: From of an inbound call, To of an outbound
 * one; the caller name as displayName; its state is the call's), then the
 * conference members the agent added, in the order they joined.
 */
export function callParties(call: CallFacts, identity?: string): Party[] {
  // A session: the supervisor's own leg only (Twilio tells the supervisor's SDK nothing of the watched call's parties).
  if (call.direction === "monitor") return [agentParty(call.state, identity)];
  const remote = call.direction === "inbound" ? call.from : call.to;
  const customer: Party = {
    id: "customer",
    role: "customer",
    state: call.state,
    ...(remote === undefined ? {} : { address: remote }),
    ...(call.fromName === undefined ? {} : { displayName: call.fromName }),
  };
  return [agentParty(call.state, identity), customer, ...call.thirdParties.values()];
}

/** A call as a report: its vendorCallId is the CallSid once Twilio gave one, else the connector's own id; `muted` is the SDK's. */
export function callReport(call: CallFacts, sdk: SdkCallFacts, identity?: string): CallReport {
  return {
    id: call.id,
    vendorCallId: sdk.callSid ?? call.id,
    state: call.state,
    direction: call.direction,
    ...(call.from === undefined ? {} : { from: call.from }),
    ...(call.fromName === undefined ? {} : { fromName: call.fromName }),
    ...(call.to === undefined ? {} : { to: call.to }),
    ...(call.queue === undefined ? {} : { queue: call.queue }),
    muted: sdk.muted,
    data: call.data,
    parties: callParties(call, identity),
    ...(call.media === undefined ? {} : { media: call.media }),
    ...(call.recording === undefined ? {} : { recording: call.recording }),
    ...(call.monitorMode === undefined ? {} : { monitorMode: call.monitorMode }),
  };
}

/**
 * The supervisor's leg of a session the backend started: Twilio's dial to
 * the supervisor's Client, answered; its CallSid is the call id, direction
 * `monitor`, in `mode`.
 */
export function monitorSession(callSid: string, mode: MonitorMode): CallFacts {
  return { id: callSid, direction: "monitor", state: "connected", data: {}, thirdParties: new Map(), monitorMode: mode };
}

/** A consult leg as a report: direction consult, related to the primary, the consulted party's CallSid as vendorCallId; parties are the agent and the consulted party. */
export function consultReport(consult: ConsultFacts, identity?: string): CallReport {
  return {
    id: consult.id,
    vendorCallId: consult.partySid,
    state: consult.state,
    direction: "consult",
    relatedCallId: consult.primaryId,
    to: consult.to,
    parties: [agentParty(consult.state, identity), { id: consult.partySid, role: "third_party", state: consult.state, address: consult.to }],
  };
}

/** The consult leg the backend started for `primaryId`: its id is `consult-<CallSid>`, and it dials until the backend says the party answered. */
export function consultCall(primaryId: string, partySid: string, to: string): ConsultFacts {
  return { id: `consult-${partySid}`, primaryId, partySid, to, state: "dialing" };
}

/** A consulted party merged into the call: a connected third party, id its CallSid. */
export function conferenceMember(consult: ConsultFacts): Party {
  return { id: consult.partySid, role: "third_party", state: "connected", address: consult.to };
}

/** Custom parameters (a Map from the SDK) as call data: string keys with string values only. */
export function callData(customParameters: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (customParameters instanceof Map) for (const [k, v] of customParameters as Map<unknown, unknown>) if (isString(k) && isString(v)) out[k] = v;
  return out;
}

/**
 * An incoming call from the SDK's `parameters` and `customParameters`: the
 * CallSid is its id, From and To are kept, the custom parameters are its
 * data, and the ones named by `names` also fill `queue` and `fromName`.
 * Undefined (an unreadable offer) without a CallSid or with a From that is not a string.
 */
export function incomingCall(parameters: Record<string, unknown>, customParameters: unknown, names: ParameterNames): CallFacts | undefined {
  const { CallSid: sid, From: from, To: to } = parameters;
  if (!isNonEmptyString(sid) || (from !== undefined && !isString(from))) return undefined;
  const data = callData(customParameters);
  const queue = data[names.queue];
  const callerName = data[names.callerName];
  const recording = RECORDING_STATES.find((r) => r === data[names.recording ?? "recording"]);
  return {
    id: sid,
    direction: "inbound",
    state: "ringing",
    data,
    thirdParties: new Map(),
    ...(from === undefined ? {} : { from }),
    ...(isString(to) ? { to } : {}),
    ...(queue === undefined ? {} : { queue }),
    ...(callerName === undefined ? {} : { fromName: callerName }),
    ...(recording === undefined ? {} : { recording }),
  };
}

/** The SDK's connect params for a dial: the call data, with `To` the destination (it wins over a `To` in the data). */
export function dialParams(destination: string, data: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return { ...data, To: destination };
}

/** A call the agent dialled: dialling `destination`, with the data it was dialled with. */
export function outboundCall(id: string, destination: string, data: Readonly<Record<string, string>> | undefined): CallFacts {
  return { id, direction: "outbound", state: "dialing", to: destination, data: { ...data }, thirdParties: new Map() };
}

/** How a call ended: the reason, and why it failed when Twilio said. */
export interface EndOutcome {
  readonly endReason: EndReason;
  readonly failure?: CallFailure;
}

/** An SDK error on a call: its Twilio code and the CtiError message the connector made of it. */
export interface CallError {
  readonly code?: number | undefined;
  readonly message: string;
}

/** SDK error codes that say how a call ended; any other is `failed`, VENDOR_ERROR. */
const ERROR_OUTCOMES: readonly (readonly [readonly number[], EndReason, CtiErrorCode])[] = [
  [[31486, 31603], "busy", "DESTINATION_BUSY"],
  [[31400, 31404], "failed", "INVALID_DESTINATION"],
  [[31480], "no_answer", "REQUEST_TIMEOUT"],
  [[31208, 31401, 31402], "failed", "MEDIA_PERMISSION_DENIED"],
];

/**
 * How an SDK error ended a call: busy (31486 Busy Here, 31603 Decline),
 * failed INVALID_DESTINATION (31400, 31404), no_answer (31480 Temporarily
 * Unavailable), failed MEDIA_PERMISSION_DENIED (no microphone), otherwise
 * failed VENDOR_ERROR (a 31005 the gateway sent in a hangup is the call's
 * failure, not the link). The Twilio code is the failure's vendorCode.
 */
export function errorOutcome(error: CallError): { readonly endReason: EndReason; readonly failure: CallFailure } {
  const known = error.code === undefined ? undefined : ERROR_OUTCOMES.find(([codes]) => codes.includes(error.code!));
  const [endReason, code] = known ? [known[1], known[2]] : (["failed", "VENDOR_ERROR"] as const);
  return { endReason, failure: { code, ...(error.code === undefined ? {} : { vendorCode: String(error.code) }), message: error.message } };
}

/**
 * How a call ended on the SDK's `disconnect`: the reason of our own request
 * that ended it (or the SDK's hang-up on the agent's behalf); else the last
 * SDK error's outcome; else a dial that never connected failed; else the far
 * end hung up.
 */
export function outcomeOnDisconnect(call: { readonly state: LiveState; readonly localEnd?: EndReason | undefined; readonly error?: CallError | undefined }): EndOutcome {
  if (call.localEnd) return { endReason: call.localEnd };
  if (call.error) return errorOutcome(call.error);
  if (call.state === "dialing") return { endReason: "failed", failure: { code: "VENDOR_ERROR", message: "Twilio ended the call before it connected, without saying why." } };
  return { endReason: "remote_hangup" };
}

/** A call's `reconnecting`: a media error (ICE lost, 53405) is its media reconnecting; the signalling socket's (53001) is the link's, not the media's. */
export function mediaOnReconnecting(code: unknown): MediaState | undefined {
  return code === 53001 ? undefined : "reconnecting";
}

/** Twilio call statuses that end a party's leg: how the consult call ends with them, and the failure's code when it failed. */
const END_BY_STATUS = {
  busy: ["busy", "DESTINATION_BUSY"],
  "no-answer": ["no_answer", undefined],
  failed: ["failed", "VENDOR_ERROR"],
  canceled: ["no_answer", undefined],
  completed: ["remote_hangup", undefined],
} as const satisfies Record<string, readonly [EndReason, CtiErrorCode | undefined]>;

/**
 * A party's Twilio call status (from the backend's party message) as a party
 * state: `in-progress` or `answered` is connected; an end status is
 * disconnected, with the outcome of a consult call it ends (busy and failed
 * carry a failure, the status as vendorCode); anything else (queued,
 * initiated, ringing) changes nothing.
 */
export function partyStatus(status: string): { readonly state: "connected" } | ({ readonly state: "disconnected" } & EndOutcome) | undefined {
  if (status === "in-progress" || status === "answered") return { state: "connected" };
  if (!isKeyOf(END_BY_STATUS, status)) return undefined;
  const [endReason, code] = END_BY_STATUS[status];
  return { state: "disconnected", endReason, ...(code ? { failure: { code, vendorCode: status, message: `The consulted party's call ended ${status} at Twilio.` } } : {}) };
}

/**
 * A user-defined call message: JSON content types are parsed first. The
 * backend's party message comes out; anyone else's message is undefined;
 * content declared JSON that does not parse is "invalid".
 */
export function callMessage(message: { readonly content?: unknown; readonly contentType?: unknown }): PartyStatusMessage | "invalid" | undefined {
  let content = message.content;
  if (isString(content) && /json/.test(String(message.contentType))) {
    try {
      content = JSON.parse(content);
    } catch {
      return "invalid";
    }
  }
  return isPartyStatusMessage(content) ? content : undefined;
}

/** DTMF for the SDK: `,` (a pause) becomes its `w`; only 0-9, `*`, `#` and pauses can be sent (undefined otherwise: A-D are refused). */
export function sdkDigits(digits: string): string | undefined {
  const sdk = digits.replace(/,/g, "w");
  return /^[0-9*#w]+$/.test(sdk) ? sdk : undefined;
}

/** A call's quality warning (`high-rtt`, `low-mos`, …) as a warning signal: code `twilio.<name>`. */
export function callWarning(name: string): { readonly code: string; readonly message: string } {
  return { code: `twilio.${name}`, message: `Call quality warning: ${name}` };
}

/** The parts of a MediaDeviceInfo the audio mapping reads. */
export interface DeviceInfoLike {
  readonly deviceId: string;
  readonly label: string;
}

/** The SDK's name for a device the browser gave no label (AudioHelper#_wrapMediaDeviceInfo). */
const SDK_UNLABELLED = /^Unknown Audio (Input|Output) Device \d+$/;
const DEVICE_WORDS = { input: "Microphone", output: "Speaker" } as const;

/**
 * The SDK's device lists and the ids it uses → the desktop's AudioDevices.
 * Ids the browser hides ("" before the microphone is granted) and ids longer
 * than LIMITS.id are left out, labels are cut to LIMITS.text, at most
 * LIMITS.devices devices (inputs first). An id in use that is not listed (or
 * none) is "default" when that is listed: where the SDK plays and records
 * when it has no choice of its own.
 */
export function audioDevices(inputs: Iterable<DeviceInfoLike>, outputs: Iterable<DeviceInfoLike>, inUse: { input?: string | undefined; output?: string | undefined; ringer?: string | undefined }): AudioDevices {
  const devices: AudioDevice[] = [];
  for (const [kind, list] of [["input", inputs], ["output", outputs]] as const) {
    let unnamed = 0;
    for (const d of list) {
      if (!d.deviceId || d.deviceId.length > LIMITS.id) continue;
      const label = d.label && !SDK_UNLABELLED.test(d.label) ? d.label.slice(0, LIMITS.text) : `${DEVICE_WORDS[kind]} ${++unnamed}`;
      devices.push({ id: d.deviceId, label, kind });
    }
  }
  const listed = devices.slice(0, LIMITS.devices);
  const pick = (kind: AudioDevice["kind"], id: string | undefined): string | undefined => {
    const has = (x: string | undefined) => x !== undefined && listed.some((d) => d.kind === kind && d.id === x);
    return has(id) ? id : has("default") ? "default" : undefined;
  };
  const input = pick("input", inUse.input);
  const output = pick("output", inUse.output);
  const ringer = pick("output", inUse.ringer);
  return { devices: listed, ...(input ? { input } : {}), ...(output ? { output } : {}), ...(ringer ? { ringer } : {}) };
}
