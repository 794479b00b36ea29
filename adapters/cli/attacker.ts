/**
 * The `attacker` tool (after RSPLIB's `attacker`): floods a registrar over many associations to
 * test its DoS limits. For your own registrars only.
 *
 * ```sh
 * deno task attacker --registrar 127.0.0.1:3863 --mode hr-flood --connections 20 --rate 5000
 * ```
 *
 * Modes:
 * - `registration-flood`: Registrations of fresh PE identifiers into `--pool`;
 * - `hr-flood`: Handle Resolutions of `--pool`;
 * - `eu-flood`: Endpoint Unreachable reports of `--pe` (or of random identifiers) in `--pool`;
 * - `malformed`: framed messages of random bytes with the ASAP PPID;
 * - `slowloris`: a frame header, then one byte per second, on every association.
 *
 * It speaks the framing shim over TCP itself (node:net, which Deno, Bun and Node all have),
 * answers the registrar's heartbeats, and ends after `--duration` with a `summary` log line:
 * messages sent, responses, the error causes received, associations aborted or closed by the
 * registrar, refused connections. Exit codes: 0 after the run, 1 when no association came up,
 * 64 for a usage error.
 *
 * @module
 */

import net from "node:net";
import { encodeFrame, encodeHello, FrameType } from "../../core/transport/frame.ts";
import { FrameDecoder } from "../../core/transport/frame_decoder.ts";
import type { AsapMessage } from "../../core/wire/asap_message.ts";
import { WireDecoder } from "../../core/wire/wire_decoder.ts";
import { WireEncoder } from "../../core/wire/wire_encoder.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";
import { ASAP_PORT, asapPpid, maxId } from "../../core/wire/profile.ts";
import {
  flagMilliseconds,
  type FlagSpec,
  formatEndpoint,
  parseEndpoint,
  parseIdentifier,
  readCommandLine,
} from "./_args.ts";
import { LOG_FLAGS, type LogOptions, readLogFlags } from "./_log_flags.ts";
import { type CliIo, isMainModule, runOnProcess } from "./_io.ts";
import { Logger } from "../log.ts";

export type { CliIo } from "./_io.ts";

/** The attacks. */
export const ATTACK_MODES = [
  "registration-flood",
  "hr-flood",
  "eu-flood",
  "malformed",
  "slowloris",
] as const;

/** One of {@link ATTACK_MODES}. */
export type AttackMode = (typeof ATTACK_MODES)[number];

const FLAGS: readonly FlagSpec[] = [
  {
    name: "registrar",
    kind: "value",
    value: "HOST:PORT",
    default: "127.0.0.1:3863",
    help: "the registrar's ASAP endpoint",
  },
  {
    name: "mode",
    kind: "value",
    value: "MODE",
    default: "hr-flood",
    help: "registration-flood, hr-flood, eu-flood, malformed, slowloris",
  },
  { name: "connections", kind: "value", value: "N", default: "10", help: "associations" },
  {
    name: "rate",
    kind: "value",
    value: "PER_S",
    default: "1000",
    help: "messages per second over all associations (0 = as fast as the sockets take)",
  },
  { name: "duration", kind: "value", value: "MS", default: "10000", help: "length of the run" },
  { name: "pool", kind: "value", value: "NAME", default: "EchoPool", help: "pool handle" },
  {
    name: "pe",
    kind: "value",
    value: "ID",
    default: "random",
    help: "PE identifier the eu-flood reports",
  },
  { name: "profile", kind: "value", value: "rfc|ng", default: "ng", help: "wire profile" },
  ...LOG_FLAGS,
];

const SYNOPSIS = `Usage: attacker [options]

Floods a registrar (your own) with registrations, handle resolutions, unreachable reports,
malformed messages or slow frames over many associations, and reports how it answered.`;

interface AttackerOptions extends LogOptions {
  registrar: { address: string; port: number };
  mode: AttackMode;
  connections: number;
  rate: number;
  duration: number;
  pool: string;
  pe: bigint | undefined;
  profile: "rfc" | "ng";
}

