/**
 * Which transports a listener or a connect uses: the `transport` option (`tcp`, `sctp-udp`,
 * `sctp`, or `auto`) turned into an ordered list of transports, given what the kernel SCTP probe
 * found. Pure functions, so the decision is unit-tested with injected probe results; the driver
 * reports the decision through its `onTransport` log.
 *
 * `auto` means: kernel SCTP if it can be used, else SCTP over UDP, else TCP. This release drives
 * SCTP in userland over UDP only: the kernel data path is not implemented, so `auto` never picks
 * `sctp`, and an explicit `sctp` fails with a {@link TransportError} naming why (the probe says
 * the kernel has no SCTP, or it has SCTP that this release does not drive). A listener with
 * `auto` serves SCTP over UDP and TCP at once on the same port number; a connect with `auto`
 * tries SCTP over UDP first and falls back to TCP.
 *
 * @module
 */

import type { TransportChoice, TransportKind } from "../core/role.ts";
import { TransportError } from "./runtime.ts";

/**
 * What probing kernel SCTP (`socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP)`) found.
 *
 * - `available`: the socket opened (and was closed again).
 * - `unsupported`: the kernel refused (EPROTONOSUPPORT, errno 93 on Linux): no SCTP module.
 * - `no-ffi`: the runtime cannot call the C library (Node).
 * - `no-permission`: FFI needs a permission that was not granted (Deno without `--allow-ffi`).
 * - `error`: the probe itself failed (no libc, another errno).
 */
export type KernelSctpStatus =
  | {
    /** The kernel has SCTP. */
    readonly kind: "available";
    /** What the probe did. */
    readonly detail: string;
  }
  | {
    /** Why kernel SCTP cannot be used. */
    readonly kind: "unsupported" | "no-ffi" | "no-permission" | "error";
    /** The errno of `socket()`, when it ran. */
    readonly errno?: number;
    /** What the probe did and found. */
    readonly detail: string;
  };

/** Whether this release can carry associations over kernel SCTP (it cannot: see the module doc). */
export const KERNEL_SCTP_DATA_PATH = false;

/** A transport decision and why it was taken, for the driver's log. */
export interface TransportSelection {
  /** The transports to use, in order (a listener uses all of them at once). */
  readonly transports: readonly TransportKind[];
  /** One line on the decision, naming what the kernel probe found. */
  readonly note: string;
}

/**
 * Turns a transport option into the transports a listener serves at once.
 *
 * @param choice One transport, `auto`, or a list of transports.
 * @param kernel What the kernel SCTP probe found.
 * @returns The transports and a note.
 * @throws {TransportError} When `sctp` is asked for and cannot be used.
 * @example Auto without kernel SCTP
 * ```ts
 * import { selectListenTransports } from "./transport_selection.ts";
 * import assert from "node:assert/strict";
 * const s = selectListenTransports("auto", {
 *   kind: "unsupported",
 *   errno: 93,
 *   detail: "socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP) failed: errno 93",
 * });
 * assert.deepEqual(s.transports, ["sctp-udp", "tcp"]);
 * ```
 */
export function selectListenTransports(
  choice: TransportChoice | readonly TransportKind[],
  kernel: KernelSctpStatus,
): TransportSelection {
  if (typeof choice !== "string") {
    if (choice.length === 0) throw new RangeError("Invalid transport: the list is empty");
    const unique = [...new Set(choice)];
    for (const kind of unique) checkKind(kind, kernel);
    return { transports: unique, note: `listening on ${unique.join(" and ")} as asked` };
  }
  if (choice === "auto") {
    return {
      transports: ["sctp-udp", "tcp"],
      note: `auto: SCTP over UDP and TCP (${kernelNote(kernel)})`,
    };
  }
  checkKind(choice, kernel);
  return { transports: [choice], note: `${choice} as asked` };
}

