// The calendar engine of the degradation family against the heap engine: a copy of each policy
// defined through definePolicy() (hooks only, no formula codes) runs on the heap engine with
// the same hooks, so both must select exactly the same pool elements, in the same order, over
// random streams of registrations, updates (which reset the counter and may lower a key below
// the first key), deregistrations and selections of every k and MaxIncrement, including the long
// "water filling" runs of the steady state and keys at the 0xffffffff cap.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
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
import { CalendarEngine, calendarSequence, calendarThreshold } from "./_calendar_engine.ts";

// Runs fn with settings[key] (one of the engine's tunables) set to value, restored afterwards.
function withSetting<T extends object, K extends keyof T>(
  settings: T,
  key: K,
  value: T[K],
  fn: () => void,
): void {
  const saved = settings[key];
  settings[key] = value;
  try {
    fn();
  } finally {
    settings[key] = saved;
  }
}

// Runs fn with the calendar engine taking over from `min` pool elements on.
function withCalendarFrom(min: number, fn: () => void): void {
  withSetting(calendarThreshold, "min", min, fn);
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
  withSetting(calendarSequence, "span", span, fn);
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
// A use caps the degradation counter and the key at 2^32 − 1 (the engine adds in 32-bit words and
// tells a wrapped sum by its being less than the first term): load degradations above 2^31 wrap
// at a PE's second use, through selectOne and through selectInto's own copy of the use.
for (const policy of FAMILY) {
  test(`${policy.name}: uses through selectOne and selectInto cap the counter and the key as the heap engine`, () => {
    withCalendarFrom(0, () => {
      const a = new SelectionPool(policy), b = new SelectionPool(hookCopy(policy));
      for (let i = 0; i < 7; i++) {
        const v = policyParameter(policy.type, {
          load: 0x30000000 * (i % 3) + i,
          loadDegradation: 0x90000000 + 0x1000 * i,
        });
        assert.equal(a.add(v), b.add(v));
      }
      const ra = new SeededRng(1), rb = new SeededRng(1);
      for (let i = 0; i < 60; i++) {
        const k = i % 4 === 0 ? 1 : 2 + (i % 3);
        const got = k === 1 ? [a.selectOne(ra)] : pickInto(a, k, ra, 0);
        assert.deepEqual(got, k === 1 ? [b.selectOne(rb)] : pick(b, k, rb, 0), `call ${i}`);
      }
      for (let s = 0; s < 7; s++) {
        assert.equal(a.degradation[s], 0xffffffff, `counter of ${s}`);
        assert.equal(a.degradation[s], b.degradation[s]);
        assert.equal(a.selections[s], b.selections[s]);
      }
      assert.deepEqual(a.order(), b.order());
    });
  });
}

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

// Property (fast-check, wave 14 review): any interleaving of registrations, deregistrations,
// bursts of them (many PEs pending: the calendar files everything again without bringing the
// counts up to date), re-registrations with the same or new values, selections of every k (up to
// all PEs) and MaxIncrement (0 … past k) through each entry, and reads of the counts at any
// moment must give what the heap engine gives: the same PEs, degraded() and update() the same
// answer, the pool's counters and selection counts equal for every live slot and every slot
// freed since, whatever the threshold of the move and the span of the sequence numbers.
type CalendarOp =
  | { readonly t: "add"; readonly regime: number }
  | { readonly t: "remove"; readonly pick: number }
  | { readonly t: "burst"; readonly count: number; readonly regime: number }
  | { readonly t: "same" | "new"; readonly pick: number; readonly regime: number }
  | { readonly t: "one" | "trusted"; readonly mi: number }
  | {
    readonly t: "select" | "into";
    readonly k: number;
    readonly all: boolean;
    readonly mi: number;
  }
  | { readonly t: "read" | "order" };

const calendarOp: fc.Arbitrary<CalendarOp> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant("add" as const), regime: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("remove" as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("burst" as const),
      count: fc.integer({ min: 1, max: 60 }),
      regime: fc.nat(3),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constantFrom("same" as const, "new" as const),
      pick: fc.nat(),
      regime: fc.nat(3),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({ t: fc.constantFrom("one" as const, "trusted" as const), mi: fc.nat(3) }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constantFrom("select" as const, "into" as const),
      k: fc.integer({ min: 1, max: 6 }),
      all: fc.boolean(),
      mi: fc.oneof(fc.nat(3), fc.constant(1000)),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constantFrom("read" as const, "order" as const) }) },
);

