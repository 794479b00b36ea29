/**
 * The `registrar` tool: a pool registrar (PR) serving ASAP over TCP with the framing shim, the
 * ENRP listener that `hsdump` and (later) peer registrars use, and Server Announces.
 *
 * ```sh
 * deno task registrar                       # 127.0.0.1:3863 and [::1]:3863, ENRP 127.0.0.1:9901
 * deno task registrar --asap 0.0.0.0:3863 --keepalive-interval 2000 --log-format json
 * ```
 *
 * It runs under Deno (`deno run --allow-net adapters/cli/registrar.ts`), Bun (`bun
 * adapters/cli/registrar.ts`) and Node (`tsx adapters/cli/registrar.ts`). Log lines go to
 * standard error; the first is `started` with the identifier, the profile and every bound
 * endpoint (with `--log-format json` a JSON line tools can read for the ports chosen with
 * `:0`). SIGINT or SIGTERM shut it down gracefully (exit 0). Exit codes: 0 after a shutdown, 1
 * when a listener cannot be opened (port in use), 64 for a usage error.
 *
 * @module
 */

import { currentRuntime } from "../current.ts";
import { Driver } from "../driver.ts";
import { TransportError } from "../runtime.ts";
import { Registrar } from "../../core/registrar/registrar.ts";
import type { RegistrarEvent } from "../../core/registrar/events.ts";
import type { AddressScope, UserAddressCheck } from "../../core/registrar/config.ts";
import { SeededRng } from "../../core/rng.ts";
import type { TransportAddress } from "../../core/role.ts";
import { errorCauseName } from "../../core/wire/error_cause.ts";
import { ASAP_ANNOUNCE_GROUP, ASAP_PORT, ENRP_PORT, maxId } from "../../core/wire/profile.ts";
import { ASAP_DEFAULTS } from "../../core/asap/defaults.ts";
import {
  EXIT_USAGE,
  flagMilliseconds,
  type FlagSpec,
  formatEndpoint,
  parseEndpoint,
  parseFlags,
  parseIdentifier,
  usage,
  UsageError,
} from "./_args.ts";
import { optionalAddress } from "./_announce.ts";
import { type CliIo, isMainModule, runOnProcess } from "./_io.ts";
import { listenerName, withListenerGroups } from "./_listener_alias.ts";
import { LOG_FORMATS, LOG_LEVELS, Logger } from "./_log.ts";
import { transportText } from "./_format.ts";
import { policyText } from "./_policy.ts";

export type { CliIo, ShutdownSignal } from "./_io.ts";

const D = ASAP_DEFAULTS;

