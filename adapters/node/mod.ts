/**
 * The Node runtime adapter: TCP over `node:net`, UDP (unicast and multicast) over
 * `node:dgram`, the clock `performance.now()` and one `setTimeout` timer.
 *
 * ```ts
 * import { createNodeRuntime } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(createNodeRuntime().name, "node");
 * ```
 *
 * @module
 */

export * from "./node_runtime.ts";
export * from "./udp.ts";
export type * from "../runtime.ts";
