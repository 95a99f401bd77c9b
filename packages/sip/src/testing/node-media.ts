/**
 * A signalling-only SessionDescriptionHandler so sip.js runs in Node without
 * WebRTC: it offers and answers a static audio SDP, mirrors the far end's
 * hold (sendonly → recvonly, RFC 3264), and records what media would have
 * done (DTMF tones, microphone on/off) so tests can read it back.
 */
import type { BodyAndContentType, SessionDescriptionHandler, SessionDescriptionHandlerFactory, SessionDescriptionHandlerOptions } from "sip.js";

let nextPort = 40_000;

export class NodeSessionDescriptionHandler implements SessionDescriptionHandler {
  private version = 1;
  private readonly port = (nextPort += 2);
  private readonly sessionId = Math.floor(Math.random() * 1e9);
  remoteSdp: string | undefined;
  /** Stands in for the browser handler's far-end stream: what the connector hands its audio element. */
  readonly remoteMediaStream = { id: `node-media-${this.port}` } as unknown as MediaStream;
  /** RFC 4733 tones the media would have sent. */
  readonly dtmfSent: string[] = [];
  /** false while the microphone is muted (enableSenderTracks). */
  senderEnabled = true;
  closed = false;
  /** The far end's offer said sendonly/inactive: our answer mirrors it. */
  private remoteHolds = false;

  close(): void {
    this.closed = true;
  }

  getDescription(options?: SessionDescriptionHandlerOptions & { hold?: boolean }): Promise<BodyAndContentType> {
    const direction = options?.hold ? (this.remoteHolds ? "inactive" : "sendonly") : this.remoteHolds ? "recvonly" : "sendrecv";
    const body = [
      "v=0",
      `o=- ${this.sessionId} ${this.version++} IN IP4 127.0.0.1`,
      "s=-",
      "c=IN IP4 127.0.0.1",
      "t=0 0",
      `m=audio ${this.port} RTP/AVP 0 101`,
      "a=rtpmap:0 PCMU/8000",
      "a=rtpmap:101 telephone-event/8000",
      "a=fmtp:101 0-16",
      `a=${direction}`,
      "",
    ].join("\r\n");
    return Promise.resolve({ body, contentType: "application/sdp" });
  }

  hasDescription(contentType: string): boolean {
    return contentType === "application/sdp";
  }

  setDescription(sdp: string): Promise<void> {
    if (!/^v=0/m.test(sdp) || !/^m=audio /m.test(sdp)) return Promise.reject(new Error("The far end's SDP has no audio"));
    this.remoteSdp = sdp;
    this.remoteHolds = /^a=(sendonly|inactive)\s*$/m.test(sdp);
    return Promise.resolve();
  }

  sendDtmf(tones: string): boolean {
    this.dtmfSent.push(tones);
    return true;
  }

  enableSenderTracks(enable: boolean): void {
    this.senderEnabled = enable;
  }
}

/** Every handler the factory made, newest last (tests read DTMF and mute back). */
export const nodeMediaHandlers: NodeSessionDescriptionHandler[] = [];

export const nodeSessionDescriptionHandlerFactory: SessionDescriptionHandlerFactory = () => {
  const handler = new NodeSessionDescriptionHandler();
  nodeMediaHandlers.push(handler);
  if (nodeMediaHandlers.length > 200) nodeMediaHandlers.shift();
  return handler;
};

/** sip.js opens `new WebSocket(url, "sip")`; Node 20 has none, so use the `ws` package (tests only). */
export async function installNodeWebSocket(): Promise<void> {
  const g = globalThis as { WebSocket?: unknown };
  if (g.WebSocket !== undefined) return;
  const { WebSocket } = await import("ws");
  g.WebSocket = WebSocket;
}
