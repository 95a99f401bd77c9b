// The backend's trust boundaries (issue 18): what a browser request may make
// the official twilio client do, checked against the loopback REST stub (what
// reaches "Twilio" is what the stub records).
import type { IncomingMessage } from "node:http";
import { inspect } from "node:util";
import twilio from "twilio";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createCallControlHandler, type CallControlHandlerOptions } from "../src/index.js";
import { STUB_ACCOUNT_SID, STUB_AUTH_TOKEN, TwilioRestStub, stubAccessToken, type StubConference } from "../src/testing/index.js";
import { startBackend, type BackendInstance, type BackendOptions } from "./support.js";

let stub: TwilioRestStub;
let backend: BackendInstance;
let base = "";

const hex = (c: string) => c.repeat(32);
const ALICE_AGENT = "CA" + hex("a");
const ALICE_CUSTOMER = "CA" + hex("c");
const BOB_AGENT = "CA" + hex("b");
const BOB_CUSTOMER = "CA" + hex("d");
const ALICE = stubAccessToken("alice");
const BOB = stubAccessToken("bob");
let alice: StubConference;
let bob: StubConference;

/** Mounts a handler with the secure defaults (the stub's token authenticator), overridable per test (undefined removes an option). */
const mount = (overrides: BackendOptions = {}): void => backend.mount(overrides);

beforeAll(async () => {
  stub = await TwilioRestStub.start();
  backend = await startBackend(stub);
  base = backend.base;
});
afterAll(async () => {
  await backend.close();
  await stub.close();
});
beforeEach(() => {
  stub.conferences.clear();
  stub.calls.clear();
  stub.stalled.clear();
  alice = stub.addConference({ customerCallSid: ALICE_CUSTOMER, customerNumber: "+15550100", agentCallSid: ALICE_AGENT, agentIdentity: "alice" });
  bob = stub.addConference({ customerCallSid: BOB_CUSTOMER, customerNumber: "+15550101", agentCallSid: BOB_AGENT, agentIdentity: "bob" });
  mount();
});

interface Sent {
  token?: string | undefined;
  headers?: Record<string, string>;
  raw?: string;
}
async function post(operation: string, body: unknown, sent: Sent = {}): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const token = "token" in sent ? sent.token : ALICE;
  const headers: Record<string, string> = { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...sent.headers };
  const res = await fetch(`${base}/${operation}`, { method: "POST", headers, body: sent.raw ?? JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown>, text };
}
/** What the request made the twilio client send to "Twilio". */
async function restCalls<T>(run: () => Promise<T>): Promise<{ result: T; rest: { method: string; path: string }[] }> {
  const before = stub.requests.length;
  const result = await run();
  return { result, rest: stub.requests.slice(before).map(({ method, path }) => ({ method, path })) };
}
const error = (code: string) => ({ json: { error: { code, message: expect.any(String) } } });
const customerOf = (c: StubConference) => [...c.participants.values()].find((p) => p.label === "customer")!;

