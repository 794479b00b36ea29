import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "../rng.ts";
import { ErrorCause } from "../wire/error_cause.ts";
import { type PolicyField, policyParameter, PolicyType } from "../wire/policy_parameter.ts";
import type { PoolElementParameter } from "../wire/pool_element_parameter.ts";
import type { TransportParameter } from "../wire/transport_parameter.ts";
import {
  type EnumerationCursor,
  Handlespace,
  type HandlespaceOptions,
  type PoolElementEntry,
  type RegistrationResult,
  tsChecksumKernel,
} from "./mod.ts";
import { finish32, fold32 } from "./checksum.ts";
import { calendarThreshold } from "../policy/_calendar_engine.ts";

const OWN = 0x10000001n;
const enc = new TextEncoder();
const EP = enc.encode("EchoPool");

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function transport(over: Partial<TransportParameter> = {}): TransportParameter {
  return { protocol: "sctp", port: 5000, transportUse: "data", addresses: ["10.0.0.1"], ...over };
}

function pe(
  id: bigint,
  type: number = PolicyType.RoundRobin,
  fields: Partial<Record<PolicyField, number>> = {},
  over: Partial<PoolElementParameter> = {},
): PoolElementParameter {
  return {
    id,
    homeRegistrarId: 0n,
    registrationLife: 30000,
    userTransport: transport(),
    policy: policyParameter(type, fields),
    ...over,
  };
}

function space(options: Partial<HandlespaceOptions> = {}): Handlespace {
  return new Handlespace({ ownId: OWN, rng: new SeededRng(1), profile: "rfc", ...options });
}

function ok(r: RegistrationResult): PoolElementEntry {
  if (!r.ok) throw new assert.AssertionError({ message: `rejected: ${r.reason}` });
  return r.entry;
}

function rejected(r: RegistrationResult, cause: number, offending?: string): void {
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.cause, cause, r.reason);
    assert.equal(r.offending, offending);
  }
}

const asap = { now: 0, home: OWN, association: 1 } as const;

test("Handlespace.register() creates the pool with the first PE's policy and transport", () => {
  const hs = space();
  const r = hs.register(EP, pe(1n, PolicyType.LeastUsed, { load: 5 }), asap);
  const e = ok(r);
  assert.equal(r.ok && r.created && r.changed, true);
  assert.deepEqual(e.poolHandle, EP);
  assert.equal(e.homeRegistrarId, OWN);
  assert.equal(e.association, 1);
  const pool = hs.pool(EP)!;
  assert.equal(pool.policy.name, "LeastUsed");
  assert.equal(pool.transportProtocol, "sctp");
  assert.equal(pool.size, 1);
  assert.equal(hs.size, 1);
  assert.equal(hs.poolCount, 1);
});

test("Handlespace.register() keeps its own copy of the pool handle", () => {
  const hs = space();
  const handle = enc.encode("Mutable");
  ok(hs.register(handle, pe(1n), asap));
  handle[0] = 0x78;
  assert.ok(hs.pool(enc.encode("Mutable")));
  assert.equal(hs.pool(handle), undefined);
});

test("Handlespace.register() rejects a PE with another policy (InconsistentPoolingPolicy)", () => {
  const hs = space();
  ok(hs.register(EP, pe(1n, PolicyType.RoundRobin), asap));
  rejected(
    hs.register(EP, pe(2n, PolicyType.WeightedRandom, { weight: 1 }), asap),
    ErrorCause.InconsistentPoolingPolicy,
    "policy",
  );
  // Also for a re-registration of the existing PE.
  rejected(
    hs.register(EP, pe(1n, PolicyType.Random), asap),
    ErrorCause.InconsistentPoolingPolicy,
    "policy",
  );
  assert.equal(hs.size, 1);
});

test("Handlespace.register() rejects another transport protocol (InconsistentTransportType)", () => {
  const hs = space();
  ok(hs.register(EP, pe(1n), asap));
  const r = hs.register(
    EP,
    pe(2n, undefined, {}, { userTransport: transport({ protocol: "tcp" }) }),
    asap,
  );
  rejected(r, ErrorCause.InconsistentTransportType, "user-transport");
});

test("Handlespace.register() rejects another transport use (InconsistentDataControlConfiguration)", () => {
  const hs = space();
  ok(hs.register(EP, pe(1n), asap));
  const r = hs.register(
    EP,
    pe(2n, undefined, {}, { userTransport: transport({ transportUse: "data+control" }) }),
    asap,
  );
  rejected(r, ErrorCause.InconsistentDataControlConfiguration, "user-transport");
});

test("Handlespace.register() rejects invalid values (InvalidValues) without creating a pool", () => {
  const hs = space();
  rejected(hs.register(EP, pe(0n), asap), ErrorCause.InvalidValues, "identifier");
  rejected(hs.register(EP, pe(0x1_0000_0000n), asap), ErrorCause.InvalidValues, "identifier");
  rejected(
    hs.register(EP, pe(1n, undefined, {}, { userTransport: transport({ port: 0 }) }), asap),
    ErrorCause.InvalidValues,
    "user-transport",
  );
  rejected(
    hs.register(EP, pe(1n, undefined, {}, { userTransport: transport({ addresses: [] }) }), asap),
    ErrorCause.InvalidValues,
    "user-transport",
  );
  const many = Array.from({ length: 65 }, (_, i) => `10.0.0.${i}`);
  rejected(
    hs.register(EP, pe(1n, undefined, {}, { userTransport: transport({ addresses: many }) }), asap),
    ErrorCause.InvalidValues,
    "user-transport",
  );
  rejected(
    hs.register(EP, pe(1n), { ...asap, asapTransport: transport({ port: 0 }) }),
    ErrorCause.InvalidValues,
    "asap-transport",
  );
  rejected(hs.register(new Uint8Array(0), pe(1n), asap), ErrorCause.InvalidValues, "pool-handle");
  rejected(hs.register(new Uint8Array(256), pe(1n), asap), ErrorCause.InvalidValues, "pool-handle");
  rejected(hs.register(EP, pe(1n, 0xdeadbeef), asap), ErrorCause.InvalidValues, "policy");
  assert.equal(hs.poolCount, 0);
  assert.equal(hs.size, 0);
});

test("Handlespace.register() accepts 64-bit identifiers only in the NG profile", () => {
  const big = 0xfedcba98_76543210n;
  rejected(space().register(EP, pe(big), asap), ErrorCause.InvalidValues, "identifier");
  const ng = space({ profile: "ng" });
  assert.equal(ok(ng.register(EP, pe(big), asap)).id, big);
});

