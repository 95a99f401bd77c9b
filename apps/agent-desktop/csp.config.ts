/**
 * The Content-Security-Policy the built app ships with: a Vite plugin writes it
 * into every page as `<meta http-equiv="Content-Security-Policy">` (first in
 * <head>, before any script). Deployments also send it as a response header,
 * with `frame-ancestors`, which a meta element cannot carry (README).
 *
 * Narrow it at build time (environment or a .env.production file):
 *   OPENCTI_CSP_SIP_SERVERS  the SIP WebSocket servers (default `wss:`, any TLS WebSocket:
 *                            the server is set in config.json after the build), e.g.
 *                            `wss://pbx.example.com:8089`
 *   OPENCTI_CSP_CCP_ORIGINS  the Amazon Connect instances the CCP iframe may load (default
 *                            `https://*.my.connect.aws https://*.awsapps.com`), e.g.
 *                            `https://acme.my.connect.aws`
 *   OPENCTI_CSP_CONNECT      other origins the page fetches from: a tokenUrl, backendUrl or
 *                            credentialsUrl that is not on the app's own origin
 */
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

export const DEFAULT_SIP_SERVERS = "wss:";
export const DEFAULT_CCP_ORIGINS = "https://*.my.connect.aws https://*.awsapps.com";
/** Twilio Voice SDK: signalling wss://voice-js.<edge>.twilio.com, insights eventgw.twilio.com, sounds sdk.twilio.com (its README's CSP section). */
const TWILIO_CONNECT = "https://*.twilio.com wss://*.twilio.com https://media.twiliocdn.com";
const TWILIO_MEDIA = "https://sdk.twilio.com https://media.twiliocdn.com";

const words = (value: string | undefined, fallback: string): string => (value ?? fallback).trim().split(/\s+/).filter(Boolean).join(" ");

/** The policy as a meta element carries it (no frame-ancestors, report-uri or sandbox). */
export function contentSecurityPolicy(sources: CspSources = {}): string {
  const local = sources.demo ? " ws://127.0.0.1:* ws://localhost:*" : "";
  const connect = [`'self'`, TWILIO_CONNECT, words(sources.sipServers, DEFAULT_SIP_SERVERS), words(sources.connect, "")].filter(Boolean).join(" ");
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `media-src 'self' mediastream: ${TWILIO_MEDIA}${sources.demo ? " data:" : ""}`,
    `connect-src ${connect}${local}`,
    `frame-src ${words(sources.ccpOrigins, DEFAULT_CCP_ORIGINS) || "'none'"}`,
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join("; ");
}

/** What only a response header can add (the README's header policy). */
export const HEADER_ONLY_DIRECTIVES = "frame-ancestors 'none'";

/** Writes the policy into every built page, right after <meta charset> and before any script. */
export function cspMetaPlugin(sources: CspSources): Plugin {
  const policy = contentSecurityPolicy(sources);
  if (/["<>&]/.test(policy)) throw new Error(`The Content-Security-Policy has a character it cannot carry in an attribute: ${policy}`);
  return {
    name: "opencti-csp-meta",
    apply: "build",
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
