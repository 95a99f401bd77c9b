/**
 * Any SIP platform with SIP over WebSocket (Asterisk, FreeSWITCH, Kamailio,
 * a hosted PBX): the browser registers and is the phone. Options (config.json
 * only, except wrapUp which the URL may set; the password preferably from the
 * deployment's credentialsUrl, since config.json is a public file):
 *   server       wss://pbx.example.com:8089/ws (comma-separate fallbacks)   required
 *   uri          sip:1001@pbx.example.com                                    required
 *   user         digest auth user (default: the URI's user)
 *   password     digest auth password (never logged)
 *   displayName  shown to the people you call
 *   iceServers   comma-separated stun:/turn: URLs
 *   expires      REGISTER expiry in seconds (default 300)
 *   dtmf         rfc4733 (default) | info
 *   dataHeaderPrefix  SIP headers with this prefix become call data (default X-Data-)
 *   queueHeader  the header naming the queue (default X-Queue)
 *   rejectCode   486 (default) | 603
 *   unregisterWhenNotReady  "true": "not ready" unregisters so no calls arrive
 *   wrapUp       "false" skips after-call work
 *   recording    always | on-demand: the PBX records calls (pause/resume by INFO Record: off/on)
 *   monitorPrefix  the PBX's monitoring feature code dialled before the extension (e.g. *222 for ChanSpy)
 *   monitorDigits  the DTMF digit per mode in a session, e.g. "monitor=4,whisper=5,barge=6" (ChanSpy's d option)
 *   agentStreamUrl    an @opencti/agent-stream service the media server posts transcripts to (live transcripts)
 *   agentStreamToken  the agent's bearer token for it (a secret: from credentialsUrl)
 */
import type { MonitorMode } from "@opencti/core";
import { httpAgentStream } from "@opencti/core/connector";
import { createSipConnector, type SipConnectorOptions } from "@opencti/sip";
import { ConnectorUnavailableError, type LoadConnector } from "./types.ts";

const positive = (value: string | undefined): number | undefined => {
  const n = value === undefined ? NaN : Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

/** "monitor=4,whisper=5,barge=6" → { monitor: "4", … }; unknown modes and malformed pairs are left out (the connector checks the digits). */
function monitorDigits(value: string | undefined): Partial<Record<MonitorMode, string>> {
  const digits: Partial<Record<MonitorMode, string>> = {};
  for (const pair of (value ?? "").split(",")) {
    const [mode, digit] = pair.split("=").map((s) => s.trim());
    if ((mode === "monitor" || mode === "whisper" || mode === "barge") && digit) digits[mode] = digit;
  }
  return digits;
}

/** The media server's transcripts, from the agent stream service (tickets asked with the agent's bearer token, else the page's cookies, on any origin). */
const agentStream = (url: string, token: string | undefined) => httpAgentStream(token ? { url, headers: () => ({ authorization: `Bearer ${token}` }) } : { url, credentials: "include" });

export const load: LoadConnector = ({ options }) => {
  const servers = (options.server ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => /^wss?:\/\//i.test(s));
  const uri = options.uri?.trim();
  if (servers.length === 0 || !uri || !/^sips?:[^@\s]+@[^\s]+$/i.test(uri)) {
    return Promise.reject(
      new ConnectorUnavailableError(
        'The sip connector needs a WebSocket server and a SIP address in config.json, e.g. {"connector": "sip", "options": {"server": "wss://pbx.example.com:8089/ws", "uri": "sip:1001@pbx.example.com"}}, and the password from a credentialsUrl.',
      ),
    );
  }
  const iceServers = (options.iceServers ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => /^(stun|turns?):/i.test(s))
    .map((urls) => ({ urls }));
  const expires = positive(options.expires);
  const sipOptions: SipConnectorOptions = {
    server: servers,
    uri,
    ...(options.user ? { authorizationUsername: options.user } : {}),
    ...(options.password ? { password: options.password } : {}),
    ...(options.displayName ? { displayName: options.displayName } : {}),
    ...(iceServers.length > 0 ? { iceServers } : {}),
    ...(expires !== undefined ? { registerExpires: expires } : {}),
    dtmf: options.dtmf === "info" ? "info" : "rfc4733",
    callDataHeaderPrefix: options.dataHeaderPrefix || "X-Data-",
    queueHeader: options.queueHeader || "X-Queue",
    rejectStatusCode: options.rejectCode === "603" ? 603 : 486,
    unregisterWhenNotReady: options.unregisterWhenNotReady === "true",
    wrapUp: options.wrapUp !== "false",
    ...(options.recording === "always" || options.recording === "on-demand" ? { recording: options.recording } : {}),
    ...(options.monitorPrefix ? { monitor: { prefix: options.monitorPrefix, digits: monitorDigits(options.monitorDigits) } } : {}),
    ...(options.agentStreamUrl ? { agentStream: agentStream(options.agentStreamUrl, options.agentStreamToken) } : {}),
  };
  return Promise.resolve({ connector: createSipConnector(sipOptions) });
};
