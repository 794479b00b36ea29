/**
 * The Bun adapter: TCP over `Bun.listen`/`Bun.connect`, UDP over `Bun.udpSocket` (and over
 * `node:dgram` for sockets that share a port: `Bun.udpSocket` has no SO_REUSEADDR).
 *
 * @module
 */

import { createTimeoutTimer, cryptoRandomBytes, monotonicNow } from "../_timer.ts";
import { bindDgramUdp, connectDgramUdp } from "../node/udp.ts";
import {
  type BindUdpOptions,
  canonicalAddress,
  type ConnectTcpOptions,
  type DatagramHandler,
  type DatagramSocket,
  type ListenTcpOptions,
  type Runtime,
  streamCloseReason,
  type StreamHandler,
  type StreamSocket,
  type TcpListener,
  type TransportAddress,
  TransportError,
  WRITE_HIGH_WATER_MARK,
} from "../runtime.ts";
import type { BunApi, BunSocket, BunSocketHandler, BunUdpSocket } from "./bun.d.ts";
import { probeKernelSctpBun } from "./kernel_sctp.ts";

function bun(): BunApi {
  const api = (globalThis as unknown as { Bun?: BunApi }).Bun;
  if (api === undefined) throw new TypeError("The Bun adapter needs the Bun runtime");
  return api;
}

/**
 * Creates the Bun runtime adapter. Its sockets need Bun; the clock and timer work anywhere.
 *
 * @returns The adapter.
 * @example Clock and random bytes
 * ```ts
 * import { createBunRuntime } from "./bun_runtime.ts";
 * import assert from "node:assert/strict";
 * const runtime = createBunRuntime();
 * assert.equal(runtime.name, "bun");
 * assert.equal(runtime.randomBytes(4).length, 4);
 * ```
 */
export function createBunRuntime(): Runtime {
  return {
    name: "bun",
    now: monotonicNow,
    createTimer: createTimeoutTimer,
    randomBytes: cryptoRandomBytes,
    listenTcp,
    connectTcp,
    bindUdp,
    probeKernelSctp: () => probeKernelSctpBun(),
    connectUdp: connectDgramUdp,
  };
}

/** Routes Bun's shared handler callbacks to the socket's wrapper (kept in `socket.data`). */
function handlers(
  opened: (wrapper: BunStreamSocket) => void,
): BunSocketHandler<BunStreamSocket | undefined> {
  return {
    open(socket) {
      const wrapper = new BunStreamSocket(socket);
      socket.data = wrapper;
      opened(wrapper);
    },
    data: (socket, data) => socket.data?.onData(data),
    drain: (socket) => socket.data?.onDrain(),
    end: (socket) => socket.data?.onEnd(),
    error: (socket, error) => socket.data?.onError(error),
    close: (socket, error) => socket.data?.onClose(error),
    connectError: () => {},
  };
}

function listenTcp(
  options: ListenTcpOptions,
  accept: (socket: StreamSocket) => StreamHandler,
): Promise<TcpListener> {
  try {
    const listener = bun().listen<BunStreamSocket | undefined>({
      hostname: options.hostname,
      port: options.port,
      allowHalfOpen: true,
      socket: handlers((wrapper) => wrapper.attach(accept(wrapper))),
    });
    return Promise.resolve({
      local: { address: canonicalAddress(listener.hostname), port: listener.port },
      close: () => listener.stop(false),
    });
  } catch (e) {
    const err = e as Error & { code?: string };
    return Promise.reject(
      new TransportError(
        err.code ?? "UNKNOWN",
        `Cannot listen on TCP ${options.hostname}:${options.port}: ${err.message}`,
        { cause: e },
      ),
    );
  }
}

async function connectTcp(
  options: ConnectTcpOptions,
  open: (socket: StreamSocket) => StreamHandler,
): Promise<StreamSocket> {
  let opened: BunStreamSocket | undefined;
  try {
    await bun().connect<BunStreamSocket | undefined>({
      hostname: options.hostname,
      port: options.port,
      allowHalfOpen: true,
      socket: handlers((wrapper) => {
        opened = wrapper;
        wrapper.attach(open(wrapper));
      }),
    });
  } catch (e) {
    const err = e as Error & { code?: string };
    throw new TransportError(
      err.code ?? "UNKNOWN",
      `Cannot connect to ${options.hostname}:${options.port}: ${err.message}`,
      { cause: e },
    );
  }
  if (opened === undefined) {
    throw new TransportError("UNKNOWN", `Cannot connect to ${options.hostname}:${options.port}`);
  }
  return opened;
}

class BunStreamSocket implements StreamSocket {
  readonly remote: TransportAddress;
  readonly local: TransportAddress;
  #socket: BunSocket<BunStreamSocket | undefined>;
  #handler: StreamHandler | undefined;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #needDrain = false;
  #endRequested = false;
  #closed = false;
  #error: (Error & { code?: string }) | undefined;