test("Handlespace: identifiers that are no 64-bit value never alias a PE whose identifier has the same low 64 bits", () => {
  for (const profile of ["rfc", "ng"] as const) {
    const hs = space({ profile });
    ok(hs.register(EP, pe(5n), asap));
    for (const id of [2n ** 64n + 5n, -(2n ** 64n) + 5n, -5n, 2n ** 64n]) {
      rejected(hs.register(EP, pe(id), asap), ErrorCause.InvalidValues, "identifier");
      assert.equal(hs.find(EP, id), undefined);
      assert.equal(hs.deregister(EP, id), undefined);
    }
    assert.equal(hs.size, 1);
    assert.equal(hs.find(EP, 5n)?.id, 5n);
  }
});

test("Handlespace: identifiers beyond 2^53 (NG profile) register, update, resolve and deregister exactly", () => {
  const hs = space({ profile: "ng" });
  // Neighbours that round to the same double must stay distinct PEs.
  const ids = [
    0xffffffff_fffffff0n,
    0xffffffff_fffffff1n,
    0x20000000_00000001n,
    0x20000000_00000000n,
    5n,
  ];
  for (const id of ids) {
    ok(hs.register(EP, pe(id, PolicyType.LeastUsed, { load: Number(id % 7n) }), asap));
  }
  assert.equal(hs.size, 5);
  for (const id of ids) assert.equal(hs.find(EP, id)?.id, id);
  const r = hs.register(EP, pe(ids[1]!, PolicyType.LeastUsed, { load: 99 }), asap);
  assert.equal(r.ok && !r.created && r.changed, true);
  assert.equal(hs.find(EP, ids[0]!)!.policy.load, Number(ids[0]! % 7n));
  assert.equal(hs.deregister(EP, ids[0]!)?.id, ids[0]);
  assert.equal(hs.find(EP, ids[0]!), undefined);
  assert.equal(hs.find(EP, ids[1]!)?.id, ids[1]);
  assert.equal(hs.resolve(EP, 9).length, 4);
  assert.equal(hs.handlespaceChecksum(), hs.computeHandlespaceChecksum());
});

test("Handlespace: a removed PE keeps its policy information after its slot is reused", () => {
  const hs = space();
  const a = ok(hs.register(EP, pe(1n, PolicyType.LeastUsed, { load: 11 }), asap));
  ok(hs.register(EP, pe(2n, PolicyType.LeastUsed, { load: 22 }), asap));
  hs.deregister(EP, 1n);
  assert.equal(a.policy.load, 11);
  ok(hs.register(EP, pe(3n, PolicyType.LeastUsed, { load: 33 }), asap)); // takes a's slot
  assert.equal(a.policy.load, 11);
  assert.equal(a.toParameter().policy.load, 11);
  assert.equal(hs.find(EP, 3n)!.policy.load, 33);
});

test("Handlespace.register() enforces configured limits (LackOfResources)", () => {
  const hs = space({ limits: { maxPools: 1, maxPoolElements: 3, maxPoolElementsPerPool: 2 } });
  ok(hs.register(EP, pe(1n), asap));
  ok(hs.register(EP, pe(2n), asap));
  rejected(hs.register(EP, pe(3n), asap), ErrorCause.LackOfResources);
  rejected(hs.register(enc.encode("Other"), pe(1n), asap), ErrorCause.LackOfResources);
  // A re-registration of a known PE is not limited.
  assert.equal(ok(hs.register(EP, pe(2n), asap)).id, 2n);
});

test("Handlespace.register() of a known identifier updates the PE (created false, changed per content)", () => {
  const hs = space();
  const first = ok(hs.register(EP, pe(1n, PolicyType.LeastUsed, { load: 10 }), asap));
  const same = hs.register(EP, pe(1n, PolicyType.LeastUsed, { load: 10 }), { ...asap, now: 5 });
  assert.equal(same.ok && !same.created && !same.changed, true);
  assert.equal(ok(same), first);
  assert.equal(first.lastUpdate, 5);
  const moved = hs.register(EP, pe(1n, PolicyType.LeastUsed, { load: 20 }), { ...asap, now: 6 });
  assert.equal(moved.ok && moved.changed, true);
  assert.equal(first.policy.load, 20);
  const port = hs.register(
    EP,
    pe(1n, PolicyType.LeastUsed, { load: 20 }, { userTransport: transport({ port: 6000 }) }),
    asap,
  );
  assert.equal(port.ok && port.changed, true);
  assert.equal(first.userTransport.port, 6000);
  assert.equal(hs.size, 1);
});

test("Handlespace.register(): an unchanged re-registration returns the entry itself, a changed one a result of its own", () => {
  const hs = space();
  const first = hs.register(EP, pe(1n, PolicyType.LeastUsed, { load: 10 }), asap);
  const e = ok(first);
  assert.equal(first.ok && first.created && first.changed, true);
  // A keep-alive re-registration allocates nothing: the entry reads as its own result.
  const same = hs.register(EP, pe(1n, PolicyType.LeastUsed, { load: 10 }), asap);
  assert.equal(same, e);
  assert.deepEqual([same.ok, ok(same), same.ok && same.created, same.ok && same.changed], [
    true,
    e,
    false,
    false,
  ]);
  // A change gives a result object of its own, and the entry's values as a result stay as before.
  const moved = hs.register(EP, pe(1n, PolicyType.LeastUsed, { load: 20 }), asap);
  assert.notEqual(moved, e);
  assert.deepEqual(moved, { ok: true, entry: e, created: false, changed: true });
  assert.equal(same.ok && same.changed, false);
  // The entry's own fields are unaffected (the result values live on the class).
  assert.deepEqual(
    Object.keys(e).filter((k) => ["ok", "entry", "created", "changed"].includes(k)),
    [],
  );
});

test("Handlespace.register(): a new registration life is a change, a new association alone only rebinds the PE", () => {
  const hs = space();
  const e = ok(hs.register(EP, pe(1n), { now: 0, home: OWN, association: 1 }));
  const life = hs.register(EP, pe(1n, undefined, {}, { registrationLife: 5000 }), {
    now: 1,
    home: OWN,
    association: 1,
  });
  assert.equal(life.ok && !life.created && life.changed, true);
  assert.equal(e.registrationLife, 5000);
  assert.equal(e.lastUpdate, 1);
  const moved = hs.register(EP, pe(1n, undefined, {}, { registrationLife: 5000 }), {
    now: 2,
    home: OWN,
    association: 2,
  });
  assert.equal(moved, e); // unchanged values: the entry itself is the result
  assert.equal(e.association, 2);
  assert.deepEqual(hs.entriesOfAssociation(1), []);
  assert.deepEqual(hs.entriesOfAssociation(2), [e]);
  assert.equal(e.lastUpdate, 2);
});

test("Handlespace.register(): a load update re-orders Least Used selection", () => {
  const hs = space();
  ok(hs.register(EP, pe(1n, PolicyType.LeastUsed, { load: 10 }), asap));
  ok(hs.register(EP, pe(2n, PolicyType.LeastUsed, { load: 20 }), asap));
  assert.equal(hs.resolve(EP, 1)[0]!.id, 1n);
  ok(hs.register(EP, pe(1n, PolicyType.LeastUsed, { load: 30 }), asap));
  assert.equal(hs.resolve(EP, 1)[0]!.id, 2n);
});

