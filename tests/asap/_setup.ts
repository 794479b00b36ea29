// Builders for the ASAP scenarios: registrars, pool elements and pool users as nodes of the
// simulated network with the listeners and channels the roles expect.

import { PoolElement, type PoolElementConfig } from "../../core/asap/pool_element.ts";
import { PoolUser, type PoolUserConfig } from "../../core/asap/pool_user.ts";
import { Registrar, type RegistrarConfig } from "../../core/registrar/mod.ts";
import type { TransportAddress } from "../../core/role.ts";
import { ASAP_ANNOUNCE_GROUP } from "../../core/wire/profile.ts";
import type { Sim, SimNode } from "../_sim.ts";

export const ASAP = 3863;
export const ENRP = 9901;
const ANNOUNCE = { port: ASAP, join: [ASAP_ANNOUNCE_GROUP] };

let registrarCount = 0;

/** A registrar node listening on "asap" and "enrp", announcing to the default group. */
export function addRegistrar(
  sim: Sim,
  name: string,
  config: Partial<RegistrarConfig> = {},
  address = `10.200.0.${++registrarCount % 250 + 1}`,
): { node: SimNode; registrar: Registrar; endpoint: TransportAddress } {
  const registrar = new Registrar({
    rng: sim.fork(),
    asapEndpoints: [{ address, port: ASAP }],
    ...config,
  });
  const node = sim.addNode(name, registrar, {
    address,
    listeners: { asap: ASAP, enrp: ENRP },
    channels: { "asap-announce": { port: ASAP } },
  });
  return { node, registrar, endpoint: { address, port: ASAP } };
}

/** A pool element node (hears announces; accepts registrar associations on "asap"). */
export function addPoolElement(
  sim: Sim,
  name: string,
  config: Omit<PoolElementConfig, "rng"> & { readonly rng?: PoolElementConfig["rng"] },
  address?: string,
): { node: SimNode; pe: PoolElement } {
  const pe = new PoolElement({ rng: sim.fork(), ...config });
  const node = sim.addNode(name, pe, {
    ...(address === undefined ? {} : { address }),
    listeners: { asap: ASAP },
    channels: { "asap-announce": ANNOUNCE },
  });
  return { node, pe };
}

/** A pool user node (hears announces). */
export function addPoolUser(
  sim: Sim,
  name: string,
  config: Omit<PoolUserConfig, "rng"> & { readonly rng?: PoolUserConfig["rng"] } = {},
): { node: SimNode; pu: PoolUser } {
  const pu = new PoolUser({ rng: sim.fork(), ...config });
  const node = sim.addNode(name, pu, { channels: { "asap-announce": ANNOUNCE } });
  return { node, pu };
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
