/**
 * Every word the panel shows, in one catalog per language. English is built
 * in; German (`de`) and Spanish (`es`) ship as catalogs a host registers
 * (`registerLocale("de", de)`), so a host that uses neither does not download
 * them. A host adds its own language the same way: any strings it leaves out
 * stay English. Core's and the vendors' own messages (a CtiError's text, a
 * failure's reason, the connector's agent-state labels) are shown as they
 * come.
 */
import type { AgentStateKind, AudioUse, CallDirection, CallState, DirectoryKind, EndReason, LinkState, MonitorMode, PartyState, RecordingState, TranscriptSpeaker } from "@opencti/core";
import type { Tone } from "./transcript.js";

/** The insight kinds the catalog names; any other kind shows as the vendor sent it. */
export type NamedInsightKind = "sentiment" | "summary" | "intent" | "suggestion" | "entity" | "issue" | "category";

/** The buttons rendered from `call.actions`. */
export type ButtonAction = "answer" | "reject" | "hangup" | "hold" | "resume" | "mute" | "unmute" | "completeTransfer" | "conference" | "swap";
/** The requests a failure message can name. */
export type RequestWord =
  | "login"
  | "logout"
  | "setAgentState"
  | "dial"
  | ButtonAction
  | "sendDtmf"
  | "blindTransfer"
  | "consult"
  | "dropParty"
  | "completeWrapUp"
  | "selectAudioDevice"
  | "pauseRecording"
  | "resumeRecording"
  | "setMonitorMode";

