// Fuzzes the wire decoder with random and mutated inputs (the loop of the normal test suite,
// for as long as you like) and reports cases per second.
//
//   deno task fuzz-wire [COUNT] [--seed N]
//
// COUNT defaults to 1,000,000. A failing case prints its input as hex and exits 1; rerun with
// the printed seed to reproduce.

import { corpus, fuzz } from "../tests/_wire_fuzz.ts";

const args = [...Deno.args];
let seed = (Date.now() ^ (performance.now() * 1000)) >>> 0;
const at = args.indexOf("--seed");
if (at >= 0) {
  seed = Number(args[at + 1]) >>> 0;
  args.splice(at, 2);
}
const count = args[0] === undefined ? 1_000_000 : Number(args[0].replaceAll("_", ""));
if (!Number.isInteger(count) || count <= 0) {
  console.error(`fuzz-wire: COUNT must be a positive integer, not "${args[0]}"`);
  Deno.exit(64);
}

console.log(`fuzz-wire: ${count} cases, seed ${seed}`);
const samples = corpus(1000, seed);
const started = performance.now();
const chunk = 100_000;
const total = { cases: 0, ok: 0, needMore: 0, malformed: 0 };
try {
  for (let done = 0; done < count; done += chunk) {
    const c = fuzz(Math.min(chunk, count - done), (seed + done) >>> 0, samples);
    total.cases += c.cases;
    total.ok += c.ok;
    total.needMore += c.needMore;
    total.malformed += c.malformed;
    const secs = (performance.now() - started) / 1000;
    console.log(
      `  ${total.cases} cases, ${Math.round(total.cases / secs)} cases/s ` +
        `(ok ${total.ok}, need-more ${total.needMore}, malformed ${total.malformed})`,
    );
  }
} catch (e) {
  console.error(`fuzz-wire: FAILED with seed ${seed}: ${(e as Error).message}`);
  Deno.exit(1);
}
const secs = (performance.now() - started) / 1000;
console.log(
  `fuzz-wire: ${total.cases} cases in ${secs.toFixed(1)} s = ${
    Math.round(total.cases / secs)
  } cases/s, no failure`,
);