test("Handlespace.register(): re-registration resets the degradation counter", () => {
  const hs = space();
  const lud = (load: number): PoolElementParameter =>
    pe(1n, PolicyType.LeastUsedDegradation, { load, loadDegradation: 100 });
  const e = ok(hs.register(EP, lud(0), asap));
  hs.resolve(EP, 1);
  hs.resolve(EP, 1);
  assert.equal(e.degradation, 200);
  assert.equal(e.selectionCount, 2);
  const r = hs.register(EP, lud(0), asap);
  assert.equal(r.ok && !r.changed, true); // same registration content ...
  assert.equal(e.degradation, 0); // ... but the counter resets, as in RSPLIB
});

test("Handlespace.register(): a registration at this registrar re-homes a PE learned by ENRP", () => {
  const hs = space();
  const peer = 0x20000002n;
  const e = ok(hs.register(EP, pe(1n, undefined, {}, { homeRegistrarId: peer }), { now: 0 }));
  assert.equal(e.homeRegistrarId, peer);
  assert.equal(hs.ownedCount(peer), 1);
  const peerChecksum = hs.ownershipChecksum(peer);
  const r = hs.register(EP, pe(1n), { now: 1, home: OWN, association: 9 });
  assert.equal(r.ok && !r.created && r.changed, true);
  assert.equal(e.homeRegistrarId, OWN);
  assert.equal(e.association, 9);
  assert.equal(hs.ownedCount(peer), 0);
  assert.equal(hs.ownershipChecksum(OWN), peerChecksum);
  assert.equal(hs.ownershipChecksum(peer), 0xffff);
  // An ENRP update from the new home elsewhere moves it away again and unbinds the association.
  ok(hs.register(EP, pe(1n, undefined, {}, { homeRegistrarId: peer }), { now: 2 }));
  assert.equal(e.homeRegistrarId, peer);
  assert.equal(e.association, undefined);
  assert.deepEqual(hs.entriesOfAssociation(9), []);
});

test("Handlespace.register(): peIdClash 'update' rebinds an identifier registered over another association", () => {
  const hs = space();
  const e = ok(hs.register(EP, pe(7n), { now: 0, home: OWN, association: 1 }));
  const r = hs.register(
    EP,
    pe(7n, undefined, {}, { userTransport: transport({ addresses: ["10.0.0.2"] }) }),
    {
      now: 1,
      home: OWN,
      association: 2,
    },
  );
  assert.equal(ok(r), e);
  assert.equal(e.association, 2);
  assert.deepEqual(hs.entriesOfAssociation(1), []);
  assert.equal(hs.entriesOfAssociation(2)[0], e);
});

test("Handlespace.register(): peIdClash 'reject' refuses an identifier owned over another association (NonUniquePeIdentifier)", () => {
  const hs = space({ peIdClash: "reject" });
  const e = ok(hs.register(EP, pe(7n), { now: 0, home: OWN, association: 1 }));
  rejected(
    hs.register(EP, pe(7n), { now: 1, home: OWN, association: 2 }),
    ErrorCause.NonUniquePeIdentifier,
    "identifier",
  );
  assert.equal(e.association, 1);
  // The same association re-registers fine, and ENRP updates (no association) always apply.
  assert.equal(ok(hs.register(EP, pe(7n), { now: 2, home: OWN, association: 1 })), e);
  ok(hs.register(EP, pe(7n, undefined, {}, { homeRegistrarId: 5n }), { now: 3 }));
  assert.equal(e.homeRegistrarId, 5n);
  // Not owned any more: a registration over a new association takes it over.
  assert.equal(ok(hs.register(EP, pe(7n), { now: 4, home: OWN, association: 3 })).association, 3);
});

test("Handlespace.register() keeps a known ASAP transport when an update has none", () => {
  const hs = space();
  const at = transport({ port: 40000 });
  const e = ok(hs.register(EP, pe(1n), { ...asap, asapTransport: at }));
  ok(hs.register(EP, pe(1n), asap));
  assert.equal(e.asapTransport, at);
  assert.deepEqual(e.toParameter().asapTransport, at);
  assert.equal(e.toParameter(false).asapTransport, undefined);
  assert.equal(e.toParameter().homeRegistrarId, OWN);
});

test("Handlespace.register(): an update with equal transports keeps the stored objects, a different one replaces them", () => {
  const hs = space();
  const ut = transport({ port: 7000 }), at = transport({ port: 40000 });
  const e = ok(
    hs.register(EP, pe(1n, undefined, {}, { userTransport: ut }), { ...asap, asapTransport: at }),
  );
  const same = hs.register(
    EP,
    pe(1n, undefined, {}, { userTransport: transport({ port: 7000 }) }),
    {
      ...asap,
      asapTransport: transport({ port: 40000 }),
    },
  );
  assert.equal(same.ok && same.changed, false);
  assert.equal(e.userTransport, ut);
  assert.equal(e.asapTransport, at);
  const moved = transport({ port: 7000, addresses: ["10.0.0.9"] });
  const other = hs.register(EP, pe(1n, undefined, {}, { userTransport: moved }), asap);
  assert.equal(other.ok && other.changed, true);
  assert.equal(e.userTransport, moved);
  assert.equal(e.asapTransport, at);
});

test("Handlespace.register(): re-registrations see every change of a user transport, whether the entry's copy of a one-address transport answers or the full compare", () => {
  // The entry keeps a one-address user transport's port and address beside it (wave 15
  // `rereg2`); fresh objects and strings per call, so that no identity shortcut applies. A model
  // of what is stored decides whether each re-registration is a change.
  const rng = new SeededRng(15);
  const below = (n: number) => rng.nextU32() % n;
  const address = (k: number) => `10.0.${k}.` + String(1 + k);
  const draw = (): TransportParameter => {
    const shape = below(4);
    const addresses = shape === 0
      ? [address(1)]
      : shape === 1
      ? [address(2)]
      : shape === 2
      ? [address(1), address(2)]
      : [address(2), address(1)];
    const port = 5000 + below(2);
    return below(3) === 0
      ? transport({ port, addresses, dccpServiceCode: 3 + below(2) })
      : transport({ port, addresses });
  };
  const same = (a: TransportParameter, b: TransportParameter) =>
    a.port === b.port && a.dccpServiceCode === b.dccpServiceCode &&
    a.addresses.length === b.addresses.length && a.addresses.every((x, i) => x === b.addresses[i]);
  const hs = space();
  const at = transport({ port: 40000 });
  let stored = draw();
  const e = ok(hs.register(EP, pe(1n, undefined, {}, { userTransport: stored }), {
    ...asap,
    asapTransport: at,
  }));
  let changes = 0;
  for (let step = 0; step < 400; step++) {
    const ut = step % 5 === 0
      ? { ...stored, addresses: stored.addresses.map((x) => x + "") }
      : draw();
    const r = hs.register(EP, pe(1n, undefined, {}, { userTransport: ut }), {
      ...asap,
      asapTransport: at,
    });
    const changed = !same(ut, stored);
    assert.equal(r.ok && !r.created && r.changed, changed, `step ${step}`);
    if (changed) {
      stored = ut;
      changes++;
    }
    assert.equal(e.userTransport, stored, `step ${step}: the stored object`);
  }
  assert.ok(changes > 100 && changes < 350, `${changes} changes`);
});

