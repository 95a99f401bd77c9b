/** The SIP-stack seam implemented on sip.js 0.21 (a peer dependency). */
import { Inviter, Registerer, RegistererState, RequestPendingError, SessionState, SIPExtension, UserAgent, Web, type Invitation, type LogLevel, type Session, type SessionDescriptionHandlerFactory } from "sip.js";
import { abortable, delay, errorMessage, serverName, timeoutSignal, waitFor } from "@opencti/core/connector";
import { DEFAULTS } from "./options.js";
import { SipFailure, type LineEvents, type SipLine, type SipStack, type StackEvents, type StackFactory, type TransferProgress } from "./stack.js";

export interface SipJsStackOptions {
  readonly servers: readonly string[];
  readonly uri: string;
  readonly authorizationUsername?: string;
  readonly password?: string;
  readonly displayName?: string;
  readonly iceServers?: readonly RTCIceServer[];
  readonly registerExpires: number;
  readonly sessionDescriptionHandlerFactory?: SessionDescriptionHandlerFactory;
  readonly userAgentString?: string;
  /** Apply the SDP of a 183 to an outbound call (early media); off for proxies that fork INVITEs. */
  readonly earlyMedia: boolean;
  /** Where sip.js's own log lines go (never SIP message dumps). */
  readonly log?: (level: LogLevel, text: string) => void;
}

const NOOP_EVENTS: LineEvents = { onRinging() {}, onEarlyMedia() {}, onConnected() {}, onLocalHold() {}, onRemoteHold() {}, onIceState() {}, onEnded() {} };

/** `"Ada \"A\" L"` → `Ada "A" L`: display names arrive quoted and escaped; they stay plain text. */
function cleanDisplayName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const unquoted = name.replace(/^"(.*)"$/s, "$1").replace(/\\(.)/g, "$1").trim();
  return unquoted === "" ? undefined : unquoted;
}

/** Header lines of a raw SIP message, names as sent (sip.js normalizes their case). */
function rawHeaders(data: string): [string, string][] {
  const head = data.split(/\r?\n\r?\n/, 1)[0] ?? "";
  const out: [string, string][] = [];
  for (const line of head.split(/\r?\n/).slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) out.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return out;
}

/**
 * How long to wait before trying a re-INVITE again, or undefined if it is not worth it: another INVITE
 * transaction still in progress here (sip.js refuses locally) is a moment; glare (491) is 2.1–4 s for the
 * Call-ID's owner and 0–2 s otherwise (RFC 3261 14.1); 500 (the far end's own INVITE pending) a moment.
 */
const MAX_REINVITE_WAIT_MS = 10_000;
function reinviteRetryMs(error: unknown, ownsCallId: boolean): number | undefined {
  if (error instanceof RequestPendingError || (error instanceof Error && /ongoing re-INVITE/i.test(error.message))) return 50;
  if (!(error instanceof SipFailure)) return undefined;
  if (error.status === 491) return ownsCallId ? 2100 + Math.random() * 1900 : Math.random() * 2000;
  return error.status === 500 ? 200 : undefined;
}

/**
 * A transport failure in words without its URL: sip.js says "WebSocket closed <url> (code: 1006)";
 * 1006 (no close frame: refused, unreachable, cut) is `fallback`. Other text keeps only the URLs' scheme and host.
 */
function closeCause(error: unknown, fallback: string): string {
  const text = errorMessage(error);
  const code = /\(code: (\d+)\)/.exec(text)?.[1];
  if (code) return code === "1006" ? fallback : `closed with code ${code}`;
  return text.replace(/[a-z][\w+.-]*:\/\/[^\s)]+/gi, (url) => serverName(url));
}

/** sendonly/inactive in an offer means the far end holds us. */
const offersHold = (sdp: string): boolean => /^a=(sendonly|inactive)\s*$/m.test(sdp);

