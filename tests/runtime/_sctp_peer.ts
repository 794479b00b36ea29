// A bare SCTP-over-UDP peer for the conformance suite: the sans-IO engine (core/sctp) on a real
// UDP socket of the runtime under test, without the driver, with a switch that makes it fall
// silent (a dead host) and direct access to its endpoint. Not a mock: the same engine the
// driver runs, fed by real datagrams.

import type { SctpAssociationEvent } from "../../core/sctp/association.ts";
import { SctpEndpoint, type SctpEndpointOptions } from "../../core/sctp/endpoint.ts";
import { SeededRng } from "../../core/rng.ts";
import type {
  DatagramSocket,
  Runtime,
  RuntimeTimer,
  TransportAddress,
} from "../../adapters/runtime.ts";

export class RawSctpPeer {
  readonly endpoint: SctpEndpoint;
  readonly events: SctpAssociationEvent[] = [];
  socket!: DatagramSocket;
  muted = false;
  #runtime: Runtime;
  #timer: RuntimeTimer;

  private constructor(runtime: Runtime, options: Partial<SctpEndpointOptions>) {
    this.#runtime = runtime;
    this.endpoint = new SctpEndpoint({
      rng: new SeededRng(runtime.randomBytes(1)[0]!),
      ...options,
    });
    this.#timer = runtime.createTimer(() => {
      this.endpoint.handleTimeout(runtime.now());
      this.flush();
    });
  }

  static async bind(
    runtime: Runtime,
    port = 0,
    options: Partial<SctpEndpointOptions> = {},
  ): Promise<RawSctpPeer> {
    const peer = new RawSctpPeer(runtime, options);
    peer.socket = await runtime.bindUdp({ hostname: "127.0.0.1", port }, {
      message: (bytes, from) => {
        if (peer.muted) return;
        peer.endpoint.handleDatagram(runtime.now(), from, bytes);
        peer.flush();
      },
      error: () => {},
    });
    return peer;
  }

  get address(): TransportAddress {
    return this.socket.local;
  }

  /** Sends what the engine wants to send (nothing while muted) and collects its events. */
  flush(): void {
    const now = this.#runtime.now();
    for (let t; (t = this.endpoint.pollTransmit(now)) !== undefined;) {
      if (!this.muted) this.socket.send(t.bytes, t.to);
    }
    for (let e; (e = this.endpoint.pollEvent()) !== undefined;) this.events.push(e);
    const at = this.endpoint.pollTimeout();
    if (at === undefined) this.#timer.clear();
    else this.#timer.set(at);
  }

  of<T extends SctpAssociationEvent["type"]>(
    type: T,
  ): Extract<SctpAssociationEvent, { type: T }>[] {
    return this.events.filter((e) => e.type === type) as Extract<
      SctpAssociationEvent,
      { type: T }
    >[];
  }

  /** Messages received. */
  messages(): Uint8Array[] {
    return this.events.flatMap((e) => (e.type === "message" ? [e.payload] : []));
  }

  close(): void {
    this.#timer.clear();
    this.socket.close();
  }
}