const FLAGS: readonly FlagSpec[] = [
  {
    name: "asap",
    kind: "list",
    value: "HOST:PORT",
    default: "127.0.0.1:3863 and [::1]:3863",
    help: "ASAP listener (PEs and PUs)",
  },
  {
    name: "enrp",
    kind: "list",
    value: "HOST:PORT|off",
    default: "127.0.0.1:9901",
    help: "ENRP listener (hsdump, peer registrars)",
  },
  {
    name: "announce",
    kind: "value",
    value: "ADDR:PORT|off",
    default: "239.0.0.50:3863",
    help: "where Server Announces go (multicast group or unicast)",
  },
  {
    name: "announce-cycle",
    kind: "value",
    value: "MS",
    default: String(D.serverAnnounceCycle.value),
    help: "Server Announce interval (±12.5 %)",
  },
  {
    name: "announce-ttl",
    kind: "value",
    value: "N",
    default: "30",
    help: "multicast TTL of announces",
  },
  {
    name: "announce-interface",
    kind: "value",
    value: "ADDR",
    default: "the system's choice",
    help: "address of the interface multicast announces leave from (e.g. 127.0.0.1)",
  },

  {
    name: "id",
    kind: "value",
    value: "ID",
    default: "random",
    help: "registrar identifier (decimal or 0x hex)",
  },
  { name: "profile", kind: "value", value: "rfc|ng", default: "ng", help: "wire profile" },
  {
    name: "keepalive-interval",
    kind: "value",
    value: "MS",
    default: String(D.keepAliveTransmissionInterval.value),
    help: "time from a registration or keep-alive ack to the next Endpoint Keep-Alive",
  },
  {
    name: "keepalive-timeout",
    kind: "value",
    value: "MS",
    default: String(D.keepAliveTimeout.value),
    help: "wait for a Keep-Alive Ack before the PE is removed",
  },
  {
    name: "max-bad-pe-reports",
    kind: "value",
    value: "N",
    default: String(D.maxBadPeReports.value),
    help: "Endpoint Unreachable reports that remove a PE",
  },
  {
    name: "max-hres-items",
    kind: "value",
    value: "N",
    default: String(D.maxHandleResolutionItems.value),
    help: "PEs per handle resolution when the PU does not say",
  },
  {
    name: "max-hr-rate",
    kind: "value",
    value: "PER_S",
    default: "0 (unlimited)",
    help: "handle resolutions per second per PU association",
  },
  {
    name: "max-eu-rate",
    kind: "value",
    value: "PER_S",
    default: "0 (unlimited)",
    help: "Endpoint Unreachable reports per second per PU association",
  },
  {
    name: "max-associations",
    kind: "value",
    value: "N",
    default: "10000",
    help: "associations per listener; more are refused with an ABORT",
  },
  {
    name: "frame-timeout",
    kind: "value",
    value: "MS",
    default: "30000",
    help: "time a started frame may take to complete (slowloris guard)",
  },
  {
    name: "handshake-timeout",
    kind: "value",
    value: "MS",
    default: "5000",
    help: "time for a new association's HELLO",
  },
  {
    name: "min-address-scope",
    kind: "value",
    value: "SCOPE",
    default: "loopback",
    help: "lowest PE address scope: loopback, link-local, site-local, global",
  },
  {
    name: "user-address-check",
    kind: "value",
    value: "MODE",
    default: "association",
    help: "PE addresses: association (must match), trust, replace",
  },
  {
    name: "log-level",
    kind: "value",
    value: "LEVEL",
    default: "info",
    help: "error, warn, info, debug",
  },
  { name: "log-format", kind: "value", value: "FORMAT", default: "text", help: "text or json" },
];

const SYNOPSIS = `Usage: registrar [options]

Runs a pool registrar: ASAP over TCP (framing shim) for pool elements and pool users, an ENRP
listener for hsdump, Server Announces. Stops gracefully on SIGINT/SIGTERM.`;

const DEFAULT_ASAP = ["127.0.0.1:3863", "[::1]:3863"];

function isWildcard(address: string): boolean {
  return address === "0.0.0.0" || address === "::";
}

/**
 * Runs the `registrar` tool until a shutdown signal.
 *
 * @param argv The arguments after the program name.
 * @param io Output, signals and input.
 * @returns The exit code: 0 after a graceful shutdown, 1 when a listener cannot be opened, 64
 *   for a usage error.
 * @example Start on ephemeral ports and stop it
 * ```ts
 * import { runRegistrar } from "./registrar.ts";
 * import assert from "node:assert/strict";
 * let stop: (s: "SIGTERM") => void = () => {};
 * let log = "";
 * const io = {
 *   out: () => {},
 *   err: (t: string) => {
 *     log += t;
 *     if (t.includes('"event":"started"')) stop("SIGTERM");
 *   },
 *   onShutdown: (h: (s: "SIGTERM") => void) => ((stop = h), () => {}),
 *   stdinLines: async function* () {},
 * };
 * const code = await runRegistrar(
 *   ["--asap", "127.0.0.1:0", "--enrp", "off", "--announce", "off", "--log-format", "json"],
 *   io,
 * );
 * assert.equal(code, 0);
 * assert.match(log, /"event":"stopped"/);
 * ```
 */
export async function runRegistrar(argv: readonly string[], io: CliIo): Promise<number> {
  let options: RegistrarOptions;
  try {
    const flags = parseFlags("registrar", argv, FLAGS);
    if (flags.boolean("help")) {
      io.out(usage(SYNOPSIS, FLAGS));
      return 0;
    }
    if (flags.positional.length > 0) {
      throw new UsageError(`unexpected argument "${flags.positional[0]}"`);
    }
    options = readOptions(flags);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`registrar: ${e.message}\nRun "registrar --help" for the options.\n`);
    return EXIT_USAGE;
  }
  return await serve(options, io);
}

