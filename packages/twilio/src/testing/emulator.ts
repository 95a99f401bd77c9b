/**
 * A loopback emulator of Twilio Voice's browser signalling ("PStream" v1.6:
 * JSON frames `{ type, version, payload }` over a WebSocket at `/signal`), so
 * the unmodified @twilio/voice-sdk can be tested without a Twilio account.
 *
 * It answers `listen` (with `connected` or a token error), `register`
 * (`ready`/`offline`), `answer` and signalling-reconnect `invite`s, fails
 * outbound calls to the numbers in `failures` the way Twilio does (`ringing`,
 * then a `hangup` carrying the error), records every frame (an ICE-restart
 * `reinvite` is also emitted as "reinvite"), and lets a test play the Twilio
 * side: ring the device, cancel, hang up, answer an outbound call or a
 * reinvite, push user-defined messages and errors, drop, refuse, flap and
 * restore the socket. Node only (uses `ws`); listens on 127.0.0.1.
 */
import { EventEmitter } from "node:events";
import { randomBytes } from "node:crypto";
import { WebSocketServer, type WebSocket } from "ws";

export interface SignalFrame {
  readonly type: string;
  readonly version?: string;
  readonly payload: Record<string, unknown>;
}

/** What the emulator says about the token in a `listen` frame. */
export type TokenVerdict = "ok" | "invalid" | "expired";

export interface TwilioEmulatorOptions {
  /** The identity reported in `connected` (the SDK reads it from there). Default "agent-1". */
  identity?: string;
  /** Token time to live in seconds, reported in `connected`; drives the SDK's tokenWillExpire. Default 3600. */
  ttl?: number;
  /** Decide on each token; default: every token is ok. */
  verifyToken?: (token: string) => TokenVerdict;
}

export interface RingSpec {
  /** A CallSid (CA…); generated when omitted. */
  callSid?: string;
  /** The offer SDP of the "media server". jsdom tests may pass any non-empty string. */
  sdp: string;
  from?: string;
  to?: string;
  /** Custom parameters (`<Parameter>` in TwiML); the SDK exposes them as `call.customParameters`. */
  params?: Record<string, string>;
}

/** A Twilio error as it travels in a `hangup` frame's `error`. */
export interface TwilioFrameError {
  readonly code: number;
  readonly message: string;
}

/** An ICE restart the SDK asked for (a `reinvite` frame): answer it with `answerReinvite`. */
export interface Reinvite {
  readonly callSid: string;
  readonly sdp: string;
}

export interface OutboundInvite {
  /** The SDK's temporary id (TJ…). */
  readonly tempSid: string;
  /** The CallSid the emulator assigned. */
  readonly callSid: string;
  readonly sdp: string;
  /** The `params` of device.connect(), decoded. */
  readonly params: Record<string, string>;
}

const VERSION = "1.6";

export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString("hex");
}

export class TwilioEmulator extends EventEmitter {
  readonly received: SignalFrame[] = [];
  /** Every token the SDK sent in `listen` (the first one and each refresh). */
  readonly tokens: string[] = [];
  /** Outbound calls the SDK placed, in order. */
  readonly outbound: OutboundInvite[] = [];
  identity: string;
  ttl: number;
  verifyToken: (token: string) => TokenVerdict;
  /** Frame types the emulator records but does not answer (e.g. "register", to test a hanging registration). */
  readonly unanswered = new Set<string>();
  /**
   * Outbound destinations (`To`) whose call fails: Twilio reports `ringing`,
   * then hangs the call up with this error (31486 Busy Here, 31404 Not Found,
   * …), as it does when the dialled leg fails behind `<Dial answerOnBridge>`.
   */
  readonly failures = new Map<string, TwilioFrameError>();
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<WebSocket>();
  private readonly reconnectTokens = new Map<string, string>();
  private down = false;
  private refusing = false;
  private flaps = 0;
  private readonly heartbeat: ReturnType<typeof setInterval>;

  private constructor(wss: WebSocketServer, options: TwilioEmulatorOptions) {
    super();
    this.wss = wss;
    this.identity = options.identity ?? "agent-1";
    this.ttl = options.ttl ?? 3600;
    this.verifyToken = options.verifyToken ?? (() => "ok");
    wss.on("connection", (ws) => this.accept(ws));
    // Twilio sends "\n" heartbeats; the SDK drops a socket that is silent for 15 s.
    this.heartbeat = setInterval(() => this.sendRaw("\n"), 5000);
    this.heartbeat.unref?.();
  }

