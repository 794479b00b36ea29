/**
 * The Deno runtime adapter: TCP over `Deno.listen`/`Deno.connect`, UDP (unicast and multicast)
 * over `node:dgram`, the clock `performance.now()` and one `setTimeout` timer.
 *
 * ```ts
 * import { createDenoRuntime } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(createDenoRuntime().name, "deno");
 * ```
 *
 * @module
 */

export * from "./deno_runtime.ts";
export * from "./kernel_sctp.ts";
export type * from "../runtime.ts";
