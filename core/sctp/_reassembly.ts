// Reassembly of fragmented messages and per-stream ordered delivery (RFC 9260 sections 6.5, 6.6,
// 6.9). Fragments of one message carry consecutive TSNs (no interleaving), so a message is a run
// of TSNs from a B-flagged to an E-flagged chunk. Each fragment remembers the size of the run from
// its message's B chunk when that is known, so an oversized message is detected as it streams in
// and a message completes in O(fragments); held bytes are counted for the receive window.

import { type DataChunk, DataFlag } from "./_chunks.ts";
import { ssnDiff, tsnAdd } from "./_serial.ts";

/** Bytes of bookkeeping counted per held chunk on top of its payload. */
export const HELD_CHUNK_OVERHEAD = 64;

/** A complete message ready for the upper layer. */
export interface ReceivedMessage {
  readonly stream: number;
  readonly ppid: number;
  readonly unordered: boolean;
  readonly payload: Uint8Array;
}

/** Why the peer's data cannot be accepted (each is a protocol violation). */
export type ReassemblyError =
  | {
    readonly kind: "too-large";
    readonly ppid: number;
    readonly bytes: number;
    readonly limit: number;
  }
  | { readonly kind: "inconsistent"; readonly tsn: number }
  | { readonly kind: "ssn-reuse"; readonly stream: number; readonly ssn: number };

interface Fragment {
  readonly tsn: number;
  readonly stream: number;
  readonly ssn: number;
  readonly ppid: number;
  readonly flags: number;
  readonly payload: Uint8Array;
  /** Bytes from the message's B chunk through this one, or -1 while unknown. */
  run: number;
}

interface Waiting {
  readonly message: ReceivedMessage;
  readonly lastTsn: number;
}

interface StreamIn {
  next: number;
  waiting: Map<number, Waiting> | undefined;
}

export class Reassembly {
  #fragments = new Map<number, Fragment>();
  #streams = new Map<number, StreamIn>();
  #held = 0;
  #waitingCount = 0;
  #limit: (ppid: number) => number;
  #received: (tsn: number) => boolean;

  /**
   * `limit(ppid)` is the largest message accepted with that PPID; `received(tsn)` says whether a
   * TSN has arrived (from the TSN tracker), to catch runs that the peer broke.
   */
  constructor(limit: (ppid: number) => number, received: (tsn: number) => boolean) {
    this.#limit = limit;
    this.#received = received;
  }

  /** Bytes held (fragments and messages waiting for their turn), with overhead. */
  get heldBytes(): number {
    return this.#held;
  }

  /** Chunks and messages held. */
  get heldCount(): number {
    return this.#fragments.size + this.#waitingCount;
  }

