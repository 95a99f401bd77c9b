/**
 * `@opencti/core/logging`: logging extras a host may want and the Desktop
 * itself does not need, in their own entry so `@opencti/core` stays small.
 * The redaction the Desktop uses (`redact`, `redactingLogger`, …) is
 * re-exported here too, so one import covers logging.
 */
import { eachLevel, redactingLogger, type Logger, type LogLevel } from "./logger.js";

export { redact, redactingLogger, secretKey, silentLogger, REDACTED, type Logger, type LogLevel } from "./logger.js";

/** Keys whose values are phone numbers or SIP addresses. */
const PHONE_KEY = /^(from|to|ani|dnis|phone(number)?|number|address|destination|caller|callee|other_?dn|uri)$/i;

/** Every digit but the last four as `*`: "+15550100199" → "+*******0199"; "sip:1001@pbx" stays. */
export function maskPhoneNumber(value: string): string {
  return value.replace(/\d(?=(?:\D*\d){4})/g, "*");
}

/**
 * A copy of `value` (best already redacted: plain data, bounded; cut below 8 levels) whose string
 * values under phone-like keys (from, to, ani, dnis, address, uri, …) are
 * masked with `maskPhoneNumber`.
 */
export function maskPhoneNumbers(value: unknown, depth = 0): unknown {
  if (typeof value !== "object" || value === null) return value;
  // Deeper than redact goes (or a cycle, when not redacted first): cut.
  if (depth > 8) return "[…]";
  if (Array.isArray(value)) return value.map((x) => maskPhoneNumbers(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, x] of Object.entries(value)) out[key] = typeof x === "string" && PHONE_KEY.test(key) ? maskPhoneNumber(x) : maskPhoneNumbers(x, depth + 1);
  return out;
}

export interface ConsoleLoggerOptions {
  level?: LogLevel;
  /** Mask phone numbers in fields to their last four digits (see `maskPhoneNumbers`). Default false. */
  maskPhoneNumbers?: boolean;
  /** Where lines go; the global console by default. */
  sink?: Pick<Console, "debug" | "info" | "warn" | "error">;
  prefix?: string;
}

/**
 * A levelled console logger, redacted (see `redact`), phone numbers masked when
 * asked; or wrap your own with `redactingLogger` (and `maskPhoneNumbers`).
 */
export function createConsoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const sink = options.sink ?? console;
  const prefix = options.prefix ?? "[opencti]";
  return redactingLogger(
    eachLevel((level) => (message, fields) => {
      if (fields === undefined) sink[level](prefix, message);
      else sink[level](prefix, message, options.maskPhoneNumbers ? maskPhoneNumbers(fields) : fields);
    }),
    options,
  );
}