interface RegistrarOptions {
  asap: TransportAddress[];
  asapIsDefault: boolean;
  enrp: TransportAddress[];
  announce: TransportAddress | undefined;
  announceCycle: number;
  announceTtl: number;
  announceInterface: string | undefined;
  id: bigint | undefined;
  profile: "rfc" | "ng";
  keepAliveInterval: number;
  keepAliveTimeout: number;
  maxBadPeReports: number;
  maxHresItems: number;
  maxHrRate: number;
  maxEuRate: number;
  maxAssociations: number;
  frameTimeout: number;
  handshakeTimeout: number;
  minAddressScope: AddressScope;
  userAddressCheck: UserAddressCheck;
  logLevel: (typeof LOG_LEVELS)[number];
  logFormat: (typeof LOG_FORMATS)[number];
}

function readOptions(flags: ReturnType<typeof parseFlags>): RegistrarOptions {
  const profile = flags.choice("profile", ["rfc", "ng"] as const, "ng");
  const asapList = flags.list("asap");
  const asapIsDefault = asapList.length === 0;
  const asap = (asapIsDefault ? DEFAULT_ASAP : asapList).map((t) =>
    parseEndpoint("--asap", t, ASAP_PORT)
  );
  const enrpList = flags.list("enrp");
  const enrp = enrpList.includes("off")
    ? []
    : (enrpList.length === 0 ? ["127.0.0.1:9901"] : enrpList).map((t) =>
      parseEndpoint("--enrp", t, ENRP_PORT)
    );
  const announceText = flags.string("announce") ?? `${ASAP_ANNOUNCE_GROUP}:${ASAP_PORT}`;
  const announce = announceText === "off"
    ? undefined
    : parseEndpoint("--announce", announceText, ASAP_PORT);
  if (announce !== undefined && announce.port === 0) {
    throw new UsageError("--announce needs a port other than 0");
  }
  const idText = flags.string("id");
  return {
    asap,
    asapIsDefault,
    enrp,
    announce,
    announceCycle: flagMilliseconds(flags, "announce-cycle", D.serverAnnounceCycle.value),
    announceTtl: flags.number("announce-ttl", 30, { min: 1, max: 255 }),
    announceInterface: optionalAddress(flags, "announce-interface"),
    id: idText === undefined ? undefined : parseIdentifier("--id", idText, maxId(profile)),
    profile,
    keepAliveInterval: flagMilliseconds(
      flags,
      "keepalive-interval",
      D.keepAliveTransmissionInterval.value,
    ),
    keepAliveTimeout: flagMilliseconds(flags, "keepalive-timeout", D.keepAliveTimeout.value),
    maxBadPeReports: flags.number("max-bad-pe-reports", D.maxBadPeReports.value, {
      min: 1,
      max: 0x3fffffff,
    }),
    maxHresItems: flags.number("max-hres-items", D.maxHandleResolutionItems.value, {
      min: 1,
      max: 128,
    }),
    maxHrRate: flags.number("max-hr-rate", 0, { min: 0, fraction: true }),
    maxEuRate: flags.number("max-eu-rate", 0, { min: 0, fraction: true }),
    maxAssociations: flags.number("max-associations", 10000, { min: 0, max: 1_000_000 }),
    frameTimeout: flagMilliseconds(flags, "frame-timeout", 30000),
    handshakeTimeout: flagMilliseconds(flags, "handshake-timeout", 5000),
    minAddressScope: flags.choice(
      "min-address-scope",
      ["loopback", "link-local", "site-local", "global"] as const,
      "loopback",
    ),
    userAddressCheck: flags.choice(
      "user-address-check",
      ["association", "trust", "replace"] as const,
      "association",
    ),
    logLevel: flags.choice("log-level", LOG_LEVELS, "info"),
    logFormat: flags.choice("log-format", LOG_FORMATS, "text"),
  };
}

