/**
 * SIP-specific behaviour against the real thing: Kamailio as registrar/proxy,
 * SIPp as the far end, sip.js as the agent's stack, all on 127.0.0.1.
 * What the far end saw on the wire is read from SIPp's <log> lines.
 */
import { createDesktop, CtiError, type Call, type Desktop, type DesktopEvent, type Logger } from "@opencti/core";
import { createRecordedDesktop, waitUntil } from "@opencti/testkit";
import { WebSocketServer } from "ws";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed, vi } from "vitest";
import { createSipConnector, type SipConnectorOptions } from "../src/index.js";
import type { SessionDescriptionHandlerFactory } from "sip.js";
import { EARLY_MEDIA_SDP, freeTcpPort, installNodeWebSocket, labConnectorOptions, nodeMediaHandlers, nodeSessionDescriptionHandlerFactory, startLinkRelay, startSipLab, type CallerSpec, type NodeSessionDescriptionHandler, type SipLab } from "../src/testing/index.js";

let lab: SipLab;
const desktops: Desktop[] = [];

beforeAll(async () => {
  await installNodeWebSocket();
  lab = await startSipLab();
});
afterEach(async () => {
  await Promise.all(desktops.splice(0).map((d) => d.destroy()));
  lab.relay.restore();
});
afterAll(async () => lab?.stop());

const until = <T>(fn: () => T | undefined | false, timeout = 10_000): Promise<T> => waitUntil(fn, { timeout });

