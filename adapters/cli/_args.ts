// Command-line parsing shared by the CLI tools: a declared set of flags (`--name value`,
// `--name=value`, boolean `--name`, repeatable lists), typed accessors with range checks, the
// generated usage text, and the address syntax (`HOST:PORT`, `[v6]:PORT`).

import { canonicalIpAddress } from "../../core/wire/ip_address.ts";
import type { TransportAddress } from "../../core/role.ts";

/** A problem with the command line: the tool prints it with its usage and exits with 64. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Exit code of a usage error (BSD sysexits EX_USAGE). */
export const EXIT_USAGE = 64;

/** One flag a tool accepts. */
export interface FlagSpec {
  /** The name without dashes (`keepalive-interval`). */
  readonly name: string;
  /** `value`: takes one value (the last one given wins); `list`: repeatable; `boolean`: no value. */
  readonly kind: "value" | "list" | "boolean";
  /** Placeholder of the value in the usage text (`MS`, `HOST:PORT`). */
  readonly value?: string;
  /** The default, as shown in the usage text. */
  readonly default?: string;
  /** What it does (one line). */
  readonly help: string;
}

/** The parsed command line. */
export class Flags {
  readonly #tool: string;
  readonly #values: Map<string, string[]>;
  /** Arguments that are not flags. */
  readonly positional: readonly string[];

  constructor(tool: string, values: Map<string, string[]>, positional: string[]) {
    this.#tool = tool;
    this.#values = values;
    this.positional = positional;
  }

  /** Whether the flag was given. */
  has(name: string): boolean {
    return this.#values.has(name);
  }

  /** A boolean flag. */
  boolean(name: string): boolean {
    return this.#values.has(name);
  }

  /** The last value of a flag, or `undefined`. */
  string(name: string): string | undefined {
    return this.#values.get(name)?.at(-1);
  }

  /** Every value of a repeatable flag (also split at commas). */
  list(name: string): string[] {
    return (this.#values.get(name) ?? []).flatMap((v) => v.split(",")).map((v) => v.trim())
      .filter((v) => v !== "");
  }

  /** One of a fixed set of words. */
  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const v = this.string(name);
    if (v === undefined) return fallback;
    if (!(choices as readonly string[]).includes(v)) {
      throw new UsageError(`--${name} must be ${choices.join(", ")}; "${v}" is none of them`);
    }
    return v as T;
  }

  /** A number within bounds (integer unless `fraction`). */
  number(
    name: string,
    fallback: number,
    bounds: { min?: number; max?: number; fraction?: boolean } = {},
  ): number {
    const v = this.string(name);
    if (v === undefined) return fallback;
    return parseNumber(`--${name}`, v, bounds);
  }

  /** An optional number within bounds. */
  optionalNumber(
    name: string,
    bounds: { min?: number; max?: number; fraction?: boolean } = {},
  ): number | undefined {
    const v = this.string(name);
    return v === undefined ? undefined : parseNumber(`--${name}`, v, bounds);
  }

  /** The tool's name (for messages). */
  get tool(): string {
    return this.#tool;
  }
}

/**
 * Parses a number for a flag.
 *
 * @throws {UsageError} If it is not a number in the bounds.
 */
export function parseNumber(
  what: string,
  text: string,
  bounds: { min?: number; max?: number; fraction?: boolean } = {},
): number {
  const n = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text.trim()) ? Number(text) : NaN;
  const min = bounds.min ?? -Infinity, max = bounds.max ?? Infinity;
  if (!Number.isFinite(n) || (!bounds.fraction && !Number.isInteger(n)) || n < min || n > max) {
    const kind = bounds.fraction ? "a number" : "an integer";
    const range = Number.isFinite(min) && Number.isFinite(max)
      ? ` in ${min}..${max}`
      : Number.isFinite(min)
      ? ` of at least ${min}`
      : "";
    throw new UsageError(`${what} must be ${kind}${range}, not "${text}"`);
  }
  return n;
}

/**
 * Parses the command line against the declared flags. `--help`/`-h` is always accepted.
 *
 * @throws {UsageError} For an unknown flag or a missing value.
 */
export function parseFlags(
  tool: string,
  argv: readonly string[],
  specs: readonly FlagSpec[],
): Flags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help") {
      values.set("help", [""]);
      continue;
    }
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = byName.get(name);
    if (spec === undefined) throw new UsageError(`unknown option --${name}`);
    let value = "";
    if (spec.kind === "boolean") {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
    } else if (eq > 0) value = arg.slice(eq + 1);
    else {
      const next = argv[++i];
      if (next === undefined) {
        throw new UsageError(`--${name} needs a value (${spec.value ?? "VALUE"})`);
      }
      value = next;
    }
    const list = values.get(name);
    if (list === undefined) values.set(name, [value]);
    else list.push(value);
  }
  return new Flags(tool, values, positional);
}

/**
 * The usage text of a tool: its synopsis, then one line per flag with its default.
 */
