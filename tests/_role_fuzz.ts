// Fuzzing of the ASAP role state machines (registrar, pool element, pool user), shared by the
// normal suite (tests/role_fuzz_test.ts, a few thousand cases under fast-check) and the fuzz
// task (scripts/fuzz_roles.ts, `deno task fuzz`, 1,000,000 cases). A case is one event fed to
// a role: an association coming up or going down (on known and unknown ids, on every
// listener), a message (valid, mutated or random bytes, with the right or a wrong PPID), a
// datagram, a send failure, an RTT sample, or time passing, in random order. The roles must
// never throw; after each case:
//
// - every message a role sends decodes cleanly in its profile (no role emits garbage);
// - every close/connect action names a sane association;
// - pollTimeout() is undefined or a finite number;
// - registrar: both handlespace checksums equal their full recomputation, no PE is left on an
//   association that went down, and the handlespace stays within its limits.
//
// The valid messages come from fast-check's arbitraries of the wire model
// (tests/_wire_arbitraries.ts); mutations are those of the wire fuzzer (tests/_wire_fuzz.ts).

import fc from "fast-check";
import { PoolElement } from "../core/asap/pool_element.ts";
import { PoolUser } from "../core/asap/pool_user.ts";
import { Registrar } from "../core/registrar/registrar.ts";
import { SeededRng } from "../core/rng.ts";
import type { AssociationId, Role, RoleAction } from "../core/role.ts";
import type { AsapMessage } from "../core/wire/asap_message.ts";
import { WireDecoder } from "../core/wire/wire_decoder.ts";
import { WireEncoder } from "../core/wire/wire_encoder.ts";
import { policyParameter, PolicyType } from "../core/wire/policy_parameter.ts";
import { asapPpid, enrpPpid, type WireProfile } from "../core/wire/profile.ts";
import { anyMessageArb } from "./_wire_arbitraries.ts";
import { mutate } from "./_wire_fuzz.ts";

/** The roles fuzzed. */
export type FuzzedRole = "registrar" | "pool-element" | "pool-user";

/** Tallies of a run. */
export interface RoleFuzzCounts {
  /** Events fed. */
  cases: number;
  /** Messages the roles sent (each decoded and checked). */
  sent: number;
  /** Associations the roles closed or aborted. */
  closed: number;
  /** The registrar's largest handlespace size of each sequence, summed. */
  registered: number;
}

/** Valid encodings of random messages (both protocols) of a profile, plus registrations. */
export function roleCorpus(profile: WireProfile, size: number, seed: number): Uint8Array[] {
  const enc = new WireEncoder({ profile });
  const out: Uint8Array[] = [];
  for (const { message } of fc.sample(anyMessageArb(profile), { numRuns: size, seed })) {
    out.push(enc.encode(message).slice());
  }
  // Well-formed requests and answers into a few pools, weighted 4:1 over the random ones, so
  // the handlespace fills up and the roles' interesting paths run.
  const useful: Uint8Array[] = [];
  const push = (m: AsapMessage) => useful.push(enc.encodeAsap(m).slice()); // the encoder reuses its buffer
  for (let i = 0; i < 24; i++) {
    const poolHandle = new TextEncoder().encode(`Pool${i % 3}`);
    const id = BigInt(1 + (i % 8));
    const element = {
      id,
      homeRegistrarId: BigInt(1 + (i % 2)),
      registrationLife: 30000,
      userTransport: {
        protocol: "tcp" as const,
        port: 7000 + i,
        transportUse: "data" as const,
        addresses: ["127.0.0.1"],
      },
      policy: policyParameter(i % 2 === 0 ? PolicyType.RoundRobin : PolicyType.LeastUsed),
    };
    [
      {
        type: "registration",
        poolHandle,
        poolElement: { ...element, homeRegistrarId: 0n },
      },
      { type: "handle-resolution", poolHandle },
      { type: "deregistration", poolHandle, poolElementId: id },
      { type: "endpoint-unreachable", poolHandle, poolElementId: id },
      { type: "endpoint-keep-alive-ack", poolHandle, poolElementId: id },
      {
        type: "endpoint-keep-alive",
        home: i % 2 === 0,
        registrarId: BigInt(1 + (i % 2)),
        poolHandle,
        poolElementId: id,
      },
      {
        type: "registration-response",
        reject: i % 5 === 0,
        poolHandle,
        poolElementId: id,
      },
      {
        type: "handle-resolution-response",
        poolHandle,
        policy: element.policy,
        poolElements: [element],
      },
      { type: "server-announce", registrarId: BigInt(1 + (i % 2)), transports: [] },
    ].forEach((m) => push(m as AsapMessage));
  }
  for (let k = 0; k < 4; k++) for (const b of useful) out.push(b.slice());
  return out;
}

