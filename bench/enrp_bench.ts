// What ENRP adds to the registrar's hot path, sans-IO: a re-registration at a registrar without
// peers, and at one with 4 peers (one Handle Update per peer, encoded once, receiver patched);
// and the peer side: applying a Handle Update (ADD_PE of a known PE, the steady state of
// re-registrations) and a Handle Table Response page of 128 PEs.
// Run: deno task bench (or deno bench --allow-all bench/enrp_bench.ts). Figures: bench/README.md.

import { Registrar } from "../core/registrar/registrar.ts";
import { SeededRng } from "../core/rng.ts";
import { policyParameter, PolicyType } from "../core/wire/policy_parameter.ts";
import { asapPpid, enrpPpid } from "../core/wire/profile.ts";
import { encodeMessage } from "../core/wire/wire_encoder.ts";
import type { PoolElementParameter } from "../core/wire/pool_element_parameter.ts";

const POOL = new TextEncoder().encode("EchoPool");
const ASAP = asapPpid("ng");
const ENRP = enrpPpid("ng");
const info = (port: number, listener: string) => ({
  remote: { address: "127.0.0.1", port },
  local: { address: "127.0.0.1", port: listener === "asap" ? 3863 : 9901 },
  peerMaxPayload: 65535,
  listener,
});

function drain(pr: Registrar): number {
  let n = 0;
  while (pr.pollTransmit() !== undefined) n++;
  while (pr.pollEvent() !== undefined);
  return n;
}

function element(id: bigint, home = 0n): PoolElementParameter {
  return {
    id,
    homeRegistrarId: home,
    registrationLife: 90000,
    userTransport: { protocol: "tcp", port: 7, transportUse: "data", addresses: ["127.0.0.1"] },
    policy: policyParameter(PolicyType.LeastUsed, { load: Number(id % 1000n) }),
  };
}

/** A registrar with 1000 PEs registered over association -1 and `peers` ENRP peers. */
function registrar(peers: number): Registrar {
  const pr = new Registrar({
    rng: new SeededRng(1),
    id: 1n,
    announceTargets: [],
    enrpEndpoint: { address: "127.0.0.1", port: 9901 },
    enrp: { presenceTargets: [] },
    startupPhase: 0,
  });
  pr.handleAssociationUp(0, -1, info(40001, "asap"));
  for (let p = 0; p < peers; p++) {
    const assoc = -100 - p;
    pr.handleAssociationUp(0, assoc, info(41000 + p, "enrp"));
    pr.handleMessage(
      0,
      assoc,
      ENRP,
      0,
      encodeMessage({
        type: "presence",
        replyRequired: false,
        senderId: BigInt(2 + p),
        receiverId: 1n,
        checksum: 0xffffffff,
        serverInformation: {
          registrarId: BigInt(2 + p),
          transport: {
            protocol: "tcp",
            port: 9901,
            transportUse: "data",
            addresses: ["127.0.0.1"],
          },
        },
      }),
    );
  }
  for (let i = 0; i < 1000; i++) {
    pr.handleMessage(
      0,
      -1,
      ASAP,
      0,
      encodeMessage({
        type: "registration",
        poolHandle: POOL,
        poolElement: element(BigInt(i + 1)),
      }),
    );
  }
  drain(pr);
  return pr;
}

for (const peers of [0, 4]) {
  const pr = registrar(peers);
  const requests = Array.from(
    { length: 1000 },
    (_, i) =>
      encodeMessage({
        type: "registration",
        poolHandle: POOL,
        poolElement: element(BigInt(i + 1)),
      }),
  );
  let i = 0, now = 1;
  Deno.bench({
    name: `re-registration, ${peers} peers`,
    group: "registrar hot path with ENRP",
    baseline: peers === 0,
    fn() {
      pr.handleMessage(now++, -1, ASAP, 0, requests[i++ % 1000]!);
      drain(pr);
    },
  });
}

{
  // The peer side: a registrar (id 2) receiving Handle Updates from its peer 1.
  const pr = registrar(0);
  pr.handleAssociationUp(0, -200, info(42000, "enrp"));
  pr.handleMessage(
    0,
    -200,
    ENRP,
    0,
    encodeMessage({
      type: "presence",
      replyRequired: false,
      senderId: 9n,
      receiverId: 1n,
      checksum: 0xffffffff,
    }),
  );
  drain(pr);
  const updates = Array.from({ length: 1000 }, (_, i) =>
    encodeMessage({
      type: "handle-update",
      takeoverSuggested: false,
      senderId: 9n,
      receiverId: 1n,
      action: "add-pe",
      poolHandle: POOL,
      poolElement: element(BigInt(1_000_000 + i), 9n),
    }));
  let i = 0, now = 1;
  Deno.bench({
    name: "apply a Handle Update (ADD_PE)",
    group: "peer side",
    baseline: true,
    fn() {
      pr.handleMessage(now++, -200, ENRP, 0, updates[i++ % 1000]!);
      drain(pr);
    },
  });
  const page = encodeMessage({
    type: "handle-table-response",
    reject: false,
    moreToSend: false,
    senderId: 9n,
    receiverId: 1n,
    pools: [{
      poolHandle: POOL,
      poolElements: Array.from({ length: 128 }, (_, k) => element(BigInt(2_000_000 + k), 9n)),
    }],
  });
  Deno.bench({
    name: "decode and apply a Handle Table Response of 128 PEs",
    group: "peer side",
    fn() {
      // Not asked for: decoded, then dropped by the requester check; the decode dominates.
      pr.handleMessage(now++, -200, ENRP, 0, page);
      drain(pr);
    },
  });
}
