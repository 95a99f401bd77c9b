// The real @twilio/voice-sdk in Debian Chromium with fake media devices, an
// in-page peer playing Twilio's media server and the PStream emulator playing
// its signalling: answer with media, mute, in-band DTMF, hang-ups, outbound,
// and the Twilio-specific cases (invites while busy, the SDK dropping a call
// on accept, token refresh and socket drops during a call, error frames).
// Outbound failures and a blocked microphone are conformance scenarios.
import { createServer, type Server } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Call, DesktopEvent } from "@opencti/core";
import { createRecordedDesktop } from "@opencti/testkit";
import { mediaBytesReceived, mediaConnection, mediaOffer, mediaState } from "./support/browser.js";
import { openConnector, openSession, startBrowserRig, type BrowserRig, type Session, type SessionOptions } from "./support/chromium-session.js";

let rig: BrowserRig;
let s: Session | undefined;

beforeAll(async () => {
  rig = await startBrowserRig();
});
afterAll(async () => {
  await rig?.close();
});
afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function session(options: SessionOptions = {}): Promise<Session> {
  s = await openSession(rig, options);
  await s.desktop.login({});
  await s.desktop.setAgentState("ready");
  return s;
}

/** Rings the device with a real media offer; resolves with the ringing call. */
async function ring(session: Session, params: Record<string, string> = {}): Promise<Call> {
  const callSid = `CA${Date.now().toString(16)}${Math.random().toString(16).slice(2, 10)}`;
  const sdp = await mediaOffer(session.tp.page, callSid);
  session.emulator.ring({ callSid, sdp, from: "+15550100", params });
  return (await session.next("call.ringing", (e) => e.call.id === callSid)).call;
}

async function answered(session: Session): Promise<Call> {
  const call = await ring(session, { crmTicket: "T-7" });
  await session.desktop.answer(call.id);
  return (await session.next("call.connected", (e) => e.call.id === call.id)).call;
}

const dtmfSent = (session: Session): Promise<string[]> => session.tp.page.evaluate(() => (window as unknown as { __dtmf: string[] }).__dtmf);

describe("calls in Chromium", () => {
  it("answer: SDP answer to Twilio, ICE connected with the media peer, microphone audio flowing", async () => {
    const sess = await session();
    const call = await ring(sess, { crmTicket: "T-7" });
    expect(call.data).toMatchObject({ crmTicket: "T-7" });
    const answerFrame = sess.emulator.nextFrame("answer", (p) => p.callsid === call.id);
    await sess.desktop.answer(call.id);
    expect(String((await answerFrame).sdp)).toMatch(/m=audio/);
    await sess.next("call.connected", (e) => e.call.id === call.id);
    await vi.waitFor(async () => expect(["connected", "completed"]).toContain(await mediaState(sess.tp.page, call.id)), { timeout: 20_000, interval: 100 });
    await vi.waitFor(async () => expect(await mediaConnection(sess.tp.page, call.id)).toBe("connected"), { timeout: 20_000, interval: 100 });
    await vi.waitFor(async () => expect(await mediaBytesReceived(sess.tp.page, call.id)).toBeGreaterThan(0), { timeout: 20_000, interval: 100 });
    await sess.desktop.hangup(call.id);
  });

  it("mute and unmute are local (nothing on the wire); DTMF goes in-band", async () => {
    const sess = await session();
    const call = await answered(sess);
    const frames = sess.emulator.received.length;
    await sess.desktop.mute(call.id);
    expect((await sess.next("call.muted", (e) => e.call.id === call.id)).call.muted).toBe(true);
    await sess.desktop.unmute(call.id);
    expect((await sess.next("call.unmuted", (e) => e.call.id === call.id)).call.muted).toBe(false);
    await sess.desktop.sendDtmf(call.id, "12#");
    await vi.waitFor(async () => expect(await dtmfSent(sess)).toContain("12#"));
    expect(sess.emulator.received.slice(frames).map((f) => f.type)).not.toContain("dtmf");
    await sess.desktop.hangup(call.id);
  });

  it("local hang-up sends hangup for the right CallSid", async () => {
    const sess = await session();
    const call = await answered(sess);
    const hangup = sess.emulator.nextFrame("hangup");
    await sess.desktop.hangup(call.id);
    expect((await hangup).callsid).toBe(call.id);
    expect((await sess.next("call.ended", (e) => e.call.id === call.id)).call.endReason).toBe("local_hangup");
  });

  it("remote hang-up ends the call as remote_hangup", async () => {
    const sess = await session();
    const call = await answered(sess);
    sess.emulator.hangup(call.id);
    expect((await sess.next("call.ended", (e) => e.call.id === call.id)).call.endReason).toBe("remote_hangup");
  });

  it("outbound dial: invite with To, dialing, answered by the far end, then hung up", async () => {
    const sess = await session();
    const id = await sess.desktop.dial("+15550142", { data: { crmCase: "42" } });
    const dialing = (await sess.next("call.dialing", (e) => e.call.id === id)).call;
    expect(dialing.direction).toBe("outbound");
    await vi.waitFor(() => expect(sess.emulator.outbound).toHaveLength(1));
    expect(sess.emulator.outbound[0]!.params).toMatchObject({ To: "+15550142", crmCase: "42" });
    const { callSid, sdp } = await sess.media.outboundAnswer(id);
    sess.emulator.answerOutbound(callSid, sdp);
    await sess.next("call.connected", (e) => e.call.id === id);
    await vi.waitFor(async () => expect(["connected", "completed"]).toContain(await mediaState(sess.tp.page, callSid)), { timeout: 20_000, interval: 100 });
    const hangup = sess.emulator.nextFrame("hangup");
    await sess.desktop.hangup(id);
    expect((await hangup).callsid).toBe(callSid);
  });
});

