// What the Voice AI tests share: a backend instance on 127.0.0.1 and a free
// port with the usual options, and Twilio's transcription-content callback.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { accessTokenAuthenticator, createCallControlHandler, type CallControlHandlerOptions } from "../src/index.js";
import { STUB_ACCOUNT_SID, STUB_API_KEY_SECRET, STUB_API_KEY_SID, STUB_AUTH_TOKEN, type TwilioRestStub } from "../src/testing/index.js";

export interface BackendInstance {
  /** `http://127.0.0.1:<port>/call-control`, also its publicUrl (what Twilio signs against). */
  readonly base: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** One backend instance: the stub's client, access-token authentication, and `options` over those. */
export async function startBackend(stub: TwilioRestStub, options: Partial<CallControlHandlerOptions> = {}): Promise<BackendInstance> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/call-control`;
  const handler = createCallControlHandler({
    client: stub.client(),
    publicUrl: base,
    callerId: "+15550001111",
    authToken: STUB_AUTH_TOKEN,
    authenticate: accessTokenAuthenticator({ apiKeySecret: STUB_API_KEY_SECRET, apiKeySid: STUB_API_KEY_SID, accountSid: STUB_ACCOUNT_SID }),
    ...options,
  });
  server.on("request", (req, res) => void handler(req, res));
  return {
    base,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A transcription-content callback's parameters, as Twilio documents them (a final carries a confidence). */
export function transcriptionContent(
  callSid: string,
  line: { transcriptionSid: string; track: "inbound_track" | "outbound_track"; sequence: number; transcript: string; final: boolean },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    AccountSid: STUB_ACCOUNT_SID,
    CallSid: callSid,
    TranscriptionSid: line.transcriptionSid,
    TranscriptionEvent: "transcription-content",
    Timestamp: new Date().toISOString(),
    LanguageCode: "en-US",
    Track: line.track,
    SequenceId: String(line.sequence),
    Final: String(line.final),
    TranscriptionData: JSON.stringify(line.final ? { transcript: line.transcript, confidence: 0.93 } : { transcript: line.transcript }),
    ...extra,
  };
}
