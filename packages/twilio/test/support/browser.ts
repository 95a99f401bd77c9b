/**
 * Runs the connector with the real @twilio/voice-sdk in Debian Chromium (real
 * WebRTC, fake media devices) while the Desktop runs in Node: a page bundle
 * (esbuild) holds the connector, a Node-side bridge forwards requests to it
 * and its reports back. An in-page RTCPeerConnection plays Twilio's media
 * server; the PStream emulator plays Twilio's signalling.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { esbuildSourceAliases } from "../../../../vitest.shared.ts";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { CtiError, type Capability, type Connector, type CtiErrorCode } from "@opencti/core";
import { DEFAULT_REASONS } from "../../src/index.js";
import type { TwilioEmulator } from "../../src/testing/index.js";
import type { PageConfig } from "./page-entry.js";

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const EMULATOR_HOST = "voice-js.emulator.test";
const here = fileURLToPath(new URL(".", import.meta.url));

export async function buildPageBundle(): Promise<string> {
  const result = await build({
    entryPoints: [`${here}page-entry.ts`],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    alias: esbuildSourceAliases(),
  });
  return result.outputFiles[0]!.text;
}

export type ExtraRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Serves the test page and its bundle on 127.0.0.1 (a secure context for getUserMedia); `extra` may claim requests first. */
export async function startPageServer(bundle: string, extra?: ExtraRoute): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (extra?.(req, res)) return;
    if (req.url === "/bundle.js") {
      res.setHeader("content-type", "text/javascript");
      return res.end(bundle);
    }
    res.setHeader("content-type", "text/html");
    res.end('<!doctype html><meta charset="utf-8"><title>opencti twilio test</title><script src="/bundle.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `microphone: "blocked"` leaves out the fake permission UI: headless Chromium then refuses getUserMedia. */
export async function launchChromium(options: { microphone?: "allowed" | "blocked" } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}`);
  const fakeUi = options.microphone === "blocked" ? [] : ["--use-fake-ui-for-media-stream"];
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      ...fakeUi,
      "--use-fake-device-for-media-stream",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
}

/**
 * Before any page script: send the SDK's `wss://<EMULATOR_HOST>/signal` to the
 * emulator named in the page URL (`?signal=`), tag the page load (`?gen=`),
 * count in-band DTMF, and let a test change what `enumerateDevices` lists
 * (`window.__devices`: hide a device to simulate unplugging it, then dispatch
 * `devicechange`; list devices without labels; add devices) and record the
 * tracks `getUserMedia` hands out (`window.__gumTracks`). That is the
 * browser's own API, which the SDK reads; the SDK itself is untouched.
 */
function initScript({ host }: { host: string }): void {
  const params = new URL(location.href).searchParams;
  const target = params.get("signal") ?? "";
  const w = window as unknown as { __dtmf: string[]; __generation: number };
  w.__generation = Number(params.get("gen"));
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(String(url).replace(`wss://${host}/signal`, target), protocols);
    }
  };
  const devices = { hidden: new Set<string>(), unlabelled: false, extra: [] as { deviceId: string; kind: string; label: string }[] };
  (window as unknown as { __devices: typeof devices }).__devices = devices;
  // Absent outside a secure context.
  const media: MediaDevices | undefined = navigator.mediaDevices;
  // Every track getUserMedia hands out (the SDK's microphones), to check none is left open.
  const tracks: MediaStreamTrack[] = [];
  (window as unknown as { __gumTracks: MediaStreamTrack[] }).__gumTracks = tracks;
  if (media) {
    const gum = media.getUserMedia.bind(media);
    media.getUserMedia = async (constraints?: MediaStreamConstraints) => {
      const stream = await gum(constraints);
      tracks.push(...stream.getTracks());
      return stream;
    };
    const enumerate = media.enumerateDevices.bind(media);
    media.enumerateDevices = async () => {
      const listed = (await enumerate()).filter((d) => !devices.hidden.has(d.deviceId));
      const shown: MediaDeviceInfo[] = devices.unlabelled ? listed.map((d) => ({ deviceId: d.deviceId, groupId: d.groupId, kind: d.kind, label: "", toJSON: () => ({}) })) : listed;
      return [...shown, ...devices.extra.map((d) => ({ ...d, groupId: "", toJSON: () => ({}) }) as MediaDeviceInfo)];
    };
  }
  w.__dtmf = [];
  const insert = RTCDTMFSender.prototype.insertDTMF;
  RTCDTMFSender.prototype.insertDTMF = function (tones: string, ...rest: [number?, number?]) {
    w.__dtmf.push(tones);
    return insert.call(this, tones, ...rest);
  };
}

