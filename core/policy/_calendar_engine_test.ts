// The calendar engine of the degradation family against the heap engine: a copy of each policy
// defined through definePolicy() (hooks only, no formula codes) runs on the heap engine with
// the same hooks, so both must select exactly the same pool elements, in the same order, over
// random streams of registrations, updates (which reset the counter and may lower a key below
// the first key), deregistrations and selections of every k and MaxIncrement, including the long
// "water filling" runs of the steady state and keys at the 0xffffffff cap.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  definePolicy,
  leastUsedDegradation,
  leastUsedDegradationDpf,
  type PoolPolicy,
  priorityLeastUsedDegradation,
  priorityLeastUsedDegradationDpf,
  SelectionPool,
} from "./mod.ts";
import { type PolicyParameter, policyParameter } from "../wire/policy_parameter.ts";
import { SeededRng } from "../rng.ts";
import { calendarSequence, calendarThreshold } from "./_calendar_engine.ts";

// Runs fn with the calendar engine taking over from `min` pool elements on.
function withCalendarFrom(min: number, fn: () => void): void {
  const saved = calendarThreshold.min;
  calendarThreshold.min = min;
  try {
    fn();
  } finally {
    calendarThreshold.min = saved;
  }
}

const FAMILY: readonly PoolPolicy[] = [
  leastUsedDegradation,
  priorityLeastUsedDegradation,
  leastUsedDegradationDpf,
  priorityLeastUsedDegradationDpf,
];

// The same policy with its hooks only: the selection pool puts it on the heap engine.
function hookCopy(p: PoolPolicy): PoolPolicy {
  return definePolicy({
    info: {
      type: p.type,
      name: `${p.name}Hooks`,
      abbreviation: p.abbreviation,
      fields: p.fields,
      origin: p.origin,
    },
    engine: p.engine,
    defaultMaxIncrement: p.defaultMaxIncrement,
    maxKey: p.maxKey,
    key: p.key,
    update: p.update,
  });
}

function u32(rng: SeededRng): number {
  return rng.nextU32();
}

function below(rng: SeededRng, n: number): number {
  return u32(rng) % n;
}

// Policy information in one of several regimes: spread loads, a few distinct loads (ties),
// zero degradation steps (equal keys rotate), large steps, loads near the cap.
function param(p: PoolPolicy, rng: SeededRng, regime: number, penalties = true): PolicyParameter {
  let load: number, loadDegradation: number;
  switch (regime) {
    case 0:
      load = u32(rng);
      loadDegradation = u32(rng) >>> 8;
      break;
    case 1:
      load = 1000 * below(rng, 4);
      loadDegradation = 250 * below(rng, 3);
      break;
    case 2:
      load = below(rng, 1 << 20);
      loadDegradation = below(rng, 3) === 0 ? 0 : u32(rng) >>> 4;
      break;
    default:
      load = 0xffffffff - below(rng, 1 << 16);
      loadDegradation = below(rng, 1 << 14);
  }
  return policyParameter(p.type, {
    load,
    loadDegradation,
    loadDpf: penalties && p.fields.includes("loadDpf") ? below(rng, 1 << 24) : 0,
    distance: penalties && p.fields.includes("distance") ? below(rng, 300) : 0,
  });
}

function pick(pool: SelectionPool, k: number, rng: SeededRng, mi: number): number[] {
  const out = new Int32Array(k);
  const n = pool.select(k, out, rng, mi);
  return [...out.subarray(0, n)];
}

const SLOTS: readonly number[] = Array.from({ length: 4096 }, (_, i) => i);

function pickInto(pool: SelectionPool, k: number, rng: SeededRng, mi: number): number[] {
  const out: number[] = [];
  const n = pool.selectInto(k, SLOTS, out, rng, mi);
  return out.slice(0, n);
}

for (const policy of FAMILY) {
  test(`${policy.name}: the calendar engine selects exactly what the heap engine selects`, () => {
    withCalendarFrom(0, () => sameAsHeap(policy, 12));
  });

  test(`${policy.name}: a pool that grows past the calendar threshold keeps its order`, () => {
    withCalendarFrom(40, () => sameAsHeap(policy, 4));
  });
}

