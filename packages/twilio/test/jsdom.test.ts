// @vitest-environment jsdom
// The real @twilio/voice-sdk in jsdom (no WebRTC) against the loopback PStream
// emulator: registration, incoming calls with custom parameters, reject,
// cancel, token errors and refresh, signalling errors and drops.
import { EMULATOR_HOST, redirectSignaling } from "./support/jsdom-signaling.js";
import { startJsdomDesktop, TOKEN } from "./support/jsdom-desktop.js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CtiError, type Desktop } from "@opencti/core";
import { TwilioEmulator, type TwilioEmulatorOptions } from "../src/testing/index.js";
import { createTwilioConnector, type TwilioConnectorOptions } from "../src/index.js";
import { createRecordedDesktop, type RecordedDesktop } from "@opencti/testkit";


let emulator: TwilioEmulator;
let rec: RecordedDesktop;
let desktop: Desktop;

async function setup(emulatorOptions: TwilioEmulatorOptions = {}, connector: Partial<TwilioConnectorOptions> = {}): Promise<void> {
  ({ emulator, rec } = await startJsdomDesktop(emulatorOptions, connector));
  desktop = rec.desktop;
}

async function loggedIn(): Promise<void> {
  await desktop.login({});
  await desktop.setAgentState("ready");
}

afterEach(async () => {
  await desktop?.destroy();
  await emulator?.close();
});

describe("registration", () => {
  beforeEach(() => setup());

  it("login registers the Device and logout unregisters it", async () => {
    await loggedIn();
    expect(emulator.frames("listen")[0]?.token).toBe(TOKEN);
    expect(emulator.frames("register").at(-1)).toMatchObject({ media: { audio: true } });
    expect(desktop.snapshot().agent.state).toBe("ready");
    await desktop.logout();
    expect(emulator.frames("register").at(-1)).toMatchObject({ media: { audio: false } });
    expect(desktop.snapshot().agent.state).toBe("logged_out");
    // The token never shows up in events.
    expect(JSON.stringify(rec.events)).not.toContain("c2VjcmV0");
  });

  it("declares no server-side capabilities without a backend", async () => {
    expect(desktop.capabilities).not.toContain("hold");
    await loggedIn();
    const ringing = rec.next("call.ringing");
    emulator.ring({ sdp: "v=0\r\n" });
    const { call } = await ringing;
    await expect(desktop.hold(call.id)).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    await expect(desktop.blindTransfer(call.id, "+15550100")).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    await desktop.reject(call.id);
  });
});

describe("directory", () => {
  it("offers the directory from its options in the desktop's snapshot", async () => {
    const directory = [{ id: "support", label: "Support queue", kind: "queue", destination: "Support queue" }] as const;
    await setup({}, { directory });
    expect(desktop.snapshot().directory).toEqual(directory);
  });
});

