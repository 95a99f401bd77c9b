// @vitest-environment jsdom
// Voice AI end to end in jsdom: the real @twilio/voice-sdk on the loopback
// emulator, the reference backend (@opencti/twilio-backend, official twilio
// library against its REST stub) with the real @opencti/agent-stream, and the
// connector following the backend's own stream (`agentStream: true`). Twilio's
// signed Real-Time Transcription and Media Streams callbacks become the
// desktop's call.transcript events and the call's mediaStream.
import "./support/jsdom-signaling.js";
import { startJsdomDesktop } from "./support/jsdom-desktop.js";
import { createServer, type Server } from "node:http";
import { EventSource } from "eventsource";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Desktop } from "@opencti/core";
import { createAgentStream, type AgentStream } from "@opencti/agent-stream";
import type { RecordedDesktop } from "@opencti/testkit";
import { accessTokenAuthenticator, createCallControlHandler } from "@opencti/twilio-backend";
import { STUB_ACCOUNT_SID, STUB_API_KEY_SECRET, STUB_API_KEY_SID, STUB_AUTH_TOKEN, TwilioRestStub, stubAccessToken } from "@opencti/twilio-backend/testing";
import { newSid, type TwilioEmulator } from "../src/testing/index.js";
import { createHttpCallControlBackend, createLocalAgentStatePort, createTwilioConnector } from "../src/index.js";

const IDENTITY = "agent-1";
const GT = "GT" + "1".repeat(32);
const MZ = "MZ" + "2".repeat(32);

let stub: TwilioRestStub;
let stream: AgentStream;
let server: Server;
let backendUrl = "";
/** The browsers' stream connections the backend served: `closed` once its browser went. */
const connections: { closed: boolean }[] = [];

let emulator: TwilioEmulator;
let rec: RecordedDesktop;
let desktop: Desktop;

