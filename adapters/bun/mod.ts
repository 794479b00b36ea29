/**
 * The Bun runtime adapter: TCP over `Bun.listen`/`Bun.connect`, UDP over `Bun.udpSocket`
 * (multicast included) or `node:dgram` when a port must be shared, the clock
 * `performance.now()` and one `setTimeout` timer.
 *
 * ```ts
 * import { createBunRuntime } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(createBunRuntime().name, "bun");
 * ```
 *
 * @module
 */

export * from "./bun_runtime.ts";
export * from "./kernel_sctp.ts";
export type * from "../runtime.ts";
