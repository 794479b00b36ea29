// ENRP peering between real registrars on the simulated network, one behaviour per test: peer
// discovery and associations, mentor download, Handle Updates, ownership rules, audits, the
// takeover procedure and takeover suggestion. Runs under Deno, Bun and Node.

import { test } from "node:test";
import assert from "node:assert/strict";
import { PoolElement } from "../asap/pool_element.ts";
import { Registrar } from "../registrar/registrar.ts";
import { resolveRegistrarConfig } from "../registrar/config.ts";
import type { RegistrarConfig } from "../registrar/config.ts";
import type { RegistrarEvent } from "../registrar/events.ts";
import { SeededRng } from "../rng.ts";
import type { RoleAction } from "../role.ts";
import { decodeEnrpMessage } from "../wire/decode.ts";
import type { EnrpMessage } from "../wire/enrp_message.ts";
import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
import { ENRP_PRESENCE_GROUP, enrpPpid } from "../wire/profile.ts";
import { encodeMessage } from "../wire/wire_encoder.ts";
import { Sim, type SimNode } from "../../tests/_sim.ts";
import type { EnrpConfig } from "./config.ts";

const ASAP = 3863;
const ENRP = 9901;
const POOL = new TextEncoder().encode("EchoPool");

interface Pr {
  readonly name: string;
  readonly registrar: Registrar;
  readonly node: SimNode<RegistrarEvent>;
  readonly address: string;
}

/** A registrar node; `peers` are names of other registrars it knows statically. */
function addPr(
  sim: Sim,
  name: string,
  id: bigint,
  peers: readonly string[],
  enrp: EnrpConfig = {},
  extra: Partial<RegistrarConfig> = {},
): Pr {
  const address = `10.1.0.${Number(id % 250n) + 1}`;
  const registrar = new Registrar({
    rng: sim.fork(),
    id,
    announceTargets: [],
    asapEndpoints: [{ address, port: ASAP }],
    enrpEndpoint: { address, port: ENRP },
    enrp: {
      presenceTargets: [],
      peers: peers.map((p) => ({ address: addressOf(p), port: ENRP })),
      ...enrp,
    },
    ...extra,
  });
  const node = sim.addNode<RegistrarEvent>(name, registrar, {
    address,
    listeners: { asap: ASAP, enrp: ENRP },
    channels: { "enrp-presence": { port: ENRP, join: [ENRP_PRESENCE_GROUP] } },
  });
  return { name, registrar, node, address };
}

/** Registrar names are "prN" with identifier N. */
function addressOf(name: string): string {
  return `10.1.0.${Number(name.slice(2)) % 250 + 1}`;
}

function addPe(
  sim: Sim,
  name: string,
  registrars: readonly string[],
  listen = false,
): { pe: PoolElement; node: SimNode } {
  const pe = new PoolElement({
    rng: sim.fork(),
    poolHandle: POOL,
    policy: policyParameter(PolicyType.RoundRobin),
    userTransport: { protocol: "tcp", port: 7 },
    registrars: registrars.map((r) => ({ address: addressOf(r), port: ASAP })),
    ...(listen ? { asapPort: ASAP } : {}),
  });
  const node = sim.addNode(name, pe, { listeners: { asap: ASAP } });
  return { pe, node };
}

function types(node: SimNode<RegistrarEvent>, only: readonly string[]): string[] {
  return node.events.map((e) => e.event.type).filter((t) => only.includes(t));
}

test("EnrpPeering: static peers learn each other's identifiers and keep one association per pair", () => {
  const sim = new Sim({ seed: 1 });
  const a = addPr(sim, "pr1", 1n, ["pr2", "pr3"]);
  const b = addPr(sim, "pr2", 2n, ["pr1", "pr3"]);
  const c = addPr(sim, "pr3", 3n, ["pr1", "pr2"]);
  sim.runFor(3000);
  for (const x of [a, b, c]) {
    const peers = x.registrar.peers();
    assert.deepEqual(
      peers.map((p) => [p.id, p.static, p.state, p.connected]).sort(),
      [1n, 2n, 3n].filter((id) => id !== x.registrar.id).map((id) => [id, true, "alive", true]),
    );
    assert.equal(x.registrar.stats().associations, 2); // one ENRP association per peer
  }
  const closed = [a, b, c].reduce((n, x) => n + x.registrar.stats().duplicateAssociationsClosed, 0);
  assert.ok(closed >= 3, "both sides connected at once; the duplicates were closed");
});

