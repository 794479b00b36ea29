/**
 * The `registrar` tool: a pool registrar (PR) serving ASAP over TCP with the framing shim, the
 * ENRP listener that `hsdump` and peer registrars use, ENRP peering (static `--peer`s and/or
 * multicast Presence with `--enrp-announce`), and Server Announces.
 *
 * ```sh
 * deno task registrar                       # 127.0.0.1:3863 and [::1]:3863, ENRP 127.0.0.1:9901
 * deno task registrar --asap 0.0.0.0:3863 --keepalive-interval 2000 --log-format json
 * deno task registrar --http 127.0.0.1:8080  # + management API, /metrics and the dashboard
 * deno task registrar --enrp 127.0.0.1:9902 --peer 127.0.0.1:9901 --peer 127.0.0.1:9903
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
import { Driver, type ListenAddress } from "../driver.ts";
import { TransportError } from "../runtime.ts";
import { Registrar } from "../../core/registrar/registrar.ts";
import type { RegistrarEvent } from "../../core/registrar/events.ts";
import type { AddressScope, UserAddressCheck } from "../../core/registrar/config.ts";
import { SeededRng } from "../../core/rng.ts";
import type { TransportAddress } from "../../core/role.ts";
import {
  ASAP_ANNOUNCE_GROUP,
  ASAP_PORT,
  ENRP_PORT,
  ENRP_PRESENCE_GROUP,
  maxId,
} from "../../core/wire/profile.ts";
import { ASAP_DEFAULTS } from "../../core/asap/defaults.ts";
import type { EnrpConfig } from "../../core/enrp/config.ts";
import { ENRP_DEFAULTS } from "../../core/enrp/defaults.ts";
import {
  flagMilliseconds,
  type FlagSpec,
  formatEndpoint,
  parseEndpoint,
  type parseFlags,
  parseIdentifier,
  readCommandLine,
  UsageError,
} from "./_args.ts";
import { LOG_FLAGS, type LogOptions, readLogFlags } from "./_log_flags.ts";
import { optionalAddress } from "./_announce.ts";
import { type CliIo, isMainModule, runOnProcess } from "./_io.ts";
import { listenerName, withListenerGroups } from "./_listener_alias.ts";
import { Logger } from "../log.ts";
import { transportText } from "./_format.ts";
import { DEFAULT_HTTP_HOSTNAME } from "../http_server.ts";
import { ManagementServer } from "../management/management_server.ts";
import { policyText } from "./_policy.ts";
import { createSelectionKernel } from "../../core/policy/selection_kernel.ts";
import {
  driverTransport,
  readTransportSettings,
  transportFlags,
  type TransportSettings,
} from "./_transport.ts";
import { enrpTlsFlags, readEnrpTlsFlags, readTlsFlags, tlsFlags } from "./_tls.ts";
import { toolLogLimiter } from "./_log_limiter.ts";
import { readFileSync } from "node:fs";
import {
  type AuthorizationPolicy,
  parseAuthorizationPolicy,
} from "../../core/registrar/authorization.ts";
import type { TlsOptions } from "../tls.ts";

export type { CliIo, ShutdownSignal } from "./_io.ts";

const D = ASAP_DEFAULTS;
const E = ENRP_DEFAULTS;
/** ASAP and ENRP lengths are 16-bit: no valid message is larger. */
const MAX_MESSAGE_SIZE = 65535;
/** Bytes queued for one association by default: hundreds of responses, not gigabytes. */
const MAX_SEND_BUFFER = 1024 * 1024;

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
  // ENRP peering (on when --peer or --enrp-announce is given; needs the ENRP listener).
  {
    name: "peer",
    kind: "list",
    value: "HOST:PORT",
    default: "none",
    help: "static peer registrar's ENRP endpoint (repeatable; port defaults to 9901)",
  },
  {
    name: "enrp-announce",
    kind: "value",
    value: "ADDR:PORT|on|off",
    default: "off",
    help: `where Presence goes by UDP (on = ${ENRP_PRESENCE_GROUP}:${ENRP_PORT}); joins the group`,
  },
  {
    name: "peer-heartbeat-cycle",
    kind: "value",
    value: "MS",
    default: String(E.peerHeartbeatCycle.value),
    help: "interval of Presence to every peer (±12.5 %)",
  },
  {
    name: "peer-max-time-last-heard",
    kind: "value",
    value: "MS",
    default: String(E.peerMaxTimeLastHeard.value),
    help: "silence after which a peer is probed (Presence with the R flag)",
  },
  {
    name: "peer-max-time-no-response",
    kind: "value",
    value: "MS",
    default: String(E.peerMaxTimeNoResponse.value),
    help: "wait for the probe's answer, then take the peer's PEs over",
  },
  {
    name: "mentor-discovery-timeout",
    kind: "value",
    value: "MS",
    default: String(E.mentorDiscoveryTimeout.value),
    help: "startup phase: find a mentor and download its handlespace",
  },
  {
    name: "takeover-expiry",
    kind: "value",
    value: "MS",
    default: String(E.takeoverExpiry.value),
    help: "wait for the Init Takeover Acks before the takeover is abandoned and retried",
  },
  {
    name: "takeover-keepalive",
    kind: "value",
    value: "probe|home",
    default: String(E.takeoverKeepAlive.value),
    help: "keep-alive to taken-over PEs: probe (H clear, PE stays) or home (H set, PE moves)",
  },
  {
    name: "takeover-suggestion",
    kind: "boolean",
    help: "NG: suggest and honour takeovers that even out PEs per registrar",
  },
  {
    name: "max-elements-per-table-request",
    kind: "value",
    value: "N",
    default: String(D.maxElementsPerHandleTableResponse.value),
    help: "PEs per Handle Table Response page (mentor download, audits, hsdump)",
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
    help: "interface address multicast announces and Presence use (e.g. 127.0.0.1)",
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
    default: "off",
    help:
      "on: WebAssembly tree descents for the weighted-random policies (same choices; since the guide table no faster than TypeScript)",
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
    name: "max-registrations-per-identity",
    kind: "value",
    value: "N",
    default: String(D.maxRegistrationsPerIdentity.value),
    help:
      "PEs registered by one identity (TLS certificate, else source address) over all its associations (0 = unlimited)",
  },
  {
    name: "max-associations-per-address",
    kind: "value",
    value: "N",
    default: String(D.maxAssociationsPerAddress.value),
    help: "associations from one source address at once; more are aborted (0 = unlimited)",
  },
  {
    name: "first-message-timeout",
    kind: "value",
    value: "MS",
    default: String(D.firstMessageTimeout.value),
    help:
      "time an ASAP association has for its first valid message, else it is aborted (0 = never)",
  },
  {
    name: "max-send-buffer",
    kind: "value",
    value: "BYTES",
    default: String(MAX_SEND_BUFFER),
    help: "bytes queued for one association; a peer that lets it fill (does not read) is aborted",
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
  ...tlsFlags("serve"),
  ...enrpTlsFlags(),
  {
    name: "authz",
    kind: "value",
    value: "FILE",
    default: "none (everyone may register and resolve)",
    help: "authorization policy (JSON): who may register into and resolve which pools",
  },
  ...LOG_FLAGS,
  ...transportFlags("ASAP and ENRP listeners (auto: SCTP over UDP and TCP on each port)", true),
];

