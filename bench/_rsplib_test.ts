import { test } from "node:test";
import assert from "node:assert/strict";
import { cellRatio, parseRsplibOutput } from "./_rsplib.ts";

// Lines as bench/rsplib/harness.c prints them.
const OUTPUT = [
  `{"harness":"rsplib","kind":"meta","clock":"cpu","build":"gcc 12.2.0 -O2 static"}`,
  `{"harness":"rsplib","kind":"resolve","policy":"RoundRobin","n":10,"k":1,"unit":"Mops","samples":[20.1,19.5,21.3]}`,
  `{"harness":"rsplib","kind":"resolve","policy":"RoundRobin","n":10,"k":3,"unit":"Mops","samples":[18,17,16,15]}`,
  `{"harness":"rsplib","kind":"registration","policy":"LeastUsed","n":1000,"unit":"Mops","samples":[2.08]}`,
  `{"harness":"rsplib","kind":"checksumUpdate","policy":"RoundRobin","n":100,"unit":"ns","samples":[11.9,12.1,11.8]}`,
  `{"harness":"rsplib","kind":"checksumBuffer","bytes":65536,"unit":"GBps","samples":[5.4,5.3,5.5]}`,
  `{"harness":"rsplib","kind":"clockRead","unit":"ns","samples":[28.2,28.3,28.1]}`,
  "",
].join("\n");

test("parseRsplibOutput() keys each harness cell like the table's and takes the median of its samples", () => {
  const cells = parseRsplibOutput(OUTPUT);
  assert.deepEqual([...cells.keys()], [
    "rsplib/RoundRobin/10/1",
    "rsplib/RoundRobin/10/3",
    "registration/LeastUsed/1000",
    "checksumUpdate/RoundRobin/100",
    "checksumBuffer/65536",
    "clockRead",
  ]);
  assert.equal(cells.get("rsplib/RoundRobin/10/1"), 20.1);
  assert.equal(cells.get("rsplib/RoundRobin/10/3"), 16.5);
  assert.equal(cells.get("registration/LeastUsed/1000"), 2.08);
  assert.equal(cells.get("checksumBuffer/65536"), 5.4);
  assert.equal(cells.get("clockRead"), 28.2);
});

test("parseRsplibOutput() rejects output that is not the harness's, naming the line", () => {
  assert.throws(
    () => parseRsplibOutput("rsplib harness: PE count differs from N"),
    { name: "TypeError", message: /not JSON: rsplib harness: PE count/ },
  );
  assert.throws(
    () => parseRsplibOutput(`{"kind":"resolve","samples":[1]}`),
    { name: "TypeError", message: /not a harness line/ },
  );
  assert.throws(
    () =>
      parseRsplibOutput(
        `{"harness":"rsplib","kind":"resolve","policy":"Random","n":10,"k":1,"unit":"Mops","samples":[]}`,
      ),
    { name: "TypeError", message: /no positive samples/ },
  );
});

test("cellRatio() of paired runs is the median of the per-run ratios, so a slow window cancels", () => {
  // Runs 2 and 3 ran in a window that slowed both sides to half: each run's ratio is still 2,
  // while the medians (10 against 5) would compare a slow run of ours with a slow one of RSPLIB
  // only by luck.
  assert.equal(cellRatio([20, 10, 10], [10, 5, 5], true), 2);
  // Unpaired (the all-policies process against RSPLIB's own-process runs): ratio of the medians.
  assert.equal(cellRatio([20, 10, 10], [10, 10, 5], false), 1);
});

test("cellRatio() refuses runs it cannot pair and cells without runs", () => {
  assert.throws(() => cellRatio([1, 2], [1], true), {
    name: "RangeError",
    message: "Cannot pair runs: 2 runs of ours against 1 of RSPLIB",
  });
  assert.throws(() => cellRatio([], [1], false), RangeError);
});