async function serve(o: RegistrarOptions, io: CliIo): Promise<number> {
  const log = new Logger({
    tool: "registrar",
    level: o.logLevel,
    format: o.logFormat,
    write: (t) => io.err(t),
  });
  const runtime = await currentRuntime();
  const seed = new Uint32Array(runtime.randomBytes(16).buffer.slice(0, 16));
  const registrar = new Registrar({
    rng: new SeededRng([seed[0]!, seed[1]!, seed[2]!, seed[3]!]),
    profile: o.profile,
    ...(o.id === undefined ? {} : { id: o.id }),
    announceTargets: o.announce === undefined ? [] : [o.announce],
    serverAnnounceCycle: o.announceCycle,
    keepAliveTransmissionInterval: o.keepAliveInterval,
    keepAliveTimeout: o.keepAliveTimeout,
    maxBadPeReports: o.maxBadPeReports,
    maxHandleResolutionItems: o.maxHresItems,
    maxHrRate: o.maxHrRate,
    maxEuRate: o.maxEuRate,
    minAddressScope: o.minAddressScope,
    userAddressCheck: o.userAddressCheck,
    verboseEvents: log.enabled("debug"),
  });
  const driver: Driver<RegistrarEvent> = new Driver(runtime, withListenerGroups(registrar), {
    association: { frameTimeout: o.frameTimeout, handshakeTimeout: o.handshakeTimeout },
    onEvent: (e) => logEvent(log, registrar, driver, e),
  });

  // Listeners: ASAP (the default [::1] may be missing on hosts without IPv6), then ENRP.
  const asapBound: TransportAddress[] = [];
  const enrpBound: TransportAddress[] = [];
  try {
    for (const [i, endpoint] of o.asap.entries()) {
      try {
        asapBound.push(
          await driver.listen(listenerName("asap", i), {
            hostname: endpoint.address,
            port: endpoint.port,
            maxAssociations: o.maxAssociations,
          }),
        );
      } catch (e) {
        const code = e instanceof TransportError ? e.code : "";
        if (o.asapIsDefault && endpoint.address === "::1" && code !== "EADDRINUSE") {
          log.warn(
            "ipv6-unavailable",
            { endpoint: formatEndpoint(endpoint), code },
            "ASAP on IPv4 only",
          );
          continue;
        }
        throw new ListenError(`ASAP on ${formatEndpoint(endpoint)}`, e);
      }
    }
    for (const [i, endpoint] of o.enrp.entries()) {
      try {
        enrpBound.push(
          await driver.listen(listenerName("enrp", i), {
            hostname: endpoint.address,
            port: endpoint.port,
            maxAssociations: o.maxAssociations,
          }),
        );
      } catch (e) {
        throw new ListenError(`ENRP on ${formatEndpoint(endpoint)}`, e);
      }
    }
    if (o.announce !== undefined) {
      // Announces carry the ASAP endpoints as TCP Transport parameters. A wildcard listener has
      // no address to announce: then the announce socket is bound to the ASAP port, and
      // receivers connect to the datagram's source address and port (RSPLIB's rule).
      const wildcard = asapBound.find((a) => isWildcard(a.address));
      const v6 = o.announce.address.includes(":");
      let failed = false;
      await driver.openChannel("asap-announce", {
        hostname: v6 ? "::" : "0.0.0.0",
        port: wildcard?.port ?? 0,
        reuseAddress: wildcard !== undefined,
        multicastTtl: o.announceTtl,
        ...(o.announceInterface === undefined ? {} : { multicastInterface: o.announceInterface }),
        onError: (detail) => {
          if (failed) return;
          failed = true;
          log.warn(
            "announce-failed",
            { target: formatEndpoint(o.announce!), detail },
            "Server Announces cannot be sent (no route?); PEs and PUs need --registrar",
          );
        },
      }).catch((e) => {
        throw new ListenError(`announces to ${formatEndpoint(o.announce!)}`, e);
      });
      registrar.setAsapEndpoints(wildcard === undefined ? asapBound : []);
    }
  } catch (e) {
    await driver.close();
    if (!(e instanceof ListenError)) throw e;
    // One line: the JSON event for machines, else the plain message.
    if (o.logFormat === "json") {
      log.error("listen-failed", { what: e.what, code: e.code }, e.message);
    } else io.err(`registrar: ${e.message}\n`);
    return 1;
  }
  driver.flush();
  log.always("started", {
    id: registrar.id,
    profile: registrar.profile,
    asap: asapBound.map(formatEndpoint),
    enrp: enrpBound.length === 0 ? "off" : enrpBound.map(formatEndpoint),
    announce: o.announce === undefined ? "off" : formatEndpoint(o.announce),
    runtime: runtime.name,
  });

  const signal = await new Promise<string>((resolve) => {
    const off = io.onShutdown((s) => {
      off();
      resolve(s);
    });
  });
  log.info("stopping", { signal, poolElements: registrar.handlespace.size });
  // A second signal stops at once (exit 1) instead of waiting for graceful closes.
  let offForce = () => {};
  const forced = new Promise<boolean>((resolve) => {
    offForce = io.onShutdown(() => resolve(true));
  });
  driver.run((now) => registrar.shutdown(now));
  const wasForced = await Promise.race([driver.close().then(() => false), forced]);
  offForce();
  const stats = registrar.stats();
  log.info("stopped", {
    registrations: stats.registrations,
    handleResolutions: stats.handleResolutions,
  });
  return wasForced ? 1 : 0;
}