class SipJsLine implements SipLine {
  events: LineEvents = NOOP_EVENTS;
  readonly callId: string;
  readonly direction: "inbound" | "outbound";
  readonly remote: SipLine["remote"];
  readonly to?: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly offer?: { contentType: string; body: string };
  private endedBy: "local" | "remote" = "remote";
  private failStatus: number | undefined;
  private failReason: string | undefined;
  /** The caller's side CANCELled (inbound): its Reason header, "" without one. */
  private cancelReason: string | undefined;
  private connected = false;
  private remoteHeld = false;
  /**
   * Our hold as the far end last accepted it. sip.js keeps a re-INVITE's options for every later
   * offer and answer in the dialog, even when that re-INVITE was refused: after a refusal they are
   * put back to this, so the far end's next re-INVITE is answered as the call really is.
   */
  private heldByUs = false;

  get cancelled(): boolean {
    return this.cancelReason !== undefined;
  }

  /** `earlyMedia`: sip.js applies a provisional answer (an outbound Inviter made with that option). */
  constructor(
    readonly session: Session,
    private readonly earlyMedia = false,
  ) {
    const invitation = session instanceof Inviter ? undefined : (session as Invitation);
    this.direction = invitation ? "inbound" : "outbound";
    const identity = session.remoteIdentity;
    const displayName = cleanDisplayName(identity.displayName);
    this.remote = { user: identity.uri.user ?? "", uri: identity.uri.toString(), ...(displayName ? { displayName } : {}) };
    if (invitation) {
      const request = invitation.request;
      this.callId = request.callId;
      const to = request.to.uri.user;
      if (to) this.to = to;
      this.headers = rawHeaders(request.data);
      if (request.body) this.offer = { contentType: request.getHeader("content-type") ?? "", body: request.body };
    } else {
      this.callId = (session as Inviter).request.callId;
      this.headers = [];
    }
    const connected = (): void => {
      if (this.connected) return;
      this.connected = true;
      this.events.onConnected();
    };
    session.delegate = {
      // An answered inbound call is connected once our 200 is ACKed: before that no re-INVITE may go out.
      onAck: () => connected(),
      onInvite: (request) => {
        const held = offersHold(request.body ?? "");
        if (held === this.remoteHeld) return;
        this.remoteHeld = held;
        this.events.onRemoteHold(held);
      },
      // A proxy's ring timer says so in the CANCEL's Reason (RFC 3326); a caller who gives up sends none.
      onCancel: (cancel) => {
        this.cancelReason = cancel.request.getHeaders("reason").join(", ");
      },
      // The browser handler exposes its RTCPeerConnection: its ICE state is the call's media.
      onSessionDescriptionHandler: (sdh) => {
        const pc = (sdh as { peerConnection?: RTCPeerConnection | undefined }).peerConnection;
        pc?.addEventListener?.("iceconnectionstatechange", () => this.events.onIceState(pc.iceConnectionState));
      },
    };
    session.stateChange.addListener((state) => {
      if (state === SessionState.Established && !invitation) connected();
      else if (state === SessionState.Terminated) {
        // sip.js terminates before it hands the final response to onReject: let that land first.
        setTimeout(() => this.events.onEnded({ by: this.endedBy, ...(this.failStatus !== undefined ? { status: this.failStatus, reasonPhrase: this.failReason ?? "" } : {}), ...(this.cancelReason !== undefined ? { cancelReason: this.cancelReason } : {}) }), 0);
      }
    });
  }

  /** For outbound INVITEs: provisional and final responses. */
  readonly inviteDelegate = {
    // sip.js calls this after it applied a provisional answer (early media, when enabled).
    onProgress: (r: { message: { statusCode: number | undefined; body: string } }) => {
      const status = r.message.statusCode ?? 0;
      if (status === 180 || status === 183) this.events.onRinging();
      if (this.earlyMedia && status > 100 && r.message.body) this.events.onEarlyMedia();
    },
    onReject: (r: { message: { statusCode: number | undefined; reasonPhrase: string | undefined } }) => {
      this.failStatus = r.message.statusCode ?? 0;
      this.failReason = r.message.reasonPhrase ?? "";
    },
  };