test("Handlespace.deregister() removes the PE and the pool with its last PE", () => {
  const hs = space();
  const a = ok(hs.register(EP, pe(1n), asap));
  ok(hs.register(EP, pe(2n), asap));
  assert.equal(hs.deregister(EP, 1n), a);
  assert.equal(a.live, false);
  assert.equal(hs.find(EP, 1n), undefined);
  assert.equal(hs.deregister(EP, 1n), undefined);
  hs.deregister(EP, 2n);
  assert.equal(hs.pool(EP), undefined);
  assert.equal(hs.poolCount, 0);
  // The pool handle is free for a pool with another policy now.
  ok(hs.register(EP, pe(3n, PolicyType.Random), asap));
  assert.equal(hs.pool(EP)!.policy.name, "Random");
});

test("Handlespace.resolve() selects distinct PEs by the pool's policy; unknown pools give nothing", () => {
  const hs = space();
  for (let i = 1n; i <= 5n; i++) ok(hs.register(EP, pe(i), asap));
  assert.deepEqual(hs.resolve(EP, 3).map((e) => e.id), [1n, 2n, 3n]);
  assert.deepEqual(hs.resolve(EP, 3).map((e) => e.id), [2n, 3n, 4n]);
  assert.deepEqual(hs.resolve(EP, 3, 3).map((e) => e.id), [3n, 4n, 5n]);
  assert.deepEqual(hs.resolve(EP, 2).map((e) => e.id), [1n, 2n]);
  assert.equal(hs.resolve(EP, 9).length, 5);
  assert.deepEqual(hs.resolve(enc.encode("nope"), 3), []);
  assert.throws(() => hs.resolve(EP, -1), RangeError);
  assert.throws(() => hs.resolve(enc.encode("nope"), 0.5), RangeError);
});

test("Handlespace.resolveInto() writes into the caller's array and reports 0 for unknown pools", () => {
  const hs = space();
  const other = enc.encode("Other");
  for (let i = 1n; i <= 3n; i++) {
    ok(hs.register(EP, pe(i, PolicyType.Priority, { priority: Number(i) }), asap));
  }
  ok(hs.register(other, pe(9n), asap));
  const out: PoolElementEntry[] = [];
  assert.equal(hs.resolveInto(EP, 2, out), 2);
  assert.deepEqual(out.map((e) => e.id), [3n, 2n]);
  assert.equal(hs.resolveInto(other, 2, out), 1);
  assert.equal(out[0]!.id, 9n);
  assert.equal(hs.resolveInto(enc.encode("x"), 2, out), 0);
});

test("Handlespace.resolveInto() tells apart pool handles that differ only in zero padding or a late byte", () => {
  // Handles shorter than, equal to and longer than 8 bytes, with their zero-padded and
  // one-byte-longer twins and twins that differ only in their last byte, each its own pool.
  const handles = [
    [7],
    [7, 0],
    [7, 0, 0, 0, 0, 0, 0, 0],
    [7, 0, 0, 0, 0, 0, 0, 0, 0],
    [1, 2, 3, 4, 5, 6, 7, 8],
    [1, 2, 3, 4, 5, 6, 7, 9],
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12],
  ].map((b) => new Uint8Array(b));
  const hs = space();
  handles.forEach((h, i) => ok(hs.register(h, pe(BigInt(i + 1)), asap)));
  const out: PoolElementEntry[] = [];
  // Twice round, in an order that switches the most recently used pool on every call.
  for (let r = 0; r < 2; r++) {
    handles.forEach((h, i) => {
      assert.equal(hs.resolveInto(h.slice(), 1, out), 1);
      assert.equal(out[0]!.id, BigInt(i + 1));
      assert.equal(hs.resolveInto(h.slice(), 3, out), 1);
      assert.equal(out[0]!.id, BigInt(i + 1));
    });
  }
  assert.equal(hs.resolveInto(new Uint8Array([7, 0, 0]), 1, out), 0);
  assert.equal(hs.resolveInto(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13]), 1, out), 0);
});

test("Handlespace.resolveInto() checks k and an explicit maxIncrement for the most recently used pool too", () => {
  const hs = space();
  for (let i = 1n; i <= 3n; i++) ok(hs.register(EP, pe(i), asap));
  const out: PoolElementEntry[] = [];
  assert.equal(hs.resolveInto(EP, 1, out), 1); // EP is now the most recently used pool
  assert.throws(() => hs.resolveInto(EP, 1.5, out), /k 1.5 is not a non-negative integer/);
  assert.throws(() => hs.resolveInto(EP, -1, out), /k -1 is not a non-negative integer/);
  assert.throws(() => hs.resolveInto(EP, 1, out, -1), /MaxIncrement -1/);
  assert.throws(() => hs.resolveInto(EP, 2, out, 0.5), /MaxIncrement 0.5/);
  // An explicit 0 is the policy's default (round robin: the selected count as used), 1 too.
  assert.equal(hs.resolveInto(EP, 1, out, 0), 1);
  assert.equal(out[0]!.id, 2n);
  assert.equal(hs.resolveInto(EP, 2, out, 1), 2);
  assert.deepEqual(out.slice(0, 2).map((e) => e.id), [3n, 1n]);
  assert.equal(hs.resolveInto(EP, 0, out), 0);
});

test("Handlespace: the handlespace's MaxIncrement option applies to resolve()", () => {
  const hs = space({ maxIncrement: 2 });
  for (let i = 1n; i <= 4n; i++) ok(hs.register(EP, pe(i), asap));
  assert.deepEqual(hs.resolve(EP, 2).map((e) => e.id), [1n, 2n]);
  assert.deepEqual(hs.resolve(EP, 2).map((e) => e.id), [3n, 4n]);
  assert.throws(() => space({ maxIncrement: -1 }), RangeError);
});

test("Handlespace.removeAssociation() removes exactly the PEs registered over it", () => {
  const hs = space();
  ok(hs.register(EP, pe(1n), { now: 0, home: OWN, association: 1 }));
  ok(hs.register(EP, pe(2n), { now: 0, home: OWN, association: 2 }));
  ok(hs.register(enc.encode("B"), pe(3n), { now: 0, home: OWN, association: 1 }));
  const removed = hs.removeAssociation(1);
  assert.deepEqual(removed.map((e) => e.id).sort(), [1n, 3n]);
  assert.deepEqual(hs.entriesOfAssociation(1), []);
  assert.equal(hs.size, 1);
  assert.equal(hs.poolCount, 1);
  assert.deepEqual(hs.removeAssociation(1), []);
});

