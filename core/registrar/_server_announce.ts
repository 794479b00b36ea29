// Server Announce (RFC 5352 §3.9, behaviour.md §8): after the startup phase, every announce
// cycle drawn from ±12.5 % around it (§12), one datagram per target on the announce channel.
// Content: the registrar identifier and one Transport parameter per configured ASAP endpoint
// and protocol served (TCP by default; SCTP and TCP when the registrar serves both), none
// configured: receivers use the datagram's source, as RSPLIB's do.

import { jitteredCycle } from "../jitter.ts";
import type { TransportAddress } from "../role.ts";
import type { TransportParameter } from "../wire/transport_parameter.ts";
import type { RegistrarContext } from "./_context.ts";

export class ServerAnnouncer {
  readonly #ctx: RegistrarContext;
  #message: Uint8Array | undefined = undefined;
  /** The ASAP endpoints announced (the configured ones until changed). */
  endpoints: readonly TransportAddress[];
  /** The protocols each endpoint serves, in the order announced. */
  protocols: readonly ("sctp" | "tcp")[] = ["tcp"];

  constructor(ctx: RegistrarContext) {
    this.#ctx = ctx;
    this.endpoints = ctx.config.asapEndpoints;
  }

  /** Announces other endpoints from the next announce on. */
  setEndpoints(
    endpoints: readonly TransportAddress[],
    protocols: readonly ("sctp" | "tcp")[] = ["tcp"],
  ): void {
    this.endpoints = endpoints;
    this.protocols = protocols;
    this.#message = undefined;
  }

  /** Sends one announce to every target; returns when the next one is due. */
  announce(now: number): number {
    const ctx = this.#ctx;
    const cfg = ctx.config;
    const targets = cfg.announceTargets;
    if (this.#message === undefined) {
      const transports: TransportParameter[] = this.protocols.flatMap((protocol) =>
        this.endpoints.map((e) => ({
          protocol,
          port: e.port,
          transportUse: "data" as const,
          addresses: [e.address],
        }))
      );
      this.#message = ctx.encoder.encodeAsap({
        type: "server-announce",
        registrarId: ctx.id,
        transports,
      }).slice();
    }
    for (const to of targets) {
      ctx.actions.push({
        type: "datagram",
        channel: cfg.announceChannel,
        to,
        payload: this.#message,
      });
    }
    ctx.stats.announcesSent += targets.length;
    if (ctx.verbose) ctx.emit({ type: "announce-sent", targets: targets.length });
    return now + jitteredCycle(ctx.rng, cfg.serverAnnounceCycle);
  }
}
