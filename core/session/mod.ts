/**
 * The RSerPool session layer, sans-IO: a pool user's sessions to pools that fail over to another
 * pool element with their state ({@link SessionLayer}), the pool element's side that serves them
 * ({@link SessionAcceptor}), and authenticated, typed cookies ({@link CookieCodec}).
 *
 * ```ts
 * import { CookieCodec, SESSION_TRANSITIONS } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const codec = new CookieCodec<{ step: number }>({
 *   poolHandle: "ComputePool",
 *   keys: [{ id: 1, secret: new TextEncoder().encode("pool-wide secret key") }],
 * });
 * const cookie = codec.seal({ step: 3 }, 0);
 * const opened = codec.open(cookie, 0);
 * assert.equal(opened.kind === "ok" && opened.state.step, 3);
 * assert.equal(SESSION_TRANSITIONS.established.lost, "resolving");
 * ```
 *
 * @module
 */

export * from "./cookie_codec.ts";
export * from "./session_defaults.ts";
export * from "./session_state.ts";
export * from "./session_layer.ts";
export * from "./session_acceptor.ts";
