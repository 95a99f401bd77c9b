import { clip, LIMITS } from "./validate.js";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export const REDACTED = "[redacted]";

/**
 * Key names whose values are secrets, matched on whole name segments: `apiKey`,
 * `x-api-key`, `client_secret`, `X-Amz-Security-Token` and `pinCode` are
 * secrets; `pinned`, `spin`, `author`, `authority` and `tokenizer` are not.
 */
const SECRET_WORD = /\b(pass(word|wd|code|phrase)?|pwd|secrets?|tokens?|auth|authori[sz]ation|credentials?|cookies?|jwt|ha1|otp|pin|sig|signature|(api|access|private) ?key)\b/i;
/** Keys whose values are phone numbers or SIP addresses: masked when asked. */
const PHONE_KEY = /^(from|to|ani|dnis|phone(number)?|number|address|destination|caller|callee|other_?dn|uri)$/i;

/** Whether a key, header or parameter name names a secret. */
export function secretKey(name: string): boolean {
  return SECRET_WORD.test(
    name
      .slice(0, 128)
      .replace(/([a-z\d])(?=[A-Z])|([A-Z])(?=[A-Z][a-z])/g, "$1$2 ")
      .replace(/[\W_]+/g, " "),
  );
}

/**
 * Secrets inside text. Every pattern runs in linear time: a run it starts on
 * either matches or is consumed whole, or its quantifier is bounded.
 */
const TEXT_RULES: [RegExp, string | ((m: string, a: string, b: string) => string)][] = [
  // A JWT (or any base64 JSON) anywhere: once started, a match cannot fail, so nothing is retried.
  [/eyJ[\w-]{6,}(?:\.[\w-]*){0,2}/g, REDACTED],
  // user:password@ in a URI (the user may be empty: redis://:pw@host).
  [/((?:\/\/|\bsips?:)[^:@/\s]*):[^@/\s]{1,256}@/gi, `$1:${REDACTED}@`],
  // Basic and Bearer credentials, unless a plain word follows ("Basic plan", "bearer of").
  [/\b(Basic|Bearer)[ \t]+([\w+/.~=-]+)/gi, (m, scheme, token) => (/^[a-z]{1,15}$/.test(token) ? m : `${scheme} ${REDACTED}`)],
];

/**
 * A name and what separates it from its value: `name=`, `name:` (a header
 * line, or "name: value" in prose), `"name":` (JSON). Only names; the value is
 * read after it only when the name is a secret, so a harmless name never hides
 * a secret behind it (`msg="login failed password=…"`).
 */
const NAME = /(?<![\w-])(?:"([^"\r\n]{1,64})"|([\w-]+))[ \t]*([:=])[ \t]*/g;
/**
 * A secret's value: a quoted string up to its closing quote, else up to `&`,
 * `;`, whitespace or a quote; after an unquoted `name:`, the rest of the line.
 */
const VALUE = /"(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s&;"]*/y;
const LINE = /[^\r\n]*/y;

