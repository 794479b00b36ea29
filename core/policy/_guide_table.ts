// Guide table (indexed search, the "cutpoint method") next to the weighted-random engine's
// prefix-sum tree: an O(1) expected-time way to the slot whose cumulative weight range contains
// a draw r, which returns exactly the slot the tree descent returns.
//
// Layout: cum: Float64Array of entries, one per slot of positive weight in ascending slot order;
// entry e is the pair (cum[2e] = the sum of the weights of all slots before it, cum[2e + 1] =
// its slot), and a final sentinel pair (total, −1). first: Int32Array by bucket; bucket b covers
// the draws b·w … (b + 1)·w − 1 for a bucket width w that is a power of two (so ⌊r / w⌋ is exact
// in doubles), chosen so that there are between n and 2n buckets for n entries; first[b] is the
// entry whose range contains b·w. A draw r reads first[⌊r / w⌋] and steps forward while the
// next entry starts at or before r: on average fewer than one step (at most n entries start in
// 2n buckets), and a draw touches one entry of `first` and one or two cache lines of `cum`,
// where the tree's descent at N = 100000 reads six levels, two of them far bigger than L2.
//
// The table holds a snapshot of the weights: any change makes it stale, and the tree stays the
// always-correct path. It is rebuilt lazily: only after GUIDE_QUIET_SHIFT's share of selections
// since the last change (a pool whose weights change on every use, like the degradation
// policies', never pays for it), then in steps of GUIDE_STEP units of work (a slot visited or a
// bucket filled) per selection, so no call does more than O(log N + GUIDE_STEP) work and the
// O(N) rebuild is paid by the O(N) selections that wait for it (amortised O(1)). A scan longer
// than GUIDE_SCAN_MAX steps (many tiny weights in one bucket) gives up and the tree answers.

const EMPTY_F64 = new Float64Array(0);
const EMPTY_I32 = new Int32Array(0);

/**
 * Units of build work (a slot visited or a bucket filled) done per selection while the table is
 * rebuilt: a full rebuild of N slots takes ≈ (capacity + 2N) / GUIDE_STEP selections.
 */
export const GUIDE_STEP = 128;

/**
 * The rebuild starts once capacity >> GUIDE_QUIET_SHIFT (plus GUIDE_QUIET_MIN) selections have
 * run on the tree since the last weight change: a pool whose weights change more often keeps
 * using the tree and does no build work that a change would throw away.
 */
export const GUIDE_QUIET_SHIFT = 4;

/** The least number of quiet selections before a rebuild starts (see GUIDE_QUIET_SHIFT). */
export const GUIDE_QUIET_MIN = 16;

/** A forward scan gives up after this many steps (the tree answers instead). */
export const GUIDE_SCAN_MAX = 16;

export class GuideTable {
  /** The entries: (start of the slot's range, slot) pairs, then (total, −1). */
  cum: Float64Array = EMPTY_F64;
  /** By bucket: the entry whose range contains the bucket's first draw. */
  first: Int32Array = EMPTY_I32;
  /** Whether the table matches the weights (set when a rebuild completes). */
  ready = false;
  /** [1 / bucket width, bucket width, running sum of a build] (doubles in a typed array). */
  readonly #f = new Float64Array(3);
  /** Selections on the tree since the last change. */
  #quiet = 0;
  /** The next slot to visit in a build, −1 when no build is under way. */
  #slot = -1;
  /** The next entry and bucket to write in a build, and the number of buckets. */
  #entry = 0;
  #bucket = 0;
  #buckets = 0;

  /** The weights changed: the table is stale and a build under way starts over later. */
  invalidate(): void {
    this.ready = false;
    this.#quiet = 0;
    this.#slot = -1;
  }

  /**
   * Counts one selection that ran on the tree; once enough have run since the last change, does
   * one step of the rebuild over `val` (weights by slot, `capacity` slots, `live` of them in
   * use, summing to `total`).
   */
  tick(val: Float64Array, capacity: number, live: number, total: number): void {
    if (++this.#quiet < (capacity >> GUIDE_QUIET_SHIFT) + GUIDE_QUIET_MIN) return;
    if (this.#slot < 0) {
      if (total <= 0 || live <= 0) return;
      this.#start(capacity, live, total);
    }
    this.#step(val, capacity);
  }

  /**
   * The entry whose range contains r (0 ≤ r < total), or −1 when the scan is too long. Only
   * while `ready`.
   */
  find(r: number): number {
    const cum = this.cum;
    let e = this.first[Math.floor(r * this.#f[0]!)]!;
    const stop = e + GUIDE_SCAN_MAX;
    while (cum[2 * e + 2]! <= r) {
      if (++e === stop) return -1;
    }
    return e;
  }

  /** Builds the whole table at once (tests; selections build it step by step). */
  build(val: Float64Array, capacity: number, live: number, total: number): void {
    this.invalidate();
    if (total <= 0 || live <= 0) return;
    this.#start(capacity, live, total);
    while (!this.ready) this.#step(val, capacity);
  }

  // Chooses the bucket width (a power of two, so that there are at most 2·live buckets) and
  // makes room.
  #start(capacity: number, live: number, total: number): void {
    let w = 1;
    while (total > 2 * live * w) w *= 2;
    const buckets = Math.ceil(total / w);
    if (this.cum.length < 2 * capacity + 2) this.cum = new Float64Array(2 * capacity + 2);
    if (this.first.length < buckets) this.first = new Int32Array(Math.max(buckets, 2 * capacity));
    const f = this.#f;
    f[0] = 1 / w;
    f[1] = w;
    f[2] = 0;
    this.#buckets = buckets;
    this.#slot = this.#entry = this.#bucket = 0;
  }

  // Up to GUIDE_STEP units of the build: fill the buckets that start within the last entry's
  // range, else visit the next slot (appending an entry for a positive weight).
  #step(val: Float64Array, capacity: number): void {
    const cum = this.cum, first = this.first, f = this.#f, w = f[1]!, buckets = this.#buckets;
    let s = this.#slot, e = this.#entry, b = this.#bucket, c = f[2]!;
    for (let units = GUIDE_STEP; units > 0; units--) {
      if (b < buckets && b * w < c) first[b++] = e - 1;
      else if (s < capacity) {
        const v = val[s]!;
        if (v !== 0) {
          cum[2 * e] = c;
          cum[2 * e + 1] = s;
          e++;
          c += v;
        }
        s++;
      } else {
        cum[2 * e] = c;
        cum[2 * e + 1] = -1;
        this.ready = true;
        s = -1;
        break;
      }
    }
    this.#slot = s;
    this.#entry = e;
    this.#bucket = b;
    f[2] = c;
  }
}
