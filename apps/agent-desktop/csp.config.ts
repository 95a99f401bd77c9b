/**
 * The Content-Security-Policy the built app ships with: a Vite plugin writes it
 * into every page as `<meta http-equiv="Content-Security-Policy">` (first in
 * <head>, before any script). Deployments also send it as a response header,
 * with `frame-ancestors`, which a meta element cannot carry (README).
 *
 * The SIP WebSocket server (connect-src) and the Amazon Connect CCP (frame-src)
 * are allowed by exact origin only, never by a wildcard: at build time they
 * come from the deployment's config.json in the public folder (the origins of
 * `options.server` and `options.ccpUrl`), or from the environment (or a
 * .env.production file), which wins:
 *   OPENCTI_CSP_SIP_SERVERS  the SIP WebSocket servers, e.g. `wss://pbx.example.com:8089`
 *   OPENCTI_CSP_CCP_ORIGINS  the Amazon Connect instance the CCP iframe loads, e.g.
 *                            `https://acme.my.connect.aws`
 *   OPENCTI_CSP_CONNECT      other origins the page fetches from: a tokenUrl, backendUrl or
 *                            credentialsUrl that is not on the app's own origin
 * With neither, the policy allows no SIP server and no CCP frame, and the
 * build prints a note naming the variable (a deployment that writes its
 * config.json after the build must set them).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Plugin } from "vite";

export interface CspSources {
  /** connect-src for SIP over WebSocket. */
  readonly sipServers?: string;
  /** frame-src for the Amazon Connect CCP. */
  readonly ccpOrigins?: string;
  /** More connect-src origins (token, backend, credentials endpoints elsewhere). */
  readonly connect?: string;
  /** A demo build: also the local emulators (ws://127.0.0.1) and data: sounds. */
  readonly demo?: boolean;
}

/** Twilio Voice SDK: signalling wss://voice-js.<edge>.twilio.com, insights eventgw.twilio.com, sounds sdk.twilio.com (its README's CSP section). */
const TWILIO_CONNECT = "https://*.twilio.com wss://*.twilio.com https://media.twiliocdn.com";
const TWILIO_MEDIA = "https://sdk.twilio.com https://media.twiliocdn.com";

const words = (value: string | undefined): string => (value ?? "").trim().split(/\s+/).filter(Boolean).join(" ");

/** The policy as a meta element carries it (no frame-ancestors, report-uri or sandbox). */
export function contentSecurityPolicy(sources: CspSources = {}): string {
  const local = sources.demo ? " ws://127.0.0.1:* ws://localhost:*" : "";
  const connect = [`'self'`, TWILIO_CONNECT, words(sources.sipServers), words(sources.connect)].filter(Boolean).join(" ");
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `media-src 'self' mediastream: ${TWILIO_MEDIA}${sources.demo ? " data:" : ""}`,
    `connect-src ${connect}${local}`,
    `frame-src ${words(sources.ccpOrigins) || "'none'"}`,
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join("; ");
}

/** The origin of a URL with one of `schemes`, when it is a plain `scheme://host[:port]`. */
function originOf(value: string, schemes: readonly string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  if (!schemes.includes(url.protocol) || url.username || url.password) return undefined;
  const origin = `${url.protocol}//${url.host}`;
  return /^[a-z]+:\/\/[\w.-]+(:\d+)?$/i.test(origin) ? origin : undefined;
}

const SIP_NOTE =
  "no SIP server in public/config.json (options.server): the Content-Security-Policy allows no SIP WebSocket server (connect-src). " +
  "A deployment that sets its SIP server after the build: build with OPENCTI_CSP_SIP_SERVERS=wss://pbx.example.com:8089 (its origin).";
const CCP_NOTE =
  "no Amazon Connect CCP in public/config.json (options.ccpUrl): the Content-Security-Policy allows no CCP iframe (frame-src 'none'). " +
  "A deployment that sets its ccpUrl after the build: build with OPENCTI_CSP_CCP_ORIGINS=https://<instance>.my.connect.aws (its origin).";

/**
 * What a deployment's config.json needs in the policy: exactly the origins of
 * its SIP servers (`options.server`, comma-separated wss:// or ws:// URLs), of
 * its CCP (`options.ccpUrl`, an https:// URL) and of its agent event stream
 * (`options.agentStreamUrl`, an https:// URL; connect-src). Anything else gives no
 * origin, and a note naming the build variable to set instead.
 */
