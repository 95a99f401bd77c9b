/** Words and numbers the panel shows. Pure functions, so they are easy to test. */
import type { Call } from "@opencti/core";
import { en, type Messages } from "./messages.js";

/** How a call ended, in English words (`call.endReason`; every language: messages.ts). */
export const END_REASON_LABEL = en.endReason;

/** "Busy: User busy (17)": the end reason, then the vendor's reason when it gave one. */
export function callOutcome(call: Call, m: Messages = en): string {
  const reason = m.endReason[call.endReason ?? "unknown"];
  const f = call.failure;
  return f ? `${reason}: ${f.message}${f.vendorCode ? ` (${f.vendorCode})` : ""}` : reason;
}

/** "0:07", "12:03", "1:02:03". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** A moment as the agent's clock shows it: "14:07" or "2:07 PM" (in `locale`, default the browser's; the browser's time zone). */
export function formatClock(epochMs: number, locale?: string): string {
  return new Date(epochMs).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
}

/** Formats a phone number for people (see phone-numbers.ts); the panel's default shows it as it is. */
export type NumberFormatter = (raw: string) => string;
const asIs: NumberFormatter = (raw) => raw;

/** Who is on the other end, for a heading: the name when known, else the number (through `format`). */
export function callTitle(call: Call, m: Messages = en, format: NumberFormatter = asIs): string {
  if (call.direction === "inbound" && call.fromName) return call.fromName;
  const remote = call.direction === "inbound" ? call.from : call.to;
  if (remote) return format(remote);
  const party = call.parties.find((p) => p.role !== "agent");
  return party?.displayName || (party?.address && format(party.address)) || m.unknownCaller;
}

/** The moment a call's timer counts from: connection, else first seen. */
export function callClockStart(call: Call): number {
  return call.connectedAt ?? call.startedAt;
}
