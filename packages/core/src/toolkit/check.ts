/** Small type guards for reading vendor payloads (`unknown` in, narrowed out). */

/** A plain object (not null, not an array): safe to read properties from. */
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

export const isString = (value: unknown): value is string => typeof value === "string";

/** A string with at least one character (ids, call ids). */
export const isNonEmptyString = (value: unknown): value is string => typeof value === "string" && value !== "";

/** A finite number (not NaN, not ±Infinity). */
export const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

export const isBoolean = (value: unknown): value is boolean => typeof value === "boolean";

/** `value` is one of `map`'s own keys: for lookup tables of vendor codes (never `toString` or `__proto__`). */
export const isKeyOf = <T extends object>(map: T, value: unknown): value is keyof T & string => typeof value === "string" && Object.prototype.hasOwnProperty.call(map, value);
