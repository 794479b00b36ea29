// Listening for Server Announces (pool elements and pool users): bind the announce port with
// SO_REUSEADDR (several tools on one host), join the group when it is a multicast address. A
// host without multicast logs once and goes on with the static registrars.

import type { Driver } from "../driver.ts";
import type { TransportAddress } from "../../core/role.ts";
import { ASAP_DEFAULTS } from "../../core/asap/defaults.ts";
import { ASAP_ANNOUNCE_GROUP, ASAP_PORT } from "../../core/wire/profile.ts";
import {
  flagMilliseconds,
  type Flags,
  type FlagSpec,
  formatEndpoint,
  parseEndpoint,
} from "./_args.ts";
import type { Logger } from "../log.ts";

/** The channel name the ASAP roles read announces from. */
export const ANNOUNCE_CHANNEL = "asap-announce";

function isMulticast(address: string): boolean {
  if (address.includes(":")) return address.toLowerCase().startsWith("ff");
  const first = Number(address.split(".")[0]);
  return first >= 224 && first <= 239;
}

/** The `--announce-interface` flag: an IP address, or `undefined` (the system's choice). */
export function optionalAddress(flags: Flags, name: string): string | undefined {
  const text = flags.string(name);
  return text === undefined ? undefined : parseEndpoint(`--${name}`, text, 0).address;
}

/**
 * Opens the announce channel on a driver (joining the group on `iface` when given). Returns
 * false (after one warning) when it cannot.
 */
export async function listenForAnnounces<E>(
  driver: Driver<E>,
  target: TransportAddress,
  log: Logger,
  iface?: string,
): Promise<boolean> {
  const multicast = isMulticast(target.address);
  const v6 = target.address.includes(":");
  try {
    await driver.openChannel(ANNOUNCE_CHANNEL, {
      hostname: multicast ? (v6 ? "::" : "0.0.0.0") : target.address,
      port: target.port,
      reuseAddress: true,
      ...(multicast ? { join: [target.address] } : {}),
      ...(multicast && iface !== undefined ? { multicastInterface: iface } : {}),
    });
    return true;
  } catch (e) {
    log.warn(
      "announce-unavailable",
      { announce: formatEndpoint(target), detail: (e as Error).message },
      "not listening for Server Announces; using the static registrars only",
    );
    return false;
  }
}

/** How a pool element or pool user tool finds its registrar (`--registrar`, `--announce`, ...). */
export interface RegistrarHuntOptions {
  /** Static registrars (default 127.0.0.1:3863). */
  registrars: TransportAddress[];
  /** Where Server Announces arrive, or `undefined` for `--announce off`. */
  announce: TransportAddress | undefined;
  /** The interface to join the announce group on. */
  announceInterface: string | undefined;
  /** Length of one registrar hunt round (ms). */
  connectTimeout: number;
}

/** The flags of {@link RegistrarHuntOptions}, shared by `server` and `terminal`. */
export const REGISTRAR_HUNT_FLAGS: readonly FlagSpec[] = [
  {
    name: "registrar",
    kind: "list",
    value: "HOST:PORT",
    default: `127.0.0.1:${ASAP_PORT}`,
    help: "static registrar",
  },
  {
    name: "announce",
    kind: "value",
    value: "ADDR:PORT|off",
    default: `${ASAP_ANNOUNCE_GROUP}:${ASAP_PORT}`,
    help: "listen for Server Announces",
  },
  {
    name: "announce-interface",
    kind: "value",
    value: "ADDR",
    default: "the system's choice",
    help: "address of the interface to join the announce group on",
  },
  {
    name: "registrar-connect-timeout",
    kind: "value",
    value: "MS",
    default: String(ASAP_DEFAULTS.registrarConnectTimeout.value),
    help: "length of one registrar hunt round",
  },
];

/**
 * Reads {@link REGISTRAR_HUNT_FLAGS}.
 *
 * @throws {UsageError} For an address or time that does not parse.
 */
export function readRegistrarHuntFlags(flags: Flags): RegistrarHuntOptions {
  const registrarList = flags.list("registrar");
  const announceText = flags.string("announce") ?? `${ASAP_ANNOUNCE_GROUP}:${ASAP_PORT}`;
  return {
    registrars: (registrarList.length === 0 ? [`127.0.0.1:${ASAP_PORT}`] : registrarList).map((
      t,
    ) => parseEndpoint("--registrar", t, ASAP_PORT)),
    announce: announceText === "off"
      ? undefined
      : parseEndpoint("--announce", announceText, ASAP_PORT),
    announceInterface: optionalAddress(flags, "announce-interface"),
    connectTimeout: flagMilliseconds(
      flags,
      "registrar-connect-timeout",
      ASAP_DEFAULTS.registrarConnectTimeout.value,
    ),
  };
}
