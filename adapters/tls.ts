/**
 * TLS for TCP associations, with mutual authentication: a listener and a connector that give
 * the driver {@link StreamSocket}s over `node:tls`, which Deno, Bun and Node all implement
 * (measured here: server and client certificates, `requestCert`, the peer's certificate).
 * The framing shim runs inside TLS unchanged; the peer's certificate reaches the role as
 * `AssociationInfo.peerIdentity` (the registrar's authorization policy reads it).
 *
 * Give the driver {@link TlsOptions}: `Driver.listen(name, { tls })` for a listener and
 * `DriverOptions.tls` for the associations it opens.
 *
 * @example Options from PEM text
 * ```ts
 * import { resolveTlsOptions } from "./tls.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => resolveTlsOptions({ cert: "x" }), TypeError); // a key is needed with a cert
 * assert.equal(resolveTlsOptions({ ca: "-----BEGIN CERTIFICATE-----" }).requireClientCert, true);
 * ```
 *
 * @module
 */

import tls from "node:tls";
import type { PeerIdentity } from "../core/role.ts";
import { NodeStreamSocket } from "./node/_stream_socket.ts";
import {
  canonicalAddress,
  type ConnectTcpOptions,
  type ListenTcpOptions,
  type StreamHandler,
  type StreamSocket,
  type TcpListener,
  type TransportAddress,
  TransportError,
} from "./runtime.ts";

export type { PeerIdentity };

/**
 * TLS settings of a listener or of outgoing associations. PEM text (read the files first).
 * A listener needs `cert` and `key`; with `ca` it asks every client for a certificate signed
 * by that CA and refuses clients without one (mutual authentication). A connector verifies the
 * server against `ca` (default: the system's roots) and presents `cert`/`key` when given.
 */
export interface TlsOptions {
  /** This end's certificate chain (PEM). */
  readonly cert?: string;
  /** This end's private key (PEM). */
  readonly key?: string;
  /** The CA certificate(s) peers must be signed by (PEM). */
  readonly ca?: string;
  /**
   * Listener: refuse clients without a valid certificate (default true when `ca` is given).
   * Connector: ignored.
   */
  readonly requireClientCert?: boolean;
  /**
   * Connector: the name the server certificate must carry (default the address connected to;
   * IP addresses are matched against the certificate's IP subjectAltNames).
   */
  readonly serverName?: string;
  /** Time for the TLS handshake in ms (default 5000); a peer that stalls it is dropped. */
  readonly handshakeTimeout?: number;
}

/** {@link TlsOptions} checked, with their defaults. */
export interface ResolvedTlsOptions {
  /** See {@link TlsOptions.cert}. */
  readonly cert: string | undefined;
  /** See {@link TlsOptions.key}. */
  readonly key: string | undefined;
  /** See {@link TlsOptions.ca}. */
  readonly ca: string | undefined;
  /** See {@link TlsOptions.requireClientCert}. */
  readonly requireClientCert: boolean;
  /** See {@link TlsOptions.serverName}. */
  readonly serverName: string | undefined;
  /** See {@link TlsOptions.handshakeTimeout}. */
  readonly handshakeTimeout: number;
}

/**
 * Checks TLS options and applies the defaults.
 *
 * @param options The options.
 * @returns The resolved options.
 * @throws {TypeError} When a field is not a string, or a certificate comes without its key.
 * @throws {RangeError} When the handshake timeout is not positive.
 * @example Client certificates are required once a CA is given
 * ```ts
 * import { resolveTlsOptions } from "./tls.ts";
 * import assert from "node:assert/strict";
 * const r = resolveTlsOptions({ cert: "C", key: "K", ca: "A" });
 * assert.equal(r.requireClientCert, true);
 * assert.equal(resolveTlsOptions({ cert: "C", key: "K" }).requireClientCert, false);
 * ```
 */
export function resolveTlsOptions(options: TlsOptions): ResolvedTlsOptions {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Invalid TLS options: not an object");
  }
  for (const f of ["cert", "key", "ca", "serverName"] as const) {
    const v = options[f];
    if (v !== undefined && typeof v !== "string") {
      throw new TypeError(`Invalid TLS options: ${f} must be a string`);
    }
  }
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new TypeError("Invalid TLS options: cert and key go together");
  }
  const handshakeTimeout = options.handshakeTimeout ?? 5000;
  if (!(handshakeTimeout > 0)) {
    throw new RangeError(
      `Invalid TLS options: handshakeTimeout ${handshakeTimeout} is not positive`,
    );
  }
  return {
    cert: options.cert,
    key: options.key,
    ca: options.ca,
    requireClientCert: options.requireClientCert ?? options.ca !== undefined,
    serverName: options.serverName,
    handshakeTimeout,
  };
}

/**
 * Listens for TLS connections over TCP. Each connection reaches `accept` once its handshake
 * succeeded (a client without a valid certificate, when one is required, never does).
 *
 * @param options Where to listen.
 * @param tlsOptions Certificate, key, CA (see {@link TlsOptions}); `cert` and `key` are needed.
 * @param accept Called for each authenticated connection; returns its handler.
 * @param onRefused Called with the reason when a client's handshake fails.
 * @returns The listener; rejects with a {@link TransportError} (e.g. `EADDRINUSE`).
 * @throws {TypeError} Without `cert` and `key`.
 */