const SYNOPSIS = `Usage: registrar [options]

Runs a pool registrar: ASAP over TCP (framing shim) and/or SCTP over UDP for pool elements and
pool users, an ENRP listener for hsdump and peer registrars, Server Announces. With --peer or
--enrp-announce it peers with other registrars (ENRP, RFC 5353): mentor download, Handle Updates,
audits and takeover of a dead peer's PEs. Stops gracefully on SIGINT/SIGTERM.`;

const DEFAULT_ASAP = ["127.0.0.1:3863", "[::1]:3863"];

/** UDP channel of multicast Presence (the registrar's `enrp.presenceChannel` default). */
const PRESENCE_CHANNEL = "enrp-presence";

function isMulticast(address: string): boolean {
  if (address.includes(":")) return address.toLowerCase().startsWith("ff");
  const first = Number(address.split(".")[0]);
  return first >= 224 && first <= 239;
}

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
  const options = readCommandLine("registrar", argv, FLAGS, SYNOPSIS, io, readOptions);
  return typeof options === "number" ? options : await serve(options, io);
}

interface RegistrarOptions extends LogOptions {
  wasm: boolean;
  asap: TransportAddress[];
  asapIsDefault: boolean;
  enrp: TransportAddress[];
  peering: EnrpConfig | undefined;
  enrpAnnounce: TransportAddress | undefined;
  maxTableElements: number;
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
  maxRegistrationsPerIdentity: number;
  maxAssociationsPerAddress: number;
  firstMessageTimeout: number;
  maxSendBuffer: number;
  frameTimeout: number;
  handshakeTimeout: number;
  minAddressScope: AddressScope;
  userAddressCheck: UserAddressCheck;
  http: TransportAddress | undefined;
  httpAllowHosts: string[];
  name: string | undefined;
  tls: TlsOptions | undefined;
  enrpTls: TlsOptions | undefined;
  authz: AuthorizationPolicy | undefined;
  transport: TransportSettings;
}

