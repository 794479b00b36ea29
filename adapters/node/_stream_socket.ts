// The StreamSocket of a node:net socket, plain or TLS (a tls.TLSSocket is a net.Socket): Node's
// runtime adapter and the TLS adapter of every runtime (node:tls) share it.

import type net from "node:net";
import type { PeerIdentity } from "../../core/role.ts";
import {
  canonicalAddress,
  streamCloseReason,
  type StreamHandler,
  type StreamSocket,
  type TransportAddress,
  WRITE_HIGH_WATER_MARK,
} from "../runtime.ts";

export class NodeStreamSocket implements StreamSocket {
  readonly remote: TransportAddress;
  readonly local: TransportAddress;
  /** The peer's certificate identity on a TLS socket that has one. */
  readonly peerIdentity: PeerIdentity | undefined;
  #socket: net.Socket;
  #error: (Error & { code?: string }) | undefined;

  constructor(socket: net.Socket, peerIdentity?: PeerIdentity) {
    this.#socket = socket;
    this.peerIdentity = peerIdentity;
    this.remote = {
      address: canonicalAddress(socket.remoteAddress ?? ""),
      port: socket.remotePort ?? 0,
    };
    this.local = {
      address: canonicalAddress(socket.localAddress ?? ""),
      port: socket.localPort ?? 0,
    };
  }

  attach(handler: StreamHandler): void {
    const socket = this.#socket;
    socket.on("data", (chunk: Uint8Array) => {
      handler.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    socket.on("drain", () => handler.drain());
    socket.on("end", () => handler.end());
    socket.on("error", (e) => this.#error ??= e);
    socket.on("close", () => {
      const e = this.#error;
      handler.close(e === undefined ? "closed" : streamCloseReason(e.code), e?.message ?? "");
    });
  }

  get bufferedAmount(): number {
    return this.#socket.writableLength;
  }

  write(bytes: Uint8Array): boolean {
    if (this.#socket.destroyed || this.#socket.writableEnded) return false;
    const ok = this.#socket.write(bytes);
    return ok || this.#socket.writableLength < WRITE_HIGH_WATER_MARK;
  }

  end(): void {
    if (!this.#socket.writableEnded) this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    this.#socket.resume();
  }

  setNoDelay(noDelay: boolean): void {
    this.#socket.setNoDelay(noDelay);
  }
}
