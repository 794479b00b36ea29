// The driver's SCTP-over-UDP machinery (RFC 6951): one sans-IO SctpEndpoint behind one or more
// UDP sockets of the runtime. Packets that arrive on any socket go to the endpoint; packets the
// endpoint sends leave through the socket that last heard from their destination (so a peer
// sees replies from the address and port it talks to), else through the first socket of the
// destination's address family.

import type { TransportAddress } from "../core/role.ts";
import { SctpEndpoint, type SctpEndpointOptions } from "../core/sctp/endpoint.ts";
import type { SctpTransmit } from "../core/sctp/association.ts";
import { addressFamily, type DatagramSocket, type Runtime } from "./runtime.ts";

/** Socket receive buffer asked for (the kernel caps it at net.core.rmem_max). */
const RECEIVE_BUFFER = 2 * 1024 * 1024;
/** Peers remembered with the socket that last heard from them. */
const MAX_ROUTES = 65536;

interface Bound {
  readonly key: string;
  readonly local: TransportAddress;
  readonly socket: DatagramSocket;
}

export class SctpUdpHost {
  readonly endpoint: SctpEndpoint;
  #runtime: Runtime;
  #sockets: Bound[] = [];
  #binding = new Map<string, Promise<Bound>>();
  #route = new Map<string, DatagramSocket>();
  #wake: () => void;
  #closed = false;
  /** Send errors seen (UDP is best effort; SCTP retransmits). */
  sendErrors = 0;

  constructor(runtime: Runtime, options: SctpEndpointOptions, wake: () => void) {
    this.#runtime = runtime;
    this.endpoint = new SctpEndpoint(options);
    this.#wake = wake;
  }

  /** The bound sockets' addresses. */
  get locals(): readonly TransportAddress[] {
    return this.#sockets.map((b) => b.local);
  }

  /** Binds a UDP socket on (hostname, port) unless one is bound there; returns its address. */
  async bind(hostname: string, port: number): Promise<TransportAddress> {
    const key = `${hostname}|${port}`;
    const existing = this.#sockets.find((b) =>
      b.key === key || sameAddress(b.local, hostname, port)
    );
    if (existing !== undefined) return existing.local;
    let pending = this.#binding.get(key);
    if (pending === undefined) {
      pending = this.#bindNew(key, hostname, port);
      this.#binding.set(key, pending);
    }
    try {
      return (await pending).local;
    } finally {
      this.#binding.delete(key);
    }
  }

  /** A socket for reaching `family`, binding an ephemeral wildcard one when there is none. */
  async ensureSocket(family: "ipv4" | "ipv6", port = 0): Promise<void> {
    if (this.#sockets.some((b) => familyOf(b.local.address) === family)) return;
    await this.bind(family === "ipv6" ? "::" : "0.0.0.0", port);
  }

  async #bindNew(key: string, hostname: string, port: number): Promise<Bound> {
    // The handler may run before bindUdp() resolves; it learns the socket through this holder.
    const holder: { socket?: DatagramSocket } = {};
    const socket = await this.#runtime.bindUdp(
      { hostname, port, receiveBufferSize: RECEIVE_BUFFER },
      {
        message: (bytes, from) => {
          if (this.#closed) return;
          if (holder.socket !== undefined && this.#sockets.length > 1) {
            // Several sockets (multi-homing): answer through the one the peer talks to. The map
            // is a bounded cache; a forgotten peer is reached through its family's first socket.
            if (this.#route.size >= MAX_ROUTES) this.#route.clear();
            this.#route.set(`${from.address}|${from.port}`, holder.socket);
          }
          this.endpoint.handleDatagram(this.#runtime.now(), from, bytes);
          this.#wake();
        },
        error: () => {
          this.sendErrors++;
        },
      },
    );
    holder.socket = socket;
    const bound = { key, local: socket.local, socket };
    if (this.#closed) {
      socket.close();
      throw new TypeError("Cannot bind: the SCTP host is closed");
    }
    this.#sockets.push(bound);
    return bound;
  }

  /** Sends one packet the endpoint produced. */
  send(t: SctpTransmit): void {
    const socket = this.#route.get(`${t.to.address}|${t.to.port}`) ?? this.#socketFor(t.to.address);
    if (socket === undefined) {
      this.sendErrors++;
      return;
    }
    socket.send(t.bytes, t.to);
  }

  #socketFor(address: string): DatagramSocket | undefined {
    const family = familyOf(address);
    return this.#sockets.find((b) => familyOf(b.local.address) === family)?.socket;
  }

  /** Closes every socket. */
  close(): void {
    this.#closed = true;
    for (const b of this.#sockets) b.socket.close();
    this.#sockets = [];
    this.#route.clear();
  }
}

function familyOf(address: string): "ipv4" | "ipv6" {
  return addressFamily(address);
}

function sameAddress(local: TransportAddress, hostname: string, port: number): boolean {
  return local.address === hostname && local.port === port && port !== 0;
}
