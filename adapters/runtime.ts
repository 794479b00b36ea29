/**
 * The small vocabulary every runtime adapter (Deno, Bun, Node) implements: a monotonic clock,
 * one timer, random bytes, TCP stream sockets and UDP datagram sockets. `adapters/driver.ts` is
 * written once against it, as Hono's adapters and quinn's `runtime` module are.
 *
 * @example Pick the adapter of the running runtime
 * ```ts
 * import { currentRuntime } from "./current.ts";
 * import assert from "node:assert/strict";
 * const runtime = await currentRuntime();
 * const t0 = runtime.now();
 * assert.ok(runtime.now() >= t0);
 * ```
 *
 * @module
 */

import type { PeerIdentity, TransportAddress } from "../core/role.ts";
import type { KernelSctpStatus } from "./transport_selection.ts";

export type { KernelSctpStatus, PeerIdentity, TransportAddress };

/**
 * How a stream socket ended.
 *
 * - `closed`: orderly (both sides finished, or we closed it).
 * - `reset`: the peer reset the connection (where the runtime can tell; see README "Runtimes").
 * - `timeout`: the operating system gave up on the peer.
 * - `error`: any other socket error.
 */
export type StreamCloseReason = "closed" | "reset" | "timeout" | "error";

/**
 * Why a stream socket closed, from the POSIX error code of a Node-style socket error.
 *
 * @example Classifying socket errors
 * ```ts
 * import assert from "node:assert/strict";
 * import { streamCloseReason } from "./runtime.ts";
 *
 * assert.equal(streamCloseReason("ECONNRESET"), "reset");
 * assert.equal(streamCloseReason("ETIMEDOUT"), "timeout");
 * assert.equal(streamCloseReason("EHOSTUNREACH"), "error");
 * ```
 *
 * @param code The error's `code` (`ECONNRESET`, ...), if any.
 * @returns `reset` for a reset or broken pipe, `timeout`, else `error`.
 */
export function streamCloseReason(code: string | undefined): StreamCloseReason {
  switch (code) {
    case "ECONNRESET":
    case "EPIPE":
      return "reset";
    case "ETIMEDOUT":
      return "timeout";
    default:
      return "error";
  }
}

/** What a stream socket tells its owner. Callbacks never overlap and come in order. */
export interface StreamHandler {
  /**
   * Bytes arrived. The chunk belongs to the receiver from now on (the adapter does not reuse it).
   *
   * @param bytes The bytes.
   */
  data(bytes: Uint8Array): void;
  /** After `write()` returned false, the adapter's buffer drained: writing may go on. */
  drain(): void;
  /** The peer finished sending (FIN). The socket stays writable until `end()` or `destroy()`. */
  end(): void;
  /**
   * The socket is fully closed; no callback follows.
   *
   * @param reason How it ended.
   * @param detail The runtime's error text, or `""`.
   */
  close(reason: StreamCloseReason, detail: string): void;
}

/** A connected TCP socket. */
export interface StreamSocket {
  /** The peer's address and port. */
  readonly remote: TransportAddress;
  /** Our address and port. */
  readonly local: TransportAddress;
  /** Bytes accepted by `write()` and not yet handed to the operating system. */
  readonly bufferedAmount: number;
  /** Over TLS: the identity in the peer's certificate, when it sent one. */
  readonly peerIdentity?: PeerIdentity | undefined;
  /**
   * Queues bytes for sending; the adapter keeps them (do not modify them afterwards).
   *
   * @param bytes The bytes.
   * @returns `false` when the caller should wait for `drain` before writing more.
   */
  write(bytes: Uint8Array): boolean;
  /** After the queued bytes are written, sends a FIN (half-close); reading goes on until the peer's FIN. */
  end(): void;
  /** Closes at once, dropping queued bytes; `close("closed")` follows. */
  destroy(): void;
  /** Stops reading (flow control: the peer's writes back up into its own buffers). */
  pause(): void;
  /** Resumes reading after `pause()`. */
  resume(): void;
  /**
   * Turns Nagle's algorithm off (true) or on.
   *
   * @param noDelay Whether to send small writes at once.
   */
  setNoDelay(noDelay: boolean): void;
}

/** A listening TCP socket. */
export interface TcpListener {
  /** The bound address and port (the real port when 0 was asked for). */
  readonly local: TransportAddress;
  /** Stops accepting; sockets already accepted stay open. */
  close(): void;
}

