// Guide table (indexed search, the "cutpoint method") next to the weighted-random engine's
// prefix-sum tree: an O(1) expected-time way to the slot whose cumulative weight range contains
// a draw r, which returns exactly the slot the tree descent returns.
//
// Layout: cum: Float64Array of entries, one per slot of positive weight in ascending slot order;
// entry e is the pair (cum[2e] = the sum of the weights of all slots before it, cum[2e + 1] =
// its slot), and a final sentinel pair (total, −1). Bucket b covers the draws b·w … (b + 1)·w − 1
// for a bucket width w that is a power of two (so ⌊r / w⌋ is exact in doubles), chosen so that
// there are between n and 2n buckets for n entries. first: Int32Array by bucket, the entry whose
// range contains the bucket's first draw b·w. words: by bucket, the answer for the buckets that
// at most one range boundary crosses, a pair (a, off): a, the slot of the range that contains
// b·w, and off, the offset of the next range's start within the bucket (all ones if there is
// none); a draw r with d = r − b·w is slot a if d < off, else slot a + 1 (branch-free).
// Buckets with two or more boundaries, or whose next range's slot is not a + 1 (slots of
// weight 0 in between), hold a = −3 − first[b] (and off = 0): the draw steps forward through
// `cum` from that entry while the next entry starts at or before r (fewer than one step on
// average: at most n entries start in 2n buckets), with no read of `first`. The pair is packed
// into one 32-bit word (a in the low S bits, two's complement, off in the high 32 − S) when both
// fit: S bits hold every slot and −3 − entry, and the width's log2 is below 32 − S (weights of up
// to a few thousand, as RFC 5356's weight in practice); else it takes two words (spare capacities
// near 2^32: buckets up to 2^31 wide, wider in a tracked table's capped build). So a draw touches
// one cache line of `words` (in the bench workload at N = 100000: 92 % of the buckets, 92 % of the
// draws, against the 53 % whose bucket lies within one range), else one or two of `cum`, where the
// tree's descent at N = 100000 reads six levels, two of them far bigger than L2. Packed, `words`
// at N = 100000 is 630 KB, which with the selection counters and the entries fits L2 (2 MiB) where
// the 1.26 MB of pairs did not (k = 1 there 1.2–1.6× faster, wave 12). Memory: 8 bytes per
// bucket packed (12 with pairs) and 16 per entry, at most 32 (40) bytes per live PE, allocated
// at the first rebuild (a pool that is never selected from has none).
//
// The table holds a snapshot of the weights: any change makes it stale, and the tree stays the
// always-correct path. It is rebuilt lazily: only after GUIDE_QUIET_SHIFT's share of selections
// since the last change (a pool whose weights change on every use, like the degradation
// policies', never pays for it), then in steps of GUIDE_STEP units of work (a slot visited or a
// bucket filled) per selection, so no call does more than O(log N + GUIDE_STEP) work and the
// O(N) rebuild is paid by the O(N) selections that wait for it (amortised O(1)). A scan longer
// than GUIDE_SCAN_MAX steps (many tiny weights in one bucket) gives up and the tree answers.
//
// With `trackStarts(records)` (the degradation policies' engine, whose rejection test needs where
// in its range a draw fell) the build also writes each slot's range start into that engine's
// per-slot records, at records[RECORD · slot] (in the engine's memory, next to what the test
// reads with it; a slot of weight 0 gets the start of the next range, and a sentinel record after
// the last slot the total), and `words` holds one word per bucket, −3 − a (a: the slot of the
// range that contains the bucket's first draw, not its entry): findTracked steps through the
// records from slot a while the next slot's start is at or before r (the records the caller reads
// next anyway, adjacent), instead of through `cum` (findSlot decodes the same word as a bucket to
// scan). Such a table has at most TRACKED_BUCKETS_MAX buckets: from 8192 PEs on, a bucket spans a
// few ranges and a draw scans a few adjacent records, but `words` (at most 64 KB) stays in L2
// while the records miss, so a draw's one likely miss is its record (wave 12 `rlud100k`: 32768
// pairs of words, 1.2–1.5× against 2n buckets at N = 100000; wave 13 `rludmem`: one word per
// bucket and 16384 buckets, RLUD / RPLUD N = 100000 paired k = 1 about 1.1×, k = 3 1.2–1.3×
// against that; 65536 single words, 256 KB, ran 0.9–1.0×).

