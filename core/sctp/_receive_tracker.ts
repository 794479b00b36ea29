// The receiver's record of DATA TSNs (RFC 9260 section 6.2): the cumulative TSN, the TSNs received
// above it as ranges (the SACK's gap ack blocks), and duplicates to report. Bounded: at most
// `maxRanges` ranges and TSNs at most `maxSpan` past the cumulative TSN; others are refused.

import { tsnAdd, tsnDiff } from "./_serial.ts";

/** What recording a TSN found. */
export type TsnRecord = "new" | "duplicate" | "refused";

export class ReceiveTracker {
  #cum: number;
  /** Ranges above cum as absolute TSNs [start0, end0, start1, end1, ...], ordered by offset. */
  #ranges: number[] = [];
  #dups: number[] = [];
  #maxRanges: number;
  #maxSpan: number;
  #maxDups: number;

  constructor(initialTsn: number, maxRanges = 1024, maxSpan = 1 << 20, maxDups = 32) {
    this.#cum = tsnAdd(initialTsn, -1);
    this.#maxRanges = maxRanges;
    this.#maxSpan = maxSpan;
    this.#maxDups = maxDups;
  }

  /** The cumulative TSN: every TSN up to it has arrived. */
  get cumulativeTsn(): number {
    return this.#cum;
  }

  /** Whether TSNs above the cumulative TSN have arrived (a gap exists). */
  get hasGaps(): boolean {
    return this.#ranges.length > 0;
  }

  /** The highest TSN received. */
  get highestTsn(): number {
    const r = this.#ranges;
    return r.length > 0 ? r[r.length - 1]! : this.#cum;
  }

  /** Whether `tsn` has arrived already (without recording anything). */
  has(tsn: number): boolean {
    const d = tsnDiff(tsn, this.#cum);
    if (d <= 0) return true;
    return this.#find(d) >= 0;
  }

  /**
   * Whether a TSN could be recorded (in the window and, when it would open a new range, under the
   * range limit). Does not record.
   */
  accepts(tsn: number): boolean {
    const d = tsnDiff(tsn, this.#cum);
    if (d <= 0 || d > this.#maxSpan) return false;
    if (d === 1) return true;
    if (this.#ranges.length / 2 < this.#maxRanges) return true;
    return this.#touchesRange(d);
  }

  /** Records a TSN: `new`, `duplicate` (noted for the next SACK) or `refused` (out of bounds). */
  record(tsn: number): TsnRecord {
    const cum = this.#cum;
    const d = tsnDiff(tsn, cum);
    if (d <= 0 || this.#contains(d)) {
      if (this.#dups.length < this.#maxDups) this.#dups.push(tsn);
      return "duplicate";
    }
    if (d > this.#maxSpan) return "refused";
    const r = this.#ranges;
    if (d === 1) {
      this.#cum = tsn;
      if (r.length > 0 && r[0] === tsnAdd(tsn, 1)) {
        this.#cum = r[1]!;
        r.splice(0, 2);
      }
      return "new";
    }
    // Insert into the ordered ranges, merging neighbours.
    let lo = 0, hi = r.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tsnDiff(r[2 * mid]!, cum) < d) lo = mid + 1;
      else hi = mid;
    }
    // Range lo starts at or after tsn; range lo-1 starts before it.
    const prevEnd = lo > 0 ? tsnDiff(r[2 * lo - 1]!, cum) : -1;
    const nextStart = lo < r.length / 2 ? tsnDiff(r[2 * lo]!, cum) : -1;
    const joinsPrev = prevEnd === d - 1;
    const joinsNext = nextStart === d + 1;
    if (joinsPrev && joinsNext) {
      r[2 * lo - 1] = r[2 * lo + 1]!;
      r.splice(2 * lo, 2);
    } else if (joinsPrev) {
      r[2 * lo - 1] = tsn;
    } else if (joinsNext) {
      r[2 * lo] = tsn;
    } else {
      if (r.length / 2 >= this.#maxRanges) return "refused";
      r.splice(2 * lo, 0, tsn, tsn);
    }
    return "new";
  }

  /**
   * Gap ack blocks as offsets from the cumulative TSN ([start, end] pairs, flattened), at most
   * `max` of them (the lowest first).
   */
  gapBlocks(max: number): number[] {
    const r = this.#ranges, cum = this.#cum, out: number[] = [];
    const n = Math.min(max, r.length / 2);
    for (let i = 0; i < n; i++) {
      const s = tsnDiff(r[2 * i]!, cum), e = tsnDiff(r[2 * i + 1]!, cum);
      if (e > 0xffff) break; // offsets are 16-bit on the wire
      out.push(s, e);
    }
    return out;
  }

  /** The number of ranges above the cumulative TSN. */
  get rangeCount(): number {
    return this.#ranges.length / 2;
  }

  /** Takes the duplicates noted since the last call. */
  takeDuplicates(): number[] {
    const d = this.#dups;
    this.#dups = [];
    return d;
  }

  /** Whether duplicates wait to be reported. */
  get hasDuplicates(): boolean {
    return this.#dups.length > 0;
  }

  #find(d: number): number {
    const r = this.#ranges, cum = this.#cum;
    let lo = 0, hi = r.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = tsnDiff(r[2 * mid]!, cum), e = tsnDiff(r[2 * mid + 1]!, cum);
      if (d < s) hi = mid - 1;
      else if (d > e) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  #contains(d: number): boolean {
    return this.#ranges.length > 0 && this.#find(d) >= 0;
  }

  #touchesRange(d: number): boolean {
    return this.#find(d - 1) >= 0 || this.#find(d + 1) >= 0 || this.#find(d) >= 0;
  }
}
