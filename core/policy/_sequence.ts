// Sequence numbers: a per-pool counter that orders pool elements by their
// last use (or insertion). They are doubles, exact up to 2^53; a counter that
// reaches SEQ_LIMIT is renumbered to 0 .. n−1, preserving the order.

/**
 * Renumbering threshold (2^52; HeapEngine.usePlain() has it as a literal, too; CalendarEngine
 * keeps its numbers less a base and renumbers where base + number reaches it).
 */
export const SEQ_LIMIT = 2 ** 52;

/**
 * The first sequence number of a new pool: just below the limit, so that
 * every pool renumbers once after 16 uses while it is still small and the
 * rare path stays exercised (RSPLIB starts its 32-bit counters 16 below the
 * wrap for the same reason).
 */
export const SEQ_START = SEQ_LIMIT - 16;

/**
 * Renumbers the sequence numbers of the given slots to 0 .. count−1 in their
 * current order.
 *
 * @returns The next free sequence number (count).
 */
export function renumber(seq: Float64Array, slots: Int32Array, count: number): number {
  const order = Array.from(slots.subarray(0, count));
  order.sort((a, b) => seq[a]! - seq[b]!);
  for (let i = 0; i < count; i++) seq[order[i]!] = i;
  return count;
}