  constructor(socket: BunSocket<BunStreamSocket | undefined>) {
    this.#socket = socket;
    this.remote = { address: canonicalAddress(socket.remoteAddress), port: socket.remotePort };
    this.local = { address: canonicalAddress(socket.localAddress), port: socket.localPort };
  }

  attach(handler: StreamHandler): void {
    this.#handler = handler;
  }

  onData(data: Uint8Array): void {
    this.#handler?.data(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  onDrain(): void {
    this.#flush();
    if (this.#queue.length === 0) {
      if (this.#endRequested) this.#socket.shutdown();
      if (this.#needDrain) {
        this.#needDrain = false;
        this.#handler?.drain();
      }
    }
  }

  onEnd(): void {
    this.#handler?.end();
  }

  onError(error: Error & { code?: string }): void {
    this.#error ??= error;
  }

  onClose(error?: Error & { code?: string }): void {
    if (this.#closed && this.#handler === undefined) return;
    this.#closed = true;
    const e = error ?? this.#error;
    const handler = this.#handler;
    this.#handler = undefined;
    handler?.close(e === undefined ? "closed" : streamCloseReason(e.code), e?.message ?? "");
  }

  get bufferedAmount(): number {
    return this.#queued;
  }

  write(bytes: Uint8Array): boolean {
    if (this.#closed || this.#endRequested) return false;
    if (this.#queue.length === 0) {
      const n = this.#socket.write(bytes);
      if (n === bytes.length) return true;
      bytes = bytes.subarray(Math.max(0, n));
    }
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    if (this.#queued < WRITE_HIGH_WATER_MARK) return true;
    this.#needDrain = true;
    return false;
  }

  #flush(): void {
    while (this.#queue.length > 0) {
      const chunk = this.#queue[0]!;
      const n = this.#socket.write(chunk);
      if (n <= 0) return;
      this.#queued -= n;
      if (n < chunk.length) {
        this.#queue[0] = chunk.subarray(n);
        return;
      }
      this.#queue.shift();
    }
  }

  end(): void {
    if (this.#closed || this.#endRequested) return;
    this.#endRequested = true;
    if (this.#queue.length === 0) this.#socket.shutdown();
  }

  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#queued = 0;
    this.#socket.terminate();
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

async function bindUdp(options: BindUdpOptions, handler: DatagramHandler): Promise<DatagramSocket> {
  // Bun.udpSocket can neither share a port (SO_REUSEADDR) nor size its receive buffer
  // (SO_RCVBUF): sockets that need either use node:dgram, which Bun implements with both.
  if (options.reuseAddress || options.receiveBufferSize !== undefined) {
    return bindDgramUdp(options, handler);
  }
  let socket: BunUdpSocket;
  try {
    socket = await bun().udpSocket({
      hostname: options.hostname,
      port: options.port,
      socket: {
        data(_socket, data, port, address) {
          handler.message(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), {
            address: canonicalAddress(address),
            port,
          });
        },
      },
    });
  } catch (e) {
    const err = e as Error & { code?: string };
    throw new TransportError(
      err.code ?? "UNKNOWN",
      `Cannot bind UDP ${options.hostname}:${options.port}: ${err.message}`,
      { cause: e },
    );
  }
  return new BunDatagramSocket(socket, handler);
}

class BunDatagramSocket implements DatagramSocket {
  readonly local: TransportAddress;
  #socket: BunUdpSocket;
  #handler: DatagramHandler;
  #closed = false;

  constructor(socket: BunUdpSocket, handler: DatagramHandler) {
    this.#socket = socket;
    this.#handler = handler;
    this.local = { address: canonicalAddress(socket.address.address), port: socket.port };
  }

  send(bytes: Uint8Array, to: TransportAddress): void {
    if (this.#closed) return;
    try {
      if (!this.#socket.send(bytes, to.port, to.address)) {
        this.#handler.error("Send buffer full: datagram dropped");
      }
    } catch (e) {
      this.#handler.error((e as Error).message);
    }
  }

  joinMulticast(group: string, iface?: string): void {
    check(`join multicast group ${group}`, () => this.#socket.addMembership(group, iface));
  }

  leaveMulticast(group: string, iface?: string): void {
    check(`leave multicast group ${group}`, () => this.#socket.dropMembership(group, iface));
  }

  setMulticastTtl(ttl: number): void {
    check("set the multicast TTL", () => this.#socket.setMulticastTTL(ttl) === ttl);
  }

  setMulticastLoopback(loopback: boolean): void {
    check("set multicast loopback", () => {
      this.#socket.setMulticastLoopback(loopback);
      return true;
    });
  }

  setMulticastInterface(iface: string): void {
    check("set the multicast interface", () => this.#socket.setMulticastInterface(iface));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}

function check(what: string, fn: () => boolean): void {
  let ok: boolean;
  try {
    ok = fn();
  } catch (e) {
    const err = e as Error & { code?: string };
    throw new TransportError(err.code ?? "UNKNOWN", `Cannot ${what}: ${err.message}`, {
      cause: e,
    });
  }
  if (!ok) throw new TransportError("UNKNOWN", `Cannot ${what}`);
}
