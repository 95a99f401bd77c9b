export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Keys whose values are secrets: replaced whole. */
const SECRET_KEY = /pass(word|wd)?|secret|token|authori[sz]ation|credential|cookie|api_?key|ha1|jwt|sip_?auth|private_?key/i;
/** Keys whose values are phone numbers or SIP addresses: masked when asked. */
const PHONE_KEY = /^(from|to|ani|dnis|phone(number)?|number|address|destination|caller|callee|other_?dn|uri)$/i;
/** A JWT anywhere in a string. */
const JWT = /eyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]*/g;
/** user:password@ in a URI. */
const URI_PASSWORD = /((?:\/\/|\bsips?:)[^:@/\s]+):[^@/\s]+@/gi;
/** An (Proxy-)Authorization header line inside logged protocol text (a SIP message). */
const AUTH_HEADER = /(\b(?:proxy-)?authorization:[ \t]*)[^\r\n]+/gi;

export interface RedactOptions {
  /** Mask phone numbers to their last 4 digits. */
  maskPhoneNumbers?: boolean;
}

export const REDACTED = "[redacted]";

export function maskPhoneNumber(value: string): string {
  return value.replace(/\d(?=(?:\D*\d){4})/g, "*");
}

/**
 * A deep copy of `value` with secrets removed: secret-named keys, JWTs and
 * URI passwords; optionally phone numbers masked. Cycles and depth are cut.
 */
export function redact(value: unknown, options: RedactOptions = {}, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === "string") return redactString(value);
  if (typeof value !== "object" || value === null) return typeof value === "function" ? "[function]" : value;
  if (depth > 8 || seen.has(value)) return "[…]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, options, depth + 1, seen));
  if (value instanceof Error) return { name: value.name, message: redactString(value.message) };
  if (value instanceof Date) return value.toISOString();
  let entries: [string, unknown][];
  try {
    entries = Object.entries(value);
  } catch {
    return "[unreadable]"; // a throwing getter or proxy: nothing of it is kept
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of entries) {
    if (SECRET_KEY.test(key)) out[key] = REDACTED;
    else if (options.maskPhoneNumbers && PHONE_KEY.test(key) && typeof v === "string") out[key] = maskPhoneNumber(redactString(v));
    else out[key] = redact(v, options, depth + 1, seen);
  }
  return out;
}

function redactString(value: string): string {
  return value.replace(JWT, REDACTED).replace(URI_PASSWORD, `$1:${REDACTED}@`).replace(AUTH_HEADER, `$1${REDACTED}`);
}

export interface ConsoleLoggerOptions extends RedactOptions {
  level?: LogLevel;
  /** Where lines go; the global console by default. */
  sink?: Pick<Console, "debug" | "info" | "warn" | "error">;
  prefix?: string;
}

/** A levelled console logger; use it or wrap your own with `redactingLogger`. */
export function createConsoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const sink = options.sink ?? console;
  const prefix = options.prefix ?? "[opencti]";
  const make =
    (level: Exclude<LogLevel, "silent">) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (fields === undefined) sink[level](prefix, message);
      else sink[level](prefix, message, fields);
    };
  return redactingLogger({ debug: make("debug"), info: make("info"), warn: make("warn"), error: make("error") }, options);
}

/** Wraps any logger so fields are redacted and levels below `level` dropped. */
export function redactingLogger(inner: Logger, options: RedactOptions & { level?: LogLevel } = {}): Logger {
  const min = LEVELS[options.level ?? "info"];
  const make =
    (level: Exclude<LogLevel, "silent">) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (LEVELS[level] < min) return;
      try {
        const text = redactString(message);
        if (fields === undefined) inner[level](text);
        else inner[level](text, redact(fields, options) as Record<string, unknown>);
      } catch {
        // A broken logger must never break call handling.
      }
    };
  return { debug: make("debug"), info: make("info"), warn: make("warn"), error: make("error") };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
