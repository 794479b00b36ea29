import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "../rng.ts";
import { AssociationIndex } from "./_association_index.ts";

// Random links, head changes and removals against a Map, for numbers drawn from `pick`.
function againstModel(pick: (rng: SeededRng) => number, steps: number, seed: number): void {
  const rng = new SeededRng(seed);
  const index = new AssociationIndex();
  const model = new Map<number, number>();
  for (let i = 0; i < steps; i++) {
    const a = pick(rng);
    const r = rng.nextU32() % 4;
    if (r < 2) {
      assert.equal(index.exchange(a, i), model.get(a) ?? -1, `exchange(${a}) at step ${i}`);
      model.set(a, i);
    } else if (model.has(a)) {
      if (r === 2) {
        index.replace(a, i);
        model.set(a, i);
      } else {
        index.delete(a);
        model.delete(a);
      }
    }
    assert.equal(index.get(a), model.get(a) ?? -1, `get(${a}) at step ${i}`);
  }
  for (const [a, key] of model) assert.equal(index.get(a), key);
}

test("AssociationIndex keeps a registrar's consecutive association numbers as a map would", () => {
  let next = 1;
  againstModel((rng) => rng.nextU32() % 3 === 0 ? next++ : 1 + rng.nextU32() % next, 20000, 1);
});

test("AssociationIndex keeps numbers that share their low bits (the overflow map) exact", () => {
  // Multiples of 4096 all want the same slot of every table up to 4096 slots.
  againstModel((rng) => 4096 * (rng.nextU32() % 300) + (rng.nextU32() % 3), 20000, 2);
});

test("AssociationIndex keeps negative, zero and beyond-32-bit integers apart", () => {
  const values = [
    0,
    -1,
    1,
    -4096,
    4096,
    2 ** 32,
    2 ** 32 + 1,
    2 ** 40 + 7,
    -(2 ** 40),
    2 ** 53 - 1,
  ];
  againstModel((rng) => values[rng.nextU32() % values.length]!, 5000, 3);
  const index = new AssociationIndex();
  index.exchange(2 ** 32, 5);
  assert.equal(index.get(0), -1);
  assert.equal(index.exchange(0, 6), -1);
  assert.equal(index.get(2 ** 32), 5);
  assert.equal(index.get(0), 6);
});

test("AssociationIndex finds a number in the overflow map after its slot was freed", () => {
  const index = new AssociationIndex(32);
  assert.equal(index.exchange(3, 1), -1);
  assert.equal(index.exchange(35, 2), -1); // slot 3 is taken: overflow
  index.delete(3); // slot 3 empty, 35 still in the overflow map
  assert.equal(index.get(35), 2);
  assert.equal(index.exchange(35, 4), 2); // found in the overflow map, not placed twice
  index.delete(35);
  assert.equal(index.get(35), -1);
  assert.equal(index.exchange(35, 5), -1); // now into the empty slot
  assert.equal(index.get(35), 5);
});
