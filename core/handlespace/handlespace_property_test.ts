// Property test: random sequences of handlespace operations, checked after
// every step against a plain model (a Map of PEs) and against the
// handlespace's own invariants: incremental checksums equal a full
// recomputation, the owner and association indexes and counts match, every
// pool keeps its first PE's policy, enumeration returns exactly the model in
// ENRP order, and selection returns distinct live PEs of the pool.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SeededRng } from "../rng.ts";
import { type PolicyField, policyParameter, PolicyType } from "../wire/policy_parameter.ts";
import type { WireProfile } from "../wire/profile.ts";
import { type EnumerationCursor, Handlespace } from "./mod.ts";

const OWN = 1n;
const HANDLES = ["a", "bb", "EchoPool"].map((h) => new TextEncoder().encode(h));
const POLICIES = [
  PolicyType.RoundRobin,
  PolicyType.LeastUsedDegradation,
  PolicyType.WeightedRandom,
  PolicyType.Priority,
  PolicyType.PowerOfTwoLeastUsed,
];

type Op =
  | {
    op: "register";
    h: number;
    id: number;
    policy: number;
    home: number;
    assoc: number;
    load: number;
  }
  | { op: "deregister"; h: number; id: number }
  | { op: "changeOwner"; h: number; id: number; home: number }
  | { op: "transfer"; from: number; to: number }
  | { op: "removeAssociation"; assoc: number }
  | { op: "markPurge"; owner: number; refresh: number }
  | { op: "expire"; h: number; id: number; at: number; now: number }
  | { op: "resolve"; h: number; k: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("register" as const),
      h: fc.nat(2),
      id: fc.integer({ min: 1, max: 8 }),
      policy: fc.nat(POLICIES.length - 1),
      home: fc.nat(2),
      assoc: fc.nat(3),
      load: fc.nat(3),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("deregister" as const),
      h: fc.nat(2),
      id: fc.integer({ min: 1, max: 8 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("changeOwner" as const),
      h: fc.nat(2),
      id: fc.integer({ min: 1, max: 8 }),
      home: fc.nat(2),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("transfer" as const), from: fc.nat(2), to: fc.nat(2) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("removeAssociation" as const),
      assoc: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("markPurge" as const),
      owner: fc.nat(2),
      refresh: fc.integer({ min: 1, max: 8 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("expire" as const),
      h: fc.nat(2),
      id: fc.integer({ min: 1, max: 8 }),
      at: fc.nat(100),
      now: fc.nat(100),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("resolve" as const),
      h: fc.nat(2),
      k: fc.integer({ min: 0, max: 5 }),
    }),
  },
);

interface ModelPe {
  home: bigint;
  assoc: number | undefined;
}

function key(h: number, id: number): string {
  return `${h}/${id}`;
}

function run(ops: Op[], profile: WireProfile): void {
  const hs = new Handlespace({ ownId: OWN, rng: new SeededRng(7), profile });
  const model = new Map<string, ModelPe>();
  const poolPolicy = new Map<number, number>();
  const expiry = new Map<string, number>();
  const homes = [OWN, 2n, 3n];
  const inPool = (h: number): string[] => [...model.keys()].filter((k) => k.startsWith(`${h}/`));
  const drop = (k: string): void => {
    model.delete(k);
    expiry.delete(k);
    const h = Number(k.split("/")[0]);
    if (inPool(h).length === 0) poolPolicy.delete(h);
  };

  for (const [step, o] of ops.entries()) {
    const where = `step ${step} ${JSON.stringify(o)}`;
    switch (o.op) {
      case "register": {
        const type = POLICIES[o.policy]!;
        const fields: Partial<Record<PolicyField, number>> = {
          weight: 1 + o.load,
          priority: o.load,
          load: o.load * 1000,
          loadDegradation: 10,
        };
        const element = {
          id: BigInt(o.id),
          homeRegistrarId: homes[o.home]!,
          registrationLife: 1000,
          userTransport: {
            protocol: "sctp" as const,
            port: 1,
            transportUse: "data" as const,
            addresses: ["10.0.0.1"],
          },
          policy: policyParameter(type, fields),
        };
        // assoc 0 = an ENRP update (home from the parameter), else an ASAP registration here.
        const r = o.assoc === 0
          ? hs.register(HANDLES[o.h]!, element, { now: step })
          : hs.register(HANDLES[o.h]!, element, { now: step, home: OWN, association: o.assoc });
        const expectedPolicy = poolPolicy.get(o.h) ?? type;
        assert.equal(r.ok, expectedPolicy === type, where);
        if (r.ok) {
          poolPolicy.set(o.h, type);
          const k = key(o.h, o.id);
          assert.equal(r.created, !model.has(k), where);
          model.set(
            k,
            o.assoc === 0
              ? { home: homes[o.home]!, assoc: undefined }
              : { home: OWN, assoc: o.assoc },
          );
        }
        break;
      }
      case "deregister": {
        const k = key(o.h, o.id);
        assert.equal(hs.deregister(HANDLES[o.h]!, BigInt(o.id)) !== undefined, model.has(k), where);
        drop(k);
        break;
      }
      case "changeOwner": {
        const e = hs.find(HANDLES[o.h]!, BigInt(o.id));
        const m = model.get(key(o.h, o.id));
        assert.equal(e !== undefined, m !== undefined, where);
        if (e !== undefined && m !== undefined) {
          assert.equal(hs.changeOwner(e, homes[o.home]!), m.home !== homes[o.home], where);
          m.home = homes[o.home]!;
        }
        break;
      }
      case "transfer": {
        const from = homes[o.from]!, to = homes[o.to]!;
        const moved = hs.transferOwnership(from, to);
        const expected = [...model.values()].filter((m) => m.home === from);
        assert.equal(moved.length, expected.length, where);
        for (const m of expected) m.home = to;
        break;
      }
      case "removeAssociation": {
        const removed = hs.removeAssociation(o.assoc);
        const expected = [...model.entries()].filter(([, m]) => m.assoc === o.assoc).map(([k]) =>
          k
        );
        assert.equal(removed.length, expected.length, where);
        for (const k of expected) drop(k);
        break;
      }
      case "markPurge": {
        const owner = homes[o.owner]!;
        assert.equal(
          hs.markOwner(owner),
          [...model.values()].filter((m) => m.home === owner).length,
          where,
        );
        // Refresh one PE of that owner as a Handle Table Response entry would (an ENRP update:
        // home from the parameter, no association), then purge.
        const refreshed = [...model.entries()].find(([k, m]) =>
          m.home === owner && k.endsWith(`/${o.refresh}`)
        );
        if (refreshed !== undefined) {
          const [h] = refreshed[0].split("/").map(Number);
          const e = hs.find(HANDLES[h!]!, BigInt(o.refresh))!;
          const r = hs.register(HANDLES[h!]!, e.toParameter(), { now: step });
          assert.ok(r.ok && !r.created && !r.entry.marked, where);
          refreshed[1].assoc = undefined;
        }
        const purged = hs.purgeMarked(owner);
        const expected = [...model.entries()].filter(([k, m]) =>
          m.home === owner && k !== refreshed?.[0]
        ).map(([k]) => k);
        assert.equal(purged.length, expected.length, where);
        for (const k of expected) drop(k);
        break;
      }
      case "expire": {
        const e = hs.find(HANDLES[o.h]!, BigInt(o.id));
        if (e !== undefined) {
          hs.setDeadline(e, "lifetime-expiry", o.at);
          expiry.set(key(o.h, o.id), o.at);
        }
        const removed = hs.expire(o.now);
        const expected = [...expiry.entries()].filter(([, t]) => t <= o.now).map(([k]) => k);
        assert.equal(removed.length, expected.length, where);
        for (const k of expected) drop(k);
        break;
      }
      case "resolve": {
        const got = hs.resolve(HANDLES[o.h]!, o.k);
        const live = inPool(o.h);
        assert.equal(got.length, Math.min(o.k, live.length), where);
        assert.equal(new Set(got).size, got.length, where);
        for (const e of got) {
          assert.ok(e.live && model.has(key(o.h, Number(e.id))), where);
        }
        break;
      }
    }
    checkInvariants(hs, model, poolPolicy, homes, where);
  }
}

function checkInvariants(
  hs: Handlespace,
  model: Map<string, ModelPe>,
  poolPolicy: Map<number, number>,
  homes: bigint[],
  where: string,
): void {
  assert.equal(hs.size, model.size, where);
  assert.equal(hs.poolCount, poolPolicy.size, where);
  for (const [k, m] of model) {
    const [h, id] = k.split("/").map(Number);
    const e = hs.find(HANDLES[h!]!, BigInt(id!));
    assert.ok(e?.live, where);
    assert.equal(e!.homeRegistrarId, m.home, where);
    assert.equal(e!.association, m.assoc, where);
  }
  for (const [h, type] of poolPolicy) assert.equal(hs.pool(HANDLES[h]!)?.policy.type, type, where);
  assert.equal(hs.handlespaceChecksum(), hs.computeHandlespaceChecksum(), where);
  for (const owner of homes) {
    const count = [...model.values()].filter((m) => m.home === owner).length;
    assert.equal(hs.ownedCount(owner), count, where);
    assert.equal(hs.entriesOf(owner).length, count, where);
    assert.equal(hs.ownershipChecksum(owner), hs.computeOwnershipChecksum(owner), where);
  }
  for (const assoc of [1, 2, 3]) {
    const expected = [...model.values()].filter((m) => m.assoc === assoc).length;
    assert.equal(hs.entriesOfAssociation(assoc).length, expected, where);
  }
  // Enumeration in pages of 3 returns exactly the model, in ENRP order.
  const listed: string[] = [];
  let after: EnumerationCursor | undefined = undefined;
  do {
    const page = hs.enumerate({ limit: 3, after });
    for (const e of page.entries) {
      listed.push(key(
        HANDLES.findIndex((x) => x === e.poolHandle || sameHandle(x, e.poolHandle)),
        Number(e.id),
      ));
    }
    after = page.next;
  } while (after !== undefined);
  const expected = [...model.keys()].sort((a, b) => {
    const [ha, ia] = a.split("/").map(Number), [hb, ib] = b.split("/").map(Number);
    // HANDLES are listed in ENRP order already ("a" < "bb" < "EchoPool").
    return ha! - hb! || ia! - ib!;
  });
  assert.deepEqual(listed, expected, where);
}

function sameHandle(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

test("Handlespace: random operation sequences keep every index, count and checksum consistent (RFC profile)", () => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 20, maxLength: 80 }), (ops) => run(ops, "rfc")),
    {
      seed: 1,
      numRuns: 150,
    },
  );
});

test("Handlespace: random operation sequences keep every index, count and checksum consistent (NG profile)", () => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 20, maxLength: 80 }), (ops) => run(ops, "ng")),
    {
      seed: 2,
      numRuns: 100,
    },
  );
});
