// The ENRP scenarios over the simulated network: every scenario for many seeds at a small scale
// (5 registrars, 60 PEs, 6 PUs) and for one seed at the scale (5 registrars, 1,000 PEs,
// 50 PUs). A failure names its seed; replay it with SIM_SEED=<seed>. The soak
// (`deno task sim-soak`) runs many seeds at full scale.

import { test } from "node:test";
import { simSeeds, withSeed } from "../_sim.ts";
import { FULL, SCENARIOS, SMALL } from "./_scenarios.ts";

/** Seeds per scenario at the small scale (11 scenarios: 330 runs). */
const SEEDS = 30;
const REPLAY = "tests/enrp/scenarios_test.ts";

const TITLES: Readonly<Record<string, string>> = {
  join: "a registrar joining later downloads the handlespace from a mentor",
  "crash-one": "the crash of one registrar loses no PE and leaves one home per PE",
  "crash-two": "the crash of two registrars loses no PE and leaves one home per PE",
  partition: "a network partition and its heal converge, PEs stay resolvable on their side",
  "registrar-partition":
    "a partition between registrars only moves no PE and settles after the heal",
  asymmetric: "a registrar that others still hear is not taken over",
  loss: "20 % loss (retransmissions, lost datagrams, dying associations) converges",
  restart: "a registrar restarting with an empty table relearns everything",
  "home-takeover": "takeover with the H flag: PEs that listen re-register at the taker",
  suggestion: "takeover suggestion evens out ownership",
  "two-registrars": "with two registrars the survivor takes over without acks",
};

for (const [name, scenario] of Object.entries(SCENARIOS)) {
  test(`ENRP sim (${SEEDS} seeds, 60 PEs): ${TITLES[name]}`, () => {
    for (const seed of simSeeds(SEEDS, 1000 * Object.keys(SCENARIOS).indexOf(name) + 1)) {
      withSeed(seed, (s) => scenario(s, SMALL), REPLAY);
    }
  });
}

for (const [name, scenario] of Object.entries(SCENARIOS)) {
  test(`ENRP sim (1,000 PEs, 50 PUs): ${TITLES[name]}`, () => {
    for (const seed of simSeeds(1, 77)) withSeed(seed, (s) => scenario(s, FULL), REPLAY);
  });
}
