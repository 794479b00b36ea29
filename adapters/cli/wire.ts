/**
 * The `wire` tool: decode ASAP/ENRP messages from hex or from a capture file
 * into JSON, and encode JSON into hex.
 *
 * ```sh
 * deno task wire decode 0a0000087c5b2e11 --profile rfc
 * deno task wire decode --pcap capture.pcap
 * echo '{"type":"handle-resolution","poolHandle":"EchoPool"}' | deno task wire encode --profile rfc
 * ```
 *
 * Exit codes: 0 success, 2 input that cannot be decoded or encoded (with a
 * one-line reason on stderr), 64 a usage error. The logic is
 * {@link runWire}, runnable with any I/O; this module runs it on the process
 * when executed directly (Deno, Bun or Node).
 *
 * @module
 */

import { readFileSync } from "node:fs";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { decodeAsapMessage, decodeEnrpMessage } from "../../core/wire/decode.ts";
import type { DecodeOptions, DecodeResult } from "../../core/wire/decode_result.ts";
import type { AsapMessage } from "../../core/wire/asap_message.ts";
import type { EnrpMessage } from "../../core/wire/enrp_message.ts";
import { errorCauseName } from "../../core/wire/error_cause.ts";
import { messageFromJson, messageToJson } from "../../core/wire/json.ts";
import type { WireProfile } from "../../core/wire/profile.ts";
import { protocolOf, WireEncoder } from "../../core/wire/wire_encoder.ts";
import { CaptureFormatError, readCapture } from "../pcap/pcap_reader.ts";
import { extractRserpoolPayloads } from "../pcap/rserpool_payloads.ts";

/** The I/O the tool uses. */
export interface WireIo {
  /** Reads all of standard input as text. */
  readStdin(): string;
  /** Reads a file. */
  readFile(path: string): Uint8Array;
  /** Writes to standard output (text includes its newline). */
  out(text: string): void;
  /** Writes to standard error (text includes its newline). */
  err(text: string): void;
}

/** Exit code for input that cannot be decoded or encoded. */
export const EXIT_BAD_INPUT = 2;
/** Exit code for a usage error. */
export const EXIT_USAGE = 64;

const USAGE = `Usage:
  wire decode <hex> [--profile rfc|ng] [--protocol asap|enrp]
  wire decode --pcap FILE [--profile rfc|ng]
  wire encode [JSON] [--profile rfc|ng] [--protocol asap|enrp]   (JSON from stdin if not given)

decode prints each message as JSON (identifiers as decimal strings); --pcap prints one JSON
line per ASAP/ENRP message found in a pcap/pcapng file (SCTP, UDP, TCP). Without --profile the
profile comes from the SCTP PPID or the message's NG flag. Without --protocol, hex is tried as
ASAP, then as ENRP. encode reads the JSON that decode prints (or a bare message) and prints hex.
`;

interface Args {
  command?: string;
  positional: string[];
  profile?: WireProfile;
  protocol?: "asap" | "enrp";
  pcap?: string;
  help: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { positional: [], help: false };
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
    switch (name) {
      case "-h":
      case "--help":
        a.help = true;
        break;
      case "--profile": {
        const v = value();
        if (v !== "rfc" && v !== "ng") {
          throw new UsageError(`--profile must be rfc or ng, not "${v}"`);
        }
        a.profile = v;
        break;
      }
      case "--protocol": {
        const v = value();
        if (v !== "asap" && v !== "enrp") {
          throw new UsageError(`--protocol must be asap or enrp, not "${v}"`);
        }
        a.protocol = v;
        break;
      }
      case "--pcap":
        a.pcap = value();
        break;
      default:
        if (arg.startsWith("--")) throw new UsageError(`unknown option ${arg}`);
        if (a.command === undefined) a.command = arg;
        else a.positional.push(arg);
    }
  }
  return a;
}