describe("1. ids are Twilio SIDs before they reach the client", () => {
  const PN = "PN" + hex("e");
  const bad = [
    `..\\..\\..\\IncomingPhoneNumbers\\${PN}`,
    `../../../IncomingPhoneNumbers/${PN}`,
    `%2e%2e/%2e%2e/%2e%2e/IncomingPhoneNumbers/${PN}`,
    `%2E%2E%5C%2E%2E%5CIncomingPhoneNumbers%5C${PN}`,
    "CA" + hex("A"), // Twilio SIDs are lowercase hex
    `${ALICE_AGENT}/../../IncomingPhoneNumbers/${PN}`,
    `${ALICE_AGENT}x`,
    `${ALICE_AGENT}.json`,
    `${ALICE_AGENT}\n`,
    " " + ALICE_AGENT,
    "CF" + hex("a"),
    "CA" + hex("a").slice(1),
  ];

  it.each(bad)("dropParty with partyCallSid %j sends nothing to Twilio (400 INVALID_ARGUMENT)", async (party) => {
    const { result, rest } = await restCalls(() => post("dropParty", { callSid: ALICE_AGENT, partyCallSid: party }));
    expect(result).toMatchObject({ status: 400, ...error("INVALID_ARGUMENT") });
    expect(rest).toEqual([]);
  });

  it.each(bad)("hold, consult and completeTransfer with %j as a CallSid send nothing to Twilio", async (sid) => {
    const { result, rest } = await restCalls(async () => [
      await post("hold", { callSid: sid }),
      await post("consult", { callSid: sid, to: "+15550144" }),
      await post("completeTransfer", { callSid: ALICE_AGENT, consultCallSid: sid }),
      await post("conference", { callSid: ALICE_AGENT, consultCallSid: sid }),
    ]);
    for (const r of result) expect(r).toMatchObject({ status: 400, ...error("INVALID_ARGUMENT") });
    expect(rest).toEqual([]);
  });

  it("a correctly signed status callback naming a non-SID agent call sends nothing to Twilio", async () => {
    const url = `${base}/status?agentCallSid=${encodeURIComponent(`../../IncomingPhoneNumbers/${PN}`)}`;
    const params = { CallSid: "CA" + hex("f"), CallStatus: "completed" };
    const { result, rest } = await restCalls(() =>
      fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilio.getExpectedTwilioSignature(STUB_AUTH_TOKEN, url, params) }, body: new URLSearchParams(params).toString() }),
    );
    expect(result.status).toBe(400);
    expect(rest).toEqual([]);
  });
});

describe("2. an agent acts only on its own call", () => {
  it("alice's token cannot hold, transfer or drop on bob's call (403 AUTH_FAILED), and bob's conference is untouched", async () => {
    const { json } = await post("consult", { callSid: BOB_AGENT, to: "+15550144" }, { token: BOB });
    const bobParty = json.callSid as string;
    const before = [...bob.participants.keys()];
    customerOf(bob).hold = false;
    expect(await post("hold", { callSid: BOB_AGENT })).toMatchObject({ status: 403, ...error("AUTH_FAILED") });
    expect(await post("blindTransfer", { callSid: BOB_AGENT, to: "+15550143" })).toMatchObject({ status: 403, ...error("AUTH_FAILED") });
    expect(await post("dropParty", { callSid: BOB_AGENT, partyCallSid: bobParty })).toMatchObject({ status: 403, ...error("AUTH_FAILED") });
    expect(customerOf(bob).hold).toBe(false);
    expect([...bob.participants.keys()]).toEqual(before);
  });

  it("its own call works, whether Twilio rang the browser (to client:alice) or the browser placed it (from client:alice)", async () => {
    expect(await post("hold", { callSid: ALICE_AGENT })).toMatchObject({ status: 200 });
    expect(customerOf(alice).hold).toBe(true);
    stub.calls.set(ALICE_AGENT, { sid: ALICE_AGENT, from: "client:alice", to: "+15550100", status: "in-progress" });
    expect(await post("resume", { callSid: ALICE_AGENT })).toMatchObject({ status: 200 });
    expect(customerOf(alice).hold).toBe(false);
    // A display name that merely contains the identity is not the identity.
    stub.calls.set(ALICE_AGENT, { sid: ALICE_AGENT, from: "client:alice2", to: "client:malice", status: "in-progress" });
    expect(await post("hold", { callSid: ALICE_AGENT })).toMatchObject({ status: 403, ...error("AUTH_FAILED") });
  });

  it("no token, a forged token or an expired one is 401 AUTH_FAILED before anything reaches Twilio", async () => {
    const forged = ALICE.slice(0, -2) + (ALICE.endsWith("A") ? "BA" : "AA");
    for (const token of [undefined, forged, stubAccessToken("alice", { ttl: -300 })]) {
      const { result, rest } = await restCalls(() => post("hold", { callSid: ALICE_AGENT }, { token }));
      expect(result).toMatchObject({ status: 401, ...error("AUTH_FAILED") });
      expect(rest).toEqual([]);
    }
  });

  it("a party or consult CallSid from another conference is refused, and the agent's leg stays", async () => {
    const { json } = await post("consult", { callSid: BOB_AGENT, to: "+15550144" }, { token: BOB });
    const bobParty = json.callSid as string;
    expect(await post("dropParty", { callSid: ALICE_AGENT, partyCallSid: bobParty })).toMatchObject({ status: 409, ...error("INVALID_STATE") });
    expect(await post("completeTransfer", { callSid: ALICE_AGENT, consultCallSid: bobParty })).toMatchObject({ status: 409, ...error("INVALID_STATE") });
    expect(await post("conference", { callSid: ALICE_AGENT, consultCallSid: bobParty })).toMatchObject({ status: 409, ...error("INVALID_STATE") });
    expect(alice.participants.has(ALICE_AGENT)).toBe(true);
    expect(bob.participants.has(bobParty)).toBe(true);
  });
});