test("EnrpPeering: a registrar started later downloads the handlespace from its mentor, then ends its startup phase", () => {
  const sim = new Sim({ seed: 2 });
  const a = addPr(sim, "pr1", 1n, []);
  for (let i = 0; i < 10; i++) addPe(sim, `pe${i}`, ["pr1"]);
  sim.runFor(6000);
  assert.equal(a.registrar.handlespace.size, 10);
  const b = addPr(sim, "pr2", 2n, ["pr1"]);
  assert.equal(b.registrar.inStartupPhase, true);
  sim.runFor(100);
  assert.deepEqual(
    types(b.node, ["mentor-selected", "mentor-sync-finished", "startup-phase-ended"]),
    ["mentor-selected", "mentor-sync-finished", "startup-phase-ended"],
  );
  assert.equal(b.registrar.inStartupPhase, false);
  assert.equal(b.registrar.handlespace.size, 10);
  assert.equal(
    b.registrar.handlespace.ownershipChecksum(1n),
    a.registrar.handlespace.ownershipChecksum(1n),
  );
  assert.equal(b.registrar.peers()[0]?.mentor, true);
});

test("EnrpPeering: registrations, updates and removals at the home reach every peer", () => {
  const sim = new Sim({ seed: 3 });
  const a = addPr(sim, "pr1", 1n, ["pr2"]);
  const b = addPr(sim, "pr2", 2n, ["pr1"]);
  sim.runFor(1000);
  const { pe } = addPe(sim, "pe", ["pr1"]);
  sim.runFor(1000);
  const seen = b.registrar.handlespace.find(POOL, pe.id);
  assert.equal(seen?.homeRegistrarId, 1n);
  assert.equal(seen.association, undefined);
  // PEs learned from a peer expire by their registration life unless updated.
  const expiry = b.registrar.handlespace.deadline(seen, "lifetime-expiry");
  assert.ok(expiry !== undefined && expiry > sim.now + 80_000);
  sim.command("pe", (now) => pe.updatePolicy(now, policyParameter(PolicyType.RoundRobin)));
  sim.runFor(500);
  assert.ok(b.registrar.handlespace.deadline(seen, "lifetime-expiry")! > expiry);
  sim.command("pe", (now) => pe.shutdown(now));
  sim.runFor(500);
  assert.equal(b.registrar.handlespace.find(POOL, pe.id), undefined);
  assert.equal(a.registrar.handlespace.size, 0);
  assert.ok(a.registrar.stats().handleUpdatesSent >= 3);
  assert.ok(b.registrar.stats().handleUpdatesReceived >= 3);
});

/** Delivers a hand-made ENRP message to a registrar on an association of its own. */
function inject(sim: Sim, pr: Pr, assoc: number, message: EnrpMessage): RoleAction[] {
  return sim.command(pr.name, (now) => {
    const r = pr.registrar;
    r.handleAssociationUp(now, assoc, {
      remote: { address: "10.9.9.9", port: 40000 },
      local: { address: pr.address, port: ENRP },
      peerMaxPayload: 65535,
      listener: "enrp",
    });
    r.handleMessage(now, assoc, enrpPpid("ng"), 0, encodeMessage(message));
    return [];
  });
}

test("EnrpPeering: a DEL_PE from a registrar that is not the PE's home is ignored", () => {
  const sim = new Sim({ seed: 4 });
  addPr(sim, "pr1", 1n, ["pr2"]);
  const b = addPr(sim, "pr2", 2n, ["pr1"]);
  sim.runFor(1000);
  const { pe } = addPe(sim, "pe", ["pr1"]);
  sim.runFor(1000);
  const entry = b.registrar.handlespace.find(POOL, pe.id)!;
  const ignoredBefore = b.registrar.stats().handleUpdatesIgnored;
  inject(sim, b, -500, {
    type: "handle-update",
    takeoverSuggested: false,
    senderId: 9n, // not the home
    receiverId: 2n,
    action: "del-pe",
    poolHandle: POOL,
    poolElement: entry.toParameter(true),
  });
  assert.equal(b.registrar.handlespace.find(POOL, pe.id), entry);
  assert.equal(b.registrar.stats().handleUpdatesIgnored, ignoredBefore + 1);
});

