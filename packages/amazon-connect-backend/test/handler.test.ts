// The backend with the official AWS SDK client for Connect against the local
// stub of Connect's API (never the real one).
import { createServer, type Server } from "node:http";
import { DescribeContactCommand, MonitorContactCommand } from "@aws-sdk/client-connect";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createConnectBackendHandler, type MonitorRequest } from "../src/index.js";
import { ConnectApiStub, STUB_INSTANCE_ID, STUB_SECRET_ACCESS_KEY } from "../src/testing/index.js";

const AGENT = "aaaaaaaa-0000-4000-8000-000000000001";
const OTHER_AGENT = "aaaaaaaa-0000-4000-8000-000000000002";
const SUPERVISOR = "bbbbbbbb-0000-4000-8000-000000000001";
const TOKENS: Record<string, string> = { "agent-session": AGENT, "other-session": OTHER_AGENT, "supervisor-session": SUPERVISOR };

let stub: ConnectApiStub;
let server: Server;
let base = "";
let authorized: MonitorRequest[] = [];
let allowMonitor = true;
const errors: Error[] = [];

async function listen(handler: ReturnType<typeof createConnectBackendHandler>): Promise<{ server: Server; base: string }> {
  const s = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const address = s.address();
  return { server: s, base: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/connect` };
}

const close = (s: Server) => {
  s.closeAllConnections();
  return new Promise<void>((resolve) => s.close(() => resolve()));
};

beforeAll(async () => {
  stub = await ConnectApiStub.start();
  ({ server, base } = await listen(
    createConnectBackendHandler({
      client: stub.client(),
      instanceId: STUB_INSTANCE_ID,
      authenticate: (req) => {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
        const userId = token ? TOKENS[token] : undefined;
        return userId ? { userId } : undefined;
      },
      authorizeMonitor: (r) => {
        authorized.push(r);
        return allowMonitor && r.caller.userId === SUPERVISOR;
      },
      allowedOrigins: ["https://crm.example.com"],
      operationTimeoutMs: 1500,
      onError: (e) => errors.push(e),
    }),
  ));
});
afterAll(async () => {
  await close(server);
  await stub.close();
});
beforeEach(() => {
  stub.contacts.clear();
  stub.monitors.length = 0;
  stub.requests.length = 0;
  authorized = [];
  allowMonitor = true;
  errors.length = 0;
  stub.addUser(SUPERVISOR);
});

async function post(operation: string, body: unknown, session = "agent-session", headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/${operation}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${session}`, ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("the HTTP contract over the official AWS SDK and the Connect API stub", () => {
  it("suspendRecording / resumeRecording: the agent's own live contact, through SuspendContactRecording / ResumeContactRecording", async () => {
    const contact = stub.addContact({ agentId: AGENT });
    expect(await post("suspendRecording", { contactId: contact.id })).toEqual({ status: 200, json: { recording: "paused" } });
    expect(contact.recording).toBe("paused");
    // DescribeContact first (whose contact it is), then the SDK's request in Connect's shape, SigV4-signed.
    expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /contacts/${STUB_INSTANCE_ID}/${contact.id}`, "POST /contact/suspend-recording"]);
    expect(stub.requests[1]!.body).toEqual({ InstanceId: STUB_INSTANCE_ID, ContactId: contact.id, InitialContactId: contact.id });
    expect(stub.requests[1]!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIA\w+\/\d{8}\/us-east-1\/connect\/aws4_request, /);
    expect(await post("resumeRecording", { contactId: contact.id })).toEqual({ status: 200, json: { recording: "active" } });
    expect(contact.recording).toBe("active");
  });

  it("an agent may not pause another agent's contact, nor one without an agent (403, nothing suspended)", async () => {
    const theirs = stub.addContact({ agentId: OTHER_AGENT });
    const queued = stub.addContact();
    for (const c of [theirs, queued]) expect(await post("suspendRecording", { contactId: c.id })).toEqual({ status: 403, json: { error: { code: "AUTH_FAILED", message: "The contact is not this agent's" } } });
    expect(theirs.recording).toBe("active");
    expect(stub.requests.some((r) => r.path.includes("suspend"))).toBe(false);
  });

  it("Connect's documented errors become fixed contract errors: unknown contact, not recorded, ended, not voice", async () => {
    const gone = { contactId: "cccccccc-0000-4000-8000-00000000dead" };
    expect(await post("suspendRecording", gone)).toEqual({ status: 409, json: { error: { code: "INVALID_STATE", message: "Amazon Connect refused the request for this contact" } } });
    const unrecorded = stub.addContact({ agentId: AGENT, recording: "off" });
    expect((await post("suspendRecording", { contactId: unrecorded.id })).json).toEqual({ error: { code: "INVALID_STATE", message: "Amazon Connect refused the request for this contact" } });
    const ended = stub.addContact({ agentId: AGENT });
    ended.disconnectedAt = Date.now();
    expect((await post("suspendRecording", { contactId: ended.id })).json).toEqual({ error: { code: "INVALID_STATE", message: "The contact is not a live voice contact" } });
    const chat = stub.addContact({ agentId: AGENT, channel: "CHAT" });
    expect((await post("resumeRecording", { contactId: chat.id })).status).toBe(409);
  });

  it("monitor: only when authorizeMonitor says so; MonitorContact for the caller with the capabilities asked", async () => {
    const contact = stub.addContact({ agentId: AGENT });
    const started = await post("monitor", { contactId: contact.id }, "supervisor-session");
    expect(started.status).toBe(200);
    expect(started.json).toEqual({ contactId: stub.monitors[0]!.id, capabilities: ["SILENT_MONITOR", "BARGE"] });
    expect(authorized).toEqual([{ caller: { userId: SUPERVISOR }, contactId: contact.id, agentId: AGENT, capabilities: ["SILENT_MONITOR", "BARGE"] }]);
    const request = stub.requests.find((r) => r.path === "/contact/monitor")!;
    expect(request.body).toMatchObject({ InstanceId: STUB_INSTANCE_ID, ContactId: contact.id, UserId: SUPERVISOR, AllowedMonitorCapabilities: ["SILENT_MONITOR", "BARGE"] });
    // The SDK fills the idempotency token.
    expect((request.body as { ClientToken?: unknown }).ClientToken).toEqual(expect.any(String));
    expect((await post("monitor", { contactId: contact.id, capabilities: ["SILENT_MONITOR"] }, "supervisor-session")).json).toMatchObject({ capabilities: ["SILENT_MONITOR"] });
    // What authorizeMonitor decided on is exactly what MonitorContact allowed: listen only.
    expect(authorized[1]!.capabilities).toEqual(["SILENT_MONITOR"]);
    expect(stub.monitors[1]!.capabilities).toEqual(["SILENT_MONITOR"]);
    // A contact Connect does not know: the target is wrong.
    expect(await post("monitor", { contactId: "cccccccc-0000-4000-8000-00000000dead" }, "supervisor-session")).toEqual({ status: 409, json: { error: { code: "INVALID_DESTINATION", message: "No live voice contact to monitor" } } });
  });

  it("monitor: a queued contact (no agent yet) and the caller's own contact never reach MonitorContact, whatever authorizeMonitor says", async () => {
    const queued = stub.addContact();
    expect(await post("monitor", { contactId: queued.id }, "supervisor-session")).toEqual({ status: 409, json: { error: { code: "INVALID_STATE", message: "The contact has no agent to monitor" } } });
    const own = stub.addContact({ agentId: SUPERVISOR });
    expect(await post("monitor", { contactId: own.id }, "supervisor-session")).toEqual({ status: 403, json: { error: { code: "AUTH_FAILED", message: "A user may not monitor its own contact" } } });
    // A supervisor's monitoring contact is not a customer's call to monitor either.
    const watched = stub.addContact({ agentId: AGENT });
    const session = (await post("monitor", { contactId: watched.id }, "supervisor-session")).json.contactId as string;
    expect(stub.contacts.get(session)).toMatchObject({ initiationMethod: "MONITOR", agentId: SUPERVISOR });
    expect((await post("monitor", { contactId: session }, "supervisor-session")).json).toEqual({ error: { code: "AUTH_FAILED", message: "A monitoring session is not a contact to monitor" } });
    expect(stub.monitors.map((m) => m.contactId)).toEqual([watched.id]);
    expect(authorized.map((r) => r.contactId)).toEqual([watched.id]);
  });

  it("recording: a supervisor's monitoring contact (InitiationMethod MONITOR) and a contact the agent has left (after-contact work) are not the caller's to pause", async () => {
    const contact = stub.addContact({ agentId: AGENT });
    const { json } = await post("monitor", { contactId: contact.id, capabilities: ["SILENT_MONITOR"] }, "supervisor-session");
    const session = stub.contacts.get(json.contactId as string)!;
    // The stub models the contact MonitorContact creates: the supervisor is its agent.
    expect(session).toMatchObject({ initiationMethod: "MONITOR", agentId: SUPERVISOR, recording: "active" });
    expect(await post("suspendRecording", { contactId: session.id }, "supervisor-session")).toEqual({ status: 403, json: { error: { code: "AUTH_FAILED", message: "The contact is not this agent's" } } });
    contact.afterContactWorkAt = Date.now();
    expect(await post("suspendRecording", { contactId: contact.id })).toEqual({ status: 403, json: { error: { code: "AUTH_FAILED", message: "The contact is not this agent's" } } });
    expect(stub.requests.some((r) => r.path.includes("suspend"))).toBe(false);
    expect([contact.recording, session.recording]).toEqual(["active", "active"]);
  });

  it("monitor is denied by default: an agent (authorize says no), and a backend without authorizeMonitor", async () => {
    const contact = stub.addContact({ agentId: OTHER_AGENT });
    expect(await post("monitor", { contactId: contact.id }, "agent-session")).toEqual({ status: 403, json: { error: { code: "AUTH_FAILED", message: "This user may not monitor that contact" } } });
    const bare = await listen(createConnectBackendHandler({ client: stub.client(), instanceId: STUB_INSTANCE_ID, authenticate: () => ({ userId: SUPERVISOR }) }));
    try {
      const res = await fetch(`${bare.base}/monitor`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ contactId: contact.id }) });
      expect(res.status).toBe(403);
    } finally {
      await close(bare.server);
    }
    expect(stub.monitors).toEqual([]);
  });

  it("refuses bad input before any AWS call: no session, bad ids, bad capabilities, wrong type, origin, method, operation, size", async () => {
    const contact = stub.addContact({ agentId: AGENT });
    expect((await post("suspendRecording", { contactId: contact.id }, "nobody")).status).toBe(401);
    expect((await post("suspendRecording", { contactId: "../../instance" })).json).toEqual({ error: { code: "INVALID_ARGUMENT", message: '"contactId" is not an Amazon Connect contact id' } });
    expect((await post("suspendRecording", {})).json).toEqual({ error: { code: "INVALID_ARGUMENT", message: '"contactId" is required' } });
    expect((await post("monitor", { contactId: contact.id, capabilities: ["BARGE"] }, "supervisor-session")).status).toBe(400);
    expect((await post("monitor", { contactId: contact.id, capabilities: ["WHISPER", "SILENT_MONITOR"] }, "supervisor-session")).status).toBe(400);
    expect((await post("suspendRecording", "not json")).status).toBe(400);
    expect((await post("suspendRecording", { contactId: contact.id }, "agent-session", { "content-type": "text/plain" })).status).toBe(415);
    expect((await post("suspendRecording", { contactId: contact.id }, "agent-session", { origin: "https://evil.example" })).status).toBe(403);
    expect((await post("suspendRecording", { contactId: contact.id }, "agent-session", { origin: "https://crm.example.com" })).status).toBe(200);
    expect((await post("transfer", { contactId: contact.id })).status).toBe(404);
    expect((await fetch(`${base}/monitor`)).status).toBe(405);
    expect((await post("monitor", { contactId: contact.id, pad: "x".repeat(20_000) })).status).toBe(413);
    expect(stub.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("refused AWS credentials are AUTH_FAILED 502; the operator hears it scrubbed", async () => {
    const contact = stub.addContact({ agentId: AGENT });
    const wrong = await listen(createConnectBackendHandler({ client: stub.client({ accessKeyId: "AKIAWRONGWRONGWRONG1", secretAccessKey: STUB_SECRET_ACCESS_KEY }), instanceId: STUB_INSTANCE_ID, authenticate: () => ({ userId: AGENT }), onError: (e) => errors.push(e) }));
    try {
      const res = await fetch(`${wrong.base}/suspendRecording`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ contactId: contact.id }) });
      expect(res.status).toBe(502);
      expect(await res.json()).toEqual({ error: { code: "AUTH_FAILED", message: "The backend's AWS credentials were refused" } });
    } finally {
      await close(wrong.server);
    }
    expect(errors.map((e) => e.name)).toContain("UnrecognizedClientException");
    expect(JSON.stringify(errors.map((e) => [e.message, e.stack]))).not.toContain(STUB_SECRET_ACCESS_KEY);
  });

  it("a Connect that does not answer ends in 504 REQUEST_TIMEOUT within the deadline", async () => {
    const contact = stub.addContact({ agentId: AGENT });
    stub.stalled.add("SuspendContactRecording");
    const started = Date.now();
    expect(await post("suspendRecording", { contactId: contact.id })).toEqual({ status: 504, json: { error: { code: "REQUEST_TIMEOUT", message: "Amazon Connect did not answer in time" } } });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(contact.recording).toBe("active");
  });

  it("the stub answers the SDK with Connect's documented shapes and errors", async () => {
    const client = stub.client();
    const contact = stub.addContact({ agentId: AGENT });
    const described = await client.send(new DescribeContactCommand({ InstanceId: STUB_INSTANCE_ID, ContactId: contact.id }));
    expect(described.Contact).toMatchObject({ Id: contact.id, Channel: "VOICE", AgentInfo: { Id: AGENT } });
    expect(described.Contact?.InitiationTimestamp).toBeInstanceOf(Date);
    await expect(client.send(new DescribeContactCommand({ InstanceId: "99999999-2222-3333-4444-555555555555", ContactId: contact.id }))).rejects.toMatchObject({ name: "ResourceNotFoundException", $metadata: { httpStatusCode: 404 } });
    await expect(client.send(new MonitorContactCommand({ InstanceId: STUB_INSTANCE_ID, ContactId: contact.id, UserId: "not-a-user" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    await expect(client.send(new MonitorContactCommand({ InstanceId: STUB_INSTANCE_ID, ContactId: contact.id, UserId: "" }))).rejects.toMatchObject({ name: "InvalidRequestException", $metadata: { httpStatusCode: 400 } });
    // An unsigned request is refused as AWS does.
    const unsigned = await fetch(`${stub.endpoint}/contacts/${STUB_INSTANCE_ID}/${contact.id}`);
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get("x-amzn-errortype")).toBe("IncompleteSignatureException");
  });
});
