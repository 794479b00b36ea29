/**
 * The `registrar` tool: a pool registrar (PR) serving ASAP over TCP with the framing shim, the
 * ENRP listener that `hsdump` and (later) peer registrars use, and Server Announces.
 *
 * ```sh
 * deno task registrar                       # 127.0.0.1:3863 and [::1]:3863, ENRP 127.0.0.1:9901
 * deno task registrar --asap 0.0.0.0:3863 --keepalive-interval 2000 --log-format json
 * deno task registrar --http 127.0.0.1:8080  # + management API, /metrics and the dashboard
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
import { LOG_FORMATS, LOG_LEVELS, Logger } from "../log.ts";
import { transportText } from "./_format.ts";
import { DEFAULT_HTTP_HOSTNAME } from "../http_server.ts";
import { ManagementServer } from "../management/management_server.ts";
import { policyText } from "./_policy.ts";
import { createSelectionKernel } from "../../core/policy/selection_kernel.ts";
import { readTlsFlags, tlsFlags } from "./_tls.ts";
import { LogLimiter } from "./_log_limiter.ts";
import { readFileSync } from "node:fs";
import {
  type AuthorizationPolicy,
  parseAuthorizationPolicy,
} from "../../core/registrar/authorization.ts";
import type { TlsOptions } from "../tls.ts";

export type { CliIo, ShutdownSignal } from "./_io.ts";

const D = ASAP_DEFAULTS;
/** ASAP and ENRP lengths are 16-bit: no valid message is larger. */
const MAX_MESSAGE_SIZE = 65535;

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
    name: "wasm",
    kind: "value",
    value: "on|off",
    default: "on",
    help:
      "WebAssembly policy selection where it measured faster (off: pure TypeScript, same choices)",
  },
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
    default: String(D.maxHrRate.value),
    help: "handle resolutions per second per PU association (0 = unlimited)",
  },
  {
    name: "max-eu-rate",
    kind: "value",
    value: "PER_S",
    default: String(D.maxEuRate.value),
    help: "Endpoint Unreachable reports per second per PU association (0 = unlimited)",
  },
  {
    name: "max-message-rate",
    kind: "value",
    value: "PER_S",
    default: String(D.maxMessageRate.value),
    help: "ASAP messages per second per association; above it the association is aborted",
  },
  {
    name: "max-registrations-per-association",
    kind: "value",
    value: "N",
    default: String(D.maxRegistrationsPerAssociation.value),
    help: "PEs registered over one association (0 = unlimited)",
  },
  {
    name: "max-pools",
    kind: "value",
    value: "N",
    default: String(D.maxPools.value),
    help: "pools in the handlespace (0 = unlimited)",
  },
  {
    name: "max-pool-elements",
    kind: "value",
    value: "N",
    default: String(D.maxPoolElements.value),
    help: "PEs in the handlespace (0 = unlimited)",
  },
  {
    name: "max-pool-elements-per-pool",
    kind: "value",
    value: "N",
    default: String(D.maxPoolElementsPerPool.value),
    help: "PEs in one pool (0 = unlimited)",
  },
  {
    name: "max-pool-handle-length",
    kind: "value",
    value: "BYTES",
    default: String(D.maxPoolHandleLength.value),
    help: "longest pool handle accepted",
  },
  {
    name: "max-parameters",
    kind: "value",
    value: "N",
    default: String(D.maxParameters.value),
    help: "parameters in one ASAP message",
  },
  {
    name: "max-message-size",
    kind: "value",
    value: "BYTES",
    default: String(MAX_MESSAGE_SIZE),
    help: "largest framed message accepted; a bigger frame aborts the association",
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
    name: "http",
    kind: "value",
    value: "[HOST:]PORT|off",
    default: "off",
    help: "read-only management API, /metrics and dashboard (a bare PORT binds 127.0.0.1)",
  },
  {
    name: "http-allow-host",
    kind: "list",
    value: "NAME",
    default: "IP addresses and localhost only",
    help: "another host name the management API answers to (DNS rebinding guard)",
  },
  {
    name: "name",
    kind: "value",
    value: "TEXT",
    default: "none",
    help: "a name for this registrar in the management API, the dashboard and monitor",
  },
  {
    name: "log-level",
    kind: "value",
    value: "LEVEL",
    default: "info",
    help: "error, warn, info, debug",
  },
  ...tlsFlags("serve"),
  {
    name: "authz",
    kind: "value",
    value: "FILE",
    default: "none (everyone may register and resolve)",
    help: "authorization policy (JSON): who may register into and resolve which pools",
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
 *     // The tool listens for signals right after this line: stop it on the next turn.
 *     if (t.includes('"event":"started"')) setTimeout(() => stop("SIGTERM"), 0);
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
  wasm: boolean;
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
  maxMessageRate: number;
  maxRegistrationsPerAssociation: number;
  maxPools: number;
  maxPoolElements: number;
  maxPoolElementsPerPool: number;
  maxPoolHandleLength: number;
  maxParameters: number;
  maxMessageSize: number;
  maxAssociations: number;
  frameTimeout: number;
  handshakeTimeout: number;
  minAddressScope: AddressScope;
  userAddressCheck: UserAddressCheck;
  http: TransportAddress | undefined;
  httpAllowHosts: string[];
  name: string | undefined;
  tls: TlsOptions | undefined;
  authz: AuthorizationPolicy | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  logFormat: (typeof LOG_FORMATS)[number];
}