const EMPTY_F64 = new Float64Array(0);
/** `touch` of a table whose owner gave none (every read is past its end). */
const NO_TOUCH: readonly unknown[] = [];
/** `first` and `words` of a stale table (pair layout): every find returns −1 (see findSlot). */
const STALE_FIRST = Int32Array.of(-1);
const STALE_WORDS = Int32Array.of(-2, 0);
/**
 * The offset of a pair-layout bucket that no boundary crosses: above every offset (an offset is
 * at most the weight of the range before the boundary, below 2^32, and below the width).
 */
const NO_BOUND = 0xffffffff;

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

/** Doubles per slot in the records of trackStarts() (the range start is the first). */
export const RECORD = 4;

/** A forward scan gives up after this many steps (the tree answers instead). */
export const GUIDE_SCAN_MAX = 16;

/**
 * With trackStarts(): at most this many buckets (64 KB of `words`, which stays in L2 while the
 * draws' records miss; a scan steps through adjacent records, a few per bucket). Pools of up to
 * half as many PEs keep their 2n buckets (8192 buckets cost 5–10 % at N = 10000 against 16384).
 */
export const TRACKED_BUCKETS_MAX = 16384;

/**
 * A scan through a tracked table's records (findTracked) gives up at this many steps (fewer
 * succeed).
 */
export const TRACKED_SCAN_MAX = 64;

export class GuideTable {
  /** The entries: (start of the slot's range, slot) pairs, then (total, −1). */
  cum: Float64Array = EMPTY_F64;
  /**
   * By bucket b: the entry whose range contains the bucket's first draw. A stale table's is
   * [−1] (with 1 / width = 0, every draw falls into bucket 0).
   */
  first: Int32Array = STALE_FIRST;
  /**
   * By bucket b, the pair (a, off): the draw's slot is a if its offset within the bucket is
   * below off, else a + 1; a = −3 − (the bucket's first entry) where the draw must step through
   * `cum` (a stale table's (−2, 0) gives −1). Packed layout: one word per bucket, off in the
   * high 32 − S bits and a in the low S bits (two's complement); pair layout: words[2b] = a,
   * words[2b + 1] = off (unsigned); with trackStarts(), one word per bucket, −3 − the slot of
   * its first draw (no offset). See #st.
   */
  words: Int32Array = STALE_WORDS;
  // The layout, read by findSlot (small integers in fields: one load each): log2 of the words
  // per bucket (0 packed or tracked, 1 pairs), 32 − S (0 for pairs and tracked: the shift pair
  // that sign-extends a), S (0 for pairs and tracked: the shift that extracts off; a tracked
  // bucket's word serves as its own offset, whatever the test gives is a scan: #scanSlot hands it
  // to findTracked).
  #st = 1;
  #t = 0;
  #u = 0;
  /**
   * With trackStarts(): the array its owner's caller reads at the found slot next (a
   * handlespace's entries by slot); findTracked reads it at the slot its bucket names, which is
   * at or a few slots before the found one, mostly in the same cache line (see findTracked).
   */
  touch: readonly unknown[] = NO_TOUCH;
  /**
   * With trackStarts(): records[RECORD · slot] is set to the start of the slot's range (a slot of
   * weight 0: the next range's), records[RECORD · capacity] to the total (the scans' sentinel).
   */
  #records: Float64Array | undefined = undefined;
  /** [1 / bucket width (0 while stale), bucket width, running sum of a build]. */
  readonly #f = new Float64Array(3);
  /** The tables a build fills (published as `first` and `words` when complete). */
  #first: Int32Array = STALE_FIRST;
  #words: Int32Array = STALE_WORDS;
  /** The build's S (slot bits of the packed layout; 0: pair layout). */
  #bits = 0;
  /** Tree draws since the last change. */
  #quiet = 0;
  /** The next slot to visit in a build, −1 when no build is under way. */
  #slot = -1;
  /** The next entry and bucket to write in a build, the number of buckets, and the entry
   * that contains the next bucket's first draw. */
  #entry = 0;
  #bucket = 0;
  #buckets = 0;
  #at = 0;

