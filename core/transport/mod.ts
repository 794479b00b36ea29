/**
 * The TCP/MPTCP framing shim, sans-IO: frames with a 12-byte header that give a TCP
 * connection message boundaries, payload protocol identifiers, stream numbers, heartbeats and
 * ABORT, and the per-connection state machine {@link FramedAssociation}. The
 * {@link Role} contract that protocol roles implement for the driver is re-exported here.
 *
 * ```ts
 * import { FramedAssociation, FrameType, decodeFrame } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const a = new FramedAssociation(0);
 * const hello = a.pollOutput()!;
 * const r = decodeFrame(hello);
 * assert.equal(r.kind === "frame" && r.frame.type, FrameType.Hello);
 * ```
 *
 * @module
 */

export * from "./abort_cause.ts";
export * from "./frame.ts";
export * from "./frame_decoder.ts";
export * from "./association_state.ts";
export * from "./framed_association.ts";
export type * from "../role.ts";
