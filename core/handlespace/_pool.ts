// A pool of the handlespace: its settings, its selection state, its PEs by
// slot and by identifier, and their identifier order for paged enumeration.

import type { PoolPolicy } from "../policy/policy.ts";
import { SelectionPool } from "../policy/selection_pool.ts";
import type { SelectionKernel } from "../policy/selection_kernel.ts";
import type { TransportProtocol, TransportUse } from "../wire/transport_parameter.ts";
import type { PoolInfo } from "./pool_element.ts";
import type { Entry } from "./_entry.ts";
import { IdOrder } from "./_id_order.ts";
import { KeyMap } from "../_key_map.ts";

// Slots of a new pool's selection arrays: room for 16 PEs from the start, so that a small pool
// does not grow its arrays (and the engine's) 4 → 8 → 16, each time new typed-array views.
const INITIAL_CAPACITY = 16;

export class Pool implements PoolInfo {
  readonly poolHandle: Uint8Array;
  readonly hash: number;
  // The handle's first 8 bytes as two little-endian 32-bit words (zero-padded), for
  // matchesHandle(): a byte loop over a typed array costs about 1 ns per byte in V8, while two
  // word compares with constant indices cost about 3 ns for the 8 bytes (bench/HISTORY.md).
  readonly #length: number;
  readonly #w0: number;
  readonly #w1: number;
  readonly policy: PoolPolicy;
  readonly transportProtocol: TransportProtocol;
  readonly transportUse: TransportUse;
  readonly selection: SelectionPool;
  /** How many PEs of a handle resolution count as used: the handlespace's, or the policy's default. */
  readonly maxIncrement: number;
  /** Exact word sum of the handle (16- or 32-bit words, per the handlespace's checksum). */
  readonly handleSum: number;
  /** RSPLIB's word sum of the handle (little-endian 16-bit words), for checksumCompat "rsplib". */
  readonly rsplibHandleSum: number;
  /** Entries by slot (a removed entry stays until its slot is reused). */
  readonly entries: (Entry | undefined)[] = [];
  // Identifier → slot. Identifiers up to 2^53 (every RFC-profile identifier) are keyed by
  // their number value in a typed-array hash, which is about twice as fast as a Map with
  // bigint keys; larger ones go to a Map.
  readonly #small = new KeyMap(INITIAL_CAPACITY); // 2 × 16 slots, growing in step with the pool
  #big: Map<bigint, number> | undefined = undefined;
  readonly order = new IdOrder(this.entries);

  constructor(
    poolHandle: Uint8Array,
    hash: number,
    policy: PoolPolicy,
    protocol: TransportProtocol,
    use: TransportUse,
    handleSum: number,
    rsplibHandleSum: number,
    kernel: SelectionKernel,
    maxIncrement: number,
  ) {
    this.poolHandle = poolHandle;
    this.hash = hash;
    this.#length = poolHandle.length;
    const b = poolHandle, n = b.length;
    this.#w0 = byteAt(b, n, 0) | (byteAt(b, n, 1) << 8) | (byteAt(b, n, 2) << 16) |
      (byteAt(b, n, 3) << 24);
    this.#w1 = byteAt(b, n, 4) | (byteAt(b, n, 5) << 8) | (byteAt(b, n, 6) << 16) |
      (byteAt(b, n, 7) << 24);
    this.policy = policy;
    this.transportProtocol = protocol;
    this.transportUse = use;
    this.handleSum = handleSum;
    this.rsplibHandleSum = rsplibHandleSum;
    this.selection = new SelectionPool(policy, { kernel, initialCapacity: INITIAL_CAPACITY });
    // Resolution reads entries[slot] of the selected slot: an engine may read it early.
    this.selection.touchTable(this.entries);
    this.maxIncrement = maxIncrement === 0 ? policy.defaultMaxIncrement : maxIncrement;
  }

  /** Whether `h` holds exactly this pool's handle bytes. */
  matchesHandle(h: Uint8Array): boolean {
    // Lengths equal, then bytes 0–7 as two words and the rest (if any) one at a time. A handle
    // shorter than 8 bytes reads past its end: undefined, which | and << take as 0, the same
    // zero padding as #w0 / #w1 have. One call site and no byte loop for short handles, so that
    // this stays small (every byte of bytecode counts against the inlining budget of its caller,
    // Handlespace.resolveInto, with the selection of k = 1 and of k > 1).
    const n = h.length;
    return n === this.#length &&
      (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) === this.#w0 &&
      (h[4]! | (h[5]! << 8) | (h[6]! << 16) | (h[7]! << 24)) === this.#w1 &&
      (n <= 8 || sameFrom8(h, this.poolHandle));
  }

  get size(): number {
    return this.selection.size;
  }

  /** The live entry with an identifier; `n` is `Number(id)`. */
  lookup(id: bigint, n: number): Entry | undefined {
    const slot = n <= Number.MAX_SAFE_INTEGER ? this.#small.get(n) : (this.#big?.get(id) ?? -1);
    return slot < 0 ? undefined : this.entries[slot];
  }

  /** Indexes a new entry's identifier; `n` is `Number(id)`. */
  index(id: bigint, n: number, slot: number): void {
    if (n <= Number.MAX_SAFE_INTEGER) this.#small.insert(n, slot);
    else (this.#big ??= new Map()).set(id, slot);
  }

  /** Removes an identifier from the index; `n` is `Number(id)`. */
  unindex(id: bigint, n: number): void {
    if (n <= Number.MAX_SAFE_INTEGER) this.#small.delete(n);
    else this.#big!.delete(id);
  }

  /** The live entries, in no particular order. */
  *live(): Generator<Entry> {
    for (const e of this.entries) if (e !== undefined && e.live) yield e;
  }
}

// Whether the bytes from 8 on of two arrays of the same length are equal (long handles; kept out
// of matchesHandle so that it stays small enough to inline).
function sameFrom8(h: Uint8Array, own: Uint8Array): boolean {
  for (let i = 8; i < h.length; i++) if (h[i] !== own[i]) return false;
  return true;
}

// The handle's byte i, or 0 beyond its length (zero padding).
function byteAt(b: Uint8Array, n: number, i: number): number {
  return i < n ? b[i]! : 0;
}

/** FNV-1a over the bytes, as a small non-negative integer (a V8 small integer). */
export function hashHandle(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h & 0x3fffffff;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** ENRP order of pool handles: shorter first, then bytewise. */
export function compareHandles(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