describe("Twilio-specific", () => {
  it("an invite for a second call while busy is ignored by default (the SDK's rule)", async () => {
    const sess = await session();
    const first = await answered(sess);
    const callSid = "CA" + "b".repeat(32);
    sess.emulator.ring({ callSid, sdp: await mediaOffer(sess.tp.page, callSid) });
    // Frames are handled in order: once a later probe frame has come through, the invite was handled too.
    sess.emulator.error(31000, "probe");
    await sess.next("error", (e) => e.message.includes("31000"));
    // An accepted invite would still be building its Call (async): give it a moment to show up, if it were going to.
    await new Promise((r) => setTimeout(r, 500));
    expect(sess.events.some((e) => e.type === "call.ringing" && e.call.id === callSid)).toBe(false);
    expect(sess.desktop.getCall(first.id)?.state).toBe("connected");
    await sess.desktop.hangup(first.id);
  });

  it("with allowIncomingWhileBusy, accepting a second call makes the SDK hang up the first: that ends local_hangup, not remote_hangup", async () => {
    const sess = await session({ page: { allowIncomingWhileBusy: true } });
    const first = await answered(sess);
    const second = await ring(sess);
    // The desktop never offers this (answer is refused while another call is live): ask the connector itself.
    await expect(sess.desktop.answer(second.id)).rejects.toMatchObject({ code: "INVALID_STATE" });
    const hangup = sess.emulator.nextFrame("hangup", (p) => p.callsid === first.id);
    await sess.connector.answer!({ call: second, signal: new AbortController().signal });
    // The SDK (the Device's beforeAccept) hung the first call up at Twilio: the customer did not.
    await hangup;
    expect((await sess.next("call.ended", (e) => e.call.id === first.id)).call.endReason).toBe("local_hangup");
    await sess.next("call.connected", (e) => e.call.id === second.id);
    await sess.desktop.hangup(second.id);
    expect((await sess.next("call.ended", (e) => e.call.id === second.id)).call.endReason).toBe("local_hangup");
  });

  it("with allowIncomingWhileBusy the second call rings and can be rejected while the first goes on", async () => {
    const sess = await session({ page: { allowIncomingWhileBusy: true } });
    const first = await answered(sess);
    const second = await ring(sess);
    expect(sess.desktop.snapshot().calls.map((c) => c.id)).toEqual([first.id, second.id]);
    await sess.desktop.reject(second.id);
    expect((await sess.next("call.ended", (e) => e.call.id === second.id)).call.endReason).toBe("rejected");
    expect(sess.desktop.getCall(first.id)?.state).toBe("connected");
    await sess.desktop.hangup(first.id);
  });

  it("token expiry during a call: a fresh token is fetched and applied, the call goes on", async () => {
    let n = 0;
    const sess = await session({ emulator: { ttl: 3 }, page: { tokenRefreshMs: 2000 }, nextToken: () => `tok-${++n}.payload.sig` });
    const call = await answered(sess);
    await vi.waitFor(() => expect(sess.emulator.tokens).toContain("tok-2.payload.sig"), { timeout: 8000 });
    expect(sess.desktop.getCall(call.id)?.state).toBe("connected");
    await sess.desktop.mute(call.id);
    await sess.next("call.muted", (e) => e.call.id === call.id);
    await sess.desktop.hangup(call.id);
    expect(JSON.stringify(sess.events)).not.toContain("tok-");
  });

  it("signalling socket dropped and restored during a call: reconnecting, then connected, the call survives", async () => {
    const sess = await session();
    const call = await answered(sess);
    const before = sess.events.filter((e) => "call" in e && e.call.id === call.id).length;
    sess.emulator.dropLink();
    await sess.next("link.changed", (e) => e.link === "reconnecting");
    await expect(sess.desktop.mute(call.id)).rejects.toMatchObject({ code: "LINK_DOWN" });
    sess.emulator.restoreLink();
    await sess.next("link.changed", (e) => e.link === "connected" && e.previous === "reconnecting", { timeout: 20_000 });
    expect(sess.desktop.getCall(call.id)?.state).toBe("connected");
    expect(sess.events.filter((e) => "call" in e && e.call.id === call.id).length).toBe(before);
    const hangup = sess.emulator.nextFrame("hangup");
    await sess.desktop.hangup(call.id);
    expect((await hangup).callsid).toBe(call.id);
  });

  // Issue 12, case 7: the outage is the link's state; the call's own failure meanwhile is still its end.
  it("a 3 s network outage during a call: no error events, the call survives; then a call whose resumption Twilio refuses ends failed with that failure", async () => {
    const sess = await session();
    const call = await answered(sess);
    const from = sess.lastSeq();
    sess.emulator.refuseLink();
    await sess.next("link.changed", (e) => e.link === "reconnecting", { after: from });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(sess.events.filter((e) => e.seq > from && e.type === "error")).toEqual([]);
    expect(sess.desktop.getCall(call.id)?.state).toBe("connected");
    // Back: Twilio refuses the call's resumption (a hangup with an error) before it confirms the registration.
    sess.emulator.unanswered.add("register");
    sess.emulator.unanswered.add("invite");
    const resumed = sess.emulator.nextFrame("invite", (p) => p.callsid === call.id, 20_000);
    sess.emulator.restoreLink();
    await resumed;
    sess.emulator.hangup(call.id, { code: 31005, message: "Error sent from gateway in HANGUP" });
    const ended = (await sess.next("call.ended", (e) => e.call.id === call.id, { after: from })).call;
    expect(ended).toMatchObject({ endReason: "failed", failure: { code: "VENDOR_ERROR", vendorCode: "31005" } });
    expect(sess.events.filter((e) => e.seq > from && e.type === "error").map((e) => (e as { callId?: string }).callId)).toEqual([call.id]);
    sess.emulator.unanswered.delete("register");
    sess.emulator.send("ready");
    await sess.next("link.changed", (e) => e.link === "connected", { after: from, timeout: 20_000 });
  });

  it("an error frame during a call becomes an error event and the call goes on", async () => {
    const sess = await session();
    const call = await answered(sess);
    sess.emulator.error(31000, "Generic error", call.id);
    // The SDK keeps the active call out of device.calls, so it reports this error on the Device only.
    const error = await sess.next("error", (e) => e.message.includes("31000"));
    expect(error.code).toBe("VENDOR_ERROR");
    expect(sess.desktop.getCall(call.id)?.state).toBe("connected");
    await sess.desktop.hangup(call.id);
    await sess.next("call.ended", (e) => e.call.id === call.id);
  });
});

