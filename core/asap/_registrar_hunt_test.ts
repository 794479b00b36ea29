import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "../rng.ts";
import type { TransportAddress } from "../role.ts";
import { RegistrarHunt } from "./_registrar_hunt.ts";

function hunt(seed = 1) {
  const connects: { assoc: number; endpoints: readonly TransportAddress[] }[] = [];
  const closed: number[] = [];
  const failed: number[] = [];
  let next = 1;
  const h = new RegistrarHunt(
    { rng: new SeededRng(seed), announceTimeout: 5000, connectTimeout: 7500, maxSimultaneous: 3 },
    {
      connect(endpoints) {
        connects.push({ assoc: next, endpoints });
        return next++;
      },
      close(assoc) {
        closed.push(assoc);
      },
      roundFailed(_now, round) {
        failed.push(round);
      },
    },
  );
  return { h, connects, closed, failed };
}

const ep = (i: number) => ({ address: `10.0.0.${i}`, port: 3863 });

test("RegistrarHunt contacts at most 3 registrars at once and the first up wins", () => {
  const { h, connects, closed } = hunt();
  for (let i = 1; i <= 5; i++) h.addStatic(ep(i));
  h.begin(0);
  assert.equal(connects.length, 3);
  assert.equal(h.status, "connecting");
  // One fails: the next candidate is tried.
  assert.equal(h.down(10, connects[0]!.assoc), true);
  assert.equal(connects.length, 4);
  const winner = h.up(connects[2]!.assoc);
  assert.ok(winner !== undefined);
  assert.deepEqual(winner.endpoints, connects[2]!.endpoints);
  assert.deepEqual(closed.sort(), [connects[1]!.assoc, connects[3]!.assoc].sort());
  assert.equal(h.status, "idle");
  assert.equal(h.down(20, connects[1]!.assoc), false); // given up: not an attempt any more
});

test("RegistrarHunt starts at a random candidate", () => {
  const firsts = new Set<string>();
  for (let seed = 1; seed <= 40; seed++) {
    const { h, connects } = hunt(seed);
    for (let i = 1; i <= 5; i++) h.addStatic(ep(i));
    h.begin(0);
    firsts.add(connects[0]!.endpoints[0]!.address);
  }
  assert.equal(firsts.size, 5);
});

test("RegistrarHunt ends a round early when every candidate failed and waits for its deadline", () => {
  const { h, connects, failed } = hunt();
  h.addStatic(ep(1));
  h.addStatic(ep(2));
  h.begin(0);
  h.down(5, connects[0]!.assoc);
  h.down(6, connects[1]!.assoc);
  assert.deepEqual(failed, [1]);
  assert.equal(h.status, "waiting");
  assert.equal(h.nextTimeout(), 7500);
  h.handleTimeout(7499);
  assert.equal(connects.length, 2);
  h.handleTimeout(7500);
  assert.equal(connects.length, 4); // round 2
  h.handleTimeout(15_000); // round 2 times out with attempts outstanding
  assert.deepEqual(failed, [1, 2]);
});

test("RegistrarHunt learns registrars from announces, which start a round at once and expire", () => {
  const { h, connects } = hunt();
  h.begin(0); // nothing known yet
  assert.equal(connects.length, 0);
  assert.equal(h.status, "connecting");
  h.announce(100, ep(7), { type: "server-announce", registrarId: 77n, transports: [] });
  assert.deepEqual(connects.map((c) => c.endpoints), [[ep(7)]]);
  h.up(connects[0]!.assoc);
  h.announce(200, ep(8), {
    type: "server-announce",
    registrarId: 88n,
    transports: [{ protocol: "tcp", port: 4000, transportUse: "data", addresses: ["10.1.1.1"] }],
  });
  assert.deepEqual(h.candidates(200).map((c) => [c.id, c.endpoints]), [
    [77n, [ep(7)]],
    [88n, [{ address: "10.1.1.1", port: 4000 }]],
  ]);
  assert.equal(h.idOf({ address: "10.1.1.1", port: 4000 }), 88n);
  assert.deepEqual(h.candidates(5100).map((c) => c.id), [88n]); // 77's announce is 5 s old
});

test("RegistrarHunt takes an endpoint announced over SCTP and TCP once", () => {
  const { h } = hunt();
  const both = (protocol: "sctp" | "tcp") => ({
    protocol,
    port: 3863,
    transportUse: "data" as const,
    addresses: ["10.1.1.1", "10.2.2.2"],
  });
  h.announce(0, ep(8), {
    type: "server-announce",
    registrarId: 88n,
    transports: [both("sctp"), both("tcp")],
  });
  assert.deepEqual(h.candidates(0)[0]!.endpoints, [
    { address: "10.1.1.1", port: 3863 },
    { address: "10.2.2.2", port: 3863 },
  ]);
});

test("RegistrarHunt gives a static registrar the identifier its announce carries", () => {
  const { h } = hunt();
  h.addStatic(ep(1));
  h.announce(0, ep(1), { type: "server-announce", registrarId: 5n, transports: [] });
  assert.deepEqual(h.candidates(10_000).map((c) => [c.id, c.static]), [[5n, true]]);
});
