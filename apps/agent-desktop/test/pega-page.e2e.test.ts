/**
 * The Pega example page (pega.html), BUILT and served under a strict
 * Content-Security-Policy, driven in Chromium the way an agent uses Pega's
 * Call Control Panel: Desktop Interface functions called from buttons with
 * success/failure callbacks, every forwarded event shown as Pega JSON. Each
 * event on the page must validate against @opencti/pega's draft-06 schemas.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sourceAliases } from "../../../vitest.shared.ts";
import { launchBrowser } from "./support/browser.ts";
import { serveBuiltApp, type BuiltApp } from "./support/built-app.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const pegaSchemas = fileURLToPath(new URL("../../../packages/pega/schema/", import.meta.url));
const UI_TIMEOUT = 15_000;

let built: BuiltApp;
let url: string;
let browser: Browser;
let page: Page;
const problems: string[] = [];

/** Pega's schemas, by pyEventType. */
function schemaValidators(): Record<string, ValidateFunction> {
  const require = createRequire(import.meta.url);
  const ajv = new Ajv({ allErrors: true, strict: true, meta: false });
  ajv.addMetaSchema(JSON.parse(readFileSync(require.resolve("ajv/dist/refs/json-schema-draft-06.json"), "utf8")) as object);
  const load = (name: string): ValidateFunction => ajv.compile(JSON.parse(readFileSync(join(pegaSchemas, `${name}.json`), "utf8")) as object);
  return {
    CallStateEvent: load("CallEvent"),
    AgentStateEvent: load("AgentEvent"),
    SnapshotEvent: load("Snapshot"),
    PartyInfoEvent: load("PartyInfo"),
    CallInfoEvent: load("CallInfo"),
    // The Voice AI events, for a page created with the voiceAi option.
    VoiceAIEvent: load("VoiceAI"),
    VoiceAIErrorEvent: load("VoiceAIError"),
    VoiceAITranscriptEvent: load("VoiceAITranscript"),
    VoiceAIInsightEvent: load("VoiceAIInsight"),
  };
}

type Shown = Record<string, unknown> & { pyEventType: string; pyEventName: string };

/** The events the page shows, oldest first, parsed from their JSON text. */
async function shownEvents(): Promise<Shown[]> {
  const texts = await page.locator("#events pre").allTextContents();
  return texts.reverse().map((t) => JSON.parse(t) as Shown);
}

async function waitForEvent(match: Partial<Shown>, after = 0): Promise<Shown> {
  let found: Shown | undefined;
  await expect
    .poll(
      async () => {
        found = (await shownEvents()).slice(after).find((e) => Object.entries(match).every(([k, v]) => e[k] === v));
        return found !== undefined;
      },
      { timeout: UI_TIMEOUT, interval: 50 },
    )
    .toBe(true);
  return found!;
}

async function callbackCount(): Promise<number> {
  return page.locator("#callbacks li").count();
}

/** Clicks a Desktop Interface button and returns the callback line it produced. */
async function call(fn: string): Promise<string> {
  const before = await callbackCount();
  await page.click(`button[data-fn="${fn}"]`);
  await expect.poll(callbackCount, { timeout: UI_TIMEOUT, interval: 50 }).toBe(before + 1);
  return (await page.locator("#callbacks li").first().textContent()) ?? "";
}

beforeAll(async () => {
  // Only the Pega page, with the app's aliases (packages from source).
  built = await serveBuiltApp({
    config: {
      configFile: false,
      resolve: { alias: sourceAliases },
      build: { target: "es2022", modulePreload: { polyfill: false }, rolldownOptions: { input: { pega: join(root, "pega.html") } } },
    },
    onMissing: (path) => problems.push(`404 ${path}`),
  });
  url = `${built.url}pega.html`;
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT);
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    // Chromium always asks for /favicon.ico; any other missing file is recorded by the server.
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) problems.push(`console: ${msg.text()}`);
  });
  await page.goto(url);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await built?.close();
});