test("EnrpPeering: a peer's claim on a PE registered with us is kept; when the PE's association dies the PE goes to the claimant", () => {
  const sim = new Sim({ seed: 5 });
  const a = addPr(sim, "pr1", 1n, ["pr2"]);
  const b = addPr(sim, "pr2", 2n, ["pr1"]);
  sim.runFor(1000);
  const { pe } = addPe(sim, "pe", ["pr1", "pr2"]);
  sim.runFor(6000);
  const home = pe.homeRegistrarId === 1n ? a : b;
  const other = home === a ? b : a;
  // The PE loses its home; its next request times out (3 s) and it registers at the other
  // registrar, while the home still believes in the association (heartbeats take 5 s).
  sim.partition(["pe"], [home.name]);
  sim.command("pe", (now) => pe.updatePolicy(now, policyParameter(PolicyType.RoundRobin)));
  let missing = 0;
  for (let t = 0; t < 10_000; t += 50) {
    sim.runFor(50);
    if (home.registrar.handlespace.find(POOL, pe.id) === undefined) missing++;
  }
  assert.equal(pe.homeRegistrarId, other.registrar.id);
  assert.deepEqual(types(home.node, ["pe-removed-association-down"]), [
    "pe-removed-association-down",
  ]);
  assert.equal(missing, 0, "the PE never left its old home's handlespace");
  assert.equal(home.registrar.handlespace.find(POOL, pe.id)?.homeRegistrarId, other.registrar.id);
  assert.equal(other.registrar.handlespace.find(POOL, pe.id)?.homeRegistrarId, other.registrar.id);
});

test("EnrpPeering: an audit purges a PE the owner does not have and adds one it missed", () => {
  const sim = new Sim({ seed: 6 });
  const a = addPr(sim, "pr1", 1n, ["pr2"]);
  const b = addPr(sim, "pr2", 2n, ["pr1"]);
  sim.runFor(1000);
  const pes = [0, 1, 2].map((i) => addPe(sim, `pe${i}`, ["pr1"]).pe);
  sim.runFor(5000); // both started at once: their startup phases end by time
  const hs = b.registrar.handlespace;
  // B loses one of A's PEs and believes in one A does not have (both behind the protocol's back).
  hs.remove(hs.find(POOL, pes[0]!.id)!);
  const ghost = hs.register(POOL, {
    ...hs.find(POOL, pes[1]!.id)!.toParameter(true),
    id: 12345n,
  }, { now: sim.now, home: 1n });
  assert.ok(ghost.ok);
  assert.notEqual(hs.ownershipChecksum(1n), a.registrar.handlespace.ownershipChecksum(1n));
  sim.runFor(3000); // one heartbeat cycle: A's Presence carries its checksum
  assert.ok(hs.find(POOL, pes[0]!.id) !== undefined);
  assert.equal(hs.find(POOL, 12345n), undefined);
  assert.equal(hs.ownershipChecksum(1n), a.registrar.handlespace.ownershipChecksum(1n));
  const finished = b.node.eventsOf("audit-finished");
  assert.deepEqual(finished.map((e) => [e.peerId, e.poolElements, e.purged]), [[1n, 3, 1]]);
});

test("EnrpPeering: the peers of a dead registrar probe it, the lowest identifier takes its PEs over, the other acknowledges", () => {
  const sim = new Sim({ seed: 7 });
  const a = addPr(sim, "pr1", 1n, ["pr2", "pr3"]);
  const b = addPr(sim, "pr2", 2n, ["pr1", "pr3"]);
  const c = addPr(sim, "pr3", 3n, ["pr1", "pr2"]);
  sim.runFor(1000);
  // The PEs know only registrar 3: when it dies, they cannot register again by themselves.
  const pes = [0, 1, 2, 3].map((i) => addPe(sim, `pe${i}`, ["pr3"], i % 2 === 0).pe);
  sim.runFor(3000);
  assert.equal(a.registrar.handlespace.ownedCount(3n), 4);
  sim.crash("pr3");
  const crashAt = sim.now;
  assert.ok(sim.runUntil(() => b.registrar.handlespace.ownedCount(3n) === 0, 20_000));
  const took = sim.now - crashAt;
  // Silent for peerMaxTimeLastHeard after the last Presence, then peerMaxTimeNoResponse.
  assert.ok(took > 7000 && took < 10_100, `took ${took} ms`);
  for (const x of [a, b]) {
    assert.deepEqual(x.node.eventsOf("peer-silent").map((e) => e.peerId), [3n]);
    assert.equal(x.registrar.handlespace.ownedCount(1n), 4);
  }
  assert.deepEqual(a.node.eventsOf("takeover-completed").map((e) => [e.targetId, e.poolElements]), [
    [3n, 4],
  ]);
  assert.deepEqual(b.node.eventsOf("taken-over-by-peer").map((e) => [e.targetId, e.byId]), [
    [3n, 1n],
  ]);
  assert.deepEqual(c.registrar.peers(), c.registrar.peers()); // (dead; untouched)
  // Registrar 2 either acknowledged registrar 1's takeover or gave its own up for the lower id.
  const gaveWay = b.node.eventsOf("takeover-cancelled").map((e) => e.reason);
  assert.ok(gaveWay.length === 0 || gaveWay.every((r) => r === "lower-id-initiator"));
  assert.equal(b.node.eventsOf("takeover-acknowledged")[0]?.initiatorId, 1n);
  // The taker probes the PEs (no H flag): those that listen answer and stay; the others are
  // kept until their registration life ends.
  sim.runFor(6000);
  for (const [i, p] of pes.entries()) {
    const e = a.registrar.handlespace.find(POOL, p.id)!;
    assert.equal(e.homeRegistrarId, 1n);
    const expiry = a.registrar.handlespace.deadline(e, "lifetime-expiry");
    if (i % 2 === 0) assert.equal(expiry, undefined, "a listening PE is monitored by keep-alives");
    else assert.ok(expiry !== undefined, "a PE that cannot be reached expires by its life");
    assert.equal(p.state, "hunting");
  }
  assert.ok(a.registrar.stats().keepAliveAcks >= 2);
});