describe("incoming calls", () => {
  beforeEach(async () => {
    await setup();
    await loggedIn();
  });

  it("an invite rings with From, To, CallSid and custom parameters as call data", async () => {
    const ringing = rec.next("call.ringing");
    const sid = emulator.ring({ sdp: "v=0\r\n", from: "+15550101", to: "+15550009999", params: { customerId: "C-42", queue: "Support", callerName: "Ada Lovelace" } });
    const { call } = await ringing;
    expect(call).toMatchObject({ id: sid, vendorCallId: sid, direction: "inbound", state: "ringing", from: "+15550101", to: "+15550009999", queue: "Support", fromName: "Ada Lovelace" });
    expect(call.data).toMatchObject({ customerId: "C-42" });
    expect(call.actions).toEqual(expect.arrayContaining(["answer", "reject"]));
    await desktop.reject(call.id);
  });

  it("reject sends reject to Twilio and ends the call as rejected", async () => {
    const ringing = rec.next("call.ringing");
    const sid = emulator.ring({ sdp: "v=0\r\n" });
    const { call } = await ringing;
    const rejected = emulator.nextFrame("reject");
    await desktop.reject(call.id);
    expect((await rejected).callsid).toBe(sid);
    expect((await rec.next("call.ended", (e) => e.call.id === sid)).call.endReason).toBe("rejected");
    expect(desktop.snapshot().calls).toEqual([]);
  });

  it("a cancel from Twilio (the caller gave up) ends the ringing call as abandoned", async () => {
    const ringing = rec.next("call.ringing");
    const sid = emulator.ring({ sdp: "v=0\r\n" });
    await ringing;
    emulator.cancel(sid);
    expect((await rec.next("call.ended", (e) => e.call.id === sid)).call.endReason).toBe("abandoned");
    await expect(desktop.answer(sid)).rejects.toMatchObject({ code: "INVALID_STATE" });
  });

  // The suite's "microphone denied" scenario blocks the microphone in Chromium; here there is no getUserMedia at all
  // (the SDK's 31402 acquisition failure), and the call's end is checked too: the SDK hung it up, failed, and says why.
  it("answering with no microphone at all (jsdom has no getUserMedia): MEDIA_PERMISSION_DENIED, then the call ends failed with that failure", async () => {
    const ringing = rec.next("call.ringing");
    const sid = emulator.ring({ sdp: "v=0\r\n" });
    await ringing;
    const error = await desktop.answer(sid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CtiError);
    expect((error as CtiError).code).toBe("MEDIA_PERMISSION_DENIED");
    const ended = (await rec.next("call.ended", (e) => e.call.id === sid)).call;
    expect(ended).toMatchObject({ endReason: "failed", failure: { code: "MEDIA_PERMISSION_DENIED", vendorCode: "31402" } });
    expect(ended.parties.every((p) => p.state === "disconnected")).toBe(true);
    expect(desktop.snapshot().link).toBe("connected");
  });

  it("a malformed invite becomes an INVALID_VENDOR_EVENT error and the desktop goes on", async () => {
    emulator.send("invite", { callsid: "CA-broken", parameters: { From: "+15550100" } }); // no SDP
    const error = await rec.next("error", (e) => e.code === "INVALID_VENDOR_EVENT");
    expect(error.retryable).toBe(false);
    const ringing = rec.next("call.ringing");
    const sid = emulator.ring({ sdp: "v=0\r\n" });
    await ringing;
    await desktop.reject(sid);
  });

  it("an unreadable call message becomes an INVALID_VENDOR_EVENT error for that call", async () => {
    const ringing = rec.next("call.ringing");
    const sid = emulator.ring({ sdp: "v=0\r\n" });
    await ringing;
    emulator.message(sid, "{not json");
    const error = await rec.next("error", (e) => e.code === "INVALID_VENDOR_EVENT");
    expect(error.callId).toBe(sid);
    await desktop.reject(sid);
  });

  it("an error frame about one call becomes an error event for that call", async () => {
    const ringing = rec.next("call.ringing");
    const sid = emulator.ring({ sdp: "v=0\r\n" });
    await ringing;
    emulator.error(31000, "Generic error", sid);
    const error = await rec.next("error", (e) => e.callId === sid);
    expect(error.code).toBe("VENDOR_ERROR");
    expect(error.message).toContain("31000");
    await desktop.reject(sid);
  });

  it("error frames from Twilio become typed error events", async () => {
    emulator.error(31005, "Connection error");
    expect((await rec.next("error", (e) => e.message.includes("31005"))).code).toBe("LINK_DOWN");
    emulator.error(53000, "Signaling connection error");
    expect((await rec.next("error", (e) => e.message.includes("53000"))).code).toBe("LINK_DOWN");
  });
});