describe("2b. in a shared conference only its owning agent acts", () => {
  /** Bob consults Alice's browser into his conference: her leg (to client:alice) is labelled "consult". */
  async function aliceConsulted(): Promise<string> {
    mount({ destinations: { clients: true } });
    const { status, json } = await post("consult", { callSid: BOB_AGENT, to: "client:alice" }, { token: BOB });
    expect(status).toBe(200);
    const leg = json.callSid as string;
    expect(stub.calls.get(leg)).toMatchObject({ to: "client:alice" });
    return leg;
  }
  const nonGet = (rest: { method: string }[]) => rest.filter((r) => r.method !== "GET");

  it("a consulted agent cannot drop the owning agent, hold or resume the customer, transfer, consult or conference on its leg (403), and nothing changes", async () => {
    const consulted = await aliceConsulted();
    expect(await post("conference", { callSid: BOB_AGENT, consultCallSid: consulted }, { token: BOB })).toMatchObject({ status: 200 });
    expect(customerOf(bob).hold).toBe(false);
    const before = [...bob.participants.keys()];
    const attempts: [string, Record<string, unknown>][] = [
      ["dropParty", { callSid: consulted, partyCallSid: BOB_AGENT }],
      ["dropParty", { callSid: consulted, partyCallSid: BOB_CUSTOMER }],
      ["dropParty", { callSid: consulted, partyCallSid: consulted }],
      ["hold", { callSid: consulted }],
      ["resume", { callSid: consulted }],
      ["blindTransfer", { callSid: consulted, to: "+15550143" }],
      ["consult", { callSid: consulted, to: "+15550144" }],
      ["completeTransfer", { callSid: consulted, consultCallSid: BOB_AGENT }],
      ["conference", { callSid: consulted, consultCallSid: BOB_AGENT }],
    ];
    for (const [operation, body] of attempts) {
      const { result, rest } = await restCalls(() => post(operation, body));
      expect(result, `${operation} ${JSON.stringify(body)}`).toMatchObject({ status: 403, ...error("AUTH_FAILED") });
      expect(nonGet(rest), operation).toEqual([]);
    }
    expect([...bob.participants.keys()]).toEqual(before);
    expect(customerOf(bob).hold).toBe(false);
    // The owner still can: drop the consulted party.
    expect(await post("dropParty", { callSid: BOB_AGENT, partyCallSid: consulted }, { token: BOB })).toMatchObject({ status: 200 });
    expect(bob.participants.has(consulted)).toBe(false);
  });

  it("while the customer is held for the consult, the consulted agent cannot take it off hold", async () => {
    const consulted = await aliceConsulted();
    expect(customerOf(bob).hold).toBe(true);
    expect(await post("resume", { callSid: consulted })).toMatchObject({ status: 403, ...error("AUTH_FAILED") });
    expect(customerOf(bob).hold).toBe(true);
  });

  it("a warm-transferred (consult) or blind-transferred (transfer) leg left alone with the customer gets no call control", async () => {
    const consulted = await aliceConsulted();
    expect(await post("completeTransfer", { callSid: BOB_AGENT, consultCallSid: consulted }, { token: BOB })).toMatchObject({ status: 200 });
    expect([...bob.participants.keys()].sort()).toEqual([BOB_CUSTOMER, consulted].sort());
    expect(await post("hold", { callSid: consulted })).toMatchObject({ status: 403, ...error("AUTH_FAILED") });
    expect(customerOf(bob).hold).toBe(false);

    expect(await post("blindTransfer", { callSid: ALICE_AGENT, to: "client:bob" })).toMatchObject({ status: 200 });
    const transferred = [...alice.participants.values()].find((p) => p.label === "transfer")!.callSid;
    expect(await post("hold", { callSid: transferred }, { token: BOB })).toMatchObject({ status: 403, ...error("AUTH_FAILED") });
    expect(customerOf(alice).hold).toBe(false);
  });

  it("a leg the integrator put in without a consult/transfer label makes the conference's agent ambiguous: refused (409), nothing changes", async () => {
    const extra = "CA" + hex("e");
    stub.addCall({ sid: extra, from: "+15550101", to: "client:alice", status: "in-progress", direction: "outbound-api" });
    bob.participants.set(extra, { callSid: extra, label: "", hold: false, muted: false, status: "connected", to: "client:alice", endConferenceOnExit: false });
    const { result, rest } = await restCalls(() => post("dropParty", { callSid: extra, partyCallSid: BOB_AGENT }));
    expect(result).toMatchObject({ status: 409, ...error("INVALID_STATE") });
    expect(nonGet(rest)).toEqual([]);
    expect(await post("hold", { callSid: BOB_AGENT }, { token: BOB })).toMatchObject({ status: 409, ...error("INVALID_STATE") });
    expect(bob.participants.has(BOB_AGENT)).toBe(true);
    expect(customerOf(bob).hold).toBe(false);
  });

  it("browser-originated calls: the parent call from client:alice is Alice's; the child leg it rang to client:bob is Bob's, not Alice's", async () => {
    const ALICE_PARENT = "CA" + hex("1");
    // Alice's browser placed a call (Twilio sees it inbound, from client:alice) that rang Bob's browser: the child leg is Bob's agent leg.
    stub.addCall({ sid: ALICE_PARENT, from: "client:alice", to: "client:bob", status: "in-progress", direction: "inbound" });
    stub.calls.set(BOB_AGENT, { sid: BOB_AGENT, from: "client:alice", to: "client:bob", status: "in-progress", direction: "outbound-dial", parentCallSid: ALICE_PARENT });
    const { result, rest } = await restCalls(() => post("hold", { callSid: BOB_AGENT }));
    expect(result).toMatchObject({ status: 403, ...error("AUTH_FAILED") });
    expect(nonGet(rest)).toEqual([]);
    expect(await post("dropParty", { callSid: BOB_AGENT, partyCallSid: BOB_CUSTOMER })).toMatchObject({ status: 403 });
    expect(customerOf(bob).hold).toBe(false);
    expect(await post("hold", { callSid: BOB_AGENT }, { token: BOB })).toMatchObject({ status: 200 });
    expect(customerOf(bob).hold).toBe(true);
    // Alice's own outbound call: the parent leg from client:alice, in her conference, is hers (whatever it dialled), not Bob's.
    stub.calls.set(ALICE_AGENT, { sid: ALICE_AGENT, from: "client:alice", to: "client:bob", status: "in-progress", direction: "inbound" });
    expect(await post("hold", { callSid: ALICE_AGENT }, { token: BOB })).toMatchObject({ status: 403, ...error("AUTH_FAILED") });
    expect(await post("hold", { callSid: ALICE_AGENT })).toMatchObject({ status: 200 });
    expect(customerOf(alice).hold).toBe(true);
    // A leg Twilio rang (outbound) is never its `from`'s: a PSTN child of Alice's browser call is not an agent leg of hers.
    stub.calls.set(ALICE_AGENT, { sid: ALICE_AGENT, from: "client:alice", to: "+15550100", status: "in-progress", direction: "outbound-dial", parentCallSid: ALICE_PARENT });
    expect(await post("resume", { callSid: ALICE_AGENT })).toMatchObject({ status: 403, ...error("AUTH_FAILED") });
  });
});