test("Handlespace.reportUnreachable() counts reports per PE", () => {
  const hs = space();
  ok(hs.register(EP, pe(1n), asap));
  assert.equal(hs.reportUnreachable(EP, 1n)?.unreachableReports, 1);
  assert.equal(hs.reportUnreachable(EP, 1n)?.unreachableReports, 2);
  assert.equal(hs.reportUnreachable(EP, 2n), undefined);
});

test("Handlespace deadlines: one per kind and PE, the earliest first, cleared on removal", () => {
  const hs = space();
  const a = ok(hs.register(EP, pe(1n), asap));
  const b = ok(hs.register(EP, pe(2n), asap));
  hs.setDeadline(a, "keep-alive-transmission", 5000);
  hs.setDeadline(a, "keep-alive-timeout", 3000);
  hs.setDeadline(b, "keep-alive-transmission", 4000);
  hs.setDeadline(b, "keep-alive-transmission", 4500); // moves, does not add
  hs.setDeadline(b, "lifetime-expiry", 9000);
  assert.equal(hs.nextDeadline(), 3000);
  assert.equal(hs.deadline(b, "keep-alive-transmission"), 4500);
  assert.equal(hs.popDue(2999), undefined);
  const due = [hs.popDue(6000), hs.popDue(6000), hs.popDue(6000), hs.popDue(6000)];
  assert.deepEqual(due.map((d) => d && [d.entry.id, d.kind, d.time]), [
    [1n, "keep-alive-timeout", 3000],
    [2n, "keep-alive-transmission", 4500],
    [1n, "keep-alive-transmission", 5000],
    undefined,
  ]);
  hs.setDeadline(a, "keep-alive-timeout", 100);
  hs.deregister(EP, 1n);
  assert.equal(hs.nextDeadline(), 9000);
  assert.throws(() => hs.setDeadline(a, "keep-alive-timeout", 1), TypeError);
  assert.equal(hs.clearDeadline(b, "lifetime-expiry"), true);
  assert.equal(hs.nextDeadline(), undefined);
  assert.throws(() => hs.setDeadline(b, "bogus" as "keep-alive-timeout", 1), TypeError);
});

test("Handlespace: keys of removed PEs are reused without clashes, hundreds at a time", () => {
  // 300 removals at once grow the free-key stack past its first capacities (16, 64, 256); every
  // new PE must get a key of its own, or deadlines and association lists would mix PEs up.
  const hs = space();
  const entries = new Map<bigint, PoolElementEntry>();
  const reg = (id: bigint) => {
    const e = ok(hs.register(EP, pe(id), { now: 0, home: OWN, association: Number(id % 7n) }));
    entries.set(id, e);
    hs.setDeadline(e, "keep-alive-timeout", Number(id));
  };
  for (let id = 1n; id <= 400n; id++) reg(id);
  for (let id = 1n; id <= 300n; id++) {
    assert.equal(hs.deregister(EP, id), entries.get(id));
    entries.delete(id);
  }
  for (let id = 1001n; id <= 1350n; id++) reg(id);
  assert.equal(hs.size, 450);
  for (let a = 0; a < 7; a++) {
    const ids = hs.entriesOfAssociation(a).map((e) => e.id).sort((x, y) => Number(x - y));
    const want = [...entries.keys()].filter((id) => id % 7n === BigInt(a));
    assert.deepEqual(ids, want.sort((x, y) => Number(x - y)));
  }
  const due: bigint[] = [];
  for (let d = hs.popDue(Infinity); d !== undefined; d = hs.popDue(Infinity)) {
    assert.equal(d.entry, entries.get(d.entry.id));
    assert.equal(d.time, Number(d.entry.id));
    due.push(d.entry.id);
  }
  assert.deepEqual(due, [...entries.keys()].sort((x, y) => Number(x - y)));
});

test("Handlespace.register(): the options are read as before (home, ASAP transport, association)", () => {
  const hs = space();
  const own = transport({ port: 40000 });
  const observed = transport({ port: 40001 });
  // Without options.home the parameter's home registrar is kept (ENRP).
  const a = ok(hs.register(EP, pe(1n, undefined, {}, { homeRegistrarId: 7n }), { now: 5 }));
  assert.equal(a.homeRegistrarId, 7n);
  assert.equal(a.lastUpdate, 5);
  // options.asapTransport overrides the parameter's; the parameter's applies without it.
  const b = ok(hs.register(EP, pe(2n, undefined, {}, { asapTransport: own }), {
    now: 0,
    home: OWN,
    asapTransport: observed,
  }));
  assert.equal(b.asapTransport, observed);
  const c = ok(hs.register(EP, pe(3n, undefined, {}, { asapTransport: own }), asap));
  assert.equal(c.asapTransport, own);
  // Written as undefined (the registrar's fixed-shape options) is the same as left out: the
  // parameter's transport and home registrar; on a re-registration without one, the stored one.
  const d = ok(hs.register(EP, pe(5n, undefined, {}, { asapTransport: own, homeRegistrarId: 7n }), {
    now: 0,
    asapTransport: undefined,
  }));
  assert.equal(d.asapTransport, own);
  assert.equal(d.homeRegistrarId, 7n);
  assert.equal(
    hs.register(EP, pe(5n, undefined, {}, { homeRegistrarId: 7n }), {
      now: 1,
      asapTransport: undefined,
    }),
    d,
  );
  assert.equal(d.asapTransport, own);
  assert.equal(hs.deregister(EP, 5n), d);
  // An invalid ASAP transport from the options is still rejected, and a non-integer
  // association still throws before anything is stored.
  rejected(
    hs.register(EP, pe(4n), { now: 0, asapTransport: transport({ port: 0 }) }),
    ErrorCause.InvalidValues,
    "asap-transport",
  );
  assert.throws(() => hs.register(EP, pe(4n), { now: 0, association: 1.5 }), TypeError);
  assert.equal(hs.size, 3);
  // A keep-alive re-registration refreshes the last update and allocates no result.
  const again = hs.register(EP, pe(3n, undefined, {}, { asapTransport: own }), {
    now: 9,
    home: OWN,
    association: 1,
  });
  assert.equal(again, c);
  assert.equal(c.lastUpdate, 9);
});

test("Handlespace.expire() removes only PEs whose lifetime expiry is due", () => {
  const hs = space();
  const a = ok(hs.register(EP, pe(1n, undefined, {}, { homeRegistrarId: 2n }), { now: 0 }));
  const b = ok(hs.register(EP, pe(2n, undefined, {}, { homeRegistrarId: 2n }), { now: 0 }));
  const c = ok(hs.register(EP, pe(3n), asap));
  hs.setDeadline(a, "lifetime-expiry", 30000);
  hs.setDeadline(b, "lifetime-expiry", 40000);
  hs.setDeadline(c, "keep-alive-transmission", 1000);
  assert.deepEqual(hs.expire(35000).map((e) => e.id), [1n]);
  assert.equal(b.live && c.live, true);
  assert.equal(hs.nextDeadline(), 1000);
});

