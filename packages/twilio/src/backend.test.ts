// The HTTP call-control backend against a real HTTP server on 127.0.0.1.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CtiError } from "@opencti/core";
import { createHttpCallControlBackend, isPartyStatusMessage } from "./backend.js";

let server: Server;
let url = "";
const seen: { path: string; body: unknown; auth: string | undefined; type?: string | undefined }[] = [];
let respond: (req: IncomingMessage, res: ServerResponse, body: unknown) => void = (_q, res) => res.end("{}");

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const body = raw ? (JSON.parse(raw) as unknown) : undefined;
      seen.push({ path: req.url ?? "", body, auth: req.headers.authorization, type: req.headers["content-type"] });
      respond(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/cc/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const signal = (): AbortSignal => new AbortController().signal;

describe("createHttpCallControlBackend", () => {
  it("posts each operation as JSON to <url>/<operation> with the integrator's headers", async () => {
    respond = (_q, res, body) => res.end((body as { to?: string }).to ? JSON.stringify({ callSid: "CA-consult" }) : "{}");
    const backend = createHttpCallControlBackend({ url, headers: () => ({ authorization: "Bearer session-1" }) });
    await backend.hold({ callSid: "CA1" }, signal());
    expect(await backend.consult({ callSid: "CA1", to: "+15550144" }, signal())).toEqual({ callSid: "CA-consult" });
    await backend.dropParty({ callSid: "CA1", partyCallSid: "CA-consult" }, signal());
    expect(seen.slice(-3)).toEqual([
      { path: "/cc/hold", body: { callSid: "CA1" }, auth: "Bearer session-1", type: "application/json" },
      { path: "/cc/consult", body: { callSid: "CA1", to: "+15550144" }, auth: "Bearer session-1", type: "application/json" },
      { path: "/cc/dropParty", body: { callSid: "CA1", partyCallSid: "CA-consult" }, auth: "Bearer session-1", type: "application/json" },
    ]);
  });

  it("sends the agent's Voice access token the connector handed over as a Bearer (to its own origin by default), unless the integrator's headers carry their own", async () => {
    respond = (_q, res) => res.end("{}");
    // (The default sends it only to the page's own origin: here, no page at all.)
    for (const voiceToken of [undefined, "same-origin", "never"] as const) {
      const quiet = createHttpCallControlBackend({ url, ...(voiceToken ? { voiceToken } : {}) });
      quiet.useToken!("eyJ.voice.0");
      await quiet.hold({ callSid: "CA1" }, signal());
      expect(seen.at(-1)!.auth, voiceToken).toBeUndefined();
    }
    const backend = createHttpCallControlBackend({ url, voiceToken: "always" });
    await backend.hold({ callSid: "CA1" }, signal());
    expect(seen.at(-1)!.auth).toBeUndefined();
    backend.useToken!("eyJ.voice.1");
    await backend.hold({ callSid: "CA1" }, signal());
    expect(seen.at(-1)!.auth).toBe("Bearer eyJ.voice.1");
    backend.useToken!("eyJ.voice.2");
    await backend.resume({ callSid: "CA1" }, signal());
    expect(seen.at(-1)!.auth).toBe("Bearer eyJ.voice.2");
    const own = createHttpCallControlBackend({ url, voiceToken: "always", headers: () => ({ authorization: "Bearer session-1" }) });
    own.useToken!("eyJ.voice.3");
    await own.hold({ callSid: "CA1" }, signal());
    expect(seen.at(-1)!.auth).toBe("Bearer session-1");
  });

  it("always sends content-type application/json (the backend refuses other types), whatever the integrator's headers say", async () => {
    respond = (_q, res) => res.end("{}");
    const backend = createHttpCallControlBackend({ url, headers: () => Promise.resolve({ "Content-Type": "text/plain", Authorization: "Bearer voice-token" }) });
    await backend.hold({ callSid: "CA1" }, signal());
    expect(seen.at(-1)).toEqual({ path: "/cc/hold", body: { callSid: "CA1" }, auth: "Bearer voice-token", type: "application/json" });
  });

  it("turns the contract's error body into a CtiError with that code, and unknown codes into VENDOR_ERROR", async () => {
    const backend = createHttpCallControlBackend({ url });
    respond = (_q, res) => {
      res.statusCode = 409;
      res.end(JSON.stringify({ error: { code: "INVALID_STATE", message: "The call is not in an active conference" } }));
    };
    await expect(backend.hold({ callSid: "CA1" }, signal())).rejects.toMatchObject({ code: "INVALID_STATE", message: "The call is not in an active conference" });
    respond = (_q, res) => {
      res.statusCode = 500;
      res.end("<html>oops</html>");
    };
    const error = await backend.resume({ callSid: "CA1" }, signal()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CtiError);
    expect(error).toMatchObject({ code: "VENDOR_ERROR", retryable: true });
  });

  it("a consult answer without a CallSid is a VENDOR_ERROR", async () => {
    respond = (_q, res) => res.end("{}");
    await expect(createHttpCallControlBackend({ url }).consult({ callSid: "CA1", to: "+1555" }, signal())).rejects.toMatchObject({ code: "VENDOR_ERROR" });
  });

  it("an aborted request (the desktop's timeout) is REQUEST_TIMEOUT; an unreachable backend is VENDOR_ERROR", async () => {
    respond = () => {}; // never answers
    const controller = new AbortController();
    const pending = createHttpCallControlBackend({ url }).hold({ callSid: "CA1" }, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: "REQUEST_TIMEOUT" });
    await expect(createHttpCallControlBackend({ url: "http://127.0.0.1:1/cc" }).hold({ callSid: "CA1" }, signal())).rejects.toMatchObject({ code: "VENDOR_ERROR" });
  });
});