// A DPF pool whose PEs have no distance penalty until step `penaltiesFrom`, then PEs with them:
// a use raises every DPF key by the load degradation, with or without a penalty term.
for (const policy of [leastUsedDegradationDpf, priorityLeastUsedDegradationDpf]) {
  test(`${policy.name}: a pool without distance penalties, then PEs with them, selects what the heap engine selects`, () => {
    withCalendarFrom(0, () => sameAsHeap(policy, 8, 1500));
  });
}

// Runs fn with the calendar engine's sequence numbers renumbered or rebased at `span`.
function withSequenceSpan(span: number, fn: () => void): void {
  const saved = calendarSequence.span;
  calendarSequence.span = span;
  try {
    fn();
  } finally {
    calendarSequence.span = saved;
  }
}

// The live slots in the order of their sequence numbers.
function bySequence(pool: SelectionPool, live: readonly number[]): number[] {
  const seq = pool.seq;
  return [...live].sort((x, y) => seq[x]! - seq[y]!);
}

// sameNumbers: the two pools' sequence numbers are equal (else in the same order: the calendar
// engine renumbered within a lowered span).
function sameAsHeap(
  policy: PoolPolicy,
  seeds: number,
  penaltiesFrom = 0,
  sameNumbers = true,
): void {
  {
    const reference = hookCopy(policy);
    for (let seed = 1; seed <= seeds; seed++) {
      const rng = new SeededRng(seed * 7919 + policy.type);
      const regime = seed % 4;
      const a = new SelectionPool(policy), b = new SelectionPool(reference);
      const ra = new SeededRng(1), rb = new SeededRng(1);
      const live: number[] = [];
      for (let step = 0; step < 3000; step++) {
        const op = below(rng, 100);
        if (op < 6 || live.length < 2) {
          const regimeOf = below(rng, 5) === 0 ? below(rng, 4) : regime;
          const v = param(policy, rng, regimeOf, step >= penaltiesFrom);
          const s = a.add(v);
          assert.equal(b.add(v), s);
          live.push(s);
        } else if (op < 9 && live.length > 2) {
          const s = live.splice(below(rng, live.length), 1)[0]!;
          a.remove(s);
          b.remove(s);
        } else if (op < 13) {
          const s = live[below(rng, live.length)]!;
          const v = param(policy, rng, regime, step >= penaltiesFrom);
          assert.equal(a.update(s, v), b.update(s, v));
        } else if (op < 70) {
          const mi = below(rng, 8) === 0 ? below(rng, 4) : 0;
          assert.equal(a.selectOne(ra, mi), b.selectOne(rb, mi), `seed ${seed} step ${step}`);
        } else {
          const k = below(rng, 10) === 0 ? 1 + below(rng, 40) : 1 + below(rng, 4);
          const mi = below(rng, 6) === 0 ? below(rng, 4) : 0;
          // Half of them through selectInto (the handlespace's k > 1 path), slots as the table.
          const got = below(rng, 2) === 0 ? pick(a, k, ra, mi) : pickInto(a, k, ra, mi);
          assert.deepEqual(got, pick(b, k, rb, mi), `seed ${seed} step ${step}`);
        }
        if (step % 250 === 0) {
          assert.deepEqual(a.order(), b.order(), `order, seed ${seed} step ${step}`);
          assert.equal(a.first(), b.first());
        }
      }
      for (const s of live) {
        assert.equal(a.degradation[s], b.degradation[s]);
        assert.equal(a.selections[s], b.selections[s]);
        if (sameNumbers) assert.equal(a.seq[s], b.seq[s]);
      }
      if (!sameNumbers) assert.deepEqual(bySequence(a, live), bySequence(b, live));
    }
  }
}