function differential(
  policy: PoolPolicy,
  reference: PoolPolicy,
  start: number,
  seed: number,
  ops: readonly CalendarOp[],
): void {
  const rng = new SeededRng(seed);
  const a = new SelectionPool(policy), b = new SelectionPool(reference);
  const ra = new SeededRng(seed + 1), rb = new SeededRng(seed + 1);
  const live: number[] = [], freed = new Set<number>(), params = new Map<number, PolicyParameter>();
  const add = (regime: number): void => {
    const v = param(policy, rng, regime);
    const s = a.add(v);
    assert.equal(b.add(v), s);
    live.push(s);
    freed.delete(s);
    params.set(s, v);
  };
  const remove = (pick: number): void => {
    const s = live.splice(pick % live.length, 1)[0]!;
    a.remove(s);
    b.remove(s);
    freed.add(s);
  };
  for (let i = 0; i < start; i++) add(i % 4);
  const out = new Int32Array(live.length + 64), outB = new Int32Array(out.length);
  const into: number[] = [], intoB: number[] = [];
  for (let step = 0; step < ops.length; step++) {
    const op = ops[step]!, at = `step ${step} ${JSON.stringify(op)}`;
    switch (op.t) {
      case "add":
        add(op.regime);
        break;
      case "remove":
        if (live.length > 1) remove(op.pick);
        break;
      case "burst": {
        const m = Math.min(op.count, live.length - 1);
        for (let i = 0; i < m; i++) remove(live.length - 1 - (i % live.length));
        for (let i = 0; i < m; i++) add(op.regime);
        break;
      }
      case "same":
      case "new": {
        if (live.length === 0) break;
        const s = live[op.pick % live.length]!;
        const v = op.t === "same" ? params.get(s)! : param(policy, rng, op.regime);
        params.set(s, v);
        assert.equal(a.degraded(s), b.degraded(s), `degraded(${s}), ${at}`);
        assert.equal(a.update(s, v), b.update(s, v), `update(${s}), ${at}`);
        break;
      }
      case "one":
        assert.equal(a.selectOne(ra, op.mi), b.selectOne(rb, op.mi), at);
        break;
      case "trusted":
        assert.equal(a.selectOneTrusted(ra, op.mi), b.selectOneTrusted(rb, op.mi), at);
        break;
      case "select":
      case "into": {
        const k = op.all ? live.length + op.k - 3 : op.k;
        if (k < 1 || k > out.length) break;
        const n = op.t === "into"
          ? a.selectIntoTrusted(k, SLOTS, into, ra, op.mi)
          : a.select(k, out, ra, op.mi);
        const got = op.t === "into" ? into.slice(0, n) : [...out.subarray(0, n)];
        // (The same entry on both: select() reads MaxIncrement 0 as the policy's default.)
        const m = op.t === "into"
          ? b.selectIntoTrusted(k, SLOTS, intoB, rb, op.mi)
          : b.select(k, outB, rb, op.mi);
        assert.deepEqual(got, op.t === "into" ? intoB.slice(0, m) : [...outB.subarray(0, m)], at);
        break;
      }
      case "order":
        assert.deepEqual(a.order(), b.order(), at);
        break;
      default: {
        // Either array first (reading one brings both up to date).
        const degFirst = step % 2 === 0;
        const da = degFirst ? a.degradation : undefined, sa = a.selections;
        const db = b.degradation, sb = b.selections;
        for (const s of [...live, ...freed]) {
          assert.equal((da ?? a.degradation)[s], db[s], `counter of ${s}, ${at}`);
          assert.equal(sa[s], sb[s], `selections of ${s}, ${at}`);
        }
      }
    }
  }
  for (const s of live) {
    assert.equal(a.degraded(s), b.degraded(s));
    assert.equal(a.selections[s], b.selections[s], `selections of ${s} at the end`);
    assert.equal(a.degradation[s], b.degradation[s], `counter of ${s} at the end`);
  }
  assert.deepEqual(a.order(), b.order());
  assert.deepEqual(bySequence(a, live), bySequence(b, live));
}