test("EnrpPeering: a takeover with the H flag makes listening PEs re-register at the taker", () => {
  const sim = new Sim({ seed: 8 });
  const fast = { peerHeartbeatCycle: 400, peerMaxTimeLastHeard: 1000, peerMaxTimeNoResponse: 1000 };
  const a = addPr(sim, "pr1", 1n, ["pr2"], { ...fast, takeoverKeepAlive: "home" });
  addPr(sim, "pr2", 2n, ["pr1"], fast);
  sim.runFor(1000);
  const { pe } = addPe(sim, "pe", ["pr2"], true);
  sim.runFor(6000);
  assert.equal(pe.homeRegistrarId, 2n);
  sim.crash("pr2"); // the host vanishes: the PE would notice only after 5 s
  sim.runFor(3500);
  assert.deepEqual(a.node.eventsOf("takeover-started").map((e) => e.awaiting), [[]]);
  assert.equal(pe.homeRegistrarId, 1n);
  assert.equal(a.registrar.handlespace.find(POOL, pe.id)?.association !== undefined, true);
});

test("EnrpPeering: a registrar others still hear is not acknowledged; the takeover expires and is tried again", () => {
  const sim = new Sim({ seed: 9 });
  const a = addPr(sim, "pr1", 1n, ["pr2", "pr3"]);
  const b = addPr(sim, "pr2", 2n, ["pr1", "pr3"]);
  addPr(sim, "pr3", 3n, ["pr1", "pr2"]);
  sim.runFor(1000);
  addPe(sim, "pe", ["pr3"]);
  sim.runFor(2000);
  sim.partition(["pr1"], ["pr3"]); // registrar 2 still hears both
  sim.runFor(30_000);
  assert.ok(a.node.eventsOf("takeover-expired").length >= 2);
  assert.deepEqual(a.node.eventsOf("takeover-expired")[0]?.missing, [2n]);
  assert.deepEqual(a.node.eventsOf("takeover-completed"), []);
  assert.equal(b.registrar.stats().takeoverAcksSent, 0);
  assert.equal(a.registrar.handlespace.ownedCount(3n), 1);
});

test("EnrpPeering: an overloaded home suggests a takeover with the T flag; the underloaded peer's keep-alive moves the PE", () => {
  const sim = new Sim({ seed: 10 });
  const on = { takeoverSuggestion: true };
  const a = addPr(sim, "pr1", 1n, [], on);
  const pes = [0, 1, 2, 3, 4, 5].map((i) => addPe(sim, `pe${i}`, ["pr1"], true).pe);
  sim.runFor(6000);
  const b = addPr(sim, "pr2", 2n, ["pr1"], on);
  sim.runFor(1000);
  for (const [i, p] of pes.entries()) {
    sim.command(`pe${i}`, (now) => p.updatePolicy(now, policyParameter(PolicyType.RoundRobin)));
    sim.runFor(300);
  }
  // 6 PEs, 2 registrars: the mean is 3; registrar 1 suggests while it owns more than 3.75.
  const owned = (id: bigint) => a.registrar.handlespace.ownedCount(id);
  assert.ok(owned(1n) <= 3 + 0.75 && owned(2n) >= 2, `${owned(1n)} / ${owned(2n)}`);
  assert.equal(owned(1n) + owned(2n), 6);
  assert.ok(a.registrar.stats().takeoverSuggestionsSent >= 2);
  assert.equal(
    b.registrar.stats().takeoverSuggestionsReceived,
    a.registrar.stats().takeoverSuggestionsSent,
  );
  assert.equal(pes.filter((p) => p.homeRegistrarId === 2n).length, owned(2n));
});