/** Where to listen. */
export interface ListenTcpOptions {
  /** The address to bind (`"127.0.0.1"`, `"::1"`, `"0.0.0.0"`, `"::"`). */
  readonly hostname: string;
  /** The port (0 = any free port). */
  readonly port: number;
}

/** Where to connect. */
export interface ConnectTcpOptions {
  /** The peer's address. */
  readonly hostname: string;
  /** The peer's port. */
  readonly port: number;
}

/** What a UDP socket tells its owner. */
export interface DatagramHandler {
  /**
   * A datagram arrived.
   *
   * @param bytes The datagram (owned by the receiver).
   * @param from The sender.
   */
  message(bytes: Uint8Array, from: TransportAddress): void;
  /**
   * Sending failed (for example, no route to a multicast group).
   *
   * @param detail The runtime's error text.
   */
  error(detail: string): void;
}

/** Where to bind a UDP socket. */
export interface BindUdpOptions {
  /** The address to bind (`"0.0.0.0"` or `"::"` to receive multicast). */
  readonly hostname: string;
  /** The port (0 = any free port). */
  readonly port: number;
  /** Let several sockets bind the same port (SO_REUSEADDR), as multicast receivers on one host need. */
  readonly reuseAddress?: boolean;
  /**
   * Ask for this socket receive buffer size in bytes (SO_RCVBUF), where the runtime can set it;
   * the kernel may cap it (`net.core.rmem_max`).
   */
  readonly receiveBufferSize?: number;
}

/**
 * A UDP socket connected to one destination (see {@link Runtime.connectUdp}): the kernel picked
 * its local address for that destination, and it reports ICMP port unreachable, which an
 * unconnected socket never sees.
 */
export interface ConnectedUdpSocket {
  /** The local address and port the kernel chose for the destination. */
  readonly local: TransportAddress;
  /** Sends one datagram to the destination (best effort; errors go nowhere). */
  send(bytes: Uint8Array): void;
  /** Closes the socket. Idempotent. */
  close(): void;
}

/** A bound UDP socket. */
export interface DatagramSocket {
  /** The bound address and port. */
  readonly local: TransportAddress;
  /**
   * Sends one datagram; failures go to the handler's `error`.
   *
   * @param bytes The datagram.
   * @param to The destination (unicast address or multicast group).
   */
  send(bytes: Uint8Array, to: TransportAddress): void;
  /**
   * Joins a multicast group.
   *
   * @param group The group address.
   * @param iface The address of the interface to join on (e.g. `"127.0.0.1"`), or the default.
   */
  joinMulticast(group: string, iface?: string): void;
  /**
   * Leaves a multicast group.
   *
   * @param group The group address.
   * @param iface The interface address used to join.
   */
  leaveMulticast(group: string, iface?: string): void;
  /**
   * Sets the TTL (hop limit) of multicast datagrams sent.
   *
   * @param ttl 1..255.
   */
  setMulticastTtl(ttl: number): void;
  /**
   * Whether multicast datagrams sent are looped back to this host.
   *
   * @param loopback On or off.
   */
  setMulticastLoopback(loopback: boolean): void;
  /**
   * The interface multicast datagrams are sent on.
   *
   * @param iface The interface's address (e.g. `"127.0.0.1"`).
   */
  setMulticastInterface(iface: string): void;
  /** Closes the socket. */
  close(): void;
}

/** One re-armable timer. */
export interface RuntimeTimer {
  /**
   * Arms (or re-arms) the timer to fire at an absolute time of {@link Runtime.now}.
   *
   * @param at The time in ms; a time in the past fires soon.
   */
  set(at: number): void;
  /** Disarms the timer. */
  clear(): void;
}