for (const policy of FAMILY) {
  test(`${policy.name}: any interleaving of changes, selections and reads of the counts gives the heap engine's selections and counts`, () => {
    const reference = hookCopy(policy);
    fc.assert(
      fc.property(
        fc.constantFrom(0, 8, 40),
        fc.constantFrom(0xffffffff, 24, 200),
        fc.integer({ min: 0, max: 120 }),
        fc.nat(1000),
        fc.array(calendarOp, { minLength: 1, maxLength: 300, size: "max" }),
        (threshold, span, start, seed, ops) => {
          withSequenceSpan(span, () => {
            withCalendarFrom(threshold, () => differential(policy, reference, start, seed, ops));
          });
        },
      ),
      { numRuns: 200, seed: 14 * policy.type },
    );
  });
}

// The engine lists a PE when its record's uncounted selections leave 0 and reads the list at the
// next flushUses(); a removed PE stays listed, so a slot reused before the flush is listed again,
// and past as many listings as there are node records the flush reads every record instead.
// Filing a burst of registrations all at once (LUD, PLUD: keys from the pool's arrays) reads no
// count, so: select all but the last PE, re-register a burst of the selected into their slots,
// and select everything (the burst first, the last PE at the end, after the list is full). Every
// count must survive.
for (const policy of [leastUsedDegradation, priorityLeastUsedDegradation]) {
  test(`${policy.name}: selection counts survive more listings than the engine's list holds`, () => {
    withCalendarFrom(0, () => {
      const lud = (load: number) => policyParameter(policy.type, { load, loadDegradation: 0 });
      const pool = new SelectionPool(policy), rng = new SeededRng(3);
      for (let i = 0; pool.size < pool.capacity || i < 100; i++) pool.add(lud(1000 + i));
      const n = pool.size, last = n - 1, out = new Int32Array(n), sel = new Array(n).fill(0);
      assert.equal(pool.capacity, n);
      // MaxIncrement 0: the order stays (slot order, by load).
      assert.equal(pool.selectIntoTrusted(n - 1, SLOTS, [], rng, 0), n - 1);
      for (let s = 0; s < n - 1; s++) sel[s]++;
      const burst = 16 + (n >> 3) + 4;
      for (let s = 0; s < burst; s++) pool.remove(s);
      for (let s = burst - 1; s >= 0; s--) {
        assert.equal(pool.add(lud(s)), s); // last freed, first reused: slots burst − 1 … 0
        sel[s] = 0;
      }
      assert.equal(pool.select(n, out, rng, 0), n);
      assert.equal(out[n - 1], last);
      for (const s of out) sel[s]++;
      assert.equal(sel[last], 1);
      assert.deepEqual([...pool.selections], sel);
    });
  });
}

// A record counts up to 2^32 − 1 uncounted selections, then adds them to the pool's count and
// starts again at 1. Reaching that takes 2^32 selections; the test writes the record's count
// instead (the engine, caught when it adopts the pool, keeps its records in `nk`).
for (const size of [6, 300]) {
  test(`LeastUsedDegradation: a record's selection count at 2^32 − 1 is added to the pool's count, not lost (${size} PEs)`, () => {
    withEngine((engineOf) => withCalendarFrom(4, () => recordCountWraps(size, engineOf)));
  });
}