// The calendar engine keeps a sequence number less a base in a 32-bit word: where the span runs
// out it moves the base or renumbers (calendarSequence). With a span of a few dozen numbers both
// happen often, from the move at the threshold on; the choices must stay the heap engine's.
for (const policy of FAMILY) {
  test(`${policy.name}: sequence numbers rebased and renumbered within a short span select what the heap engine selects`, () => {
    for (const span of [24, 40, 1000]) {
      withSequenceSpan(span, () => {
        withCalendarFrom(0, () => sameAsHeap(policy, 3, 0, false));
        withCalendarFrom(40, () => sameAsHeap(policy, 2, 0, false));
      });
    }
  });
}

test("LeastUsedDegradation: the calendar engine follows a long water-filling run and a reset below the first key", () => {
  withCalendarFrom(0, waterFilling);
});

test("LeastUsedDegradation: a pool moves to the calendar engine at the threshold in the middle of a water-filling run", () => {
  withCalendarFrom(200, waterFilling);
});

function waterFilling(): void {
  const reference = hookCopy(leastUsedDegradation);
  const a = new SelectionPool(leastUsedDegradation), b = new SelectionPool(reference);
  const rng = new SeededRng(42), ra = new SeededRng(1), rb = new SeededRng(1);
  const slots: number[] = [];
  const register = (count: number): void => {
    for (let i = 0; i < count; i++) {
      const v = param(leastUsedDegradation, rng, 0);
      const s = a.add(v);
      assert.equal(b.add(v), s);
      slots.push(s);
    }
  };
  register(150);
  for (let round = 0; round < 4; round++) {
    register(50); // 200 PEs in round 1: past a threshold of 200 while the keys are high
    for (let i = 0; i < 20000; i++) {
      const k = i % 5 === 0 ? 3 : 1;
      assert.deepEqual(pick(a, k, ra, 0), pick(b, k, rb, 0), `round ${round} call ${i}`);
    }
    assert.deepEqual(a.order(), b.order());
    // Re-registrations reset counters: their keys drop below the current first key.
    for (let j = 0; j < 30; j++) {
      const s = slots[(round * 31 + j * 7) % slots.length]!;
      const v = param(leastUsedDegradation, rng, 0);
      assert.equal(a.update(s, v), b.update(s, v));
    }
    assert.deepEqual(a.order(), b.order());
  }
  // The keys rose: the first selected pool element's key is well above the least load.
  const first = a.first();
  assert.ok(a.degradation[first]! > 0 || a.load[first]! > 0);
}

test("LeastUsedDegradation: selection counts survive the move to the calendar engine", () => {
  withCalendarFrom(8, () => {
    const pool = new SelectionPool(leastUsedDegradation);
    const lud = (load: number) =>
      policyParameter(leastUsedDegradation.type, { load, loadDegradation: 0 });
    const first = [pool.add(lud(1)), pool.add(lud(2)), pool.add(lud(3))];
    for (let i = 0; i < 4; i++) pool.add(lud(100 + i));
    const out = new Int32Array(3), rng = new SeededRng(1);
    // Without degradation the order stays: repeated selections of the same three.
    for (let i = 0; i < 50; i++) pool.select(3, out, rng);
    pool.add(lud(500)); // the eighth: the pool moves to the calendar engine
    for (const s of first) assert.equal(pool.selections[s], 50);
    pool.select(3, out, rng);
    assert.deepEqual([...out], first);
    for (const s of first) assert.equal(pool.selections[s], 51);
  });
});

