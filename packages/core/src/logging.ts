/**
 * `@opencti/core/logging`: logging extras a host may want and the Desktop
 * itself does not need, in their own entry so `@opencti/core` stays small.
 * The redaction the Desktop uses (`redact`, `redactingLogger`, …) is
 * re-exported here too, so one import covers logging.
 */
import { eachLevel, redactingLogger, type Logger, type LogLevel, type RedactOptions } from "./logger.js";

export { maskPhoneNumber, redact, redactingLogger, secretKey, silentLogger, REDACTED, type Logger, type LogLevel, type RedactOptions } from "./logger.js";

export interface ConsoleLoggerOptions extends RedactOptions {
  level?: LogLevel;
  /** Where lines go; the global console by default. */
  sink?: Pick<Console, "debug" | "info" | "warn" | "error">;
  prefix?: string;
}

/** A levelled console logger, redacted (see `redact`); or wrap your own with `redactingLogger`. */
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