function parseHex(text: string): Uint8Array | undefined {
  let h = text.replace(/[\s:]/g, "");
  if (h.startsWith("0x") || h.startsWith("0X")) h = h.slice(2);
  if (h.length === 0 || h.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(h)) return undefined;
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

type Result = DecodeResult<AsapMessage | EnrpMessage>;

function decodeAs(protocol: "asap" | "enrp", bytes: Uint8Array, options: DecodeOptions): Result {
  return protocol === "asap"
    ? decodeAsapMessage(bytes, options)
    : decodeEnrpMessage(bytes, options);
}

/** One-line reason for a result that is not a message. */
function reason(r: Result, available: number): string {
  if (r.kind === "need-more") {
    return `Cannot decode: the input ends after ${available} of at least ${r.needed} bytes`;
  }
  if (r.kind === "malformed") {
    return `${r.detail} (${r.reason}, cause 0x${r.cause.toString(16)} ${errorCauseName(r.cause)})`;
  }
  return "";
}

function envelope(r: Extract<Result, { kind: "ok" }>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    protocol: r.protocol,
    profile: r.profile,
    bytes: r.consumed,
    message: messageToJson(r.message),
  };
  if (r.unrecognized.length > 0) out.unrecognized = r.unrecognized.map((u) => "0x" + hex(u));
  return out;
}

function decodeHex(a: Args, io: WireIo): number {
  const text = a.positional.join("");
  const bytes = parseHex(text);
  if (bytes === undefined) {
    io.err(`wire: "${text.length > 40 ? text.slice(0, 40) + "..." : text}" is not hex\n`);
    return EXIT_BAD_INPUT;
  }
  const options: DecodeOptions = { profile: a.profile ?? "detect" };
  let offset = 0;
  while (offset < bytes.length) {
    const rest = bytes.subarray(offset);
    let r: Result;
    if (a.protocol !== undefined) r = decodeAs(a.protocol, rest, options);
    else {
      r = decodeAs("asap", rest, options);
      if (r.kind !== "ok") {
        const e = decodeAs("enrp", rest, options);
        if (e.kind === "ok") {
          io.err(`wire: not ASAP (${reason(r, rest.length)}); decoded as ENRP\n`);
          r = e;
        } else {
          io.err(
            `wire: as ASAP: ${reason(r, rest.length)}; as ENRP: ${reason(e, rest.length)}\n`,
          );
          return EXIT_BAD_INPUT;
        }
      }
    }
    if (r.kind !== "ok") {
      io.err(`wire: ${reason(r, rest.length)}\n`);
      return EXIT_BAD_INPUT;
    }
    io.out(JSON.stringify(envelope(r), null, 2) + "\n");
    offset += r.consumed;
  }
  return 0;
}

function decodePcap(a: Args, io: WireIo): number {
  let file: Uint8Array;
  try {
    file = io.readFile(a.pcap!);
  } catch (e) {
    io.err(`wire: cannot read ${a.pcap}: ${(e as Error).message}\n`);
    return EXIT_BAD_INPUT;
  }
  let capture;
  try {
    capture = readCapture(file);
  } catch (e) {
    if (e instanceof CaptureFormatError) {
      io.err(`wire: ${a.pcap}: ${e.message}\n`);
      return EXIT_BAD_INPUT;
    }
    throw e;
  }
  const { payloads, notes } = extractRserpoolPayloads(capture);
  let bad = 0;
  for (const p of payloads) {
    const line: Record<string, unknown> = {
      frame: p.frame,
      time: Number(p.time.toFixed(6)),
      transport: p.transport,
      framing: p.framing,
      src: p.src,
      srcPort: p.srcPort,
      dst: p.dst,
      dstPort: p.dstPort,
    };
    if (p.ppid !== undefined) line.ppid = p.ppid;
    if (p.stream !== undefined) line.stream = p.stream;
    const r = decodeAs(p.protocol, p.bytes, { profile: p.profile ?? a.profile ?? "detect" });
    if (r.kind === "ok") Object.assign(line, envelope(r));
    else {
      bad++;
      Object.assign(line, {
        protocol: p.protocol,
        error: reason(r, p.bytes.length),
        hex: hex(p.bytes),
      });
    }
    io.out(JSON.stringify(line) + "\n");
  }
  for (const n of notes) io.err(`wire: note: ${n}\n`);
  if (capture.truncated) io.err(`wire: note: ${a.pcap} ends in the middle of a record\n`);
  io.err(
    `wire: ${payloads.length} ASAP/ENRP message(s) in ${capture.frames.length} frame(s)${
      bad > 0 ? `, ${bad} could not be decoded` : ""
    }\n`,
  );
  return bad > 0 ? EXIT_BAD_INPUT : 0;
}