function readOptions(flags: ReturnType<typeof parseFlags>): RegistrarOptions {
  const profile = flags.choice("profile", ["rfc", "ng"] as const, "ng");
  const wasm = flags.choice("wasm", ["on", "off"] as const, "on") === "on";
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
  const httpText = flags.string("http") ?? "off";
  // A bare port (or ":PORT") binds loopback: the management API is local unless asked otherwise.
  const httpLocal = /^:?\d+$/.test(httpText.trim())
    ? `${DEFAULT_HTTP_HOSTNAME}:${httpText.trim().replace(/^:/, "")}`
    : httpText;
  const http = httpText === "off" ? undefined : parseEndpoint("--http", httpLocal, undefined);
  return {
    wasm,
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
    maxHrRate: flags.number("max-hr-rate", D.maxHrRate.value, { min: 0, fraction: true }),
    maxEuRate: flags.number("max-eu-rate", D.maxEuRate.value, { min: 0, fraction: true }),
    maxMessageRate: flags.number("max-message-rate", D.maxMessageRate.value, {
      min: 0,
      fraction: true,
    }),
    maxRegistrationsPerAssociation: flags.number(
      "max-registrations-per-association",
      D.maxRegistrationsPerAssociation.value,
      { min: 0, max: 0x3fffffff },
    ),
    maxPools: flags.number("max-pools", D.maxPools.value, { min: 0, max: 1e9 }),
    maxPoolElements: flags.number("max-pool-elements", D.maxPoolElements.value, {
      min: 0,
      max: 1e9,
    }),
    maxPoolElementsPerPool: flags.number(
      "max-pool-elements-per-pool",
      D.maxPoolElementsPerPool.value,
      { min: 0, max: 1e9 },
    ),
    maxPoolHandleLength: flags.number("max-pool-handle-length", D.maxPoolHandleLength.value, {
      min: 1,
      max: 65000,
    }),
    maxParameters: flags.number("max-parameters", D.maxParameters.value, {
      min: 4,
      max: 65535,
    }),
    maxMessageSize: flags.number("max-message-size", MAX_MESSAGE_SIZE, {
      min: 1024,
      max: 1 << 30,
    }),
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
    http,
    httpAllowHosts: flags.list("http-allow-host"),
    name: flags.string("name"),
    tls: readTlsFlags(flags, "serve"),
    authz: readAuthz(flags.string("authz")),
    logLevel: flags.choice("log-level", LOG_LEVELS, "info"),
    logFormat: flags.choice("log-format", LOG_FORMATS, "text"),
  };
}

function readAuthz(file: string | undefined): AuthorizationPolicy | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`--authz ${file}: ${(e as Error).message}`);
  }
  try {
    return parseAuthorizationPolicy(text);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UsageError(`--authz ${file}: ${e.message}`);
    throw e;
  }
}

