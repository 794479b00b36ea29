/**
 * The async session API for Deno, Bun and Node: {@link openSession} / {@link SessionClient} for
 * pool users (sessions to pools that fail over with their state), {@link servePool} for pool
 * elements (serve sessions, checkpoint state in authenticated cookies).
 *
 * ```ts
 * import { openSession, servePool } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(typeof openSession, "function");
 * assert.equal(typeof servePool, "function");
 * ```
 *
 * @module
 */

export * from "./session_client.ts";
export * from "./pool_server.ts";