export function cspSourcesFromConfig(config: unknown): { sources: { sipServers?: string; ccpOrigins?: string; connect?: string }; notes: string[] } {
  const options = typeof config === "object" && config !== null ? (config as { options?: unknown }).options : undefined;
  const option = (key: string): string | undefined => {
    const value = typeof options === "object" && options !== null ? (options as Record<string, unknown>)[key] : undefined;
    return typeof value === "string" && value.trim() !== "" ? value : undefined;
  };
  const sources: { sipServers?: string; ccpOrigins?: string; connect?: string } = {};
  const notes: string[] = [];
  const servers = option("server")?.split(",").filter((s) => s.trim() !== "") ?? [];
  const sipOrigins = [...new Set(servers.map((s) => originOf(s, ["wss:", "ws:"])))];
  if (servers.length > 0 && sipOrigins.every((o) => o !== undefined)) sources.sipServers = sipOrigins.join(" ");
  else notes.push(servers.length > 0 ? `options.server is not a list of wss:// URLs: ${SIP_NOTE}` : SIP_NOTE);
  const ccpUrl = option("ccpUrl");
  const ccp = ccpUrl === undefined ? undefined : originOf(ccpUrl, ["https:"]);
  if (ccp) sources.ccpOrigins = ccp;
  else notes.push(ccpUrl !== undefined && ccpUrl !== "fake" ? `options.ccpUrl is not an https:// URL: ${CCP_NOTE}` : CCP_NOTE);
  // The agent event stream (live transcripts): its ticket POST and its EventSource are connect-src.
  const agentStream = option("agentStreamUrl");
  const streamOrigin = agentStream === undefined ? undefined : originOf(agentStream, ["https:"]);
  if (streamOrigin) sources.connect = streamOrigin;
  else if (agentStream !== undefined) notes.push("options.agentStreamUrl is not an https:// URL: the Content-Security-Policy does not allow it (connect-src); build with OPENCTI_CSP_CONNECT set to its origin (e.g. http://127.0.0.1:8787 for a local lab).");
  return { sources, notes };
}

/**
 * Writes the policy into every built page, right after <meta charset> and
 * before any script. `sources` (the environment) win; what they leave
 * unset comes from `<publicDir>/config.json` (cspSourcesFromConfig).
 */
export function cspMetaPlugin(sources: CspSources): Plugin {
  let policy = "";
  return {
    name: "opencti-csp-meta",
    apply: "build",
    configResolved(config) {
      const file = config.publicDir ? join(config.publicDir, "config.json") : "";
      let deployment: unknown;
      if (file && existsSync(file)) {
        try {
          deployment = JSON.parse(readFileSync(file, "utf8"));
        } catch {
          deployment = undefined; // the notes below say what is missing
        }
      }
      const derived = cspSourcesFromConfig(deployment);
      const notes = derived.notes.filter((note) => (note.includes("OPENCTI_CSP_SIP_SERVERS") ? sources.sipServers === undefined : note.includes("OPENCTI_CSP_CCP_ORIGINS") ? sources.ccpOrigins === undefined : sources.connect === undefined));
      // connect-src adds up: the environment's other origins and the agent stream's from config.json.
      const connect = [derived.sources.connect, sources.connect].filter(Boolean).join(" ");
      policy = contentSecurityPolicy({ ...derived.sources, ...Object.fromEntries(Object.entries(sources).filter(([, v]) => v !== undefined)), ...(connect ? { connect } : {}) });
      if (/["<>&]/.test(policy)) throw new Error(`The Content-Security-Policy has a character it cannot carry in an attribute: ${policy}`);
      for (const note of notes) config.logger.info(`[opencti-csp] note: ${note}`);
    },
    transformIndexHtml: {
      order: "post",
      handler(html, { filename }) {
        const charset = /<meta charset="[^"]*"\s*\/?>/i;
        if (!charset.test(html)) throw new Error(`${filename} has no <meta charset>: the Content-Security-Policy goes right after it`);
        return html.replace(charset, (tag) => `${tag}\n    <meta http-equiv="Content-Security-Policy" content="${policy}" />`);
      },
    },
  };
}
