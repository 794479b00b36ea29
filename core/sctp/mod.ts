/**
 * SCTP (RFC 9260) over UDP encapsulation (RFC 6951), sans-IO: the association engine that gives
 * RSerPool its native transport in runtimes without SCTP sockets. An {@link SctpEndpoint} is
 * everything one UDP socket carries: it demultiplexes packets to {@link SctpAssociation}s,
 * answers INITs statelessly with a MACed state cookie, and runs every timer from one deadline.
 * Packets are CRC32c-checked ({@link crc32c}); peer input never throws.
 *
 * Implemented: the four-way handshake with cookie, verification tags, DATA with TSN, stream,
 * SSN, PPID, unordered and fragmentation flags, SACK with gap blocks and duplicates, delayed SACK
 * and the immediate-SACK bit (RFC 7053), retransmission (T3-rtx with RTO backoff, fast
 * retransmit), congestion control per path, the peer's window, heartbeats with error counters
 * and dead-peer detection, multi-homing with path failover, restart detection, graceful shutdown
 * both ways, ABORT, ERROR, and unknown chunks and parameters by their high bits. Not
 * implemented: ECN, AUTH, ASCONF, PR-SCTP, I-DATA, stream reconfiguration.
 *
 * ```ts
 * import { SctpEndpoint } from "./mod.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const server = new SctpEndpoint({ rng: new SeededRng(1) });
 * server.listen(3863);
 * const client = new SctpEndpoint({ rng: new SeededRng(2) });
 * const at = { client: { address: "127.0.0.1", port: 40000 }, server: { address: "127.0.0.1", port: 9899 } };
 * const assoc = client.connect(0, [at.server], 3863);
 * client.send(0, assoc.id, 11, 0, new TextEncoder().encode("hello"));
 * let text = "";
 * for (let now = 0; now < 10 && text === ""; now++) {
 *   for (let t; (t = client.pollTransmit(now)) !== undefined;) server.handleDatagram(now, at.client, t.bytes);
 *   for (let t; (t = server.pollTransmit(now)) !== undefined;) client.handleDatagram(now, at.server, t.bytes);
 *   for (let e; (e = server.pollEvent()) !== undefined;) {
 *     if (e.type === "message") text = new TextDecoder().decode(e.payload);
 *   }
 * }
 * assert.equal(text, "hello");
 * ```
 *
 * @module
 */

export * from "./crc32c.ts";
export * from "./packet.ts";
export * from "./chunk_type.ts";
export * from "./error_cause.ts";
export * from "./options.ts";
export * from "./association_state.ts";
export * from "./association.ts";
export * from "./endpoint.ts";
export * from "./state_cookie.ts";
export type { TransportAddress } from "../role.ts";
export type { Rng } from "../rng.ts";
export type { CloseReason } from "../transport/framed_association.ts";