/** A runtime adapter: everything runtime-specific the driver needs. */
export interface Runtime {
  /** `"deno"`, `"bun"` or `"node"`. */
  readonly name: "deno" | "bun" | "node";
  /**
   * The monotonic clock.
   *
   * @returns Milliseconds since an arbitrary origin; never goes backwards.
   */
  now(): number;
  /**
   * Creates a timer that calls `callback` when it fires.
   *
   * @param callback What to run.
   * @returns The timer (disarmed).
   */
  createTimer(callback: () => void): RuntimeTimer;
  /**
   * Random bytes from the cryptographic source (to seed `SeededRng` and make identifiers).
   *
   * @param length How many.
   * @returns The bytes.
   */
  randomBytes(length: number): Uint8Array;
  /**
   * Listens for TCP connections.
   *
   * @param options Where.
   * @param accept Called for each new connection, before any data; returns its handler.
   * @returns The listener; rejects with a {@link TransportError} (e.g. `EADDRINUSE`).
   */
  listenTcp(
    options: ListenTcpOptions,
    accept: (socket: StreamSocket) => StreamHandler,
  ): Promise<TcpListener>;
  /**
   * Opens a TCP connection.
   *
   * @param options Where to.
   * @param open Called once connected, before any data; returns the handler.
   * @returns The socket; rejects with a {@link TransportError} (e.g. `ECONNREFUSED`).
   */
  connectTcp(
    options: ConnectTcpOptions,
    open: (socket: StreamSocket) => StreamHandler,
  ): Promise<StreamSocket>;
  /**
   * Binds a UDP socket.
   *
   * @param options Where.
   * @param handler Receives datagrams and send errors.
   * @returns The socket; rejects with a {@link TransportError}.
   */
  bindUdp(options: BindUdpOptions, handler: DatagramHandler): Promise<DatagramSocket>;
  /**
   * Probes kernel SCTP: whether `socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP)` works (optional;
   * a runtime without it has no way to call the C library).
   *
   * @returns What the probe found.
   */
  probeKernelSctp?(): Promise<KernelSctpStatus>;
  /**
   * Opens a UDP socket connected to `to` (optional: a runtime whose UDP sockets cannot really
   * connect lacks it; Deno's `node:dgram` only emulates `connect`). SCTP over UDP uses it to
   * learn which local address the kernel uses towards a peer, and to see a peer's UDP port
   * closed (ICMP port unreachable) after sending it an empty datagram.
   *
   * @param to The destination.
   * @param refused Called (once) when the kernel reports the destination port unreachable.
   * @returns The socket; rejects with a {@link TransportError}.
   */
  connectUdp?(to: TransportAddress, refused: () => void): Promise<ConnectedUdpSocket>;
}

/**
 * A socket operation failed (listen, connect, bind), with the operating system's error code.
 *
 * @example Catch a refused connection
 * ```ts
 * import { TransportError } from "./runtime.ts";
 * import assert from "node:assert/strict";
 * const e = new TransportError("ECONNREFUSED", "Cannot connect to 127.0.0.1:1: connection refused");
 * assert.equal(e.code, "ECONNREFUSED");
 * assert.equal(e.name, "TransportError");
 * ```
 */
export class TransportError extends Error {
  /** The error code (`ECONNREFUSED`, `EADDRINUSE`, ...), or `"UNKNOWN"`. */
  readonly code: string;

  /**
   * Creates the error.
   *
   * @param code The error code.
   * @param message What failed.
   * @param options The underlying error.
   */
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TransportError";
    this.code = code;
  }
}

/**
 * The address family of an IP address text.
 *
 * @param address An IPv4 or IPv6 address.
 * @returns `"ipv6"` when it contains a colon, else `"ipv4"`.
 * @example Families
 * ```ts
 * import { addressFamily } from "./runtime.ts";
 * import assert from "node:assert/strict";
 * assert.equal(addressFamily("::1"), "ipv6");
 * assert.equal(addressFamily("127.0.0.1"), "ipv4");
 * ```
 */
export function addressFamily(address: string): "ipv4" | "ipv6" {
  return address.includes(":") ? "ipv6" : "ipv4";
}

/**
 * Canonical address text: strips the `::ffff:` prefix of IPv4-mapped IPv6 addresses.
 *
 * @param address An address as a runtime reported it.
 * @returns The address, IPv4-mapped ones as dotted quads.
 * @example Mapped addresses
 * ```ts
 * import { canonicalAddress } from "./runtime.ts";
 * import assert from "node:assert/strict";
 * assert.equal(canonicalAddress("::ffff:127.0.0.1"), "127.0.0.1");
 * assert.equal(canonicalAddress("::1"), "::1");
 * ```
 */
export function canonicalAddress(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith("::ffff:") && lower.includes(".") ? lower.slice(7) : lower;
}

/** Above this many buffered bytes `StreamSocket.write()` returns false (all adapters). */
export const WRITE_HIGH_WATER_MARK = 64 * 1024;
