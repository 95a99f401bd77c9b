/**
 * Which connector to run and its options: public/config.json first, then
 * URL query parameters over it (`?connector=sip&server=wss://…`).
 */
import type { AppConfig } from "./connectors/types.ts";

export const DEFAULT_CONNECTOR = "simulator";

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === "object" && value !== null && Object.values(value).every((v) => typeof v === "string");
}

/** How long the app waits for config.json before starting on the defaults. */
export const CONFIG_TIMEOUT_MS = 5000;

/** config.json is optional: a missing, unreadable or stalled file means the defaults. */
export async function readConfigFile(timeoutMs = CONFIG_TIMEOUT_MS): Promise<Partial<AppConfig>> {
  try {
    // Bounded: a server that never answers must not leave the page blank forever.
    const response = await fetch(new URL("config.json", document.baseURI), { cache: "no-store", signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return {};
    const json = (await response.json()) as { connector?: unknown; options?: unknown };
    return {
      ...(typeof json.connector === "string" ? { connector: json.connector } : {}),
      ...(isStringRecord(json.options) ? { options: json.options } : {}),
    };
  } catch {
    return {};
  }
}

export function configFromQuery(search: string, base: Partial<AppConfig> = {}): AppConfig {
  const params = new URLSearchParams(search);
  const options: Record<string, string> = { ...base.options };
  for (const [key, value] of params) if (key !== "connector") options[key] = value;
  return { connector: params.get("connector") || base.connector || DEFAULT_CONNECTOR, options };
}

export async function readConfig(): Promise<AppConfig> {
  return configFromQuery(location.search, await readConfigFile());
}
