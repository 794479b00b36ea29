// The CLI tools' logger: one line per event with a stable event name (the role events'
// kebab-case `type`s, plus the tools' own: `started`, `stopping`, ...) and fields. JSON lines for
// machines (identifiers as decimal strings, byte strings as text or 0x hex), or a text line for
// people. Written to standard error, so standard output stays the tools' data.

/** Severity, lowest first in verbosity: `error` shows least, `debug` most. */
export type LogLevel = "error" | "warn" | "info" | "debug";
/** Output format. */
export type LogFormat = "json" | "text";

/** The levels, for flag parsing. */
export const LOG_LEVELS: readonly LogLevel[] = ["error", "warn", "info", "debug"];
/** The formats, for flag parsing. */
export const LOG_FORMATS: readonly LogFormat[] = ["json", "text"];

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** A field value: numbers, text, booleans, identifiers (bigint), byte strings, lists, objects. */
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
  /** The tool's name (`registrar`, `server`, ...), the `tool` field of JSON lines. */
  readonly tool: string;
  /** Lines below this level are dropped (default `info`). */
  readonly level?: LogLevel;
  /** `text` (default) or `json`. */
  readonly format?: LogFormat;
  /** Where each line goes (it ends with a newline). */
  readonly write: (line: string) => void;
  /** The wall clock (default `new Date()`). */
  readonly clock?: () => Date;
}

/**
 * Text for a byte string: itself when it is printable ASCII, else `0x` hex (pool handles).
 */
export function bytesText(b: Uint8Array): string {
  let printable = b.length > 0;
  for (let i = 0; i < b.length && printable; i++) printable = b[i]! >= 0x20 && b[i]! <= 0x7e;
  if (printable) return String.fromCharCode(...b);
  let s = "0x";
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, "0");
  return s;
}

function jsonValue(v: LogValue): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return bytesText(v);
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, LogValue>)) {
      if (x !== undefined) out[k] = jsonValue(x);
    }
    return out;
  }
  return v;
}

function textValue(v: LogValue): string {
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === "bigint" || typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof Uint8Array) return textValue(bytesText(v));
  if (Array.isArray(v)) return v.map((x) => textValue(x)).join(",");
  return JSON.stringify(jsonValue(v));
}

/** A small structured logger (see the module comment). */
export class Logger {
  readonly #tool: string;
  readonly #rank: number;
  readonly #json: boolean;
  readonly #write: (line: string) => void;
  readonly #clock: () => Date;

  constructor(options: LoggerOptions) {
    this.#tool = options.tool;
    this.#rank = RANK[options.level ?? "info"];
    this.#json = (options.format ?? "text") === "json";
    this.#write = options.write;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** Whether lines of this level are written. */
  enabled(level: LogLevel): boolean {
    return RANK[level] <= this.#rank;
  }

  /**
   * Writes one line: the event's name, its fields and an optional human message (text format
   * shows the message, JSON carries it as `msg`).
   */
  log(level: LogLevel, event: string, fields: LogFields = {}, message?: string): void {
    if (RANK[level] > this.#rank) return;
    this.#write(this.#line(level, event, fields, message));
  }

  /**
   * Writes an `info` line whatever the level: the `started` line, which scripts read for the
   * endpoints a tool bound.
   */
  always(event: string, fields: LogFields = {}): void {
    this.#write(this.#line("info", event, fields, undefined));
  }

  #line(level: LogLevel, event: string, fields: LogFields, message: string | undefined): string {
    const time = this.#clock().toISOString();
    if (this.#json) {
      const line: Record<string, unknown> = { time, level, tool: this.#tool, event };
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) line[k] = jsonValue(v);
      if (message !== undefined) line.msg = message;
      return JSON.stringify(line) + "\n";
    }
    let line = `${time} ${level.toUpperCase().padEnd(5)} ${this.#tool}: ${event}`;
    if (message !== undefined) line += ` ${message}`;
    for (const [k, v] of Object.entries(fields)) {
      if (v !== undefined) line += ` ${k}=${textValue(v)}`;
    }
    return line + "\n";
  }

  /** {@link log} at `error`. */
  error(event: string, fields?: LogFields, message?: string): void {
    this.log("error", event, fields, message);
  }

  /** {@link log} at `warn`. */
  warn(event: string, fields?: LogFields, message?: string): void {
    this.log("warn", event, fields, message);
  }

  /** {@link log} at `info`. */
  info(event: string, fields?: LogFields, message?: string): void {
    this.log("info", event, fields, message);
  }

  /** {@link log} at `debug`. */
  debug(event: string, fields?: LogFields, message?: string): void {
    this.log("debug", event, fields, message);
  }
}