// selectInto() reads the first k PEs in place, bucket by bucket (wave 9 also remembered the PEs
// after the first of its last selection; that memo is gone, the test stays): long runs of k > 1
// through selectInto, broken by every kind of change (registration, deregistration of a PE the
// last selection returned after its first, an update that resets a counter, a selection of
// another k, a k = 1 use, a selection without use), must select exactly what the heap engine
// selects.
for (const policy of FAMILY) {
  test(`${policy.name}: runs of selectInto with k > 1 select what the heap engine selects`, () => {
    withCalendarFrom(0, () => {
      const reference = hookCopy(policy);
      for (let seed = 1; seed <= 4; seed++) {
        const rng = new SeededRng(seed * 104729 + policy.type);
        const a = new SelectionPool(policy), b = new SelectionPool(reference);
        const ra = new SeededRng(1), rb = new SeededRng(1);
        const live: number[] = [];
        const regime = seed % 4;
        for (let i = 0; i < 300; i++) {
          const v = param(policy, rng, regime);
          const s = a.add(v);
          assert.equal(b.add(v), s);
          live.push(s);
        }
        let k = 3;
        for (let run = 0; run < 60; run++) {
          const length = 1 + below(rng, 400);
          for (let i = 0; i < length; i++) {
            const got = pickInto(a, k, ra, 0);
            assert.deepEqual(got, pick(b, k, rb, 0), `seed ${seed} run ${run} call ${i}`);
          }
          const last = pickInto(a, k, ra, 0);
          assert.deepEqual(last, pick(b, k, rb, 0), `seed ${seed} run ${run}`);
          switch (below(rng, 7)) {
            case 0: {
              const v = param(policy, rng, regime);
              const s = a.add(v);
              assert.equal(b.add(v), s);
              live.push(s);
              break;
            }
            case 1: {
              // The second or later PE of the last selection.
              const s = last[1 + below(rng, last.length - 1)]!;
              live.splice(live.indexOf(s), 1);
              a.remove(s);
              b.remove(s);
              break;
            }
            case 2: {
              const s = last[below(rng, last.length)]!;
              const v = param(policy, rng, regime);
              assert.equal(a.update(s, v), b.update(s, v));
              break;
            }
            case 3:
              k = 2 + below(rng, 4);
              break;
            case 4:
              assert.equal(a.selectOne(ra), b.selectOne(rb));
              break;
            case 5:
              assert.deepEqual(pickInto(a, k, ra, 2), pick(b, k, rb, 2));
              break;
            default:
              assert.equal(a.selectOne(ra, 0), b.selectOne(rb, 0));
          }
        }
        for (const s of live) {
          assert.equal(a.selections[s], b.selections[s]);
          assert.equal(a.degradation[s], b.degradation[s]);
        }
      }
    });
  });
}

// A use computes the DPF keys from copies the calendar engine keeps in its records (load, load
// degradation, distance penalty term), taken when a PE is filed: a re-registration that changes
// only the distance or the load DPF must reach them, or the pool keeps serving the old key.
const PENALTY_CHANGES: readonly (readonly [number, number, number])[] = [
  [2, 12, 1 << 20], // slot, distance, load DPF: a little more than the others' penalty
  [5, 0, 0], // none: below the others
  [6, 10, 1 << 28], // far more
  [5, 9, 1 << 20], // a little less than the others'
];
for (const policy of [leastUsedDegradationDpf, priorityLeastUsedDegradationDpf]) {
  test(`${policy.name}: a change of distance or load DPF alone re-orders the calendar engine as the heap engine`, () => {
    withCalendarFrom(0, () => {
      const a = new SelectionPool(policy), b = new SelectionPool(hookCopy(policy));
      const v = (distance: number, loadDpf: number) =>
        policyParameter(policy.type, { load: 5000, loadDegradation: 1 << 16, distance, loadDpf });
      for (let i = 0; i < 8; i++) assert.equal(a.add(v(10, 1 << 20)), b.add(v(10, 1 << 20)));
      const ra = new SeededRng(1), rb = new SeededRng(1);
      for (let i = 0; i < 40; i++) assert.deepEqual(pick(a, 1, ra, 0), pick(b, 1, rb, 0));
      for (const [s, distance, loadDpf] of PENALTY_CHANGES) {
        assert.equal(a.update(s, v(distance, loadDpf)), b.update(s, v(distance, loadDpf)));
        for (let i = 0; i < 400; i++) {
          assert.deepEqual(pick(a, 1 + (i % 3), ra, 0), pick(b, 1 + (i % 3), rb, 0), `slot ${s}`);
        }
        assert.deepEqual(a.order(), b.order());
      }
    });
  });
}

