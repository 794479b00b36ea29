/**
 * Structured logging for the CLIs and any application that runs a role: levels, JSON-lines or
 * text output, constant context fields, and the stable event names of the roles. A role's
 * event (`registered`, `keep-alive-timeout`, ...) logs under its own name with the level and
 * message of `core/management/event_record.ts`, so logs, the management event stream and the
 * `monitor` CLI say the same thing.
 *
 * Text line: `2026-11-21T07:00:00.000Z INFO  registrar: registered PE 5 registered in pool
 * EchoPool registrar=42` (`tool:` when the logger has a tool name; context fields, then the
 * line's own fields for lines other than role events). JSON line: `{"time":"...","level":"info","tool":"registrar","event":"registered","message":"...",
 * "registrar":"42","poolHandle":"EchoPool","peId":"5",...}`.
 *
 * ```ts
 * import { Logger } from "./log.ts";
 * import assert from "node:assert/strict";
 * const lines: string[] = [];
 * const log = new Logger({ write: (l) => lines.push(l), clock: () => 0, fields: { registrar: "42" } });
 * log.info("http-listening", { port: 8080 }, "Management API on http://127.0.0.1:8080");
 * assert.equal(
 *   lines[0],
 *   "1970-01-01T00:00:00.000Z INFO  http-listening Management API on http://127.0.0.1:8080 registrar=42 port=8080\n",
 * );
 * ```
 *
 * @module
 */

import process from "node:process";
import { poolHandleText } from "../core/management/pool_handle_ref.ts";
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
export { LOG_LEVELS };

/** Output format: one JSON object per line, or one line of text. */
export type LogFormat = "text" | "json";

/**
 * The formats, for flag parsing.
 *
 * @example Check a flag's value
 * ```ts
 * import { LOG_FORMATS } from "./log.ts";
 * import assert from "node:assert/strict";
 * assert.ok(LOG_FORMATS.includes("json"));
 * assert.ok(!(LOG_FORMATS as readonly string[]).includes("xml"));
 * ```
 */
export const LOG_FORMATS: readonly LogFormat[] = ["text", "json"];

/**
 * A field value: text, numbers, booleans, identifiers (`bigint`, written as decimal text), byte
 * strings (pool handles: their text when printable ASCII, else `0x` hex), lists and objects.
 * `undefined` fields are left out.
 */
export type LogValue =
  | string
  | number
  | boolean
  | bigint
  | Uint8Array
  | undefined
  | null
  | readonly LogValue[]
  | { readonly [key: string]: LogValue };

/** Fields of one log line. */
export type LogFields = { readonly [key: string]: LogValue };

/** Options of a {@link Logger}. */
export interface LoggerOptions {
  /** The program's name (`registrar`, `server`, ...): the `tool` field, and `tool:` in text. */
  readonly tool?: string;
  /** Least severe level written (default `"info"`). */
  readonly level?: LogLevel;
  /** `"text"` (default) or `"json"`. */
  readonly format?: LogFormat;
  /** Writes one line, which ends with a line feed (default: standard error). */
  readonly write?: (line: string) => void;
  /** Wall-clock time: ms since the epoch or a `Date` (default `Date.now`). */
  readonly clock?: () => number | Date;
  /** Fields added to every line (e.g. `{ registrar: 42n }`). */
  readonly fields?: LogFields;
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
  process.stderr.write(line);
}

function jsonValue(v: LogValue): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return poolHandleText(v);
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as LogFields)) {
      if (x !== undefined) out[k] = jsonValue(x);
    }
    return out;
  }
  return v;
}

function textValue(v: LogValue): string {
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === "bigint" || typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof Uint8Array) return textValue(poolHandleText(v));
  if (Array.isArray(v)) return v.map(textValue).join(",");
  return JSON.stringify(jsonValue(v));
}