describe("3. closed by default", () => {
  const options = () => ({ client: stub.client(), publicUrl: base, callerId: "+15550001111" });
  it("refuses to build a handler without authenticate or without authToken", () => {
    expect(() => createCallControlHandler({ ...options(), authToken: STUB_AUTH_TOKEN })).toThrow(TypeError);
    expect(() => createCallControlHandler({ ...options(), authenticate: () => Promise.resolve("alice") } as unknown as CallControlHandlerOptions)).toThrow(TypeError);
    expect(() => createCallControlHandler({ ...options() } as unknown as CallControlHandlerOptions)).toThrow(/authenticate/);
  });

  it("insecureAllowAnyAgentForLocalTesting lets any request act on any call (the lab), and says so", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    mount({ authenticate: undefined, insecureAllowAnyAgentForLocalTesting: true });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/insecureAllowAnyAgentForLocalTesting/));
    warn.mockRestore();
    expect(await post("hold", { callSid: BOB_AGENT }, { token: undefined })).toMatchObject({ status: 200 });
    expect(customerOf(bob).hold).toBe(true);
  });
});

describe("4. cross-site requests", () => {
  it("a body that is not application/json is 415 and reaches nobody", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx"]) {
      const { result, rest } = await restCalls(() => post("hold", undefined, { raw: JSON.stringify({ callSid: ALICE_AGENT }), headers: { "content-type": type } }));
      expect(result).toMatchObject({ status: 415, ...error("INVALID_ARGUMENT") });
      expect(rest).toEqual([]);
    }
    expect(await post("hold", { callSid: ALICE_AGENT }, { headers: { "content-type": "application/json; charset=utf-8" } })).toMatchObject({ status: 200 });
  });

  it("an Origin outside allowedOrigins is 403; an allowed one and none (non-browser clients) pass", async () => {
    mount({ allowedOrigins: ["https://crm.example.com"] });
    for (const origin of ["https://evil.example", "null", "https://crm.example.com.evil.example", new URL(base).origin]) {
      const { result, rest } = await restCalls(() => post("hold", { callSid: ALICE_AGENT }, { headers: { origin } }));
      expect(result, origin).toMatchObject({ status: 403, ...error("AUTH_FAILED") });
      expect(rest).toEqual([]);
    }
    expect(await post("hold", { callSid: ALICE_AGENT }, { headers: { origin: "https://crm.example.com" } })).toMatchObject({ status: 200 });
    expect(await post("resume", { callSid: ALICE_AGENT })).toMatchObject({ status: 200 });
  });

  it("allowedOrigins defaults to publicUrl's origin", async () => {
    expect(await post("hold", { callSid: ALICE_AGENT }, { headers: { origin: "https://evil.example" } })).toMatchObject({ status: 403 });
    expect(await post("hold", { callSid: ALICE_AGENT }, { headers: { origin: new URL(base).origin } })).toMatchObject({ status: 200 });
  });
});

