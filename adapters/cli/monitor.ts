/**
 * The `monitor` tool: follows the management event streams (`/v1/events`) of one or more
 * registrars and prints one line per event, as RSPLIB's cspmonitor does for its components.
 * It reconnects with exponential backoff and resumes where it left off (`Last-Event-ID`).
 *
 * ```sh
 * deno task monitor --registrar http://127.0.0.1:8080 --registrar http://127.0.0.1:8081
 * deno task monitor --registrar http://127.0.0.1:8080 --json --level debug
 * ```
 *
 * Events go to standard output (text, or JSON lines with `--json`); connection status goes to
 * standard error. Exit codes: 0 (interrupted, or `--count` events shown), 64 usage error. The
 * logic is {@link runMonitor}, runnable with any I/O; this module runs it on the process when
 * executed directly (Deno, Bun or Node).
 *
 * @module
 */

import process from "node:process";
import { pathToFileURL } from "node:url";
import { type EventRecord, LOG_LEVELS, type LogLevel } from "../../core/management/event_record.ts";
import { SseParser } from "../../core/management/sse_parser.ts";

/** The I/O the tool uses. */
export interface MonitorIo {
  /** The fetch function (the runtime's). */
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>;
  /** Writes one line to standard output. */
  out(line: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
  /**
   * Waits (backoff); resolves early when the signal aborts.
   *
   * @param ms Milliseconds.
   * @param signal Stops the wait.
   */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Exit code for a usage error. */
export const EXIT_USAGE = 64;

const USAGE = `Usage:
  monitor --registrar URL [--registrar URL ...] [--json] [--color] [--level LEVEL]
          [--since SEQ] [--count N] [--max-backoff MS]

Follows /v1/events of each registrar's management API (registrar --http ADDRESS:PORT) and
prints one line per event: time, registrar, level, event name and message (--json: the event
records as JSON lines, with "source" = the registrar URL). --level (debug, info, warn, error;
default info) hides less severe events. --since SEQ first replays the events after SEQ that the
registrar still keeps (0 = all). --count N exits after N events. Lost connections are retried
with exponential backoff up to --max-backoff (default 10000 ms), resuming after the last event.
`;

const RANK: { readonly [level in LogLevel]: number } = { debug: 0, info: 1, warn: 2, error: 3 };
const COLORS: { readonly [level in LogLevel]: string } = {
  debug: "\x1b[2m",
  info: "\x1b[36m",
  warn: "\x1b[33m",
  error: "\x1b[31m",
};

interface Options {
  registrars: string[];
  json: boolean;
  color: boolean;
  level: LogLevel;
  since: number | undefined;
  count: number | undefined;
  maxBackoff: number;
  help: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    registrars: [],
    json: false,
    color: false,
    level: "info",
    since: undefined,
    count: undefined,
    maxBackoff: 10000,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      if (arg.startsWith("--") && eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    const integer = (min: number) => {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < min) {
        throw new UsageError(`${name} must be an integer of at least ${min}, not "${v}"`);
      }
      return Number(v);
    };
    switch (name) {
      case "-h":
      case "--help":
        o.help = true;
        break;
      case "--registrar": {
        const v = value().replace(/\/+$/, "");
        try {
          const u = new URL(v);
          if (u.protocol !== "http:" && u.protocol !== "https:") throw new TypeError();
        } catch {
          throw new UsageError(`--registrar must be an http:// URL, not "${v}"`);
        }
        o.registrars.push(v);
        break;
      }
      case "--json":
        o.json = true;
        break;
      case "--color":
        o.color = true;
        break;
      case "--no-color":
        o.color = false;
        break;
      case "--level": {
        const v = value().toLowerCase();
        if (!(LOG_LEVELS as readonly string[]).includes(v)) {
          throw new UsageError(`--level must be one of ${LOG_LEVELS.join(", ")}, not "${v}"`);
        }
        o.level = v as LogLevel;
        break;
      }
      case "--since":
        o.since = integer(0);
        break;
      case "--count":
        o.count = integer(1);
        break;
      case "--max-backoff":
        o.maxBackoff = integer(1);
        break;
      default:
        throw new UsageError(`unknown argument ${arg}`);
    }
  }
  if (!o.help && o.registrars.length === 0) throw new UsageError("give at least one --registrar");
  return o;
}

/** First wait before reconnecting (doubles up to the maximum). */
const INITIAL_BACKOFF = 250;

/**
 * Runs the monitor until the signal aborts or `--count` events were shown.
 *
 * @param argv The arguments (without the program name).
 * @param io Where output goes and how to fetch and wait.
 * @param signal Stops the monitor (e.g. on SIGINT).
 * @returns The exit code.
 * @example Usage errors
 * ```ts
 * import { runMonitor } from "./monitor.ts";
 * import assert from "node:assert/strict";
 * const err: string[] = [];
 * const io = { fetch, out() {}, err: (l: string) => void err.push(l), sleep: () => Promise.resolve() };
 * assert.equal(await runMonitor([], io, new AbortController().signal), 64);
 * assert.match(err[0]!, /give at least one --registrar/);
 * ```
 */
export async function runMonitor(
  argv: readonly string[],
  io: MonitorIo,
  signal: AbortSignal,
): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`monitor: ${e.message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (o.help) {
    io.out(USAGE);
    return 0;
  }
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (signal.aborted) return 0;
  signal.addEventListener("abort", onAbort);
  let shown = 0;
  const show = (source: string, label: string, record: EventRecord) => {
    if (stop.signal.aborted || RANK[record.level] < RANK[o.level]) return;
    if (o.json) io.out(JSON.stringify({ source, ...record }));
    else {
      const lvl = record.level.toUpperCase().padEnd(5);
      const colored = o.color ? `${COLORS[record.level]}${lvl}\x1b[0m` : lvl;
      io.out(`${record.time} ${label} ${colored} ${record.event} ${record.message}`);
    }
    if (o.count !== undefined && ++shown >= o.count) stop.abort();
  };
  try {
    await Promise.all(o.registrars.map((url) => follow(url, o, io, stop.signal, show)));
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  return 0;
}

async function follow(
  base: string,
  o: Options,
  io: MonitorIo,
  signal: AbortSignal,
  show: (source: string, label: string, record: EventRecord) => void,
): Promise<void> {
  let backoff = INITIAL_BACKOFF;
  let lastId: string | undefined;
  let label = base;
  while (!signal.aborted) {
    try {
      const headers: Record<string, string> = { accept: "text/event-stream" };
      let target = `${base}/v1/events?level=${o.level}`;
      if (lastId !== undefined && lastId !== "") headers["last-event-id"] = lastId;
      else if (o.since !== undefined) target += `&since=${o.since}`;
      const response = await io.fetch(target, { headers, signal });
      if (!response.ok || response.body === null) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status}`);
      }
      const reader = response.body.getReader();
      const parser = new SseParser();
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const m of parser.push(decoder.decode(value, { stream: true }))) {
            if (m.lastEventId !== "") lastId = m.lastEventId;
            if (m.event === "hello") {
              const hello = JSON.parse(m.data) as { registrarId?: string; name?: string | null };
              label = hello.name ? `${hello.name}(${hello.registrarId})` : `${hello.registrarId}`;
              backoff = INITIAL_BACKOFF;
              io.err(`monitor: connected to registrar ${label} at ${base}`);
            } else if (m.event === "gap") {
              const gap = JSON.parse(m.data) as { missed?: number };
              io.err(`monitor: ${gap.missed} event(s) of ${label} were lost (not kept any more)`);
            } else {
              show(base, label, JSON.parse(m.data) as EventRecord);
            }
            if (signal.aborted) break;
          }
          if (signal.aborted) break;
        }
      } finally {
        await reader.cancel().catch(() => {});
      }
      if (signal.aborted) break;
      io.err(`monitor: the event stream of ${label} ended; reconnecting in ${backoff} ms`);
    } catch (e) {
      if (signal.aborted) break;
      io.err(`monitor: cannot follow ${base}: ${(e as Error).message}; retrying in ${backoff} ms`);
    }
    await io.sleep(backoff, signal);
    backoff = Math.min(backoff * 2, o.maxBackoff);
  }
}

/** The process's I/O. */
function processIo(): MonitorIo {
  return {
    fetch: (url, init) => fetch(url, init),
    out: (l) => void process.stdout.write(`${l}\n`),
    err: (l) => void process.stderr.write(`${l}\n`),
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        const t = setTimeout(done, ms);
        function done() {
          clearTimeout(t);
          signal.removeEventListener("abort", done);
          resolve();
        }
        signal.addEventListener("abort", done);
      }),
  };
}

const meta = import.meta as ImportMeta & { main?: boolean };
const isMain = meta.main ??
  (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url);
if (isMain) {
  const controller = new AbortController();
  process.on("SIGINT", () => controller.abort());
  process.on("SIGTERM", () => controller.abort());
  const code = await runMonitor(process.argv.slice(2), processIo(), controller.signal);
  process.exit(code);
}