  async accept(microphone?: MediaStreamConstraints): Promise<void> {
    await (this.session as Invitation).accept(microphone ? { sessionDescriptionHandlerOptions: { constraints: microphone } } : undefined);
  }

  async reject(status: number): Promise<void> {
    this.endedBy = "local";
    await (this.session as Invitation).reject({ statusCode: status });
  }

  async hangup(): Promise<void> {
    this.endedBy = "local";
    const s = this.session;
    if (s.state === SessionState.Established) await s.bye();
    else if (s instanceof Inviter) await s.cancel();
    else if (s.state === SessionState.Initial || s.state === SessionState.Establishing) await (s as Invitation).reject({ statusCode: 603 });
  }

  async abandon(): Promise<void> {
    this.endedBy = "local";
    const s = this.session;
    if (s.state !== SessionState.Initial && s.state !== SessionState.Establishing) return;
    if (!(s instanceof Inviter)) return (s as Invitation).reject({ statusCode: 480 });
    await s.cancel();
    // Its 487 goes to the dropped connection, and sip.js would wait for it for ever: release the media now.
    await s.dispose();
  }

  /**
   * RFC 3261 14.1: no re-INVITE while another INVITE transaction is in progress either way. When one is
   * (the far end's re-INVITE not yet ACKed, sip.js refuses locally; glare, the far end answers 491, or
   * 500 while its own is pending), wait and try again, until the request's signal gives up.
   */
  async hold(on: boolean, signal?: AbortSignal): Promise<void> {
    // Bounded by the request's signal (the desktop's timeout), and by MAX_REINVITE_WAIT_MS without one.
    const deadline = Date.now() + MAX_REINVITE_WAIT_MS;
    for (;;) {
      try {
        return await this.reinvite(on, signal);
      } catch (e) {
        const wait = reinviteRetryMs(e, this.direction === "outbound");
        if (wait === undefined || Date.now() + wait > deadline || signal?.aborted || this.session.state !== SessionState.Established) throw e;
        await delay(wait, signal).catch(() => undefined);
      }
    }
  }

  /** A target refresh (RFC 3261 12.2): a re-INVITE that changes nothing but carries our Contact over the current flow. */
  refresh(signal?: AbortSignal): Promise<void> {
    return this.hold(this.heldByUs, signal);
  }

  private reinvite(on: boolean, signal?: AbortSignal): Promise<void> {
    const s = this.session;
    const what = on === this.heldByUs ? "refresh" : on ? "hold" : "resume";
    // Whatever the outcome, the options sip.js keeps are the hold the far end accepted (a late answer included).
    const settled = (accepted: boolean): void => {
      if (accepted && this.heldByUs !== on) {
        this.heldByUs = on;
        this.events.onLocalHold(on);
      }
      s.sessionDescriptionHandlerOptionsReInvite = { hold: this.heldByUs } as Session["sessionDescriptionHandlerOptionsReInvite"];
    };
    return waitFor<void>(
      (resolve, reject) => {
        const stop = this.rejectWhenEnded(reject, `the far end answered the ${what} re-INVITE`);
        s.invite({
          sessionDescriptionHandlerOptions: { hold: on } as Session["sessionDescriptionHandlerOptionsReInvite"],
          requestDelegate: {
            onAccept: () => {
              settled(true);
              resolve();
            },
            onReject: (r) => {
              settled(false);
              reject(new SipFailure(`The far end refused the ${what} re-INVITE (${r.message.statusCode ?? 0} ${r.message.reasonPhrase ?? ""})`, r.message.statusCode ?? 0));
            },
          },
        }).catch((e: unknown) => {
          settled(false);
          reject(e);
        });
        return stop;
      },
      signal,
      () => new SipFailure(`The ${what} re-INVITE was abandoned`, 0),
    );
  }

  mute(on: boolean): void {
    const sdh = this.session.sessionDescriptionHandler as { enableSenderTracks?: (enable: boolean) => void } | undefined;
    sdh?.enableSenderTracks?.(!on);
  }

