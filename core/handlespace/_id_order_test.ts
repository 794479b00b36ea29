import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "../rng.ts";
import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
import { Handlespace } from "./handlespace.ts";

const PH = new TextEncoder().encode("EchoPool");

function register(hs: Handlespace, id: bigint): void {
  const r = hs.register(PH, {
    id,
    homeRegistrarId: 1n,
    registrationLife: 30000,
    userTransport: { protocol: "sctp", port: 1, transportUse: "data", addresses: ["10.0.0.1"] },
    policy: policyParameter(PolicyType.RoundRobin),
  }, { now: 0, home: 1n });
  assert.ok(r.ok);
}

// Every PE of the pool, in pages of `limit`, as poolElements() returns them.
function listed(hs: Handlespace, limit: number): bigint[] {
  const ids: bigint[] = [];
  for (let after: bigint | undefined = undefined;;) {
    const page = hs.poolElements(PH, { after, limit });
    for (const e of page) ids.push(e.id);
    if (page.length < limit) return ids;
    after = page[page.length - 1]!.id;
  }
}

test("Handlespace.poolElements() lists the live PEs by identifier through heavy churn with slot reuse", () => {
  const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
  const rng = new SeededRng(5);
  const live = new Set<bigint>();
  for (let step = 0; step < 20000; step++) {
    const id = BigInt(1 + (rng.nextU32() % 400));
    if (live.has(id) && rng.nextU32() % 2 === 0) {
      assert.equal(hs.deregister(PH, id)?.id, id);
      live.delete(id);
    } else {
      register(hs, id); // new, or a re-registration of a live PE
      live.add(id);
    }
    // Long runs without an enumeration, then a few with one after every change.
    if (step % 5000 > 4900 || step % 997 === 0) {
      const expected = [...live].sort((a, b) => (a < b ? -1 : 1));
      assert.deepEqual(listed(hs, 7), expected, `step ${step}`);
    }
  }
});
