import { test } from "node:test";
import assert from "node:assert/strict";
import { type DataChunk, DataFlag } from "./_chunks.ts";
import { HELD_CHUNK_OVERHEAD, Reassembly, type ReceivedMessage } from "./_reassembly.ts";

const B = DataFlag.Begin, E = DataFlag.End, U = DataFlag.Unordered;

function chunk(
  tsn: number,
  flags: number,
  stream: number,
  ssn: number,
  bytes: number[],
): DataChunk {
  return { tsn, stream, ssn, ppid: 99, flags, payload: Uint8Array.from(bytes) };
}

/** A reassembly whose "received" set is fed like the TSN tracker feeds it. */
function setup(limit = 1000) {
  const received = new Set<number>();
  const r = new Reassembly(() => limit, (t) => received.has(t));
  const out: ReceivedMessage[] = [];
  const add = (c: DataChunk) => {
    received.add(c.tsn);
    return r.add(c, out);
  };
  return { r, out, add };
}

test("Reassembly joins fragments arriving in any order and frees what it held", () => {
  const orders = [[0, 1, 2], [2, 1, 0], [1, 2, 0], [0, 2, 1]];
  for (const order of orders) {
    const { r, out, add } = setup();
    const frags = [chunk(10, B, 0, 0, [1, 2]), chunk(11, 0, 0, 0, [3]), chunk(12, E, 0, 0, [4, 5])];
    for (const i of order) assert.equal(add(frags[i]!), undefined);
    assert.equal(out.length, 1, `order ${order}`);
    assert.deepEqual([...out[0]!.payload], [1, 2, 3, 4, 5]);
    assert.equal(r.heldBytes, 0);
    assert.equal(r.heldCount, 0);
  }
});

test("Reassembly delivers each stream in SSN order, streams independently, unordered at once", () => {
  const { r, out, add } = setup();
  add(chunk(3, B | E, 1, 1, [31])); // stream 1, SSN 1 waits for SSN 0
  add(chunk(4, B | E, 2, 0, [40])); // stream 2 goes on
  add(chunk(5, B | E | U, 1, 0, [50])); // unordered: at once
  assert.deepEqual(out.map((m) => m.payload[0]), [40, 50]);
  assert.equal(r.heldBytes, 1 + HELD_CHUNK_OVERHEAD);
  add(chunk(2, B | E, 1, 0, [30]));
  assert.deepEqual(out.map((m) => m.payload[0]), [40, 50, 30, 31]);
  assert.equal(r.heldBytes, 0);
});

test("Reassembly reports an oversized message while it streams in", () => {
  const { add } = setup(5);
  assert.equal(add(chunk(1, B, 0, 0, [1, 2, 3])), undefined);
  const err = add(chunk(2, 0, 0, 0, [4, 5, 6]));
  assert.deepEqual(err, { kind: "too-large", ppid: 99, bytes: 6, limit: 5 });
  const single = setup(2);
  assert.equal(single.add(chunk(1, B | E, 0, 0, [1, 2, 3]))?.kind, "too-large");
});

test("Reassembly reports broken fragment runs and reused stream sequence numbers", () => {
  let s = setup();
  s.add(chunk(1, B, 0, 0, [1]));
  assert.deepEqual(s.add(chunk(2, B | E, 0, 1, [2])), { kind: "inconsistent", tsn: 2 });
  s = setup();
  s.add(chunk(1, B | E, 0, 0, [1]));
  assert.deepEqual(s.add(chunk(2, E, 0, 1, [2])), { kind: "inconsistent", tsn: 2 });
  s = setup();
  s.add(chunk(1, B, 0, 0, [1]));
  assert.deepEqual(s.add(chunk(2, E, 3, 0, [2])), { kind: "inconsistent", tsn: 1 });
  s = setup();
  s.add(chunk(1, B | E, 0, 0, [1]));
  assert.deepEqual(s.add(chunk(2, B | E, 0, 0, [2])), { kind: "ssn-reuse", stream: 0, ssn: 0 });
});

test("Reassembly.stalled() finds an ordered message whose predecessors can never come", () => {
  const { r, add } = setup();
  add(chunk(1, B | E, 0, 5, [1])); // SSN 5 where 0 is expected, TSN contiguous
  assert.ok(r.stalled(1));
  assert.ok(!r.stalled(0));
});