// The counts a selection changes (selection count, degradation counter) read right after it,
// and a re-registration of the PE just used with unchanged values (which resets its counter, as
// RSPLIB does): an engine that kept those counts elsewhere and wrote them to the pool's arrays
// later (bench/HISTORY.md wave 13) must hand out the current values to every reader.
for (const policy of FAMILY) {
  test(`${policy.name}: counts read right after selections and a reset of the PE just used match the heap engine`, () => {
    withCalendarFrom(calendarThreshold.min, () => countsRightAfter(policy));
  });
}

function countsRightAfter(policy: PoolPolicy): void {
  {
    const reference = hookCopy(policy);
    for (let seed = 1; seed <= 3; seed++) {
      const rng = new SeededRng(seed * 7727 + policy.type);
      const a = new SelectionPool(policy), b = new SelectionPool(reference);
      const ra = new SeededRng(1), rb = new SeededRng(1);
      const params: PolicyParameter[] = [];
      // Above the threshold: the calendar engine serves `a` from the first selection.
      for (let i = 0; i < calendarThreshold.min + 44; i++) {
        const v = param(policy, rng, seed % 4);
        assert.equal(a.add(v), i);
        assert.equal(b.add(v), i);
        params.push(v);
      }
      for (let call = 0; call < 4000; call++) {
        let got: number[];
        switch (below(rng, 4)) {
          case 0:
            got = [a.selectOne(ra)];
            assert.deepEqual(got, [b.selectOne(rb)], `seed ${seed} call ${call}`);
            break;
          case 1:
            got = pickInto(a, 1, ra, 0);
            assert.deepEqual(got, pick(b, 1, rb, 0), `seed ${seed} call ${call}`);
            break;
          case 2:
            got = pickInto(a, 3, ra, 0);
            assert.deepEqual(got, pick(b, 3, rb, 0), `seed ${seed} call ${call}`);
            break;
          default:
            got = pick(a, 3, ra, 0);
            assert.deepEqual(got, pick(b, 3, rb, 0), `seed ${seed} call ${call}`);
        }
        if (below(rng, 16) === 0) {
          // At once, the same values again: a change only because the counter is not 0, which
          // it resets.
          const s = got[0]!;
          assert.equal(
            a.update(s, params[s]!),
            b.update(s, params[s]!),
            `seed ${seed} call ${call}`,
          );
          assert.equal(a.degradation[s], 0);
        }
        for (const s of got) {
          assert.equal(a.selections[s], b.selections[s], `selections, seed ${seed} call ${call}`);
          assert.equal(a.degradation[s], b.degradation[s], `counter, seed ${seed} call ${call}`);
        }
      }
    }
  }
}

// The calendar engine counts a selection and steps the counter in the PE's record, writes the
// pool's counter only when it leaves 0, and brings the pool's arrays up to date when they are
// read (flushUses), before the pool grows and when a PE is removed. Every read here must see
// what writing them at each selection gives (counter capped at 2^32 − 1), update() must see a
// non-zero counter, through selections of every entry with and without use, updates (same values:
// a change exactly when the counter is not 0; new values), removals and reuse of the slots just
// selected, growth, and the move from the heap engine at the threshold.
for (const policy of FAMILY) {
  test(`${policy.name}: the selection counts and counters the calendar engine keeps in its records read as if written at each selection`, () => {
    withCalendarFrom(24, () => {
      for (let seed = 1; seed <= 3; seed++) countsInRecords(policy, seed);
    });
  });
}

