/**
 * The reference supervisor and recording backend for @opencti/amazon-connect:
 * a Node `http` request handler implementing the connector's JSON contract
 * (README, "HTTP contract") with the official AWS SDK client for Connect
 * (`@aws-sdk/client-connect`): MonitorContact, SuspendContactRecording,
 * ResumeContactRecording, and DescribeContact to check whose contact it is.
 *
 * Trust boundaries (README, "Authorization model"): every browser request is
 * authenticated to a Connect user (`authenticate`); a supervisor may monitor
 * a contact only when `authorizeMonitor` says so (absent: nobody may), for
 * exactly the capabilities asked, and never a contact with no agent yet, its
 * own contact or a monitoring session; an agent may pause or resume only the
 * recording of a live voice contact Connect says it is connected to
 * (DescribeContact's `AgentInfo.Id` is the caller's user id, not a
 * supervisor's monitoring contact, the agent not yet in after-contact work). Ids pass their format check before the SDK sees them;
 * each request ends within a deadline; answers carry fixed messages only.
 *
 * With an agent event stream (`agentStream`, e.g. `@opencti/agent-stream`), it also serves the stream's
 * ticket and events routes, and with `contactLens` follows Contact Lens real-time analysis of the agent's
 * own live contact into that agent's stream (./contact-lens-poller.ts, mapping in ./contact-lens.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { DescribeContactCommand, MonitorContactCommand, ResumeContactRecordingCommand, SuspendContactRecordingCommand, type ConnectClient, type Contact } from "@aws-sdk/client-connect";
import type { AgentStreamEvent } from "./contact-lens.js";
import { ContactLensPollers, type ContactLensOptions } from "./contact-lens-poller.js";
import { ContractError, FAIL, fromConnect, scrubError } from "./contract.js";

/** Connect's monitor capabilities (MonitorContact's AllowedMonitorCapabilities). */
export type MonitorCapability = "SILENT_MONITOR" | "BARGE";

/** Who is calling: the Connect user the browser request is authenticated as. */
export interface Caller {
  /** The Connect user id (a UUID, the last part of the user's ARN): MonitorContact's UserId, compared with DescribeContact's AgentInfo.Id. */
  readonly userId: string;
}

/** What `authorizeMonitor` decides on. */
export interface MonitorRequest {
  readonly caller: Caller;
  readonly contactId: string;
  /** The Connect user id of the agent on the contact (DescribeContact's AgentInfo.Id): never the caller's (a contact without an agent, or the caller's own, is refused before `authorizeMonitor`). */
  readonly agentId: string;
  /**
   * Exactly what MonitorContact will allow for this session (its AllowedMonitorCapabilities): `["SILENT_MONITOR"]`
   * (listen only: the session can never barge) or `["SILENT_MONITOR", "BARGE"]` (may barge now or later, in the
   * supervisor's CCP, without coming back here). Decide on both, e.g. allow BARGE only to those who may barge.
   */
  readonly capabilities: readonly MonitorCapability[];
}

/**
 * The agent event stream the backend serves and publishes to: structurally what `createAgentStream()` of
 * `@opencti/agent-stream` returns (this package does not depend on it). Agent ids are Connect user ids
 * (`authenticate`'s `userId`).
 */
export interface AgentStream {
  /** A short-lived single-use ticket for `GET <base>/events?ticket=` (wire contract v1). */
  issueTicket(agentId: string): Promise<{ ticket: string; expiresInMs: number }>;
  /** Serves `GET <base>/events?ticket=`: the agent's server-sent events (it answers bad tickets itself). */
  handleEvents(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Delivers one event to the agent's open streams (every instance's, with Redis). */
  publish(agentId: string, event: AgentStreamEvent): Promise<void>;
}