// (A few PEs wait in the low heap, a use of the current bucket's head runs elsewhere: both.)
function recordCountWraps(size: number, engineOf: () => CalendarEngine): void {
  const pool = new SelectionPool(leastUsedDegradation), rng = new SeededRng(1);
  const lud = (load: number) =>
    policyParameter(leastUsedDegradation.type, { load, loadDegradation: 0 });
  for (let i = 0; i < size; i++) pool.add(lud(10 + i));
  const engine = engineOf();
  const CNT = 7, id = 1; // slot 0: the least load, selected every time (no degradation)
  assert.equal(pool.selectOneTrusted(rng, 1), 0);
  assert.equal(engine.nk[8 * id + CNT], 1);
  engine.nk[8 * id + CNT] = 0xffffffff - 2; // as if 2^32 − 4 more selections
  let expected = 0xffffffff - 2;
  for (let i = 0; i < 5; i++) {
    assert.equal(pool.selectOneTrusted(rng, 1 - (i & 1)), 0);
    expected++;
  }
  assert.ok(engine.nk[8 * id + CNT]! < 4); // wrapped: the rest went to the pool's count
  assert.equal(pool.selections[0], expected);
  assert.equal(engine.nk[8 * id + CNT], 0);
  // And through the k > 1 paths (a selection first lists the record again).
  for (let mi = 0; mi < 3; mi++) {
    assert.equal(pool.selectOneTrusted(rng, 1), 0);
    expected += 1 + 0xffffffff - engine.nk[8 * id + CNT]!;
    engine.nk[8 * id + CNT] = 0xffffffff;
    assert.deepEqual(pickInto(pool, 3, rng, mi), [0, 1, 2]);
    assert.deepEqual(pick(pool, 3, rng, mi), [0, 1, 2]);
    expected += 2;
  }
  assert.equal(pool.selections[0], expected);
}

// From 1024 PEs on, the calendar's bucket width holds the steps of all PEs but the n/1024 with
// the largest load degradations: with two such PEs among 2048 the width is the others' (2^0
// here, 2^1 if it held every step), and a use of either jumps beyond the window into the high
// heap and is pulled back later. The choices must stay the heap engine's.
for (const policy of FAMILY) {
  test(`${policy.name}: PEs whose steps leave the calendar's window select what the heap engine selects`, () => {
    withEngine((engineOf) => {
      withCalendarFrom(64, () => {
        const a = new SelectionPool(policy), b = new SelectionPool(hookCopy(policy));
        const ra = new SeededRng(3), rb = new SeededRng(3), rng = new SeededRng(5);
        const n = 2048, far = new Set([7, 1500]);
        for (let i = 0; i < n; i++) {
          const v = policyParameter(policy.type, {
            load: i % 64,
            loadDegradation: far.has(i) ? 16000 : 4000 + (37 * i) % 4000,
          });
          assert.equal(a.add(v), i);
          assert.equal(b.add(v), i);
        }
        let farUses = 0;
        for (let step = 0; step < 30000; step++) {
          if (step % 5 === 4) {
            const k = 1 + below(rng, 4);
            const got = step % 10 === 4 ? pick(a, k, ra, 1) : pickInto(a, k, ra, 1);
            assert.deepEqual(got, pick(b, k, rb, 1), `step ${step}`);
            if (far.has(got[0]!)) farUses++;
          } else {
            const s = a.selectOne(ra, 1);
            assert.equal(s, b.selectOne(rb, 1), `step ${step}`);
            if (far.has(s)) farUses++;
          }
          if (step === 0) assert.equal(engineOf().shift, 0);
        }
        assert.ok(farUses >= 4, `the far PEs were used ${farUses} times`);
        assert.deepEqual(a.order(), b.order());
        for (let s = 0; s < n; s++) assert.equal(a.selections[s], b.selections[s]);
      });
    });
  });
}

// A bucket's tail word holds the tail's node id and, above it, its key's offset in the bucket;
// where the two need more than 32 bits (buckets of 2^19 for steps near 2^32, node ids of 14 bits
// for 5000 PEs) the offset's lowest bit is dropped and a tie of the rest reads the tail's record.
// Eight PEs with adjacent keys just below 2^19 and steps of 1 or 2 are used on every selection,
// in their bucket and across into the next: a used PE's key is often the tail's less one, which
// the truncated offsets do not tell apart (the test fails when such a tie appends in either
// place). The choices must stay the heap engine's.
test("LeastUsedDegradation: tail words that drop the offset's lowest bits select what the heap engine selects", () => {
  withEngine((engineOf) => {
    withCalendarFrom(64, () => {
      const policy = leastUsedDegradation;
      const a = new SelectionPool(policy), b = new SelectionPool(hookCopy(policy));
      const ra = new SeededRng(7), rb = new SeededRng(7), rng = new SeededRng(11);
      const slots = Array.from({ length: 5000 }, (_, i) => i);
      for (let i = 0; i < 5000; i++) {
        const v = policyParameter(policy.type, {
          load: i < 8 ? (1 << 19) - 64 + below(rng, 4) : 0x80000000 + (u32(rng) >>> 4),
          loadDegradation: i < 8 ? 1 + below(rng, 2) : 0xffffffff - below(rng, 3),
        });
        assert.equal(a.add(v), i);
        assert.equal(b.add(v), i);
      }
      for (let step = 0; step < 20000; step++) {
        if (step % 4 === 3) {
          const k = 1 + below(rng, 4);
          const out: number[] = [];
          a.selectInto(k, slots, out, ra, 1);
          assert.deepEqual(out, pick(b, k, rb, 1), `step ${step}`);
        } else assert.equal(a.selectOne(ra, 1), b.selectOne(rb, 1), `step ${step}`);
        if (step === 0) assert.ok(engineOf().dr > 0, `dr ${engineOf().dr}`);
      }
      assert.deepEqual(a.order(), b.order());
    });
  });
});

