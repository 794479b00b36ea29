/**
 * The Deno adapter: TCP over `Deno.listen`/`Deno.connect` (stable APIs), UDP over
 * `node:dgram` (Deno's own `Deno.listenDatagram` still needs `--unstable-net`).
 *
 * @module
 */

import { createTimeoutTimer, cryptoRandomBytes, monotonicNow } from "../_timer.ts";
import { bindDgramUdp } from "../node/udp.ts";
import { probeKernelSctpDeno } from "./kernel_sctp.ts";
import {
  type BindUdpOptions,
  canonicalAddress,
  type ConnectTcpOptions,
  type DatagramHandler,
  type DatagramSocket,
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

/**
 * Bounds of the buffer each `read()` fills (chunks are copied out at their real length). A
 * pending read pins its buffer, so idle connections must hold a small one: the buffer starts
 * at the minimum, doubles after a read that filled it and halves after a read that used less
 * than a quarter. (A fixed 64 KiB buffer cost 128 KiB of RSS per idle association pair.)
 */
const MIN_READ_BUFFER = 2 * 1024;
const MAX_READ_BUFFER = 64 * 1024;

/**
 * Creates the Deno runtime adapter.
 *
 * @returns The adapter.
 * @example Clock and random bytes
 * ```ts
 * import { createDenoRuntime } from "./deno_runtime.ts";
 * import assert from "node:assert/strict";
 * const runtime = createDenoRuntime();
 * assert.equal(runtime.name, "deno");
 * assert.equal(runtime.randomBytes(8).length, 8);
 * ```
 */
export function createDenoRuntime(): Runtime {
  return {
    name: "deno",
    now: monotonicNow,
    createTimer: createTimeoutTimer,
    randomBytes: cryptoRandomBytes,
    listenTcp,
    connectTcp,
    bindUdp: bindUdpDeno,
    probeKernelSctp: () => Promise.resolve(probeKernelSctpDeno()),
  };
}

/**
 * UDP over Deno's `node:dgram`. The receive buffer size is not passed on: a receive of Deno's
 * `node:dgram` costs in proportion to it (4 MiB made each receive cost about 1 ms), so the
 * kernel default applies.
 */
function bindUdpDeno(options: BindUdpOptions, handler: DatagramHandler): Promise<DatagramSocket> {
  const { receiveBufferSize: _ignored, ...rest } = options;
  return bindDgramUdp(rest, handler);
}

function errorCode(e: unknown): string {
  return (e as { code?: string }).code ?? (e as Error).name ?? "UNKNOWN";
}

function listenTcp(
  options: ListenTcpOptions,
  accept: (socket: StreamSocket) => StreamHandler,
): Promise<TcpListener> {
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname: options.hostname, port: options.port, transport: "tcp" });
  } catch (e) {
    return Promise.reject(
      new TransportError(
        errorCode(e),
        `Cannot listen on TCP ${options.hostname}:${options.port}: ${(e as Error).message}`,
        { cause: e },
      ),
    );
  }
  let closed = false;
  (async () => {
    while (!closed) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch {
        if (closed) return;
        // Transient (aborted handshake) or resource exhaustion: back off a little, go on.
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const socket = new DenoStreamSocket(conn);
      socket.start(accept(socket));
    }
  })();
  const addr = listener.addr;
  return Promise.resolve({
    local: { address: canonicalAddress(addr.hostname), port: addr.port },
    close: () => {
      if (closed) return;
      closed = true;
      listener.close();
    },
  });
}

async function connectTcp(
  options: ConnectTcpOptions,
  open: (socket: StreamSocket) => StreamHandler,
): Promise<StreamSocket> {
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname: options.hostname, port: options.port, transport: "tcp" });
  } catch (e) {
    throw new TransportError(
      errorCode(e),
      `Cannot connect to ${options.hostname}:${options.port}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const socket = new DenoStreamSocket(conn);
  socket.start(open(socket));
  return socket;
}

class DenoStreamSocket implements StreamSocket {
  readonly remote: TransportAddress;
  readonly local: TransportAddress;
  #conn: Deno.TcpConn;
  #handler!: StreamHandler;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #needDrain = false;
  #endRequested = false;
  #writeClosed = false;
  #readEnded = false;
  #closed = false;
  #paused = false;
  #wake: (() => void) | undefined;

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    const r = conn.remoteAddr, l = conn.localAddr;
    this.remote = { address: canonicalAddress(r.hostname), port: r.port };
    this.local = { address: canonicalAddress(l.hostname), port: l.port };
  }

  start(handler: StreamHandler): void {
    this.#handler = handler;
    this.#readLoop();
  }

  get bufferedAmount(): number {
    return this.#queued;
  }

  write(bytes: Uint8Array): boolean {
    if (this.#closed || this.#endRequested) return false;
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    if (!this.#writing) this.#writeLoop();
    if (this.#queued < WRITE_HIGH_WATER_MARK) return true;
    this.#needDrain = true;
    return false;
  }

  end(): void {
    if (this.#closed || this.#endRequested) return;
    this.#endRequested = true;
    if (!this.#writing) this.#writeLoop();
  }

  destroy(): void {
    this.#finish("closed", "");
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  setNoDelay(noDelay: boolean): void {
    try {
      this.#conn.setNoDelay(noDelay);
    } catch {
      // The connection is already closed.
    }
  }

  async #readLoop(): Promise<void> {
    let buffer = new Uint8Array(MIN_READ_BUFFER);
    try {
      for (;;) {
        if (this.#paused) await new Promise<void>((r) => this.#wake = r);
        if (this.#closed) return;
        const n = await this.#conn.read(buffer);
        if (this.#closed) return;
        if (n === null) {
          this.#readEnded = true;
          this.#handler.end();
          this.#maybeClosed();
          return;
        }
        this.#handler.data(buffer.slice(0, n));
        if (n === buffer.length && n < MAX_READ_BUFFER) buffer = new Uint8Array(n * 2);
        else if (n < buffer.length / 4 && buffer.length > MIN_READ_BUFFER) {
          buffer = new Uint8Array(buffer.length / 2);
        }
      }
    } catch (e) {
      this.#fail(e);
    }
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const chunk = this.#queue[0]!;
        let at = 0;
        while (at < chunk.length) {
          at += await this.#conn.write(at === 0 ? chunk : chunk.subarray(at));
          if (this.#closed) return;
        }
        this.#queue.shift();
        this.#queued -= chunk.length;
        if (this.#needDrain && this.#queued < WRITE_HIGH_WATER_MARK / 2) {
          this.#needDrain = false;
          this.#handler.drain();
        }
      }
      if (this.#endRequested && !this.#writeClosed && !this.#closed) {
        this.#writeClosed = true;
        await this.#conn.closeWrite();
        this.#maybeClosed();
      }
    } catch (e) {
      this.#fail(e);
    } finally {
      this.#writing = false;
    }
  }

  #maybeClosed(): void {
    if (this.#readEnded && this.#writeClosed) this.#finish("closed", "");
  }

  #fail(e: unknown): void {
    if (this.#closed) return;
    this.#finish(closeReason(e), (e as Error).message ?? String(e));
  }

  #finish(reason: StreamCloseReason, detail: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#queued = 0;
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
    this.resume();
    queueMicrotask(() => this.#handler.close(reason, detail));
  }
}

function closeReason(e: unknown): StreamCloseReason {
  if (e instanceof Deno.errors.ConnectionReset || e instanceof Deno.errors.BrokenPipe) {
    return "reset";
  }
  if (e instanceof Deno.errors.TimedOut) return "timeout";
  return "error";
}