describe("5. no secrets or internals leave the handler", () => {
  const SECRETS = ["Basic ", Buffer.from(`${STUB_ACCOUNT_SID}:${STUB_AUTH_TOKEN}`).toString("base64"), STUB_AUTH_TOKEN];

  it("Twilio unreachable: the client gets a fixed VENDOR_ERROR, onError an error without the Basic credentials", async () => {
    const gone = await TwilioRestStub.start();
    const client = gone.client();
    await gone.close();
    const reported: unknown[] = [];
    mount({ client, onError: (e) => reported.push(e) });
    const { status, json, text } = await post("hold", { callSid: ALICE_AGENT });
    expect(status).toBe(502);
    expect(json).toEqual({ error: { code: "VENDOR_ERROR", message: "Twilio request failed" } });
    expect(text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|connect/i);
    expect(reported).toHaveLength(1);
    const dumped = inspect(reported[0], { depth: 20, showHidden: true, getters: true }) + JSON.stringify(reported[0]);
    for (const secret of SECRETS) expect(dumped).not.toContain(secret);
    expect(dumped).toMatch(/ECONNREFUSED/); // the operator still learns why
  });

  it("an authenticate that throws: the client gets a fixed message, onError a scrubbed error", async () => {
    const reported: unknown[] = [];
    const bearer = stubAccessToken("alice");
    mount({
      authenticate: (req: IncomingMessage) => Promise.reject(new Error(`session store redis://admin:hunter2@10.0.0.5:6379 refused ${String(req.headers.authorization)} with Basic ${Buffer.from("u:p4ss").toString("base64")}`)),
      onError: (e) => reported.push(e),
    });
    const { status, json, text } = await post("hold", { callSid: ALICE_AGENT }, { token: bearer });
    expect(status).toBe(500);
    expect(json).toEqual({ error: { code: "VENDOR_ERROR", message: "The call-control backend failed" } });
    expect(text).not.toMatch(/hunter2|10\.0\.0\.5|redis/);
    const dumped = inspect(reported[0], { depth: 20, showHidden: true });
    for (const secret of ["hunter2", bearer, Buffer.from("u:p4ss").toString("base64")]) expect(dumped).not.toContain(secret);
    expect(dumped).toContain("session store");
  });

  it("messages are fixed: nothing the request sent is echoed", async () => {
    const { text } = await post("<img src=x>", { callSid: ALICE_AGENT });
    expect(text).not.toMatch(/img/i);
  });
});

