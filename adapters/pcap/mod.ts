/**
 * Capture files for the `wire` tool and the Wireshark conformance tests:
 * reading pcap/pcapng ({@link readCapture}), dissecting frames down to SCTP,
 * UDP and TCP ({@link dissectFrame}), finding the ASAP and ENRP messages in
 * them ({@link extractRserpoolPayloads}) and writing captures with correct
 * checksums ({@link PcapWriter}). Pure byte handling: no file or runtime API.
 *
 * ```ts
 * import { extractRserpoolPayloads, PcapWriter, readCapture } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const w = new PcapWriter();
 * w.addSctp({ src: "192.0.2.1", dst: "192.0.2.2", srcPort: 3863, dstPort: 3863 }, [
 *   { ppid: 11, payload: new Uint8Array([0x0a, 0, 0, 8, 0, 0, 0, 1]) },
 * ]);
 * const found = extractRserpoolPayloads(readCapture(w.bytes()));
 * assert.equal(found.payloads.length, 1);
 * assert.equal(found.payloads[0]?.profile, "rfc");
 * ```
 *
 * @module
 */

export * from "./crc32c.ts";
export * from "./pcap_reader.ts";
export * from "./packet.ts";
export * from "./rserpool_payloads.ts";
export * from "./pcap_writer.ts";