test("Handlespace: entries of another handlespace are refused with TypeError", () => {
  const one = space(), two = space();
  const e = ok(one.register(EP, pe(1n), asap));
  ok(two.register(EP, pe(1n), asap));
  assert.throws(() => two.setDeadline(e, "keep-alive-timeout", 1), TypeError);
  assert.throws(() => two.remove(e), TypeError);
  assert.throws(() => two.changeOwner(e, 5n), TypeError);
});

function handles(hs: Handlespace, options: { owner?: bigint; limit: number }): string[] {
  const out: string[] = [];
  let after: EnumerationCursor | undefined = undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = hs.enumerate({ ...options, after });
    assert.ok(page.entries.length <= options.limit);
    for (const e of page.entries) out.push(`${new TextDecoder().decode(e.poolHandle)}/${e.id}`);
    if (page.next === undefined) return out;
    after = page.next;
  }
  throw new Error("enumeration did not end");
}

test("Handlespace.enumerate() pages in ENRP order: shorter handle first, then bytes, then identifier", () => {
  const hs = space();
  for (
    const [h, id] of [["bb", 3n], ["a", 20n], ["ab", 1n], ["a", 3n], ["bb", 1n], ["c", 2n]] as const
  ) {
    ok(hs.register(enc.encode(h), pe(id), asap));
  }
  const all = ["a/3", "a/20", "c/2", "ab/1", "bb/1", "bb/3"];
  for (const limit of [1, 2, 4, 6, 128]) assert.deepEqual(handles(hs, { limit }), all);
  const exact = hs.enumerate({ limit: 6 });
  assert.equal(exact.entries.length, 6);
  assert.equal(exact.next, undefined);
  assert.throws(() => hs.enumerate({ limit: 0 }), RangeError);
});

test("Handlespace.enumerate() filters by owner (Handle Table Request with W = 1)", () => {
  const hs = space();
  ok(hs.register(EP, pe(1n), asap));
  ok(hs.register(EP, pe(2n, undefined, {}, { homeRegistrarId: 5n }), { now: 0 }));
  ok(hs.register(enc.encode("Z"), pe(3n, undefined, {}, { homeRegistrarId: 5n }), { now: 0 }));
  ok(hs.register(enc.encode("Z"), pe(4n), asap));
  assert.deepEqual(handles(hs, { owner: 5n, limit: 1 }), ["Z/3", "EchoPool/2"]);
  assert.deepEqual(handles(hs, { owner: OWN, limit: 1 }), ["Z/4", "EchoPool/1"]);
  assert.deepEqual(handles(hs, { owner: 77n, limit: 1 }), []);
});

test("Handlespace.enumerate() resumes after changes: removed PEs are skipped, PEs added behind the cursor appear", () => {
  const hs = space();
  for (let i = 1n; i <= 300n; i++) ok(hs.register(EP, pe(i * 10n), asap));
  const first = hs.enumerate({ limit: 100 });
  assert.equal(first.entries.at(-1)!.id, 1000n);
  for (let i = 1n; i <= 300n; i += 2n) hs.deregister(EP, i * 10n); // odd multiples leave
  for (let i = 1n; i <= 300n; i++) ok(hs.register(EP, pe(i * 10n + 5n), asap)); // new ones join
  const ids: bigint[] = [];
  let after: EnumerationCursor | undefined = first.next;
  while (after !== undefined) {
    const page = hs.enumerate({ limit: 64, after });
    ids.push(...page.entries.map((e) => e.id));
    after = page.next;
  }
  const expected: bigint[] = [];
  for (let i = 1n; i <= 300n; i++) {
    if (i * 10n > 1000n && i % 2n === 0n) expected.push(i * 10n);
    if (i * 10n + 5n > 1000n) expected.push(i * 10n + 5n);
  }
  assert.deepEqual(ids, expected.sort((a, b) => (a < b ? -1 : 1)));
});

test("Handlespace.pools() and poolElements() list pools in ENRP order and PEs by identifier", () => {
  const hs = space();
  ok(hs.register(enc.encode("bb"), pe(1n), asap));
  ok(hs.register(enc.encode("a"), pe(1n, PolicyType.Random), asap));
  for (const id of [30n, 10n, 20n]) ok(hs.register(EP, pe(id), asap));
  assert.deepEqual(
    hs.pools().map((p) => [new TextDecoder().decode(p.poolHandle), p.policy.name, p.size]),
    [
      ["a", "Random", 1],
      ["bb", "RoundRobin", 1],
      ["EchoPool", "RoundRobin", 3],
    ],
  );
  assert.deepEqual(hs.poolElements(EP).map((e) => e.id), [10n, 20n, 30n]);
  assert.deepEqual(hs.poolElements(EP, { after: 10n, limit: 1 }).map((e) => e.id), [20n]);
  assert.deepEqual(hs.poolElements(enc.encode("none")), []);
});

test("Handlespace.markOwner() and purgeMarked(): PEs refreshed during a table sync survive", () => {
  const hs = space();
  const peer = 2n;
  for (let i = 1n; i <= 4n; i++) {
    ok(hs.register(EP, pe(i, undefined, {}, { homeRegistrarId: peer }), { now: 0 }));
  }
  ok(hs.register(EP, pe(9n), asap));
  assert.equal(hs.markOwner(peer), 4);
  assert.equal(hs.find(EP, 1n)!.marked, true);
  ok(hs.register(EP, pe(2n, undefined, {}, { homeRegistrarId: peer }), { now: 1 }));
  ok(hs.register(EP, pe(4n, undefined, {}, { homeRegistrarId: peer }), { now: 1 }));
  assert.deepEqual(hs.purgeMarked(peer).map((e) => e.id).sort(), [1n, 3n]);
  assert.equal(hs.ownedCount(peer), 2);
  assert.equal(hs.find(EP, 9n)!.marked, false);
  assert.deepEqual(hs.purgeMarked(peer), []);
});

test("Handlespace.changeOwner() and transferOwnership() move PEs and their checksums", () => {
  const hs = space();
  const peer = 2n, other = 3n;
  const entries = [1n, 2n, 3n].map((id) =>
    ok(hs.register(EP, pe(id, undefined, {}, { homeRegistrarId: peer }), { now: 0 }))
  );
  const before = hs.ownershipChecksum(peer);
  assert.equal(hs.changeOwner(entries[0]!, other), true);
  assert.equal(hs.changeOwner(entries[0]!, other), false);
  assert.equal(hs.ownedCount(other), 1);
  assert.deepEqual(hs.transferOwnership(peer, OWN).map((e) => e.id).sort(), [2n, 3n]);
  assert.equal(hs.ownedCount(peer), 0);
  assert.deepEqual(hs.owners().sort(), [OWN, other].sort());
  assert.deepEqual(hs.entriesOf(OWN).map((e) => e.id).sort(), [2n, 3n]);
  hs.transferOwnership(other, OWN);
  assert.equal(hs.ownershipChecksum(OWN), before);
  for (const owner of [OWN, peer, other]) {
    assert.equal(hs.ownershipChecksum(owner), hs.computeOwnershipChecksum(owner));
  }
});