export function usage(synopsis: string, specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  --${s.name}${s.value === undefined ? "" : ` ${s.value}`}`;
    const def = s.default === undefined ? "" : ` (default ${s.default})`;
    return { left, right: `${s.help}${def}${s.kind === "list" ? "; repeatable" : ""}` };
  });
  const width = Math.min(34, Math.max(...rows.map((r) => r.left.length)) + 2);
  const lines = rows.map((r) =>
    r.left.length + 2 > width
      ? `${r.left}\n${" ".repeat(width)}${r.right}`
      : `${r.left.padEnd(width)}${r.right}`
  );
  return `${synopsis}\n\nOptions:\n${lines.join("\n")}\n  --help${
    " ".repeat(Math.max(2, width - 8))
  }Show this text\n`;
}

/**
 * Parses `HOST:PORT`, `[IPv6]:PORT`, a bare IPv4/IPv6 address or `localhost` (port = the default).
 * Addresses are IP literals (`localhost` means 127.0.0.1); the result is canonical text.
 *
 * @throws {UsageError} If the text is not an address with a valid port.
 */
export function parseEndpoint(
  what: string,
  text: string,
  defaultPort: number | undefined,
): TransportAddress {
  let host: string;
  let portText: string | undefined;
  const t = text.trim();
  if (t.startsWith("[")) {
    const close = t.indexOf("]");
    if (close < 0) throw new UsageError(`${what}: "${text}" lacks the closing "]"`);
    host = t.slice(1, close);
    const rest = t.slice(close + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) throw new UsageError(`${what}: "${text}" is not [ADDRESS]:PORT`);
      portText = rest.slice(1);
    }
  } else if ((t.match(/:/g) ?? []).length > 1) {
    host = t; // a bare IPv6 address
  } else {
    const colon = t.indexOf(":");
    host = colon < 0 ? t : t.slice(0, colon);
    portText = colon < 0 ? undefined : t.slice(colon + 1);
  }
  if (host === "localhost") host = "127.0.0.1";
  let address: string;
  try {
    address = canonicalIpAddress(host);
  } catch {
    throw new UsageError(`${what}: "${host}" is not an IP address (use e.g. 127.0.0.1 or [::1])`);
  }
  let port: number;
  if (portText === undefined) {
    if (defaultPort === undefined) throw new UsageError(`${what}: "${text}" needs a :PORT`);
    port = defaultPort;
  } else port = parseNumber(`${what} port`, portText, { min: 0, max: 65535 });
  return { address, port };
}

/**
 * Formats an address for messages: `127.0.0.1:3863`, `[::1]:3863`.
 */
export function formatEndpoint(a: TransportAddress): string {
  return a.address.includes(":") ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/**
 * Parses a duration flag value in milliseconds (an integer, optionally with `ms` or `s`).
 *
 * @throws {UsageError} If it is not a duration in the bounds.
 */
export function parseMilliseconds(what: string, text: string, min = 1, max = 2147483647): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/.exec(text);
  if (m === null) {
    throw new UsageError(`${what} must be milliseconds (e.g. 5000 or 5s), not "${text}"`);
  }
  const v = Math.round(Number(m[1]) * (m[2] === "s" ? 1000 : 1));
  if (v < min || v > max) {
    throw new UsageError(`${what} must be in ${min}..${max} ms, not "${text}"`);
  }
  return v;
}

/**
 * A duration flag (milliseconds), or the fallback.
 */
export function flagMilliseconds(flags: Flags, name: string, fallback: number, min = 1): number {
  const v = flags.string(name);
  return v === undefined ? fallback : parseMilliseconds(`--${name}`, v, min);
}

/**
 * Parses an identifier (decimal or `0x` hex) within the profile's width.
 *
 * @throws {UsageError} If it is not a non-zero identifier up to `max`.
 */
export function parseIdentifier(what: string, text: string, max: bigint): bigint {
  let v: bigint;
  try {
    v = /^0x[0-9a-f]+$/i.test(text) || /^\d+$/.test(text) ? BigInt(text) : -1n;
  } catch {
    v = -1n;
  }
  if (v <= 0n || v > max) {
    throw new UsageError(
      `${what} must be an identifier in 1..${max} (decimal or 0x hex), not "${text}"`,
    );
  }
  return v;
}

/**
 * Reads a tool's command line: `--help` prints the usage (exit 0); a positional argument or any
 * {@link UsageError} of `read` prints the error and a hint (exit {@link EXIT_USAGE}).
 *
 * @returns The options `read` made of the flags, or the exit code when the tool stops here.
 */
export function readCommandLine<T extends object>(
  tool: string,
  argv: readonly string[],
  specs: readonly FlagSpec[],
  synopsis: string,
  io: { out(text: string): void; err(text: string): void },
  read: (flags: Flags) => T,
): T | number {
  try {
    const flags = parseFlags(tool, argv, specs);
    if (flags.boolean("help")) {
      io.out(usage(synopsis, specs));
      return 0;
    }
    if (flags.positional.length > 0) {
      throw new UsageError(`unexpected argument "${flags.positional[0]}"`);
    }
    return read(flags);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`${tool}: ${e.message}\nRun "${tool} --help" for the options.\n`);
    return EXIT_USAGE;
  }
}
