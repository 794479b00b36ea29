import { test } from "node:test";
import assert from "node:assert/strict";
import { BUILTIN_POLICIES, leastUsed, type PoolPolicy, priority, SelectionPool } from "./mod.ts";
import { type PolicyParameter, policyParameter } from "../wire/policy_parameter.ts";
import { SeededRng } from "../rng.ts";

function param(type: number, rng: SeededRng, spread: number): PolicyParameter {
  return policyParameter(type, {
    weight: 1 + (rng.nextU32() % 5),
    priority: rng.nextU32() % spread,
    load: (rng.nextU32() % spread) * 1000,
    loadDegradation: rng.nextU32() % 300,
    loadDpf: rng.nextU32() % 1000,
    weightDpf: rng.nextU32() % 1000,
    distance: rng.nextU32() % 50,
  });
}

for (const policy of BUILTIN_POLICIES) {
  test(`SelectionPool.selectInto() selects what select() selects, mapped through the table (${policy.name})`, () => {
    const a = new SelectionPool(policy), b = new SelectionPool(policy);
    const rng = new SeededRng(policy.type), ra = new SeededRng(3), rb = new SeededRng(3);
    const table: string[] = [], live: number[] = [];
    const slots = new Int32Array(64), objects: string[] = [];
    for (let step = 0; step < 1500; step++) {
      const op = rng.nextU32() % 20;
      if (op < 2 || live.length < 3) {
        const v = param(policy.type, rng, 4);
        const s = a.add(v);
        assert.equal(b.add(v), s);
        table[s] = `pe${s}`;
        live.push(s);
      } else if (op === 2 && live.length > 3) {
        const s = live.splice(rng.nextU32() % live.length, 1)[0]!;
        a.remove(s);
        b.remove(s);
      } else if (op === 3) {
        const s = live[rng.nextU32() % live.length]!, v = param(policy.type, rng, 4);
        assert.equal(a.update(s, v), b.update(s, v));
      } else {
        // Repeated k = 3 with the default MaxIncrement hits the engines' memos.
        const k = op < 12 ? 3 : 1 + (rng.nextU32() % 6), mi = op === 19 ? 2 : 0;
        const n = a.selectInto(k, table, objects, ra, mi);
        const m = b.select(k, slots, rb, mi);
        assert.equal(n, m, `step ${step}`);
        assert.deepEqual(objects.slice(0, n), [...slots.subarray(0, m)].map((s) => table[s]));
      }
    }
    for (const s of live) assert.equal(a.selections[s], b.selections[s], `selections of ${s}`);
  });
}

// Policy information that puts a pool element at `rank` (smaller first) under Least Used (heap
// engine) and Priority (bucket engine, distinct priorities: one pool element per bucket).
function ranked(policy: PoolPolicy, rank: number): PolicyParameter {
  return policy === priority
    ? policyParameter(policy.type, { priority: 100 - rank })
    : policyParameter(policy.type, { load: rank });
}

for (const policy of [leastUsed, priority]) {
  test(`SelectionPool.selections counts every repeated selection of the same first pool elements (${policy.name})`, () => {
    const pool = new SelectionPool(policy);
    const at = (rank: number) => ranked(policy, rank);
    const [a, b, c, d] = [pool.add(at(1)), pool.add(at(2)), pool.add(at(3)), pool.add(at(4))];
    const out = new Int32Array(3), rng = new SeededRng(1), table = ["a", "b", "c", "d"];
    const objects: string[] = [];
    for (let i = 0; i < 500; i++) pool.select(3, out, rng);
    for (let i = 0; i < 700; i++) pool.selectInto(2, table, objects, rng);
    assert.deepEqual(objects, ["a", "b"]);
    assert.deepEqual([a, b, c, d].map((s) => pool.selections[s]), [1200, 1200, 500, 0]);
    // A change of order (the first falls back) keeps what was counted and counts on.
    pool.update(a!, at(9));
    pool.select(3, out, rng);
    assert.deepEqual([...out], [b, c, d]);
    assert.deepEqual([a, b, c, d].map((s) => pool.selections[s]), [1200, 1201, 501, 1]);
    // A removed pool element's slot starts from 0 when reused.
    for (let i = 0; i < 10; i++) pool.selectInto(3, table, objects, rng);
    pool.remove(b!);
    const e = pool.add(at(0));
    assert.equal(e, b);
    assert.equal(pool.selections[e], 0);
    assert.equal(pool.selections[c!], 511);
  });

  test(`SelectionPool.selections keeps the counts of memo hits when the pool grows (${policy.name})`, () => {
    const pool = new SelectionPool(policy, { initialCapacity: 4 });
    const at = (rank: number) => ranked(policy, rank);
    const first = pool.add(at(1)), second = pool.add(at(2));
    pool.add(at(3));
    pool.add(at(4));
    const out = new Int32Array(2), rng = new SeededRng(1), objects: number[] = [];
    const table = [0, 1, 2, 3];
    for (let i = 0; i < 50; i++) pool.select(2, out, rng);
    for (let i = 0; i < 50; i++) pool.selectInto(2, table, objects, rng);
    pool.add(at(5)); // capacity 4 → 16
    assert.equal(pool.capacity, 16);
    assert.equal(pool.selections[first], 100);
    assert.equal(pool.selections[second], 100);
  });
}

