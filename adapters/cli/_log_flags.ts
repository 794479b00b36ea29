// The logging flags every long-running tool takes (`--log-level`, `--log-format`).

import type { Flags, FlagSpec } from "./_args.ts";
import { LOG_FORMATS, LOG_LEVELS } from "../log.ts";

/** How a tool logs. */
export interface LogOptions {
  /** The lowest level written. */
  logLevel: (typeof LOG_LEVELS)[number];
  /** One line of text or one JSON object per event. */
  logFormat: (typeof LOG_FORMATS)[number];
}

/** The flags of {@link LogOptions}. */
export const LOG_FLAGS: readonly FlagSpec[] = [
  {
    name: "log-level",
    kind: "value",
    value: "LEVEL",
    default: "info",
    help: "error, warn, info, debug",
  },
  { name: "log-format", kind: "value", value: "FORMAT", default: "text", help: "text or json" },
];

/**
 * Reads {@link LOG_FLAGS}.
 *
 * @throws {UsageError} For a level or format that is not one of the choices.
 */
export function readLogFlags(flags: Flags): LogOptions {
  return {
    logLevel: flags.choice("log-level", LOG_LEVELS, "info"),
    logFormat: flags.choice("log-format", LOG_FORMATS, "text"),
  };
}