export interface TwilioPage {
  context: BrowserContext;
  page: Page;
  /** Tokens handed to the page's token provider, in order. */
  tokens: string[];
  nextToken: () => string;
  /** Where the page's connector reports go (set by the bridge's start). */
  ctx?: Record<string, (...args: unknown[]) => unknown>;
  close(): Promise<void>;
}

/**
 * One browser context and page per browser, reused: a new context costs a
 * renderer process (seconds on a loaded 2-core machine), a navigation gives a
 * fresh JS realm all the same. Reports from an older page load are dropped.
 */
interface Pool {
  context: BrowserContext;
  page: Page;
  generation: number;
  current: TwilioPage | undefined;
}
const pools = new WeakMap<Browser, Promise<Pool>>();

function pool(browser: Browser): Promise<Pool> {
  let p = pools.get(browser);
  if (!p) {
    p = (async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const state: Pool = { context, page, generation: 0, current: undefined };
      await page.addInitScript(initScript, { host: EMULATOR_HOST });
      await page.exposeFunction("__token", (gen: number) => {
        const tp = state.current;
        if (gen !== state.generation || !tp) throw new Error("stale page");
        const token = tp.nextToken();
        tp.tokens.push(token);
        return token;
      });
      await page.exposeFunction("__ctx", (gen: number, method: string, args: unknown[]) => {
        if (gen === state.generation) state.current?.ctx?.[method]?.(...args);
      });
      return state;
    })();
    pools.set(browser, p);
  }
  return p;
}

export async function openTwilioPage(browser: Browser, pageUrl: string, emulator: TwilioEmulator, nextToken: () => string = () => "header.payload.signature"): Promise<TwilioPage> {
  const state = await pool(browser);
  if (state.current) throw new Error("one Twilio test page at a time: close the previous session first");
  const generation = ++state.generation;
  const tp: TwilioPage = {
    context: state.context,
    page: state.page,
    tokens: [],
    nextToken,
    close: async () => {
      if (state.current !== tp) return;
      await state.page.goto("about:blank").catch(() => {});
      state.current = undefined;
    },
  };
  state.current = tp;
  await state.page.goto(`${pageUrl}?${new URLSearchParams({ signal: emulator.url, gen: String(generation) }).toString()}`);
  return tp;
}

// ---- the in-page "Twilio media server" (page-entry.ts: window.__media) ------

type Media = {
  close(key: string): void;
  offer(key: string): Promise<string>;
  accept(key: string, sdp: string): Promise<void>;
  answer(key: string, offer: string): Promise<string>;
  state(key: string): string | undefined;
  connection(key: string): string | undefined;
  bytesReceived(key: string): Promise<number>;
};

/** An offer from a fresh media peer playing a tone (for an incoming call). */
export const mediaOffer = (page: Page, key: string): Promise<string> => page.evaluate((k) => (window as unknown as { __media: Media }).__media.offer(k), key);
/** Feeds the SDK's answer to the media peer. */
const mediaAccept = (page: Page, key: string, sdp: string): Promise<void> => page.evaluate(({ k, s }) => (window as unknown as { __media: Media }).__media.accept(k, s), { k: key, s: sdp });
/** Answers the SDK's offer for an outbound call from a fresh media peer. */
const mediaAnswer = (page: Page, key: string, offer: string): Promise<string> => page.evaluate(({ k, o }) => (window as unknown as { __media: Media }).__media.answer(k, o), { k: key, o: offer });
/** The media server for `key` goes away (its peer closes); signalling is untouched. */
export const mediaClose = (page: Page, key: string): Promise<void> => page.evaluate((k) => (window as unknown as { __media: Media }).__media.close(k), key);
/** A fresh media server answers an offer (an ICE restart's) for `key`. */
export const mediaAnswerOffer = (page: Page, key: string, offer: string): Promise<string> => mediaAnswer(page, key, offer);
export const mediaState = (page: Page, key: string): Promise<string | undefined> => page.evaluate((k) => (window as unknown as { __media: Media }).__media.state(k), key);
export const mediaConnection = (page: Page, key: string): Promise<string | undefined> => page.evaluate((k) => (window as unknown as { __media: Media }).__media.connection(k), key);
export const mediaBytesReceived = (page: Page, key: string): Promise<number> => page.evaluate((k) => (window as unknown as { __media: Media }).__media.bytesReceived(k), key);

