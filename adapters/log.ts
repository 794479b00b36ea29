/**
 * Structured logging for the CLIs and any application that runs a role: levels, JSON-lines or
 * text output, constant context fields, and the stable event names of the roles. A role's
 * event (`registered`, `keep-alive-timeout`, ...) logs under its own name with the level and
 * message of `core/management/event_record.ts`, so logs, the management event stream and the
 * `monitor` CLI say the same thing.
 *
 * Text line: `2026-11-21T07:00:00.000Z INFO  registered PE 5 registered in pool EchoPool
 * registrar=42`. JSON line: `{"time":"...","level":"info","event":"registered","message":"...",
 * "registrar":"42","poolHandle":"EchoPool","peId":"5",...}`.
 *
 * ```ts
 * import { Logger } from "./log.ts";
 * import assert from "node:assert/strict";
 * const lines: string[] = [];
 * const log = new Logger({ write: (l) => lines.push(l), clock: () => 0, fields: { registrar: "42" } });
 * log.info("http-listening", "Management API on http://127.0.0.1:8080");
 * assert.equal(
 *   lines[0],
 *   "1970-01-01T00:00:00.000Z INFO  http-listening Management API on http://127.0.0.1:8080 registrar=42",
 * );
 * ```
 *
 * @module
 */

import {
  type EventField,
  eventFields,
  eventLevel,
  eventMessage,
  type EventRecord,
  LOG_LEVELS,
  type LogLevel,
  type NamedEvent,
} from "../core/management/event_record.ts";

export type { EventField, LogLevel };

/** Output format: one JSON object per line, or one line of text. */
export type LogFormat = "text" | "json";

/** Options of a {@link Logger}. */
export interface LoggerOptions {
  /** Least severe level written (default `"info"`). */
  readonly level?: LogLevel;
  /** `"text"` (default) or `"json"`. */
  readonly format?: LogFormat;
  /** Writes one line (without the line feed; default: standard error). */
  readonly write?: (line: string) => void;
  /** Wall-clock time in ms since the epoch (default `Date.now`). */
  readonly clock?: () => number;
  /** Fields added to every line (e.g. `{ registrar: "42" }`). */
  readonly fields?: { readonly [name: string]: EventField };
  /** ANSI colors for the level in text lines (default false). */
  readonly color?: boolean;
}

const RANK: { readonly [level in LogLevel]: number } = { debug: 0, info: 1, warn: 2, error: 3 };
const COLORS: { readonly [level in LogLevel]: string } = {
  debug: "\x1b[2m",
  info: "\x1b[36m",
  warn: "\x1b[33m",
  error: "\x1b[31m",
};

/**
 * Reads a level name.
 *
 * @param text `debug`, `info`, `warn` or `error` (any case).
 * @returns The level.
 * @throws {TypeError} For another name.
 * @example Parse
 * ```ts
 * import { parseLogLevel } from "./log.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseLogLevel("WARN"), "warn");
 * assert.throws(() => parseLogLevel("loud"), TypeError);
 * ```
 */
export function parseLogLevel(text: string): LogLevel {
  const l = text.toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(l)) return l as LogLevel;
  throw new TypeError(`Invalid log level "${text}": use one of ${LOG_LEVELS.join(", ")}`);
}

function defaultWrite(line: string): void {
  console.error(line);
}

function quote(v: EventField): string {
  const s = String(v);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}

/**
 * A structured logger.
 *
 * @example Log a registrar event as JSON
 * ```ts
 * import { Logger } from "./log.ts";
 * import assert from "node:assert/strict";
 * const lines: string[] = [];
 * const log = new Logger({ format: "json", write: (l) => lines.push(l), clock: () => 0, fields: { registrar: "42" } });
 * log.event({ type: "registered", poolHandle: new TextEncoder().encode("EchoPool"), peId: 5n, assoc: -1 });
 * log.debug("ignored"); // below the level
 * assert.deepEqual(JSON.parse(lines[0]!), {
 *   time: "1970-01-01T00:00:00.000Z", level: "info", event: "registered",
 *   message: "PE 5 registered in pool EchoPool", registrar: "42",
 *   poolHandle: "EchoPool", poolHandleRef: "EchoPool", peId: "5", assoc: -1,
 * });
 * assert.equal(lines.length, 1);
 * ```
 */
export class Logger {
  readonly #level: LogLevel;
  readonly #format: LogFormat;
  readonly #write: (line: string) => void;
  readonly #clock: () => number;
  readonly #fields: { readonly [name: string]: EventField };
  readonly #color: boolean;

