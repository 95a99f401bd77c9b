import { clip, LIMITS } from "./validate.js";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Levels, lowest first. */
const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

export const REDACTED = "[redacted]";

/** Whether a key, header or parameter name names a secret. */
export function secretKey(name: string): boolean {
  name = name.slice(0, 128);
  return (
    // Whole name segments: `apiKey`, `x-api-key`, `client_secret`,
    // `X-Amz-Security-Token` and `pinCode` are secrets; `pinned`, `spin`,
    // `author` and `authority` are not. The short, ambiguous words (pin, otp,
    // sig, auth, …) only as segments.
    /\b(pass(word|wd|code|phrase)?|pwd|secrets?|tokens?|auth|authori[sz]ation|credentials?|cookies?|jwt|ha1|otp|pin|sig|signature|(api|access|private) ?key)\b/i.test(
      name.replace(/([a-z\d])(?=[A-Z])|([A-Z])(?=[A-Z][a-z])/g, "$1$2 ").replace(/[\W_]+/g, " "),
    ) ||
    // The strong words also inside a one-word name (`authtoken`, `newpassword`,
    // `secretkey`); "token" only at its end, so `tokenizer` is not a secret.
    /pass(wor|w)?d|secret|(api|access|private)key|tokens?$/.test(name.toLowerCase().replace(/[\W_]+/g, ""))
  );
}


/** Whether `v` is a string that names a secret (a header name in a list or a pair). */
const secretName = (v: unknown): boolean => typeof v === "string" && secretKey(v);

/**
 * A secret's value: a quoted string up to its closing quote, else up to `&`,
 * `;`, whitespace or a quote (after an unquoted `name:`, the rest of the line
 * is, see redactText).
 */
const VALUE = /"(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s&;"]*/y;

function redactText(value: string): string {
  // Secrets inside text. Every pattern runs in linear time: a run it starts on
  // either matches or is consumed whole, or its quantifier is bounded.
  value = value
    // A JWT (or any base64 JSON) anywhere: once started, a match cannot fail, so nothing is retried.
    .replace(/eyJ[\w-]{6,}(?:\.[\w-]*){0,2}/g, REDACTED)
    // user:password@ in a URI (the user may be empty: redis://:pw@host).
    .replace(/((?:\/\/|\bsips?:)[^:@/\s]*):[^@/\s]{1,256}@/gi, `$1:${REDACTED}@`)
    // Basic and Bearer credentials, unless a plain word follows ("Basic plan", "bearer of").
    .replace(/\b(Basic|Bearer)[ \t]+([\w+/.~=-]+)/gi, (m, scheme: string, token: string) => (/^[a-z]{1,15}$/.test(token) ? m : `${scheme} ${REDACTED}`));
  let out = "";
  let done = 0;
  // A name and what separates it from its value: `name=`, `name:` (a header
  // line, or "name: value" in prose), `"name":` (JSON). Only names; the value is
  // read after it only when the name is a secret, so a harmless name never hides
  // a secret behind it (`msg="login failed password=…"`).
  for (const m of value.matchAll(/(?<![\w-])(?:"([^"\r\n]{1,64})"|([\w-]+))[ \t]*([:=])[ \t]*/g)) {
    const at = m.index + m[0].length;
    if (m.index < done || !secretKey(m[1] ?? m[2]!)) continue;
    // After an unquoted `name:`, the rest of the line.
    const rule = m[2] !== undefined && m[3] === ":" ? /[^\r\n]*/y : VALUE;
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

/**
 * A deep copy of `value` with secrets removed: values of secret-named keys,
 * header tuples and `{ name, value }` pairs, and secrets inside strings (see
 * TEXT_RULES). Phone numbers stay (events carry them for screen pops; mask
 * them in logs with `createConsoleLogger({ maskPhoneNumbers })` from
 * `@opencti/core/logging`). At most `max` characters of
 * text are kept in all (longer strings are cut, marked "…[truncated]"), and
 * cycles, depth and long lists are cut.
 */
export function redact(value: unknown, max: number = LIMITS.redacted): unknown {
  const seen = new WeakSet<object>();
  // From here on, `max` is what is left of the budget.
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") {
      if (max <= 0) return "[…]";
      // Scan a little past the cut so a secret across it is still recognized.
      let out = redactText(v.slice(0, max + 256));
      if (v.length > max) out = out.slice(0, max) + "…[truncated]";
      max -= out.length;
      return out;
    }
    if (typeof v !== "object" || v === null) return typeof v === "function" ? "[function]" : v;
    if (max <= 0 || depth > 8 || seen.has(v)) return "[…]";
    seen.add(v);
    try {
      if (v instanceof Error) return { name: walk(v.name, depth), message: walk(v.message, depth) };
      // toJSON: the ISO string, or null for an invalid date.
      if (v instanceof Date) return v.toJSON() ?? "Invalid Date";
      if (Array.isArray(v)) {
        // A header tuple ["Authorization", "Bearer …"] or a flat header list
        // (Node's rawHeaders): in an even-length list, the item after a secret name.
        const pairs = v.length % 2 === 0;
        const out: unknown[] = [];
        for (let i = 0; i < v.length && max-- > 0; i++) {
          const name: unknown = v[i - 1];
          out.push(pairs && i % 2 && secretName(name) ? REDACTED : walk(v[i], depth + 1));
        }
        return out;
      }
      const entries = Object.entries(v);
      // A { name, value } pair: { name: "X-Api-Key", value: "…" }, { Name, Value }, { header, value }.
      const hidden = entries.some(([k, x]) => /^(name|key|header)$/i.test(k) && secretName(x));
      const out: Record<string, unknown> = {};
      for (const [key, x] of entries) {
        if ((max -= key.length + 1) < 0) break;
        out[key] = secretKey(key) || (hidden && /^value$/i.test(key)) ? REDACTED : walk(x, depth + 1);
      }
      return out;
    } catch {
      return "[unreadable]"; // a throwing getter or proxy: nothing of it is kept
    }
  };
  return walk(value, 0);
}

/** Wraps any logger so fields are redacted and levels below `level` dropped (see createConsoleLogger in `@opencti/core/logging`). */
export function redactingLogger(inner: Logger, options: { level?: LogLevel | undefined } = {}): Logger {
  const min = LEVELS.indexOf(options.level ?? "info");
  return eachLevel((level) =>
    LEVELS.indexOf(level) < min
      ? () => {}
      : (message, fields) => {
          try {
            const text = redact(message) as string;
            if (fields === undefined) inner[level](text);
            else inner[level](text, redact(fields) as Record<string, unknown>);
          } catch {
            // A broken logger must never break call handling.
          }
        },
  );
}

/** A logger that drops every line. */
export const silentLogger: Logger = eachLevel(() => () => {});

/** A logger whose method for each level is `make(level)`. */
export function eachLevel(make: (level: keyof Logger) => Logger[keyof Logger]): Logger {
  // The levels but "silent", in the same order as the Logger interface.
  return Object.fromEntries(LEVELS.slice(0, 4).map((level) => [level, make(level as keyof Logger)])) as unknown as Logger;
}
