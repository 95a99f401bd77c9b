import { describe, expect, it } from "vitest";
import { formatPhoneNumber } from "./phone-numbers.js";

describe("formatPhoneNumber (libphonenumber-js)", () => {
  it("formats valid numbers internationally, national ones of the default country nationally", () => {
    expect(formatPhoneNumber("+442071838750")).toBe("+44 20 7183 8750");
    expect(formatPhoneNumber("+14155552671")).toBe("+1 415 555 2671");
    expect(formatPhoneNumber("+442071838750", "US")).toBe("+44 20 7183 8750");
    expect(formatPhoneNumber("02071838750", "GB")).toBe("020 7183 8750");
    expect(formatPhoneNumber("030 12345678", "DE")).toBe("030 12345678");
  });

  it("formats a number dialled with an international prefix internationally, even with a default country", () => {
    expect(formatPhoneNumber("0014155552671", "GB")).toBe("+1 415 555 2671");
    expect(formatPhoneNumber("011442071838750", "US")).toBe("+44 20 7183 8750");
  });

  it("leaves what is not a valid phone number as it is", () => {
    for (const raw of ["+15550100", "sip:1001@pbx.example.com", "sip:+14155552671@pbx.example.com", "1001", "Sales Queue", "", "02071838750"]) expect(formatPhoneNumber(raw)).toBe(raw);
  });
});