beforeAll(async () => {
  stub = await TwilioRestStub.start();
  stream = createAgentStream();
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  backendUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/call-control`;
  // The backend is server code: its twilio client speaks Node's HTTP, not the XMLHttpRequest axios would pick up from jsdom.
  const client = stub.client();
  client.httpClient.axios.defaults.adapter = "http";
  const handler = createCallControlHandler({
    client,
    publicUrl: backendUrl,
    callerId: "+15550001111",
    authToken: STUB_AUTH_TOKEN,
    authenticate: accessTokenAuthenticator({ apiKeySecret: STUB_API_KEY_SECRET, apiKeySid: STUB_API_KEY_SID, accountSid: STUB_ACCOUNT_SID }),
    // The real stream, watched: which browser streams it served and when they closed.
    agentStream: {
      publish: (agentId, event) => stream.publish(agentId, event),
      issueTicket: (agentId) => stream.issueTicket(agentId),
      async handleEvents(req, res) {
        const connection = { closed: false };
        connections.push(connection);
        res.once("close", () => (connection.closed = true));
        await stream.handleEvents(req, res);
      },
    },
  });
  server.on("request", (req, res) => void handler(req, res));
  // jsdom has no EventSource; a browser does.
  (globalThis as { EventSource?: unknown }).EventSource = EventSource;
});
afterAll(async () => {
  delete (globalThis as { EventSource?: unknown }).EventSource;
  await stream.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await stub.close();
});
afterEach(async () => {
  await desktop?.destroy();
  await emulator?.close();
});

/** A desktop whose connector follows its backend's stream, logged in. */
async function loggedIn(): Promise<void> {
  ({ emulator, rec } = await startJsdomDesktop(
    { identity: IDENTITY },
    {
      getToken: () => Promise.resolve(stubAccessToken(IDENTITY)),
      // The backend is on another origin than jsdom's page: the token goes there only when told.
      backend: createHttpCallControlBackend({ url: backendUrl, voiceToken: "always" }),
      agentStream: true,
    },
  ));
  desktop = rec.desktop;
  const before = connections.length;
  await desktop.login({});
  await rec.waitFor(() => connections.length > before, "the browser's stream");
}

/** A customer call Twilio bridged to the agent: the conference at the stub, the agent's leg ringing in the browser. */
async function ringing(): Promise<{ customerCallSid: string; agentCallSid: string; callId: string }> {
  const customerCallSid = newSid("CA");
  const agentCallSid = newSid("CA");
  stub.addConference({ customerCallSid, customerNumber: "+15550100", agentCallSid, agentIdentity: IDENTITY });
  const ring = rec.next("call.ringing");
  emulator.ring({ callSid: agentCallSid, sdp: "v=0\r\n", from: "+15550100" });
  const { call } = await ring;
  return { customerCallSid, agentCallSid, callId: call.id };
}

const content = (callSid: string, track: string, sequence: number, transcript: string, final: boolean): Record<string, string> => ({
  AccountSid: STUB_ACCOUNT_SID,
  CallSid: callSid,
  TranscriptionSid: GT,
  TranscriptionEvent: "transcription-content",
  Track: track,
  SequenceId: String(sequence),
  Final: String(final),
  LanguageCode: "en-US",
  TranscriptionData: JSON.stringify({ transcript }),
  Timestamp: new Date().toISOString(),
});

describe("Voice AI through the backend's own agent stream", () => {
  it("declares transcripts; the customer's words, partial then final, and the agent's reach the desktop as the call's transcript", async () => {
    await loggedIn();
    expect(desktop.capabilities).toContain("transcripts");
    const { customerCallSid, callId } = await ringing();
    expect(await stub.postSigned(`${backendUrl}/transcription`, content(customerCallSid, "inbound_track", 1, "I was charged", false))).toBe(204);
    expect(await stub.postSigned(`${backendUrl}/transcription`, content(customerCallSid, "inbound_track", 2, "I was charged twice.", true))).toBe(204);
    expect(await stub.postSigned(`${backendUrl}/transcription`, content(customerCallSid, "outbound_track", 3, "Let me check.", true))).toBe(204);
    await rec.waitFor(() => rec.events.filter((e) => e.type === "call.transcript").length === 3, "three transcript events");
    const transcripts = rec.events.filter((e) => e.type === "call.transcript");
    expect(transcripts.map((e) => ({ callId: e.callId, ...e.segment, id: undefined }))).toEqual([
      { callId, id: undefined, speaker: "customer", text: "I was charged", final: false, language: "en-US" },
      { callId, id: undefined, speaker: "customer", text: "I was charged twice.", final: true, language: "en-US" },
      { callId, id: undefined, speaker: "agent", text: "Let me check.", final: true, language: "en-US" },
    ]);
    // One utterance per track (the toolkit names each within its stream `<TranscriptionSid>:<track>`): the partial and its final share it.
    const [partial, final, agent] = transcripts.map((e) => e.segment.id);
    expect(partial).toBe(final);
    expect(partial?.startsWith(`${GT}:inbound_track`)).toBe(true);
    expect(agent?.startsWith(`${GT}:outbound_track`)).toBe(true);
  });

  it("a media stream's start and stop set and clear the call's mediaStream", async () => {
    await loggedIn();
    const { agentCallSid, callId } = await ringing();
    const media = (event: string) => stub.postSigned(`${backendUrl}/media-stream`, { AccountSid: STUB_ACCOUNT_SID, CallSid: agentCallSid, StreamSid: MZ, StreamEvent: event, StreamName: "ai" });
    expect(await media("stream-started")).toBe(204);
    await rec.waitFor(() => desktop.snapshot().calls.find((c) => c.id === callId)?.mediaStream === MZ, "the media stream");
    expect(await media("stream-stopped")).toBe(204);
    await rec.waitFor(() => desktop.snapshot().calls.find((c) => c.id === callId && c.mediaStream === undefined), "the media stream cleared");
  });

  it("logout closes the stream; so does stopping the desktop", async () => {
    await loggedIn();
    const first = connections.at(-1)!;
    await desktop.logout();
    await rec.waitFor(() => first.closed, "the stream closed at logout");
    await desktop.login({});
    await rec.waitFor(() => connections.at(-1) !== first, "the stream again");
    const second = connections.at(-1)!;
    expect(second.closed).toBe(false);
    await desktop.destroy();
    await rec.waitFor(() => second.closed, "the stream closed at stop");
  });

  it("a stop that overtakes a login opens no stream after it", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const local = createLocalAgentStatePort();
    // The login waits in the agent-state port (a server-side one can take a while) while the desktop stops.
    const agentState = { ...local, login: async (...args: Parameters<typeof local.login>) => (await held, local.login(...args)) };
    ({ emulator, rec } = await startJsdomDesktop({ identity: IDENTITY }, { getToken: () => Promise.resolve(stubAccessToken(IDENTITY)), backend: createHttpCallControlBackend({ url: backendUrl, voiceToken: "always" }), agentStream: true, agentState }));
    desktop = rec.desktop;
    const before = connections.length;
    const login = desktop.login({}).catch(() => undefined);
    await rec.waitFor(() => emulator.frames("register").length > 0, "the Device registering");
    const stopping = desktop.destroy();
    release();
    await Promise.all([login, stopping]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(connections.length).toBe(before);
  });

  it("without EventSource the agent logs in all the same, told that transcripts are unavailable", async () => {
    delete (globalThis as { EventSource?: unknown }).EventSource;
    try {
      ({ emulator, rec } = await startJsdomDesktop({ identity: IDENTITY }, { getToken: () => Promise.resolve(stubAccessToken(IDENTITY)), backend: createHttpCallControlBackend({ url: backendUrl }), agentStream: true }));
      desktop = rec.desktop;
      await desktop.login({});
      expect(desktop.snapshot().agent.state).not.toBe("logged_out");
      expect(await rec.next("warning", (w) => w.code === "VOICE_AI_UNAVAILABLE")).toMatchObject({ message: expect.stringContaining("EventSource") });
    } finally {
      (globalThis as { EventSource?: unknown }).EventSource = EventSource;
    }
  });
});

describe("configuration", () => {
  it("agentStream: true without a backend that serves a stream is a TypeError at construction; without agentStream no transcripts", () => {
    expect(() => createTwilioConnector({ getToken: () => Promise.resolve("t"), agentStream: true })).toThrow(TypeError);
    expect(() => createTwilioConnector({ getToken: () => Promise.resolve("t"), backend: { ...createHttpCallControlBackend({ url: backendUrl }), agentStream: undefined } as never, agentStream: true })).toThrow(/serves none/);
    expect(createTwilioConnector({ getToken: () => Promise.resolve("t"), backend: createHttpCallControlBackend({ url: backendUrl }) }).capabilities).not.toContain("transcripts");
  });
});