function encode(a: Args, io: WireIo): number {
  const text = a.positional.length > 0 ? a.positional.join(" ") : io.readStdin();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    io.err(`wire: the input is not JSON: ${(e as Error).message}\n`);
    return EXIT_BAD_INPUT;
  }
  let body = json;
  let profile: WireProfile | undefined = a.profile;
  let wanted = a.protocol;
  if (json !== null && typeof json === "object" && !Array.isArray(json) && "message" in json) {
    const env = json as Record<string, unknown>;
    body = env.message;
    if (profile === undefined && (env.profile === "rfc" || env.profile === "ng")) {
      profile = env.profile;
    }
    if (wanted === undefined && (env.protocol === "asap" || env.protocol === "enrp")) {
      wanted = env.protocol;
    }
  }
  try {
    const message = messageFromJson(body);
    const protocol = protocolOf(message);
    if (wanted !== undefined && wanted !== protocol) {
      io.err(
        `wire: "${message.type}" is an ${protocol.toUpperCase()} message, not ${wanted.toUpperCase()}\n`,
      );
      return EXIT_BAD_INPUT;
    }
    const bytes = new WireEncoder(profile === undefined ? {} : { profile }).encode(message);
    io.out(hex(bytes) + "\n");
    return 0;
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) {
      io.err(`wire: ${e.message}\n`);
      return EXIT_BAD_INPUT;
    }
    throw e;
  }
}

/**
 * Runs the `wire` tool.
 *
 * @param argv The arguments after the program name.
 * @param io Where input comes from and output goes.
 * @returns The exit code.
 * @example Decode a Server Announce
 * ```ts
 * import { runWire } from "./wire.ts";
 * import assert from "node:assert/strict";
 * let out = "";
 * const io = {
 *   readStdin: () => "",
 *   readFile: () => new Uint8Array(),
 *   out: (t: string) => void (out += t),
 *   err: () => {},
 * };
 * assert.equal(runWire(["decode", "0a0000087c5b2e11", "--profile", "rfc"], io), 0);
 * assert.equal(JSON.parse(out).message.registrarId, "2086350353");
 * ```
 */
export function runWire(argv: readonly string[], io: WireIo): number {
  let a: Args;
  try {
    a = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`wire: ${e.message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (a.help) {
    io.out(USAGE);
    return 0;
  }
  switch (a.command) {
    case "decode":
      if (a.pcap !== undefined) {
        if (a.positional.length > 0) {
          io.err(`wire: decode takes either hex or --pcap FILE, not both\n${USAGE}`);
          return EXIT_USAGE;
        }
        return decodePcap(a, io);
      }
      if (a.positional.length === 0) {
        io.err(`wire: decode needs hex or --pcap FILE\n${USAGE}`);
        return EXIT_USAGE;
      }
      return decodeHex(a, io);
    case "encode":
      return encode(a, io);
    default:
      io.err(
        a.command === undefined ? USAGE : `wire: unknown command "${a.command}"\n${USAGE}`,
      );
      return EXIT_USAGE;
  }
}

/** The process's I/O. */
function processIo(): WireIo {
  return {
    readStdin: () => readFileSync(0, "utf8"),
    readFile: (path) => new Uint8Array(readFileSync(path)),
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
  };
}

const meta = import.meta as ImportMeta & { main?: boolean };
const isMain = meta.main ??
  (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url);
if (isMain) process.exitCode = runWire(process.argv.slice(2), processIo());
