/**
 * The SIP-stack seam: the few things the connector needs from a SIP user
 * agent library. sip.js implements it (sipjs-stack.ts); JsSIP could, since
 * sip.js is frozen upstream. The connector never imports the library itself.
 */
import type { SipConnectorOptions } from "./options.js";

/** A SIP failure the connector maps to a typed error. */
export class SipFailure extends Error {
  override readonly name = "SipFailure";
  constructor(
    message: string,
    /** The SIP status code (408 for a transaction timeout), 0 when none. */
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface RemoteIdentity {
  /** The user part of the remote URI (a phone number or an extension). */
  readonly user: string;
  readonly uri: string;
  readonly displayName?: string;
}

/** How a line ended, as SIP told it. */
export interface LineEnd {
  /** Who ended the dialog. */
  readonly by: "local" | "remote";
  /** The final status of an outbound INVITE that failed, and its reason phrase. */
  readonly status?: number;
  readonly reasonPhrase?: string;
  /** An inbound INVITE the caller's side CANCELled: the CANCEL's Reason header (RFC 3326), "" without one. */
  readonly cancelReason?: string;
}

/** What a line tells the connector. Every callback runs outside the library's own call stack guarantees: the connector must not throw from it. */
export interface LineEvents {
  /** 180/183 from the far end of an outbound call. */
  onRinging(): void;
  /** An outbound call's provisional answer (a 183 with SDP) was applied: the far end's ringback or announcement plays. */
  onEarlyMedia(): void;
  onConnected(): void;
  /** The far end accepted our hold or resume re-INVITE (also one whose request had already given up). */
  onLocalHold(held: boolean): void;
  /** The far end put us on hold (re-INVITE sendonly/inactive) or took us off it. */
  onRemoteHold(held: boolean): void;
  /** The peer connection's ICE state changed (browser media only). */
  onIceState(state: string): void;
  onEnded(end: LineEnd): void;
}

export interface TransferProgress {
  /** The final sipfrag status the transferee reported (NOTIFY), or 0 if it never did, and its reason phrase. */
  readonly status: number;
  readonly reasonPhrase?: string;
}

/** One SIP dialog (or dialog attempt). */
export interface SipLine {
  /** The SIP Call-ID. */
  readonly callId: string;
  readonly direction: "inbound" | "outbound";
  readonly remote: RemoteIdentity;
  /** The user part of the To header (DNIS) for inbound calls. */
  readonly to?: string;
  /** Raw header lines of the initial INVITE (inbound), name case kept. */
  readonly headers: readonly (readonly [string, string])[];
  /** The SDP offer (inbound) as received, for validation. */
  readonly offer?: { readonly contentType: string; readonly body: string };
  events: LineEvents;
  /** The caller's side CANCELled this inbound INVITE (it may cross our answer). */
  readonly cancelled: boolean;
  /**
   * 200 OK. `microphone`: the getUserMedia constraints for the call's input (sip.js's Web
   * SessionDescriptionHandler `constraints`); default `{ audio: true }`.
   */
  accept(microphone?: MediaStreamConstraints): Promise<void>;
  reject(status: number): Promise<void>;
  /** BYE when connected, CANCEL while dialing. */
  hangup(): Promise<void>;
  /**
   * A call still being set up whose final response is bound to a dropped connection (the proxy's INVITE
   * transaction): CANCEL it (outbound) or refuse it with 480 (inbound) over the current one, and release
   * its media. Resolves once sent; it does not wait for a final response that cannot reach us.
   */
  abandon(): Promise<void>;
  /** re-INVITE with sendonly (hold) or sendrecv. Rejects if the dialog ends first or `signal` aborts. */
  hold(on: boolean, signal?: AbortSignal): Promise<void>;
  /** A re-INVITE that changes nothing but our Contact (a target refresh over the current connection). Rejects like hold. */
  refresh(signal?: AbortSignal): Promise<void>;
  mute(on: boolean): void;
  /** The line sends a microphone track through an RTCPeerConnection (browser media only; false before its first offer or answer). */
  hasInput(): boolean;
  /**
   * Sends `track` instead of the current microphone track (RTCRtpSender.replaceTrack, no
   * re-INVITE) and stops the old one. The new track takes the old one's `enabled`, so a
   * muted (or held) call stays silent. Stops `track` and does nothing without an input.
   */
  replaceInput(track: MediaStreamTrack): Promise<void>;
  /** The far end's audio (browser media only). */
  remoteStream(): MediaStream | undefined;
  sendInfoDtmf(digit: string): Promise<void>;
  /**
   * One-touch recording: an INFO in the dialog with `Record: on` or `Record: off` and no body (as desk
   * phones send it; Asterisk's res_pjsip_one_touch_record_info reads only the header). Resolves on a
   * 2xx; rejects with SipFailure carrying the final status (Asterisk: 403 when one_touch_recording is off),
   * 408 when `signal` aborts first.
   */
  sendRecordInfo(on: boolean, signal?: AbortSignal): Promise<void>;
  /** RFC 4733 through the media stack; false if it cannot. */
  sendRtpDtmf(tones: string): boolean;
  /** REFER to a target URI, or REFER with Replaces to another line. Resolves after the final NOTIFY. */
  refer(target: string | SipLine, signal: AbortSignal): Promise<TransferProgress>;
}

export interface StackEvents {
  onConnected(): void;
  /** The transport dropped without being asked to. */
  onDisconnected(error?: Error): void;
  onIncoming(line: SipLine): void;
  /** Something arrived that the library could not parse. */
  onUnreadable(what: string): void;
  /** A registration that had succeeded ended without being asked to (a refresh refused or unanswered, or it expired). */
  onRegistrationLost(): void;
}

export interface SipStack {
  connect(): Promise<void>;
  reconnect(): Promise<void>;
  isConnected(): boolean;
  /** Resolves once the registrar accepted; rejects with SipFailure. */
  register(signal: AbortSignal): Promise<void>;
  unregister(): Promise<void>;
  /** Starts an outbound INVITE; resolves once it is sent. `microphone`: getUserMedia constraints for its input (as `accept`'s). */
  invite(target: string, extraHeaders: readonly string[], microphone?: MediaStreamConstraints): Promise<SipLine>;
  /** Resolves `target` (a number or SIP URI) against the configured domain; undefined if not dialable. */
  targetUri(target: string): string | undefined;
  stop(): Promise<void>;
}

/** Creates the stack; tests may swap in another implementation of the seam. `log` receives the library's own log lines. */
export type StackFactory = (options: SipConnectorOptions, events: StackEvents, log: (text: string) => void) => SipStack;