  /** The browser handler's audio sender (sip.js keeps one per kind, found by its track, as its setLocalMediaStream does). */
  private inputSender(): { sender: RTCRtpSender; local: MediaStream | undefined } | undefined {
    const sdh = this.session.sessionDescriptionHandler as { peerConnection?: RTCPeerConnection | undefined; localMediaStream?: MediaStream } | undefined;
    const sender = sdh?.peerConnection?.getSenders?.().find((s) => s.track?.kind === "audio");
    return sender ? { sender, local: sdh?.localMediaStream } : undefined;
  }

  hasInput(): boolean {
    return this.inputSender() !== undefined;
  }

  async replaceInput(track: MediaStreamTrack): Promise<void> {
    const input = this.inputSender();
    const old = input?.sender.track;
    if (!input || !old) return track.stop();
    track.enabled = old.enabled; // muted stays muted
    await input.sender.replaceTrack(track).catch((e: unknown) => {
      track.stop();
      throw e;
    });
    old.stop();
    // sip.js's localMediaStream is what the call sends: keep it true (as its own setLocalMediaStream does).
    input.local?.removeTrack(old);
    input.local?.addTrack(track);
  }

  remoteStream(): MediaStream | undefined {
    return (this.session.sessionDescriptionHandler as { remoteMediaStream?: MediaStream } | undefined)?.remoteMediaStream;
  }

  sendInfoDtmf(digit: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.session
        .info({
          requestOptions: { body: { contentDisposition: "render", contentType: "application/dtmf-relay", content: `Signal=${digit}\r\nDuration=160` } },
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (r) => reject(new SipFailure(`The far end refused DTMF INFO (${r.message.statusCode ?? 0})`, r.message.statusCode ?? 0)),
          },
        })
        .catch(reject);
    });
  }

  sendRecordInfo(on: boolean, signal?: AbortSignal): Promise<void> {
    const what = on ? "on" : "off";
    return waitFor<void>(
      (resolve, reject) => {
      const stop = this.rejectWhenEnded(reject, `the far end answered Record: ${what}`);
      this.session
        .info({
          requestOptions: { extraHeaders: [`Record: ${what}`] },
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (r) => reject(new SipFailure(`The far end refused Record: ${what} (${r.message.statusCode ?? 0} ${r.message.reasonPhrase ?? ""})`.trim(), r.message.statusCode ?? 0)),
          },
        })
        .catch((e: unknown) => reject(e instanceof Error ? e : new SipFailure(String(e), 0)));
        return stop;
      },
      signal,
      () => new SipFailure(`Record: ${what} was not answered in time`, 408),
    );
  }

  sendRtpDtmf(tones: string): boolean {
    const sdh = this.session.sessionDescriptionHandler;
    return sdh?.sendDtmf(tones) ?? false;
  }

  refer(target: string | SipLine, signal: AbortSignal): Promise<TransferProgress> {
    const to = typeof target === "string" ? UserAgent.makeURI(target) : (target as SipJsLine).session;
    if (!to) return Promise.reject(new SipFailure(`Not a SIP URI: ${typeof target === "string" ? target : target.callId}`, 0));
    return waitFor<TransferProgress>(
      (resolve, reject) => {
        const stop = this.rejectWhenEnded(reject, "the transfer was confirmed");
        this.session
          .refer(to, {
            requestDelegate: {
              onReject: (r) => reject(new SipFailure(`The far end refused the transfer (${r.message.statusCode ?? 0} ${r.message.reasonPhrase ?? ""})`, r.message.statusCode ?? 0)),
            },
            onNotify: (notification) => {
              void notification.accept().catch(() => undefined);
              const frag = /^SIP\/2\.0 (\d{3}) ?([^\r\n]*)/.exec(notification.request.body ?? "");
              const status = Number(frag?.[1] ?? 0);
              if (status >= 200) resolve({ status, reasonPhrase: frag?.[2] ?? "" });
            },
          })
          .catch((e: unknown) => reject(e instanceof Error ? e : new SipFailure(String(e), 0)));
        return stop;
      },
      signal,
      () => new SipFailure("The transfer was abandoned", 0),
    );
  }

  /**
   * A dialog that ends (a BYE from the far end, our own) while a request in it waits never answers it:
   * reject after onEnded has run (deferred the same way), so the connector sees the call over. Returns the cleanup.
   */
  private rejectWhenEnded(reject: (e: unknown) => void, before: string): () => void {
    const ended = (state: SessionState): void => {
      if (state === SessionState.Terminated) setTimeout(() => reject(new SipFailure(`The call ended before ${before}`, 0)), 0);
    };
    this.session.stateChange.addListener(ended);
    return () => this.session.stateChange.removeListener(ended);
  }
}