function below(rng: SeededRng, n: number): number {
  return n <= 0 ? 0 : rng.nextU32() % n;
}

class FuzzFailure extends Error {
  constructor(role: FuzzedRole, seed: number, step: number, what: string) {
    super(`role fuzz (${role}, seed ${seed}, step ${step}): ${what}`);
    this.name = "FuzzFailure";
  }
}

function newRole(kind: FuzzedRole, profile: WireProfile, rng: SeededRng): Role<unknown> {
  switch (kind) {
    case "registrar":
      return new Registrar({
        rng,
        profile,
        announceTargets: [{ address: "239.0.0.50", port: 3863 }],
        // Small limits, so the fuzzer reaches them.
        limits: { maxPools: 4, maxPoolElements: 12, maxPoolElementsPerPool: 6 },
        maxRegistrationsPerAssociation: 5,
        maxMessageRate: 200,
        maxHrRate: 50,
        maxEuRate: 5,
        keepAliveTransmissionInterval: 500,
        keepAliveTimeout: 300,
      });
    case "pool-element":
      return new PoolElement({
        rng,
        profile,
        poolHandle: "Pool0",
        policy: policyParameter(PolicyType.RoundRobin),
        userTransport: { protocol: "tcp", port: 7, addresses: ["127.0.0.1"] },
        registrars: [{ address: "127.0.0.1", port: 3863 }],
      });
    case "pool-user":
      return new PoolUser({
        rng,
        profile,
        registrars: [{ address: "127.0.0.1", port: 3863 }],
      });
  }
}

/**
 * Runs `cases` events against fresh roles (a new role every `sequence` events), cycling
 * through the three roles and both profiles. Throws a FuzzFailure naming the seed and step.
 */
export function fuzzRoles(
  cases: number,
  seed: number,
  corpora: Readonly<Record<WireProfile, readonly Uint8Array[]>>,
  sequence = 200,
): RoleFuzzCounts {
  const counts: RoleFuzzCounts = { cases: 0, sent: 0, closed: 0, registered: 0 };
  const kinds: FuzzedRole[] = ["registrar", "pool-element", "pool-user"];
  let round = 0;
  while (counts.cases < cases) {
    const kind = kinds[round % 3]!;
    const profile: WireProfile = (round >> 1) % 2 === 0 ? "ng" : "rfc";
    const n = Math.min(sequence, cases - counts.cases);
    runSequence(kind, profile, (seed + round * 7919) >>> 0, n, corpora[profile], counts);
    round++;
  }
  return counts;
}