/** Wires the media peer to the emulator: every SDK answer reaches its peer; every outbound invite gets an answer SDP ready. */
export function playMediaServer(page: Page, emulator: TwilioEmulator): { outboundAnswer(callSidOrTemp: string): Promise<{ callSid: string; sdp: string }> } {
  const answers = new Map<string, Promise<string>>();
  emulator.on("frame", (frame: { type: string; payload: Record<string, unknown> }) => {
    if (frame.type === "answer" && typeof frame.payload.sdp === "string") void mediaAccept(page, String(frame.payload.callsid), frame.payload.sdp).catch(() => {});
  });
  emulator.on("outbound", (invite: { callSid: string; sdp: string }) => {
    const answer = mediaAnswer(page, invite.callSid, invite.sdp);
    answer.catch(() => {});
    answers.set(invite.callSid, answer);
  });
  return {
    async outboundAnswer(id) {
      // The SDK sends its invite after getUserMedia and the offer: wait for it (bounded).
      const deadline = Date.now() + 10_000;
      let invite = emulator.outbound.find((o) => o.callSid === id || o.tempSid === id);
      while (!invite && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        invite = emulator.outbound.find((o) => o.callSid === id || o.tempSid === id);
      }
      if (!invite) throw new Error(`no outbound call ${id}`);
      return { callSid: invite.callSid, sdp: await answers.get(invite.callSid)! };
    },
  };
}

// ---- the Node-side bridge connector ---------------------------------------

const BASE_METHODS = ["login", "logout", "setAgentState", "dial", "answer", "reject", "hangup", "mute", "unmute", "sendDtmf", "selectAudioDevice"] as const;
const BACKEND_METHODS = ["hold", "resume", "blindTransfer", "consult", "completeTransfer", "conference", "dropParty", "pauseRecording", "resumeRecording", "monitor", "setMonitorMode"] as const;

/** A Connector in Node whose every request runs in the page's real connector. */
export function bridgeConnector(tp: TwilioPage, config: PageConfig, capabilities: readonly Capability[]): Connector {
  const { page } = tp;
  let requestId = 0;
  const methods = [...BASE_METHODS, ...(config.backendUrl ? BACKEND_METHODS : [])];
  const connector: Record<string, unknown> = {
    name: "twilio",
    capabilities,
    reasons: DEFAULT_REASONS,
    async start(ctx: Record<string, (...args: unknown[]) => unknown>) {
      tp.ctx = ctx;
      await page.evaluate((c) => (window as unknown as { __opencti: { start(c: PageConfig): Promise<void> } }).__opencti.start(c), config);
    },
    async stop() {
      await page.evaluate(() => (window as unknown as { __opencti: { stop(): Promise<void> } }).__opencti.stop()).catch(() => {});
      await tp.close();
    },
  };
  for (const method of methods) {
    connector[method] = async (request: { signal: AbortSignal } & Record<string, unknown>) => {
      const { signal, ...rest } = request;
      const id = ++requestId;
      const onAbort = (): void => void page.evaluate((i) => (window as unknown as { __opencti: { abort(i: number): void } }).__opencti.abort(i), id).catch(() => {});
      signal.addEventListener("abort", onAbort);
      try {
        const result = await page.evaluate(
          ({ method, rest, id }) => (window as unknown as { __opencti: { request(m: string, r: unknown, i: number): Promise<{ ok?: unknown; error?: { code: string; message: string; retryable?: boolean } }> } }).__opencti.request(method, rest, id),
          { method, rest: JSON.parse(JSON.stringify(rest)) as unknown, id },
        );
        if (result.error) throw new CtiError(result.error.code as CtiErrorCode, result.error.message, result.error.retryable === undefined ? { request: method } : { request: method, retryable: result.error.retryable });
        return result.ok ?? undefined;
      } finally {
        signal.removeEventListener("abort", onAbort);
      }
    };
  }
  return connector as unknown as Connector;
}
