// What the backend's tests share: an instance on 127.0.0.1 and a free port
// with the usual options (remountable per test), and Twilio's
// transcription-content callback.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { accessTokenAuthenticator, createCallControlHandler, type CallControlHandlerOptions } from "../src/index.js";
import { STUB_ACCOUNT_SID, STUB_API_KEY_SECRET, STUB_API_KEY_SID, STUB_AUTH_TOKEN, type TwilioRestStub } from "../src/testing/index.js";

/** Handler options over the defaults; `undefined` removes one (e.g. `authenticate`). */
export type BackendOptions = { [K in keyof CallControlHandlerOptions]?: CallControlHandlerOptions[K] | undefined };

export interface BackendInstance {
  /** `http://127.0.0.1:<port>/call-control`, also its publicUrl (what Twilio signs against). */
  readonly base: string;
  readonly server: Server;
  /** Replaces the handler on the same port: the defaults, `startBackend`'s options, then `overrides`. */
  mount(overrides?: BackendOptions): void;
  close(): Promise<void>;
}

/** One backend instance: the stub's client, access-token authentication, and `options` over those. */
export async function startBackend(stub: TwilioRestStub, options: BackendOptions = {}): Promise<BackendInstance> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/call-control`;
  let handler: ReturnType<typeof createCallControlHandler>;
  const mount = (overrides: BackendOptions = {}): void => {
    const all: Record<string, unknown> = {
      client: stub.client(),
      publicUrl: base,
      callerId: "+15550001111",
      authToken: STUB_AUTH_TOKEN,
      authenticate: accessTokenAuthenticator({ apiKeySecret: STUB_API_KEY_SECRET, apiKeySid: STUB_API_KEY_SID, accountSid: STUB_ACCOUNT_SID }),
      ...options,
      ...overrides,
    };
    for (const key of Object.keys(all)) if (all[key] === undefined) delete all[key];
    handler = createCallControlHandler(all as unknown as CallControlHandlerOptions);
  };
  mount();
  server.on("request", (req, res) => void handler(req, res));
  return {
    base,
    server,
    mount,
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