async function serve(o: RegistrarOptions, io: CliIo): Promise<number> {
  const log = new Logger({
    tool: "registrar",
    level: o.logLevel,
    format: o.logFormat,
    write: (t) => io.err(t),
  });
  const runtime = await currentRuntime();
  // A flooding peer must not flood the log: 10 lines per peer-triggered event and second, 100
  // for the others (a registration flood registers thousands of PEs a second).
  const limiter = new LogLimiter(10, 100, () => runtime.now(), (event, suppressed) => {
    log.warn(
      "log-suppressed",
      { of: event, suppressed },
      "more lines of this event in the last second",
    );
  });
  const seed = new Uint32Array(runtime.randomBytes(16).buffer.slice(0, 16));
  const selectionKernel = createSelectionKernel({ wasm: o.wasm });
  const registrar = new Registrar({
    rng: new SeededRng([seed[0]!, seed[1]!, seed[2]!, seed[3]!]),
    profile: o.profile,
    selectionKernel,
    ...(o.id === undefined ? {} : { id: o.id }),
    announceTargets: o.announce === undefined ? [] : [o.announce],
    serverAnnounceCycle: o.announceCycle,
    keepAliveTransmissionInterval: o.keepAliveInterval,
    keepAliveTimeout: o.keepAliveTimeout,
    maxBadPeReports: o.maxBadPeReports,
    maxHandleResolutionItems: o.maxHresItems,
    maxHrRate: o.maxHrRate,
    maxEuRate: o.maxEuRate,
    maxMessageRate: o.maxMessageRate,
    maxRegistrationsPerAssociation: o.maxRegistrationsPerAssociation,
    limits: {
      maxPools: o.maxPools,
      maxPoolElements: o.maxPoolElements,
      maxPoolElementsPerPool: o.maxPoolElementsPerPool,
    },
    maxPoolHandleLength: o.maxPoolHandleLength,
    maxParameters: o.maxParameters,
    minAddressScope: o.minAddressScope,
    userAddressCheck: o.userAddressCheck,
    verboseEvents: log.enabled("debug"),
    ...(o.authz === undefined ? {} : { authorization: o.authz }),
  });
  // The management side (--http): created before the driver, which runs the registrar through
  // it (its handle resolutions are timed for the metrics) and publishes every event to it.
  const management = o.http === undefined ? undefined : new ManagementServer({
    registrar,
    clock: runtime.now,
    ...(o.name === undefined ? {} : { name: o.name }),
    allowedHosts: o.httpAllowHosts,
  });
  const driver: Driver<RegistrarEvent> = new Driver(
    runtime,
    withListenerGroups(management?.role ?? registrar),
    {
      association: {
        frameTimeout: o.frameTimeout,
        handshakeTimeout: o.handshakeTimeout,
        maxPayload: o.maxMessageSize,
      },
      onEvent: (e) => {
        management?.publish(e);
        // The log is rate-limited per event (a flooding peer must not flood it); the
        // management stream keeps its own bounded queues.
        if (limiter.allow(e.type)) logEvent(log, registrar, driver, e);
      },
    },
  );

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
            ...(o.tls === undefined ? {} : {
              tls: o.tls,
              onTlsRefused: (detail, remote) =>
                limiter.allow("tls-refused") && log.warn("tls-refused", {
                  from: remote === undefined ? undefined : formatEndpoint(remote),
                  detail,
                }),
            }),
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
    if (management !== undefined) {
      await management.listen({ hostname: o.http!.address, port: o.http!.port }).catch((e) => {
        throw new ListenError(`the management API on ${formatEndpoint(o.http!)}`, e);
      });
    }
  } catch (e) {
    await management?.close();
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
    http: management?.url ?? "off",
    name: o.name,
    ...(o.tls === undefined ? {} : { tls: o.tls.ca === undefined ? "server" : "mutual" }),
    ...(o.authz === undefined ? {} : { authz: o.authz.size }),
    selection: selectionKernel.name,
    runtime: runtime.name,
  });

  const signal = await new Promise<string>((resolve) => {
    const off = io.onShutdown((s) => {
      off();
      resolve(s);
    });
  });
  limiter.flush();
  log.info("stopping", { signal, poolElements: registrar.handlespace.size });
  // A second signal stops at once (exit 1) instead of waiting for graceful closes.
  let offForce = () => {};
  const forced = new Promise<boolean>((resolve) => {
    offForce = io.onShutdown(() => resolve(true));
  });
  // The event streams end first (a server waits for open responses), then the associations.
  await management?.close();
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

/**
 * One log line per registrar event, under the event's stable name with its level, message and
 * fields (`adapters/log.ts`, as the management event stream shows them); registrations also
 * name the PE's transport, its policy and where it registered from.
 */
function logEvent(
  log: Logger,
  registrar: Registrar,
  driver: Driver<RegistrarEvent>,
  e: RegistrarEvent,
): void {
  if (e.type !== "registered" && e.type !== "re-registered") {
    log.event(e);
    return;
  }
  if (!log.enabled(e.type === "registered" || e.changed ? "info" : "debug")) return;
  const entry = registrar.handlespace.find(e.poolHandle, e.peId);
  const remote = driver.status(e.assoc)?.remote;
  log.event(e, {
    transport: entry === undefined ? undefined : transportText(entry.userTransport),
    policy: entry === undefined ? undefined : policyText(entry.policy),
    from: remote === undefined ? undefined : formatEndpoint(remote),
  });
}

if (isMainModule(import.meta)) runOnProcess(runRegistrar);
