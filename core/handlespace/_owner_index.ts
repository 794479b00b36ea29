// PEs by home registrar ("owner"): an intrusive doubly linked list per owner
// (through Entry.ownerPrev/ownerNext), a count and an incrementally kept
// ownership checksum. Records of owners without PEs are dropped.

import { ChecksumAccumulator, type ChecksumCompat, type ChecksumWidth } from "./checksum.ts";
import type { Entry } from "./_entry.ts";

export class OwnerRecord {
  readonly id: bigint;
  count = 0;
  head: Entry | undefined = undefined;
  readonly checksum: ChecksumAccumulator;

  constructor(id: bigint, width: ChecksumWidth, compat: ChecksumCompat) {
    this.id = id;
    this.checksum = new ChecksumAccumulator(width, compat);
  }

  /** The PEs of this owner (a snapshot array). */
  entries(): Entry[] {
    const out: Entry[] = [];
    for (let e = this.head; e !== undefined; e = e.ownerNext) out.push(e);
    return out;
  }
}

export class OwnerIndex {
  readonly #byId = new Map<bigint, OwnerRecord>();
  readonly #width: ChecksumWidth;
  readonly #compat: ChecksumCompat;
  readonly #rsplib: boolean;
  /** The registrar's own record: kept even while empty (its checksum is read every Presence). */
  readonly own: OwnerRecord;

  constructor(ownId: bigint, width: ChecksumWidth, compat: ChecksumCompat) {
    this.#width = width;
    this.#compat = compat;
    this.#rsplib = compat === "rsplib";
    this.own = new OwnerRecord(ownId, width, compat);
    this.#byId.set(ownId, this.own);
  }

  get(id: bigint): OwnerRecord | undefined {
    return id === this.own.id ? this.own : this.#byId.get(id);
  }

  /** Owners with at least one PE. */
  ids(): bigint[] {
    return [...this.#byId.values()].filter((r) => r.count > 0).map((r) => r.id);
  }

  link(entry: Entry, id: bigint): void {
    let rec = id === this.own.id ? this.own : this.#byId.get(id);
    if (rec === undefined) {
      rec = new OwnerRecord(id, this.#width, this.#compat);
      this.#byId.set(id, rec);
    }
    entry.owner = rec;
    entry.ownerPrev = undefined;
    entry.ownerNext = rec.head;
    if (rec.head !== undefined) rec.head.ownerPrev = entry;
    rec.head = entry;
    rec.count++;
    rec.checksum.add(entry.partial, this.#rsplib ? entry.rsplibPartial : 0);
  }

  unlink(entry: Entry): void {
    const rec = entry.owner!;
    const prev = entry.ownerPrev, next = entry.ownerNext;
    if (prev !== undefined) prev.ownerNext = next;
    else rec.head = next;
    if (next !== undefined) next.ownerPrev = prev;
    entry.ownerPrev = entry.ownerNext = undefined;
    entry.owner = undefined;
    rec.checksum.sub(entry.partial, this.#rsplib ? entry.rsplibPartial : 0);
    if (--rec.count === 0 && rec !== this.own) this.#byId.delete(rec.id);
  }
}
