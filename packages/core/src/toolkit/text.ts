/** Turning whatever was thrown or passed to a failure callback into text. */
import { isRecord } from "./check.js";

/**
 * The message of a thrown value: an Error's `message`, otherwise `fallback`,
 * otherwise `String(value)`. What a connector puts after "could not …: ".
 */
export function errorMessage(error: unknown, fallback?: string): string {
  return error instanceof Error ? error.message : (fallback ?? String(error));
}

/** The keys `describe` looks at by default, in order. */
export const MESSAGE_KEYS: readonly string[] = ["message", "errorMessage", "description", "explanation", "reason", "type", "code"];

/**
 * The vendor's own words from a failure payload: a non-empty string as is, or
 * the first non-empty string under `keys` of an object (an Error included);
 * undefined when there are none, so sources can be chained:
 * `describe(err) ?? describe(data) ?? "no reason given"`.
 */
export function describe(value: unknown, keys: readonly string[] = MESSAGE_KEYS): string | undefined {
  if (typeof value === "string") return value === "" ? undefined : value;
  if (!isRecord(value)) return undefined;
  for (const key of keys) {
    const text = value[key];
    if (typeof text === "string" && text !== "") return text;
  }
  return undefined;
}