function readOptions(flags: ReturnType<typeof parseFlags>): RegistrarOptions {
  const profile = flags.choice("profile", ["rfc", "ng"] as const, "ng");
  const wasm = flags.choice("wasm", ["on", "off"] as const, "off") === "on";
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
  const { peering, enrpAnnounce } = readPeering(flags, enrp.length > 0);
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
    peering,
    enrpAnnounce,
    maxTableElements: flags.number(
      "max-elements-per-table-request",
      D.maxElementsPerHandleTableResponse.value,
      { min: 1, max: 65535 },
    ),
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
    maxRegistrationsPerIdentity: flags.number(
      "max-registrations-per-identity",
      D.maxRegistrationsPerIdentity.value,
      { min: 0, max: 0x3fffffff },
    ),
    maxAssociationsPerAddress: flags.number(
      "max-associations-per-address",
      D.maxAssociationsPerAddress.value,
      { min: 0, max: 0x3fffffff },
    ),
    firstMessageTimeout: flagMilliseconds(
      flags,
      "first-message-timeout",
      D.firstMessageTimeout.value as number,
      0,
    ),
    maxSendBuffer: flags.number("max-send-buffer", MAX_SEND_BUFFER, {
      min: 65536,
      max: 1 << 30,
    }),
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
    enrpTls: readEnrpTls(flags),
    authz: readAuthz(flags.string("authz")),
    ...readLogFlags(flags),
    transport: readTransportSettings(flags),
  };
}

/** ENRP peering from the flags: on when static peers or multicast Presence are given. */
/** The ENRP TLS settings; TLS secures TCP only, so they need `--transport tcp`. */
function readEnrpTls(flags: ReturnType<typeof parseFlags>): TlsOptions | undefined {
  const tls = readEnrpTlsFlags(flags);
  const transport = flags.string("transport") ?? "tcp";
  if (tls !== undefined && transport !== "tcp") {
    throw new UsageError(
      `--enrp-tls-* secures TCP only; --transport ${transport} would carry ENRP unencrypted`,
    );
  }
  return tls;
}