function createSipJsStack(options: SipJsStackOptions, events: StackEvents): SipStack {
  const aor = UserAgent.makeURI(options.uri);
  if (!aor) throw new SipFailure(`Not a SIP URI: ${options.uri}`, 0);
  const servers = options.servers;
  const server = servers[0];
  if (!server) throw new SipFailure("No SIP WebSocket server configured", 0);
  // Failover: each failed connect moves to the next server URL (sip.js reads `server` at connect time).
  let serverIndex = 0;
  class FailoverTransport extends Web.Transport {
    override get server(): string {
      return servers[serverIndex % servers.length] ?? server!;
    }
  }
  const failingOver = async (connect: () => Promise<void>): Promise<void> => {
    const started = Date.now();
    try {
      await connect();
    } catch (e) {
      serverIndex++;
      // sip.js's words carry the server URL (its query may hold a token): the cause alone, in words.
      throw new SipFailure(Date.now() - started >= DEFAULTS.connectTimeoutMs ? `no answer within ${DEFAULTS.connectTimeoutMs / 1000} s` : closeCause(e, "the WebSocket connection failed"), 0, { cause: e });
    }
  };
  const domain = aor.port ? `${aor.host}:${aor.port}` : aor.host;
  let stopping = false;
  let registerer: Registerer | undefined;

  const ua = new UserAgent({
    uri: aor,
    transportOptions: { server, traceSip: false, connectionTimeout: DEFAULTS.connectTimeoutMs / 1000 },
    transportConstructor: FailoverTransport,
    ...(options.authorizationUsername !== undefined ? { authorizationUsername: options.authorizationUsername } : {}),
    ...(options.password !== undefined ? { authorizationPassword: options.password } : {}),
    ...(options.displayName !== undefined ? { displayName: options.displayName } : {}),
    ...(options.userAgentString !== undefined ? { userAgentString: options.userAgentString } : {}),
    sessionDescriptionHandlerFactory: options.sessionDescriptionHandlerFactory ?? Web.defaultSessionDescriptionHandlerFactory(),
    sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: options.iceServers ?? [] }, iceGatheringTimeout: DEFAULTS.iceGatheringTimeoutMs },
    sipExtensionReplaces: SIPExtension.Supported,
    logBuiltinEnabled: false,
    logConfiguration: false,
    logLevel: "warn",
    logConnector: (level, category, _label, content) => {
      if (category === "sip.UserAgent" && content.startsWith("Failed to parse incoming message")) events.onUnreadable(content);
      options.log?.(level, `${category}: ${content}`);
    },
    delegate: {
      onConnect: () => events.onConnected(),
      onDisconnect: (error) => {
        if (!stopping) events.onDisconnected(error && new SipFailure(`The SIP WebSocket closed (${closeCause(error, "dropped")})`, 0, { cause: error }));
      },
      onInvite: (invitation) => events.onIncoming(new SipJsLine(invitation)),
    },
  });

  return {
    connect: () => failingOver(() => ua.start()),
    reconnect: () => failingOver(() => ua.reconnect()),
    isConnected: () => ua.isConnected(),

    register(signal) {
      const previous = registerer;
      registerer = undefined; // its disposal is not a lost registration
      previous?.dispose().catch(() => undefined);
      const r = new Registerer(ua, { expires: options.registerExpires });
      registerer = r;
      return waitFor<void>(
        (resolve, reject) => {
          r.register({
            requestDelegate: {
              onAccept: () => {
                // sip.js refreshes the binding on its own: a refresh that fails only shows as this state change.
                r.stateChange.addListener((state) => {
                  if (state === RegistererState.Unregistered && registerer === r && !stopping) events.onRegistrationLost();
                });
                resolve();
              },
              onReject: (res) => reject(new SipFailure(`${res.message.statusCode ?? 0} ${res.message.reasonPhrase ?? ""}`.trim(), res.message.statusCode ?? 0)),
            },
          }).catch((e: unknown) => reject(new SipFailure(errorMessage(e, "REGISTER failed"), 0, { cause: e })));
        },
        signal,
        () => new SipFailure("The registrar did not answer", 408),
      ).catch((error: unknown) => {
        // A registration that failed is dropped, so nothing waits on it at stop.
        if (registerer === r) registerer = undefined;
        void r.dispose().catch(() => undefined);
        throw error;
      });
    },

    async unregister() {
      const r = registerer;
      registerer = undefined;
      if (!r) return;
      // A registrar that does not answer must not block logout: give up after a while (the timer is cleared either way).
      const limit = timeoutSignal(DEFAULTS.unregisterTimeoutMs);
      try {
        await waitFor<void>((resolve) => {
          r.unregister({ requestDelegate: { onAccept: () => resolve(), onReject: () => resolve() } }).catch(() => resolve());
        }, limit.signal).catch(() => undefined);
      } finally {
        limit.clear();
      }
      void r.dispose().catch(() => undefined);
    },

    async invite(target, extraHeaders, microphone) {
      const uri = UserAgent.makeURI(target);
      if (!uri) throw new SipFailure(`Not a SIP URI: ${target}`, 0);
      const inviter = new Inviter(ua, uri, {
        extraHeaders: [...extraHeaders],
        earlyMedia: options.earlyMedia,
        // sip.js's Web handler hands `constraints` to getUserMedia for the offer; re-INVITEs without any keep them.
        ...(microphone ? { sessionDescriptionHandlerOptions: { constraints: microphone } } : {}),
      });
      const line = new SipJsLine(inviter, options.earlyMedia);
      await inviter.invite({ requestDelegate: line.inviteDelegate });
      return line;
    },

    targetUri(target) {
      const t = target.trim();
      if (/^sips?:/i.test(t)) return UserAgent.makeURI(t) ? t : undefined;
      if (!/^[\w.+*#-]+$/.test(t)) return undefined;
      return `sip:${t}@${domain}`;
    },

    async stop() {
      stopping = true;
      await this.unregister().catch(() => undefined);
      // sip.js waits for outstanding transactions (up to 32 s) when the server is silent: do not.
      const limit = timeoutSignal(DEFAULTS.stopTimeoutMs);
      try {
        await abortable(ua.stop(), limit.signal).catch(() => undefined);
      } finally {
        limit.clear();
      }
      await ua.transport.dispose().catch(() => undefined);
    },
  };
}

/** The default stack: sip.js with the connector's options. */
export const sipJsStackFactory: StackFactory = (o, events, log) =>
  createSipJsStack(
    {
      servers: typeof o.server === "string" ? [o.server] : o.server,
      uri: o.uri,
      registerExpires: o.registerExpires ?? DEFAULTS.registerExpires,
      earlyMedia: o.earlyMedia !== false,
      ...(o.authorizationUsername !== undefined ? { authorizationUsername: o.authorizationUsername } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.displayName !== undefined ? { displayName: o.displayName } : {}),
      ...(o.iceServers !== undefined ? { iceServers: o.iceServers } : {}),
      ...(o.sessionDescriptionHandlerFactory !== undefined ? { sessionDescriptionHandlerFactory: o.sessionDescriptionHandlerFactory } : {}),
      log: (_level, text) => log(text),
    },
    events,
  );

export type { SipJsLine };
