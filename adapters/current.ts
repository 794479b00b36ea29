/**
 * Picks the runtime adapter of the runtime this code runs on (`@rserpool/ng/runtime`), so the
 * same program runs a role over real sockets under Deno, Bun and Node.
 *
 * ```ts
 * import { currentRuntime, detectRuntime } from "./current.ts";
 * import assert from "node:assert/strict";
 * const runtime = await currentRuntime();
 * assert.equal(runtime.name, detectRuntime());
 * ```
 *
 * @module
 */

import { createBunRuntime } from "./bun/bun_runtime.ts";
import { createDenoRuntime } from "./deno/deno_runtime.ts";
import { createNodeRuntime } from "./node/node_runtime.ts";
import type { Runtime } from "./runtime.ts";

/**
 * The name of the running runtime, by its globals (`Bun` before `Deno`, both before Node,
 * since Bun and Deno also provide `process`).
 *
 * @returns `"bun"`, `"deno"` or `"node"`.
 * @example Detect
 * ```ts
 * import { detectRuntime } from "./current.ts";
 * import assert from "node:assert/strict";
 * assert.ok(["deno", "bun", "node"].includes(detectRuntime()));
 * ```
 */
export function detectRuntime(): "deno" | "bun" | "node" {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  if (g.Bun !== undefined) return "bun";
  if (g.Deno !== undefined) return "deno";
  return "node";
}

/**
 * The adapter for the running runtime.
 *
 * @returns The adapter.
 * @example Use the clock
 * ```ts
 * import { currentRuntime } from "./current.ts";
 * import assert from "node:assert/strict";
 * const runtime = await currentRuntime();
 * assert.equal(typeof runtime.now(), "number");
 * ```
 */
export function currentRuntime(): Promise<Runtime> {
  switch (detectRuntime()) {
    case "bun":
      return Promise.resolve(createBunRuntime());
    case "deno":
      return Promise.resolve(createDenoRuntime());
    default:
      return Promise.resolve(createNodeRuntime());
  }
}
