/**
 * `@opencti/call-control-panel/phone-numbers`: phone numbers formatted for
 * people, with libphonenumber-js (its "min" metadata, about 29 kB min+gzip:
 * why it is its own entry, for hosts that want it).
 *
 * ```ts
 * import { formatPhoneNumber } from "@opencti/call-control-panel/phone-numbers";
 * panel.formatNumber = formatPhoneNumber;                     // "+44 20 7183 8750"
 * panel.formatNumber = (n) => formatPhoneNumber(n, "GB");     // national numbers read as UK ones
 * ```
 *
 * Only the text the agent reads changes: events, screen pops and the panel's
 * `data-from` / `data-to` attributes keep the raw value.
 */
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/min";

/**
 * `raw` in international format ("+442071838750" → "+44 20 7183 8750"), or in
 * national format when it is a number of `defaultCountry` written without
 * its country code; `raw` itself when it is not a valid phone number (a SIP
 * URI, an extension, a queue name, a fictional 555 number).
 */
export function formatPhoneNumber(raw: string, defaultCountry?: CountryCode): string {
  // Only what is written as a phone number (a SIP URI with a number in it stays a URI).
  if (!/^[+\d\s().-]+$/.test(raw)) return raw;
  const number = parsePhoneNumberFromString(raw, defaultCountry);
  if (!number?.isValid()) return raw;
  // National format only for a number of the default country (not one dialled with an international prefix).
  return defaultCountry && number.country === defaultCountry && !raw.trim().startsWith("+") ? number.formatNational() : number.formatInternational();
}

export type { CountryCode };