describe("6. destinations, cost and time", () => {
  it("default: E.164 only — no SIP, no client, no SIP headers", async () => {
    for (const to of ["sip:anyone@evil.example", "sip:x@pbx.example.com?X-Inject=1", "client:bob", "15550143", "+0123", "<script>"]) {
      const { result, rest } = await restCalls(() => post("blindTransfer", { callSid: ALICE_AGENT, to }));
      expect(result, to).toMatchObject({ status: 400, ...error("INVALID_DESTINATION") });
      expect(rest.filter((r) => r.method !== "GET")).toEqual([]);
    }
    expect(alice.participants.has(ALICE_AGENT)).toBe(true);
  });

  it("destinations allowlists E.164 prefixes, SIP domains (never headers) and clients; allowDestination sees the agent", async () => {
    const asked: [string, string | undefined][] = [];
    mount({ destinations: { e164Prefixes: ["+1555"], sipDomains: ["pbx.example.com"], clients: true }, allowDestination: (to, identity) => (asked.push([to, identity]), to !== "+15550199") });
    const refused = ["+19005550100", "+445550143", "sip:x@evil.example", "sip:x@pbx.example.com.evil.example", "sip:x@pbx.example.com?X-Inject=1", "sip:x@pbx.example.com;x-header=1", "+15550199"];
    for (const to of refused) expect(await post("consult", { callSid: ALICE_AGENT, to }), to).toMatchObject({ status: 400, ...error("INVALID_DESTINATION") });
    for (const to of ["+15550144", "sip:agent7@pbx.example.com", "client:bob"]) expect((await post("consult", { callSid: ALICE_AGENT, to })).status, to).toBe(200);
    expect(asked).toContainEqual(["client:bob", "alice"]);
    expect([...alice.participants.values()].filter((p) => p.label === "consult").map((p) => p.to)).toEqual(["+15550144", "sip:agent7@pbx.example.com", "client:bob"]);
  });

  it("an unknown CallSid costs one REST request, however many conferences are in progress", async () => {
    for (let i = 0; i < 30; i++) stub.addConference({ customerCallSid: `CA${i.toString(16).padStart(32, "0")}`, customerNumber: "+15550102", agentCallSid: `CA${(i + 100).toString(16).padStart(32, "0")}`, agentIdentity: "carol" });
    const { result, rest } = await restCalls(() => post("hold", { callSid: "CA" + hex("9") }));
    expect(result).toMatchObject({ status: 409, ...error("INVALID_STATE") });
    expect(rest).toHaveLength(1);
  });

  it("with conference status callbacks the agent's conference is found without listing conferences", async () => {
    for (let i = 0; i < 30; i++) stub.addConference({ customerCallSid: `CA${i.toString(16).padStart(32, "0")}`, customerNumber: "+15550102", agentCallSid: `CA${(i + 100).toString(16).padStart(32, "0")}`, agentIdentity: "carol" });
    const mine = stub.addConference({ customerCallSid: "CA" + hex("7"), customerNumber: "+15550103", agentCallSid: "CA" + hex("8"), agentIdentity: "alice", statusCallback: `${base}/conference-status` });
    await stub.settled();
    const { result, rest } = await restCalls(() => post("hold", { callSid: "CA" + hex("8") }));
    expect(result.status).toBe(200);
    expect(customerOf(mine).hold).toBe(true);
    expect(rest.map((r) => r.method + " " + r.path.replace(/^.*Accounts\/AC0+/, ""))).toEqual([`GET /Calls/CA${hex("8")}.json`, `GET /Conferences/${mine.sid}/Participants.json`, `POST /Conferences/${mine.sid}/Participants/CA${hex("7")}.json`]);
  });

  it("the index only believes signed conference callbacks", async () => {
    const res = await fetch(`${base}/conference-status`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "forged" },
      body: new URLSearchParams({ ConferenceSid: bob.sid, CallSid: ALICE_AGENT, StatusCallbackEvent: "participant-join" }).toString(),
    });
    expect(res.status).toBe(403);
  });

  it("without the index, at most maxConferenceScan conferences are searched", async () => {
    mount({ maxConferenceScan: 5 });
    for (let i = 0; i < 30; i++) stub.addConference({ customerCallSid: `CA${i.toString(16).padStart(32, "0")}`, customerNumber: "+15550102", agentCallSid: `CA${(i + 100).toString(16).padStart(32, "0")}`, agentIdentity: "carol" });
    stub.addConference({ customerCallSid: "CA" + hex("7"), customerNumber: "+15550103", agentCallSid: "CA" + hex("8"), agentIdentity: "alice" });
    const { result, rest } = await restCalls(() => post("hold", { callSid: "CA" + hex("8") }));
    expect(result).toMatchObject({ status: 409, ...error("INVALID_STATE") });
    expect(rest.length).toBeLessThanOrEqual(1 + 1 + 5);
  });

  it("an operation Twilio never finishes answers 504 REQUEST_TIMEOUT at operationTimeoutMs", async () => {
    mount({ operationTimeoutMs: 300 });
    stub.stalled.add("hold");
    const started = Date.now();
    expect(await post("consult", { callSid: ALICE_AGENT, to: "+15550144" })).toMatchObject({ status: 504, ...error("REQUEST_TIMEOUT") });
    expect(Date.now() - started).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 300));
    // The consult never went on to dial the party.
    expect([...alice.participants.values()].some((p) => p.label === "consult")).toBe(false);
  });
});
