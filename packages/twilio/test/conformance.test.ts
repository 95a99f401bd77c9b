// The connector conformance suite: the real connector and @twilio/voice-sdk in
// Chromium against the PStream emulator, with hold/transfer/conference through
// the reference backend (@opencti/twilio-backend) over the Twilio REST stub.
// What the backend changes at "Twilio" reaches the browser the way Twilio
// does it: a removed agent leg is hung up over signalling, a dialled party's
// progress arrives as a user-defined call message.
import { afterAll, describe, expect, it } from "vitest";
import type { Call } from "@opencti/core";
import { createRecordedDesktop, runConnectorConformance, type ConnectorHarness, type HarnessVariant } from "@opencti/testkit";
import { accessTokenAuthenticator, createCallControlHandler } from "@opencti/twilio-backend";
import { STUB_ACCOUNT_SID, STUB_API_KEY_SECRET, STUB_API_KEY_SID, STUB_AUTH_TOKEN, TwilioRestStub, stubAccessToken } from "@opencti/twilio-backend/testing";
import { newSid, type Reinvite, type TwilioEmulator } from "../src/testing/index.js";
import { twilioCapabilities } from "../src/index.js";
import { mediaAnswerOffer, mediaClose, mediaOffer, type ExtraRoute } from "./support/browser.js";
import { openConnector, startBrowserRig, type BrowserRig } from "./support/chromium-session.js";

interface Shared {
  rig: BrowserRig;
  stub: TwilioRestStub;
  backendUrl: string;
  /**
   * A second Chromium, its microphone blocked, for the variant harnesses (started for the first scenario that
   * asks): a variant harness runs next to the scenario's own, and a browser holds one test page at a time.
   */
  variants(): Promise<BrowserRig>;
}

let shared: Promise<Shared> | undefined;
let variantRig: Promise<BrowserRig> | undefined;
/** The agent's Twilio Client identity: in its access token, in `connected`, and the `client:` of its call legs. */
const IDENTITY = "agent-1";

/** One browser, page server, REST stub and backend for the whole file. */
function start(): Promise<Shared> {
  shared ??= (async () => {
    const stub = await TwilioRestStub.start();
    const mount: { handler?: ReturnType<typeof createCallControlHandler> } = {};
    // The backend is mounted on the page's own origin (no CORS), as an integrator would.
    const route: ExtraRoute = (req, res) => {
      if (!req.url?.startsWith("/call-control/")) return false;
      void mount.handler!(req, res);
      return true;
    };
    const rig = await startBrowserRig(route);
    const backendUrl = `${rig.pageUrl}call-control`;
    // The real authentication path: the page sends the SDK's access token (minted by the official library) as a Bearer.
    mount.handler = createCallControlHandler({
      client: stub.client(),
      publicUrl: backendUrl,
      callerId: "+15550001111",
      authToken: STUB_AUTH_TOKEN,
      authenticate: accessTokenAuthenticator({ apiKeySecret: STUB_API_KEY_SECRET, apiKeySid: STUB_API_KEY_SID, accountSid: STUB_ACCOUNT_SID }),
      // The suite's agent supervises the other agents (never itself: the backend refuses that anyway).
      authorizeSupervisor: ({ supervisor, agent }) => supervisor === IDENTITY && agent !== IDENTITY,
    });
    const variants = (): Promise<BrowserRig> => (variantRig ??= startBrowserRig(route, "blocked"));
    return { rig, stub, backendUrl, variants };
  })();
  return shared;
}

afterAll(async () => {
  if (!shared) return;
  const { rig, stub } = await shared;
  await rig.close();
  if (variantRig) await (await variantRig).close();
  await stub.close();
});

/** The conformance harness, and the emulator playing Twilio's signalling. */
interface TwilioHarness extends ConnectorHarness {
  emulator: TwilioEmulator;
  /** An SDP offer from the page's media server, for a call Twilio rings (emulator.ring). */
  offer(callSid: string): Promise<string>;
}

/** Outbound numbers Twilio fails the way it does when the dialled leg fails behind `<Dial answerOnBridge>`: a hangup carrying the error. */
const FAILING = {
  busy: { to: "+15550486", error: { code: 31486, message: "Busy Here" } },
  notFound: { to: "+15550404", error: { code: 31404, message: "Not Found" } },
  // A far end or carrier failure without a SIP code of its own in the SDK reaches the SDK as a 31005 in the hangup.
  unavailable: { to: "+15550503", error: { code: 31005, message: "Service Unavailable" } },
} as const;

/**
 * `tokenIdentity`: whom the page's access token names (another agent's token in the authorization test);
 * `variant`: a token Twilio refuses (31204 at the Device's listen), or a Chromium whose microphone is blocked.
 */