// Catches the calendar engine a pool creates (it adopts the pool at the threshold) while fn runs.
function withEngine(fn: (engine: () => CalendarEngine) => void): void {
  const adopt = CalendarEngine.prototype.adopt;
  let engine: CalendarEngine | undefined;
  CalendarEngine.prototype.adopt = function (this: CalendarEngine, ...args) {
    engine = this;
    return adopt.apply(this, args);
  };
  try {
    fn(() => engine!);
  } finally {
    CalendarEngine.prototype.adopt = adopt;
  }
}

// The engine's filed state, checked from outside (record fields: key 0, next 1, prev 2, where 3,
// sequence number 6; where: 1 calendar, 8·position + 2 low / 3 high). `full` walks every bucket;
// without it only the high heap's first against the window and st[4].
function checkEngine(e: CalendarEngine, full: boolean, at: string): void {
  const nd = e.nd, nk = e.nk, b0 = e.st[0]!, st4 = e.st[4]!;
  const bucketOf = (id: number) => nk[8 * id]! >>> e.shift;
  const before = (a: number, b: number) =>
    nk[8 * a]! < nk[8 * b]! || nk[8 * a]! === nk[8 * b]! && nk[8 * a + 6]! < nk[8 * b + 6]!;
  if (e.nHigh !== 0) {
    const first = e.high[1]!;
    assert.equal(e.high[0], nk[8 * first], `${at}: the high heap's first key`);
    // A bound above the true one leaves the first in the high heap past its turn.
    assert.ok(st4 <= bucketOf(first) - e.nb + 1, `${at}: st[4] ${st4} above the true bound`);
    if (e.cn !== 0) {
      assert.ok(bucketOf(first) - b0 >= e.nb, `${at}: the high heap's first inside the window`);
    }
  }
  if (!full) return;
  assert.equal(e.cur, b0 & e.mask, `${at}: cur`);
  const idb = 32 - Math.clz32(nd.length >> 3);
  assert.equal(e.idb, idb, `${at}: idb`);
  assert.equal(e.idm, 2 ** idb - 1, `${at}: idm`);
  assert.equal(e.om, 2 ** e.shift - 1, `${at}: om`);
  assert.equal(e.dr, Math.max(0, e.shift + idb - 32), `${at}: dr`);
  let cn = 0;
  for (let b = 0; b < e.nb; b++) {
    const head = e.ht[2 * b]!, tw = e.ht[2 * b + 1]!;
    const bit = (e.bits[b >> 5]! >>> (b & 31)) & 1;
    assert.equal(bit, head === 0 ? 0 : 1, `${at}: bit of bucket ${b}`);
    if (head === 0) {
      assert.equal(tw, 0, `${at}: the tail word of empty bucket ${b}`);
      continue;
    }
    let prev = 0, id = head;
    for (; id !== 0; prev = id, id = nd[8 * id + 1]!) {
      cn++;
      assert.equal(nd[8 * id + 3], 1, `${at}: where of ${id}`);
      assert.equal(nd[8 * id + 2], prev, `${at}: prev of ${id}`);
      assert.equal(bucketOf(id) & e.mask, b, `${at}: bucket of ${id}`);
      const rel = bucketOf(id) - b0;
      assert.ok(rel >= 0 && rel < e.nb, `${at}: ${id} outside the window (${rel})`);
      if (prev !== 0) assert.ok(before(prev, id), `${at}: order in bucket ${b}`);
    }
    assert.equal(tw & e.idm, prev, `${at}: the tail of bucket ${b}`);
    assert.equal(tw >>> e.idb, (nk[8 * prev]! & e.om) >>> e.dr, `${at}: tail offset ${b}`);
  }
  assert.equal(e.cn, cn, `${at}: cn`);
  for (const [h, n, tag] of [[e.low, e.nLow, 2], [e.high, e.nHigh, 3]] as const) {
    for (let i = 0; i < n; i++) {
      const id = h[2 * i + 1]!;
      assert.equal(h[2 * i], nk[8 * id], `${at}: heap key of ${id}`);
      assert.equal(nd[8 * id + 3], (i << 3) | tag, `${at}: where of ${id}`);
      if (i > 0) assert.ok(!before(id, h[2 * ((i - 1) >> 1) + 1]!), `${at}: heap order`);
      if (tag === 2) assert.ok(bucketOf(id) < b0, `${at}: low heap PE ${id} not below the window`);
    }
  }
}

