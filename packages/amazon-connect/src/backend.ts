/**
 * The backend port: what Streams cannot do in the browser — a supervisor
 * starting to monitor a contact (Connect's MonitorContact), an agent
 * pausing or resuming the call's recording (SuspendContactRecording /
 * ResumeContactRecording), and Voice AI (the agent event stream, Contact
 * Lens real-time analysis of the agent's contacts) — done on a server with
 * Connect's API, e.g. @opencti/amazon-connect-backend. The connector declares
 * `monitor`, `barge` and `recordingControl` only with a backend.
 */
import { CtiError, isCtiErrorCode } from "@opencti/core";
import { httpAgentStream, isRecord, isString, type AgentStreamSource } from "@opencti/core/connector";

/** Connect's monitor capabilities (MonitorContact's AllowedMonitorCapabilities). */
export type MonitorCapability = "SILENT_MONITOR" | "BARGE";

export interface AmazonConnectBackend {
  /** MonitorContact for the signed-in supervisor; resolves with the monitoring contact's id (MonitorContact's ContactId). */
  monitor(request: { contactId: string; capabilities: readonly MonitorCapability[] }, signal: AbortSignal): Promise<{ contactId: string }>;
  /** SuspendContactRecording on the agent's own contact. */
  suspendRecording(request: { contactId: string }, signal: AbortSignal): Promise<void>;
  /** ResumeContactRecording on the agent's own contact. */
  resumeRecording(request: { contactId: string }, signal: AbortSignal): Promise<void>;
  /** The agent's event stream on this backend (what the connector's `agentStream: true` follows). Optional. */
  readonly agentStream?: AgentStreamSource;
  /**
   * Start publishing Contact Lens real-time analysis of the agent's own voice contact to its event stream
   * (idempotent: following a contact already followed is a no-op). Rejects NOT_SUPPORTED when the backend does
   * not offer it. `since`: the end (`endMs`, ms from the contact's start) of the latest transcript segment the desktop
   * showed for the contact, so a new poller does not repeat it nor its insights. Optional.
   */
  followContactLens?(request: { contactId: string; since?: number }, signal: AbortSignal): Promise<void>;
}

export interface HttpAmazonConnectBackendOptions {
  /** Base URL; each operation is `POST <url>/<operation>` with a JSON body (@opencti/amazon-connect-backend's contract). */
  url: string;
  /** Extra headers (the caller's session: `Authorization`, …); never logged. The content type is always application/json. */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  fetch?: typeof fetch;
}

/**
 * The JSON contract (see @opencti/amazon-connect-backend's README): `POST
 * <url>/monitor` `{ contactId, capabilities }` → `{ contactId }`,
 * `<url>/suspendRecording`, `<url>/resumeRecording` and
 * `<url>/followContactLens` `{ contactId, since? }`; otherwise `{ "error": { "code":
 * "<CtiErrorCode>", "message": "…" } }`, rethrown as that CtiError (a 404 from
 * followContactLens as NOT_SUPPORTED: the backend runs without Contact Lens).
 * `agentStream`: `POST <url>/stream-ticket` then `<url>/events?ticket=…`, with
 * the same headers.
 */
export function createHttpAmazonConnectBackend(options: HttpAmazonConnectBackendOptions): AmazonConnectBackend {
  const base = options.url.replace(/\/+$/, "");
  async function post(operation: string, body: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
    const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    let response: Response;
    try {
      const headers = new Headers(await options.headers?.());
      headers.set("content-type", "application/json");
      response = await doFetch(`${base}/${operation}`, { method: "POST", headers, body: JSON.stringify(body), signal });
    } catch (cause) {
      if (signal.aborted) throw new CtiError("REQUEST_TIMEOUT", `The Amazon Connect backend did not answer ${operation} in time`, { cause, request: operation });
      throw new CtiError("VENDOR_ERROR", `The Amazon Connect backend is unreachable (${operation})`, { cause, request: operation });
    }
    const json = (await response.json().catch(() => ({}))) as unknown;
    const record = isRecord(json) ? json : {};
    if (response.ok) return record;
    const error = isRecord(record.error) ? record.error : {};
    const message = isString(error.message) ? error.message.slice(0, 200) : `The Amazon Connect backend refused ${operation} (HTTP ${response.status})`;
    if (response.status === 404 && operation === "followContactLens") throw new CtiError("NOT_SUPPORTED", "The Amazon Connect backend does not follow Contact Lens", { request: operation });
    throw new CtiError(isCtiErrorCode(error.code) ? error.code : "VENDOR_ERROR", message, { request: operation });
  }
  return {
    async monitor(r, s) {
      const json = await post("monitor", { contactId: r.contactId, capabilities: r.capabilities }, s);
      if (!isString(json.contactId) || json.contactId === "") throw new CtiError("VENDOR_ERROR", "The Amazon Connect backend did not return the monitoring contact's id", { request: "monitor" });
      return { contactId: json.contactId };
    },
    suspendRecording: async (r, s) => void (await post("suspendRecording", { contactId: r.contactId }, s)),
    resumeRecording: async (r, s) => void (await post("resumeRecording", { contactId: r.contactId }, s)),
    followContactLens: async (r, s) => void (await post("followContactLens", { contactId: r.contactId, since: r.since }, s)),
    agentStream: httpAgentStream({ url: base, ...(options.headers ? { headers: options.headers } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) }),
  };
}
