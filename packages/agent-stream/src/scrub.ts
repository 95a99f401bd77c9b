/**
 * Credentials out of free text before it reaches onError or an exception: a
 * Redis URL's password (`redis://user:password@host`) must never be logged.
 */

const REDACTED = "[REDACTED]";

/** The secrets in a Redis URL (its password and user, raw and decoded), for scrubText. */
export function urlSecrets(url: string): string[] {
  try {
    const { username, password } = new URL(url);
    return [password, username].flatMap((s) => (s ? [s, decodeURIComponent(s)] : []));
  } catch {
    return [];
  }
}

/** A Redis URL fit for a message: scheme, host and port only. */
export function safeUrl(url: string): string {
  try {
    const { protocol, host } = new URL(url);
    return `${protocol}//${host}`;
  } catch {
    return "redis";
  }
}

/** `text` without the given secrets (those of 4 characters or more), URL user info or Authorization values. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  return out.replace(/\b([a-z][\w+.-]*:\/\/)[^\s/@]+@/gi, `$1${REDACTED}@`).replace(/\b(Basic|Bearer)(\s+)[^\s"',;]+/gi, `$1$2${REDACTED}`);
}

/** The message of any thrown value, scrubbed. */
export function messageOf(error: unknown, secrets: readonly string[]): string {
  const raw = error instanceof Error ? error.message || error.name : typeof error === "string" ? error : "unknown failure";
  return scrubText(raw, secrets);
}
