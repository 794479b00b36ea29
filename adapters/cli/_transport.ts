// The transport flags shared by the CLI tools: `--transport tcp|sctp-udp|sctp|auto`,
// `--sctp-udp-port` and `--sctp-address` (multi-homing), turned into driver options, and one
// log line per transport decision of a driver (what a listener serves, what `auto` chose,
// fallbacks, path changes of multi-homed associations). Listener decisions are logged at debug
// (the `started` line, always the first, names the transports served).

import { processEnv, TLS_ENV } from "./_tls.ts";
import type { DriverOptions, TransportEvent } from "../driver.ts";
import type { TransportChoice } from "../../core/role.ts";
import { type Flags, type FlagSpec, parseEndpoint, UsageError } from "./_args.ts";
import type { Logger } from "../log.ts";

/** The transports a tool may be asked for. */
export const TRANSPORT_CHOICES = ["tcp", "sctp-udp", "sctp", "auto"] as const;

/** The transport flags of a tool; `what` says what `--transport` applies to. */
export function transportFlags(what: string, listens: boolean): FlagSpec[] {
  const flags: FlagSpec[] = [
    {
      name: "transport",
      kind: "value",
      value: "tcp|sctp-udp|sctp|auto",
      default: "tcp",
      help: `${what}: TCP, SCTP over UDP (RFC 6951), kernel SCTP, or auto (kernel SCTP, ` +
        "else SCTP over UDP, else TCP)",
    },
  ];
  if (listens) {
    flags.push({
      name: "sctp-udp-port",
      kind: "value",
      value: "PORT",
      default: "9899 for SCTP ports 3863 and 9901, else the SCTP port's number",
      help: "UDP port SCTP over UDP listens on",
    });
  }
  flags.push({
    name: "sctp-address",
    kind: "list",
    value: "ADDR",
    default: "none (one address)",
    help: "multi-homing: local addresses of SCTP associations (repeat or comma-separate)",
  });
  return flags;
}

/** What the transport flags say. */
export interface TransportSettings {
  readonly transport: TransportChoice;
  readonly udpPort: number | undefined;
  readonly addresses: readonly string[];
}

/** Reads the transport flags (`sctp-udp-port` only where the tool declares it). */
export function readTransportSettings(flags: Flags): TransportSettings {
  const transport = flags.choice("transport", TRANSPORT_CHOICES, "tcp");
  const udpPort = flags.has("sctp-udp-port")
    ? flags.number("sctp-udp-port", 0, { min: 1, max: 65535 })
    : undefined;
  const addresses = flags.list("sctp-address").map((a) =>
    parseEndpoint("--sctp-address", a, 0).address
  );
  if (addresses.length > 0 && transport === "tcp") {
    throw new UsageError("--sctp-address needs --transport sctp-udp or auto");
  }
  // TLS secures TCP only: over SCTP (or an `auto` fallback) ASAP would travel in the clear.
  const tls = (["tls-cert", "tls-key", "tls-ca"] as const).some((f) =>
    flags.has(f) || processEnv(TLS_ENV[f]) !== undefined
  );
  if (tls && transport !== "tcp") {
    throw new UsageError(
      `--tls-* secures TCP only; --transport ${transport} would carry ASAP unencrypted (RSERPOOL_TLS_* count as --tls-*)`,
    );
  }
  return { transport, udpPort, addresses };
}

/**
 * Driver options for the settings: connects use `transport`, SCTP over UDP binds `udpPort` and
 * multi-homes over `addresses`, and every transport decision is logged.
 */
export function driverTransport<E>(
  s: TransportSettings,
  log: Logger,
  role: string,
): Pick<DriverOptions<E>, "transport" | "sctp" | "onTransport"> {
  return {
    transport: s.transport,
    sctp: {
      ...(s.udpPort === undefined ? {} : { udpPort: s.udpPort }),
      ...(s.addresses.length === 0 ? {} : { addresses: s.addresses }),
    },
    onTransport: (e) => logTransportEvent(log, role, e),
  };
}

/** One log line per transport event: connects at info, fallbacks and lost paths at warn. */
export function logTransportEvent(log: Logger, role: string, e: TransportEvent): void {
  switch (e.type) {
    case "listen":
      log.debug("transport-listen", {
        role,
        listener: e.listener,
        transports: e.transports.join(","),
        udp: e.udp === undefined ? undefined : `${e.udp.address}:${e.udp.port}`,
        note: e.note,
      });
      return;
    case "connect":
      log.info("transport-chosen", {
        role,
        assoc: e.assoc,
        transport: e.transport,
        note: e.note,
      });
      return;
    case "fallback":
      log.warn("transport-fallback", {
        role,
        assoc: e.assoc,
        from: e.from,
        to: e.to,
        detail: e.detail,
      });
      return;
    case "path":
      log.log(e.state === "inactive" ? "warn" : "debug", "sctp-path", {
        role,
        assoc: e.assoc,
        address: e.address,
        state: e.state,
      });
      return;
  }
}