function countsInRecords(policy: PoolPolicy, seed: number): void {
  const pool = new SelectionPool(policy), rng = new SeededRng(seed), ops = new SeededRng(seed + 50);
  const live: number[] = [], sel = new Map<number, number>(), deg = new Map<number, number>();
  const params = new Map<number, PolicyParameter>();
  let last: number[] = [];
  const add = (): void => {
    const v = param(policy, ops, below(ops, 4));
    const s = pool.add(v);
    live.push(s);
    params.set(s, v);
    sel.set(s, 0);
    deg.set(s, 0);
  };
  const target = (): number =>
    last.length > 0 && below(ops, 4) !== 0
      ? last[below(ops, last.length)]!
      : live[below(ops, live.length)]!;
  const check = (step: number): void => {
    // Either array first (reading one brings both up to date).
    const degFirst = below(ops, 2) === 0;
    for (const s of live) {
      if (degFirst) assert.equal(pool.degradation[s], deg.get(s), `step ${step}: counter of ${s}`);
      assert.equal(pool.selections[s], sel.get(s), `step ${step}: selections of ${s}`);
      assert.equal(pool.degradation[s], deg.get(s), `step ${step}: counter of ${s}`);
    }
  };
  const account = (got: readonly number[], used: number): void => {
    last = [...got];
    for (let i = 0; i < got.length; i++) {
      const s = got[i]!;
      sel.set(s, sel.get(s)! + 1);
      if (i < used) deg.set(s, Math.min(0xffffffff, deg.get(s)! + pool.loadDegradation[s]!));
    }
  };
  for (let i = 0; i < 8; i++) add();
  let grown = 0, changed = 0, unchanged = 0, reused = 0, removedSelected = 0;
  const out = new Int32Array(8), into: number[] = [];
  for (let step = 0; step < 5000; step++) {
    const op = below(ops, 40);
    if (op < 2 || live.length < 6) {
      const capacity = pool.capacity;
      add();
      if (pool.capacity !== capacity) grown++;
    } else if (op === 2) {
      const s = target();
      if (last.includes(s)) removedSelected++;
      live.splice(live.indexOf(s), 1);
      last = last.filter((x) => x !== s);
      pool.remove(s);
      // What the removed PE left in the pool's arrays (a caller may read them before reuse).
      assert.equal(pool.selections[s], sel.get(s), `step ${step}: selections left by ${s}`);
      assert.equal(pool.degradation[s], deg.get(s), `step ${step}: counter left by ${s}`);
      sel.delete(s);
      deg.delete(s);
      if (below(ops, 2) === 0) {
        add();
        if (live[live.length - 1] === s) reused++;
      }
    } else if (op < 7) {
      // A re-registration with the same values: a change exactly when the counter is not 0.
      const s = target();
      const expected = deg.get(s) !== 0;
      assert.equal(pool.degraded(s), expected, `step ${step}: degraded(${s})`);
      assert.equal(pool.update(s, params.get(s)!), expected, `step ${step}: update of ${s}`);
      if (expected) changed++;
      else unchanged++;
      deg.set(s, 0);
    } else if (op === 7) {
      const s = target(), v = param(policy, ops, below(ops, 4));
      pool.update(s, v);
      params.set(s, v);
      deg.set(s, 0);
    } else if (op === 8) check(step);
    else {
      const k = 1 + below(ops, 4), mi = below(ops, 3), how = below(ops, 4);
      const used = (m: number, n: number): number => Math.min(m, n);
      if (how === 0) {
        const s = pool.selectOne(rng, mi);
        account([s], used(mi === 0 ? policy.defaultMaxIncrement : mi, 1));
      } else if (how === 1) {
        const s = pool.selectOneTrusted(rng, mi);
        account([s], used(mi, 1));
      } else if (how === 2) {
        const n = pool.selectIntoTrusted(k, SLOTS, into, rng, mi);
        account(into.slice(0, n), used(mi, n));
      } else {
        const n = pool.select(k, out, rng, mi);
        account([...out.subarray(0, n)], used(mi === 0 ? policy.defaultMaxIncrement : mi, n));
      }
    }
  }
  check(5000);
  assert.ok(
    grown >= 2 && reused > 20 && removedSelected > 20,
    `${grown} ${reused} ${removedSelected}`,
  );
  assert.ok(changed > 50 && unchanged > 20, `changes ${changed}, unchanged ${unchanged}`);
}
