// The registrar's own cost per request, sans-IO: a Registrar driven directly with encoded
// requests on one association, its answers drained, nothing else (no sockets, no framing).
// Handle resolutions in both profiles for pools of 10 and 1000 PEs (Round Robin, Least Used,
// Weighted Random), re-registrations (the update path) and registration + deregistration
// pairs (the create and remove paths); the handlespace's own resolve as the baseline.
// Run: deno task bench (or deno bench --allow-all bench/registrar_bench.ts). Figures: bench/README.md.

import { Registrar } from "../core/registrar/registrar.ts";
import { SeededRng } from "../core/rng.ts";
import type { PoolElementEntry } from "../core/handlespace/pool_element.ts";
import { policyParameter, PolicyType } from "../core/wire/policy_parameter.ts";
import { asapPpid, type WireProfile } from "../core/wire/profile.ts";
import { encodeMessage } from "../core/wire/wire_encoder.ts";

const POOL = new TextEncoder().encode("EchoPool");
const INFO = (port: number) => ({
  remote: { address: "127.0.0.1", port },
  local: { address: "127.0.0.1", port: 3863 },
  peerMaxPayload: 65535,
  listener: "asap",
});

interface Setup {
  readonly pr: Registrar;
  readonly ppid: number;
  now: number;
}

function drain(pr: Registrar): void {
  while (pr.pollTransmit() !== undefined);
  while (pr.pollEvent() !== undefined);
}

function registration(profile: WireProfile, id: bigint, type: number, i: number) {
  const fields = type === PolicyType.LeastUsed
    ? { load: (i * 2654435761) >>> 0 }
    : type === PolicyType.WeightedRandom
    ? { weight: 1 + (i % 10) }
    : {};
  return encodeMessage({
    type: "registration",
    poolHandle: POOL,
    poolElement: {
      id,
      homeRegistrarId: 0n,
      registrationLife: 90000,
      userTransport: { protocol: "tcp", port: 7, transportUse: "data", addresses: ["127.0.0.1"] },
      policy: policyParameter(type, fields),
    },
  }, { profile });
}

/** A registrar with one pool of n PEs registered over association -1; PUs use -2. */
function setup(profile: WireProfile, n: number, type: number): Setup {
  const pr = new Registrar({
    rng: new SeededRng(1),
    profile,
    id: 7n,
    announceTargets: [],
    // One association carries the whole load at one instant: no per-association limits.
    maxHrRate: 0,
    maxMessageRate: 0,
    maxRegistrationsPerAssociation: 0,
  });
  const ppid = asapPpid(profile);
  pr.handleAssociationUp(0, -1, INFO(40001));
  pr.handleAssociationUp(0, -2, INFO(40002));
  for (let i = 0; i < n; i++) {
    pr.handleMessage(0, -1, ppid, 0, registration(profile, BigInt(1 + i * 7919), type, i));
    drain(pr);
  }
  return { pr, ppid, now: 0 };
}

const POLICIES = [
  ["RR", PolicyType.RoundRobin],
  ["LU", PolicyType.LeastUsed],
  ["WRAND", PolicyType.WeightedRandom],
] as const;

for (const profile of ["ng", "rfc"] as const) {
  for (const n of [10, 1000]) {
    for (const [name, type] of POLICIES) {
      const s = setup(profile, n, type);
      const request = encodeMessage({ type: "handle-resolution", poolHandle: POOL }, { profile });
      const group = `handle resolution, ${n} PEs, ${profile}`;
      Deno.bench({
        name: `registrar ${name}`,
        group,
        baseline: name === "RR",
        fn() {
          s.pr.handleMessage(s.now, -2, s.ppid, 0, request);
          if (s.pr.pollTransmit() === undefined) throw new Error("no response");
        },
      });
    }
    const hs = setup(profile, n, PolicyType.RoundRobin).pr.handlespace;
    const out: PoolElementEntry[] = [];
    Deno.bench({
      name: "handlespace.resolveInto RR (no decode, no encode)",
      group: `handle resolution, ${n} PEs, ${profile}`,
      fn() {
        if (hs.resolveInto(POOL, 3, out) !== 3) throw new Error("no PEs");
      },
    });
  }

  const s = setup(profile, 1000, PolicyType.LeastUsed);
  const updates = Array.from(
    { length: 64 },
    (_, i) => registration(profile, BigInt(1 + (i % 1000) * 7919), PolicyType.LeastUsed, i * 31),
  );
  let u = 0;
  Deno.bench({
    name: "re-registration (update of a known PE)",
    group: `registration, 1000 PEs, ${profile}`,
    baseline: true,
    fn() {
      s.pr.handleMessage(s.now, -1, s.ppid, 0, updates[u++ & 63]!);
      drain(s.pr);
    },
  });
  const fresh = Array.from(
    { length: 64 },
    (_, i) => registration(profile, BigInt(10_000_000 + i), PolicyType.LeastUsed, i),
  );
  const dereg = fresh.map((_, i) =>
    encodeMessage({
      type: "deregistration",
      poolHandle: POOL,
      poolElementId: BigInt(10_000_000 + i),
    }, { profile })
  );
  let f = 0;
  Deno.bench({
    name: "registration + deregistration of a new PE",
    group: `registration, 1000 PEs, ${profile}`,
    fn() {
      const i = f++ & 63;
      s.pr.handleMessage(s.now, -1, s.ppid, 0, fresh[i]!);
      s.pr.handleMessage(s.now, -1, s.ppid, 0, dereg[i]!);
      drain(s.pr);
    },
  });
}