async function agent(overrides: Partial<SipConnectorOptions> = {}, { login = true, requestTimeoutMs = 8000 } = {}) {
  const options = labConnectorOptions(lab, overrides);
  const logs: string[] = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => void logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  const logger: Logger = { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
  const { desktop, events, connected, callEvents } = createRecordedDesktop(createSipConnector(options), { requestTimeoutMs, logger, logLevel: "debug", timeoutMs: 10_000 });
  desktops.push(desktop);
  await connected();
  if (login) await desktop.login();
  onTestFailed(() => {
    // What each far end saw, for the failure report.
    const ids = new Set(events.flatMap((e) => ("call" in e ? [(e as { call: Call }).call.vendorCallId] : [])));
    for (const id of ids) console.log(`far end of ${id}:\n${lab.farEndLog(id).join("\n")}\n${lab.farEndErrors(id).slice(-3000)}`);
    console.log(logs.filter((l) => !l.startsWith("debug")).join("\n"));
  });
  const ring = async (spec: Partial<CallerSpec> = {}): Promise<Call> => {
    const { callId } = await lab.ring(options.uri, { from: "+15550100077", ...spec });
    return until(() => desktop.snapshot().calls.find((c) => c.vendorCallId === callId));
  };
  const answered = async (): Promise<Call> => {
    const call = await ring();
    await desktop.answer(call.id);
    return until(() => (desktop.getCall(call.id)?.state === "connected" ? desktop.getCall(call.id) : undefined));
  };
  return { options, desktop, events, logs, callEvents, ring, answered };
}

const ended = (events: DesktopEvent[], id: string): Call | undefined => (events.find((e) => (e.type === "call.ended" || e.type === "call.wrapup") && e.call.id === id) as { call: Call } | undefined)?.call;

describe("registration (digest auth against Kamailio)", () => {
  it("registers with the right password and logs out again", async () => {
    const a = await agent();
    expect(a.desktop.snapshot().agent.state).toBe("ready");
    await a.desktop.logout();
    expect(a.desktop.snapshot().agent.state).toBe("logged_out");
  });

  // That a wrong password is AUTH_FAILED is the conformance suite's "bad credentials" scenario; this is what SIP adds.
  it("a wrong password: the error names the registrar's 401, and no password reaches logs, events or the error", async () => {
    const a = await agent({ password: "not-the-password" }, { login: false });
    const error = await a.desktop.login().catch((e: unknown) => e);
    expect((error as CtiError).message).toMatch(/401/);
    const text = JSON.stringify(a.events) + a.logs.join("\n") + (error as CtiError).message;
    expect(text).not.toContain("not-the-password");
    expect(text).not.toContain(lab.password);
  });

  it("403 Forbidden from the registrar is AUTH_FAILED", async () => {
    const a = await agent({ uri: `sip:blocked-${Date.now()}@${lab.domain}` }, { login: false });
    const error = (await a.desktop.login().catch((e: unknown) => e)) as CtiError;
    expect(error.code).toBe("AUTH_FAILED");
    expect(error.message).toMatch(/403/);
    expect(error.retryable).toBe(false);
  });

  it("an unparseable message from the server becomes an INVALID_VENDOR_EVENT and the link stays up", async () => {
    const garbage = new WebSocketServer({ host: "127.0.0.1", port: 0, handleProtocols: () => "sip" });
    garbage.on("connection", (socket) => setTimeout(() => socket.send("THIS IS NOT SIP\r\n\r\n"), 100));
    await new Promise<void>((r) => garbage.once("listening", () => r()));
    try {
      const port = (garbage.address() as { port: number }).port;
      const a = await agent({ server: `ws://127.0.0.1:${port}` }, { login: false });
      const error = await until(() => a.events.find((e) => e.type === "error"));
      expect(error).toMatchObject({ code: "INVALID_VENDOR_EVENT" });
      expect(a.desktop.snapshot().link).toBe("connected");
    } finally {
      for (const c of garbage.clients) c.terminate();
      await new Promise((r) => garbage.close(r));
    }
  });

  it("a configuration the SIP stack refuses is an error event and a disconnected link, not a throw", async () => {
    const options = labConnectorOptions(lab, { server: "http://not-a-websocket" });
    const desktop = createDesktop({ connector: createSipConnector(options) });
    desktops.push(desktop);
    // start() runs inside createDesktop: read the history rather than subscribe late.
    const error = await until(() => desktop.events().find((e) => e.type === "error"));
    expect(error).toMatchObject({ code: "VENDOR_ERROR" });
    expect(error.type === "error" && error.message).toMatch(/misconfigured/);
    await until(() => desktop.events().some((e) => e.type === "link.changed" && e.link === "disconnected"));
  });

  it("a registrar that never answers is LINK_DOWN, not a hang", async () => {
    const silent = new WebSocketServer({ host: "127.0.0.1", port: 0, handleProtocols: () => "sip" });
    await new Promise<void>((r) => silent.once("listening", () => r()));
    try {
      const port = (silent.address() as { port: number }).port;
      const a = await agent({ server: `ws://127.0.0.1:${port}`, registerTimeoutMs: 700 }, { login: false });
      const started = Date.now();
      const error = (await a.desktop.login().catch((e: unknown) => e)) as CtiError;
      expect(error.code).toBe("LINK_DOWN");
      expect(error.retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const c of silent.clients) c.terminate();
      await new Promise((r) => silent.close(r));
    }
  });

  it("with several servers, a dead first one fails over to the next", async () => {
    const dead = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((r) => dead.once("listening", () => r()));
    const port = (dead.address() as { port: number }).port;
    await new Promise((r) => dead.close(r)); // nothing listens there any more
    const a = await agent({ server: [`ws://127.0.0.1:${port}`, lab.wsUrl], reconnectDelaysMs: [50] });
    expect(a.desktop.snapshot().agent.state).toBe("ready"); // registered through the second server
    expect(a.events.filter((e) => e.type === "error")).toEqual([]); // one dead server of two is not an outage
    const call = await a.ring({ from: "+15550100130" });
    await a.desktop.reject(call.id);
  });

  it("Kamailio restarted while registered: link reconnecting, then re-registered and reachable again", async () => {
    const a = await agent({ reconnectDelaysMs: [200, 400] });
    const after = a.events.at(-1)?.seq ?? 0;
    await lab.kamailio.restart(); // usrloc is in memory: the registration is gone until we register again
    await until(() => a.events.some((e) => e.type === "link.changed" && e.seq > after && e.link === "reconnecting"));
    await until(() => a.events.some((e) => e.type === "link.changed" && e.seq > after && e.link === "connected"), 15_000);
    const call = await a.ring({ from: "+15550100123" });
    expect(call.from).toBe("+15550100123");
    await a.desktop.reject(call.id);
  });

  it("a registration refresh the registrar refuses (403) is AUTH_FAILED and the agent is logged out, not left looking ready", async () => {
    // revoked-* users: the first REGISTER succeeds, any refresh of the binding gets 403.
    const a = await agent({ uri: `sip:revoked-${Date.now()}@${lab.domain}`, registerExpires: 2 });
    expect(a.desktop.snapshot().agent.state).toBe("ready");
    const error = await until(() => a.events.find((e) => e.type === "error"), 15_000);
    expect(error).toMatchObject({ code: "AUTH_FAILED" });
    expect(error.type === "error" && error.message).toMatch(/403/);
    await until(() => a.desktop.snapshot().agent.state === "logged_out");
    await until(() => a.desktop.snapshot().link === "connected");
  });

  it("with unregisterWhenNotReady, not ready unregisters: callers get 404 from the registrar", async () => {
    const a = await agent({ unregisterWhenNotReady: true });
    await a.desktop.setAgentState("not_ready");
    const { callId } = await lab.ring(a.options.uri, { from: "+15550100124" });
    expect(await lab.waitFor(callId, "REFUSED")).toMatch(/ 404$/);
    expect(a.desktop.snapshot().calls).toEqual([]);
    await a.desktop.setAgentState("ready");
    const call = await a.ring({ from: "+15550100125" });
    await a.desktop.reject(call.id);
  });
});

describe("a server that cannot be reached says so (issue 14)", () => {
  /** A desktop on `overrides` that is not waited on to connect; with its log lines. */
  function unconnected(overrides: Partial<SipConnectorOptions>) {
    const logs: string[] = [];
    const record = (level: string) => (message: string, fields?: Record<string, unknown>) => void logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    const logger: Logger = { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
    const options = labConnectorOptions(lab, overrides);
    const desktop = createDesktop({ connector: createSipConnector(options), logger, logLevel: "debug" });
    desktops.push(desktop);
    const of = <T extends DesktopEvent["type"]>(type: T) => desktop.events().filter((e): e is Extract<DesktopEvent, { type: T }> => e.type === type);
    const attempts = () => logs.filter((l) => / (could not connect|reconnect attempt failed) /.test(l)).length;
    return { options, desktop, logs, of, attempts };
  }

  it("a closed port at start: one LINK_DOWN within the timeout naming the server and the retry, over several retries; connected once a server listens there, with no new error", async () => {
    const port = await freeTcpPort(); // nothing listens there
    const started = Date.now();
    const a = unconnected({ server: `ws://127.0.0.1:${port}/ws?access_token=query-SECRET`, reconnectDelaysMs: [100, 300] });
    const error = await until(() => a.of("error")[0], 15_000);
    const reportedAfter = Date.now() - started;
    expect(reportedAfter).toBeLessThan(15_000); // the desktop's default request timeout; in practice the first refused connect, ms later
    expect(error.code).toBe("LINK_DOWN");
    expect(error.message).toBe(`Cannot reach the SIP server ws://127.0.0.1:${port} (the WebSocket connection failed); retrying every 0.3 s.`);
    expect(a.desktop.snapshot().link).toBe("connecting");
    // Several more attempts fail: still that one error, and the link still connecting (no link events at all).
    await until(() => a.attempts() >= 5, 10_000);
    expect(a.of("error")).toHaveLength(1);
    expect(a.of("link.changed")).toEqual([]);
    // A server appears at that address: Kamailio behind a relay listening on the port.
    const relay = await startLinkRelay(lab.kamailio.wsPort, { port });
    try {
      await until(() => a.desktop.snapshot().link === "connected", 10_000);
      expect(a.of("error")).toHaveLength(1);
      expect(a.of("warning").map((w) => [w.code, w.message])).toEqual([["LINK_RESTORED", `Reached the SIP server ws://127.0.0.1:${port} again.`]]);
      await a.desktop.login();
      expect(a.desktop.snapshot().agent.state).toBe("ready");
      await a.desktop.logout();
      const text = JSON.stringify(a.desktop.events()) + a.logs.join("\n");
      expect(text).not.toContain("query-SECRET");
      expect(text).not.toContain(lab.password);
      console.log(`SIP unreachable at start: LINK_DOWN after ${reportedAfter} ms, ${a.attempts()} failed attempts before the server came`);
    } finally {
      await a.desktop.destroy();
      await relay.close();
    }
  });

  it("a connect that hangs (a server that accepts and never answers the WebSocket handshake): LINK_DOWN after reportUnreachableAfterMs", async () => {
    const { createServer } = await import("node:net");
    const sockets = new Set<import("node:net").Socket>();
    const silent = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const port = (silent.address() as { port: number }).port;
      const started = Date.now();
      const a = unconnected({ server: `ws://127.0.0.1:${port}`, reportUnreachableAfterMs: 1500 });
      const error = await until(() => a.of("error")[0], 15_000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      expect(Date.now() - started).toBeLessThan(4000); // before sip.js's own 5 s connect timeout
      expect(error.message).toBe(`Cannot reach the SIP server ws://127.0.0.1:${port} (no answer within 1.5 s); retrying every 0.8 s.`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it("a drop: a server back within seconds is only the link's reconnecting; one that stays away is LINK_DOWN after reportUnreachableAfterMs, once, then LINK_RESTORED", async () => {
    const a = await agent({ reconnectDelaysMs: [100, 200], reportUnreachableAfterMs: 1500 });
    const errors = (after: number) => a.events.filter((e) => e.type === "error" && e.seq > after);
    let after = a.events.at(-1)!.seq;
    lab.relay.cut();
    await until(() => a.events.some((e) => e.type === "link.changed" && e.seq > after && e.link === "reconnecting"));
    await new Promise((r) => setTimeout(r, 500));
    lab.relay.restore();
    await until(() => a.events.some((e) => e.type === "link.changed" && e.seq > after && e.link === "connected"));
    await new Promise((r) => setTimeout(r, 1500));
    expect(errors(after)).toEqual([]);
    expect(a.events.some((e) => e.type === "warning" && e.seq > after)).toBe(false);

    after = a.events.at(-1)!.seq;
    const cut = Date.now();
    lab.relay.cut();
    const error = await until(() => errors(after)[0], 10_000);
    expect(Date.now() - cut).toBeGreaterThanOrEqual(1400);
    expect(error).toMatchObject({ code: "LINK_DOWN", message: `Cannot reach the SIP server ${lab.wsUrl} (the WebSocket connection failed); retrying every 0.2 s.` });
    await new Promise((r) => setTimeout(r, 1000)); // more failed attempts: still one error
    expect(errors(after)).toHaveLength(1);
    lab.relay.restore();
    await until(() => a.events.find((e) => e.type === "warning" && e.seq > after && e.code === "LINK_RESTORED"), 10_000);
    expect(a.desktop.snapshot().link).toBe("connected");
    expect(errors(after)).toHaveLength(1);
    const call = await a.ring({ from: "+15550100140" });
    await a.desktop.reject(call.id);
  });
});

describe("call outcomes on the wire", () => {
  it("reject sends 486 Busy Here by default", async () => {
    const a = await agent();
    const call = await a.ring();
    await a.desktop.reject(call.id);
    expect(await lab.waitFor(call.vendorCallId, "REFUSED")).toMatch(/ 486$/);
    expect(ended(a.events, call.id)?.endReason).toBe("rejected");
  });

  it("reject sends 603 Decline when configured", async () => {
    const a = await agent({ rejectStatusCode: 603 });
    const call = await a.ring();
    await a.desktop.reject(call.id);
    expect(await lab.waitFor(call.vendorCallId, "REFUSED")).toMatch(/ 603$/);
  });

  // The suite's outbound-failure scenarios check the end reason and failure code; this is the SIP status and phrase they carry.
  it.each([
    ["busy", "BUSY", "busy", "486", "Busy Here"],
    ["notFound", "NOTFOUND", "failed", "404", "Not Found"],
    // 183 with SDP, then 503: Kamailio relays a 503 as 500 (RFC 3261 16.7), phrase kept.
    ["unavailable", "UNAVAILABLE", "failed", "500", "Service Unavailable"],
  ] as const)("an outbound call to a %s far end ends with the SIP status as failure.vendorCode and its phrase", async (mode, log, endReason, status, phrase) => {
    const a = await agent();
    const id = await a.desktop.dial(lab.destination(mode));
    const vendorId = a.desktop.getCall(id)?.vendorCallId ?? "";
    const call = await until(() => ended(a.events, id));
    await lab.waitFor(vendorId, log);
    expect(call.endReason).toBe(endReason);
    expect(call.failure?.vendorCode).toBe(status);
    expect(call.failure?.message).toContain(`${status} ${phrase}`);
    expect(call.parties.map((p) => p.state)).toEqual(["disconnected", "disconnected"]);
    expect(a.callEvents(id)).not.toContain("call.connected");
  });

  // A vendor limit, pinned so a change shows: Kamailio 5.6's own ring timer (fr_inv_timer) CANCELs
  // without an RFC 3326 Reason, so the agent's side cannot tell it from a caller who gave up. A proxy
  // that says `Reason: SIP;cause=480` (or 408, or Q.850 18/19) makes it `missed` (the suite's ringTimeout scenario).
  it("Kamailio's own ring timer CANCELs without a Reason: the call ends abandoned, the caller gets 408", async () => {
    const a = await agent();
    const call = await a.ring({ headers: [["X-Ring-Timeout", "1500"]] });
    expect(await lab.waitFor(call.vendorCallId, "REFUSED")).toMatch(/ 408$/);
    const over = await until(() => ended(a.events, call.id));
    expect(over.endReason).toBe("abandoned");
    expect(a.callEvents(call.id)).not.toContain("call.connected");
  });

  it("data attached to a dial travels as prefixed SIP headers", async () => {
    const a = await agent();
    const id = await a.desktop.dial(lab.destination("poke"), { data: { customerId: "C-9", "bad name": "dropped" } });
    const call = a.desktop.getCall(id)!;
    expect(call.data).toEqual({ customerId: "C-9" });
    expect(await lab.waitFor(call.vendorCallId, "INVITEDATA")).toContain("X-Data-customerId: C-9");
    await a.desktop.hangup(id);
  });

  it("a dial the desktop gave up on (media slower than the request timeout) is cancelled, not placed behind its back", async () => {
    let handler: NodeSessionDescriptionHandler | undefined;
    // The browser's microphone prompt answered late: the offer is ready only after the desktop's timeout.
    const slowMedia: SessionDescriptionHandlerFactory = (session, options) => {
      const h = nodeSessionDescriptionHandlerFactory(session, options) as NodeSessionDescriptionHandler;
      const offer = h.getDescription.bind(h);
      h.getDescription = (o) => new Promise((r) => setTimeout(r, 1500)).then(() => offer(o));
      handler = h;
      return h;
    };
    const a = await agent({ sessionDescriptionHandlerFactory: slowMedia }, { requestTimeoutMs: 700 });
    const error = (await a.desktop.dial(lab.destination("poke")).catch((e: unknown) => e)) as CtiError;
    expect(error.code).toBe("REQUEST_TIMEOUT");
    await until(() => handler?.closed); // the INVITE that went out late was cancelled and its dialog ended
    expect(a.desktop.snapshot().calls).toEqual([]);
    expect(a.events.some((e) => e.type === "call.dialing")).toBe(false);
  });

  it("a CANCEL that crosses our answer (the microphone still opening): answer rejects INVALID_STATE and the call ends abandoned", async () => {
    // The media is slow to answer (a browser's microphone prompt), so the caller's CANCEL lands while answer is in flight.
    const slowMedia: SessionDescriptionHandlerFactory = (session, options) => {
      const h = nodeSessionDescriptionHandlerFactory(session, options) as NodeSessionDescriptionHandler;
      const answer = h.getDescription.bind(h);
      h.getDescription = (o) => new Promise((r) => setTimeout(r, 800)).then(() => answer(o));
      return h;
    };
    const a = await agent({ sessionDescriptionHandlerFactory: slowMedia });
    const call = await a.ring();
    const answering = a.desktop.answer(call.id).catch((e: unknown) => e);
    await lab.poke(call.vendorCallId, "XABANDON");
    await lab.waitFor(call.vendorCallId, "ABANDONED"); // the caller got its 487
    expect(((await answering) as CtiError).code).toBe("INVALID_STATE");
    const over = await until(() => ended(a.events, call.id));
    expect(over.endReason).toBe("abandoned");
    expect(a.callEvents(call.id)).not.toContain("call.connected");
  });

  it("hanging up while the far end rings sends CANCEL", async () => {
    const a = await agent();
    const id = await a.desktop.dial(lab.destination("poke"));
    const call = await until(() => (a.desktop.getCall(id)?.parties.find((p) => p.id === "remote")?.state === "ringing" ? a.desktop.getCall(id) : undefined));
    await a.desktop.hangup(id);
    await lab.waitFor(call.vendorCallId, "CANCELLED");
    await until(() => ended(a.events, id));
    expect(ended(a.events, id)?.endReason).toBe("local_hangup");
  });

  it("an INVITE with an unreadable SDP is refused with 488 and becomes an INVALID_VENDOR_EVENT", async () => {
    const a = await agent();
    const { callId } = await lab.ring(a.options.uri, { from: "+15550100126", body: { contentType: "application/sdp", content: "<b>not sdp</b>" } });
    expect(await lab.waitFor(callId, "REFUSED")).toMatch(/ 488$/);
    const error = await until(() => a.events.find((e) => e.type === "error"));
    expect(error).toMatchObject({ code: "INVALID_VENDOR_EVENT" });
    expect(a.desktop.snapshot().calls).toEqual([]);
    expect(a.desktop.snapshot().link).toBe("connected");
  });

  it("caller text stays text: a display name with markup and quotes arrives verbatim", async () => {
    const a = await agent();
    const call = await a.ring({ fromName: `<img src=x onerror=alert(1)> "Bob"` });
    expect(call.fromName).toBe(`<img src=x onerror=alert(1)> "Bob"`);
    await a.desktop.reject(call.id);
  });
});

describe("in-call features", () => {
  it("hold and resume are re-INVITEs with sendonly and sendrecv", async () => {
    const a = await agent();
    const call = await a.answered();
    await a.desktop.hold(call.id);
    await a.desktop.resume(call.id);
    await until(() => lab.farEndLog(call.vendorCallId).some((l) => l.endsWith("a=sendrecv")));
    const reinvites = lab.farEndLog(call.vendorCallId).filter((l) => l.startsWith("REINVITE"));
    expect(reinvites.map((l) => l.split(" ")[2])).toEqual(["a=sendonly", "a=sendrecv"]);
    await a.desktop.hangup(call.id);
  });

  it("hold while the far end's own re-INVITE is not yet ACKed waits for it (RFC 3261 14.1) instead of failing", async () => {
    const a = await agent();
    const call = await a.answered();
    const farHold = lab.poke(call.vendorCallId, "XHOLDLATE"); // its ACK comes a second after our 200
    await until(() => a.desktop.getCall(call.id)?.parties.find((p) => p.id === "remote")?.state === "held");
    await a.desktop.hold(call.id); // sip.js refuses a re-INVITE inside that transaction: the connector tries again
    expect(a.desktop.getCall(call.id)?.state).toBe("held");
    await farHold;
    await until(() => lab.farEndLog(call.vendorCallId).some((l) => l.startsWith("REINVITE ") && l.endsWith("a=inactive")));
    await a.desktop.hangup(call.id);
  });

  it("mute turns the microphone track off and on", async () => {
    const a = await agent();
    const call = await a.answered();
    const media = nodeMediaHandlers.at(-1)!;
    await a.desktop.mute(call.id);
    expect(media.senderEnabled).toBe(false);
    await a.desktop.unmute(call.id);
    expect(media.senderEnabled).toBe(true);
    await a.desktop.hangup(call.id);
  });

  it("DTMF as SIP INFO (application/dtmf-relay) reaches the far end digit by digit", async () => {
    const a = await agent({ dtmf: "info" });
    const call = await a.answered();
    await a.desktop.sendDtmf(call.id, "4*7");
    const digits = lab.farEndLog(call.vendorCallId).filter((l) => l.startsWith("INFO ")).map((l) => l.split("Signal=")[1]);
    expect(digits).toEqual(["4", "*", "7"]);
    await a.desktop.hangup(call.id);
  });

  it("DTMF as RFC 4733 goes to the media stack, not SIP INFO", async () => {
    const a = await agent({ dtmf: "rfc4733" });
    const call = await a.answered();
    const media = nodeMediaHandlers.at(-1)!;
    await a.desktop.sendDtmf(call.id, "91#");
    expect(media.dtmfSent).toEqual(["91#"]);
    await a.desktop.hangup(call.id);
    await lab.waitFor(call.vendorCallId, "BYE");
    expect(lab.farEndLog(call.vendorCallId).filter((l) => l.startsWith("INFO "))).toEqual([]);
  });

  it("blind transfer sends REFER to the target and ends the call as transferred after the NOTIFY", async () => {
    const a = await agent();
    const call = await a.answered();
    const target = lab.destination("auto");
    await a.desktop.blindTransfer(call.id, target);
    const refer = await lab.waitFor(call.vendorCallId, "REFER");
    expect(refer).toContain(`sip:${target}@`);
    expect(refer).not.toContain("Replaces");
    await until(() => ended(a.events, call.id));
    expect(ended(a.events, call.id)?.endReason).toBe("transferred");
    await lab.waitFor(call.vendorCallId, "BYE");
  });

  it("a transfer overtaken by the far end's BYE (REFER accepted, no NOTIFY yet) rejects INVALID_STATE; the call ends remote_hangup", async () => {
    const a = await agent();
    const call = await a.answered();
    await lab.poke(call.vendorCallId, "XSTALL"); // from now on it accepts a REFER but never says how the transfer went
    const transfer = a.desktop.blindTransfer(call.id, lab.destination("auto")).catch((e: unknown) => e);
    await lab.waitFor(call.vendorCallId, "REFER");
    await lab.poke(call.vendorCallId, "XHANGUP");
    expect(((await transfer) as CtiError).code).toBe("INVALID_STATE");
    const over = await until(() => ended(a.events, call.id));
    expect(over.endReason).toBe("remote_hangup");
    expect(a.events.some((e) => e.type === "call.transferred" && e.call.id === call.id)).toBe(false);
  });

  it("attended transfer sends REFER with Replaces naming the consult dialog", async () => {
    const a = await agent();
    const call = await a.answered();
    const consultId = await a.desktop.consult(call.id, lab.destination("poke"));
    const consult = a.desktop.getCall(consultId)!;
    await lab.answer(consult.vendorCallId);
    await until(() => a.desktop.getCall(consultId)?.state === "connected");
    await a.desktop.completeTransfer(call.id);
    const refer = await lab.waitFor(call.vendorCallId, "REFER");
    expect(refer).toMatch(/Replaces=/i);
    expect(decodeURIComponent(refer)).toContain(consult.vendorCallId);
    await until(() => ended(a.events, call.id) && ended(a.events, consultId));
    expect(ended(a.events, call.id)?.endReason).toBe("transferred");
    expect(ended(a.events, consultId)?.endReason).toBe("transferred");
  });

});

describe("media", () => {
  it("the peer connection's ICE state is the call's media (reconnecting, then ok), never the desktop's link", async () => {
    // sip.js hands its handler to the connector; in a browser that handler has an RTCPeerConnection.
    // Node has none: this one is an EventTarget playing only its ICE state, so this proves the wiring, not WebRTC.
    const ice = Object.assign(new EventTarget(), { iceConnectionState: "new" });
    const withPeer: SessionDescriptionHandlerFactory = (session, options) => Object.assign(nodeSessionDescriptionHandlerFactory(session, options), { peerConnection: ice });
    const a = await agent({ sessionDescriptionHandlerFactory: withPeer });
    const call = await a.answered();
    const after = a.events.at(-1)?.seq ?? 0;
    const set = (state: string): void => {
      ice.iceConnectionState = state;
      ice.dispatchEvent(new Event("iceconnectionstatechange"));
    };
    set("disconnected");
    await until(() => a.desktop.getCall(call.id)?.media === "reconnecting");
    expect(a.desktop.snapshot().link).toBe("connected");
    set("connected");
    await until(() => a.desktop.getCall(call.id)?.media === "ok");
    set("disconnected");
    await until(() => a.desktop.getCall(call.id)?.media === "reconnecting");
    await a.desktop.hangup(call.id); // requests on the call go through while its media reconnects
    expect((await until(() => ended(a.events, call.id))).endReason).toBe("local_hangup");
    expect(a.events.filter((e) => e.type === "link.changed" && e.seq > after), "no link.changed for a call's media").toEqual([]);
  });

  it("a refused microphone is MEDIA_PERMISSION_DENIED and the caller is not left ringing", async () => {
    // The media seam as a browser behaves when the user blocks the microphone: getUserMedia rejects.
    // A stand-in for the browser's handler, so this proves the connector's side only; the suite's
    // microphoneDenied scenario needs real getUserMedia and is not declared (see conformance.test.ts).
    const denied = () => {
      const handler = nodeSessionDescriptionHandlerFactory(undefined as never, undefined);
      handler.getDescription = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
      return handler;
    };
    const a = await agent({ sessionDescriptionHandlerFactory: denied });
    const call = await a.ring();
    const error = (await a.desktop.answer(call.id).catch((e: unknown) => e)) as CtiError;
    expect(error).toBeInstanceOf(CtiError);
    expect(error.code).toBe("MEDIA_PERMISSION_DENIED");
    expect(await lab.waitFor(call.vendorCallId, "REFUSED")).toMatch(/ 480$/);
    const over = await until(() => ended(a.events, call.id));
    expect(over).toMatchObject({ endReason: "failed", failure: { code: "MEDIA_PERMISSION_DENIED" } });
    expect(a.desktop.snapshot().link).toBe("connected");
  });
});

// Issue 12, case 4: sip.js keeps a re-INVITE's hold option for every later offer and answer in the dialog, refused or not.
describe("a refused or failed re-INVITE leaves the media direction as it was", () => {
  const answers = (vendorCallId: string): string[] => lab.farEndLog(vendorCallId).filter((l) => l.startsWith("ANSWER "));

  it.each([
    ["XREFUSE488", "488"],
    // 500 and 491 are tried again (RFC 3261 14.1) until the request's time runs out.
    ["XREFUSE500", "500"],
    ["XREFUSE491", "491"],
  ] as const)("a hold refused (%s): the call stays connected and the far end's next re-INVITE is answered a=sendrecv", async (refuse, status) => {
    const a = await agent({}, { requestTimeoutMs: 2500 });
    const call = await a.answered();
    await lab.poke(call.vendorCallId, refuse);
    const error = await a.desktop.hold(call.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CtiError);
    expect(await lab.waitFor(call.vendorCallId, "REFUSEDREINVITE")).toBe(`REFUSEDREINVITE ${call.vendorCallId} ${status} a=sendonly`);
    await new Promise((r) => setTimeout(r, 300)); // a retry still in flight when the request gave up is refused too
    expect(a.desktop.getCall(call.id)?.state).toBe("connected");
    await lab.poke(call.vendorCallId, "XRESUME"); // the far end's own re-INVITE, offering sendrecv
    expect(answers(call.vendorCallId).at(-1)).toBe(`ANSWER ${call.vendorCallId} a=sendrecv`);
    expect(a.desktop.getCall(call.id)?.state).toBe("connected");
    await a.desktop.hangup(call.id);
  });

  it("a hold the far end never answers (Kamailio's 408 after its 5 s timer): the call stays connected and the far end's next re-INVITE is answered a=sendrecv", async () => {
    const a = await agent();
    const call = await a.answered();
    await lab.poke(call.vendorCallId, "XSTALL");
    const error = (await a.desktop.hold(call.id).catch((e: unknown) => e)) as CtiError;
    expect(error.code).toBe("REQUEST_TIMEOUT");
    expect(error.message).toMatch(/408/);
    expect(a.desktop.getCall(call.id)?.state).toBe("connected");
    await lab.poke(call.vendorCallId, "XRESUME");
    expect(answers(call.vendorCallId).at(-1)).toBe(`ANSWER ${call.vendorCallId} a=sendrecv`);
    await a.desktop.hangup(call.id);
  });

  it("a hold the far end accepts after the request gave up: the call shows held, as its media is", async () => {
    const a = await agent({}, { requestTimeoutMs: 1000 });
    const call = await a.answered();
    await lab.poke(call.vendorCallId, "XSLOW"); // answers our next re-INVITE 2.5 s late
    const error = (await a.desktop.hold(call.id).catch((e: unknown) => e)) as CtiError;
    expect(error.code).toBe("REQUEST_TIMEOUT");
    await until(() => a.desktop.getCall(call.id)?.state === "held");
    await lab.waitFor(call.vendorCallId, "ACKED"); // our ACK to its late 200 is through
    await lab.poke(call.vendorCallId, "XRESUME");
    expect(answers(call.vendorCallId).at(-1)).toBe(`ANSWER ${call.vendorCallId} a=sendonly`);
    await a.desktop.resume(call.id);
    expect(a.desktop.getCall(call.id)?.state).toBe("connected");
    await a.desktop.hangup(call.id);
  });

  it("a resume refused (488): the call stays held and the far end's next re-INVITE is answered a=sendonly", async () => {
    const a = await agent();
    const call = await a.answered();
    await a.desktop.hold(call.id);
    await lab.poke(call.vendorCallId, "XREFUSE488");
    const error = (await a.desktop.resume(call.id).catch((e: unknown) => e)) as CtiError;
    expect(error.code).toBe("VENDOR_ERROR");
    expect(error.message).toMatch(/488/);
    expect(a.desktop.getCall(call.id)?.state).toBe("held");
    await lab.poke(call.vendorCallId, "XRESUME");
    expect(answers(call.vendorCallId).at(-1)).toBe(`ANSWER ${call.vendorCallId} a=sendonly`);
    // And the next resume the far end accepts goes through as usual.
    await a.desktop.resume(call.id);
    expect(a.desktop.getCall(call.id)?.state).toBe("connected");
    await a.desktop.hangup(call.id);
  });
});

// Issue 12, case 5: Kamailio reaches a WebSocket agent in a dialog through the connection alias of its last
// Contact (add_contact_alias / handle_ruri_alias); after a reconnect only a target refresh points it at the new one.
describe("a WebSocket drop mid-call: every live dialog is refreshed on the new connection", () => {
  const reconnected = async (a: Awaited<ReturnType<typeof agent>>, cutWhile?: () => Promise<void>): Promise<void> => {
    const after = a.events.at(-1)?.seq ?? 0;
    lab.relay.cut();
    await until(() => a.desktop.snapshot().link === "reconnecting");
    await cutWhile?.();
    lab.relay.restore();
    await until(() => a.events.some((e) => e.type === "link.changed" && e.seq > after && e.link === "connected"), 15_000);
  };

  it("the far end's BYE reaches the agent after the reconnect (a held inbound call that stays held, and an outbound one)", async () => {
    const a = await agent();
    const inbound = await a.answered();
    await a.desktop.hold(inbound.id);
    const outId = await a.desktop.dial(lab.destination("poke"));
    const out = a.desktop.getCall(outId)!;
    await lab.answer(out.vendorCallId);
    await until(() => a.desktop.getCall(outId)?.state === "connected");
    await lab.waitFor(out.vendorCallId, "ANSWERED"); // our ACK is through before the link drops
    await reconnected(a);
    // The refresh: a re-INVITE in each dialog over the new connection, the hold as it was.
    const reinvites = (id: string): string[] => lab.farEndLog(id).filter((l) => l.startsWith("REINVITE "));
    const acked = (id: string): number => lab.farEndLog(id).filter((l) => l.startsWith("ACKED ")).length;
    // Each refresh done: its 200 ACKed (the hold's ACK before it), so the far end is back waiting.
    await until(() => reinvites(inbound.vendorCallId).length === 2 && acked(inbound.vendorCallId) === 2 && reinvites(out.vendorCallId).length === 1 && acked(out.vendorCallId) === 1);
    expect(reinvites(inbound.vendorCallId).at(-1)).toBe(`REINVITE ${inbound.vendorCallId} a=sendonly`);
    expect(reinvites(out.vendorCallId).at(-1)).toBe(`REINVITE ${out.vendorCallId} a=sendrecv`);
    expect(a.desktop.getCall(inbound.id)?.state).toBe("held");
    expect(a.desktop.getCall(outId)?.state).toBe("connected");
    await lab.poke(inbound.vendorCallId, "XHANGUP");
    await lab.poke(out.vendorCallId, "XHANGUP");
    expect((await until(() => ended(a.events, inbound.id))).endReason).toBe("remote_hangup");
    expect((await until(() => ended(a.events, outId))).endReason).toBe("remote_hangup");
    expect(lab.farEndLog(inbound.vendorCallId).some((l) => l.startsWith("BYEFAILED "))).toBe(false);
  });

  it("a call the far end hung up while the link was down (its BYE lost): the refresh gets 481 and the call ends lost, saying why", async () => {
    const a = await agent();
    const call = await a.answered();
    await reconnected(a, async () => {
      await lab.poke(call.vendorCallId, "XHANGUP");
      await lab.waitFor(call.vendorCallId, "BYEFAILED"); // Kamailio could not reach the old connection
    });
    const over = await until(() => ended(a.events, call.id));
    expect(over.endReason).toBe("lost");
    expect(over.failure).toMatchObject({ code: "LINK_DOWN", vendorCode: "481" });
    expect(over.failure?.message).toMatch(/481/);
    await lab.waitFor(call.vendorCallId, "GONE");
    expect(a.desktop.snapshot().link).toBe("connected");
  });

  it("a call whose refresh goes unanswered (Kamailio's 408) ends lost too", async () => {
    const a = await agent();
    const call = await a.answered();
    await lab.poke(call.vendorCallId, "XSTALL"); // from now on the far end absorbs re-INVITEs
    await reconnected(a);
    await lab.waitFor(call.vendorCallId, "STALLED");
    const over = await until(() => ended(a.events, call.id), 15_000);
    expect(over.endReason).toBe("lost");
    expect(over.failure).toMatchObject({ code: "LINK_DOWN", vendorCode: "408" });
    await lab.waitFor(call.vendorCallId, "BYE"); // and the far end, still there, got our BYE
  });
  // Review of issue 12: the proxy's INVITE transaction answers (and CANCELs) over the connection the INVITE came by only.
  it("a call still dialing when the link drops is cancelled after the reconnect and ends lost (its answer could never reach us)", async () => {
    const a = await agent();
    const id = await a.desktop.dial(lab.destination("poke"));
    const call = a.desktop.getCall(id)!;
    await until(() => a.desktop.getCall(id)?.parties.find((p) => p.id === "remote")?.state === "ringing");
    await reconnected(a);
    const over = await until(() => ended(a.events, id));
    expect(over.endReason).toBe("lost");
    expect(over.failure).toMatchObject({ code: "LINK_DOWN" });
    await lab.waitFor(call.vendorCallId, "CANCELLED"); // our CANCEL, sent over the new connection, reached the far end
    expect(a.desktop.snapshot().calls).toHaveLength(0);
  });

  it("an inbound call still ringing when the link drops ends lost after the reconnect, and the caller is refused (480), not left ringing", async () => {
    const a = await agent();
    const call = await a.ring();
    await reconnected(a);
    const over = await until(() => ended(a.events, call.id));
    expect(over.endReason).toBe("lost");
    expect(over.failure).toMatchObject({ code: "LINK_DOWN" });
    await lab.waitFor(call.vendorCallId, "REFUSED");
    expect(lab.farEndLog(call.vendorCallId)).toContain(`REFUSED ${call.vendorCallId} 480`);
  });
});

// Issue 12, case 6. The Node media handler is signalling-only: what it can show is that sip.js handed it the
// 183's SDP as the remote description before the 200; that a browser then plays it is not observable here.
describe("early media on outbound calls", () => {
  const capturing = (): { factory: SessionDescriptionHandlerFactory; handlers: NodeSessionDescriptionHandler[] } => {
    const handlers: NodeSessionDescriptionHandler[] = [];
    const factory: SessionDescriptionHandlerFactory = (session, options) => {
      const h = nodeSessionDescriptionHandlerFactory(session, options) as NodeSessionDescriptionHandler;
      handlers.push(h);
      return h;
    };
    return { factory, handlers };
  };

  it("a 183 with SDP is applied as the remote description while the call still dials", async () => {
    const { factory, handlers } = capturing();
    const a = await agent({ sessionDescriptionHandlerFactory: factory });
    const id = await a.desktop.dial(lab.destination("early"));
    await until(() => a.desktop.getCall(id)?.parties.find((p) => p.id === "remote")?.state === "ringing");
    await until(() => handlers[0]?.remoteSdp);
    expect(handlers[0]?.remoteSdp).toBe(EARLY_MEDIA_SDP.replace(/\n/g, "\r\n"));
    expect(a.desktop.getCall(id)?.state).toBe("dialing");
    await lab.answer(a.desktop.getCall(id)!.vendorCallId);
    await until(() => a.desktop.getCall(id)?.state === "connected");
    expect(handlers).toHaveLength(1); // the early dialog is the call: the same media, not a second handler
    await a.desktop.hangup(id);
  });

  it("the connector plays the early media: the far end's stream goes to an audio element while the call still dials", async () => {
    // The connector's audio hook (document.createElement("audio") fed the handler's remote stream), stubbed in Node.
    const audios: { srcObject: unknown; autoplay: boolean; plays: number; play(): Promise<void> }[] = [];
    vi.stubGlobal("document", {
      createElement: () => {
        const audio = { srcObject: null as unknown, autoplay: false, plays: 0, play: () => Promise.resolve(void audio.plays++) };
        audios.push(audio);
        return audio;
      },
    });
    try {
      const { factory, handlers } = capturing();
      const a = await agent({ sessionDescriptionHandlerFactory: factory });
      const id = await a.desktop.dial(lab.destination("early"));
      await until(() => handlers[0]?.remoteSdp);
      const stream = handlers[0]!.remoteMediaStream;
      await until(() => audios.some((el) => el.srcObject === stream && el.autoplay && el.plays > 0));
      expect(a.desktop.getCall(id)?.state).toBe("dialing");
      await lab.answer(a.desktop.getCall(id)!.vendorCallId);
      await until(() => a.desktop.getCall(id)?.state === "connected");
      expect(audios).toHaveLength(1); // the answer keeps playing the same stream, no second element
      await a.desktop.hangup(id);
      await until(() => audios[0]!.srcObject === null);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("with earlyMedia: false (a forking proxy), the 183's SDP is not applied", async () => {
    const { factory, handlers } = capturing();
    const a = await agent({ sessionDescriptionHandlerFactory: factory, earlyMedia: false });
    const id = await a.desktop.dial(lab.destination("early"));
    await until(() => a.desktop.getCall(id)?.parties.find((p) => p.id === "remote")?.state === "ringing");
    await new Promise((r) => setTimeout(r, 200));
    expect(handlers[0]?.remoteSdp).toBeUndefined();
    await lab.answer(a.desktop.getCall(id)!.vendorCallId);
    await until(() => a.desktop.getCall(id)?.state === "connected");
    expect(handlers[0]?.remoteSdp).toContain("s=opencti-early-media");
    await a.desktop.hangup(id);
  });
});

describe("supervisors and recording (issue 16): Record INFOs and spy feature codes at the SIPp far end", () => {
  /** Dials `destination` and waits until it is connected. */
  async function connectedTo(a: Awaited<ReturnType<typeof agent>>, destination: string): Promise<Call> {
    const id = await a.desktop.dial(destination);
    return until(() => (a.desktop.getCall(id)?.state === "connected" ? a.desktop.getCall(id) : undefined));
  }

  it("recording: 'always' connects calls recorded; pause sends INFO Record: off, resume Record: on, in the dialog; the far end checks the order (SIPp) and each 200 is the new state", async () => {
    const a = await agent({ recording: "always" });
    expect(a.desktop.snapshot().capabilities).toContain("recordingControl");
    const call = await connectedTo(a, lab.destination("recordCheck"));
    expect(call).toMatchObject({ recording: "active" });
    expect(call.actions).toContain("pauseRecording");
    await a.desktop.pauseRecording(call.id);
    expect(a.desktop.getCall(call.id)).toMatchObject({ recording: "paused", state: "connected" });
    expect(await lab.waitFor(call.vendorCallId, "RECORDOFF")).toBe(`RECORDOFF ${call.vendorCallId} off`);
    await a.desktop.resumeRecording(call.id);
    expect(a.desktop.getCall(call.id)).toMatchObject({ recording: "active" });
    expect(await lab.waitFor(call.vendorCallId, "RECORDON")).toBe(`RECORDON ${call.vendorCallId} on`);
    expect(a.events.filter((e) => e.type === "call.recording").map((e) => (e as { call: Call }).call.recording)).toEqual(["active", "paused", "active"]); // recorded from the connect on
    // Both went inside the call's dialog and none was refused; no DTMF INFO on the way.
    const log = lab.farEndLog(call.vendorCallId);
    expect(log.filter((l) => /^RECORD(BAD|REFUSED) /.test(l))).toEqual([]);
    expect(log.filter((l) => l.startsWith("INFO "))).toEqual([]);
    await a.desktop.hangup(call.id);
  });

  it("recording: the far end's order check fails the request (Record: on first is answered 400): a typed error, the state unchanged", async () => {
    const a = await agent({ recording: "on-demand" });
    const call = await connectedTo(a, lab.destination("recordCheck"));
    // on-demand: nothing recorded until the agent asks; resuming starts it (Record: on), which this far end does not expect first.
    expect(call).toMatchObject({ recording: "paused" });
    const error = (await a.desktop.resumeRecording(call.id).catch((e: unknown) => e)) as CtiError;
    expect(error).toBeInstanceOf(CtiError);
    expect(error).toMatchObject({ code: "VENDOR_ERROR", request: "resumeRecording" });
    expect(error.message).toMatch(/400/);
    await lab.waitFor(call.vendorCallId, "RECORDBAD");
    expect(a.desktop.getCall(call.id)).toMatchObject({ recording: "paused" });
    await a.desktop.hangup(call.id);
  });

  it("recording: a PBX that refuses one-touch recording (403, as Asterisk without one_touch_recording) is NOT_SUPPORTED and the call stays recorded", async () => {
    const a = await agent({ recording: "always" });
    const call = await connectedTo(a, lab.destination("recordRefused"));
    const error = (await a.desktop.pauseRecording(call.id).catch((e: unknown) => e)) as CtiError;
    expect(error).toMatchObject({ code: "NOT_SUPPORTED", request: "pauseRecording" });
    expect(error.message).toMatch(/403/);
    await lab.waitFor(call.vendorCallId, "RECORDREFUSED");
    expect(a.desktop.getCall(call.id)).toMatchObject({ recording: "active" });
    expect(a.events.filter((e) => e.type === "call.recording").map((e) => (e as { call: Call }).call.recording)).toEqual(["active"]);
    await a.desktop.hangup(call.id);
  });

  it("without the recording option: no recording on calls and no recordingControl (SIP does not say whether the PBX records)", async () => {
    const a = await agent();
    expect(a.desktop.snapshot().capabilities).not.toContain("recordingControl");
    const call = await connectedTo(a, lab.destination("auto"));
    expect(call.recording).toBeUndefined();
    await expect(a.desktop.pauseRecording(call.id)).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    await a.desktop.hangup(call.id);
  });

  const CHANSPY = { prefix: "*222", digits: { monitor: "4", whisper: "5", barge: "6" } } as const;

  it("monitor: dials <prefix><target> (the R-URI at the far end), a monitor-direction session in monitorMode; whisper and barge are ChanSpy's DTMF digits (INFO) in the session; hangup leaves, no wrap-up", async () => {
    const a = await agent({ monitor: CHANSPY });
    expect(a.desktop.snapshot().capabilities).toEqual(expect.arrayContaining(["monitor", "whisper", "barge"]));
    const target = lab.newMonitorTarget();
    const id = await a.desktop.monitor(target);
    const session = a.desktop.getCall(id)!;
    expect(session).toMatchObject({ direction: "monitor", state: "connected", monitorMode: "monitor", to: `*222${target}` });
    expect([...session.actions].sort()).toEqual(["hangup", "setMonitorMode"]);
    expect(await lab.waitFor(session.vendorCallId, "MONITOR")).toBe(`MONITOR ${session.vendorCallId} *222${target}`);
    await a.desktop.setMonitorMode(id, "whisper");
    expect(a.desktop.getCall(id)).toMatchObject({ monitorMode: "whisper" });
    await a.desktop.setMonitorMode(id, "barge");
    await a.desktop.setMonitorMode(id, "monitor");
    const digits = lab.farEndLog(session.vendorCallId).filter((l) => l.startsWith("INFO ")).map((l) => l.split("Signal=")[1]);
    expect(digits).toEqual(["5", "6", "4"]);
    await a.desktop.hangup(id);
    await lab.waitFor(session.vendorCallId, "BYE");
    await until(() => a.desktop.getCall(id) === undefined);
    expect(a.events.some((e) => e.type === "call.wrapup")).toBe(false);
  });

  it("monitor: a session asked for in whisper starts at the prefix's mode and sends whisper's digit once connected; with a prefix per mode it dials that one and sends nothing", async () => {
    const a = await agent({ monitor: CHANSPY });
    const target = lab.newMonitorTarget();
    const id = await a.desktop.monitor(target, "whisper");
    const session = a.desktop.getCall(id)!;
    expect(session).toMatchObject({ monitorMode: "whisper" });
    expect(lab.farEndLog(session.vendorCallId).filter((l) => l.startsWith("INFO "))).toEqual([`INFO ${session.vendorCallId} Signal=5`]);
    await a.desktop.hangup(id);

    const b = await agent({ monitor: { prefixes: { monitor: "*222", whisper: "*223" } } });
    expect(b.desktop.snapshot().capabilities).toEqual(expect.arrayContaining(["monitor", "whisper"]));
    expect(b.desktop.snapshot().capabilities).not.toContain("barge");
    const other = await b.desktop.monitor(target, "whisper");
    const whisper = b.desktop.getCall(other)!;
    expect(await lab.waitFor(whisper.vendorCallId, "MONITOR")).toBe(`MONITOR ${whisper.vendorCallId} *223${target}`);
    expect(whisper.monitorMode).toBe("whisper");
    // No digits configured: the mode cannot change inside the session.
    await expect(b.desktop.setMonitorMode(other, "monitor")).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    await expect(b.desktop.monitor(target, "barge")).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    expect(lab.farEndLog(whisper.vendorCallId).filter((l) => l.startsWith("INFO "))).toEqual([]);
    await b.desktop.hangup(other);
  });

  it("monitor: an extension the PBX does not know (404) is INVALID_DESTINATION and leaves no session; without the option nothing is declared", async () => {
    const a = await agent({ monitor: CHANSPY });
    const error = await a.desktop.monitor("no-such-agent").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "INVALID_DESTINATION", request: "monitor" });
    expect(a.desktop.snapshot().calls).toEqual([]);
    const b = await agent();
    expect(b.desktop.snapshot().capabilities).not.toEqual(expect.arrayContaining(["monitor"]));
    await expect(b.desktop.monitor("1001")).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
  });
});