// A seeded run of the LUD family on the calendar engine against the heap engine aimed at
// CalendarEngine.into (the pool's k > 1 entry with its own copy of the use): mostly k = 2 … 5
// with MaxIncrement 1, between k = 1 uses, registrations one at a time (the pool grows 1024 →
// 2048 → 4096 slots while the calendar is filed: node ids of 11, 12, 13 bits, tail words
// re-encoded; with steps near 2^32, buckets of 2^20 and keys at the cap, the offset's lowest bit
// dropped from 4096 slots on), bursts of updates that change the load degradations (the next
// filing sizes the buckets anew: another shift), and a few PEs with steps 2^6 times the rest's
// (beyond the window: the high heap). The engine's state is checked throughout (checkEngine).
function intoRun(policy: PoolPolicy, seed: number, scale: number): void {
  withEngine((engineOf) => {
    withCalendarFrom(64, () => {
      const rng = new SeededRng(seed);
      const a = new SelectionPool(policy), b = new SelectionPool(hookCopy(policy));
      const ra = new SeededRng(seed + 1), rb = new SeededRng(seed + 1);
      let shiftBits = scale, steps = 0;
      const shifts = new Set<number>(), drs = new Set<number>(), idbs = new Set<number>();
      let highSeen = 0;
      const param = (far = false): PolicyParameter => {
        // Steps of 2^shiftBits … 2^(shiftBits+1) (capped at 2^32 − 1), the registrations' one in
        // 2048 far larger (fewer than n/1024); loads within a few steps (for the largest scale
        // from 2^31 on: keys at the cap after a use).
        const ld = Math.min(
          0xffffffff,
          (far ? 64 : 1) * (2 ** shiftBits + below(rng, 2 ** shiftBits)),
        );
        const load = shiftBits >= 31
          ? 0x80000000 + (u32(rng) >>> 3)
          : below(rng, 4) * 2 ** shiftBits + below(rng, 1024);
        return policyParameter(policy.type, {
          load,
          loadDegradation: ld,
          loadDpf: policy.fields.includes("loadDpf") ? below(rng, 1 << 12) : 0,
          distance: policy.fields.includes("distance") ? below(rng, 50) : 0,
        });
      };
      const live: number[] = [];
      let adds = 0;
      const add = () => {
        const v = param(adds++ % 2048 === 100), s = a.add(v);
        assert.equal(b.add(v), s);
        live.push(s);
      };
      const select = (at: string) => {
        steps++;
        const r = below(rng, 10);
        if (r < 6) {
          const k = 2 + below(rng, 4), out: number[] = [];
          const n = a.selectIntoTrusted(k, SLOTS4, out, ra, 1);
          assert.deepEqual(out.slice(0, n), pick(b, k, rb, 1), at);
        } else if (r < 9) assert.equal(a.selectOneTrusted(ra, 1), b.selectOneTrusted(rb, 1), at);
        else {
          const k = 1 + below(rng, 4), mi = below(rng, 3);
          assert.deepEqual(pick(a, k, ra, mi), pick(b, k, rb, mi), at);
        }
        const e = engineOf();
        shifts.add(e.shift);
        drs.add(e.dr);
        idbs.add(e.idb);
        if (e.nHigh !== 0) highSeen++;
        checkEngine(e, steps % 97 === 0, at);
      };
      for (let i = 0; i < 1000; i++) add();
      for (let i = 0; i < 3200; i++) {
        add();
        select(`seed ${seed} add ${i}`);
        if (i % 2 === 0) select(`seed ${seed} add ${i}'`);
        if (i % 700 === 350) {
          // A burst of updates with other steps: filed anew, another bucket width.
          shiftBits = shiftBits === scale ? scale + 5 : scale;
          for (let j = 0; j < 16 + (live.length >> 3) + 1; j++) {
            const s = live[below(rng, live.length)]!, v = param();
            assert.equal(a.update(s, v), b.update(s, v));
          }
        }
      }
      checkEngine(engineOf(), true, `seed ${seed} end`);
      assert.deepEqual(a.order(), b.order());
      for (const s of live) {
        assert.equal(a.selections[s], b.selections[s]);
        assert.equal(a.degradation[s], b.degradation[s]);
      }
      assert.ok(shifts.size >= 2, `shifts ${[...shifts]}`);
      assert.ok(idbs.has(12) && idbs.has(13), `id bits ${[...idbs]}`);
      if (scale < 31) assert.ok(highSeen > 100, `${highSeen} selections with a high heap`);
      else assert.ok(drs.has(0) && drs.has(1), `dr ${[...drs]}`);
    });
  });
}