  /**
   * From the next build on, writes each slot's range start to records[RECORD · slot] (again
   * after the records were reallocated; invalidates the table), and the total after the last
   * slot: the records hold capacity + 1 of them, the last a sentinel that ends findSlot's
   * scans.
   */
  trackStarts(records: Float64Array): void {
    this.#records = records;
    this.invalidate();
  }

  /** Whether the table matches the weights (a rebuild completed since the last change). */
  get ready(): boolean {
    return this.first !== STALE_FIRST;
  }

  /** The weights changed: the table is stale and a build under way starts over later. */
  invalidate(): void {
    this.#quiet = 0;
    // Cheap when already stale (a pool whose weights change on every use calls this each time).
    if (this.first !== STALE_FIRST || this.#slot >= 0) {
      this.first = STALE_FIRST;
      this.words = STALE_WORDS;
      this.#st = 1;
      this.#t = this.#u = 0;
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
    if (this.first !== STALE_FIRST) return;
    if (++this.#quiet < (capacity >> GUIDE_QUIET_SHIFT) + GUIDE_QUIET_MIN) return;
    if (this.#slot < 0) {
      if (total <= 0 || live <= 0) return;
      this.#start(live, total, capacity);
    }
    this.#step(val, capacity);
  }

  /**
   * The slot whose range contains r (0 ≤ r < total); −1 while the table is stale or when the
   * scan is too long (the tree answers then). With trackStarts(), every bucket is scanned in the
   * records (slot by slot from the one the bucket names) instead of through `cum`; findTracked
   * does that directly.
   */
  findSlot(r: number): number {
    // r / width < 2^30 buckets: | 0 is ⌊ ⌋ here; b · width and the offset are exact. Kept
    // small (the scan is out of line) so that V8 inlines it into the resolution path. One
    // code for both layouts: x << t >> t is a (t = 32 − S; x itself for pairs, t = 0) and
    // y >>> S the offset (S = 0 for pairs: the whole second word, unsigned).
    const f = this.#f, words = this.words, st = this.#st, t = this.#t;
    const b = (r * f[0]!) | 0, i = b << st, x = words[i]!;
    const s = (x << t >> t) + (r - b * f[1]! < words[i + st]! >>> this.#u ? 0 : 1);
    return s >= 0 ? s : this.#scanSlot(r, s);
  }

  /**
   * findSlot of a table with trackStarts() (the same slot): from the slot its bucket names, the
   * next slot's start, at or before r, moves on.
   */
  findTracked(r: number): number {
    // A stale table's first word (−2) gives −1.
    let x = -3 - this.words[(r * this.#f[0]!) | 0]!;
    if (x < 0) return -1;
    // The caller's entry near the slot, read now so that its cache line loads while the records
    // do, rather than after them (no entry is this table: the test never holds). At N = 100000
    // a k = 1 call otherwise waits for the record's line, then the entry's (wave 14).
    if (this.touch[x] === this) return -1;
    const records = this.#records!;
    for (let steps = TRACKED_SCAN_MAX; records[RECORD * (x + 1)]! <= r;) {
      x++;
      if (--steps === 0) return -1;
    }
    return x;
  }

  // findSlot for a bucket that `words` does not answer (s < 0): steps through `cum` from the
  // bucket's first entry, −2 − s (s = −1: the table is stale). Taking the entry from the
  // bucket's own line rather than `first` saves a dependent cache miss per scan (at N = 100000
  // `first` is 630 KB beyond L2 next to the other tables: wave 12).
  #scanSlot(r: number, s: number): number {
    if (s === -1) return -1;
    // A tracked table's buckets name a slot, not an entry: the records' scan from it (findSlot
    // decoded the bucket's word, or one more where its offset test failed; findTracked reads the
    // word again and scans from the slot it names, which gives the same slot).
    if (this.#records !== undefined) return this.findTracked(r);
    let e = -2 - s;
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
    // The caller reads the entry's start and weight from `cum` next, so the scan starts
    // there too (`words` would be one more cache line).
    let e = this.first[(r * this.#f[0]!) | 0]!;
    if (e < 0) return -1;
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
    this.#start(live, total, capacity);
    while (this.first === STALE_FIRST) this.#step(val, capacity);
  }

  // Chooses the bucket width (a power of two, so that there are at most 2·live buckets, and with
  // trackStarts() at most TRACKED_BUCKETS_MAX) and the layout, and makes room. With
  // trackStarts() one word per bucket; else packed when a slot or −3 − entry (S bits, two's
  // complement) and an offset below the width with room for the no-boundary mark fit in 32 bits:
  // weights of a few thousand at most (RFC 5356's weight in practice); else pairs (spare
  // capacities).
  #start(live: number, total: number, capacity: number): void {
    let w = 1, k = 0;
    const most = this.#records === undefined ? Infinity : TRACKED_BUCKETS_MAX;
    while (total > 2 * live * w || total > most * w) {
      w *= 2;
      k++;
    }
    const buckets = Math.ceil(total / w);
    let bits = 2;
    while (2 ** (bits - 1) < capacity + 3) bits++;
    this.#bits = k + bits < 32 ? bits : 0;
    const length = this.#bits !== 0 || this.#records !== undefined ? buckets : 2 * buckets;
    // At most `live` entries and 2·live buckets (a reallocation costs less than the rebuild).
    if (this.cum.length < 2 * live + 2) this.cum = new Float64Array(2 * live + 2);
    // (Never the shared stale arrays: a table of one or two buckets would write into them.)
    if (this.#first === STALE_FIRST || this.#first.length < buckets) {
      this.#first = new Int32Array(buckets);
    }
    if (this.#words === STALE_WORDS || this.#words.length < length) {
      this.#words = new Int32Array(length);
    }
    this.#f[1] = w;
    this.#f[2] = 0;
    this.#buckets = buckets;
    this.#slot =
      this.#entry =
      this.#bucket =
      this.#at =
        0;
  }

  // Up to GUIDE_STEP units of the build: fill the next bucket once the entries cover it (the
  // last entry's range, ending at c, reaches past the bucket, or every slot has been visited),
  // else visit the next slot (appending an entry for a positive weight); at the end, publish
  // the table.
  #step(val: Float64Array, capacity: number): void {
    const cum = this.cum, first = this.#first, words = this.#words, bits = this.#bits;
    const records = this.#records;
    const f = this.#f, w = f[1]!;
    const buckets = this.#buckets;
    let s = this.#slot, e = this.#entry, b = this.#bucket, c = f[2]!, at = this.#at;
    for (let units = GUIDE_STEP; units > 0; units--) {
      if (b < buckets && ((b + 1) * w <= c || s >= capacity)) {
        // Entries at … e − 1 meet bucket b; `at` is the one that contains its first draw.
        const lo = b * w;
        while (at + 1 < e && cum[2 * at + 2]! <= lo) at++;
        first[b] = at;
        let a = cum[2 * at + 1]!, off = NO_BOUND;
        if (at + 1 !== e) {
          // One boundary, at offset cum[2(at + 1)] − lo (0 < off < w, off ≤ slot a's weight <
          // 2^32; w ≤ 2^31), to slot a + 1. Else the bucket's first entry, encoded below −2
          // (with offset 0, findSlot's s is −2 − at: the scan starts there without reading
          // `first`).
          const one = at + 2 === e && cum[2 * at + 3] === a + 1;
          off = one ? cum[2 * at + 2]! - lo : 0;
          if (!one) a = -3 - at;
        }
        if (records !== undefined) {
          // A tracked table: the slot of the bucket's first draw alone (findTracked scans on).
          words[b] = -3 - cum[2 * at + 1]!;
        } else if (bits === 0) {
          words[2 * b] = a;
          words[2 * b + 1] = off;
        } else {
          // The no-boundary mark: all 32 − S offset bits set (above every offset < w).
          words[b] = (off === NO_BOUND ? -1 << bits : off << bits) | (a & ((1 << bits) - 1));
        }
        b++;
      } else if (s < capacity) {
        const v = val[s]!;
        if (records !== undefined) records[RECORD * s] = c;
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
        if (records !== undefined) records[RECORD * capacity] = c;
        f[0] = 1 / w;
        this.words = words;
        const one = records !== undefined;
        this.#st = bits === 0 && !one ? 1 : 0;
        this.#t = bits === 0 || one ? 0 : 32 - bits;
        this.#u = one ? 0 : bits;
        this.first = first;
        s = -1;
        break;
      }
    }
    this.#slot = s;
    this.#entry = e;
    this.#bucket = b;
    this.#at = at;
    f[2] = c;
  }
}
