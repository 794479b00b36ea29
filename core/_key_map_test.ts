import { test } from "node:test";
import assert from "node:assert/strict";
import { KeyMap } from "./_key_map.ts";
import { SeededRng } from "./rng.ts";

test("KeyMap: random inserts, overwrites and deletions agree with a Map (integer and fractional keys)", () => {
  const map = new KeyMap(2);
  const model = new Map<number, number>();
  const rng = new SeededRng(9);
  const keyOf = (x: number): number => (x % 5 === 0 ? x / 7 : x % 3 === 0 ? Infinity : x * 0x10001);
  for (let step = 0; step < 20000; step++) {
    const k = keyOf(rng.nextU32() % 300);
    const op = rng.nextU32() % 3;
    if (op === 0) {
      const v = rng.nextU32() % 1000;
      if (model.has(k)) map.replace(k, v);
      else map.insert(k, v);
      model.set(k, v);
    } else if (op === 1) {
      const v = rng.nextU32() % 1000;
      map.set(k, v);
      model.set(k, v);
    } else if (model.has(k)) {
      map.delete(k);
      model.delete(k);
    }
    assert.equal(map.size, model.size);
    assert.equal(map.get(k), model.get(k) ?? -1);
  }
  for (const [k, v] of model) assert.equal(map.get(k), v);
});

test("KeyMap: −0 and 0 are the same key", () => {
  const map = new KeyMap();
  map.insert(0, 4);
  assert.equal(map.get(-0), 4);
});