test("SelectionPool.selectInto() of Priority counts the round robin among equal priorities exactly, also across growth", () => {
  // Handlespace.resolveInto's path for Priority: k = 3 from a top priority of 5 (rotating by one
  // per call) and from a top priority of 2 followed by a lower one, k = 1 and MaxIncrement 2 in
  // between, and pool growth after long runs (which an engine counting lazily must not lose).
  const pool = new SelectionPool(priority, { initialCapacity: 8 });
  const pri = (p: number) => policyParameter(priority.type, { priority: p });
  const top = [0, 1, 2, 3, 4].map(() => pool.add(pri(9)));
  const low = pool.add(pri(5));
  const table = Array.from({ length: 64 }, (_, i) => i), out: number[] = [];
  const rng = new SeededRng(1), expected = new Map<number, number>();
  const count = (slots: readonly number[]) => {
    for (const s of slots) expected.set(s, (expected.get(s) ?? 0) + 1);
  };
  const rotation = [...top];
  const call = (k: number) => {
    const n = pool.selectInto(k, table, out, rng);
    const want = [...rotation, low].slice(0, k);
    assert.deepEqual(out.slice(0, n), want);
    count(want);
    // (MaxIncrement 0 is Priority's default, 1: the first selected is used.)
    rotation.push(rotation.shift()!);
  };
  for (let i = 0; i < 23; i++) call(3);
  call(1);
  for (let i = 0; i < 7; i++) call(3);
  // MaxIncrement 2 uses two: the general path, after which the ring is refilled.
  assert.equal(pool.selectInto(2, table, out, rng, 2), 2);
  count(out.slice(0, 2));
  rotation.push(rotation.shift()!, rotation.shift()!);
  for (let i = 0; i < 11; i++) call(3);
  const capacity = pool.capacity;
  for (let i = 0; i < 6; i++) pool.add(pri(1));
  assert.ok(pool.capacity > capacity, "the pool grew");
  for (const [s, n] of expected) assert.equal(pool.selections[s], n, `slot ${s}`);
  // Two of the top priority left: k = 3 takes both, then the next priority.
  for (const s of top.slice(2)) pool.remove(s);
  rotation.splice(0, rotation.length, ...rotation.filter((s) => s === top[0] || s === top[1]));
  for (let i = 0; i < 9; i++) call(3);
  for (const [s, n] of expected) assert.equal(pool.selections[s], n, `slot ${s}`);
});

test("SelectionPool.update() rejects a slot without a pool element and another policy type, changing nothing", () => {
  const pool = new SelectionPool(leastUsed);
  const lu = (load: number) => policyParameter(leastUsed.type, { load });
  const a = pool.add(lu(5)), b = pool.add(lu(7));
  pool.remove(b);
  for (const slot of [b, -1, 1.5, pool.capacity, 1e9]) {
    assert.throws(() => pool.update(slot, lu(1)), RangeError, `slot ${slot}`);
  }
  assert.throws(() => pool.update(a, policyParameter(BUILTIN_POLICIES[0]!.type)), TypeError);
  assert.equal(pool.load[a], 5);
  // The same values are no change; another load is one, and it re-orders the pool.
  assert.equal(pool.update(a, lu(5)), false);
  const c = pool.add(lu(6));
  assert.equal(pool.update(a, lu(9)), true);
  const out = new Int32Array(1);
  pool.select(1, out, new SeededRng(1));
  assert.equal(out[0], c);
});

for (const policy of BUILTIN_POLICIES) {
  test(`SelectionPool: a pool emptied by removals, before and after growth, selects nothing and then serves new pool elements (${policy.name})`, () => {
    // The bucket engine's selection paths do not check the pool's size: an empty pool's first
    // bucket position must name a bucket without members, also once every bucket was dropped.
    const pool = new SelectionPool(policy), rng = new SeededRng(9);
    const table: string[] = [], out: string[] = [], slots = new Int32Array(8);
    for (const n of [3, 40]) {
      const live: number[] = [];
      for (let i = 0; i < n; i++) {
        const s = pool.add(policyParameter(policy.type, { priority: i % 4, load: i, weight: 1 }));
        table[s] = `pe${s}`;
        live.push(s);
      }
      for (const k of [1, 3]) {
        assert.equal(pool.selectInto(k, table, out, rng), k, `${n}: k = ${k}`);
      }
      for (const s of live) pool.remove(s);
      assert.equal(pool.selectOne(rng), -1, `${n}: selectOne`);
      assert.equal(pool.select(3, slots, rng), 0, `${n}: select`);
      for (const k of [1, 2, 3]) {
        assert.equal(pool.selectInto(k, table, out, rng), 0, `${n}: k = ${k}`);
      }
      const s = pool.add(policyParameter(policy.type, { priority: 7, load: 7, weight: 1 }));
      table[s] = `pe${s}`;
      assert.equal(pool.selectOne(rng), s, `${n}: the new one`);
      assert.deepEqual(out.slice(0, pool.selectInto(3, table, out, rng)), [`pe${s}`]);
      pool.remove(s);
    }
  });
}