/**
 * Turns a transport option into the transports a connect tries, in order.
 *
 * @param choice One transport or `auto`.
 * @param kernel What the kernel SCTP probe found.
 * @returns The transports to try and a note.
 * @throws {TransportError} When `sctp` is asked for and cannot be used.
 * @example Auto falls back from SCTP over UDP to TCP
 * ```ts
 * import { selectConnectTransports } from "./transport_selection.ts";
 * import assert from "node:assert/strict";
 * const s = selectConnectTransports("auto", { kind: "no-ffi", detail: "Node has no FFI" });
 * assert.deepEqual(s.transports, ["sctp-udp", "tcp"]);
 * assert.match(s.note, /Node has no FFI/);
 * ```
 */
export function selectConnectTransports(
  choice: TransportChoice,
  kernel: KernelSctpStatus,
): TransportSelection {
  if (choice === "auto") {
    return {
      transports: ["sctp-udp", "tcp"],
      note: `auto: SCTP over UDP, then TCP (${kernelNote(kernel)})`,
    };
  }
  checkKind(choice, kernel);
  return { transports: [choice], note: `${choice} as asked` };
}

function kernelNote(kernel: KernelSctpStatus): string {
  return kernel.kind === "available"
    ? `kernel SCTP is available but this release drives SCTP over UDP only: ${kernel.detail}`
    : `kernel SCTP not usable: ${kernel.detail}`;
}

function checkKind(kind: TransportKind, kernel: KernelSctpStatus): void {
  if (kind !== "tcp" && kind !== "sctp-udp" && kind !== "sctp") {
    throw new RangeError(`Invalid transport: "${kind as string}" is not tcp, sctp-udp or sctp`);
  }
  if (kind !== "sctp") return;
  if (kernel.kind !== "available") {
    throw new TransportError(
      kernel.kind === "unsupported" ? "EPROTONOSUPPORT" : "ENOTSUP",
      `Cannot use kernel SCTP: ${kernel.detail}; use sctp-udp or auto`,
    );
  }
  if (!KERNEL_SCTP_DATA_PATH) {
    throw new TransportError(
      "ENOTSUP",
      "Cannot use kernel SCTP: the kernel has it, but this release carries SCTP over UDP only; use sctp-udp or auto",
    );
  }
}

/**
 * The probe result of a runtime that cannot call the C library (Node).
 *
 * @returns `no-ffi`.
 * @example Node
 * ```ts
 * import { noFfiKernelSctp } from "./transport_selection.ts";
 * import assert from "node:assert/strict";
 * assert.equal(noFfiKernelSctp().kind, "no-ffi");
 * ```
 */
export function noFfiKernelSctp(): KernelSctpStatus {
  return { kind: "no-ffi", detail: "this runtime has no foreign function interface" };
}

/** errno of `socket()` when the protocol is not supported (Linux). */
export const EPROTONOSUPPORT = 93;

/**
 * Classifies the outcome of `socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP)`.
 *
 * @param fd The returned descriptor (-1 on failure).
 * @param errno The errno after a failure.
 * @param runtime Who probed, for the detail text.
 * @returns The status.
 * @example Interpret the probe
 * ```ts
 * import { classifySctpSocket } from "./transport_selection.ts";
 * import assert from "node:assert/strict";
 * assert.equal(classifySctpSocket(-1, 93, "deno").kind, "unsupported");
 * assert.equal(classifySctpSocket(7, 0, "bun").kind, "available");
 * assert.equal(classifySctpSocket(-1, 24, "bun").kind, "error");
 * ```
 */
export function classifySctpSocket(fd: number, errno: number, runtime: string): KernelSctpStatus {
  const call = "socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP)";
  if (fd >= 0) return { kind: "available", detail: `${call} succeeded (${runtime} FFI)` };
  if (errno === EPROTONOSUPPORT) {
    return {
      kind: "unsupported",
      errno,
      detail: `${call} failed with EPROTONOSUPPORT (errno ${errno}): the kernel has no SCTP`,
    };
  }
  return { kind: "error", errno, detail: `${call} failed with errno ${errno}` };
}
