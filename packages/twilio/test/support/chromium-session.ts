/**
 * One browser for a test file, and per test: an emulator, a page running the
 * real connector, and a Desktop in Node driving it.
 */
import type { Browser } from "playwright-core";
import type { Capability, Connector } from "@opencti/core";
import { createRecordedDesktop, type RecordedDesktop } from "@opencti/testkit";
import { TwilioEmulator, type TwilioEmulatorOptions } from "../../src/testing/index.js";
import { twilioCapabilities } from "../../src/index.js";
import { bridgeConnector, buildPageBundle, EMULATOR_HOST, launchChromium, openTwilioPage, playMediaServer, startPageServer, type ExtraRoute, type TwilioPage } from "./browser.js";
import type { PageConfig } from "./page-entry.js";

export interface BrowserRig {
  browser: Browser;
  pageUrl: string;
  close(): Promise<void>;
}

export async function startBrowserRig(extra?: ExtraRoute, microphone: "allowed" | "blocked" = "allowed"): Promise<BrowserRig> {
  const [bundle, browser] = await Promise.all([buildPageBundle(), launchChromium({ microphone })]);
  const server = await startPageServer(bundle, extra);
  return {
    browser,
    pageUrl: server.url,
    close: async () => {
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}

export interface Session extends RecordedDesktop {
  emulator: TwilioEmulator;
  tp: TwilioPage;
  media: ReturnType<typeof playMediaServer>;
  capabilities: Capability[];
  /** The connector the desktop drives (to ask it what the desktop would refuse). */
  connector: Connector;
  close(): Promise<void>;
}

export interface SessionOptions {
  emulator?: TwilioEmulatorOptions;
  page?: Omit<PageConfig, "chunderw">;
  nextToken?: () => string;
  requestTimeoutMs?: number;
}

/** The parts a conformance harness needs (it builds its own Desktop). */
export async function openConnector(rig: BrowserRig, options: SessionOptions = {}) {
  const emulator = await TwilioEmulator.start(options.emulator);
  const tp = await openTwilioPage(rig.browser, rig.pageUrl, emulator, options.nextToken);
  const media = playMediaServer(tp.page, emulator);
  const config: PageConfig = { chunderw: EMULATOR_HOST, ...options.page };
  const capabilities = twilioCapabilities({ backend: config.backendUrl });
  const connector = bridgeConnector(tp, config, capabilities);
  return { emulator, tp, media, capabilities, connector };
}

export async function openSession(rig: BrowserRig, options: SessionOptions = {}): Promise<Session> {
  const { emulator, tp, media, capabilities, connector } = await openConnector(rig, options);
  const rec = createRecordedDesktop(connector, { requestTimeoutMs: options.requestTimeoutMs ?? 8000, historyLimit: 2000, timeoutMs: 10_000 });
  await rec.next("link.changed", (e) => e.link === "connected", { timeout: 15_000 });
  return {
    ...rec,
    emulator,
    tp,
    media,
    capabilities,
    connector,
    close: async () => {
      await rec.desktop.destroy();
      await emulator.close();
    },
  };
}
