/**
 * Wire profiles: the RFC profile (RFC 5352/5353/5354: 32-bit PE and PR
 * identifiers, Internet-16 checksum) and the next-generation profile (64-bit
 * identifiers, Internet-32 checksum).
 *
 * How a receiver knows the profile of a message (decided here, documented in
 * README.md, section "Protocol"):
 *
 * 1. Per association, by payload protocol identifier (PPID). The RFC profile
 *    uses the IANA PPIDs 11 (ASAP) and 12 (ENRP); the NG profile uses its own
 *    PPIDs {@link PPID_ASAP_NG} and {@link PPID_ENRP_NG}. Over SCTP the PPID is
 *    SCTP's own; over TCP/MPTCP it is carried in every frame of the framing
 *    shim. An RFC-only peer such as RSPLIB aborts an association carrying an
 *    unknown PPID, which is the clean failure we want.
 * 2. In every message, by the NG bit {@link NG_FLAG} (0x80) of the common
 *    header's flags byte: always set in the NG profile, never in the RFC
 *    profile (RFC senders must send undefined flag bits as 0). This makes UDP
 *    datagrams (Server Announce, multicast Presence) self-describing and gives
 *    every decoder a second, independent check.
 *
 * A message whose NG bit disagrees with the profile the receiver expects is
 * reported as malformed with reason "profile-mismatch"; it is never parsed
 * with the wrong field widths.
 *
 * @module
 */

/** A wire profile: `"rfc"` (32-bit IDs, Internet-16) or `"ng"` (64-bit IDs, Internet-32). */
export type WireProfile = "rfc" | "ng";

/** The wire profiles in a fixed order (RFC first). */
export const WIRE_PROFILES: readonly WireProfile[] = ["rfc", "ng"];

/** The profile used when none is configured: NG, for new deployments. */
export const DEFAULT_WIRE_PROFILE: WireProfile = "ng";

/** SCTP payload protocol identifier of ASAP (IANA), RFC profile. @see RFC 5352 */
export const PPID_ASAP = 11;
/** SCTP payload protocol identifier of ENRP (IANA), RFC profile. @see RFC 5353 */
export const PPID_ENRP = 12;
/** Payload protocol identifier of ASAP in the NG profile (ASCII "NGAS"; not IANA-assigned). */
export const PPID_ASAP_NG = 0x4e474153;
/** Payload protocol identifier of ENRP in the NG profile (ASCII "NGEN"; not IANA-assigned). */
export const PPID_ENRP_NG = 0x4e47454e;

/** The flags-byte bit that marks a message as NG profile. */
export const NG_FLAG = 0x80;

/** Well-known ASAP port (SCTP, TCP, UDP announces). */
export const ASAP_PORT = 3863;
/** Well-known ENRP port (SCTP, TCP, UDP presence). */
export const ENRP_PORT = 9901;
/** RSPLIB's default ASAP Server Announce multicast group. */
export const ASAP_ANNOUNCE_GROUP = "239.0.0.50";
/** RSPLIB's default ENRP Presence multicast group. */
export const ENRP_PRESENCE_GROUP = "239.0.0.51";

/** Largest PE or PR identifier of the RFC profile (32 bits). */
export const MAX_ID_RFC = 0xffffffffn;
/** Largest PE or PR identifier of the NG profile (64 bits). */
export const MAX_ID_NG = 0xffffffffffffffffn;

/**
 * Width in bytes of PE and PR identifier fields in a profile.
 *
 * @param profile The wire profile.
 * @returns 4 for the RFC profile, 8 for NG.
 * @example Identifier width
 * ```ts
 * import { idBytes } from "./profile.ts";
 * import assert from "node:assert/strict";
 * assert.equal(idBytes("rfc"), 4);
 * assert.equal(idBytes("ng"), 8);
 * ```
 */
export function idBytes(profile: WireProfile): 4 | 8 {
  return profile === "rfc" ? 4 : 8;
}

/**
 * Width in bytes of the handlespace checksum in a profile (PE Checksum parameter value).
 *
 * @param profile The wire profile.
 * @returns 2 (Internet-16) for the RFC profile, 4 (Internet-32) for NG.
 * @example Checksum width
 * ```ts
 * import { checksumBytes } from "./profile.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checksumBytes("ng"), 4);
 * ```
 */
export function checksumBytes(profile: WireProfile): 2 | 4 {
  return profile === "rfc" ? 2 : 4;
}

/**
 * Largest identifier a profile can carry.
 *
 * @param profile The wire profile.
 * @returns `0xffffffffn` (RFC) or `0xffffffffffffffffn` (NG).
 * @example Range check
 * ```ts
 * import { maxId } from "./profile.ts";
 * import assert from "node:assert/strict";
 * assert.ok(0x1_0000_0000n > maxId("rfc"));
 * ```
 */
export function maxId(profile: WireProfile): bigint {
  return profile === "rfc" ? MAX_ID_RFC : MAX_ID_NG;
}

/**
 * The ASAP payload protocol identifier of a profile.
 *
 * @param profile The wire profile.
 * @returns {@link PPID_ASAP} or {@link PPID_ASAP_NG}.
 * @example ASAP PPID
 * ```ts
 * import { asapPpid, PPID_ASAP } from "./profile.ts";
 * import assert from "node:assert/strict";
 * assert.equal(asapPpid("rfc"), PPID_ASAP);
 * ```
 */
export function asapPpid(profile: WireProfile): number {
  return profile === "rfc" ? PPID_ASAP : PPID_ASAP_NG;
}

/**
 * The ENRP payload protocol identifier of a profile.
 *
 * @param profile The wire profile.
 * @returns {@link PPID_ENRP} or {@link PPID_ENRP_NG}.
 * @example ENRP PPID
 * ```ts
 * import { enrpPpid, PPID_ENRP_NG } from "./profile.ts";
 * import assert from "node:assert/strict";
 * assert.equal(enrpPpid("ng"), PPID_ENRP_NG);
 * ```
 */
export function enrpPpid(profile: WireProfile): number {
  return profile === "rfc" ? PPID_ENRP : PPID_ENRP_NG;
}

/** What a payload protocol identifier says about a payload. */
export type PpidMeaning =
  | { readonly protocol: "asap" | "enrp"; readonly profile: WireProfile }
  | { readonly protocol: "data" };

/**
 * Classifies a payload protocol identifier: ASAP or ENRP of a profile, or application data.
 *
 * @param ppid The payload protocol identifier.
 * @returns The protocol and profile, or `{ protocol: "data" }` for any other PPID.
 * @example Classify
 * ```ts
 * import { classifyPpid, PPID_ENRP_NG } from "./profile.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(classifyPpid(11), { protocol: "asap", profile: "rfc" });
 * assert.deepEqual(classifyPpid(PPID_ENRP_NG), { protocol: "enrp", profile: "ng" });
 * assert.deepEqual(classifyPpid(38), { protocol: "data" });
 * ```
 */
export function classifyPpid(ppid: number): PpidMeaning {
  switch (ppid) {
    case PPID_ASAP:
      return { protocol: "asap", profile: "rfc" };
    case PPID_ENRP:
      return { protocol: "enrp", profile: "rfc" };
    case PPID_ASAP_NG:
      return { protocol: "asap", profile: "ng" };
    case PPID_ENRP_NG:
      return { protocol: "enrp", profile: "ng" };
    default:
      return { protocol: "data" };
  }
}