  /** Starts an emulator on 127.0.0.1 on a free port. */
  static async start(options: TwilioEmulatorOptions = {}): Promise<TwilioEmulator> {
    const ref: { emulator?: TwilioEmulator } = {};
    // A refused handshake (HTTP 503) is a socket that never opens: what a browser sees while the network is out.
    const verifyClient = (_info: unknown, done: (ok: boolean, code?: number) => void): void => done(!ref.emulator?.refusing, 503);
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/signal", verifyClient });
    await new Promise<void>((resolve, reject) => {
      wss.once("listening", resolve);
      wss.once("error", reject);
    });
    return (ref.emulator = new TwilioEmulator(wss, options));
  }

  get port(): number {
    const address = this.wss.address();
    return typeof address === "object" && address !== null ? address.port : 0;
  }

  /** `ws://127.0.0.1:<port>/signal`: where a test redirects the SDK's `wss://<chunderw>/signal`. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}/signal`;
  }

  /** Open signalling sockets. */
  get connections(): number {
    return this.clients.size;
  }

  /** Frames of one type the SDK sent, payloads only. */
  frames(type: string): Record<string, unknown>[] {
    return this.received.filter((f) => f.type === type).map((f) => f.payload);
  }

  /** Resolves with the next frame of `type` (and matching `pred`) the SDK sends. */
  nextFrame(type: string, pred: (payload: Record<string, unknown>) => boolean = () => true, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off("frame", onFrame);
        reject(new Error(`emulator: no ${type} frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const onFrame = (frame: SignalFrame): void => {
        if (frame.type !== type || !pred(frame.payload)) return;
        clearTimeout(timer);
        this.off("frame", onFrame);
        resolve(frame.payload);
      };
      this.on("frame", onFrame);
    });
  }

  send(type: string, payload: Record<string, unknown> = {}): void {
    const text = JSON.stringify({ type, version: VERSION, payload });
    for (const ws of this.clients) ws.send(text);
  }

  /** Sends raw text to every socket (the SDK JSON-parses every frame but "\n", so keep it JSON). */
  sendRaw(text: string): void {
    for (const ws of this.clients) ws.send(text);
  }

  /** Offers an incoming call to the device; resolves with its CallSid. */
  ring(spec: RingSpec): string {
    const callSid = spec.callSid ?? newSid("CA");
    const reconnect = newSid("RT");
    this.reconnectTokens.set(callSid, reconnect);
    const Params = new URLSearchParams(spec.params ?? {}).toString();
    this.send("invite", {
      callsid: callSid,
      sdp: spec.sdp,
      reconnect,
      parameters: { CallSid: callSid, AccountSid: "AC" + "0".repeat(32), From: spec.from ?? "+15550100", To: spec.to ?? `client:${this.identity}`, ApiVersion: "2010-04-01", Params },
    });
    return callSid;
  }

  /** The caller gave up before the agent answered. */
  cancel(callSid: string): void {
    this.send("cancel", { callsid: callSid });
  }

  /** Twilio ends the call (the far end hung up, or the backend removed the agent's leg). */
  hangup(callSid: string, error?: TwilioFrameError): void {
    this.send("hangup", error ? { callsid: callSid, error } : { callsid: callSid });
  }

  /** The far end of an outbound call answered, with the media server's answer SDP. */
  answerOutbound(callSid: string, sdp: string): void {
    const reconnect = newSid("RT");
    this.reconnectTokens.set(callSid, reconnect);
    this.send("answer", { callsid: callSid, sdp, reconnect });
  }

  /** Twilio's answer to an ICE restart (`reinvite`): the media server's new SDP; the call keeps its reconnect token. */
  answerReinvite(callSid: string, sdp: string): void {
    this.send("answer", { callsid: callSid, sdp, reconnect: this.reconnectTokens.get(callSid) });
  }

  /** A signalling error frame, optionally for one call. */
  error(code: number, message: string, callSid?: string): void {
    this.send("error", callSid ? { callsid: callSid, error: { code, message } } : { error: { code, message } });
  }

  /** A user-defined message to a call (Twilio's Call Message API), as the SDK's `messageReceived`. */
  message(callSid: string, content: unknown): void {
    this.send("message", {
      callsid: callSid,
      content: typeof content === "string" ? content : JSON.stringify(content),
      contenttype: "application/json",
      messagetype: "user-defined-message",
      voiceeventsid: newSid("KX"),
    });
  }

  /** Cuts every signalling socket and refuses new ones until restoreLink(). */
  dropLink(): void {
    this.down = true;
    for (const ws of this.clients) ws.terminate();
  }

  /** Cuts every signalling socket and refuses new handshakes (HTTP 503: the socket never opens) until restoreLink(): a network outage. */
  refuseLink(): void {
    this.refusing = true;
    for (const ws of this.clients) ws.terminate();
  }

  /**
   * A flapping edge: cuts every signalling socket, then accepts the next
   * `times` sockets and cuts each again as soon as its `listen` arrives
   * (before `connected`); the socket after those stays up.
   */
  flap(times: number): void {
    this.flaps = times;
    for (const ws of this.clients) ws.terminate();
  }

  restoreLink(): void {
    this.down = false;
    this.refusing = false;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const ws of this.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    if (this.down) {
      ws.terminate();
      return;
    }
    this.clients.add(ws);
    ws.on("close", () => this.clients.delete(ws));
    ws.on("message", (raw) => {
      let frame: SignalFrame;
      try {
        frame = JSON.parse((raw as Buffer).toString("utf8")) as SignalFrame;
      } catch {
        return;
      }
      this.received.push(frame);
      if (frame.type === "listen" && this.flaps > 0) {
        this.flaps--;
        ws.terminate();
        this.emit("frame", frame);
        return;
      }
      if (!this.unanswered.has(frame.type)) this.handle(ws, frame);
      this.emit("frame", frame);
    });
  }

  private reply(ws: WebSocket, type: string, payload: Record<string, unknown> = {}): void {
    ws.send(JSON.stringify({ type, version: VERSION, payload }));
  }

  private handle(ws: WebSocket, { type, payload }: SignalFrame): void {
    switch (type) {
      case "listen": {
        const token = typeof payload.token === "string" ? payload.token : "";
        this.tokens.push(token);
        const verdict = this.verifyToken(token);
        if (verdict === "invalid") return this.reply(ws, "error", { error: { code: 31204, message: "JWT is invalid" } });
        if (verdict === "expired") return this.reply(ws, "error", { error: { code: 31205, message: "JWT token expired" } });
        return this.reply(ws, "connected", { region: "us1", edge: "ashburn", home: "us1", token: { identity: this.identity, ttl: this.ttl } });
      }
      case "register": {
        const media = payload.media as { audio?: boolean } | undefined;
        return this.reply(ws, media?.audio ? "ready" : "offline");
      }
      case "answer": {
        const callSid = String(payload.callsid);
        return this.reply(ws, "answer", { callsid: callSid, reconnect: this.reconnectTokens.get(callSid) });
      }
      case "invite": {
        const callSid = String(payload.callsid);
        // A call resuming after a signalling reconnect: confirm it with a fresh reconnect token.
        if (typeof payload.reconnect === "string" && payload.reconnect !== "" && this.reconnectTokens.has(callSid)) {
          return this.reply(ws, "answer", { callsid: callSid, reconnect: this.reconnectTokens.get(callSid) });
        }
        const twilio = payload.twilio as { params?: string } | undefined;
        const invite: OutboundInvite = {
          tempSid: callSid,
          callSid: newSid("CA"),
          sdp: typeof payload.sdp === "string" ? payload.sdp : "",
          params: Object.fromEntries(new URLSearchParams(twilio?.params ?? "")),
        };
        this.outbound.push(invite);
        // Twilio tells the SDK the real CallSid with the first `ringing`.
        this.reply(ws, "ringing", { callsid: invite.callSid });
        const failure = this.failures.get(invite.params.To ?? "");
        if (failure) return this.reply(ws, "hangup", { callsid: invite.callSid, error: failure });
        this.emit("outbound", invite);
        return;
      }
      case "reinvite": {
        const reinvite: Reinvite = { callSid: String(payload.callsid), sdp: typeof payload.sdp === "string" ? payload.sdp : "" };
        this.emit("reinvite", reinvite);
        return;
      }
      default:
        return; // hangup, reject, dtmf, message: recorded only
    }
  }
}