function readPeering(
  flags: ReturnType<typeof parseFlags>,
  listening: boolean,
): { peering: EnrpConfig | undefined; enrpAnnounce: TransportAddress | undefined } {
  const peers = flags.list("peer").map((t) => parseEndpoint("--peer", t, ENRP_PORT));
  for (const p of peers) {
    if (p.port === 0) throw new UsageError("--peer needs a port other than 0");
  }
  const announceText = flags.string("enrp-announce") ?? "off";
  const enrpAnnounce = announceText === "off"
    ? undefined
    : announceText === "on"
    ? { address: ENRP_PRESENCE_GROUP, port: ENRP_PORT }
    : parseEndpoint("--enrp-announce", announceText, ENRP_PORT);
  if (enrpAnnounce !== undefined && enrpAnnounce.port === 0) {
    throw new UsageError("--enrp-announce needs a port other than 0");
  }
  if (peers.length === 0 && enrpAnnounce === undefined) {
    return { peering: undefined, enrpAnnounce };
  }
  if (!listening) {
    throw new UsageError(
      `${peers.length > 0 ? "--peer" : "--enrp-announce"} needs the ENRP listener (not --enrp off)`,
    );
  }
  const ms = (name: string, fallback: number) => flagMilliseconds(flags, name, fallback);
  const peering: EnrpConfig = {
    peers,
    presenceTargets: enrpAnnounce === undefined ? [] : [enrpAnnounce],
    peerHeartbeatCycle: ms("peer-heartbeat-cycle", E.peerHeartbeatCycle.value),
    peerMaxTimeLastHeard: ms("peer-max-time-last-heard", E.peerMaxTimeLastHeard.value),
    peerMaxTimeNoResponse: ms("peer-max-time-no-response", E.peerMaxTimeNoResponse.value),
    mentorDiscoveryTimeout: ms("mentor-discovery-timeout", E.mentorDiscoveryTimeout.value),
    takeoverExpiry: ms("takeover-expiry", E.takeoverExpiry.value),
    takeoverKeepAlive: flags.choice(
      "takeover-keepalive",
      ["probe", "home"] as const,
      E.takeoverKeepAlive.value,
    ),
    takeoverSuggestion: flags.boolean("takeover-suggestion"),
  };
  return { peering, enrpAnnounce };
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
  const limiter = toolLogLimiter(log, () => runtime.now());
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
    maxRegistrationsPerIdentity: o.maxRegistrationsPerIdentity,
    maxAssociationsPerAddress: o.maxAssociationsPerAddress,
    firstMessageTimeout: o.firstMessageTimeout,
    limits: {
      maxPools: o.maxPools,
      maxPoolElements: o.maxPoolElements,
      maxPoolElementsPerPool: o.maxPoolElementsPerPool,
    },
    maxPoolHandleLength: o.maxPoolHandleLength,
    maxParameters: o.maxParameters,
    minAddressScope: o.minAddressScope,
    userAddressCheck: o.userAddressCheck,
    maxElementsPerHandleTableResponse: o.maxTableElements,
    verboseEvents: log.enabled("debug"),
    ...(o.peering === undefined ? {} : { enrp: o.peering }),
    ...(o.authz === undefined ? {} : { authorization: o.authz }),
  });
  // The management side (--http): created before the driver, which runs the registrar through
  // it (its handle resolutions are timed for the metrics) and publishes every event to it.
  const management = o.http === undefined ? undefined : new ManagementServer({
    registrar,
    clock: runtime.now,
    ...(o.name === undefined ? {} : { name: o.name }),
    allowedHosts: o.httpAllowHosts,
    // ENRP peers as the API, /metrics and the dashboard show them ("in sync" compares the
    // checksum a peer announced with ours over the PEs it owns).
    peers: () =>
      registrar.peers().filter((p) => p.id !== 0n).map((p) => ({
        id: p.id,
        addresses: p.endpoints,
        lastHeard: p.lastHeard,
        reportedChecksum: p.reportedChecksum,
        status: p.state,
      })),
  });
  const driver: Driver<RegistrarEvent> = new Driver(
    runtime,
    withListenerGroups(management?.role ?? registrar),
    {
      association: {
        frameTimeout: o.frameTimeout,
        handshakeTimeout: o.handshakeTimeout,
        maxPayload: o.maxMessageSize,
        maxSendBuffer: o.maxSendBuffer,
      },
      onEvent: (e) => {
        management?.publish(e);
        // The log is rate-limited per event (a flooding peer must not flood it); the
        // management stream keeps its own bounded queues.
        if (limiter.allow(e.type)) logEvent(log, registrar, driver, e);
      },
      ...driverTransport(o.transport, log, "registrar"),
      // The associations this registrar opens to its peers run ENRP over TLS with its
      // certificate (its keep-alive associations to PEs stay plain: `tls: false`).
      ...(o.enrpTls === undefined ? {} : { tls: o.enrpTls }),
    },
  );
  const transport = o.transport.transport;

  // Listeners: ASAP (the default [::1] may be missing on hosts without IPv6), then ENRP.
  const asapBound: ListenAddress[] = [];
  const enrpBound: TransportAddress[] = [];
  try {
    for (const [i, endpoint] of o.asap.entries()) {
      try {
        asapBound.push(
          await driver.listen(listenerName("asap", i), {
            hostname: endpoint.address,
            port: endpoint.port,
            maxAssociations: o.maxAssociations,
            transport,
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
            transport,
            // Only registrars (and monitors) with a certificate from the scope's CA get an
            // ENRP association.
            ...(o.enrpTls === undefined ? {} : {
              tls: o.enrpTls,
              onTlsRefused: (detail, remote) =>
                limiter.allow("tls-refused") && log.warn("tls-refused", {
                  listener: "enrp",
                  from: remote === undefined ? undefined : formatEndpoint(remote),
                  detail,
                }),
            }),
          }),
        );
      } catch (e) {
        throw new ListenError(`ENRP on ${formatEndpoint(endpoint)}`, e);
      }
    }
    // Peers reach this registrar at the first ENRP endpoint with a concrete address (a
    // wildcard leaves it to each association's local address).
    const enrpEndpoint = enrpBound.find((a) => !isWildcard(a.address));
    if (enrpEndpoint !== undefined) registrar.setEnrpEndpoint(enrpEndpoint);
    if (o.enrpAnnounce !== undefined) {
      const target = o.enrpAnnounce;
      const group = isMulticast(target.address);
      let failed = false;
      await driver.openChannel(PRESENCE_CHANNEL, {
        hostname: target.address.includes(":") ? "::" : "0.0.0.0",
        port: group ? target.port : 0,
        reuseAddress: true,
        ...(group ? { join: [target.address] } : {}),
        multicastTtl: o.announceTtl,
        ...(o.announceInterface === undefined ? {} : { multicastInterface: o.announceInterface }),
        onError: (detail) => {
          if (failed) return;
          failed = true;
          log.warn(
            "enrp-announce-failed",
            { target: formatEndpoint(target), detail },
            "Presence cannot be multicast (no route?); peers need --peer",
          );
        },
      }).catch((e) => {
        throw new ListenError(`ENRP Presence on ${formatEndpoint(target)}`, e);
      });
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
      const sctp = asapBound.some((a) => a.transports.includes("sctp-udp"));
      const tcp = asapBound.some((a) => a.transports.includes("tcp"));
      registrar.setAsapEndpoints(
        wildcard === undefined ? asapBound : [],
        sctp && tcp ? ["sctp", "tcp"] : sctp ? ["sctp"] : ["tcp"],
      );
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
    transport: asapBound[0]?.transports.join(",") ?? transport,
    sctpUdp: asapBound.some((a) => a.udp !== undefined)
      ? asapBound.flatMap((a) => a.udp === undefined ? [] : [formatEndpoint(a.udp)])
      : undefined,
    peers: o.peering === undefined
      ? "off"
      : o.peering.peers!.length === 0
      ? "none"
      : o.peering.peers!.map(formatEndpoint),
    enrpAnnounce: o.enrpAnnounce === undefined ? "off" : formatEndpoint(o.enrpAnnounce),
    announce: o.announce === undefined ? "off" : formatEndpoint(o.announce),
    http: management?.url ?? "off",
    name: o.name,
    ...(o.tls === undefined ? {} : { tls: o.tls.ca === undefined ? "server" : "mutual" }),
    ...(o.enrpTls === undefined ? {} : { enrpTls: "mutual" }),
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
