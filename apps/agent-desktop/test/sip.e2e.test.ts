/**
 * The sample app on the SIP connector, in Chromium with fake media devices:
 * the real sip.js in the page registers over WebSocket with a real Kamailio
 * on 127.0.0.1 (digest auth), a SIPp caller rings it through Kamailio, the
 * agent answers in the panel (WebRTC answer from the page) and hangs up.
 */
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Locator } from "playwright-core";
import { createAgentStream, createAgentStreamHandler, type AgentStreamEvent } from "@opencti/agent-stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSipLab, type SipLab } from "@opencti/sip/testing";
import { startAppServer, type AppServer } from "./support/app-server.ts";
import { launchBrowser, SCREENSHOTS } from "./support/browser.ts";
// A browser only accepts WebRTC offers (ICE, DTLS), so the SIPp caller sends one
// made in the page: what a WebRTC gateway (Asterisk, rtpengine) puts before a phone.
import { farEndOffer } from "./support/media-peer.ts";
import { callCard, eventTypes, openApp, UI_TIMEOUT, type AppPage } from "./support/desktop-page.ts";

let appServer: AppServer;
let browser: Browser;
let lab: SipLab;
let app: AppPage | undefined;

beforeAll(async () => {
  lab = await startSipLab();
  appServer = await startAppServer();
  browser = await launchBrowser({ args: ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required"] });
});

afterEach(async () => {
  await app?.close();
  app = undefined;
});

afterAll(async () => {
  await browser?.close();
  await appServer?.close();
  await lab?.stop();
});

const HOSTILE = '<img src=x onerror="window.pwned=true">';
const INGEST_TOKEN = "lab-media-server-ingest-token";

/**
 * A real @opencti/agent-stream service on 127.0.0.1 (another origin than the
 * app's: CORS), standing in for the deployment's; `post` is what its media
 * server sends (POST /voice-ai). The lab signs the agent in with
 * `Bearer lab-agent:<SIP user>`.
 */
async function startVoiceAi(appOrigin: string) {
  const stream = createAgentStream({ allowedOrigins: [appOrigin] });
  const handler = createAgentStreamHandler({ stream, ingestToken: INGEST_TOKEN, allowedOrigins: [appOrigin], authenticate: (req) => /^Bearer lab-agent:([\w.-]+)$/.exec(req.headers.authorization ?? "")?.[1] });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async post(agentId: string, events: AgentStreamEvent[]) {
      const res = await fetch(`${url}/voice-ai`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${INGEST_TOKEN}` }, body: JSON.stringify({ events: events.map((event) => ({ agentId, event })) }) });
      expect(res.status).toBe(204);
    },
    async close() {
      await stream.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const transcriptLines = (card: Locator): Promise<string[]> =>
  card.locator('[part~="line"]').evaluateAll((els) => els.map((li) => `${li.textContent.trim().replace(/\s+/g, " ")}${li.getAttribute("data-final") === "true" ? "" : " …"}`));
const insightChips = (card: Locator): Promise<string[]> => card.locator('[part~="insight"]').evaluateAll((els) => els.map((li) => li.textContent.trim().replace(/\s+/g, " ")));

describe("agent desktop on SIP (Chromium, real sip.js, Kamailio + SIPp)", () => {
  it("registers over WebSocket, rings from SIPp, answers in the panel, hangs up", async () => {
    const uri = lab.newAgentUri();
    const config = { connector: "sip", options: { server: lab.wsUrl, uri, displayName: "Agent Seven" }, credentials: { password: lab.password } };
    app = await openApp(browser, appServer.url, "", undefined, config);
    const { page, panel, problems } = app;

    await panel.getByRole("button", { name: "Log in" }).click();
    const status = panel.getByLabel("Status");
    await status.waitFor();
    await status.selectOption({ label: "Ready" });

    const offer = await farEndOffer(page);
    const { callId } = await lab.ring(uri, {
      from: "+15550100",
      fromName: "Ada Lovelace",
      to: "+15550001000",
      headers: [
        ["X-Data-customerId", "C-1001"],
        ["X-Queue", "Billing"],
      ],
      body: { contentType: "application/sdp", content: offer },
    });
    const card = callCard(panel, "Ada Lovelace");
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("ringing");
    await expect.poll(() => card.getByLabel("Call data").textContent()).toContain("C-1001");

    await panel.getByRole("button", { name: "Answer Ada Lovelace" }).click();
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");
    await lab.waitFor(callId, "ANSWERED", UI_TIMEOUT); // SIPp got our 200 OK with the page's WebRTC answer

    await panel.getByRole("button", { name: "Hang up Ada Lovelace" }).click();
    await lab.waitFor(callId, "BYE", UI_TIMEOUT); // SIPp got our BYE
    await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("wrapup"); // after-call work is on by default

    const types = await eventTypes(page);
    for (const t of ["link.changed", "agent.changed", "call.ringing", "call.connected"]) expect(types).toContain(t);
    expect(types).toContain("call.wrapup");
    expect(problems).toEqual([]);
  });

  it("live transcript: the media server posts to an agent-stream service by SIP Call-ID; the panel shows partials replaced, speakers, insight chips, text as text", async () => {
    const voiceAi = await startVoiceAi(new URL(appServer.url).origin);
    try {
      const uri = lab.newAgentUri();
      const user = /^sip:([^@]+)@/.exec(uri)![1]!;
      const config = { connector: "sip", options: { server: lab.wsUrl, uri, agentStreamUrl: voiceAi.url }, credentials: { password: lab.password, agentStreamToken: `lab-agent:${user}` } };
      app = await openApp(browser, appServer.url, "", undefined, config);
      const { page, panel, problems } = app;
      await panel.getByRole("button", { name: "Log in" }).click();
      await panel.getByLabel("Status").selectOption({ label: "Ready" });
      const { callId } = await lab.ring(uri, { from: "+15550102", fromName: "Alan Turing", body: { contentType: "application/sdp", content: await farEndOffer(page) } });
      const card = callCard(panel, "Alan Turing");
      await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("ringing");
      await panel.getByRole("button", { name: "Answer Alan Turing" }).click();
      await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("connected");

      // The stream is followed from login: once the first line shows, the rest follows in order.
      const line = (id: string, speaker: "agent" | "customer", text: string, final: boolean): AgentStreamEvent => ({ type: "transcript", callId, segment: { id, speaker, text, final } });
      await expect
        .poll(async () => {
          await voiceAi.post(user, [line("c1", "customer", "My card was charged", false)]);
          return transcriptLines(card);
        }, { timeout: UI_TIMEOUT })
        .toEqual(["Customer My card was charged …"]);
      await voiceAi.post(user, [
        line("c1", "customer", "My card was charged twice.", true),
        line("a1", "agent", "Let me look at that", false),
        { type: "insight", callId, insight: { kind: "sentiment", text: "NEGATIVE", score: -1 } },
        { type: "insight", callId, insight: { kind: "issue", text: "charged twice" } },
        line("a1", "agent", "Let me look at that for you.", true),
        line("c2", "customer", `It says ${HOSTILE}`, true),
        { type: "media", callId, mediaStream: "rtpengine:stream-42" },
      ]);
      await expect.poll(() => transcriptLines(card), { timeout: UI_TIMEOUT }).toEqual(["Customer My card was charged twice.", "You Let me look at that for you.", `Customer It says ${HOSTILE}`]);
      await expect.poll(() => insightChips(card)).toEqual(["▼ Sentiment: negative", "Issue: charged twice"]);
      expect(await card.locator('[part~="transcript"] img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned)).toBeUndefined();
      // The media stream reference reached the call.
      // Each stream event is its own write: the media event may land after the last line is shown.
      await expect.poll(() => page.evaluate((id) => window.__opencti!.desktop!.snapshot().calls.find((c) => c.vendorCallId === id)?.mediaStream, callId), { timeout: UI_TIMEOUT }).toBe("rtpengine:stream-42");
      mkdirSync(SCREENSHOTS, { recursive: true });
      await panel.screenshot({ path: `${SCREENSHOTS}panel-transcript-sip.png` });

      await panel.getByRole("button", { name: "Hang up Alan Turing" }).click();
      await lab.waitFor(callId, "BYE", UI_TIMEOUT);
      expect(problems).toEqual([]);
    } finally {
      await voiceAi.close();
    }
  });

  it("a blocked microphone: answering fails with the MEDIA_PERMISSION_DENIED message in the panel, and the caller gets 480", async () => {
    // No fake-UI flag: Chromium refuses getUserMedia as a user blocking the prompt would.
    const strict = await launchBrowser({ args: ["--use-fake-device-for-media-stream"] });
    try {
      const uri = lab.newAgentUri();
      const config = { connector: "sip", options: { server: lab.wsUrl, uri }, credentials: { password: lab.password } };
      app = await openApp(strict, appServer.url, "", undefined, config);
      const { page, panel } = app;
      await panel.getByRole("button", { name: "Log in" }).click();
      await panel.getByLabel("Status").selectOption({ label: "Ready" });

      const { callId } = await lab.ring(uri, { from: "+15550101", fromName: "Grace Hopper", body: { contentType: "application/sdp", content: await farEndOffer(page) } });
      const card = callCard(panel, "Grace Hopper");
      await expect.poll(() => card.getAttribute("data-state"), { timeout: UI_TIMEOUT }).toBe("ringing");
      await panel.getByRole("button", { name: "Answer Grace Hopper" }).click();
      // The panel shows the connector's MEDIA_PERMISSION_DENIED message.
      await expect.poll(() => panel.getByRole("alert").filter({ hasText: "microphone" }).count(), { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
      expect(await lab.waitFor(callId, "REFUSED", UI_TIMEOUT)).toMatch(/ 480$/);
      await expect.poll(() => panel.locator("article.call").count(), { timeout: UI_TIMEOUT }).toBe(0);
    } finally {
      await app?.close();
      app = undefined;
      await strict.close();
    }
  });
});