/** What an attack run saw. */
export interface AttackSummary {
  /** The mode. */
  readonly mode: AttackMode;
  /** Associations that completed the shim handshake. */
  readonly up: number;
  /** Connections refused or failed before the handshake. */
  readonly refused: number;
  /** Messages sent (slowloris: bytes trickled). */
  readonly sent: number;
  /** ASAP messages received. */
  readonly responses: number;
  /** Error causes received (ASAP Error, rejecting responses), by cause code in hex. */
  readonly causes: Readonly<Record<string, number>>;
  /** ABORT frames received (the registrar aborted the association). */
  readonly aborted: number;
  /** Associations the registrar closed (by ABORT or by closing the connection). */
  readonly closed: number;
  /** Endpoint Keep-Alives received (registration-flood: the registrar monitors our PEs). */
  readonly keepAlives: number;
}

/**
 * Runs the `attacker` tool.
 *
 * @param argv The arguments after the program name.
 * @param io Output and signals.
 * @returns The exit code: 0 after the run, 1 when no association came up, 64 for a usage error.
 * @example Usage errors exit with 64
 * ```ts
 * import { runAttacker } from "./attacker.ts";
 * import assert from "node:assert/strict";
 * let err = "";
 * const io = {
 *   out: () => {},
 *   err: (t: string) => void (err += t),
 *   onShutdown: () => () => {},
 *   stdinLines: async function* () {},
 * };
 * assert.equal(await runAttacker(["--mode", "nuke"], io), 64);
 * assert.match(err, /--mode must be/);
 * ```
 */
export async function runAttacker(argv: readonly string[], io: CliIo): Promise<number> {
  const o = readCommandLine("attacker", argv, FLAGS, SYNOPSIS, io, (flags): AttackerOptions => {
    const profile = flags.choice("profile", ["rfc", "ng"] as const, "ng");
    const peText = flags.string("pe");
    return {
      registrar: parseEndpoint(
        "--registrar",
        flags.string("registrar") ?? `127.0.0.1:${ASAP_PORT}`,
        ASAP_PORT,
      ),
      mode: flags.choice("mode", ATTACK_MODES, "hr-flood"),
      connections: flags.number("connections", 10, { min: 1, max: 20000 }),
      rate: flags.number("rate", 1000, { min: 0, max: 10_000_000, fraction: true }),
      duration: flagMilliseconds(flags, "duration", 10000),
      pool: flags.string("pool") ?? "EchoPool",
      pe: peText === undefined ? undefined : parseIdentifier("--pe", peText, maxId(profile)),
      profile,
      ...readLogFlags(flags),
    };
  });
  if (typeof o === "number") return o;
  const log = new Logger({
    tool: "attacker",
    level: o.logLevel,
    format: o.logFormat,
    write: (t) => io.err(t),
  });
  log.always("started", {
    registrar: formatEndpoint(o.registrar),
    mode: o.mode,
    connections: o.connections,
    rate: o.rate,
    duration: o.duration,
  });
  let stop: () => void = () => {};
  const off = io.onShutdown(() => stop());
  const summary = await attack(o, (s) => (stop = s));
  off();
  log.always("summary", { ...summary });
  return summary.up === 0 ? 1 : 0;
}

/** One association of the attacker. */
interface Conn {
  socket: net.Socket;
  up: boolean;
  gone: boolean;
  decoder: FrameDecoder;
}