/**
 * A structured logger.
 *
 * @example Log a registrar event as JSON
 * ```ts
 * import { Logger } from "./log.ts";
 * import assert from "node:assert/strict";
 * const lines: string[] = [];
 * const log = new Logger({ format: "json", write: (l) => lines.push(l), clock: () => 0, fields: { registrar: 42n } });
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
  readonly #clock: () => number | Date;
  readonly #tool: string | undefined;
  readonly #fields: LogFields;
  readonly #color: boolean;

  /**
   * Creates a logger.
   *
   * @param options Tool name, level, format, sink, clock, context fields and colors.
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
    this.#tool = options.tool;
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
   * @returns The new logger (same tool, sink, level, format and clock).
   */
  child(fields: LogFields): Logger {
    return new Logger({
      ...(this.#tool === undefined ? {} : { tool: this.#tool }),
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
   * @param fields Fields of this line.
   * @param message One line for people (JSON: `message`; default none).
   */
  log(level: LogLevel, event: string, fields: LogFields = {}, message?: string): void {
    if (!this.enabled(level)) return;
    this.#emit(this.#now(), level, event, message, fields, true);
  }

  /**
   * Writes a debug line.
   *
   * @param event The event name.
   * @param fields Its fields.
   * @param message The message.
   */
  debug(event: string, fields?: LogFields, message?: string): void {
    this.log("debug", event, fields, message);
  }

  /**
   * Writes an info line.
   *
   * @param event The event name.
   * @param fields Its fields.
   * @param message The message.
   */
  info(event: string, fields?: LogFields, message?: string): void {
    this.log("info", event, fields, message);
  }

  /**
   * Writes a warning.
   *
   * @param event The event name.
   * @param fields Its fields.
   * @param message The message.
   */
  warn(event: string, fields?: LogFields, message?: string): void {
    this.log("warn", event, fields, message);
  }

  /**
   * Writes an error.
   *
   * @param event The event name.
   * @param fields Its fields.
   * @param message The message.
   */
  error(event: string, fields?: LogFields, message?: string): void {
    this.log("error", event, fields, message);
  }

  /**
   * Writes an `info` line whatever the level (e.g. the `started` line, which scripts read for
   * the endpoints a tool bound).
   *
   * @param event The event name.
   * @param fields Its fields.
   * @param message The message.
   */
  always(event: string, fields: LogFields = {}, message?: string): void {
    this.#emit(this.#now(), "info", event, message, fields, true);
  }

  /**
   * Logs a role's event under its stable name, with its level, message and fields (the text
   * line shows the message, which names what the fields hold, and the extra fields).
   *
   * @param event A registrar (or other role) event.
   * @param extra More fields for this line (e.g. a new PE's transport and policy).
   */
  event(event: NamedEvent, extra: LogFields = {}): void {
    const level = eventLevel(event.type, event.changed);
    if (!this.enabled(level)) return;
    const fields = eventFields(event);
    const message = eventMessage(event.type, fields);
    let text = false;
    for (const v of Object.values(extra)) if (v !== undefined) text = true;
    if (!text) {
      this.#emit(this.#now(), level, event.type, message, fields, false);
      return;
    }
    // The event's own fields are in the message; only the extra ones go on the text line.
    this.#emit(this.#now(), level, event.type, message, { ...fields, ...extra }, "extra", extra);
  }

  /**
   * Logs a record of a management event feed (its own time, level and message).
   *
   * @param record The record.
   */
  record(record: EventRecord): void {
    if (!this.enabled(record.level)) return;
    const { seq: _seq, time, registrarId: _r, event, level, message, ...fields } = record;
    this.#emit(time, level, event, message, fields, false);
  }

  #now(): string {
    const t = this.#clock();
    return (typeof t === "number" ? new Date(t) : t).toISOString();
  }

  #emit(
    time: string,
    level: LogLevel,
    event: string,
    message: string | undefined,
    fields: LogFields,
    textFields: boolean | "extra",
    extra: LogFields = {},
  ): void {
    if (this.#format === "json") {
      const line: Record<string, unknown> = { time, level };
      if (this.#tool !== undefined) line.tool = this.#tool;
      line.event = event;
      if (message !== undefined) line.message = message;
      for (const [k, v] of Object.entries(this.#fields)) {
        if (v !== undefined) line[k] = jsonValue(v);
      }
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) line[k] = jsonValue(v);
      this.#write(`${JSON.stringify(line)}\n`);
      return;
    }
    const name = level.toUpperCase().padEnd(5);
    const lvl = this.#color ? `${COLORS[level]}${name}\x1b[0m` : name;
    let line = `${time} ${lvl} ${this.#tool === undefined ? "" : `${this.#tool}: `}${event}`;
    if (message !== undefined) line += ` ${message}`;
    for (const [k, v] of Object.entries(this.#fields)) {
      if (v !== undefined) line += ` ${k}=${textValue(v)}`;
    }
    if (textFields !== false) {
      for (const [k, v] of Object.entries(textFields === "extra" ? extra : fields)) {
        if (v !== undefined) line += ` ${k}=${textValue(v)}`;
      }
    }
    this.#write(`${line}\n`);
  }
}