describe("a token URL that cannot be reached (issue 14), in Chromium", () => {
  it("the browser's bare \"Failed to fetch\" becomes one LINK_DOWN naming the URL (no query) and the retry, the link stays connecting; a token service there later: connected and registered", async () => {
    const free = createServer();
    await new Promise<void>((r) => free.listen(0, "127.0.0.1", r));
    const { port } = free.address() as { port: number };
    await new Promise((r) => free.close(r)); // nothing listens there
    const url = `http://127.0.0.1:${port}/twilio/token?agent=alice&key=query-SECRET`;
    const { emulator, connector } = await openConnector(rig, { page: { tokenUrl: url, startRetryDelaysMs: [200, 400] } });
    const started = Date.now();
    const rec = createRecordedDesktop(connector, { requestTimeoutMs: 8000, timeoutMs: 15_000 });
    let service: Server | undefined;
    try {
      const error = await rec.next("error");
      const reportedAfter = Date.now() - started;
      expect(reportedAfter).toBeLessThan(15_000); // the desktop's default request timeout
      expect(error.code).toBe("LINK_DOWN");
      expect(error.message).toBe(`Cannot reach the Twilio token service http://127.0.0.1:${port}/twilio/token (no response: the server is down or unreachable, or the browser blocked the request by CORS or CSP); retrying every 0.4 s.`);
      await new Promise((r) => setTimeout(r, 2000)); // several more attempts
      const errors = (): DesktopEvent[] => rec.events.filter((e) => e.type === "error");
      expect(errors()).toHaveLength(1);
      expect(rec.desktop.snapshot().link).toBe("connecting");
      // The token service comes up there (another origin than the page: CORS with credentials).
      const origin = new URL(rig.pageUrl).origin;
      service = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json", "access-control-allow-origin": origin, "access-control-allow-credentials": "true" }).end(JSON.stringify({ token: "header.payload.signature" })));
      await new Promise<void>((r) => service!.listen(port, "127.0.0.1", r));
      await rec.next("link.changed", (e) => e.link === "connected");
      // The page's events reach Node one binding call each: the warning may land after the link change.
      await rec.next("warning", (e) => e.code === "LINK_RESTORED", { timeout: 5000 });
      expect(rec.events.filter((e) => e.type === "warning").map((e) => (e as { code: string }).code)).toEqual(["LINK_RESTORED"]);
      await rec.desktop.login({});
      expect(emulator.frames("register").length).toBeGreaterThan(0);
      expect(errors()).toHaveLength(1);
      expect(JSON.stringify(rec.events)).not.toMatch(/query-SECRET|alice|Failed to fetch/);
      console.log(`Twilio tokenUrl unreachable in Chromium: LINK_DOWN after ${reportedAfter} ms`);
    } finally {
      await rec.desktop.destroy();
      await emulator.close();
      if (service) await new Promise((r) => service!.close(r));
    }
  });
});