function redactText(value: string): string {
  for (const [pattern, replacement] of TEXT_RULES) value = value.replace(pattern, replacement as string);
  let out = "";
  let done = 0;
  for (const m of value.matchAll(NAME)) {
    const at = m.index + m[0].length;
    if (m.index < done || !secretKey(m[1] ?? m[2]!)) continue;
    const rule = m[2] !== undefined && m[3] === ":" ? LINE : VALUE;
    rule.lastIndex = at;
    const secret = rule.exec(value)![0];
    const quote = rule === VALUE && /^["']/.test(secret) ? secret[0] : "";
    out += value.slice(done, at) + quote + REDACTED + quote;
    done = at + secret.length;
  }
  return out + value.slice(done);
}

/** Text for the host (event messages, link reasons, CtiError messages): redacted like logs, then clipped. */
export const hostText = (text: string, max?: number): string => clip(redactText(text.slice(0, LIMITS.redacted)), max);

export interface RedactOptions {
  /** Mask phone numbers to their last 4 digits. */
  maskPhoneNumbers?: boolean;
}

export function maskPhoneNumber(value: string): string {
  return value.replace(/\d(?=(?:\D*\d){4})/g, "*");
}

/**
 * A deep copy of `value` with secrets removed: values of secret-named keys,
 * header tuples and `{ name, value }` pairs, and secrets inside strings (see
 * TEXT_RULES); optionally phone numbers masked. At most `max` characters of
 * text are kept in all (longer strings are cut, marked "…[truncated]"), and
 * cycles, depth and long lists are cut.
 */
export function redact(value: unknown, options: RedactOptions = {}, max: number = LIMITS.redacted): unknown {
  const seen = new WeakSet<object>();
  let left = max;
  const text = (s: string): string => {
    // Scan a little past the cut so a secret across it is still recognized.
    const out = s.length > left ? redactText(s.slice(0, left + 256)).slice(0, left) + "…[truncated]" : redactText(s);
    left -= out.length;
    return out;
  };
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v !== "object" || v === null) return typeof v === "string" ? (left > 0 ? text(v) : "[…]") : typeof v === "function" ? "[function]" : v;
    if (left <= 0 || depth > 8 || seen.has(v)) return "[…]";
    seen.add(v);
    if (v instanceof Error) return { name: walk(v.name, depth), message: walk(v.message, depth) };
    if (v instanceof Date) return v.toISOString();
    if (Array.isArray(v)) {
      // A header tuple: ["Authorization", "Bearer …"].
      if (v.length === 2 && typeof v[0] === "string" && secretKey(v[0])) return [v[0], REDACTED];
      const out: unknown[] = [];
      for (const x of v) {
        if (left-- <= 0) break;
        out.push(walk(x, depth + 1));
      }
      return out;
    }
    let entries: [string, unknown][];
    let label: unknown;
    try {
      entries = Object.entries(v);
      // A { name, value } pair: { name: "X-Api-Key", value: "…" }.
      label = (v as { name?: unknown }).name ?? (v as { key?: unknown }).key;
    } catch {
      return "[unreadable]"; // a throwing getter or proxy: nothing of it is kept
    }
    const hidden = typeof label === "string" && secretKey(label);
    const out: Record<string, unknown> = {};
    for (const [key, x] of entries) {
      if ((left -= key.length + 1) < 0) break;
      out[key] =
        secretKey(key) || (hidden && key === "value")
          ? REDACTED
          : options.maskPhoneNumbers && PHONE_KEY.test(key) && typeof x === "string"
            ? maskPhoneNumber(text(x))
            : walk(x, depth + 1);
    }
    return out;
  };
  return walk(value, 0);
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
  return redactingLogger(
    eachLevel((level) => (message, fields) => {
      if (fields === undefined) sink[level](prefix, message);
      else sink[level](prefix, message, fields);
    }),
    options,
  );
}

/** Wraps any logger so fields are redacted and levels below `level` dropped. */
export function redactingLogger(inner: Logger, options: RedactOptions & { level?: LogLevel } = {}): Logger {
  const min = LEVELS[options.level ?? "info"];
  return eachLevel((level) => (message, fields) => {
    if (LEVELS[level] < min) return;
    try {
      const text = redact(message, options) as string;
      if (fields === undefined) inner[level](text);
      else inner[level](text, redact(fields, options) as Record<string, unknown>);
    } catch {
      // A broken logger must never break call handling.
    }
  });
}

/** A logger that drops every line. */
export const silentLogger: Logger = eachLevel(() => () => {});

/** A logger whose method for each level is `make(level)`. */
function eachLevel(make: (level: keyof Logger) => Logger[keyof Logger]): Logger {
  return { debug: make("debug"), info: make("info"), warn: make("warn"), error: make("error") };
}