test("Handlespace checksums (RFC profile): the bench workload at N = 10 gives RSPLIB's wire value", () => {
  const hs = space();
  for (let i = 0; i < 10; i++) ok(hs.register(EP, pe(BigInt(fmix32(i + 1))), asap));
  // bench-reference.md: RSPLIB reports 0x0e1f in x86 host order, i.e. wire bytes 1f 0e.
  assert.equal(hs.handlespaceChecksum(), 0x1f0e);
  assert.equal(hs.ownershipChecksum(OWN), 0x1f0e);
  assert.equal(hs.computeHandlespaceChecksum(), 0x1f0e);
});

test("Handlespace checksums: checksumCompat 'rsplib' reproduces RSPLIB's wrapped accumulator at N = 100000", () => {
  const exact = space(), rsplib = space({ checksumCompat: "rsplib" });
  const params = Array.from({ length: 100000 }, (_, i) => pe(BigInt(fmix32(i + 1))));
  for (const p of params) {
    ok(exact.register(EP, p, asap));
    ok(rsplib.register(EP, p, asap));
  }
  // bench-reference.md: exact 0xe9b6, RSPLIB 0xe9ba (x86 host order) → 0xb6e9 / 0xbae9.
  assert.equal(exact.ownershipChecksum(OWN), 0xb6e9);
  assert.equal(rsplib.ownershipChecksum(OWN), 0xbae9);
  assert.equal(rsplib.computeOwnershipChecksum(OWN), 0xbae9);
  for (let i = 0; i < 100000; i += 2) rsplib.deregister(EP, BigInt(fmix32(i + 1)));
  assert.equal(rsplib.handlespaceChecksum(), rsplib.computeHandlespaceChecksum());
  assert.throws(() => space({ profile: "ng", checksumCompat: "rsplib" }), RangeError);
});

test("Handlespace checksums: checksumCompat 'rsplib' keeps both incremental values exact through changes of owner, removals and reused slots", () => {
  const hs = space({ checksumCompat: "rsplib" });
  const ids = Array.from({ length: 40 }, (_, i) => BigInt(fmix32(i + 1)));
  const entries = ids.map((id) => ok(hs.register(EP, pe(id), asap)));
  const check = () => {
    assert.equal(hs.handlespaceChecksum(), hs.computeHandlespaceChecksum());
    for (const owner of [OWN, 7n]) {
      assert.equal(hs.ownershipChecksum(owner), hs.computeOwnershipChecksum(owner));
    }
  };
  for (let i = 0; i < 40; i += 3) hs.changeOwner(entries[i]!, 7n);
  check();
  for (let i = 0; i < 40; i += 4) hs.deregister(EP, ids[i]!);
  check();
  hs.transferOwnership(7n, OWN);
  for (let i = 0; i < 40; i += 4) ok(hs.register(EP, pe(ids[i]!), asap)); // reuses the freed slots
  check();
  assert.notEqual(hs.ownershipChecksum(OWN), 0xffff);
});

test("Handlespace checksums (NG profile): Internet-32 over handle words and 64-bit identifiers", () => {
  const hs = space({ profile: "ng" });
  const handles = [enc.encode("EchoPool"), enc.encode("odd"), enc.encode("x")];
  const blocks: number[] = [];
  for (let i = 0; i < 50; i++) {
    const handle = handles[i % 3]!;
    const id = (BigInt(fmix32(i + 1)) << 32n) | BigInt(fmix32(i + 1000));
    const e = ok(
      hs.register(handle, pe(id, undefined, {}, { homeRegistrarId: BigInt(1 + (i % 2)) }), {
        now: 0,
      }),
    );
    // Independent definition: the handle zero-padded to 4 bytes, then the id as 8 bytes.
    const padded = Math.ceil(handle.length / 4) * 4;
    const block = new Uint8Array(padded + 8);
    block.set(handle);
    new DataView(block.buffer).setBigUint64(padded, e.id);
    blocks.push(tsChecksumKernel.sum32(block, 0, block.length));
  }
  const total = blocks.reduce((a, b) => a + b, 0);
  assert.equal(hs.handlespaceChecksum(), finish32(fold32(total)));
  assert.equal(hs.computeHandlespaceChecksum(), hs.handlespaceChecksum());
  const owner1 = blocks.filter((_, i) => i % 2 === 0).reduce((a, b) => a + b, 0);
  assert.equal(hs.ownershipChecksum(1n), finish32(fold32(owner1)));
});

