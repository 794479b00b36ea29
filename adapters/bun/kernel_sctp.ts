/**
 * The kernel SCTP probe of the Bun adapter: `socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP)` through
 * `bun:ffi` on the C library.
 *
 * @module
 */

import { classifySctpSocket, type KernelSctpStatus } from "../transport_selection.ts";

const AF_INET = 2, SOCK_STREAM = 1, IPPROTO_SCTP = 132;

interface BunFfi {
  FFIType: { i32: number; ptr: number };
  dlopen(
    path: string,
    symbols: Record<string, { args: number[]; returns: number }>,
  ): {
    symbols: {
      socket(domain: number, type: number, protocol: number): number;
      close(fd: number): number;
      __errno_location(): number;
    };
    close(): void;
  };
  read: { i32(pointer: number, offset: number): number };
}

/**
 * Probes kernel SCTP from Bun.
 *
 * @param libc The C library to open (default `libc.so.6`).
 * @returns What the probe found (`no-ffi` outside Bun).
 * @example Probe (the answer depends on the runtime and the kernel)
 * ```ts
 * import { probeKernelSctpBun } from "./kernel_sctp.ts";
 * import assert from "node:assert/strict";
 * const status = await probeKernelSctpBun();
 * assert.ok(["available", "unsupported", "no-ffi", "error"].includes(status.kind));
 * ```
 */
export async function probeKernelSctpBun(libc = "libc.so.6"): Promise<KernelSctpStatus> {
  if ((globalThis as { Bun?: unknown }).Bun === undefined) {
    return { kind: "no-ffi", detail: "bun:ffi needs the Bun runtime" };
  }
  let ffi: BunFfi;
  try {
    const specifier = "bun:ffi"; // a variable, so other runtimes' type checkers leave it alone
    ffi = await import(specifier) as BunFfi;
  } catch (e) {
    return { kind: "no-ffi", detail: `Cannot load bun:ffi: ${(e as Error).message}` };
  }
  const T = ffi.FFIType;
  let lib;
  try {
    lib = ffi.dlopen(libc, {
      socket: { args: [T.i32, T.i32, T.i32], returns: T.i32 },
      close: { args: [T.i32], returns: T.i32 },
      __errno_location: { args: [], returns: T.ptr },
    });
  } catch (e) {
    return { kind: "error", detail: `Cannot open ${libc}: ${(e as Error).message}` };
  }
  try {
    const fd = lib.symbols.socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
    const errno = fd < 0 ? ffi.read.i32(lib.symbols.__errno_location(), 0) : 0;
    if (fd >= 0) lib.symbols.close(fd);
    return classifySctpSocket(fd, errno, "Bun");
  } finally {
    lib.close();
  }
}
