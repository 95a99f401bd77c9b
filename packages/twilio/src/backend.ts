/**
 * The call-control backend port: what the Voice SDK cannot do in the browser
 * (hold, transfers, conference) Twilio does on the server with a Conference
 * and its REST API. The connector declares these capabilities only when a
 * backend is configured.
 */
import { CtiError, isCtiErrorCode, MONITOR_MODES, RECORDING_STATES, type MonitorMode, type RecordingState } from "@opencti/core";
import { httpAgentStream, isRecord, isString, type AgentStreamSource } from "@opencti/core/connector";

/** Every request names the agent's own call leg (the SDK's CallSid). */
export interface CallControlBackend {
  hold(request: { callSid: string }, signal: AbortSignal): Promise<void>;
  resume(request: { callSid: string }, signal: AbortSignal): Promise<void>;
  blindTransfer(request: { callSid: string; to: string }, signal: AbortSignal): Promise<void>;
  /** Holds the customer and dials `to` into the conference; resolves with the new party's CallSid. */
  consult(request: { callSid: string; to: string }, signal: AbortSignal): Promise<{ callSid: string }>;
  /** The consulted party takes the customer; the agent's leg is removed. */
  completeTransfer(request: { callSid: string; consultCallSid: string }, signal: AbortSignal): Promise<void>;
  /** Everyone talks: the customer is taken off hold with the consulted party on. */
  conference(request: { callSid: string; consultCallSid: string }, signal: AbortSignal): Promise<void>;
  /** Removes one party (a consult leg or a conference member) from the agent's conference. */
  dropParty(request: { callSid: string; partyCallSid: string }, signal: AbortSignal): Promise<void>;
  /**
   * Pauses the recording of the agent's call (a PCI pause); resolves with the
   * call's recording state after it (`paused`). Optional: without it the
   * connector refuses NOT_SUPPORTED.
   */
  pauseRecording?(request: { callSid: string }, signal: AbortSignal): Promise<{ recording: RecordingState }>;
  /** Resumes it; resolves with the state after it (`active`). */
  resumeRecording?(request: { callSid: string }, signal: AbortSignal): Promise<{ recording: RecordingState }>;
  /**
   * A supervisor's session on `target` (the watched agent's CallSid) in
   * `mode`: the backend has Twilio dial the supervisor's own Client (an
   * incoming call with the custom parameter `opencti=monitor`) and resolves
   * with that leg's CallSid and the mode it is in.
   */
  monitor?(request: { target: string; mode: MonitorMode }, signal: AbortSignal): Promise<{ callSid: string; mode: MonitorMode }>;
  /** Changes a session's mode (`callSid`: the supervisor's leg); resolves with the mode it is in. */
  setMonitorMode?(request: { callSid: string; mode: MonitorMode }, signal: AbortSignal): Promise<{ mode: MonitorMode }>;
  /**
   * The connector hands over each Voice access token it gets (at start and on
   * every refresh, from `getToken` or `tokenUrl`): the agent's credential for
   * the backend too. Optional.
   */
  useToken?(token: string): void;
  /**
   * The agent event stream this backend serves (wire contract v1: `POST
   * <url>/stream-ticket`, `GET <url>/events`), authenticated like its
   * operations: what `agentStream: true` follows. Optional.
   */
  agentStream?(): AgentStreamSource;
}

/**
 * A party's progress, pushed by the backend to the agent's call as a Twilio
 * user-defined message (Call Message API); the connector reads it from the
 * SDK's `messageReceived`.
 */
export interface PartyStatusMessage {
  readonly opencti: "party";
  readonly callSid: string;
  /** Twilio call statuses: queued, initiated, ringing, in-progress, completed, busy, no-answer, failed, canceled. */
  readonly status: string;
}

export function isPartyStatusMessage(value: unknown): value is PartyStatusMessage {
  return isRecord(value) && value.opencti === "party" && isString(value.callSid) && isString(value.status);
}

export interface HttpCallControlBackendOptions {
  /** Base URL; each operation is `POST <url>/<operation>` with a JSON body. */
  url: string;
  /**
   * Extra headers; never logged. An `Authorization` here replaces the Voice
   * token's (see `voiceToken`). The content type is always application/json
   * whatever these say.
   */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /**
   * When requests carry `Authorization: Bearer <the agent's current Voice
   * access token>` (what @opencti/twilio-backend's accessTokenAuthenticator
   * checks; the connector hands the token over, see `useToken`). The token
   * lets its holder act as the agent on Twilio until it expires, so by
   * default it goes only to a backend on the page's own origin
   * ("same-origin"); "always" for a backend on another origin you trust (it
   * must allow the header in CORS), "never" to authenticate another way.
   */
  voiceToken?: "same-origin" | "always" | "never";
  fetch?: typeof fetch;
}