export interface ConnectBackendOptions {
  /** An official client: `new ConnectClient({ region })` (credentials from the environment or an IAM role). */
  client: ConnectClient;
  /** The Amazon Connect instance id (a UUID, the last part of the instance ARN). */
  instanceId: string;
  /**
   * The Connect user behind a browser request (e.g. from the integrator's
   * session, mapped to the user's id), or undefined to refuse (401). Required.
   */
  authenticate: (req: IncomingMessage) => Promise<Caller | undefined> | Caller | undefined;
  /**
   * Whether the caller may monitor the contact with these capabilities (e.g.
   * the caller is a supervisor of the agent's hierarchy group). Absent: no one
   * may monitor (403).
   */
  authorizeMonitor?: (request: MonitorRequest) => boolean | Promise<boolean>;
  /** Origins a browser may call from (`Origin` header, exact match). Requests without Origin (non-browser clients) pass. Default: none (every browser origin refused). */
  allowedOrigins?: readonly string[];
  /** Deadline for one request, AWS round trips included → 504 REQUEST_TIMEOUT. Default 10 000. */
  operationTimeoutMs?: number;
  /** Where to report failures, scrubbed of credentials. */
  onError?: (error: Error) => void;
  /**
   * The agent event stream: with it the handler serves `POST <base>/stream-ticket` (authenticated like every
   * operation → `issueTicket(userId)`) and `GET <base>/events` (→ `handleEvents`); without it both are 404.
   */
  agentStream?: AgentStream;
  /**
   * Contact Lens real-time analysis to the agent's stream (needs `agentStream`): `POST <base>/followContactLens`
   * `{ contactId, since? }` starts polling the agent's own live contact (README, "Voice AI"; `since`: ms, see ContactLensPollers.follow). Without it (or without
   * `agentStream`) the operation is 404.
   */
  contactLens?: ContactLensOptions;
}

/** The Node http handler, and `close()` to stop the Contact Lens pollers (on shutdown; they never keep the process alive). */
export interface ConnectBackendHandler {
  (req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): void;
}

type Body = Record<string, unknown>;

const OPERATIONS = ["monitor", "suspendRecording", "resumeRecording", "followContactLens", "stream-ticket"] as const;
type Operation = (typeof OPERATIONS)[number];
const isOperation = (name: string): name is Operation => (OPERATIONS as readonly string[]).includes(name);

/** Connect's contact and user ids are UUIDs. Nothing else reaches the SDK (DescribeContact puts the id in its URL path). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CAPABILITIES: readonly MonitorCapability[] = ["SILENT_MONITOR", "BARGE"];
const MAX_BODY = 16 * 1024;

interface Request {
  body: Body;
  caller: Caller;
  signal: AbortSignal;
}

function contactId(body: Body): string {
  const value = body.contactId;
  if (typeof value !== "string" || value === "") throw FAIL.missing("contactId");
  if (!UUID.test(value)) throw FAIL.notContactId("contactId");
  return value;
}

/** followContactLens' optional `since`: ms from the contact's start, a whole number ≥ 0 (rounded). */
function since(body: Body): number | undefined {
  const value = body.since;
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > Number.MAX_SAFE_INTEGER) throw FAIL.badSince();
  return Math.round(value);
}

function capabilities(body: Body): MonitorCapability[] {
  const value = body.capabilities;
  if (value === undefined) return [...CAPABILITIES];
  if (!Array.isArray(value) || value.length === 0 || value.length > 2 || !value.every((c) => CAPABILITIES.includes(c as MonitorCapability)) || !value.includes("SILENT_MONITOR") || new Set(value).size !== value.length) throw FAIL.badCapabilities();
  return value as MonitorCapability[];
}

async function readBody(req: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw FAIL.tooLarge();
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw FAIL.notJson();
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw FAIL.notJson();
  return body as Body;
}

/**
 * A Node http handler for `POST <base>/monitor`, `<base>/suspendRecording`,
 * `<base>/resumeRecording`, and with the agent stream `<base>/stream-ticket`,
 * `GET <base>/events` and (with Contact Lens too) `POST <base>/followContactLens`
 * (the last path segment names the operation). Throws a TypeError without
 * `authenticate` or `instanceId`, or with bad `contactLens` numbers.
 */
