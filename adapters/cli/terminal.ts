/**
 * The `terminal` tool: a pool user (PU) that sends each line of standard input as one message
 * to a PE of a pool and prints the replies, like RSPLIB's rspterminal.
 *
 * ```sh
 * deno task terminal --pool EchoPool
 * printf 'one\ntwo\n' | deno task terminal --pool EchoPool
 * echo 5 | deno task terminal --service chargen
 * ```
 *
 * Replies go to standard output, one per line (chargen's lines as sent; pingpong's Pongs as
 * `Pong <message number> (reply <reply number>): <data>`); log lines go to standard error. When
 * the association to the PE fails, the PE is reported with Endpoint Unreachable, the pool is
 * resolved again and the lines not acknowledged yet are sent to the next PE: no line is lost,
 * and a line whose reply was lost may be answered twice (`--no-resend`: at most once). At the
 * end of input the tool waits for the outstanding replies (`--wait`), then exits: 0 when every
 * line was answered, 1 otherwise, 64 for a usage error.
 *
 * @module
 */

import { currentRuntime } from "../current.ts";
import { ASAP_DEFAULTS } from "../../core/asap/defaults.ts";
import type {} from "../../core/role.ts";
import { errorCauseName } from "../../core/wire/error_cause.ts";
import {
  flagMilliseconds,
  type FlagSpec,
  formatEndpoint,
  type parseFlags,
  readCommandLine,
} from "./_args.ts";
import { LOG_FLAGS, type LogOptions, readLogFlags } from "./_log_flags.ts";
import {
  readRegistrarHuntFlags,
  REGISTRAR_HUNT_FLAGS,
  type RegistrarHuntOptions,
} from "./_announce.ts";
import { listenForAnnounces } from "./_announce.ts";
import { FailoverClient, type FailoverClientEvent } from "./_failover_client.ts";
import { transportText } from "./_format.ts";
import { type CliIo, isMainModule, runOnProcess } from "./_io.ts";
import { Logger } from "../log.ts";
import { decodePong, encodePing } from "./_pingpong.ts";
import { policyText } from "./_policy.ts";
import { readTlsFlags, tlsFlags } from "./_tls.ts";
import type { TlsOptions } from "../tls.ts";
import {
  DEFAULT_POOL,
  repliesToEveryRequest,
  SERVICE_NAMES,
  SERVICE_PPID,
  type ServiceName,
} from "./_services.ts";
import {
  driverTransport,
  readTransportSettings,
  transportFlags,
  type TransportSettings,
} from "./_transport.ts";

export type { CliIo, ShutdownSignal } from "./_io.ts";

const FLAGS: readonly FlagSpec[] = [
  ...tlsFlags("connect"),
  {
    name: "pool",
    kind: "value",
    value: "NAME",
    default: "EchoPool (the service's pool)",
    help: "pool handle to send to",
  },
  {
    name: "service",
    kind: "value",
    value: "NAME",
    default: "echo",
    help: "echo, discard, daytime, chargen or pingpong (sets the PPID and the reply format)",
  },
  ...REGISTRAR_HUNT_FLAGS,
  { name: "profile", kind: "value", value: "rfc|ng", default: "ng", help: "wire profile" },
  {
    name: "stale-cache",
    kind: "value",
    value: "MS",
    default: String(ASAP_DEFAULTS.staleCacheValue.value),
    help: "cache handle resolutions this long; 0 asks the registrar every time",
  },
  {
    name: "new-session-per-line",
    kind: "boolean",
    help: "resolve the pool and connect afresh for every line (shows the policy at work)",
  },
  {
    name: "no-resend",
    kind: "boolean",
    help: "after a failover, do not resend lines whose reply was lost (at most once)",
  },
  {
    name: "wait",
    kind: "value",
    value: "MS",
    default: "10000",
    help: "at end of input, wait this long for outstanding replies",
  },
  ...LOG_FLAGS,
  ...transportFlags(
    "the registrar association (pool elements are reached over the protocol they registered)",
    false,
  ),
];

const SYNOPSIS = `Usage: terminal [options]

Sends each line of standard input to a pool element of a pool and prints the replies. Fails over
to another pool element when one is lost.`;

interface TerminalOptions extends RegistrarHuntOptions, LogOptions {
  pool: string;
  service: ServiceName;
  profile: "rfc" | "ng";
  staleCache: number;
  perLine: boolean;
  resend: boolean;
  wait: number;
  tls: TlsOptions | undefined;
  transport: TransportSettings;
}

function readOptions(flags: ReturnType<typeof parseFlags>): TerminalOptions {
  const service = flags.choice("service", SERVICE_NAMES, "echo");
  return {
    pool: flags.string("pool") ?? DEFAULT_POOL[service],
    service,
    profile: flags.choice("profile", ["rfc", "ng"] as const, "ng"),
    staleCache: flagMilliseconds(flags, "stale-cache", ASAP_DEFAULTS.staleCacheValue.value, 0),
    perLine: flags.boolean("new-session-per-line"),
    resend: !flags.boolean("no-resend"),
    wait: flagMilliseconds(flags, "wait", 10000, 0),
    tls: readTlsFlags(flags, "connect"),
    ...readRegistrarHuntFlags(flags),
    ...readLogFlags(flags),
    transport: readTransportSettings(flags),
  };
}

