/**
 * A local stub of the Amazon Connect API endpoints the backend uses, for the
 * official AWS SDK clients (`@aws-sdk/client-connect` and
 * `@aws-sdk/client-connect-contact-lens`, restJson1 over HTTP, both signing for
 * the `connect` service) to talk to on 127.0.0.1: DescribeContact,
 * MonitorContact, SuspendContactRecording, ResumeContactRecording, and Contact
 * Lens' ListRealtimeContactAnalysisSegments (`POST
 * /realtime-contact-analysis/analysis-segments`, JSON body `{ InstanceId,
 * ContactId, MaxResults?, NextToken? }`, as the SDK's serializer sends it;
 * https://docs.aws.amazon.com/contact-lens/latest/APIReference/API_ListRealtimeContactAnalysisSegments.html). It checks each request's
 * shape (a SigV4 `Authorization` header for the `connect` service and an
 * `X-Amz-Date`, any signature accepted; the documented required members and
 * enums; the instance id) and answers in Connect's documented JSON shapes,
 * with the documented errors (`X-Amzn-ErrorType` + `{ "Message" }`):
 * InvalidRequestException 400 for a malformed body, ResourceNotFoundException
 * 404 for an unknown instance, contact or user, InvalidRequestException for a
 * recording operation on a contact that is not recorded,
 * UnrecognizedClientException 403 for credentials it does not know.
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ConnectClient } from "@aws-sdk/client-connect";
import { ConnectContactLensClient } from "@aws-sdk/client-connect-contact-lens";

/** The stub's account, region and credentials (the client it makes signs with these). */
export const STUB_REGION = "us-east-1";
export const STUB_ACCOUNT = "123456789012";
export const STUB_ACCESS_KEY_ID = "AKIASTUBSTUBSTUBSTUB";
export const STUB_SECRET_ACCESS_KEY = "stub-secret-access-key-0123456789abcdef";
export const STUB_INSTANCE_ID = "11111111-2222-3333-4444-555555555555";

export type StubRecording = "active" | "paused" | "off";

export interface StubContact {
  readonly id: string;
  readonly initialContactId: string;
  /** The Connect user id of the agent on the contact (DescribeContact's AgentInfo.Id); none while queued. */
  agentId?: string;
  channel: "VOICE" | "CHAT" | "TASK";
  initiationMethod: string;
  /** Epoch ms; set when the agent left it and after-contact work began (DescribeContact's AgentInfo.AfterContactWorkStartTimestamp). */
  afterContactWorkAt?: number;
  /** Epoch ms; set when the contact ended. */
  disconnectedAt?: number;
  recording: StubRecording;
  /** Contact Lens real-time analysis of the contact; none: ListRealtimeContactAnalysisSegments answers ResourceNotFoundException (not enabled in the flow). */
  contactLens?: StubAnalysis;
}

/**
 * One contact's real-time analysis: `segments` in ListRealtimeContactAnalysisSegments' JSON shape
 * (`{ Transcript?: { Id, ParticipantId, ParticipantRole, Content, BeginOffsetMillis, EndOffsetMillis, Sentiment?,
 * IssuesDetected? }, Categories?: { MatchedCategories, MatchedDetails }, PostContactSummary?: { Status, Content? } }`),
 * appended as the conversation goes; `completed`: the analysis is over (the last page has no NextToken).
 */
export interface StubAnalysis {
  readonly segments: unknown[];
  completed: boolean;
}

export interface StubMonitor {
  /** The supervisor's monitoring contact MonitorContact created (its answer's ContactId). */
  readonly id: string;
  /** The monitored contact. */
  readonly contactId: string;
  readonly userId: string;
  readonly capabilities: readonly string[];
}

export interface StubRequest {
  /** Epoch ms the request arrived. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly authorization: string | undefined;
}

export interface ConnectApiStubEvents {
  /** MonitorContact succeeded: a supervisor's CCP would now show `monitor.id` in silent monitoring. */
  monitor: [monitor: StubMonitor];
  /** A contact's recording changed (suspend / resume). */
  recording: [contact: StubContact];
}

const CAPABILITIES = new Set(["SILENT_MONITOR", "BARGE"]);
const RECORDING_TYPES = new Set(["AGENT", "IVR", "SCREEN"]);

class StubError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new StubError(400, "InvalidRequestException", message);
const notFound = (message: string) => new StubError(404, "ResourceNotFoundException", message);