test("Handlespace.register(): a re-registration that differs in any one value is a change, fresh equal objects are not", () => {
  // Fresh objects per call (as a decoder produces them), so that no identity shortcut applies.
  const fields = {
    weight: 5,
    priority: 6,
    load: 7,
    loadDegradation: 8,
    loadDpf: 9,
    weightDpf: 10,
    distance: 11,
  };
  const base = () => ({
    element: pe(1n, undefined, fields, {
      userTransport: transport({ addresses: ["10.0.0.1", "10.0.0.2"] }),
    }),
    options: {
      now: 0,
      home: OWN,
      association: 1,
      asapTransport: transport({ port: 40000, addresses: ["10.0.0.1"] }),
    },
  });
  type Variant = ReturnType<typeof base>;
  const variants: [string, (v: Variant) => Variant, (e: PoolElementEntry) => unknown, unknown][] =
    [];
  for (const f of Object.keys(fields) as PolicyField[]) {
    variants.push([
      `policy ${f}`,
      (v) => ({
        ...v,
        element: { ...v.element, policy: { ...v.element.policy, [f]: fields[f] + 100 } },
      }),
      (e) => e.policy[f],
      fields[f] + 100,
    ]);
  }
  const user = (over: Partial<TransportParameter>) => (v: Variant): Variant => ({
    ...v,
    element: { ...v.element, userTransport: { ...v.element.userTransport, ...over } },
  });
  const asapOf = (over: Partial<TransportParameter>) => (v: Variant): Variant => ({
    ...v,
    options: { ...v.options, asapTransport: { ...v.options.asapTransport, ...over } },
  });
  variants.push(
    ["user port", user({ port: 5001 }), (e) => e.userTransport.port, 5001],
    [
      "user first address",
      user({ addresses: ["10.0.0.9", "10.0.0.2"] }),
      (e) => e.userTransport.addresses[0],
      "10.0.0.9",
    ],
    [
      "user second address",
      user({ addresses: ["10.0.0.1", "10.0.0.9"] }),
      (e) => e.userTransport.addresses[1],
      "10.0.0.9",
    ],
    [
      "user address count",
      user({ addresses: ["10.0.0.1"] }),
      (e) => e.userTransport.addresses.length,
      1,
    ],
    [
      "user DCCP service code",
      user({ dccpServiceCode: 3 }),
      (e) => e.userTransport.dccpServiceCode,
      3,
    ],
    ["ASAP port", asapOf({ port: 40001 }), (e) => e.asapTransport?.port, 40001],
    [
      "ASAP address",
      asapOf({ addresses: ["10.0.0.8"] }),
      (e) => e.asapTransport?.addresses[0],
      "10.0.0.8",
    ],
    ["ASAP protocol", asapOf({ protocol: "tcp" }), (e) => e.asapTransport?.protocol, "tcp"],
    [
      "ASAP transport use",
      asapOf({ transportUse: "data+control" }),
      (e) => e.asapTransport?.transportUse,
      "data+control",
    ],
    [
      "owner",
      (v) => ({ ...v, options: { ...v.options, home: 0x20000002n } }),
      (e) => e.homeRegistrarId,
      0x20000002n,
    ],
    ["registration life", (v) => ({ ...v, element: { ...v.element, registrationLife: 5000 } }), (
      e,
    ) => e.registrationLife, 5000],
  );
  for (const type of [PolicyType.RoundRobin, PolicyType.Priority, PolicyType.LeastUsed]) {
    const hs = space();
    const typed = (v: Variant): Variant => ({
      ...v,
      element: { ...v.element, policy: { ...v.element.policy, type } },
    });
    const first = typed(base());
    const e = ok(hs.register(EP, first.element, first.options));
    const ownChecksum = hs.ownershipChecksum(OWN);
    for (const [name, change, read, value] of variants) {
      const same = typed(base());
      const r0 = hs.register(EP, same.element, same.options);
      assert.equal(r0.ok && r0.changed, false, `${name}: an equal re-registration is no change`);
      const changed = change(typed(base()));
      const r1 = hs.register(EP, changed.element, changed.options);
      assert.equal(r1.ok && !r1.created && r1.changed, true, `${name}: reported as a change`);
      assert.deepEqual(read(e), value, `${name}: stored`);
      const back = typed(base());
      const r2 = hs.register(EP, back.element, back.options);
      assert.equal(r2.ok && r2.changed, true, `${name}: changing it back is a change too`);
      assert.equal(hs.ownershipChecksum(OWN), ownChecksum, `${name}: owned again`);
    }
    assert.equal(hs.size, 1);
  }
});

// A pool of the degradation family moves to the calendar engine, which keeps counters and
// selection counts in its records until they are read (wave 14 `calmem`): through the
// handlespace (resolution, keep-alive re-registrations that reset a counter, re-registrations
// with a new load, deregistrations and the reuse of their slots, reads of the entries' counts)
// it must behave as the heap engine, which a threshold out of reach keeps for the twin handlespace.
for (
  const type of [
    PolicyType.LeastUsedDegradation,
    PolicyType.PriorityLeastUsedDegradation,
    PolicyType.LeastUsedDegradationDpf,
    PolicyType.PriorityLeastUsedDegradationDpf,
  ]
) {
  test(`Handlespace: a pool of type 0x${type.toString(16)} on the calendar engine resolves, counts and resets as on the heap engine`, () => {
    for (let seed = 1; seed <= 3; seed++) calendarTwin(type, seed);
  });
}

function calendarTwin(type: number, seed: number): void {
  const a = space({ rng: new SeededRng(seed) }), b = space({ rng: new SeededRng(seed) });
  const ops = new SeededRng(seed * 31 + 7);
  const below = (n: number) => ops.nextU32() % n;
  const on = <T>(hs: Handlespace, fn: () => T): T => {
    const saved = calendarThreshold.min;
    calendarThreshold.min = hs === a ? 16 : Number.MAX_SAFE_INTEGER;
    try {
      return fn();
    } finally {
      calendarThreshold.min = saved;
    }
  };
  const fields = new Map<bigint, Partial<Record<PolicyField, number>>>();
  let next = 1n;
  const newFields = (): Partial<Record<PolicyField, number>> => ({
    load: 1000 * below(5),
    loadDegradation: [0, 100, 5000][below(3)]!,
    loadDpf: below(2) * 1000,
    distance: below(50),
  });
  const register = (id: bigint, now: number): void => {
    const p = pe(id, type, fields.get(id)!);
    const ra = on(a, () => a.register(EP, p, { now, home: OWN, association: Number(id % 3n) }));
    const rb = on(b, () => b.register(EP, p, { now, home: OWN, association: Number(id % 3n) }));
    if (!ra.ok || !rb.ok) throw new assert.AssertionError({ message: `rejected, id ${id}` });
    assert.equal(ra.changed, rb.changed, `changed, id ${id}, step ${now}`);
    assert.equal(ra.created, rb.created);
    assert.equal(ra.entry.degradation, rb.entry.degradation);
  };
  const counts = (now: number): void => {
    for (const id of fields.keys()) {
      const ea = a.find(EP, id)!, eb = b.find(EP, id)!;
      assert.equal(ea.degradation, eb.degradation, `counter of ${id}, step ${now}`);
      assert.equal(ea.selectionCount, eb.selectionCount, `selections of ${id}, step ${now}`);
    }
  };
  for (let step = 0; step < 4000; step++) {
    const op = below(100);
    if (op < 4 || fields.size < 4) {
      fields.set(next, newFields());
      register(next++, step);
    } else if (op < 7) {
      const ids = [...fields.keys()], id = ids[below(ids.length)]!;
      fields.delete(id);
      assert.equal(on(a, () => a.deregister(EP, id))?.id, id);
      assert.equal(on(b, () => b.deregister(EP, id))?.id, id);
    } else if (op < 22) {
      // Keep-alive (same values): a change exactly when the counter was not 0, then 0.
      const ids = [...fields.keys()], id = ids[below(ids.length)]!;
      register(id, step);
      assert.equal(a.find(EP, id)!.degradation, 0);
    } else if (op < 25) {
      const ids = [...fields.keys()], id = ids[below(ids.length)]!;
      fields.set(id, newFields());
      register(id, step);
    } else if (op < 28) counts(step);
    else {
      const k = below(4) === 0 ? 1 + below(fields.size + 2) : 1 + below(3), mi = below(3);
      const got = on(a, () => a.resolve(EP, k, mi)).map((e) => e.id);
      assert.deepEqual(got, on(b, () => b.resolve(EP, k, mi)).map((e) => e.id), `step ${step}`);
    }
  }
  counts(4000);
  assert.ok(fields.size > 16, `${fields.size} PEs`); // past the calendar engine's threshold
}