export function createConnectBackendHandler(options: ConnectBackendOptions): ConnectBackendHandler {
  if (typeof options.authenticate !== "function") throw new TypeError("createConnectBackendHandler: authenticate(req) → { userId } is required");
  if (typeof options.instanceId !== "string" || !UUID.test(options.instanceId)) throw new TypeError("createConnectBackendHandler: instanceId must be the Amazon Connect instance id (a UUID)");
  const { client, instanceId } = options;
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const timeoutMs = options.operationTimeoutMs ?? 10_000;
  const report = (error: unknown, secrets: readonly string[] = []): void => {
    try {
      options.onError?.(scrubError(error, secrets));
    } catch {
      // A throwing onError must not change the answer.
    }
  };

  const { agentStream } = options;
  const pollers =
    agentStream && options.contactLens
      ? new ContactLensPollers(options.contactLens, { connect: client, instanceId, publish: (agentId, event) => agentStream.publish(agentId, event), report: (error) => report(error), requestTimeoutMs: timeoutMs })
      : undefined;

  /** One SDK call, bounded by the request's deadline; its failure becomes a contract error. */
  async function aws<T>(r: Request, call: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    if (r.signal.aborted) throw FAIL.timeout();
    try {
      return await call(r.signal);
    } catch (error) {
      if (r.signal.aborted) throw FAIL.timeout();
      const mapped = fromConnect(error);
      if (mapped.status >= 500) report(error);
      throw mapped;
    }
  }

  /** DescribeContact: a live voice contact (no DisconnectTimestamp), else 409. */
  async function liveVoice(r: Request, id: string): Promise<Contact> {
    const out = await aws(r, (abortSignal) => client.send(new DescribeContactCommand({ InstanceId: instanceId, ContactId: id }), { abortSignal }));
    const contact = out.Contact;
    if (!contact || contact.Channel !== "VOICE" || contact.DisconnectTimestamp !== undefined) throw FAIL.notLiveVoice();
    return contact;
  }

  /**
   * The agent's own contact: Connect says the caller is the agent connected to it (AgentInfo.Id),
   * still on it (no AgentInfo.AfterContactWorkStartTimestamp: an agent who left is in after-contact
   * work), and it is a customer's contact, not a supervisor's monitoring one (InitiationMethod MONITOR,
   * whose AgentInfo is the supervisor).
   */
  async function ownContact(r: Request, id: string): Promise<Contact> {
    const contact = await liveVoice(r, id);
    const agent = contact.AgentInfo;
    if (agent?.Id !== r.caller.userId || agent.AfterContactWorkStartTimestamp !== undefined || contact.InitiationMethod === "MONITOR") throw FAIL.notYourContact();
    return contact;
  }

  const operations: Record<Operation, (r: Request) => Promise<Body>> = {
    async monitor(r) {
      const id = contactId(r.body);
      const wanted = capabilities(r.body);
      // A contact Connect does not know (or that is over) is not something to monitor: the target is wrong.
      const contact = await liveVoice(r, id).catch((e: unknown) => {
        throw e instanceof ContractError && e.status === 409 ? FAIL.nothingToMonitor() : e;
      });
      // Only a customer's contact an agent is on, and someone else's: a queued contact has no agent
      // to monitor yet, and a supervisor's own contact or monitoring session is not theirs to watch.
      const agentId = contact.AgentInfo?.Id;
      if (contact.InitiationMethod === "MONITOR") throw FAIL.notACustomerContact();
      if (agentId === undefined || agentId === "") throw FAIL.noAgentToMonitor();
      if (agentId === r.caller.userId) throw FAIL.ownToMonitor();
      const allowed = options.authorizeMonitor ? await options.authorizeMonitor({ caller: r.caller, contactId: id, agentId, capabilities: wanted }) : false;
      if (allowed !== true) throw FAIL.mayNotMonitor();
      const out = await aws(r, (abortSignal) => client.send(new MonitorContactCommand({ InstanceId: instanceId, ContactId: id, UserId: r.caller.userId, AllowedMonitorCapabilities: wanted }), { abortSignal }));
      if (typeof out.ContactId !== "string") throw FAIL.connect();
      return { contactId: out.ContactId, capabilities: wanted };
    },
    async suspendRecording(r) {
      const contact = await ownContact(r, contactId(r.body));
      await aws(r, (abortSignal) => client.send(new SuspendContactRecordingCommand({ InstanceId: instanceId, ContactId: contact.Id!, InitialContactId: contact.InitialContactId ?? contact.Id! }), { abortSignal }));
      return { recording: "paused" };
    },
    async resumeRecording(r) {
      const contact = await ownContact(r, contactId(r.body));
      await aws(r, (abortSignal) => client.send(new ResumeContactRecordingCommand({ InstanceId: instanceId, ContactId: contact.Id!, InitialContactId: contact.InitialContactId ?? contact.Id! }), { abortSignal }));
      return { recording: "active" };
    },
    async followContactLens(r) {
      // Only the agent's own live voice contact: its transcript goes to the caller's stream.
      const id = contactId(r.body);
      const from = since(r.body);
      const contact = await ownContact(r, id);
      const started = pollers!.follow(contact.Id!, r.caller.userId, from);
      return { contactId: contact.Id!, started };
    },
    async "stream-ticket"(r) {
      const { ticket, expiresInMs } = await agentStream!.issueTicket(r.caller.userId);
      return { ticket, expiresInMs };
    },
  };

  /** Operations that exist only with their options. */
  const available = (name: Operation): boolean => (name === "stream-ticket" ? agentStream !== undefined : name === "followContactLens" ? pollers !== undefined : true);

  async function handle(req: IncomingMessage, signal: AbortSignal): Promise<Body> {
    const name = new URL(req.url ?? "/", "http://localhost").pathname.split("/").pop() ?? "";
    if (!isOperation(name) || !available(name)) throw FAIL.unknownOperation();
    if (req.method !== "POST") throw FAIL.postOnly();
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    // application/json only: a cross-site form or beacon cannot send it without a CORS preflight.
    if (type !== "application/json") throw FAIL.notJsonType();
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin)) throw FAIL.origin();
    const body = await readBody(req);
    const caller = await options.authenticate(req);
    if (!caller || typeof caller.userId !== "string" || !UUID.test(caller.userId)) throw FAIL.unauthenticated();
    return operations[name]({ body, caller, signal });
  }

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // The event stream is long-lived (no deadline) and answers for itself: a ticket, not a session, authenticates it.
    if (agentStream && new URL(req.url ?? "/", "http://localhost").pathname.split("/").pop() === "events") {
      if (req.method === "GET") {
        try {
          await agentStream.handleEvents(req, res);
        } catch (error) {
          report(error);
          if (!res.headersSent) {
            res.writeHead(500, { "content-type": "application/json", "cache-control": "no-store" });
            res.end(JSON.stringify({ error: { code: "VENDOR_ERROR", message: "The backend failed" } }));
          }
        }
        return;
      }
      const e = FAIL.getOnly();
      res.writeHead(e.status, { "content-type": "application/json", "cache-control": "no-store", allow: "GET" });
      res.end(JSON.stringify({ error: { code: e.code, message: e.message } }));
      return;
    }
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    let status = 200;
    let body: Body;
    try {
      body = await Promise.race([
        handle(req, deadline.signal),
        new Promise<never>((_, reject) => deadline.signal.addEventListener("abort", () => reject(FAIL.timeout()), { once: true })),
      ]);
    } catch (error) {
      if (!(error instanceof ContractError)) report(error); // a bug or a throwing authenticate: details to the operator only
      else if (error.code === "REQUEST_TIMEOUT") report(new Error(`Amazon Connect backend request ${req.url ?? ""} timed out after ${timeoutMs} ms`));
      const e = error instanceof ContractError ? error : FAIL.internal();
      status = e.status;
      body = { error: { code: e.code, message: e.message } };
    } finally {
      clearTimeout(timer);
    }
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };
  return Object.assign(handler, { close: () => pollers?.close() });
}