describe("tokens", () => {
  it("a registration Twilio never answers times out (REQUEST_TIMEOUT) instead of hanging", async () => {
    await setup();
    emulator.unanswered.add("register");
    await expect(desktop.login({})).rejects.toMatchObject({ code: "REQUEST_TIMEOUT" });
  });

  it("a login that timed out leaves the agent logged out: Twilio's late confirmation is taken back, and an offer is declined, not rung", async () => {
    await setup();
    emulator.unanswered.add("register");
    await expect(desktop.login({})).rejects.toMatchObject({ code: "REQUEST_TIMEOUT" });
    emulator.unanswered.delete("register");
    const unregister = emulator.nextFrame("register", (p) => (p.media as { audio?: unknown } | undefined)?.audio === false);
    emulator.send("ready"); // Twilio confirms the first registration late
    await unregister;
    const from = rec.lastSeq();
    const rejected = emulator.nextFrame("reject");
    const sid = emulator.ring({ sdp: "v=0\r\n" });
    expect((await rejected).callsid).toBe(sid);
    expect(rec.events.filter((e) => e.seq > from && e.type.startsWith("call."))).toEqual([]);
    expect(desktop.snapshot().agent.state).toBe("logged_out");
  });

  it("a login retried while Twilio has not answered the first registration yet succeeds when it does", async () => {
    await setup();
    emulator.unanswered.add("register");
    await expect(desktop.login({})).rejects.toMatchObject({ code: "REQUEST_TIMEOUT" });
    emulator.unanswered.delete("register");
    const login = desktop.login({});
    emulator.send("ready");
    await login;
    const ringing = rec.next("call.ringing");
    const sid = emulator.ring({ sdp: "v=0\r\n" });
    expect((await ringing).call.id).toBe(sid);
    await desktop.reject(sid);
  });

  it("a token provider that fails at start reports AUTH_FAILED and a disconnected link", async () => {
    emulator = await TwilioEmulator.start();
    redirectSignaling(emulator.url);
    const conn = createTwilioConnector({ getToken: () => Promise.reject(new Error("token service down")), startRetryDelaysMs: [], deviceOptions: { chunderw: EMULATOR_HOST, publishEvents: false } });
    rec = createRecordedDesktop(conn, { requestTimeoutMs: 1000, timeoutMs: 10_000 });
    desktop = rec.desktop;
    expect((await rec.next("error")).code).toBe("AUTH_FAILED");
    await rec.next("link.changed", (e) => e.link === "disconnected");
  });

  it("after a failed start the token is fetched again, and the Device comes up without a reload", async () => {
    emulator = await TwilioEmulator.start();
    redirectSignaling(emulator.url);
    let calls = 0;
    const getToken = (): Promise<string> => (++calls === 1 ? Promise.reject(new Error("token service down")) : Promise.resolve(TOKEN));
    const conn = createTwilioConnector({ getToken, startRetryDelaysMs: [50], logLevel: "silent", deviceOptions: { chunderw: EMULATOR_HOST, publishEvents: false } });
    rec = createRecordedDesktop(conn, { requestTimeoutMs: 3000, timeoutMs: 10_000 });
    desktop = rec.desktop;
    await rec.next("link.changed", (e) => e.link === "disconnected");
    await rec.next("link.changed", (e) => e.link === "connected");
    expect(calls).toBe(2);
    await desktop.login({});
    expect(emulator.frames("register")).toHaveLength(1);
  });

  it("tokenWillExpire fetches a new token and applies it without a new registration", async () => {
    let n = 0;
    await setup({ ttl: 2 }, { getToken: () => Promise.resolve(`token-${++n}`), deviceOptions: { chunderw: EMULATOR_HOST, publishEvents: false, tokenRefreshMs: 1500 } });
    await loggedIn();
    const ringing = rec.next("call.ringing");
    const sid = emulator.ring({ sdp: "v=0\r\n" });
    await ringing;
    await vi.waitFor(() => expect(emulator.tokens).toContain("token-2"), { timeout: 5000 });
    // The ringing call survived the refresh.
    expect(desktop.getCall(sid)?.state).toBe("ringing");
    await desktop.reject(sid);
    expect(rec.events.filter((e) => e.type === "error")).toEqual([]);
  });

  it("an expired-token error from Twilio is reported as AUTH_FAILED and a fresh token is fetched", async () => {
    let n = 0;
    await setup({}, { getToken: () => Promise.resolve(`token-${++n}`) });
    await loggedIn();
    emulator.error(31205, "JWT token expired");
    expect((await rec.next("error", (e) => e.message.includes("20104"))).code).toBe("AUTH_FAILED");
    await vi.waitFor(() => expect(emulator.tokens).toContain("token-2"), { timeout: 5000 });
  });
});

describe("signalling socket", () => {
  beforeEach(async () => {
    await setup();
    await loggedIn();
  });

  it("dropped and restored: reconnecting, then connected and registered again; a call that rang meanwhile is lost", async () => {
    const ringing = rec.next("call.ringing");
    const sid = emulator.ring({ sdp: "v=0\r\n" });
    await ringing;
    emulator.dropLink();
    await rec.next("link.changed", (e) => e.link === "reconnecting");
    await expect(desktop.setAgentState("break")).rejects.toMatchObject({ code: "LINK_DOWN" });
    const registers = emulator.frames("register").length;
    emulator.restoreLink();
    await rec.next("link.changed", (e) => e.link === "connected" && e.previous === "reconnecting", { timeout: 15_000 });
    expect(emulator.frames("register").length).toBeGreaterThan(registers);
    expect((await rec.next("call.ended", (e) => e.call.id === sid)).call.endReason).toBe("lost");
    await desktop.setAgentState("break");
  });
});