  /**
   * Creates a logger.
   *
   * @param options Level, format, sink, clock, context fields and colors.
   * @throws {TypeError} For an unknown level or format.
   */
  constructor(options: LoggerOptions = {}) {
    this.#level = parseLogLevel(options.level ?? "info");
    const format = options.format ?? "text";
    if (format !== "text" && format !== "json") {
      throw new TypeError(`Invalid log format "${format}": use text or json`);
    }
    this.#format = format;
    this.#write = options.write ?? defaultWrite;
    this.#clock = options.clock ?? Date.now;
    this.#fields = { ...options.fields };
    this.#color = options.color ?? false;
  }

  /** The least severe level written. */
  get level(): LogLevel {
    return this.#level;
  }

  /** The output format. */
  get format(): LogFormat {
    return this.#format;
  }

  /**
   * Whether a level is written.
   *
   * @param level The level.
   * @returns True when it is at least the logger's level.
   */
  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.#level];
  }

  /**
   * A logger that adds more context fields to every line.
   *
   * @param fields The fields.
   * @returns The new logger (same sink, level and format).
   */
  child(fields: { readonly [name: string]: EventField }): Logger {
    return new Logger({
      level: this.#level,
      format: this.#format,
      write: this.#write,
      clock: this.#clock,
      fields: { ...this.#fields, ...fields },
      color: this.#color,
    });
  }

  /**
   * Writes one line.
   *
   * @param level Its level.
   * @param event A stable event name (kebab-case, e.g. `http-listening`).
   * @param message One line for people (default: the event name).
   * @param fields Fields of this line.
   */
  log(
    level: LogLevel,
    event: string,
    message?: string,
    fields: { readonly [name: string]: EventField } = {},
  ): void {
    if (!this.enabled(level)) return;
    this.#emit(new Date(this.#clock()).toISOString(), level, event, message ?? event, fields);
  }

  /**
   * Writes a debug line.
   *
   * @param event The event name.
   * @param message The message.
   * @param fields Its fields.
   */
  debug(event: string, message?: string, fields?: { readonly [name: string]: EventField }): void {
    this.log("debug", event, message, fields);
  }

  /**
   * Writes an info line.
   *
   * @param event The event name.
   * @param message The message.
   * @param fields Its fields.
   */
  info(event: string, message?: string, fields?: { readonly [name: string]: EventField }): void {
    this.log("info", event, message, fields);
  }

  /**
   * Writes a warning.
   *
   * @param event The event name.
   * @param message The message.
   * @param fields Its fields.
   */
  warn(event: string, message?: string, fields?: { readonly [name: string]: EventField }): void {
    this.log("warn", event, message, fields);
  }

  /**
   * Writes an error.
   *
   * @param event The event name.
   * @param message The message.
   * @param fields Its fields.
   */
  error(event: string, message?: string, fields?: { readonly [name: string]: EventField }): void {
    this.log("error", event, message, fields);
  }

  /**
   * Logs a role's event under its stable name, with its level, message and fields.
   *
   * @param event A registrar (or other role) event.
   */
  event(event: NamedEvent): void {
    const level = eventLevel(event.type, event.changed);
    if (!this.enabled(level)) return;
    const fields = eventFields(event);
    this.#emit(
      new Date(this.#clock()).toISOString(),
      level,
      event.type,
      eventMessage(event.type, fields),
      fields,
    );
  }

  /**
   * Logs a record of a management event feed (its own time, level and message).
   *
   * @param record The record.
   */
  record(record: EventRecord): void {
    if (!this.enabled(record.level)) return;
    const { seq: _seq, time, registrarId: _r, event, level, message, ...fields } = record;
    this.#emit(time, level, event, message, fields);
  }

  #emit(
    time: string,
    level: LogLevel,
    event: string,
    message: string,
    fields: { readonly [name: string]: EventField },
  ): void {
    if (this.#format === "json") {
      this.#write(JSON.stringify({ time, level, event, message, ...this.#fields, ...fields }));
      return;
    }
    const name = level.toUpperCase().padEnd(5);
    const lvl = this.#color ? `${COLORS[level]}${name}\x1b[0m` : name;
    let line = `${time} ${lvl} ${event} ${message}`;
    for (const [k, v] of Object.entries(this.#fields)) line += ` ${k}=${quote(v)}`;
    this.#write(line);
  }
}