export interface Messages {
  agentState: Readonly<Record<AgentStateKind, string>>;
  link: Readonly<Record<LinkState, string>>;
  callState: Readonly<Record<CallState, string>>;
  /** How a call ended, in words. */
  endReason: Readonly<Record<EndReason, string>>;
  /** "Inbound", for a call's details line and Recent calls. */
  direction: Readonly<Record<CallDirection, string>>;
  /** "Inbound call", for a call card's accessible name ("Inbound call Ada Lovelace"). */
  directionCall: Readonly<Record<CallDirection, string>>;
  partyState: Readonly<Record<PartyState, string>>;
  action: Readonly<Record<ButtonAction, string>>;
  /** A call button's accessible name, with whose call it is: "Hold Ada Lovelace" (also Call back and Redial). */
  actionOn: (action: string, caller: string) => string;
  /** What a failed request is called, as `couldNot` takes it: "put the call on hold" (German: a whole clause). */
  request: Readonly<Record<RequestWord, string>>;
  /** The default heading. */
  phone: string;
  noConnection: string;
  agent: string;
  agentId: string;
  logIn: string;
  logOut: string;
  status: string;
  statusIs: (state: string) => string;
  timeInState: (state: string, duration: string) => string;
  nextState: (state: string) => string;
  enableNotifications: string;
  dismiss: string;
  dismissError: string;
  /** Live-region announcements. */
  announceIncoming: (caller: string, queue: string | undefined) => string;
  announceEnded: (caller: string, outcome: string) => string;
  announceLink: (link: string) => string;
  /** A change to a call, announced: "On hold: Ada Lovelace". */
  announceCall: (change: string, caller: string) => string;
  resumed: string;
  mutedShort: string;
  unmutedShort: string;
  calls: string;
  incomingCall: string;
  consultWith: (caller: string) => string;
  muted: string;
  onHold: (duration: string) => string;
  reconnectingAudio: string;
  from: (number: string) => string;
  to: (number: string) => string;
  queue: (queue: string) => string;
  callData: string;
  parties: string;
  dropParty: string;
  dropPartyLabel: (party: string) => string;
  keypad: string;
  sendTone: (key: string) => string;
  sent: (digits: string) => string;
  tonesHint: string;
  holdAndAnswer: string;
  holdAndAnswerLabel: (caller: string) => string;
  transfer: string;
  transferTo: string;
  /** The transfer drawer's list of the connector's directory. */
  directory: string;
  directoryKind: Readonly<Record<DirectoryKind, string>>;
  /** Shown when the typed text matches no directory entry. */
  noDirectoryMatch: string;
  /** Typed letters that are no one entry, sent with a directory. */
  pickOrType: string;
  blindTransfer: string;
  consult: string;
  destinationHint: string;
  cannotDial: (value: string) => string;
  wrapUp: string;
  /** A limited wrap-up's countdown: "Wrap-up ends in 0:25". */
  wrapUpEndsIn: (duration: string) => string;
  disposition: string;
  noDisposition: string;
  notes: string;
  done: string;
  dial: string;
  number: string;
  call: string;
  dialPad: string;
  /** An example in the dial field. */
  numberPlaceholder: string;
  typeDigit: (key: string) => string;
  /** "Could not <verb>: <reason>", plus "Try again." when retrying may help. */
  couldNot: (verb: string, reason: string, retryable: boolean) => string;
  unexpected: string;
  answerAfterHoldFailed: string;
  callNotices: string;
  callFrom: (caller: string) => string;
  callTo: (callee: string) => string;
  callBack: string;
  redial: string;
  dismissNotice: (caller: string) => string;
  recentCalls: string;
  clear: string;
  clearRecentCalls: string;
  talked: (duration: string) => string;
  notConnected: string;
  /** The tab title while a call rings in a hidden tab, and the desktop notification's title. */
  ringTitle: (caller: string) => string;
  notificationTitle: string;
  unknownCaller: string;
  /** The device settings: the header button's accessible name and the view's heading. */
  audioDevices: string;
  /** Each device select's label: "Microphone", "Speaker (call audio)", "Ringer". */
  audioUse: Readonly<Record<AudioUse, string>>;
  /** A select with no device of its kind listed. */
  noAudioDevice: string;
  /** Under the selects: where the choice is kept. */
  audioRemembered: string;
  /** A call's recording indicator ("Recording", "Recording paused"), also announced; `off` only announced ("Not recorded"). */
  recording: Readonly<Record<RecordingState, string>>;
  /** The recording buttons (their accessible names add the caller, as `actionOn`). */
  pauseRecording: string;
  resumeRecording: string;
  /** A monitoring session's title: "Monitoring agent-7". */
  monitoring: (target: string) => string;
  /** A monitoring session's mode buttons: Listen, Whisper, Barge. */
  monitorMode: Readonly<Record<MonitorMode, string>>;
  /** The mode buttons' group name. */
  monitorModes: string;
  /** Ends a monitoring session (hangup). */
  leave: string;
  /** On the agent's own call, a supervisor party's badge by its mode ("Supervisor listening"). */
  supervisor: Readonly<Record<MonitorMode, string>>;
  /** A supervisor party whose mode the vendor does not say. */
  supervisorOnCall: string;
  /** The live transcript: its toggle and its list's name. */
  transcript: string;
  /** Who said a line ("You": the agent; on a monitoring session the agent is `agent`). */
  speaker: Readonly<Record<TranscriptSpeaker, string>>;
  /** The insight chips' list name. */
  insights: string;
  /** An insight chip's label by kind. */
  insightKind: Readonly<Record<NamedInsightKind, string>>;
  /** A sentiment's direction. */
  tone: Readonly<Record<Tone, string>>;
}

/** What a host registers: any strings it leaves out stay English (a record's missing keys too). */
export type PartialMessages = { [K in keyof Messages]?: Messages[K] extends (...args: never[]) => string ? Messages[K] : Messages[K] extends object ? Partial<Messages[K]> : Messages[K] };