class ListenError extends Error {
  readonly what: string;
  readonly code: string;
  constructor(what: string, cause: unknown) {
    const code = cause instanceof TransportError ? cause.code : "UNKNOWN";
    const reason = code === "EADDRINUSE"
      ? "the address is already in use"
      : code === "EADDRNOTAVAIL"
      ? "the address is not available on this host"
      : code === "EACCES"
      ? "permission denied"
      : (cause as Error)?.message ?? String(cause);
    super(`cannot open ${what}: ${reason}`, { cause });
    this.what = what;
    this.code = code;
  }
}

/** One log line per registrar event (the event's type is the log event's name). */
function logEvent(
  log: Logger,
  registrar: Registrar,
  driver: Driver<RegistrarEvent>,
  e: RegistrarEvent,
): void {
  switch (e.type) {
    case "registered":
    case "re-registered": {
      const level = e.type === "registered" || e.changed ? "info" : "debug";
      if (!log.enabled(level)) return;
      const entry = registrar.handlespace.find(e.poolHandle, e.peId);
      const remote = driver.status(e.assoc)?.remote;
      log.log(level, e.type, {
        pool: e.poolHandle,
        pe: e.peId,
        transport: entry === undefined ? undefined : transportText(entry.userTransport),
        policy: entry === undefined ? undefined : policyText(entry.policy),
        from: remote === undefined ? undefined : formatEndpoint(remote),
      });
      return;
    }
    case "registration-rejected":
      log.warn(e.type, {
        pool: e.poolHandle,
        pe: e.peId,
        cause: `0x${e.cause.toString(16)}`,
        causeName: errorCauseName(e.cause),
        reason: e.reason,
      });
      return;
    case "deregistered":
      log.info(e.type, { pool: e.poolHandle, pe: e.peId });
      return;
    case "keep-alive-timeout":
      log.warn(e.type, { pool: e.poolHandle, pe: e.peId });
      return;
    case "unreachable-report":
      log.info(e.type, { pool: e.poolHandle, pe: e.peId, reports: e.reports });
      return;
    case "pe-removed-unreachable":
      log.warn(e.type, { pool: e.poolHandle, pe: e.peId, reports: e.reports });
      return;
    case "pe-removed-association-down":
      log.info(e.type, { pool: e.poolHandle, pe: e.peId, reason: e.reason });
      return;
    case "pe-expired":
      log.info(e.type, { pool: e.poolHandle, pe: e.peId });
      return;
    case "rate-limited":
      log.warn(e.type, { assoc: e.assoc, request: e.request });
      return;
    case "peer-protocol-error":
      log.warn(e.type, { assoc: e.assoc, cause: `0x${e.cause.toString(16)}`, detail: e.detail });
      return;
    case "association-aborted":
      log.info(e.type, { assoc: e.assoc, reason: e.reason });
      return;
    case "enrp-request-rejected":
      log.warn(e.type, {
        assoc: e.assoc,
        sender: e.senderId,
        request: e.request,
        reason: e.reason,
      });
      return;
    case "startup-phase-ended":
      log.info(e.type);
      return;
    case "handle-resolution":
      log.debug(e.type, {
        assoc: e.assoc,
        pool: e.poolHandle,
        requested: e.requested,
        returned: e.returned,
        cause: e.cause === 0 ? undefined : `0x${e.cause.toString(16)}`,
      });
      return;
    case "association-up":
      log.debug(e.type, { assoc: e.assoc, listener: e.listener, remote: formatEndpoint(e.remote) });
      return;
    case "association-down":
      log.debug(e.type, { assoc: e.assoc, reason: e.reason });
      return;
    case "announce-sent":
      log.debug(e.type, { targets: e.targets });
      return;
  }
}

if (isMainModule(import.meta)) runOnProcess(runRegistrar);