/**
 * Runs the `terminal` tool until the end of its input (or a signal).
 *
 * @param argv The arguments after the program name.
 * @param io Output, signals and the input lines.
 * @returns The exit code: 0 when every line was answered (or, for discard, sent), 1 when
 *   replies were missing at the end, 64 for a usage error.
 * @example Usage errors exit with 64
 * ```ts
 * import { runTerminal } from "./terminal.ts";
 * import assert from "node:assert/strict";
 * let err = "";
 * const io = {
 *   out: () => {},
 *   err: (t: string) => void (err += t),
 *   onShutdown: () => () => {},
 *   stdinLines: async function* () {},
 * };
 * assert.equal(await runTerminal(["--service", "gopher"], io), 64);
 * assert.match(err, /--service must be/);
 * ```
 */
export async function runTerminal(argv: readonly string[], io: CliIo): Promise<number> {
  const o = readCommandLine("terminal", argv, FLAGS, SYNOPSIS, io, readOptions);
  if (typeof o === "number") return o;
  const log = new Logger({
    tool: "terminal",
    level: o.logLevel,
    format: o.logFormat,
    write: (t) => io.err(t),
  });
  const runtime = await currentRuntime();
  const decoder = new TextDecoder();
  const client = new FailoverClient({
    runtime,
    poolHandle: o.pool,
    registrars: o.registrars,
    profile: o.profile,
    ppid: SERVICE_PPID[o.service],
    acknowledged: repliesToEveryRequest(o.service),
    resend: o.resend,
    sessionPerMessage: o.perLine,
    staleCacheValue: o.staleCache,
    registrarConnectTimeout: o.connectTimeout,
    transport: driverTransport(o.transport, log, "pool-user"),
    ...(o.tls === undefined ? {} : { tls: o.tls }),
    onEvent: (e) => {
      if (e.type === "reply") io.out(replyText(o.service, e.payload, decoder));
      else logClientEvent(log, e);
    },
  });
  if (o.announce !== undefined) {
    await listenForAnnounces(client.poolUserDriver, o.announce, log, o.announceInterface);
  }
  log.always("started", {
    pool: o.pool,
    service: o.service,
    ppid: SERVICE_PPID[o.service],
    registrars: o.registrars.map(formatEndpoint),
    transport: o.transport.transport,
    profile: o.profile,
    runtime: runtime.name,
  });

  let interrupted = false;
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const off = io.onShutdown((signal) => {
    interrupted = true;
    log.info("stopping", { signal });
    stop();
  });
  const encoder = new TextEncoder();
  let lines = 0;
  let messageNo = 1n;
  const reading = (async () => {
    for await (const line of io.stdinLines()) {
      if (interrupted) return;
      if (line === "") continue;
      lines++;
      const data = encoder.encode(line);
      client.send(o.service === "pingpong" ? encodePing(messageNo++, data) : data);
    }
  })();
  await Promise.race([reading, stopped]);
  let complete = interrupted;
  if (!interrupted) {
    complete = await Promise.race([client.drain(o.wait), stopped.then(() => true)]);
  }
  off();
  const outstanding = client.outstanding;
  await client.close();
  const summary = {
    lines,
    replies: client.replies,
    failovers: client.failovers,
    unanswered: interrupted ? undefined : outstanding + client.lost,
  };
  if (interrupted || (complete && client.lost === 0)) {
    log.info("stopped", summary);
    return 0;
  }
  log.error("stopped", summary, `${outstanding + client.lost} line(s) were not answered`);
  return 1;
}

function replyText(service: ServiceName, payload: Uint8Array, decoder: TextDecoder): string {
  if (service === "pingpong") {
    const pong = decodePong(payload);
    if (pong !== undefined) {
      return `Pong ${pong.messageNo} (reply ${pong.replyNo}): ${decoder.decode(pong.data)}\n`;
    }
  }
  const text = decoder.decode(payload);
  return text.endsWith("\n") ? text : text + "\n";
}

function logClientEvent(log: Logger, e: FailoverClientEvent): void {
  switch (e.type) {
    case "connected":
      log.info(e.type, {
        pe: e.pe.id,
        endpoint: formatEndpoint(e.endpoint),
        policy: policyText(e.pe.policy),
        transport: e.transport,
        resent: e.resent === 0 ? undefined : e.resent,
      });
      return;
    case "failover":
      log.warn(e.type, {
        pe: e.pe.id,
        transport: transportText(e.pe.userTransport),
        reason: e.reason,
        unacknowledged: e.unacknowledged,
      }, "reported unreachable; resolving the pool again");
      return;
    case "resolution-failed":
      log.warn(e.type, {
        reason: e.reason,
        cause: e.cause === 0 ? undefined : `0x${e.cause.toString(16)} ${errorCauseName(e.cause)}`,
        retryIn: e.retryIn,
      });
      return;
    case "pool-user": {
      const p = e.event;
      switch (p.type) {
        case "registrar-connected":
          log.debug(p.type, { registrar: p.registrarId });
          return;
        case "registrar-lost":
          log.warn(p.type, { registrar: p.registrarId, reason: p.reason });
          return;
        case "registrar-hunt-failed":
          log.warn(p.type, { round: p.round });
          return;
        case "peer-protocol-error":
          log.warn(p.type, { detail: p.detail });
          return;
        default:
          return;
      }
    }
    case "reply":
      return;
  }
}

if (isMainModule(import.meta)) runOnProcess(runTerminal);