export const en: Messages = {
  agentState: { logged_out: "Logged out", not_ready: "Not ready", ready: "Ready", busy: "On a call", after_call_work: "After call work", error: "Error" },
  link: { connecting: "Connecting…", connected: "Connected", reconnecting: "Reconnecting…", disconnected: "Disconnected" },
  callState: { ringing: "Ringing", dialing: "Dialing", connected: "Connected", held: "On hold", wrapup: "Wrap-up", ended: "Ended" },
  endReason: {
    local_hangup: "You hung up",
    remote_hangup: "The other side hung up",
    rejected: "Declined",
    missed: "Missed: not answered in time",
    abandoned: "The caller hung up before it was answered",
    busy: "Busy",
    no_answer: "No answer",
    transferred: "Transferred",
    merged: "Merged into the conference",
    failed: "Call failed",
    lost: "Lost track of the call",
    unknown: "Ended",
  },
  direction: { inbound: "Inbound", outbound: "Outbound", consult: "Consult", internal: "Internal", monitor: "Monitoring", unknown: "Call" },
  directionCall: { inbound: "Inbound call", outbound: "Outbound call", consult: "Consult call", internal: "Internal call", monitor: "Monitoring session", unknown: "Call" },
  partyState: { ringing: "ringing", dialing: "dialing", connected: "connected", held: "held", disconnected: "disconnected" },
  action: {
    answer: "Answer",
    reject: "Reject",
    hangup: "Hang up",
    hold: "Hold",
    resume: "Resume",
    mute: "Mute",
    unmute: "Unmute",
    completeTransfer: "Complete transfer",
    conference: "Conference",
    swap: "Swap",
  },
  actionOn: (action, caller) => `${action} ${caller}`,
  request: {
    login: "log in",
    logout: "log out",
    setAgentState: "change your state",
    dial: "place the call",
    answer: "answer",
    reject: "reject the call",
    hangup: "hang up",
    hold: "put the call on hold",
    resume: "resume the call",
    mute: "mute",
    unmute: "unmute",
    sendDtmf: "send the tones",
    blindTransfer: "transfer the call",
    consult: "start the consult call",
    completeTransfer: "complete the transfer",
    conference: "start the conference",
    swap: "swap calls",
    dropParty: "drop the party",
    completeWrapUp: "finish wrap-up",
    selectAudioDevice: "switch the audio device",
    pauseRecording: "pause the recording",
    resumeRecording: "resume the recording",
    setMonitorMode: "change the monitoring mode",
  },
  phone: "Phone",
  noConnection: "No telephony connection.",
  agent: "Agent",
  agentId: "Agent ID",
  logIn: "Log in",
  logOut: "Log out",
  status: "Status",
  statusIs: (state) => `Status: ${state}`,
  timeInState: (state, duration) => `${state} for ${duration}`,
  nextState: (state) => `Next: ${state} (after this call)`,
  enableNotifications: "Turn on desktop notifications",
  dismiss: "Dismiss",
  dismissError: "Dismiss error",
  announceIncoming: (caller, queue) => `Incoming call from ${caller}${queue ? `, queue ${queue}` : ""}`,
  announceEnded: (caller, outcome) => `Call with ${caller} ended. ${outcome}`,
  announceLink: (link) => `Telephony link ${link}`,
  announceCall: (change, caller) => `${change}: ${caller}`,
  resumed: "Resumed",
  mutedShort: "Muted",
  unmutedShort: "Unmuted",
  calls: "Calls",
  incomingCall: "Incoming call",
  consultWith: (caller) => `Consult with ${caller}`,
  muted: "Muted: the other side cannot hear you",
  onHold: (duration) => `On hold ${duration}`,
  reconnectingAudio: "Reconnecting audio…",
  from: (number) => `from ${number}`,
  to: (number) => `to ${number}`,
  queue: (queue) => `queue ${queue}`,
  callData: "Call data",
  parties: "Parties",
  dropParty: "Drop",
  dropPartyLabel: (party) => `Drop ${party}`,
  keypad: "Keypad",
  sendTone: (key) => `Send tone ${key}`,
  sent: (digits) => `Sent: ${digits}`,
  tonesHint: "Tones go to the far end as you press them.",
  holdAndAnswer: "Hold and answer",
  holdAndAnswerLabel: (caller) => `Hold the current call and answer ${caller}`,
  transfer: "Transfer",
  transferTo: "Transfer to",
  directory: "Directory",
  directoryKind: { agent: "Agent", queue: "Queue", number: "Number" },
  noDirectoryMatch: "No match in the directory: type a number or address.",
  pickOrType: "Pick an entry from the directory, or type a full number or SIP address.",
  blindTransfer: "Blind transfer",
  consult: "Consult",
  destinationHint: "Enter a phone number (for example +1 555 010 0199), an extension or a SIP address.",
  cannotDial: (value) => `"${value}" cannot be dialled.`,
  wrapUp: "Wrap-up",
  wrapUpEndsIn: (duration) => `Wrap-up ends in ${duration}`,
  disposition: "Disposition",
  noDisposition: "No disposition",
  notes: "Notes",
  done: "Done",
  dial: "Dial",
  number: "Number",
  call: "Call",
  dialPad: "Dial pad",
  numberPlaceholder: "+1 555 010 0199",
  typeDigit: (key) => `Type ${key}`,
  couldNot: (verb, reason, retryable) => `Could not ${verb}: ${reason}${retryable ? " Try again." : ""}`,
  unexpected: "something unexpected went wrong.",
  answerAfterHoldFailed: "the call could not be answered after holding the other one.",
  callNotices: "Call notices",
  callFrom: (caller) => `Call from ${caller}`,
  callTo: (callee) => `Call to ${callee}`,
  callBack: "Call back",
  redial: "Redial",
  dismissNotice: (caller) => `Dismiss the notice about ${caller}`,
  recentCalls: "Recent calls",
  clear: "Clear",
  clearRecentCalls: "Clear recent calls",
  talked: (duration) => `talked ${duration}`,
  notConnected: "not connected",
  ringTitle: (caller) => `Incoming call: ${caller}`,
  notificationTitle: "Incoming call",
  unknownCaller: "Unknown caller",
  audioDevices: "Audio devices",
  audioUse: { input: "Microphone", output: "Speaker (call audio)", ringer: "Ringer" },
  noAudioDevice: "No device found",
  audioRemembered: "Your choices are remembered in this browser.",
  recording: { active: "Recording", paused: "Recording paused", off: "Not recorded" },
  pauseRecording: "Pause recording",
  resumeRecording: "Resume recording",
  monitoring: (target) => `Monitoring ${target}`,
  monitorMode: { monitor: "Listen", whisper: "Whisper", barge: "Barge" },
  monitorModes: "Monitoring mode",
  leave: "Leave",
  supervisor: { monitor: "Supervisor listening", whisper: "Supervisor coaching", barge: "Supervisor joined" },
  supervisorOnCall: "Supervisor on the call",
  transcript: "Transcript",
  speaker: { agent: "You", customer: "Customer", third_party: "Other party", system: "System" },
  insights: "Insights",
  insightKind: { sentiment: "Sentiment", summary: "Summary", intent: "Intent", suggestion: "Suggestion", entity: "Entity", issue: "Issue", category: "Category" },
  tone: { positive: "positive", neutral: "neutral", negative: "negative" },
};

