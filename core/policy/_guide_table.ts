// Guide table (indexed search, the "cutpoint method") next to the weighted-random engine's
// prefix-sum tree: an O(1) expected-time way to the slot whose cumulative weight range contains
// a draw r, which returns exactly the slot the tree descent returns.
//
// Layout: cum: Float64Array of entries, one per slot of positive weight in ascending slot order;
// entry e is the pair (cum[2e] = the sum of the weights of all slots before it, cum[2e + 1] =
// its slot), and a final sentinel pair (total, −1). Bucket b covers the draws b·w … (b + 1)·w − 1
// for a bucket width w that is a power of two (so ⌊r / w⌋ is exact in doubles), chosen so that
// there are between n and 2n buckets for n entries. first: Int32Array of pairs by bucket:
// first[2b] is the entry whose range contains b·w, first[2b + 1] its slot when that range covers
// the whole bucket (pools of GUIDE_PURE_MIN slots or more), else −1. A draw r reads the pair of
// bucket ⌊r / w⌋: the slot, if it is there (more than half of the draws at 2n buckets); else it
// steps forward from the entry while the next one starts at or before r (fewer than one step on
// average: at most n entries start in 2n buckets). So a draw touches one cache line of `first`
// and at most one or two of `cum`, where the tree's descent at N = 100000 reads six levels, two
// of them far bigger than L2. Memory: 8 bytes per bucket and 16 per entry, at most 32 bytes per
// live PE, allocated at the first rebuild (a pool that is never selected from has none).
//
// The table holds a snapshot of the weights: any change makes it stale, and the tree stays the
// always-correct path. It is rebuilt lazily: only after GUIDE_QUIET_SHIFT's share of selections
// since the last change (a pool whose weights change on every use, like the degradation
// policies', never pays for it), then in steps of GUIDE_STEP units of work (a slot visited or a
// bucket filled) per selection, so no call does more than O(log N + GUIDE_STEP) work and the
// O(N) rebuild is paid by the O(N) selections that wait for it (amortised O(1)). A scan longer
// than GUIDE_SCAN_MAX steps (many tiny weights in one bucket) gives up and the tree answers.

const EMPTY_F64 = new Float64Array(0);
/** `first` of a stale table: every find returns −1 (see findSlot). */
const STALE = Int32Array.of(-1, -1);

/**
 * Units of build work (a slot visited or a bucket filled) done per tree draw while the table is
 * rebuilt: a full rebuild of N slots takes ≈ (capacity + 2N) / GUIDE_STEP draws.
 */
export const GUIDE_STEP = 128;

/**
 * The rebuild starts once capacity >> GUIDE_QUIET_SHIFT (plus GUIDE_QUIET_MIN) draws have run
 * on the tree since the last weight change: a pool whose weights change more often keeps using
 * the tree and does no build work that a change would throw away.
 */
export const GUIDE_QUIET_SHIFT = 4;

/** The least number of quiet draws before a rebuild starts (see GUIDE_QUIET_SHIFT). */
export const GUIDE_QUIET_MIN = 16;

/**
 * Tables over at least this many slots mark buckets that lie within one range (with the slot
 * next to the entry in `first`): a draw there skips `cum`, which saves a cache miss once `cum`
 * outgrows the cache, but the extra unpredictable branch costs more than it saves while
 * everything stays in L1/L2.
 */
export const GUIDE_PURE_MIN = 8192;

/** A forward scan gives up after this many steps (the tree answers instead). */
export const GUIDE_SCAN_MAX = 16;

export class GuideTable {
  /** The entries: (start of the slot's range, slot) pairs, then (total, −1). */
  cum: Float64Array = EMPTY_F64;
  /**
   * By bucket b: first[2b] = the entry whose range contains the bucket's first draw;
   * first[2b + 1] = its slot when that range covers the whole bucket (no scan, no read of
   * `cum`), else −1. A stale table's is [−1, −1] (with 1 / width = 0, every draw falls into
   * bucket 0).
   */
  first: Int32Array = STALE;
  /** [1 / bucket width (0 while stale), bucket width, running sum of a build]. */
  readonly #f = new Float64Array(3);
  /** The bucket table a build fills (published as `first` when complete). */
  #table: Int32Array = STALE;
  /** Tree draws since the last change. */
  #quiet = 0;
  /** The next slot to visit in a build, −1 when no build is under way. */
  #slot = -1;
  /** The next entry and bucket to write in a build, and the number of buckets. */
  #entry = 0;
  #bucket = 0;
  #buckets = 0;
  /** Whether this build marks buckets within one range (GUIDE_PURE_MIN). */
  #pure = false;

