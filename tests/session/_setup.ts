// Builders for the session scenarios: registrars come from tests/asap/_setup.ts; pool elements
// run a SessionAcceptor with an application, pool users a SessionLayer with an application.

import { CookieCodec, type CookieCodecOptions } from "../../core/session/cookie_codec.ts";
import {
  SessionAcceptor,
  type SessionAcceptorConfig,
  type SessionAcceptorEvent,
} from "../../core/session/session_acceptor.ts";
import {
  SessionLayer,
  type SessionLayerConfig,
  type SessionLayerEvent,
} from "../../core/session/session_layer.ts";
import { ASAP_ANNOUNCE_GROUP } from "../../core/wire/profile.ts";
import type { Sim, SimNode } from "../_sim.ts";
import { ASAP } from "../asap/_setup.ts";
import { type App, AppRole } from "./_app.ts";

export { addRegistrar } from "../asap/_setup.ts";

/** The port pool elements serve sessions on. */
export const SESSION_PORT = 7000;
const ANNOUNCE = { port: ASAP, join: [ASAP_ANNOUNCE_GROUP] };

export const POOL_KEY = { id: 1, secret: new TextEncoder().encode("the pool-wide cookie key") };

/** A cookie codec of a pool with the test key. */
export function codecFor<T>(
  poolHandle: string,
  extra: Partial<CookieCodecOptions<T>> = {},
): CookieCodec<T> {
  return new CookieCodec<T>({ poolHandle, keys: [POOL_KEY], ...extra });
}

/** A pool element node serving sessions with an application. */
export function addAcceptor<T>(
  sim: Sim,
  name: string,
  config: Omit<SessionAcceptorConfig<T>, "rng" | "port">,
  app: (pe: SessionAcceptor<T>) => App<SessionAcceptorEvent<T>>,
): {
  node: SimNode<SessionAcceptorEvent<T>>;
  pe: SessionAcceptor<T>;
  role: AppRole<SessionAcceptorEvent<T>>;
} {
  const pe = new SessionAcceptor<T>({ rng: sim.fork(), port: SESSION_PORT, ...config });
  const role = new AppRole(pe, app(pe));
  const node = sim.addNode(name, role, {
    listeners: { session: SESSION_PORT, asap: ASAP },
    channels: { "asap-announce": ANNOUNCE },
  });
  return { node, pe, role };
}

/** A pool user node with a session layer and an application. */
export function addSessionUser(
  sim: Sim,
  name: string,
  config: Omit<SessionLayerConfig, "rng">,
  app: (layer: SessionLayer) => App<SessionLayerEvent>,
): { node: SimNode<SessionLayerEvent>; layer: SessionLayer; role: AppRole<SessionLayerEvent> } {
  const layer = new SessionLayer({ rng: sim.fork(), ...config });
  const role = new AppRole(layer, app(layer));
  const node = sim.addNode(name, role, { channels: { "asap-announce": ANNOUNCE } });
  return { node, layer, role };
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** JSON for failure messages: bigints as strings, bytes as text. */
export function show(v: unknown): string {
  return JSON.stringify(
    v,
    (_k, x) => typeof x === "bigint" ? x.toString() : x instanceof Uint8Array ? dec(x) : x,
  );
}