/** `base` with `over`'s strings (records merged key by key). */
export function mergeMessages(base: Messages, over: PartialMessages): Messages {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const inner = (base as unknown as Record<string, unknown>)[key];
    out[key] = typeof value === "object" && typeof inner === "object" ? { ...inner, ...value } : value;
  }
  return out as unknown as Messages;
}

const catalogs = new Map<string, Messages>([["en", en]]);

/**
 * Makes `messages` the catalog for `locale` ("de", "pt-BR"), over English.
 * A panel whose `locale` (or, without one, the page's `lang`) is that tag, or
 * a tag of that language ("de-AT" finds "de"), shows it.
 */
export function registerLocale(locale: string, messages: PartialMessages): void {
  catalogs.set(locale.toLowerCase(), mergeMessages(en, messages));
  for (const changed of watchers) changed();
}

const watchers = new Set<() => void>();
/** Calls `changed` after each registerLocale (a panel on screen takes its new catalog); returns the way to stop. */
export function watchLocales(changed: () => void): () => void {
  watchers.add(changed);
  return () => void watchers.delete(changed);
}

/** The catalog for `locale`: its own, else its language's, else English; with the tag it found. */
export function messagesFor(locale: string | null | undefined): { locale: string; messages: Messages } {
  const tag = (locale ?? "").toLowerCase();
  for (const candidate of [tag, tag.split("-")[0]!]) {
    const found = catalogs.get(candidate);
    if (found) return { locale: candidate, messages: found };
  }
  return { locale: "en", messages: en };
}