describe("pega.html: the Desktop Implementation as Pega's framework uses it", () => {
  it("finds the implementation by name and shows its telephony mode", async () => {
    await expect.poll(() => page.textContent("#mode"), { timeout: UI_TIMEOUT }).toBe("FullTelephony");
  });

  it("login: success after Login, NotReady and a Snapshot", async () => {
    expect(await call("login")).toBe("login → success()");
    const events = await shownEvents();
    expect(events.map((e) => `${e.pyEventType}:${e.pyEventName}`)).toEqual(["AgentStateEvent:Login", "AgentStateEvent:NotReady", "SnapshotEvent:Snapshot"]);
    expect(events[2]).toMatchObject({ pyAgentId: "agent-7", pyThisDN: "4001", pyLinkState: "CONNECTED", pyDeviceState: "OPENED" });
  });

  it("an inbound call, answered, held, retrieved, hung up; ACW; Ready finishes the wrap-up", async () => {
    expect(await call("agentReady")).toBe("agentReady → success()");
    await waitForEvent({ pyEventType: "AgentStateEvent", pyEventName: "Ready", pyWorkMode: "MODE_AUTO_IN" });
    const from = (await shownEvents()).length;
    await page.click('button[data-sim="ring"]');
    const alerting = await waitForEvent({ pyEventType: "CallStateEvent", pyEventName: "Alerting" }, from);
    expect(alerting).toMatchObject({ pyCallType: "INBOUND", pyANI: "+15550100100", pyMedia: "Phone" });
    expect(await page.inputValue("#call-id")).toBe(alerting.pyCallId);
    for (const [fn, name] of [["answerCall", "Established"], ["holdCall", "Held"], ["retrieveCall", "Retrieved"]] as const) {
      expect(await call(fn)).toBe(`${fn} → success()`);
      await waitForEvent({ pyEventType: "CallStateEvent", pyEventName: name, pyCallId: alerting.pyCallId }, from);
    }
    // Voice AI (the page's voiceAi option): the session opened at Established, then the transcription service speaks.
    const session = await waitForEvent({ pyEventType: "VoiceAIEvent", pyEventName: "Connected", pyCallId: alerting.pyCallId }, from);
    expect(session).toMatchObject({ AIChannelID: "example-voice-ai-channel", AIIsolationID: "example-isolation", AILanguageModel: "en_US", AIRecordOnlyMode: "false" });
    expect(session.AISessionID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await page.click('button[data-sim="say"]');
    const partial = await waitForEvent({ pyEventType: "VoiceAITranscriptEvent", pyEventName: "Partial", AISessionID: session.AISessionID, pyText: "I was charged" }, from);
    const final = await waitForEvent({ pyEventType: "VoiceAITranscriptEvent", pyEventName: "Final", AISessionID: session.AISessionID, pySpeaker: "CUSTOMER" }, from);
    expect(final.pySegmentId).toBe(partial.pySegmentId);
    await waitForEvent({ pyEventType: "VoiceAIInsightEvent", pyEventName: "Sentiment", AISessionID: session.AISessionID, pyText: "negative" }, from);
    expect(await call("sendDTMF")).toBe("sendDTMF → success()");
    expect(await call("hangUpCall")).toBe("hangUpCall → success()");
    await waitForEvent({ pyEventType: "CallStateEvent", pyEventName: "Disconnected", pyCallId: alerting.pyCallId }, from);
    await waitForEvent({ pyEventType: "VoiceAIEvent", pyEventName: "Disconnected", AISessionID: session.AISessionID }, from);
    await waitForEvent({ pyEventType: "AgentStateEvent", pyEventName: "NotReady", pyWorkMode: "ACW" }, from);
    // The call is over: answering it again fails with Pega's code, shown as text.
    expect(await call("answerCall")).toContain('failure({"errCode":"OPENCTI_CF_INVALID_OBJECT_STATE"');
    const acw = (await shownEvents()).length;
    expect(await call("agentReady")).toBe("agentReady → success()");
    await waitForEvent({ pyEventType: "AgentStateEvent", pyEventName: "Ready" }, acw);
  });

  it("makeCall: Initiated OUTBOUND, Established when the far end answers", async () => {
    const from = (await shownEvents()).length;
    await page.fill("#destination", "+15550199"); // answers by itself
    expect(await call("makeCall")).toBe("makeCall → success()");
    const initiated = await waitForEvent({ pyEventType: "CallStateEvent", pyEventName: "Initiated" }, from);
    expect(initiated).toMatchObject({ pyCallType: "OUTBOUND", pyOtherDN: "+15550199" });
    await waitForEvent({ pyEventType: "CallStateEvent", pyEventName: "Established", pyCallId: initiated.pyCallId }, from);
    await page.click('button[data-sim="hangup"]');
    await waitForEvent({ pyEventType: "CallStateEvent", pyEventName: "Disconnected", pyCallId: initiated.pyCallId }, from);
  });

  it("a CTI link drop and recovery each send a Snapshot", async () => {
    const from = (await shownEvents()).length;
    await page.click('button[data-sim="drop"]');
    await waitForEvent({ pyEventType: "SnapshotEvent", pyLinkState: "DISCONNECTED" }, from);
    expect(await call("agentNotReady")).toContain("OPENCTI_HTTP_ERROR_503");
    await page.click('button[data-sim="restore"]');
    await waitForEvent({ pyEventType: "SnapshotEvent", pyLinkState: "CONNECTED" }, from);
  });

  it("renders caller-supplied text as text", async () => {
    await page.fill("#reason-code", '<img src="x" id="injected">');
    expect(await call("agentNotReady")).toContain("OPENCTI_CF_GENERIC_OPERATION");
    expect(await page.locator("#injected").count()).toBe(0);
    expect(await page.locator("#callbacks li").first().textContent()).toContain('<img src=\\"x\\" id=\\"injected\\">');
  });

  it("every event shown validates against Pega's schemas, with no CSP violation or page error", async () => {
    const validators = schemaValidators();
    const events = await shownEvents();
    expect(events.length).toBeGreaterThan(15);
    for (const e of events) {
      const validate = validators[e.pyEventType];
      expect(validate, e.pyEventType).toBeDefined();
      expect(validate!(e) ? [] : validate!.errors, JSON.stringify(e)).toEqual([]);
    }
    expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