const SLOTS4: readonly number[] = Array.from({ length: 8192 }, (_, i) => i);

for (const policy of FAMILY) {
  test(`${policy.name}: CalendarEngine.into's k > 1 uses through growth, new bucket widths and the high heap select what the heap engine selects, the engine's state checked`, () => {
    intoRun(policy, 41 + policy.type, 8);
    intoRun(policy, 43 + policy.type, 31);
  });
}

// st[4], the least window start at which the high heap's first enters the window, must not be
// above the true bound: a window advance to exactly that start pulls the first in. Here a use
// moves the window to it (PE 0 from 0 to 37; the high heap's first, PE 2, at 100 = 37 + 64 − 1
// with 64 buckets of width 1), and a PE registered later at 100 goes into the calendar: were PE
// 2 left in the high heap, the walk of k = 3 would return the later PE instead. (Keys: load plus
// counter; the priority variants add the load degradation.)
for (const policy of [leastUsedDegradation, leastUsedDegradationDpf]) {
  test(`${policy.name}: a window advance to exactly the high heap's bound pulls its first in`, () => {
    withEngine((engineOf) => {
      withCalendarFrom(0, () => {
        const a = new SelectionPool(policy), b = new SelectionPool(hookCopy(policy));
        const ra = new SeededRng(1), rb = new SeededRng(1);
        const v = (load: number, loadDegradation: number) =>
          policyParameter(policy.type, { load, loadDegradation });
        // Filed one at a time (a selection without use files the pending): the window from 0.
        for (const [load, ld] of [[0, 37], [37, 0]] as const) {
          assert.equal(a.add(v(load, ld)), b.add(v(load, ld)));
          assert.equal(a.selectOneTrusted(ra, 0), b.selectOneTrusted(rb, 0));
        }
        assert.equal(a.add(v(100, 0)), b.add(v(100, 0))); // into the high heap
        assert.equal(a.selectOneTrusted(ra, 0), b.selectOneTrusted(rb, 0));
        assert.equal(engineOf().nHigh, 1, "PE 2 in the high heap");
        assert.equal(a.selectOne(ra, 1), 0);
        assert.equal(b.selectOne(rb, 1), 0);
        const e = engineOf();
        assert.equal(e.nb, 64);
        assert.equal(e.shift, 0);
        assert.equal(e.st[0], 37);
        assert.equal(e.nHigh, 0, "PE 2 pulled into the calendar");
        checkEngine(e, true, "after the advance");
        assert.equal(a.add(v(100, 0)), b.add(v(100, 0)));
        assert.deepEqual(pickInto(a, 3, ra, 1), [1, 0, 2]);
        assert.deepEqual(pick(b, 3, rb, 1), [1, 0, 2]);
        checkEngine(e, true, "at the end");
        assert.deepEqual(a.order(), b.order());
      });
    });
  });
}