  /** Adds a new (never seen) DATA chunk; complete messages go to `out` in delivery order. */
  add(c: DataChunk, out: ReceivedMessage[]): ReassemblyError | undefined {
    const flags = c.flags;
    const before = tsnAdd(c.tsn, -1), after = tsnAdd(c.tsn, 1);
    const prev = this.#fragments.get(before);
    // A chunk that does not begin a message continues the one at TSN - 1, which must be a
    // fragment still open; one that does not end a message is continued at TSN + 1.
    if (
      (flags & DataFlag.Begin)
        ? prev !== undefined && !(prev.flags & DataFlag.End)
        : prev === undefined && this.#received(before)
    ) {
      return { kind: "inconsistent", tsn: c.tsn };
    }
    if (!(flags & DataFlag.End) && this.#received(after) && !this.#fragments.has(after)) {
      return { kind: "inconsistent", tsn: c.tsn };
    }
    if ((flags & (DataFlag.Begin | DataFlag.End)) === (DataFlag.Begin | DataFlag.End)) {
      const limit = this.#limit(c.ppid);
      if (c.payload.length > limit) {
        return { kind: "too-large", ppid: c.ppid, bytes: c.payload.length, limit };
      }
      return this.#complete(
        c.stream,
        c.ssn,
        {
          stream: c.stream,
          ppid: c.ppid,
          unordered: (flags & DataFlag.Unordered) !== 0,
          payload: c.payload,
        },
        c.tsn,
        out,
        false,
      );
    }
    const f: Fragment = {
      tsn: c.tsn,
      stream: c.stream,
      ssn: c.ssn,
      ppid: c.ppid,
      flags,
      payload: keep(c.payload),
      run: -1,
    };
    this.#fragments.set(c.tsn, f);
    this.#held += f.payload.length + HELD_CHUNK_OVERHEAD;
    if (flags & DataFlag.Begin) {
      f.run = f.payload.length;
    } else if (prev !== undefined && prev.run >= 0 && !(prev.flags & DataFlag.End)) {
      f.run = prev.run + f.payload.length;
    }
    // Propagate the known run size forward through fragments that arrived earlier.
    for (let cur = f; cur.run >= 0;) {
      const limit = this.#limit(cur.ppid);
      if (cur.run > limit) return { kind: "too-large", ppid: cur.ppid, bytes: cur.run, limit };
      if (cur.flags & DataFlag.End) return this.#assemble(cur, out);
      const next = this.#fragments.get(tsnAdd(cur.tsn, 1));
      if (next === undefined) break;
      if (next.flags & DataFlag.Begin) return { kind: "inconsistent", tsn: next.tsn };
      if (next.run >= 0) break;
      next.run = cur.run + next.payload.length;
      cur = next;
    }
    return undefined;
  }

  /**
   * Whether an ordered message waits although every TSN up to `cumTsn` has arrived and it ends at
   * or below it: its predecessors on the stream can then never come (the peer skipped an SSN).
   */
  stalled(cumTsn: number): boolean {
    if (this.#waitingCount === 0) return false;
    for (const s of this.#streams.values()) {
      if (s.waiting === undefined) continue;
      for (const w of s.waiting.values()) if (((w.lastTsn - cumTsn) | 0) <= 0) return true;
    }
    return false;
  }

  /** Forgets everything (association restart). */
  reset(): void {
    this.#fragments.clear();
    this.#streams.clear();
    this.#held = 0;
    this.#waitingCount = 0;
  }

  #assemble(end: Fragment, out: ReceivedMessage[]): ReassemblyError | undefined {
    const payload = new Uint8Array(end.run);
    let at = end.run;
    let first = end;
    for (let f: Fragment | undefined = end;;) {
      if (
        f.stream !== end.stream ||
        (f.flags & DataFlag.Unordered) !== (end.flags & DataFlag.Unordered) ||
        (!(f.flags & DataFlag.Unordered) && f.ssn !== end.ssn)
      ) {
        return { kind: "inconsistent", tsn: f.tsn };
      }
      at -= f.payload.length;
      payload.set(f.payload, at);
      first = f;
      if (f.flags & DataFlag.Begin) break;
      f = this.#fragments.get(tsnAdd(f.tsn, -1));
      if (f === undefined) return { kind: "inconsistent", tsn: end.tsn }; // cannot happen: run known
    }
    for (let t = first.tsn;; t = tsnAdd(t, 1)) {
      const f = this.#fragments.get(t)!;
      this.#held -= f.payload.length + HELD_CHUNK_OVERHEAD;
      this.#fragments.delete(t);
      if (t === end.tsn) break;
    }
    return this.#complete(
      end.stream,
      end.ssn,
      {
        stream: end.stream,
        ppid: first.ppid,
        unordered: (end.flags & DataFlag.Unordered) !== 0,
        payload,
      },
      end.tsn,
      out,
      true,
    );
  }

  #complete(
    stream: number,
    ssn: number,
    message: ReceivedMessage,
    lastTsn: number,
    out: ReceivedMessage[],
    owned: boolean,
  ): ReassemblyError | undefined {
    if (message.unordered) {
      out.push(message);
      return undefined;
    }
    let s = this.#streams.get(stream);
    if (s === undefined) {
      s = { next: 0, waiting: undefined };
      this.#streams.set(stream, s);
    }
    const d = ssnDiff(ssn, s.next);
    if (d < 0) return { kind: "ssn-reuse", stream, ssn };
    if (d > 0) {
      s.waiting ??= new Map();
      if (s.waiting.has(ssn)) return { kind: "ssn-reuse", stream, ssn };
      const kept = owned ? message : { ...message, payload: keep(message.payload) };
      s.waiting.set(ssn, { message: kept, lastTsn });
      this.#waitingCount++;
      this.#held += kept.payload.length + HELD_CHUNK_OVERHEAD;
      return undefined;
    }
    out.push(message);
    s.next = (s.next + 1) & 0xffff;
    const waiting = s.waiting;
    if (waiting === undefined) return undefined;
    for (let w = waiting.get(s.next); w !== undefined; w = waiting.get(s.next)) {
      waiting.delete(s.next);
      this.#waitingCount--;
      this.#held -= w.message.payload.length + HELD_CHUNK_OVERHEAD;
      out.push(w.message);
      s.next = (s.next + 1) & 0xffff;
    }
    if (waiting.size === 0) s.waiting = undefined;
    return undefined;
  }
}

/**
 * The bytes to hold on to: the view itself when it is most of its buffer (the adapter hands over
 * each datagram), else a copy, so a small chunk of a large datagram cannot pin the datagram.
 */
function keep(payload: Uint8Array): Uint8Array {
  return payload.byteLength * 2 >= payload.buffer.byteLength ? payload : payload.slice();
}