function runSequence(
  kind: FuzzedRole,
  profile: WireProfile,
  seed: number,
  steps: number,
  samples: readonly Uint8Array[],
  counts: RoleFuzzCounts,
): void {
  const rng = new SeededRng(seed);
  const role = newRole(kind, profile, new SeededRng(seed ^ 0x5bd1e995));
  const registrar = role instanceof Registrar ? role : undefined;
  const decoder = new WireDecoder({ profile });
  const ppids = [
    asapPpid(profile),
    enrpPpid(profile),
    asapPpid(profile === "ng" ? "rfc" : "ng"),
    0,
  ];
  /** Associations that are up, and those the role asked to connect (not yet up). */
  const up = new Set<AssociationId>();
  const connecting = new Set<AssociationId>();
  const down = new Set<AssociationId>();
  let now = 0;
  let nextInbound = -1;
  let step = 0;
  let peak = 0;
  const fail = (what: string): never => {
    throw new FuzzFailure(kind, seed, step, what);
  };

  const drain = (): void => {
    for (
      let a: RoleAction | undefined = role.pollTransmit();
      a !== undefined;
      a = role.pollTransmit()
    ) {
      switch (a.type) {
        case "send": {
          counts.sent++;
          const asap = a.ppid === asapPpid(profile);
          if (!asap && a.ppid !== enrpPpid(profile)) fail(`send with PPID ${a.ppid}`);
          const r = asap ? decoder.decodeAsap(a.payload) : decoder.decodeEnrp(a.payload);
          if (r.kind !== "ok") {
            fail(
              `sent a message that does not decode: ${r.kind === "malformed" ? r.detail : r.kind}`,
            );
          }
          break;
        }
        case "connect":
          if (!Number.isSafeInteger(a.assoc) || a.assoc <= 0) fail(`connect with id ${a.assoc}`);
          if (a.endpoints.length === 0) fail("connect without endpoints");
          connecting.add(a.assoc);
          break;
        case "close":
          counts.closed++;
          up.delete(a.assoc);
          connecting.delete(a.assoc);
          break;
        case "datagram":
          break;
        default:
          break;
      }
    }
    while (role.pollEvent() !== undefined);
    const t = role.pollTimeout();
    if (t !== undefined && !Number.isFinite(t)) fail(`pollTimeout() is ${t}`);
    if (registrar !== undefined) {
      checkRegistrar(registrar, down, fail);
      if (registrar.handlespace.size > peak) peak = registrar.handlespace.size;
    }
  };

  const pick = (set: Set<AssociationId>): AssociationId | undefined => {
    if (set.size === 0) return undefined;
    let i = below(rng, set.size);
    for (const v of set) if (i-- === 0) return v;
    return undefined;
  };

  for (step = 0; step < steps; step++) {
    counts.cases++;
    now += below(rng, 4) === 0 ? below(rng, 3000) : below(rng, 20);
    const what = below(rng, 100);
    try {
      if (what < 8) {
        // An association comes up: accepted on a listener, or one the role asked for.
        const c = pick(connecting);
        let id: AssociationId;
        let listener: string | undefined;
        if (c !== undefined && below(rng, 2) === 0) {
          connecting.delete(c);
          id = c;
          listener = undefined;
        } else {
          id = nextInbound--;
          listener = below(rng, 20) === 0 ? ["enrp", "other"][below(rng, 2)] : "asap";
        }
        up.add(id);
        down.delete(id);
        role.handleAssociationUp(now, id, {
          remote: {
            address: ["127.0.0.1", "127.0.0.1", "127.0.0.1", "10.0.0.1", "::1"][below(rng, 5)]!,
            port: 1024 + below(rng, 60000),
          },
          local: { address: "127.0.0.1", port: 3863 },
          peerMaxPayload: 65535,
          listener,
        });
      } else if (what < 12) {
        const id = pick(up) ?? pick(connecting) ?? -999;
        up.delete(id);
        connecting.delete(id);
        down.add(id);
        role.handleAssociationDown(now, id, {
          reason: (["closed", "reset", "timeout", "connect-failed"] as const)[below(rng, 4)]!,
          cause: 0,
          detail: "fuzz",
        });
      } else if (what < 80) {
        const id = pick(up) ?? (below(rng, 2) === 0 ? -12345 : 777);
        // Half valid messages, half mutated or random bytes; 2 % with a wrong PPID (which
        // aborts the association at once).
        const payload = below(rng, 2) === 0
          ? samples[below(rng, samples.length)]!
          : mutate(rng, samples);
        const ppid = below(rng, 100) < 98 ? ppids[0]! : ppids[below(rng, ppids.length)]!;
        role.handleMessage(now, id, ppid, below(rng, 3), payload);
      } else if (what < 85) {
        const payload = below(rng, 2) === 0
          ? samples[below(rng, samples.length)]!
          : mutate(rng, samples);
        role.handleDatagram(now, "asap-announce", { address: "127.0.0.1", port: 3863 }, payload);
      } else if (what < 88) {
        const id = pick(up) ?? 1;
        role.handleSendFailed?.(
          now,
          id,
          below(rng, 2) === 0 ? "closed" : "buffer-full",
          new Uint8Array(8),
        );
      } else if (what < 90) {
        const id = pick(up) ?? 1;
        const rtt = below(rng, 500);
        role.handleRttSample?.(now, id, { rtt, srtt: rtt, rttvar: rtt / 2 });
      } else {
        const t = role.pollTimeout();
        if (t !== undefined && t > now) now = below(rng, 2) === 0 ? t : now;
        role.handleTimeout(now);
      }
    } catch (e) {
      if (e instanceof FuzzFailure) throw e;
      fail(`threw ${(e as Error)?.stack ?? String(e)}`);
    }
    drain();
  }
  counts.registered += peak;
}

function checkRegistrar(
  pr: Registrar,
  down: ReadonlySet<AssociationId>,
  fail: (what: string) => never,
): void {
  const hs = pr.handlespace;
  if (hs.handlespaceChecksum() !== hs.computeHandlespaceChecksum()) {
    fail("handlespace checksum differs from its recomputation");
  }
  if (hs.ownershipChecksum(pr.id) !== hs.computeOwnershipChecksum(pr.id)) {
    fail("ownership checksum differs from its recomputation");
  }
  for (const id of down) {
    if (hs.entriesOfAssociation(id).length > 0) {
      fail(`PEs left on association ${id}, which is down`);
    }
  }
  const limits = pr.config.limits;
  if (hs.size > limits.maxPoolElements!) fail(`${hs.size} PEs over the limit`);
  if (hs.poolCount > limits.maxPools!) fail(`${hs.poolCount} pools over the limit`);
}