async function createHarness(variant: HarnessVariant = {}, tokenIdentity = IDENTITY, ringSessions = true): Promise<TwilioHarness> {
  const { rig, stub, backendUrl, variants } = await start();
  const variantRequested = variant.microphone !== undefined || variant.credentials !== undefined;
  const { emulator, tp, media, connector } = await openConnector(variantRequested ? await variants() : rig, {
    emulator: { identity: IDENTITY, ...(variant.credentials === "bad" ? { verifyToken: () => "invalid" as const } : {}) },
    page: { backendUrl, allowIncomingWhileBusy: true },
    nextToken: () => stubAccessToken(tokenIdentity),
  });
  for (const { to, error } of Object.values(FAILING)) emulator.failures.set(to, error);
  // The SDK's ICE restarts (reinvites), latest per call, for restoreMedia to answer.
  const reinvites = new Map<string, Reinvite>();
  emulator.on("reinvite", (r: Reinvite) => reinvites.set(r.callSid, r));
  // Reflect the backend's REST changes in signalling, like Twilio.
  const onRemoved = (_c: unknown, p: { label: string; callSid: string }): void => {
    if (p.label === "agent") emulator.hangup(p.callSid);
  };
  const onMessage = (callSid: string, content: string): void => emulator.message(callSid, content);
  // A participant the backend dials to this agent's Client (a supervisor's session): Twilio rings the browser, with
  // the query of `to` as the call's custom parameters.
  const onCreated = (_c: unknown, p: { callSid: string }, client: { identity: string; parameters: Record<string, string> } | undefined): void => {
    if (client?.identity !== IDENTITY || !ringSessions) return;
    void mediaOffer(tp.page, p.callSid).then((sdp) => emulator.ring({ callSid: p.callSid, sdp, from: "+15550001111", params: client.parameters }));
  };
  stub.on("participantRemoved", onRemoved);
  stub.on("userDefinedMessage", onMessage);
  stub.on("participantCreated", onCreated);
  /** The CallSid Twilio knows an outbound call by (the call may still carry the SDK's temporary id). */
  const callSidOf = (call: Call): string => emulator.outbound.find((o) => o.tempSid === call.vendorCallId || o.callSid === call.vendorCallId)?.callSid ?? call.vendorCallId;
  return {
    connector,
    emulator,
    offer: (callSid) => mediaOffer(tp.page, callSid),
    destinations: { outbound: "+15550142", transferTarget: "+15550143", consultTarget: "+15550144", busy: FAILING.busy.to, notFound: FAILING.notFound.to, unavailable: FAILING.unavailable.to },
    driver: {
      async ringInbound(spec) {
        const agentCallSid = newSid("CA");
        // Twilio rings client:<identity>; the conference reports its participants to the backend's index. The
        // customer's call is recorded, and the TwiML says so to the browser (custom parameter `recording`).
        stub.addConference({ customerCallSid: newSid("CA"), customerNumber: spec.from, agentCallSid, agentIdentity: IDENTITY, statusCallback: `${backendUrl}/conference-status`, recorded: true });
        const sdp = await mediaOffer(tp.page, agentCallSid);
        const params: Record<string, string> = { ...spec.data, recording: "active" };
        if (spec.queue) params.queue = spec.queue;
        if (spec.fromName) params.callerName = spec.fromName;
        emulator.ring({ callSid: agentCallSid, sdp, from: spec.from, ...(spec.to ? { to: spec.to } : {}), params });
      },
      async remoteAnswer(call) {
        if (call.direction === "consult") return stub.answer(call.vendorCallId);
        const { callSid, sdp } = await media.outboundAnswer(call.vendorCallId);
        emulator.answerOutbound(callSid, sdp);
      },
      async remoteHangup(call) {
        if (call.direction === "consult") return stub.hangup(call.vendorCallId);
        emulator.hangup(callSidOf(call));
        return Promise.resolve();
      },
      abandon: (call) => Promise.resolve(emulator.cancel(call.vendorCallId)),
      // Another agent's call in its conference: what a supervisor watches (by the agent leg's CallSid).
      monitorTarget() {
        const agentCallSid = newSid("CA");
        stub.addConference({ customerCallSid: newSid("CA"), customerNumber: "+15550190", agentCallSid, agentIdentity: "agent-2", statusCallback: `${backendUrl}/conference-status` });
        return Promise.resolve(agentCallSid);
      },
      dropLink: () => Promise.resolve(emulator.dropLink()),
      restoreLink: () => Promise.resolve(emulator.restoreLink()),
      // An invite without SDP, in Twilio's own frame format.
      injectMalformed: () => Promise.resolve(emulator.send("invite", { callsid: newSid("CA"), parameters: { From: "+15550100" } })),
      // The backend's hold goes to Twilio's REST API, which never answers it.
      stallNext: () => Promise.resolve(void stub.stalled.add("hold")),
      // The media server goes away while signalling stays up: the SDK's ICE checks and audio stop, it reports the call
      // reconnecting and asks Twilio for an ICE restart (a reinvite) ...
      async interruptMedia(call) {
        reinvites.delete(callSidOf(call));
        await mediaClose(tp.page, callSidOf(call));
      },
      // ... which a fresh media server answers, as Twilio would.
      async restoreMedia(call) {
        const sid = callSidOf(call);
        const deadline = Date.now() + 20_000;
        while (!reinvites.has(sid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        const reinvite = reinvites.get(sid);
        if (!reinvite) throw new Error(`the SDK asked no ICE restart for ${sid}`);
        emulator.answerReinvite(sid, await mediaAnswerOffer(tp.page, sid, reinvite.sdp));
      },
    },
    async dispose() {
      stub.off("participantRemoved", onRemoved);
      stub.off("userDefinedMessage", onMessage);
      stub.off("participantCreated", onCreated);
      await emulator.close();
    },
  };
}

runConnectorConformance({
  name: "twilio (Chromium, PStream emulator, reference backend over the REST stub)",
  capabilities: twilioCapabilities({ backend: true }),
  // Off: ringTimeout (the SDK's `cancel` says nothing of why: a caller hanging up and Twilio's ring timeout look the
  // same) and remoteHold (neither the SDK nor Twilio's REST API says when the far end holds).
  features: { stall: true, changesWhileDown: true, secondCall: true, outboundFailures: true, mediaReconnect: true, badCredentials: true, microphoneDenied: true, recordsCalls: true, monitorTargets: true },
  createHarness: (variant) => createHarness(variant),
  requestTimeoutMs: 5000,
  // Chromium takes seconds to call ICE disconnected (mediaReconnect waits for it twice); on a loaded 2-core
  // machine one such wait once went past 15 s.
  eventTimeoutMs: 25_000,
  // On the suite's own harness and desktop: its event checks apply too.
  additionalTests(ctx) {
    describe("twilio: the backend's REST changes reach the browser through Twilio", () => {
      it("hold changes the customer participant; a blind transfer ends the agent's leg from Twilio's side, not the SDK's", async () => {
        const { stub } = await start();
        const { harness: h, desktop, waitFor } = ctx.session();
        const emulator = h.emulator;
        const events = ctx.session().events as { type: string; call?: Call }[];
        const until = (pred: () => boolean): Promise<unknown> => waitFor(pred);
        await desktop.login({});
        await h.driver.ringInbound({ from: "+15550177", data: { customerId: "C-9" } });
        await until(() => desktop.snapshot().calls.length === 1);
        const call = desktop.snapshot().calls[0]!;
        await desktop.answer(call.id);
        await until(() => desktop.getCall(call.id)?.state === "connected");
        const conference = stub.findParticipant(call.vendorCallId)!.conference;
        const customer = [...conference.participants.values()].find((p) => p.label === "customer")!;
        await desktop.hold(call.id);
        expect(customer.hold).toBe(true);
        await desktop.resume(call.id);
        expect(customer.hold).toBe(false);
        await desktop.blindTransfer(call.id, "+15550143");
        await until(() => events.some((e) => e.type === "call.ended" && e.call?.id === call.id));
        expect(events.find((e) => e.type === "call.ended" && e.call?.id === call.id)?.call?.endReason).toBe("transferred");
        // Twilio (the emulator, told by the REST stub) hung up the leg: the SDK never had to.
        expect(emulator.frames("hangup").filter((p) => p.callsid === call.id)).toEqual([]);
        expect([...conference.participants.values()].map((p) => p.label).sort()).toEqual(["customer", "transfer"]);
      });

      it("recording and a supervisor's session change Twilio's resources: the customer's current recording paused and resumed; the supervisor participant muted, coaching the agent's leg, unmuted", async () => {
        const { stub } = await start();
        const { harness: h, desktop, waitFor } = ctx.session();
        const until = (pred: () => boolean): Promise<unknown> => waitFor(pred);
        await desktop.login({});
        await h.driver.ringInbound({ from: "+15550179" });
        await until(() => desktop.snapshot().calls.length === 1);
        const call = desktop.snapshot().calls[0]!;
        expect(call.recording, "the TwiML's custom parameter says the call is recorded").toBe("active");
        await desktop.answer(call.id);
        await until(() => desktop.getCall(call.id)?.state === "connected");
        const conference = stub.findParticipant(call.vendorCallId)!.conference;
        const customerSid = [...conference.participants.values()].find((p) => p.label === "customer")!.callSid;
        await desktop.pauseRecording(call.id);
        expect(stub.currentRecording(customerSid)?.status).toBe("paused");
        expect(desktop.getCall(call.id)?.recording).toBe("paused");
        await desktop.resumeRecording(call.id);
        expect(stub.currentRecording(customerSid)?.status).toBe("in-progress");
        // While on a call, no session: core refuses before the backend (a customer must not hear the coaching), and Twilio dials nobody.
        // (The backend's own refusal of one's own call is in @opencti/twilio-backend's tests.)
        await expect(desktop.monitor(call.vendorCallId)).rejects.toMatchObject({ code: "INVALID_STATE", request: "monitor" });
        expect([...conference.participants.values()].map((p) => p.label).sort()).toEqual(["agent", "customer"]);
        await desktop.hangup(call.id);
        await until(() => desktop.getCall(call.id) === undefined);

        const target = await h.driver.monitorTarget!();
        const id = await desktop.monitor(target, "whisper");
        const { participant } = stub.findParticipant(id)!;
        expect(participant).toMatchObject({ label: expect.stringMatching(new RegExp(`^supervisor:${target}:[0-9a-f]{8}$`)), muted: false, coaching: true, callSidToCoach: target });
        expect(desktop.getCall(id)).toMatchObject({ direction: "monitor", state: "connected", monitorMode: "whisper", vendorCallId: id });
        await desktop.setMonitorMode(id, "barge");
        expect(participant).toMatchObject({ muted: false, coaching: false });
        await desktop.setMonitorMode(id, "monitor");
        expect(participant).toMatchObject({ muted: true, coaching: false });
        await desktop.hangup(id);
        await until(() => desktop.getCall(id) === undefined);
        // Leaving is the SDK hanging up its own leg (Twilio then removes the participant whose call ended).
        // The frame reaches the emulator over the page's WebSocket, the call's end over the CDP binding: either may come first.
        await until(() => h.emulator.frames("hangup").some((p) => p.callsid === id));
      });
    });
  },
});

describe("twilio: the backend's REST changes reach the browser through Twilio", () => {
  // Another agent's token: not the suite's harness, so a desktop of its own.
  it("the backend acts only for the agent whose access token the page sends: another identity's hold is AUTH_FAILED and changes nothing", async () => {
    const { stub } = await start();
    const h = await createHarness({}, "mallory");
    const { desktop, waitFor } = createRecordedDesktop(h.connector, { requestTimeoutMs: 8000, timeoutMs: 15_000, intervalMs: 20 });
    const until = (pred: () => boolean): Promise<unknown> => waitFor(pred);
    try {
      await until(() => desktop.snapshot().link === "connected");
      await desktop.login({});
      await h.driver.ringInbound({ from: "+15550178" });
      await until(() => desktop.snapshot().calls.length === 1);
      const call = desktop.snapshot().calls[0]!;
      await desktop.answer(call.id);
      await until(() => desktop.getCall(call.id)?.state === "connected");
      const conference = stub.findParticipant(call.vendorCallId)!.conference;
      await expect(desktop.hold(call.id)).rejects.toMatchObject({ code: "AUTH_FAILED" });
      expect([...conference.participants.values()].find((p) => p.label === "customer")!.hold).toBe(false);
      await desktop.hangup(call.id);
    } finally {
      await desktop.destroy();
      await h.dispose();
    }
  });

  it("a session Twilio does not ring in time: monitor is REQUEST_TIMEOUT, and the leg it rings afterwards (or any opencti=monitor offer nobody asked for) is declined, never offered to the agent", async () => {
    const { stub } = await start();
    const h = await createHarness({}, IDENTITY, false);
    const { desktop, waitFor, events } = createRecordedDesktop(h.connector, { requestTimeoutMs: 2000, timeoutMs: 15_000, intervalMs: 20 });
    try {
      await waitFor(() => desktop.snapshot().link === "connected");
      await desktop.login({});
      const target = await h.driver.monitorTarget!();
      await expect(desktop.monitor(target)).rejects.toMatchObject({ code: "REQUEST_TIMEOUT" });
      const leg = [...stub.findParticipant(target)!.conference.participants.values()].find((p) => p.label.startsWith("supervisor:"))!;
      expect(leg).toBeDefined();
      // Twilio rings it now: nobody waits for it.
      h.emulator.ring({ callSid: leg.callSid, sdp: await h.offer(leg.callSid), from: "+15550001111", params: { opencti: "monitor" } });
      await waitFor(() => h.emulator.frames("reject").some((p) => p.callsid === leg.callSid));
      expect(desktop.snapshot().calls).toEqual([]);
      expect(events.filter((e) => e.type === "call.ringing")).toEqual([]);
    } finally {
      await desktop.destroy();
      await h.dispose();
    }
  });
});