/**
 * The JSON contract (see README): `POST <url>/<operation>`, body as in
 * CallControlBackend, `200 {…}` on success; otherwise
 * `{ "error": { "code": "<CtiErrorCode>", "message": "…" } }`.
 */
export function createHttpCallControlBackend(options: HttpCallControlBackendOptions): CallControlBackend {
  const base = options.url.replace(/\/+$/, "");
  /** The agent's Voice access token, from the connector (see useToken). */
  let token: string | undefined;
  const mode = options.voiceToken ?? "same-origin";
  const sendToken = mode === "always" || (mode === "same-origin" && typeof location !== "undefined" && new URL(base, location.href).origin === location.origin);
  /** The integrator's headers, and the agent's current Voice token as a Bearer unless they carry their own Authorization. */
  async function authHeaders(): Promise<Headers> {
    const headers = new Headers(await options.headers?.());
    if (token && !headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
    return headers;
  }
  async function post(operation: string, body: Record<string, string>, signal: AbortSignal): Promise<Record<string, unknown>> {
    const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    let response: Response;
    try {
      // Always a JSON content type, whatever the headers say: the backend refuses anything else (415).
      const headers = await authHeaders();
      headers.set("content-type", "application/json");
      response = await doFetch(`${base}/${operation}`, { method: "POST", headers, body: JSON.stringify(body), signal });
    } catch (cause) {
      if (signal.aborted) throw new CtiError("REQUEST_TIMEOUT", `The call-control backend did not answer ${operation} in time`, { cause, request: operation });
      throw new CtiError("VENDOR_ERROR", `The call-control backend is unreachable (${operation})`, { cause, request: operation });
    }
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.ok) return json;
    const error = isRecord(json.error) ? json.error : {};
    const message = isString(error.message) ? error.message : `The call-control backend refused ${operation} (HTTP ${response.status})`;
    throw new CtiError(isCtiErrorCode(error.code) ? error.code : "VENDOR_ERROR", message, { request: operation });
  }
  const done = async (p: Promise<unknown>): Promise<void> => void (await p);
  /** One field of a 200 answer, which must be one of `allowed`. */
  const field = async <T extends string>(p: Promise<Record<string, unknown>>, key: string, allowed: readonly T[], operation: string): Promise<T> => {
    const value = (await p)[key];
    if (!(allowed as readonly unknown[]).includes(value)) throw new CtiError("VENDOR_ERROR", `The call-control backend's answer to ${operation} has no valid "${key}"`, { request: operation });
    return value as T;
  };
  const recording = async (operation: "pauseRecording" | "resumeRecording", r: { callSid: string }, s: AbortSignal) => ({ recording: await field(post(operation, r, s), "recording", RECORDING_STATES, operation) });
  return {
    useToken: (t) => {
      if (sendToken) token = t;
    },
    // Each (re)connection asks for a ticket with the headers of that moment: a refreshed token needs nothing more.
    agentStream: () => httpAgentStream({ url: base, headers: async () => Object.fromEntries(await authHeaders()), ...(options.fetch ? { fetch: options.fetch } : {}) }),
    hold: (r, s) => done(post("hold", r, s)),
    resume: (r, s) => done(post("resume", r, s)),
    blindTransfer: (r, s) => done(post("blindTransfer", r, s)),
    consult: async (r, s) => {
      const json = await post("consult", r, s);
      if (typeof json.callSid !== "string") throw new CtiError("VENDOR_ERROR", "The call-control backend did not return the consult call's CallSid", { request: "consult" });
      return { callSid: json.callSid };
    },
    completeTransfer: (r, s) => done(post("completeTransfer", r, s)),
    conference: (r, s) => done(post("conference", r, s)),
    dropParty: (r, s) => done(post("dropParty", r, s)),
    pauseRecording: (r, s) => recording("pauseRecording", r, s),
    resumeRecording: (r, s) => recording("resumeRecording", r, s),
    monitor: async (r, s) => {
      const json = await post("monitor", r, s);
      if (typeof json.callSid !== "string" || json.callSid === "") throw new CtiError("VENDOR_ERROR", "The call-control backend did not return the session's CallSid", { request: "monitor" });
      return { callSid: json.callSid, mode: await field(Promise.resolve(json), "mode", MONITOR_MODES, "monitor") };
    },
    setMonitorMode: async (r, s) => ({ mode: await field(post("setMonitorMode", r, s), "mode", MONITOR_MODES, "setMonitorMode") }),
  };
}