  /** Whether the table matches the weights (a rebuild completed since the last change). */
  get ready(): boolean {
    return this.first !== STALE;
  }

  /** The weights changed: the table is stale and a build under way starts over later. */
  invalidate(): void {
    this.#quiet = 0;
    // Cheap when already stale (a pool whose weights change on every use calls this each time).
    if (this.first !== STALE || this.#slot >= 0) {
      this.first = STALE;
      this.#f[0] = 0;
      this.#slot = -1;
    }
  }

  /**
   * Counts one draw that ran on the tree; once enough have run since the last change, does one
   * step of the rebuild over `val` (weights by slot, `capacity` slots, `live` of them in use,
   * summing to `total`).
   */
  tick(val: Float64Array, capacity: number, live: number, total: number): void {
    if (this.first !== STALE) return;
    if (++this.#quiet < (capacity >> GUIDE_QUIET_SHIFT) + GUIDE_QUIET_MIN) return;
    if (this.#slot < 0) {
      if (total <= 0 || live <= 0) return;
      this.#start(capacity, live, total);
    }
    this.#step(val, capacity);
  }

  /**
   * The slot whose range contains r (0 ≤ r < total); −1 while the table is stale or when the
   * scan is too long (the tree answers then).
   */
  findSlot(r: number): number {
    // r / width < 2^30 buckets: | 0 is ⌊ ⌋ here.
    const i = ((r * this.#f[0]!) | 0) << 1, first = this.first;
    const s = first[i + 1]!;
    if (s >= 0) return s;
    let e = first[i]!;
    if (e < 0) return -1;
    const cum = this.cum, stop = e + GUIDE_SCAN_MAX;
    while (cum[2 * e + 2]! <= r) {
      if (++e === stop) return -1;
    }
    return cum[2 * e + 1]! | 0;
  }

  /**
   * The entry whose range contains r (0 ≤ r < total): its start is cum[2e], its slot
   * cum[2e + 1], its weight cum[2e + 2] − cum[2e]. −1 as findSlot.
   */
  findEntry(r: number): number {
    const i = ((r * this.#f[0]!) | 0) << 1, first = this.first;
    let e = first[i]!;
    if (first[i + 1]! >= 0 || e < 0) return e;
    const cum = this.cum, stop = e + GUIDE_SCAN_MAX;
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
    while (this.first === STALE) this.#step(val, capacity);
  }

  // Chooses the bucket width (a power of two, so that there are at most 2·live buckets) and
  // makes room.
  #start(capacity: number, live: number, total: number): void {
    let w = 1;
    while (total > 2 * live * w) w *= 2;
    const buckets = Math.ceil(total / w);
    // At most `live` entries and 2·live buckets (a reallocation costs less than the rebuild).
    if (this.cum.length < 2 * live + 2) this.cum = new Float64Array(2 * live + 2);
    if (this.#table.length < 2 * buckets) this.#table = new Int32Array(2 * buckets);
    this.#f[1] = w;
    this.#f[2] = 0;
    this.#buckets = buckets;
    this.#pure = capacity >= GUIDE_PURE_MIN;
    this.#slot = this.#entry = this.#bucket = 0;
  }

  // Up to GUIDE_STEP units of the build: fill the buckets that start within the last entry's
  // range (c is where it ends), else visit the next slot (appending an entry for a positive
  // weight); at the end, publish the table.
  #step(val: Float64Array, capacity: number): void {
    const cum = this.cum, first = this.#table, f = this.#f, w = f[1]!;
    const buckets = this.#buckets, pure = this.#pure;
    let s = this.#slot, e = this.#entry, b = this.#bucket, c = f[2]!;
    for (let units = GUIDE_STEP; units > 0; units--) {
      if (b < buckets && b * w < c) {
        first[2 * b] = e - 1;
        first[2 * b + 1] = pure && (b + 1) * w <= c ? cum[2 * e - 1]! : -1;
        b++;
      } else if (s < capacity) {
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
        f[0] = 1 / w;
        this.first = first;
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
