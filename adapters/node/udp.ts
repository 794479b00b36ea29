/**
 * UDP over `node:dgram`. The Node adapter uses it; so does the Deno adapter (Deno's own
 * `Deno.listenDatagram` needs `--unstable-net`) and the Bun adapter for sockets that share a
 * port (`Bun.udpSocket` has no SO_REUSEADDR). See README, "Runtimes".
 *
 * @module
 */

import dgram from "node:dgram";
import {
  addressFamily,
  type BindUdpOptions,
  canonicalAddress,
  type DatagramHandler,
  type DatagramSocket,
  TransportError,
} from "../runtime.ts";

/**
 * Binds a UDP socket with `node:dgram`.
 *
 * @param options Where to bind, and whether the port may be shared.
 * @param handler Receives datagrams and send errors.
 * @returns The bound socket.
 * @example Send a datagram to oneself
 * ```ts
 * import { bindDgramUdp } from "./udp.ts";
 * import assert from "node:assert/strict";
 * let got: Uint8Array | undefined;
 * const s = await bindDgramUdp({ hostname: "127.0.0.1", port: 0 }, {
 *   message: (bytes) => got = bytes,
 *   error: () => {},
 * });
 * s.send(new Uint8Array([1, 2]), s.local);
 * for (let i = 0; i < 100 && got === undefined; i++) await new Promise((r) => setTimeout(r, 10));
 * s.close();
 * assert.deepEqual([...got!], [1, 2]);
 * ```
 */
export function bindDgramUdp(
  options: BindUdpOptions,
  handler: DatagramHandler,
): Promise<DatagramSocket> {
  const socket = dgram.createSocket({
    type: addressFamily(options.hostname) === "ipv6" ? "udp6" : "udp4",
    reuseAddr: options.reuseAddress ?? false,
  });
  const rcvbuf = options.receiveBufferSize;
  return new Promise((resolve, reject) => {
    const failed = (e: Error & { code?: string }): void => {
      socket.close();
      reject(
        new TransportError(
          e.code ?? "UNKNOWN",
          `Cannot bind UDP ${options.hostname}:${options.port}: ${e.message}`,
          { cause: e },
        ),
      );
    };
    socket.once("error", failed);
    socket.bind(options.port, options.hostname, () => {
      socket.off("error", failed);
      if (rcvbuf !== undefined) {
        try {
          socket.setRecvBufferSize(rcvbuf);
        } catch {
          // Best effort: the kernel's limit applies.
        }
      }
      socket.on("error", (e) => handler.error(e.message));
      socket.on("message", (msg, rinfo) => {
        handler.message(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), {
          address: canonicalAddress(rinfo.address),
          port: rinfo.port,
        });
      });
      const bound = socket.address();
      resolve(
        new DgramSocket(socket, handler, {
          address: canonicalAddress(bound.address),
          port: bound.port,
        }),
      );
    });
  });
}

class DgramSocket implements DatagramSocket {
  readonly local;
  #socket: dgram.Socket;
  #handler: DatagramHandler;
  #closed = false;

  constructor(
    socket: dgram.Socket,
    handler: DatagramHandler,
    local: { address: string; port: number },
  ) {
    this.#socket = socket;
    this.#handler = handler;
    this.local = local;
  }

  send(bytes: Uint8Array, to: { address: string; port: number }): void {
    if (this.#closed) return;
    try {
      this.#socket.send(bytes, to.port, to.address, (e) => {
        if (e) this.#handler.error(e.message);
      });
    } catch (e) {
      this.#handler.error((e as Error).message);
    }
  }

  joinMulticast(group: string, iface?: string): void {
    wrap("join multicast group " + group, () => this.#socket.addMembership(group, iface));
  }

  leaveMulticast(group: string, iface?: string): void {
    wrap("leave multicast group " + group, () => this.#socket.dropMembership(group, iface));
  }

  setMulticastTtl(ttl: number): void {
    wrap("set the multicast TTL", () => this.#socket.setMulticastTTL(ttl));
  }

  setMulticastLoopback(loopback: boolean): void {
    wrap("set multicast loopback", () => this.#socket.setMulticastLoopback(loopback));
  }

  setMulticastInterface(iface: string): void {
    wrap("set the multicast interface", () => this.#socket.setMulticastInterface(iface));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}

function wrap(what: string, fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    const err = e as Error & { code?: string };
    throw new TransportError(err.code ?? "UNKNOWN", `Cannot ${what}: ${err.message}`, {
      cause: e,
    });
  }
}
