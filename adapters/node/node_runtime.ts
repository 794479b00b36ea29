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
  type StreamHandler,
  type StreamSocket,
  type TcpListener,
  TransportError,
} from "../runtime.ts";
import { noFfiKernelSctp } from "../transport_selection.ts";
import { bindDgramUdp, connectDgramUdp } from "./udp.ts";
import { NodeStreamSocket } from "./_stream_socket.ts";

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
    connectUdp: connectDgramUdp,
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