test("Registrar refuses a peer's Handle Table Request during its startup phase and answers it after", () => {
  const sim = new Sim({ seed: 11 });
  const a = addPr(sim, "pr1", 1n, ["pr2"], { mentorDiscoveryTimeout: 3000 });
  const b = addPr(sim, "pr2", 2n, ["pr1"], { mentorDiscoveryTimeout: 3000 });
  sim.runFor(100);
  // Both started at once: each refused the other as a mentor; the startup phase times out.
  for (const x of [a, b]) {
    const rejected = x.node.eventsOf("enrp-request-rejected");
    assert.equal(rejected[0]?.reason, "the startup phase is still on");
    assert.equal(x.registrar.inStartupPhase, true);
  }
  sim.runFor(3000);
  assert.equal(a.registrar.inStartupPhase, false);
  const before = a.registrar.stats().handleTableResponses;
  inject(sim, a, -600, {
    type: "handle-table-request",
    ownChildrenOnly: true,
    senderId: 2n,
    receiverId: 1n,
  });
  assert.equal(a.registrar.stats().handleTableResponses, before + 1);
});

test("Registrar answers a List Request with itself and every live peer", () => {
  const sim = new Sim({ seed: 12 });
  const a = addPr(sim, "pr1", 1n, ["pr2", "pr3"]);
  addPr(sim, "pr2", 2n, ["pr1"]);
  addPr(sim, "pr3", 3n, ["pr1"]);
  sim.runFor(3000);
  let sent: Uint8Array | undefined;
  sim.command("pr1", (now) => {
    const r = a.registrar;
    r.handleAssociationUp(now, -700, {
      remote: { address: "127.0.0.1", port: 40000 },
      local: { address: "127.0.0.1", port: ENRP },
      peerMaxPayload: 65535,
      listener: "enrp",
    });
    r.handleMessage(
      now,
      -700,
      enrpPpid("ng"),
      0,
      encodeMessage({ type: "list-request", senderId: 0n, receiverId: 0n }),
    );
    for (let x = r.pollTransmit(); x !== undefined; x = r.pollTransmit()) {
      if (x.type === "send" && x.assoc === -700) sent = x.payload;
    }
  });
  const m = decodeEnrpMessage(sent!, { profile: "ng" });
  assert.ok(m.kind === "ok" && m.message.type === "list-response");
  assert.deepEqual(m.message.servers.map((s) => s.registrarId), [1n, 2n, 3n]);
});

test("EnrpPeering: a Presence by multicast makes registrars known to each other and connected", () => {
  const sim = new Sim({ seed: 13 });
  const group = { presenceTargets: [{ address: ENRP_PRESENCE_GROUP, port: ENRP }] };
  const a = addPr(sim, "pr1", 1n, [], group);
  const b = addPr(sim, "pr2", 2n, [], group);
  sim.runFor(3000);
  assert.deepEqual(a.registrar.peers().map((p) => [p.id, p.static, p.connected]), [[
    2n,
    false,
    true,
  ]]);
  assert.deepEqual(b.registrar.peers().map((p) => [p.id, p.static, p.connected]), [[
    1n,
    false,
    true,
  ]]);
  assert.equal(a.registrar.stats().associations, 1);
});

test("resolveRegistrarConfig() applies the ENRP defaults and refuses bad ENRP options", () => {
  const rng = new SeededRng(1);
  const c = resolveRegistrarConfig({ rng, id: 1n, enrp: {} });
  assert.equal(c.startupPhase, 5000); // the mentor discovery timeout
  assert.deepEqual(c.enrp?.presenceTargets, [{ address: ENRP_PRESENCE_GROUP, port: ENRP }]);
  assert.equal(c.enrp?.peerHeartbeatCycle, 2444);
  assert.equal(c.enrp?.takeoverKeepAlive, "probe");
  assert.equal(resolveRegistrarConfig({ rng, id: 1n }).enrp, undefined);
  assert.equal(resolveRegistrarConfig({ rng, id: 1n }).startupPhase, 0);
  assert.throws(() => resolveRegistrarConfig({ rng, enrp: { takeoverExpiry: 0 } }), RangeError);
  assert.throws(
    () => resolveRegistrarConfig({ rng, enrp: { takeoverSuggestionThreshold: 0.5 } }),
    RangeError,
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => resolveRegistrarConfig({ rng, enrp: { takeoverKeepAlive: "always" as any } }),
    TypeError,
  );
  assert.throws(
    () => resolveRegistrarConfig({ rng, enrp: { peers: [{ address: "x", port: 9901 }] } }),
    SyntaxError,
  );
});