function attack(o: AttackerOptions, onStop: (stop: () => void) => void): Promise<AttackSummary> {
  const ppid = asapPpid(o.profile);
  const encoder = new WireEncoder({ profile: o.profile });
  const wire = new WireDecoder({ profile: o.profile });
  const poolHandle = new TextEncoder().encode(o.pool);
  const counts = {
    up: 0,
    refused: 0,
    sent: 0,
    responses: 0,
    aborted: 0,
    closed: 0,
    keepAlives: 0,
  };
  const causes: Record<string, number> = {};
  let nextId = 1 + Math.floor(Math.random() * 0x3fffffff);
  let seq = 0;
  const frame = (m: AsapMessage) => encodeFrame(FrameType.Data, 0, ppid, encoder.encodeAsap(m));

  function message(): Uint8Array {
    switch (o.mode) {
      case "registration-flood":
        return frame({
          type: "registration",
          poolHandle,
          poolElement: {
            id: BigInt(nextId++ >>> 0 || 1),
            homeRegistrarId: 0n,
            registrationLife: 30000,
            userTransport: {
              protocol: "tcp",
              port: 1024 + (seq++ % 60000),
              transportUse: "data",
              addresses: [o.registrar.address === "::1" ? "::1" : "127.0.0.1"],
            },
            policy: policyParameter(PolicyType.RoundRobin),
          },
        });
      case "hr-flood":
        return frame({ type: "handle-resolution", poolHandle });
      case "eu-flood":
        return frame({
          type: "endpoint-unreachable",
          poolHandle,
          poolElementId: o.pe ?? BigInt((Math.random() * 0xffffffff) >>> 0 || 1),
        });
      default: {
        const junk = new Uint8Array(4 + Math.floor(Math.random() * 60));
        for (let i = 0; i < junk.length; i++) junk[i] = (Math.random() * 256) | 0;
        junk[2] = junk.length >> 8;
        junk[3] = junk.length & 0xff;
        return encodeFrame(FrameType.Data, 0, ppid, junk);
      }
    }
  }

  function received(c: Conn, bytes: Uint8Array): void {
    c.decoder.push(bytes);
    for (let r = c.decoder.next(); r.kind !== "need-more"; r = c.decoder.next()) {
      if (r.kind === "malformed") {
        c.socket.destroy();
        return;
      }
      const f = r.frame;
      if (f.type === FrameType.Hello) {
        if (!c.up) {
          c.up = true;
          counts.up++;
        }
      } else if (f.type === FrameType.Heartbeat) {
        c.socket.write(encodeFrame(FrameType.HeartbeatAck, 0, 0, f.payload.slice()));
      } else if (f.type === FrameType.Abort) {
        counts.aborted++;
      } else if (f.type === FrameType.Data) {
        counts.responses++;
        const r = wire.decodeAsap(f.payload);
        if (r.kind !== "ok") continue;
        const m = r.message;
        if (m.type === "endpoint-keep-alive" && m.poolElementId !== undefined) {
          counts.keepAlives++;
          // Answer like a live PE, so the registrar keeps the flood's PEs (worst case for it).
          c.socket.write(frame({
            type: "endpoint-keep-alive-ack",
            poolHandle: m.poolHandle,
            poolElementId: m.poolElementId,
          }));
        }
        const error = "error" in m ? m.error : undefined;
        const code = error?.causes[0]?.code;
        if (code !== undefined) {
          const key = `0x${code.toString(16)}`;
          causes[key] = (causes[key] ?? 0) + 1;
        }
      }
    }
  }

  const conns: Conn[] = [];
  for (let i = 0; i < o.connections; i++) {
    const socket = net.connect({ host: o.registrar.address, port: o.registrar.port });
    const c: Conn = {
      socket,
      up: false,
      gone: false,
      decoder: new FrameDecoder({ maxPayload: 1 << 20 }),
    };
    conns.push(c);
    socket.setNoDelay(true);
    socket.on("connect", () => socket.write(encodeHello(1 << 16)));
    socket.on("data", (chunk: Uint8Array) => {
      received(c, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      if (c.gone) return;
      c.gone = true;
      if (c.up) counts.closed++;
      else counts.refused++;
    });
  }

  const started = performance.now();
  let budget = 0;
  let last = started;
  let rr = 0;
  const TICK = 10;
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(end);
      for (const c of conns) {
        c.gone = true;
        c.socket.destroy();
      }
      resolve({ mode: o.mode, ...counts, causes });
    };
    onStop(finish);
    const end = setTimeout(finish, o.duration);
    let trickle = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      if (o.mode === "slowloris") {
        // A DATA header claiming 100 bytes, then one byte a second per association.
        if (now - trickle < 1000) return;
        trickle = now;
        const header = encodeFrame(FrameType.Data, 0, ppid, new Uint8Array(100)).subarray(0, 12);
        for (const c of conns) {
          if (!c.up || c.gone) continue;
          const at = (c as Conn & { pos?: number }).pos ?? 0;
          c.socket.write(at === 0 ? header : new Uint8Array([0]));
          (c as Conn & { pos?: number }).pos = at + 1;
          counts.sent++;
        }
        return;
      }
      const live = conns.filter((c) => c.up && !c.gone);
      if (live.length === 0) return;
      let n: number;
      if (o.rate > 0) {
        budget += (now - last) * o.rate / 1000;
        n = Math.floor(budget);
        budget -= n;
      } else n = live.length * 64;
      last = now;
      for (let k = 0; k < n; k++) {
        const c = live[rr++ % live.length]!;
        if (o.rate === 0 && c.socket.writableLength > 256 * 1024) continue;
        c.socket.write(message());
        counts.sent++;
      }
    }, TICK);
  });
}

if (isMainModule(import.meta)) runOnProcess(runAttacker);
