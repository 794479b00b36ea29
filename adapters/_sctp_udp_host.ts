// The driver's SCTP-over-UDP machinery (RFC 6951): one sans-IO SctpEndpoint behind one or more
// UDP sockets of the runtime. Packets that arrive on any socket go to the endpoint; packets the
// endpoint sends leave through the socket that last heard from their destination (so a peer
// sees replies from the address and port it talks to), else through the first socket of the
// destination's address family (an IPv4 destination through a dual-stack "::" socket as a
// v4-mapped address). Where the runtime can connect UDP sockets (Node, Bun) it also learns the
// local address the kernel uses towards a peer, and probes peers on this host for a closed UDP
// port (ICMP port unreachable), which unconnected sockets never report.

import type { TransportAddress } from "../core/role.ts";
import { SctpEndpoint, type SctpEndpointOptions } from "../core/sctp/endpoint.ts";
import type { SctpTransmit } from "../core/sctp/association.ts";
import {
  addressFamily,
  type ConnectedUdpSocket,
  type DatagramSocket,
  type Runtime,
} from "./runtime.ts";

/** Socket receive buffer asked for (the kernel caps it at net.core.rmem_max). */
const RECEIVE_BUFFER = 2 * 1024 * 1024;
/** Peers remembered with the socket that last heard from them. */
const MAX_ROUTES = 65536;
/** How long a probe waits for an ICMP port unreachable (on this host it takes microseconds). */
const PROBE_WAIT = 1000;
/** Probes open at once (each holds a socket); more are skipped (heartbeats still work). */
const MAX_PROBES = 64;
/** Local addresses remembered per destination address. */
const MAX_LOCALS = 4096;
const EMPTY = new Uint8Array(0);

interface Probe {
  readonly waiters: (() => void)[];
  readonly finish: () => void;
  socket: ConnectedUdpSocket | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

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
  #probes = new Map<string, Probe>();
  #localFor = new Map<string, Promise<string | undefined>>();
  #wake: () => void;
  #closed = false;
  /** Send errors seen (UDP is best effort; SCTP retransmits). */
  sendErrors = 0;
  /** Probes that found a peer's UDP port closed. */
  portsFoundClosed = 0;

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

  /**
   * Binds one socket per address, all on one UDP port (the first address picks it), unless they
   * are bound: a multi-homed endpoint's peer reaches every address at the port it learned.
   */
  async bindShared(addresses: readonly string[]): Promise<void> {
    const found = this.#sockets.find((b) => b.local.address === addresses[0]);
    if (found !== undefined) {
      for (const a of addresses.slice(1)) await this.bind(a, found.local.port);
      return;
    }
    const first = await this.bind(addresses[0]!, 0);
    for (const a of addresses.slice(1)) await this.bind(a, first.port);
  }

  /**
   * The local address the kernel uses towards `remote` when sending from a wildcard socket, if
   * the runtime can tell (a connected UDP socket), else the loopback address for a loopback
   * destination, else `undefined`.
   */
  localAddressFor(remote: string): Promise<string | undefined> {
    let known = this.#localFor.get(remote);
    if (known !== undefined) return known;
    const connect = this.#runtime.connectUdp;
    const guess = isLoopback(remote) ? (remote.includes(":") ? "::1" : "127.0.0.1") : undefined;
    known = connect === undefined ? Promise.resolve(guess) : connect
      .call(this.#runtime, { address: remote, port: 9 }, () => {})
      .then((s) => {
        s.close();
        return s.local.address;
      }, () => guess);
    if (this.#localFor.size >= MAX_LOCALS) this.#localFor.clear();
    this.#localFor.set(remote, known);
    return known;
  }

  /**
   * Probes whether anything receives at `to` (a peer on this host only: loopback, or one of
   * this host's addresses): sends an empty datagram from a connected socket and calls
   * `refused` if the kernel reports the port unreachable within a second. An empty datagram
   * is no SCTP packet, so a live peer drops it. A no-op where the runtime cannot connect UDP
   * sockets (Deno), for remote hosts (a NAT or firewall may answer for them), and beyond
   * {@link MAX_PROBES} probes at once.
   */
  probe(to: TransportAddress, refused: () => void): void {
    const connect = this.#runtime.connectUdp;
    if (connect === undefined || this.#closed) return;
    const key = `${to.address}|${to.port}`;
    const running = this.#probes.get(key);
    if (running !== undefined) {
      // The running probe's datagram may have reached a peer that was alive then: send again.
      running.waiters.push(refused);
      if (running.socket !== undefined) {
        running.socket.send(EMPTY);
        if (running.timer !== undefined) clearTimeout(running.timer);
        running.timer = setTimeout(running.finish, PROBE_WAIT);
      }
      return;
    }
    if (this.#probes.size >= MAX_PROBES) return;
    const finish = () => {
      if (this.#probes.get(key) === probe) this.#probes.delete(key);
      if (probe.timer !== undefined) clearTimeout(probe.timer);
      probe.socket?.close();
    };
    const probe: Probe = { waiters: [refused], finish, socket: undefined, timer: undefined };
    this.#probes.set(key, probe);
    connect.call(this.#runtime, to, () => {
      if (this.#probes.get(key) !== probe) return;
      finish();
      this.portsFoundClosed++;
      for (const w of probe.waiters) w();
    }).then((socket) => {
      probe.socket = socket;
      const sameHost = isLoopback(to.address) || socket.local.address === to.address;
      if (this.#closed || this.#probes.get(key) !== probe || !sameHost) {
        finish();
        return;
      }
      socket.send(EMPTY);
      probe.timer = setTimeout(finish, PROBE_WAIT);
    }, finish);
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
      const mapped = this.#mapped(t.to);
      if (mapped === undefined) this.sendErrors++;
      else mapped.socket.send(t.bytes, mapped.to);
      return;
    }
    socket.send(t.bytes, t.to);
  }

  #socketFor(address: string): DatagramSocket | undefined {
    const family = familyOf(address);
    return this.#sockets.find((b) => familyOf(b.local.address) === family)?.socket;
  }

  /** An IPv4 destination through a dual-stack IPv6 wildcard socket, as a v4-mapped address. */
  #mapped(to: TransportAddress): { socket: DatagramSocket; to: TransportAddress } | undefined {
    if (familyOf(to.address) !== "ipv4") return undefined;
    const wildcard = this.#sockets.find((b) => b.local.address === "::");
    return wildcard === undefined
      ? undefined
      : { socket: wildcard.socket, to: { address: `::ffff:${to.address}`, port: to.port } };
  }

  /** Closes every socket. */
  close(): void {
    this.#closed = true;
    for (const p of this.#probes.values()) {
      if (p.timer !== undefined) clearTimeout(p.timer);
      p.socket?.close();
    }
    this.#probes.clear();
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

function isLoopback(address: string): boolean {
  return address === "::1" || /^127\./.test(address);
}
