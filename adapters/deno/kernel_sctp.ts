/**
 * The kernel SCTP probe of the Deno adapter: `socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP)` through
 * `Deno.dlopen` on the C library. Needs `--allow-ffi`; without the permission it answers
 * `no-permission` (it never prompts).
 *
 * @module
 */

import { classifySctpSocket, type KernelSctpStatus } from "../transport_selection.ts";

const AF_INET = 2, SOCK_STREAM = 1, IPPROTO_SCTP = 132;

/**
 * Probes kernel SCTP from Deno.
 *
 * @param libc The C library to open (default `libc.so.6`).
 * @returns What the probe found.
 * @example Probe (the answer depends on the kernel and the permissions)
 * ```ts
 * import { probeKernelSctpDeno } from "./kernel_sctp.ts";
 * import assert from "node:assert/strict";
 * const status = probeKernelSctpDeno();
 * assert.ok(["available", "unsupported", "no-permission", "no-ffi", "error"].includes(status.kind));
 * ```
 */
export function probeKernelSctpDeno(libc = "libc.so.6"): KernelSctpStatus {
  const D = (globalThis as { Deno?: typeof Deno }).Deno;
  if (D === undefined || typeof D.dlopen !== "function") {
    return { kind: "no-ffi", detail: "Deno.dlopen is not available" };
  }
  try {
    if (D.permissions.querySync({ name: "ffi" }).state !== "granted") {
      return { kind: "no-permission", detail: "FFI needs --allow-ffi" };
    }
  } catch {
    return { kind: "no-permission", detail: "FFI permission unknown" };
  }
  let lib;
  try {
    lib = D.dlopen(libc, {
      socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
      close: { parameters: ["i32"], result: "i32" },
      __errno_location: { parameters: [], result: "pointer" },
    });
  } catch (e) {
    return { kind: "error", detail: `Cannot open ${libc}: ${(e as Error).message}` };
  }
  try {
    const fd = lib.symbols.socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
    // errno is thread-local: read it right after the call, on the same (calling) thread.
    const where = lib.symbols.__errno_location();
    const errno = fd < 0 && where !== null ? new D.UnsafePointerView(where).getInt32(0) : 0;
    if (fd >= 0) lib.symbols.close(fd);
    return classifySctpSocket(fd, errno, "Deno");
  } finally {
    lib.close();
  }
}
