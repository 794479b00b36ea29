// The ENRP soak: every scenario of tests/enrp over many seeds at the scale (5
// registrars, 1,000 PEs, 50 PUs). The normal suite runs 30 seeds per scenario at a small scale
// and one at full scale; this runs as many as asked, and prints each failing seed with the
// command that replays it.
//
// Usage: deno task sim-soak [--seeds N (50)] [--from S (100000)] [--scenario NAME[,NAME]]
//                           [--scale full|small] [--seed S (one seed only)]

import { FULL, SCENARIOS, SMALL } from "../tests/enrp/_scenarios.ts";

function option(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i < 0 ? undefined : Deno.args[i + 1];
}

const seeds = Number(option("seeds") ?? 50);
const from = Number(option("from") ?? 100_000);
const one = option("seed");
const scaleName = option("scale") ?? "full";
const scale = scaleName === "small" ? SMALL : FULL;
const names = option("scenario")?.split(",") ?? Object.keys(SCENARIOS);
for (const n of names) {
  if (SCENARIOS[n] === undefined) {
    console.error(`sim-soak: no scenario "${n}" (${Object.keys(SCENARIOS).join(", ")})`);
    Deno.exit(2);
  }
}
const list = one === undefined ? Array.from({ length: seeds }, (_, i) => from + i) : [Number(one)];

let failures = 0;
const started = performance.now();
for (const name of names) {
  const t0 = performance.now();
  let failed = 0;
  for (const seed of list) {
    try {
      SCENARIOS[name]!(seed, scale);
    } catch (e) {
      failed++;
      const first = (e instanceof Error ? e.message : String(e)).split("\n").slice(0, 6).join("\n");
      console.log(`FAIL ${name} seed ${seed}: ${first}`);
      console.log(
        `  replay: deno task sim-soak --scenario ${name} --seed ${seed} --scale ${scaleName}`,
      );
    }
  }
  failures += failed;
  const ms = (performance.now() - t0) / list.length;
  console.log(
    `${name}: ${list.length - failed}/${list.length} seeds ok, ${ms.toFixed(0)} ms per run`,
  );
}
console.log(
  `sim-soak: ${failures} failed of ${names.length * list.length} runs in ${
    ((performance.now() - started) / 1000).toFixed(0)
  } s`,
);
Deno.exit(failures === 0 ? 0 : 1);
