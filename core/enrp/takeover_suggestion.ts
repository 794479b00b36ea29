/**
 * Takeover suggestion (draft-dreibholz-rserpool-enrp-takeover, spec/behaviour.md §10.2) and the
 * load-evening decision around it.
 *
 * **The XOR rule.** A home registrar that sends a Handle Update ADD_PE for a PE picks the
 * "useful" peer: the one whose identifier XOR the PE identifier is largest, provided it is larger
 * than its own identifier XOR the PE identifier. It sends that peer one more copy of the update
 * with the T flag; the peer answers by sending the PE an Endpoint Keep-Alive with the H flag, so
 * the PE moves there. A PE only ever moves towards a larger XOR value, so suggestions can never
 * send a PE round in circles. The rule is the draft's for 32-bit identifiers; for the NG
 * profile's 64-bit identifiers it is the same comparison over all 64 bits.
 *
 * **When.** The draft leaves open when a home should suggest, and the XOR rule alone does not
 * even out load: with a few registrars, the one whose identifier differs from most PE
 * identifiers in a high bit wins most PEs. So we suggest only while a registrar carries "far
 * more" PEs than its peers: more than `threshold` times the mean number of PEs owned per
 * registrar (the live peers and itself, as its own handlespace counts them), and only towards
 * peers that own fewer than the mean; among those, the XOR rule picks ({@link suggestionTarget};
 * the draft's condition that the peer beat the home's own XOR is dropped there, the load
 * condition guarantees progress instead: every move goes from a registrar above the threshold
 * to one below the mean, so the sum of squared loads falls and moves stop once every registrar
 * is within the threshold). A receiver acts on a suggestion only while it owns fewer PEs than
 * the mean itself, so a burst of suggestions does not overload it.
 *
 * @module
 */

import type { RegistrarId } from "../wire/pool_element_parameter.ts";

/** How many PEs a registrar owns (as some registrar's handlespace counts them). */
export interface OwnershipLoad {
  /** The registrar. */
  readonly id: RegistrarId;
  /** PEs whose home it is. */
  readonly count: number;
}

/**
 * The peer a PE should be suggested to under the XOR rule.
 *
 * @param ownId The home registrar's identifier.
 * @param peId The PE identifier.
 * @param candidates Identifiers of the peers that may take PEs (0 and `ownId` are skipped).
 * @returns The peer with the largest `id XOR peId` if that beats `ownId XOR peId`, else `undefined`.
 * @example Pick the peer with the largest XOR
 * ```ts
 * import { usefulPeer } from "./takeover_suggestion.ts";
 * import assert from "node:assert/strict";
 * // 0b0001 ^ 0b0110 = 0b0111 beats own 0b0100 ^ 0b0110 = 0b0010; 0b0010 ^ 0b0110 = 0b0100.
 * assert.equal(usefulPeer(0b0100n, 0b0110n, [0b0001n, 0b0010n]), 0b0001n);
 * assert.equal(usefulPeer(0b1000n, 0b0110n, [0b0001n]), undefined); // own XOR is larger
 * ```
 */
export function usefulPeer(
  ownId: RegistrarId,
  peId: bigint,
  candidates: Iterable<RegistrarId>,
): RegistrarId | undefined {
  let best: RegistrarId | undefined = undefined;
  let bestXor = ownId ^ peId;
  for (const id of candidates) {
    if (id === 0n || id === ownId) continue;
    const x = id ^ peId;
    if (x > bestXor) {
      best = id;
      bestXor = x;
    }
  }
  return best;
}

/**
 * The peers a registrar should suggest takeovers to: none unless it owns more than `threshold`
 * times the mean (and at least one PE more than the mean); otherwise the peers owning fewer than
 * the mean.
 *
 * @param own This registrar and the PEs it owns.
 * @param peers The live peers and the PEs each owns.
 * @param threshold The "far more" factor (at least 1).
 * @returns The identifiers of the peers that may take PEs, possibly empty.
 * @example Five registrars, one carrying everything
 * ```ts
 * import { underloadedPeers } from "./takeover_suggestion.ts";
 * import assert from "node:assert/strict";
 * const peers = [{ id: 2n, count: 0 }, { id: 3n, count: 0 }, { id: 4n, count: 250 }];
 * assert.deepEqual(underloadedPeers({ id: 1n, count: 750 }, peers, 1.25), [2n, 3n]);
 * assert.deepEqual(underloadedPeers({ id: 1n, count: 260 }, [{ id: 2n, count: 240 }], 1.25), []);
 * ```
 */
export function underloadedPeers(
  own: OwnershipLoad,
  peers: readonly OwnershipLoad[],
  threshold: number,
): RegistrarId[] {
  if (peers.length === 0) return [];
  let total = own.count;
  for (const p of peers) total += p.count;
  const mean = total / (peers.length + 1);
  if (own.count <= threshold * mean || own.count - mean < 1) return [];
  const out: RegistrarId[] = [];
  for (const p of peers) if (p.count < mean) out.push(p.id);
  return out;
}

/**
 * The peer to suggest a PE to for load evening: none unless `own` is over the threshold
 * ({@link underloadedPeers}); otherwise the underloaded peer with the largest `id XOR peId`.
 *
 * @param own This registrar and the PEs it owns.
 * @param peId The PE identifier.
 * @param peers The live peers and the PEs each owns.
 * @param threshold The "far more" factor (at least 1).
 * @returns The peer, or `undefined` for no suggestion.
 * @example An overloaded home picks among the underloaded peers by XOR
 * ```ts
 * import { suggestionTarget } from "./takeover_suggestion.ts";
 * import assert from "node:assert/strict";
 * const peers = [{ id: 0b0010n, count: 0 }, { id: 0b0100n, count: 0 }, { id: 0b1000n, count: 90 }];
 * assert.equal(suggestionTarget({ id: 0b0001n, count: 110 }, 0b0110n, peers, 1.25), 0b0010n);
 * // 40 PEs against a mean of 32.5: within 1.25 × the mean, no suggestion.
 * assert.equal(suggestionTarget({ id: 0b0001n, count: 40 }, 0b0110n, peers, 1.25), undefined);
 * ```
 */
export function suggestionTarget(
  own: OwnershipLoad,
  peId: bigint,
  peers: readonly OwnershipLoad[],
  threshold: number,
): RegistrarId | undefined {
  let best: RegistrarId | undefined = undefined;
  let bestXor = -1n;
  for (const id of underloadedPeers(own, peers, threshold)) {
    const x = id ^ peId;
    if (x > bestXor) {
      best = id;
      bestXor = x;
    }
  }
  return best;
}