describe("isPartyStatusMessage", () => {
  it("accepts only the backend's party messages", () => {
    expect(isPartyStatusMessage({ opencti: "party", callSid: "CA1", status: "in-progress" })).toBe(true);
    expect(isPartyStatusMessage({ opencti: "party", callSid: 1, status: "x" })).toBe(false);
    expect(isPartyStatusMessage({ hello: "world" })).toBe(false);
    expect(isPartyStatusMessage("party")).toBe(false);
  });
});

describe("createHttpCallControlBackend: recording and supervisors", () => {
  it("pauseRecording / resumeRecording / monitor / setMonitorMode post their bodies and return the backend's states", async () => {
    respond = (q, res) => {
      const op = q.url?.split("/").pop();
      const answers: Record<string, unknown> = { pauseRecording: { recording: "paused" }, resumeRecording: { recording: "active" }, monitor: { callSid: "CAsup", mode: "whisper" }, setMonitorMode: { mode: "barge" } };
      res.end(JSON.stringify(answers[op ?? ""] ?? {}));
    };
    const backend = createHttpCallControlBackend({ url });
    expect(await backend.pauseRecording!({ callSid: "CA1" }, signal())).toEqual({ recording: "paused" });
    expect(await backend.resumeRecording!({ callSid: "CA1" }, signal())).toEqual({ recording: "active" });
    expect(await backend.monitor!({ target: "CA2", mode: "whisper" }, signal())).toEqual({ callSid: "CAsup", mode: "whisper" });
    expect(await backend.setMonitorMode!({ callSid: "CAsup", mode: "barge" }, signal())).toEqual({ mode: "barge" });
    expect(seen.slice(-4).map((s) => [s.path, s.body])).toEqual([
      ["/cc/pauseRecording", { callSid: "CA1" }],
      ["/cc/resumeRecording", { callSid: "CA1" }],
      ["/cc/monitor", { target: "CA2", mode: "whisper" }],
      ["/cc/setMonitorMode", { callSid: "CAsup", mode: "barge" }],
    ]);
  });

  it("an answer without a valid state, mode or CallSid is VENDOR_ERROR; a refusal keeps its code", async () => {
    const backend = createHttpCallControlBackend({ url });
    respond = (_q, res) => res.end(JSON.stringify({ recording: "maybe" }));
    await expect(backend.pauseRecording!({ callSid: "CA1" }, signal())).rejects.toMatchObject({ code: "VENDOR_ERROR" });
    respond = (_q, res) => res.end(JSON.stringify({ mode: "monitor" }));
    await expect(backend.monitor!({ target: "CA2", mode: "monitor" }, signal())).rejects.toMatchObject({ code: "VENDOR_ERROR" });
    respond = (_q, res) => res.end(JSON.stringify({ callSid: "CAsup", mode: "shout" }));
    await expect(backend.monitor!({ target: "CA2", mode: "monitor" }, signal())).rejects.toMatchObject({ code: "VENDOR_ERROR" });
    respond = (_q, res) => {
      res.statusCode = 403;
      res.end(JSON.stringify({ error: { code: "AUTH_FAILED", message: "Not allowed to monitor that call" } }));
    };
    await expect(backend.monitor!({ target: "CA2", mode: "monitor" }, signal())).rejects.toMatchObject({ code: "AUTH_FAILED", message: "Not allowed to monitor that call" });
    expect(CtiError).toBeDefined();
  });
});

describe("createHttpCallControlBackend: the agent event stream", () => {
  it("agentStream() asks POST <url>/stream-ticket with the backend's credentials of the moment and answers <url>/events?ticket=…", async () => {
    respond = (_q, res) => res.end(JSON.stringify({ ticket: "t/1+", expiresInMs: 30_000 }));
    const backend = createHttpCallControlBackend({ url, voiceToken: "always" });
    const source = backend.agentStream!();
    backend.useToken!("eyJ.voice.1");
    expect(await source.url(signal())).toBe(`${url.replace(/\/$/, "")}/events?ticket=t%2F1%2B`);
    expect(seen.at(-1)).toEqual({ path: "/cc/stream-ticket", body: {}, auth: "Bearer eyJ.voice.1", type: "application/json" });
    // A refreshed token is used at the next reconnection.
    backend.useToken!("eyJ.voice.2");
    await source.url(signal());
    expect(seen.at(-1)!.auth).toBe("Bearer eyJ.voice.2");
    // The integrator's own headers win, as for the operations.
    await createHttpCallControlBackend({ url, voiceToken: "always", headers: () => ({ authorization: "Bearer session-1" }) }).agentStream!().url(signal());
    expect(seen.at(-1)!.auth).toBe("Bearer session-1");
  });

  it("a refused ticket rejects (the follower retries with backoff)", async () => {
    respond = (_q, res) => {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: { code: "AUTH_FAILED", message: "Not authenticated" } }));
    };
    await expect(createHttpCallControlBackend({ url }).agentStream!().url(signal())).rejects.toThrow(/401/);
  });
});