export function listenTls(
  options: ListenTcpOptions,
  tlsOptions: TlsOptions,
  accept: (socket: StreamSocket) => StreamHandler,
  onRefused?: (detail: string, remote: TransportAddress | undefined) => void,
): Promise<TcpListener> {
  const o = resolveTlsOptions(tlsOptions);
  if (o.cert === undefined || o.key === undefined) {
    throw new TypeError("Cannot listen with TLS: cert and key are needed");
  }
  const server = tls.createServer({
    cert: o.cert,
    key: o.key,
    ...(o.ca === undefined ? {} : { ca: o.ca }),
    requestCert: o.requireClientCert,
    rejectUnauthorized: o.requireClientCert,
    handshakeTimeout: o.handshakeTimeout,
    allowHalfOpen: true,
  }, (socket) => {
    const wrapped = new NodeStreamSocket(socket, identityOf(socket));
    wrapped.attach(accept(wrapped));
  });
  server.on("tlsClientError", (e: Error & { code?: string }, socket: tls.TLSSocket) => {
    const remote = socket?.remoteAddress === undefined
      ? undefined
      : { address: canonicalAddress(socket.remoteAddress), port: socket.remotePort ?? 0 };
    onRefused?.(e.code ?? e.message, remote);
    socket?.destroy();
  });
  return new Promise((resolve, reject) => {
    const failed = (e: Error & { code?: string }): void => {
      reject(
        new TransportError(
          e.code ?? "UNKNOWN",
          `Cannot listen on TLS ${options.hostname}:${options.port}: ${e.message}`,
          { cause: e },
        ),
      );
    };
    server.once("error", failed);
    server.listen({ host: options.hostname, port: options.port, backlog: 4096 }, () => {
      server.off("error", failed);
      server.on("error", () => {});
      const address = server.address() as { address: string; port: number };
      resolve({
        local: { address: canonicalAddress(address.address), port: address.port },
        close: () => server.close(),
      });
    });
  });
}

/**
 * Opens a TLS connection over TCP and verifies the server's certificate.
 *
 * @param options Where to connect.
 * @param tlsOptions CA to verify the server with, and this end's certificate and key.
 * @param open Called once the handshake succeeded; returns the handler.
 * @returns The socket; rejects with a {@link TransportError} (e.g. `ECONNREFUSED`, or a
 *   certificate error code).
 */
export function connectTls(
  options: ConnectTcpOptions,
  tlsOptions: TlsOptions,
  open: (socket: StreamSocket) => StreamHandler,
): Promise<StreamSocket> {
  const o = resolveTlsOptions(tlsOptions);
  const isIp = /^[0-9.]+$/.test(options.hostname) || options.hostname.includes(":");
  const serverName = o.serverName ?? (isIp ? undefined : options.hostname);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: options.hostname,
      port: options.port,
      ...(o.cert === undefined ? {} : { cert: o.cert, key: o.key }),
      ...(o.ca === undefined ? {} : { ca: o.ca }),
      ...(serverName === undefined ? {} : { servername: serverName }),
      rejectUnauthorized: true,
    });
    const timer = setTimeout(() =>
      failed(Object.assign(new Error("TLS handshake timed out"), {
        code: "ETIMEDOUT",
      })), o.handshakeTimeout);
    const failed = (e: Error & { code?: string }): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        new TransportError(
          e.code ?? "UNKNOWN",
          `Cannot connect with TLS to ${options.hostname}:${options.port}: ${e.message}`,
          { cause: e },
        ),
      );
    };
    socket.once("error", failed);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      socket.off("error", failed);
      const wrapped = new NodeStreamSocket(socket, identityOf(socket));
      wrapped.attach(open(wrapped));
      resolve(wrapped);
    });
  });
}

/**
 * The identity in a peer's certificate, as the authorization policy matches it.
 *
 * @param socket A TLS socket after its handshake.
 * @returns The identity, or `undefined` when the peer sent no certificate.
 */
function identityOf(socket: tls.TLSSocket): PeerIdentity | undefined {
  const c = socket.getPeerCertificate?.();
  if (c === undefined || c === null || Object.keys(c).length === 0) return undefined;
  const subject = c.subject as unknown as Record<string, string | string[]> | undefined;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(subject ?? {})) {
    for (const x of Array.isArray(v) ? v : [v]) parts.push(`${k}=${x}`);
  }
  const cn = subject?.CN;
  return {
    subject: parts.join(","),
    commonName: Array.isArray(cn) ? cn[0] : cn,
    subjectAltNames: (c.subjectaltname ?? "").split(",").map((s) =>
      s.trim().replace(/^IP Address:/, "IP:")
    ).filter((s) => s.length > 0),
    fingerprint256: c.fingerprint256 ?? "",
  };
}