export class ConnectApiStub extends EventEmitter<ConnectApiStubEvents> {
  readonly contacts = new Map<string, StubContact>();
  readonly users = new Set<string>();
  readonly monitors: StubMonitor[] = [];
  readonly requests: StubRequest[] = [];
  /** Operations (DescribeContact, MonitorContact, SuspendContactRecording, ResumeContactRecording, ListRealtimeContactAnalysisSegments) whose next request is never answered. */
  readonly stalled = new Set<string>();
  private readonly failures = new Map<string, { error: StubError; times: number }>();
  private constructor(
    private readonly server: Server,
    /** `http://127.0.0.1:<port>`: the SDK's `endpoint`. */
    readonly endpoint: string,
    readonly instanceId: string,
  ) {
    super();
  }

  /** Listens on 127.0.0.1 on a free port. */
  static async start(options: { instanceId?: string } = {}): Promise<ConnectApiStub> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const stub = new ConnectApiStub(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, options.instanceId ?? STUB_INSTANCE_ID);
    server.on("request", (req, res) => void stub.serve(req, res));
    return stub;
  }

  /** The official client, pointed at this stub, signing with the stub's credentials (or others: `credentials`). */
  client(credentials: { accessKeyId: string; secretAccessKey: string } = { accessKeyId: STUB_ACCESS_KEY_ID, secretAccessKey: STUB_SECRET_ACCESS_KEY }): ConnectClient {
    return new ConnectClient({ region: STUB_REGION, endpoint: this.endpoint, credentials, maxAttempts: 1 });
  }

  /** The official Contact Lens client, pointed at this stub (same credentials as `client()`). */
  contactLensClient(credentials: { accessKeyId: string; secretAccessKey: string } = { accessKeyId: STUB_ACCESS_KEY_ID, secretAccessKey: STUB_SECRET_ACCESS_KEY }): ConnectContactLensClient {
    return new ConnectContactLensClient({ region: STUB_REGION, endpoint: this.endpoint, credentials, maxAttempts: 1 });
  }

  /** A live voice contact with an agent on it (recording `active` unless said; Contact Lens real-time analysis in progress unless `contactLens: false`). */
  addContact(contact: { id?: string; agentId?: string; recording?: StubRecording; channel?: StubContact["channel"]; initiationMethod?: string; contactLens?: boolean } = {}): StubContact {
    const id = contact.id ?? randomUUID();
    const added: StubContact = {
      id,
      initialContactId: id,
      channel: contact.channel ?? "VOICE",
      initiationMethod: contact.initiationMethod ?? "INBOUND",
      recording: contact.recording ?? "active",
      ...(contact.agentId ? { agentId: contact.agentId } : {}),
      ...(contact.contactLens !== false ? { contactLens: { segments: [], completed: false } } : {}),
    };
    this.contacts.set(id, added);
    if (contact.agentId) this.users.add(contact.agentId);
    return added;
  }

  /** Contact Lens analyzed more of the conversation: segments in the API's JSON shape (StubAnalysis). */
  addSegments(contactId: string, ...segments: unknown[]): void {
    const analysis = this.contacts.get(contactId)?.contactLens;
    if (!analysis) throw new Error(`stub: contact ${contactId} has no Contact Lens analysis`);
    analysis.segments.push(...segments);
  }

  /** The contact ended (DescribeContact's DisconnectTimestamp); its analysis completes too unless `analysisCompleted: false`. */
  endContact(contactId: string, options: { analysisCompleted?: boolean } = {}): void {
    const c = this.contacts.get(contactId);
    if (!c) throw new Error(`stub: no contact ${contactId}`);
    c.disconnectedAt = Date.now();
    if (c.contactLens && options.analysisCompleted !== false) c.contactLens.completed = true;
  }

  /** The next `times` requests of `operation` fail with this documented error, e.g. `("ListRealtimeContactAnalysisSegments", "ThrottlingException", 429)`. */
  failNext(operation: string, type: string, status: number, times = 1): void {
    this.failures.set(operation, { error: new StubError(status, type, `${type} (stub)`), times });
  }

  addUser(userId: string = randomUUID()): string {
    this.users.add(userId);
    return userId;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private arn(kind: string, id: string): string {
    return `arn:aws:connect:${STUB_REGION}:${STUB_ACCOUNT}:instance/${this.instanceId}/${kind}/${id}`;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    let body: unknown = undefined;
    const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", "x-amzn-requestid": randomUUID(), ...headers });
      res.end(JSON.stringify(json));
    };
    try {
      if (raw) {
        try {
          body = JSON.parse(raw);
        } catch {
          throw new StubError(400, "SerializationException", "Could not parse the request body");
        }
      }
      this.requests.push({ at: Date.now(), method: req.method ?? "", path, body, authorization: req.headers.authorization });
      this.checkSignature(req);
      const [operation, run] = this.route(req.method ?? "", path, body);
      if (this.stalled.delete(operation)) return; // never answered: the client's abort or the handler's deadline ends it
      const failure = this.failures.get(operation);
      if (failure) {
        if (--failure.times <= 0) this.failures.delete(operation);
        throw failure.error;
      }
      answer(200, run());
    } catch (error) {
      const e = error instanceof StubError ? error : new StubError(500, "InternalServiceException", "Internal failure");
      answer(e.status, { Message: e.message }, { "x-amzn-errortype": e.type });
    }
  }

  /** SigV4's shape for this service and region (the signature itself is not verified), and the stub's access key. */
  private checkSignature(req: IncomingMessage): void {
    const auth = req.headers.authorization ?? "";
    const date = req.headers["x-amz-date"];
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/connect\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/.exec(auth);
    if (!m || typeof date !== "string" || !/^\d{8}T\d{6}Z$/.test(date) || !date.startsWith(m[2]!) || !m[4]!.split(";").includes("host") || m[3] !== STUB_REGION)
      throw new StubError(403, "IncompleteSignatureException", "The request signature does not conform to AWS standards");
    if (m[1] !== STUB_ACCESS_KEY_ID) throw new StubError(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
  }

  private route(method: string, path: string, body: unknown): [string, () => unknown] {
    const describe = /^\/contacts\/([^/]+)\/([^/]+)$/.exec(path);
    if (method === "GET" && describe) return ["DescribeContact", () => this.describe(decodeURIComponent(describe[1]!), decodeURIComponent(describe[2]!))];
    if (method === "POST" && path === "/contact/monitor") return ["MonitorContact", () => this.monitor(body)];
    if (method === "POST" && path === "/contact/suspend-recording") return ["SuspendContactRecording", () => this.recording(body, "paused")];
    if (method === "POST" && path === "/contact/resume-recording") return ["ResumeContactRecording", () => this.recording(body, "active")];
    if (method === "POST" && path === "/realtime-contact-analysis/analysis-segments") return ["ListRealtimeContactAnalysisSegments", () => this.segments(body)];
    throw new StubError(404, "UnknownOperationException", "Unknown operation");
  }

  private fields(body: unknown, required: readonly string[]): Record<string, unknown> {
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("The request body is not a JSON object");
    const b = body as Record<string, unknown>;
    for (const key of required) if (typeof b[key] !== "string" || b[key] === "" || (b[key]).length > 256) throw invalid(`1 validation error detected: Value at '${key[0]!.toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must not be null`);
    return b;
  }

  private instance(id: unknown): void {
    if (id !== this.instanceId) throw notFound("Instance not found");
  }

  private contact(id: unknown): StubContact {
    const c = typeof id === "string" ? this.contacts.get(id) : undefined;
    if (!c) throw notFound("Contact not found");
    return c;
  }

  /** DescribeContact's answer: `{ Contact: { Arn, Id, InitialContactId, InitiationMethod, Channel, AgentInfo?: { Id, ConnectedToAgentTimestamp, AfterContactWorkStartTimestamp? }, InitiationTimestamp, DisconnectTimestamp? } }` (timestamps in epoch seconds). */
  private describe(instanceId: string, contactId: string): unknown {
    this.instance(instanceId);
    const c = this.contact(contactId);
    return {
      Contact: {
        Arn: this.arn("contact", c.id),
        Id: c.id,
        InitialContactId: c.initialContactId,
        InitiationMethod: c.initiationMethod,
        Channel: c.channel,
        ...(c.agentId ? { AgentInfo: { Id: c.agentId, ConnectedToAgentTimestamp: Math.floor(Date.now() / 1000), ...(c.afterContactWorkAt !== undefined ? { AfterContactWorkStartTimestamp: c.afterContactWorkAt / 1000 } : {}) } } : {}),
        InitiationTimestamp: Math.floor(Date.now() / 1000),
        ...(c.disconnectedAt !== undefined ? { DisconnectTimestamp: c.disconnectedAt / 1000 } : {}),
      },
    };
  }

  /**
   * MonitorContact: `{ InstanceId, ContactId, UserId, AllowedMonitorCapabilities?, ClientToken? }` → `{ ContactId, ContactArn }`.
   * As Connect, it creates the supervisor's own contact (listed in `contacts`): a voice contact with
   * InitiationMethod `MONITOR` whose agent (AgentInfo.Id) is the supervisor, recorded as the monitored one is.
   */
  private monitor(body: unknown): unknown {
    const b = this.fields(body, ["InstanceId", "ContactId", "UserId"]);
    const caps = b.AllowedMonitorCapabilities;
    if (caps !== undefined && (!Array.isArray(caps) || !caps.every((c) => CAPABILITIES.has(c as string)))) throw invalid("AllowedMonitorCapabilities must be SILENT_MONITOR or BARGE");
    if (b.ClientToken !== undefined && (typeof b.ClientToken !== "string" || b.ClientToken.length > 500)) throw invalid("ClientToken is not valid");
    this.instance(b.InstanceId);
    const c = this.contact(b.ContactId);
    if (!this.users.has(b.UserId as string)) throw notFound("User not found");
    if (c.channel !== "VOICE" && c.channel !== "CHAT") throw invalid("Contact channel is not supported for monitoring");
    if (c.disconnectedAt !== undefined) throw invalid("Contact is not active");
    const monitor: StubMonitor = { id: randomUUID(), contactId: c.id, userId: b.UserId as string, capabilities: (caps as string[] | undefined) ?? ["SILENT_MONITOR"] };
    this.monitors.push(monitor);
    this.contacts.set(monitor.id, { id: monitor.id, initialContactId: monitor.id, channel: c.channel, initiationMethod: "MONITOR", agentId: monitor.userId, recording: c.recording });
    this.emit("monitor", monitor);
    return { ContactId: monitor.id, ContactArn: this.arn("contact", monitor.id) };
  }

  /** Suspend/ResumeContactRecording: `{ InstanceId, ContactId, InitialContactId, ContactRecordingType? }` → `{}`. */
  private recording(body: unknown, next: "paused" | "active"): unknown {
    const b = this.fields(body, ["InstanceId", "ContactId", "InitialContactId"]);
    if (b.ContactRecordingType !== undefined && !RECORDING_TYPES.has(b.ContactRecordingType as string)) throw invalid("ContactRecordingType must be AGENT, IVR or SCREEN");
    this.instance(b.InstanceId);
    const c = this.contact(b.ContactId);
    if (b.InitialContactId !== c.initialContactId) throw invalid("InitialContactId does not match the contact");
    if (c.disconnectedAt !== undefined) throw invalid("Contact is not active");
    if (c.recording === "off") throw invalid("The contact is not being recorded");
    if (c.recording !== next) {
      c.recording = next;
      this.emit("recording", c);
    }
    return {};
  }

  /**
   * ListRealtimeContactAnalysisSegments: `{ InstanceId, ContactId, MaxResults? (1–100), NextToken? }` →
   * `{ Segments, NextToken? }`: the segments after the token, at most MaxResults; a NextToken while the analysis is
   * in progress or more segments remain ("more may be available later"), none once it completed and all were listed.
   * A contact without analysis: ResourceNotFoundException. Tokens are opaque and name their contact.
   */
  private segments(body: unknown): unknown {
    const b = this.fields(body, ["InstanceId", "ContactId"]);
    const max = b.MaxResults ?? 100;
    if (typeof max !== "number" || !Number.isInteger(max) || max < 1 || max > 100) throw invalid("MaxResults must be between 1 and 100");
    this.instance(b.InstanceId);
    const c = this.contact(b.ContactId);
    if (!c.contactLens) throw notFound("No real-time analysis for this contact");
    let from = 0;
    if (b.NextToken !== undefined) {
      const token = typeof b.NextToken === "string" && b.NextToken.length <= 131_070 ? /^([^:]+):(\d+)$/.exec(Buffer.from(b.NextToken, "base64url").toString("utf8")) : null;
      if (!token || token[1] !== c.id) throw invalid("NextToken is not valid");
      from = Number(token[2]);
    }
    const all = c.contactLens.segments;
    const page = all.slice(from, from + max);
    const next = from + page.length;
    const more = next < all.length || !c.contactLens.completed;
    return { Segments: page, ...(more ? { NextToken: Buffer.from(`${c.id}:${next}`).toString("base64url") } : {}) };
  }
}
