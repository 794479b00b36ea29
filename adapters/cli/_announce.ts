// Listening for Server Announces (pool elements and pool users): bind the announce port with
// SO_REUSEADDR (several tools on one host), join the group when it is a multicast address. A
// host without multicast logs once and goes on with the static registrars.

import type { Driver } from "../driver.ts";
import type { TransportAddress } from "../../core/role.ts";
import { type Flags, formatEndpoint, parseEndpoint } from "./_args.ts";
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
