/**
 * Bundled by esbuild into the test page: the real connector with the real
 * @twilio/voice-sdk, driven from Node through window.__opencti; its reports go
 * back to Node through the exposed window.__ctx binding.
 */
import * as sdk from "@twilio/voice-sdk";
import type { Connector, ConnectorContext } from "@opencti/core";
import { createHttpCallControlBackend, createTwilioConnector } from "../../src/index.js";

export interface PageConfig {
  backendUrl?: string;
  allowIncomingWhileBusy?: boolean;
  tokenRefreshMs?: number;
  /** The connector fetches its token from here (`tokenUrl`) instead of the test's token provider. */
  tokenUrl?: string;
  /** `startRetryDelaysMs`. */
  startRetryDelaysMs?: number[];
  chunderw: string;
  /**
   * Before the Device is built: `unlabelled` lists the devices without labels
   * (as a browser does before the microphone is granted, ids kept);
   * `extra` adds devices the browser does not have (a blocked browser lists
   * none); `noSetSinkId` removes HTMLMediaElement.setSinkId (a browser
   * without output selection). See initScript in browser.ts.
   */
  devices?: { unlabelled?: boolean; extra?: { deviceId: string; kind: "audioinput" | "audiooutput"; label: string }[] };
  noSetSinkId?: boolean;
}

type Binding = (generation: number, method: string, args: unknown[]) => Promise<unknown>;
interface PageWindow {
  __ctx: Binding;
  __token: (generation: number) => Promise<string>;
  __generation: number;
  __opencti: unknown;
  __rawIncoming: number[];
  __device?: sdk.Device;
  __devices: { hidden: Set<string>; unlabelled: boolean; extra: { deviceId: string; kind: string; label: string }[] };
}
const w = window as unknown as PageWindow;
let connector: Connector | undefined;
const pending = new Map<number, AbortController>();

const forward =
  (method: string) =>
  (...args: unknown[]): void =>
    void w.__ctx(w.__generation, method, JSON.parse(JSON.stringify(args)) as unknown[]);

const ctx: ConnectorContext = {
  upsertCall: forward("upsertCall"),
  removeCall: forward("removeCall"),
  setAgent: forward("setAgent"),
  setLink: forward("setLink"),
  setReasons: forward("setReasons"),
  setDirectory: forward("setDirectory"),
  setAudioDevices: forward("setAudioDevices"),
  sync: forward("sync"),
  signal: forward("signal"),
  invalidVendorEvent: forward("invalidVendorEvent"),
  getCall: () => undefined,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
};

w.__opencti = {
  async start(config: PageConfig) {
    const getToken = (): Promise<string> => w.__token(w.__generation);
    // No headers: the connector hands the backend its token, sent as a Bearer (the default integrators get).
    const backend = config.backendUrl ? createHttpCallControlBackend({ url: config.backendUrl }) : undefined;
    if (config.devices?.unlabelled) w.__devices.unlabelled = true;
    if (config.devices?.extra) w.__devices.extra.push(...config.devices.extra);
    if (config.noSetSinkId) delete (HTMLMediaElement.prototype as { setSinkId?: unknown }).setSinkId;
    // The real SDK; the test reads the Device it builds (its audio helper, its active call's peer connection).
    class ObservedDevice extends sdk.Device {
      constructor(...args: ConstructorParameters<typeof sdk.Device>) {
        super(...args);
        w.__device = this;
      }
    }
    connector = createTwilioConnector({
      ...(config.tokenUrl ? { tokenUrl: config.tokenUrl } : { getToken }),
      ...(config.startRetryDelaysMs ? { startRetryDelaysMs: config.startRetryDelaysMs } : {}),
      loadSdk: () => Promise.resolve({ Device: ObservedDevice }),
      logLevel: "silent",
      sounds: { incoming: "data:,", outgoing: "data:,", disconnect: "data:," },
      incomingSound: false,
      ...(config.allowIncomingWhileBusy ? { allowIncomingWhileBusy: true } : {}),
      ...(backend ? { backend } : {}),
      deviceOptions: { chunderw: config.chunderw, publishEvents: false, ...(config.tokenRefreshMs ? { tokenRefreshMs: config.tokenRefreshMs } : {}) },
    });
    await connector.start(ctx);
  },
  async request(method: string, request: Record<string, unknown>, id: number) {
    const controller = new AbortController();
    pending.set(id, controller);
    try {
      const fn = (connector as unknown as Record<string, (r: unknown) => Promise<unknown>>)[method]!;
      const result = await fn.call(connector, { ...request, signal: controller.signal });
      return { ok: result ?? null };
    } catch (error) {
      const e = error as { code?: string; message?: string; retryable?: boolean };
      return { error: { code: e.code ?? "VENDOR_ERROR", message: String(e.message ?? error), retryable: e.retryable } };
    } finally {
      pending.delete(id);
    }
  },
  abort(id: number) {
    pending.get(id)?.abort();
  },
  async stop() {
    await connector?.stop();
  },
};

// ---- the "Twilio media server": a second RTCPeerConnection playing a tone ----

const peers = new Map<string, RTCPeerConnection>();

async function tonePeer(): Promise<RTCPeerConnection> {
  const pc = new RTCPeerConnection();
  const audio = new AudioContext();
  const tone = audio.createOscillator();
  const out = audio.createMediaStreamDestination();
  tone.connect(out);
  tone.start();
  pc.addTrack(out.stream.getAudioTracks()[0]!, out.stream);
  return Promise.resolve(pc);
}

/** Waits for ICE gathering (no trickle in PStream), at most 3 s. */
function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3000);
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState !== "complete") return;
      clearTimeout(timer);
      resolve();
    });
  });
}

(window as unknown as { __media: unknown }).__media = {
  async offer(key: string) {
    const pc = await tonePeer();
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    peers.set(key, pc);
    return pc.localDescription!.sdp;
  },
  async accept(key: string, sdp: string) {
    await peers.get(key)?.setRemoteDescription({ type: "answer", sdp });
  },
  async answer(key: string, offer: string) {
    const pc = await tonePeer();
    await pc.setRemoteDescription({ type: "offer", sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    peers.set(key, pc);
    return pc.localDescription!.sdp;
  },
  /** The media server goes away (signalling stays up): its peer closes, so the SDK's ICE checks go unanswered and no audio arrives. */
  close(key: string) {
    peers.get(key)?.close();
    peers.delete(key);
  },
  state(key: string) {
    return peers.get(key)?.iceConnectionState;
  },
  /** ICE and DTLS: "connected" once media can flow. */
  connection(key: string) {
    return peers.get(key)?.connectionState;
  },
  /** Audio energy the peer receives from the agent (fake microphone): > 0 means media flows. */
  async bytesReceived(key: string) {
    const stats = await peers.get(key)?.getStats();
    let bytes = 0;
    stats?.forEach((s: { type: string; kind?: string; bytesReceived?: number }) => {
      if (s.type === "inbound-rtp" && s.kind === "audio") bytes += s.bytesReceived ?? 0;
    });
    return bytes;
  },
};
