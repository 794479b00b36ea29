/**
 * The Node adapter: TCP over `node:net`, UDP over `node:dgram`.
 *
 * @module
 */

import net from "node:net";
import { createTimeoutTimer, cryptoRandomBytes, monotonicNow } from "../_timer.ts";
import {
  canonicalAddress,
  type ConnectTcpOptions,
  type ListenTcpOptions,
  type Runtime,
  type StreamCloseReason,
  type StreamHandler,
  type StreamSocket,
  type TcpListener,
  type TransportAddress,
  TransportError,
  WRITE_HIGH_WATER_MARK,
} from "../runtime.ts";
import { noFfiKernelSctp } from "../transport_selection.ts";
import { bindDgramUdp } from "./udp.ts";

/**
 * Creates the Node runtime adapter.
 *
 * @returns The adapter.
 * @example Clock and random bytes
 * ```ts
 * import { createNodeRuntime } from "./node_runtime.ts";
 * import assert from "node:assert/strict";
 * const runtime = createNodeRuntime();
 * assert.equal(runtime.name, "node");
 * assert.equal(runtime.randomBytes(16).length, 16);
 * ```
 */
export function createNodeRuntime(): Runtime {
  return {
    name: "node",
    now: monotonicNow,
    createTimer: createTimeoutTimer,
    randomBytes: cryptoRandomBytes,
    listenTcp,
    connectTcp,
    bindUdp: bindDgramUdp,
    probeKernelSctp: () => Promise.resolve(noFfiKernelSctp()),
  };
}

function listenTcp(
  options: ListenTcpOptions,
  accept: (socket: StreamSocket) => StreamHandler,
): Promise<TcpListener> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    const wrapped = new NodeStreamSocket(socket);
    wrapped.attach(accept(wrapped));
  });
  return new Promise((resolve, reject) => {
    const failed = (e: Error & { code?: string }): void => {
      reject(
        new TransportError(
          e.code ?? "UNKNOWN",
          `Cannot listen on TCP ${options.hostname}:${options.port}: ${e.message}`,
          { cause: e },
        ),
      );
    };
    server.once("error", failed);
    server.listen({ host: options.hostname, port: options.port, backlog: 4096 }, () => {
      server.off("error", failed);
      server.on("error", () => {});
      const address = server.address() as net.AddressInfo;
      resolve({
        local: { address: canonicalAddress(address.address), port: address.port },
        close: () => server.close(),
      });
    });
  });
}

function connectTcp(
  options: ConnectTcpOptions,
  open: (socket: StreamSocket) => StreamHandler,
): Promise<StreamSocket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: options.hostname, port: options.port, allowHalfOpen: true });
    const failed = (e: Error & { code?: string }): void => {
      socket.destroy();
      reject(
        new TransportError(
          e.code ?? "UNKNOWN",
          `Cannot connect to ${options.hostname}:${options.port}: ${e.message}`,
          { cause: e },
        ),
      );
    };
    socket.once("error", failed);
    socket.once("connect", () => {
      socket.off("error", failed);
      const wrapped = new NodeStreamSocket(socket);
      wrapped.attach(open(wrapped));
      resolve(wrapped);
    });
  });
}

class NodeStreamSocket implements StreamSocket {
  readonly remote: TransportAddress;
  readonly local: TransportAddress;
  #socket: net.Socket;
  #error: (Error & { code?: string }) | undefined;

  constructor(socket: net.Socket) {
    this.#socket = socket;
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
      handler.close(e === undefined ? "closed" : closeReason(e.code), e?.message ?? "");
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

function closeReason(code: string | undefined): StreamCloseReason {
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
