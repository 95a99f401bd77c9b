/**
 * Which connector to run and its options. They come from the deployment's
 * config.json (and the secrets from its `credentialsUrl`); the URL's query
 * string may only pick the connector when config.json names none, and set a
 * short allowlist of display and behaviour options, never a server, an
 * endpoint or a credential: a link must not be able to send a configured
 * deployment (and its digest credentials) somewhere else.
 */
import type { AppConfig } from "./connectors/types.ts";

import { secretKey } from "@opencti/core/logging";

export const DEFAULT_CONNECTOR = "simulator";

/**
 * Whether an option name holds a secret (password, token, API key…; core's
 * redaction rule, but not the URL of a service: `tokenUrl`). Such an option is
 * never read from config.json, which every browser that loads the app can
 * read: it comes from `credentialsUrl`.
 */
export const isSecretOption = (name: string): boolean => secretKey(name) && !/url$/i.test(name);

/**
 * What the URL may set, by connector: an allowlist. Everything else (servers,
 * URLs, tokens, passwords, SIP identities, Twilio edges, …) only comes from
 * config.json. Documented in the app README.
 */
export const URL_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  simulator: ["agentId", "latencyMs", "wrapUp", "answerAfterMs"],
  sip: ["wrapUp"],
  "amazon-connect": ["showCcp"],
  twilio: [],
};

/** What config.json may hold besides the connector's options. */
export interface ConfigFile extends Partial<AppConfig> {
  /** Where the connector's secrets are fetched from (with the user's cookies), over `options`. */
  readonly credentialsUrl?: string;
  /** Secret-named options found in the file, whatever their values (see isSecretOption): the app refuses to start. */
  readonly publishedSecrets?: readonly string[];
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === "string");
}

const own = (record: object, key: string): boolean => Object.prototype.hasOwnProperty.call(record, key);

/** How long the app waits for config.json (and for the credentials) before giving up. */
const CONFIG_TIMEOUT_MS = 5000;

/** config.json is optional: a missing, unreadable or stalled file means the defaults. */
export async function readConfigFile(timeoutMs = CONFIG_TIMEOUT_MS): Promise<ConfigFile> {
  try {
    // Bounded: a server that never answers must not leave the page blank forever.
    const response = await fetch(new URL("config.json", document.baseURI), { cache: "no-store", signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return {};
    const json = (await response.json()) as { connector?: unknown; options?: unknown; credentialsUrl?: unknown; shareAcrossTabs?: unknown };
    // Looked for before the options are checked: a file that is otherwise unreadable still publishes them.
    const publishedSecrets = typeof json.options === "object" && json.options !== null ? Object.keys(json.options).filter(isSecretOption) : [];
    return {
      ...(publishedSecrets.length ? { publishedSecrets } : {}),
      ...(typeof json.connector === "string" ? { connector: json.connector } : {}),
      ...(isStringRecord(json.options) ? { options: json.options } : {}),
      ...(typeof json.credentialsUrl === "string" && json.credentialsUrl ? { credentialsUrl: json.credentialsUrl } : {}),
      ...(json.shareAcrossTabs === true ? { shareAcrossTabs: true } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * The connector's secrets from the deployment's authenticated endpoint (JSON
 * object of strings, e.g. `{"password": "…"}`), so none sits in the public
 * config.json. Unlike config.json this is not optional: a refusal stops the app.
 */
async function readCredentials(url: string, timeoutMs = CONFIG_TIMEOUT_MS): Promise<Record<string, string>> {
  const target = new URL(url, document.baseURI);
  let response: Response;
  try {
    response = await fetch(target, { cache: "no-store", credentials: "include", headers: { accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new Error(`Could not fetch the credentials from ${target.pathname}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (!response.ok) throw new Error(`Could not fetch the credentials from ${target.pathname}: HTTP ${response.status} (are you signed in?)`);
  const json: unknown = await response.json().catch(() => undefined);
  if (!isStringRecord(json)) throw new Error(`The credentials from ${target.pathname} are not a JSON object of strings`);
  return json;
}

/** config.json's settings plus what the URL is allowed to set over them. */
export function configFromQuery(search: string, base: Partial<AppConfig> = {}): AppConfig {
  const params = new URLSearchParams(search);
  const connector = base.connector || params.get("connector") || DEFAULT_CONNECTOR;
  const options: Record<string, string> = { ...base.options };
  const allowed = own(URL_OPTIONS, connector) ? URL_OPTIONS[connector]! : [];
  for (const key of allowed) {
    const value = params.get(key);
    if (value !== null) options[key] = value;
  }
  return { connector, options, ...(base.shareAcrossTabs ? { shareAcrossTabs: true } : {}) };
}

export async function readConfig(): Promise<AppConfig> {
  const { credentialsUrl, publishedSecrets: published = [], ...file } = await readConfigFile();
  if (published.length) {
    throw new Error(
      `config.json holds ${published.map((k) => `"${k}"`).join(", ")}: config.json is public (every browser that loads the app can read it), so the app never reads a secret from it. Remove it there and serve it from your authenticated credentialsUrl (see the README).`,
    );
  }
  const config = configFromQuery(location.search, file);
  if (!credentialsUrl) return config;
  return { ...config, options: { ...config.options, ...(await readCredentials(credentialsUrl)) } };
}
