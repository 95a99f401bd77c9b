/**
 * Twilio Programmable Voice: the browser is the phone through the real
 * @twilio/voice-sdk. Options (config.json only; the URL sets none of them):
 *   tokenUrl          where to fetch an Access Token (JSON {"token": "…"} or the bare JWT); fetched
 *                     again before it expires. Your server signs it (Voice grant, identity = agent).
 *                     The connector fetches it (its `tokenUrl`): a URL it cannot reach is said by name
 *                     and retried
 *   token             a fixed token instead of tokenUrl, for demos and tests only: from credentialsUrl (the app refuses a token in config.json)
 *   backendUrl        the call-control backend (@opencti/twilio-backend or your own, same JSON contract):
 *                     enables hold, transfers and conference
 *   liveTranscripts   "true": Real-Time Transcription through the backend's agent stream (needs backendUrl
 *                     with an agentStream, and <Start><Transcription> in your TwiML)
 *   edge              Twilio edge (e.g. "ashburn", "dublin"); comma-separated for fallbacks
 *   logLevel          the SDK's log level (default "warn")
 *   allowIncomingWhileBusy  "true" lets a second call ring during a call
 *   signalingUrl      ws://127.0.0.1:<port>/signal of a PStream emulator (@opencti/twilio/testing) for a
 *                     demo or test without a Twilio account; refused outside a demo build
 */
import { createHttpCallControlBackend, createTwilioConnector, type TwilioConnectorOptions } from "@opencti/twilio";
import { ConnectorUnavailableError, type ConnectorSetup, type LoadConnector } from "./types.ts";

/** A few ms of silence: the emulated set-up has no sdk.twilio.com to fetch the SDK's sounds from. */
const SILENCE = "data:audio/wav;base64,UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YRAAAAAAAAAAAAAAAAAAAAAAAAAA";
const SOUND_NAMES = ["incoming", "outgoing", "disconnect", "dtmf0", "dtmf1", "dtmf2", "dtmf3", "dtmf4", "dtmf5", "dtmf6", "dtmf7", "dtmf8", "dtmf9", "dtmfs", "dtmfh"] as const;

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "silent"] as const;

/** The emulator's stand-in signalling host (the SDK always dials wss://<host>/signal). */
const EMULATED_HOST = "voice-js.emulator.local";

/**
 * Sends the SDK's signalling socket to an emulator. The SDK captures the global
 * WebSocket when its module loads, so this runs before the SDK is imported.
 */
function redirectSignaling(url: string): void {
  // Testing only: a production build refuses it (and the URL can never set it).
  if (!(import.meta.env.MODE === "development" || import.meta.env.MODE === "demo")) throw new ConnectorUnavailableError("signalingUrl (the Twilio emulator) is only in a demo build (pnpm dev, or vite build --mode demo).");
  if (!/^wss?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url)) throw new ConnectorUnavailableError("signalingUrl must point at a local emulator (ws://127.0.0.1:<port>/signal).");
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(target: string | URL, protocols?: string | string[]) {
      super(String(target).replace(`wss://${EMULATED_HOST}/signal`, url), protocols);
    }
  };
}

/** A fixed token, or the URL the connector fetches one from (with the user's cookies, its failures said by name). */
function tokenSource(options: Readonly<Record<string, string>>): Pick<TwilioConnectorOptions, "getToken" | "tokenUrl"> {
  const fixed = options.token?.trim();
  if (fixed) return { getToken: () => Promise.resolve(fixed) };
  const url = options.tokenUrl?.trim();
  if (!url) throw new ConnectorUnavailableError("Twilio needs an access token: set options.tokenUrl in config.json to your server's token endpoint (it signs a Voice token for the agent).");
  return { tokenUrl: url };
}

function setup(options: Readonly<Record<string, string>>): ConnectorSetup {
  const token = tokenSource(options);
  const emulated = options.signalingUrl?.trim();
  if (emulated) redirectSignaling(emulated);
  const edge = options.edge
    ?.split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  const config: TwilioConnectorOptions = {
    ...token,
    logLevel: LOG_LEVELS.find((level) => level === options.logLevel) ?? "warn",
    ...(edge?.length ? { edge: edge.length === 1 ? edge[0]! : edge } : {}),
    ...(options.allowIncomingWhileBusy === "true" ? { allowIncomingWhileBusy: true } : {}),
    ...(options.backendUrl ? { backend: createHttpCallControlBackend({ url: options.backendUrl }) } : {}),
    ...(options.backendUrl && options.liveTranscripts === "true" ? { agentStream: true as const } : {}),
    // The emulator has no Insights endpoint and no sound host.
    ...(emulated
      ? { deviceOptions: { chunderw: EMULATED_HOST, publishEvents: false }, sounds: Object.fromEntries(SOUND_NAMES.map((name) => [name, SILENCE])), incomingSound: false }
      : {}),
  };
  return { connector: createTwilioConnector(config), login: {} };
}

// A configuration problem rejects (the app shows its message) instead of throwing.
export const load: LoadConnector = ({ options }) => new Promise((resolve) => resolve(setup(options)));
