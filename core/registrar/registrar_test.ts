// Unit tests of the Registrar, driven directly (no network): every ASAP and ENRP request it
// answers, its timers, and its reactions to bad input. Runs under Deno, Bun and Node.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "../rng.ts";
import type { AssociationId, RoleAction } from "../role.ts";
import type { AsapMessage } from "../wire/asap_message.ts";
import { decodeAsapMessage, decodeEnrpMessage } from "../wire/decode.ts";
import type { EnrpMessage } from "../wire/enrp_message.ts";
import { ErrorCause } from "../wire/error_cause.ts";
import type { PoolElementParameter } from "../wire/pool_element_parameter.ts";
import { type PolicyParameter, policyParameter, PolicyType } from "../wire/policy_parameter.ts";
import { asapPpid, enrpPpid, type WireProfile } from "../wire/profile.ts";
import type { TransportParameter } from "../wire/transport_parameter.ts";
import { encodeMessage } from "../wire/wire_encoder.ts";
import { Registrar } from "./registrar.ts";
import type { RegistrarConfig } from "./config.ts";
import type { RegistrarEvent } from "./events.ts";

const PH = new TextEncoder().encode("EchoPool");
const PR_ADDRESS = { address: "127.0.0.1", port: 3863 };

function newRegistrar(config: Partial<RegistrarConfig> = {}): Registrar {
  return new Registrar({ rng: new SeededRng(5), id: 0x5000n, announceTargets: [], ...config });
}

/** One association to the registrar and what came back on it. */
class Peer {
  readonly pr: Registrar;
  readonly assoc: AssociationId;
  readonly profile: WireProfile;
  constructor(
    pr: Registrar,
    assoc: AssociationId,
    now = 0,
    address = "127.0.0.1",
    listener = "asap",
  ) {
    this.pr = pr;
    this.assoc = assoc;
    this.profile = pr.profile;
    pr.handleAssociationUp(now, assoc, {
      remote: { address, port: 40000 - assoc },
      local: PR_ADDRESS,
      peerMaxPayload: 65535,
      listener,
    });
  }
  send(now: number, message: AsapMessage | EnrpMessage): void {
    const enrp = !("poolHandle" in message) && message.type !== "asap-error" &&
      message.type !== "server-announce" && message.type !== "cookie" &&
      message.type !== "cookie-echo";
    const ppid = enrp ? enrpPpid(this.profile) : asapPpid(this.profile);
    this.raw(now, ppid, encodeMessage(message, { profile: this.profile }));
  }
  raw(now: number, ppid: number, bytes: Uint8Array): void {
    this.pr.handleMessage(now, this.assoc, ppid, 0, bytes);
  }
}

/** Drains the registrar: actions and events. */
function drain(pr: Registrar): { actions: RoleAction[]; events: RegistrarEvent[] } {
  const actions: RoleAction[] = [];
  const events: RegistrarEvent[] = [];
  for (let a = pr.pollTransmit(); a !== undefined; a = pr.pollTransmit()) actions.push(a);
  for (let e = pr.pollEvent(); e !== undefined; e = pr.pollEvent()) events.push(e);
  return { actions, events };
}

/** The ASAP messages sent on an association. */
function asapSent(actions: RoleAction[], assoc: AssociationId, profile: WireProfile = "ng") {
  return actions.flatMap((a) => {
    if (a.type !== "send" || a.assoc !== assoc) return [];
    const r = decodeAsapMessage(a.payload, { profile });
    assert.equal(r.kind, "ok");
    return r.kind === "ok" ? [r.message] : [];
  });
}

function enrpSent(actions: RoleAction[], assoc: AssociationId, profile: WireProfile = "ng") {
  return actions.flatMap((a) => {
    if (a.type !== "send" || a.assoc !== assoc) return [];
    const r = decodeEnrpMessage(a.payload, { profile });
    assert.equal(r.kind, "ok");
    return r.kind === "ok" ? [r.message] : [];
  });
}

function tcp(address = "127.0.0.1", port = 7): TransportParameter {
  return { protocol: "tcp", port, transportUse: "data", addresses: [address] };
}

function pe(
  id: bigint,
  policy: PolicyParameter = policyParameter(PolicyType.RoundRobin),
  userTransport: TransportParameter = tcp(),
): PoolElementParameter {
  return { id, homeRegistrarId: 0n, registrationLife: 90000, userTransport, policy };
}

function register(peer: Peer, now: number, element: PoolElementParameter, poolHandle = PH) {
  peer.send(now, { type: "registration", poolHandle, poolElement: element });
  return asapSent(drain(peer.pr).actions, peer.assoc, peer.profile);
}

test("Registrar.handleMessage() accepts a Registration and becomes the PE's home", () => {
  const pr = newRegistrar();
  const peer = new Peer(pr, -1);
  peer.send(0, { type: "registration", poolHandle: PH, poolElement: pe(11n) });
  const { actions, events } = drain(pr);
  const [reply] = asapSent(actions, -1);
  assert.deepEqual(reply, {
    type: "registration-response",
    reject: false,
    poolHandle: PH,
    poolElementId: 11n,
  });
  assert.deepEqual(events.map((e) => e.type), ["registered"]);
  const entry = pr.handlespace.find(PH, 11n)!;
  assert.equal(entry.homeRegistrarId, 0x5000n);
  assert.equal(entry.association, -1);
  // NG: no ASAP transport unless the PE names a listener (an ephemeral port is no endpoint).
  assert.equal(entry.asapTransport, undefined);
  assert.equal(pr.stats().registrations, 1);
  assert.equal(pr.stats().ownedPoolElements, 1);
});

test("Registrar.handleMessage() takes a re-registration as an update of policy information", () => {
  const pr = newRegistrar();
  const peer = new Peer(pr, -1);
  register(peer, 0, pe(11n, policyParameter(PolicyType.LeastUsed, { load: 5 })));
  peer.send(10, {
    type: "registration",
    poolHandle: PH,
    poolElement: pe(11n, policyParameter(PolicyType.LeastUsed, { load: 9 })),
  });
  const { events } = drain(pr);
  assert.equal(events[0]?.type, "re-registered");
  assert.equal(events[0]?.type === "re-registered" && events[0].changed, true);
  assert.equal(pr.handlespace.find(PH, 11n)?.policy.load, 9);
  assert.equal(pr.stats().reRegistrations, 1);
});

test("Registrar.handleMessage() rejects a policy other than the pool's with cause 0x5 and the policy", () => {
  const pr = newRegistrar();
  const peer = new Peer(pr, -1);
  register(peer, 0, pe(1n, policyParameter(PolicyType.RoundRobin)));
  const [reply] = register(peer, 1, pe(2n, policyParameter(PolicyType.Random)));
  assert.ok(reply?.type === "registration-response");
  assert.equal(reply.reject, true);
  assert.equal(reply.poolElementId, 2n);
  assert.equal(reply.error?.causes[0]?.code, ErrorCause.InconsistentPoolingPolicy);
  // The cause information is the offending policy parameter: type 0x0008, Random (3).
  assert.deepEqual([...reply.error!.causes[0]!.info], [0, 8, 0, 8, 0, 0, 0, 3]);
  assert.equal(pr.handlespace.size, 1);
  assert.equal(pr.stats().registrationsRejected, 1);
});

test("Registrar.handleMessage() rejects another transport protocol with cause 0x7", () => {
  const pr = newRegistrar();
  const peer = new Peer(pr, -1);
  register(peer, 0, pe(1n));
  const udp: TransportParameter = {
    protocol: "udp",
    port: 7,
    transportUse: "data",
    addresses: ["127.0.0.1"],
  };
  const [reply] = register(peer, 1, pe(2n, policyParameter(PolicyType.RoundRobin), udp));
  assert.ok(reply?.type === "registration-response" && reply.reject);
  assert.equal(reply.error?.causes[0]?.code, ErrorCause.InconsistentTransportType);
  assert.equal(reply.error?.causes[0]?.info[1], 0x06); // the UDP transport parameter
});

test("Registrar.handleMessage() rejects a Registration that carries an ASAP transport (RFC profile)", () => {
  const pr = newRegistrar({ profile: "rfc", id: 0x5000n });
  const peer = new Peer(pr, -1);
  const [reply] = register(peer, 0, { ...pe(1n), asapTransport: tcp("127.0.0.1", 9) });
  assert.ok(reply?.type === "registration-response" && reply.reject);
  assert.equal(reply.error?.causes[0]?.code, ErrorCause.InvalidValues);
  assert.equal(pr.handlespace.size, 0);
  // Without one, the RFC profile records the association's remote end as the ASAP transport.
  register(peer, 1, pe(2n));
  assert.deepEqual(pr.handlespace.find(PH, 2n)?.asapTransport, tcp("127.0.0.1", 40001));
});

test("Registrar.handleMessage() records the ASAP listener an NG PE names, at the association's address", () => {
  const pr = newRegistrar();
  const peer = new Peer(pr, -1);
  const [reply] = register(peer, 0, { ...pe(1n), asapTransport: tcp("10.9.9.9", 9) });
  assert.ok(reply?.type === "registration-response" && !reply.reject);
  assert.deepEqual(pr.handlespace.find(PH, 1n)?.asapTransport, tcp("127.0.0.1", 9));
  const [udp] = register(peer, 1, {
    ...pe(2n),
    asapTransport: { ...tcp("127.0.0.1", 9), protocol: "udp" },
  });
  assert.ok(udp?.type === "registration-response" && udp.reject);
  assert.equal(udp.error?.causes[0]?.code, ErrorCause.InvalidValues);
});

test("Registrar.handleMessage() refuses user addresses other than the association's by default", () => {
  const pr = newRegistrar();
  const peer = new Peer(pr, -1);
  const [reply] = register(peer, 0, pe(1n, undefined, tcp("10.9.9.9")));
  assert.ok(reply?.type === "registration-response" && reply.reject);
  assert.equal(reply.error?.causes[0]?.code, ErrorCause.RejectedDueToSecurity);
  assert.equal(pr.handlespace.size, 0);
});

test("Registrar userAddressCheck 'trust' keeps and 'replace' substitutes the PE's addresses", () => {
  const trusting = newRegistrar({ userAddressCheck: "trust" });
  register(new Peer(trusting, -1), 0, pe(1n, undefined, tcp("10.9.9.9")));
  assert.deepEqual(trusting.handlespace.find(PH, 1n)?.userTransport.addresses, ["10.9.9.9"]);
  const replacing = newRegistrar({ userAddressCheck: "replace" });
  register(new Peer(replacing, -1, 0, "192.0.2.7"), 0, pe(1n, undefined, tcp("10.9.9.9")));
  assert.deepEqual(replacing.handlespace.find(PH, 1n)?.userTransport.addresses, ["192.0.2.7"]);
});

test("Registrar minAddressScope 'site-local' refuses PEs coming from loopback", () => {
  const pr = newRegistrar({ minAddressScope: "site-local" });
  const [reply] = register(new Peer(pr, -1), 0, pe(1n));
  assert.ok(reply?.type === "registration-response" && reply.reject);
  assert.equal(reply.error?.causes[0]?.code, ErrorCause.InvalidValues);
  const ok = register(new Peer(pr, -2, 0, "10.1.2.3"), 0, pe(2n, undefined, tcp("10.1.2.3")));
  assert.equal(ok[0]?.type === "registration-response" && ok[0].reject, false);
});

test("Registrar.handleMessage() rejects a pool handle longer than maxPoolHandleLength", () => {
  const pr = newRegistrar({ maxPoolHandleLength: 4 });
  const [reply] = register(new Peer(pr, -1), 0, pe(1n), new Uint8Array(5).fill(65));
  assert.ok(reply?.type === "registration-response" && reply.reject);
  assert.equal(reply.error?.causes[0]?.code, ErrorCause.InvalidValues);
  assert.equal(reply.error?.causes[0]?.info[1], 0x09); // the Pool Handle parameter
});

test("Registrar.handleMessage() deregisters a PE, and only from its own association", () => {
  const pr = newRegistrar();
  const owner = new Peer(pr, -1);
  const other = new Peer(pr, -2);
  register(owner, 0, pe(1n));
  other.send(1, { type: "deregistration", poolHandle: PH, poolElementId: 1n });
  const [refused] = asapSent(drain(pr).actions, -2);
  assert.ok(refused?.type === "deregistration-response" && refused.reject);
  assert.equal(refused.error?.causes[0]?.code, ErrorCause.RejectedDueToSecurity);
  assert.equal(pr.handlespace.size, 1);
  owner.send(2, { type: "deregistration", poolHandle: PH, poolElementId: 1n });
  const { actions, events } = drain(pr);
  assert.deepEqual(asapSent(actions, -1), [{
    type: "deregistration-response",
    reject: false,
    poolHandle: PH,
    poolElementId: 1n,
  }]);
  assert.deepEqual(events.map((e) => e.type), ["deregistered"]);
  assert.equal(pr.handlespace.size, 0);
  // An unknown PE gets a plain response (RSPLIB).
  owner.send(3, { type: "deregistration", poolHandle: PH, poolElementId: 1n });
  const [plain] = asapSent(drain(pr).actions, -1);
  assert.equal(plain?.type === "deregistration-response" && plain.reject, false);
});

test("Registrar.handleMessage() refuses a forged Deregistration of a PE it holds without an association (home at a peer registrar), cause 0xa, the PE stays", () => {
  const pr = newRegistrar();
  // A PE whose home is another registrar (as ENRP brings it): no association here.
  const held = pr.handlespace.register(PH, { ...pe(7n), homeRegistrarId: 0x6000n }, {
    now: 0,
    home: 0x6000n,
    asapTransport: tcp("127.0.0.1", 40007),
  });
  assert.ok(held.ok);
  const attacker = new Peer(pr, -3);
  attacker.send(1, { type: "deregistration", poolHandle: PH, poolElementId: 7n });
  const { actions, events } = drain(pr);
  const [refused] = asapSent(actions, -3);
  assert.ok(refused?.type === "deregistration-response" && refused.reject);
  assert.equal(refused.error?.causes[0]?.code, ErrorCause.RejectedDueToSecurity);
  assert.deepEqual(events.map((e) => e.type), ["peer-protocol-error"]);
  assert.notEqual(pr.handlespace.find(PH, 7n), undefined);
  assert.equal(pr.stats().deregistrations, 0);
});

test("Registrar sends Endpoint Keep-Alives after the interval and keeps PEs that ack", () => {
  const pr = newRegistrar();
  const peer = new Peer(pr, -1);
  register(peer, 0, pe(1n));
  assert.equal(pr.pollTimeout(), 5000);
  pr.handleTimeout(4999);
  assert.equal(drain(pr).actions.length, 0);
  pr.handleTimeout(5000);
  const [ka] = asapSent(drain(pr).actions, -1);
  assert.deepEqual(ka, {
    type: "endpoint-keep-alive",
    home: false,
    registrarId: 0x5000n,
    poolHandle: PH,
    poolElementId: 1n,
  });
  assert.equal(pr.pollTimeout(), 10000);
  peer.send(5100, { type: "endpoint-keep-alive-ack", poolHandle: PH, poolElementId: 1n });
  assert.equal(pr.pollTimeout(), 10100);
  pr.handleTimeout(10099);
  pr.handleTimeout(10099); // early and twice: harmless
  assert.equal(drain(pr).actions.length, 0);
  assert.equal(pr.handlespace.size, 1);
  assert.equal(pr.stats().keepAliveAcks, 1);
});

test("Registrar removes a PE whose Keep-Alive Ack is missing and aborts its association", () => {
  const pr = newRegistrar();
  const peer = new Peer(pr, -1);
  register(peer, 0, pe(1n));
  pr.handleTimeout(5000);
  drain(pr);
  pr.handleTimeout(10000);
  const { actions, events } = drain(pr);
  assert.deepEqual(events.map((e) => e.type), ["keep-alive-timeout", "association-aborted"]);
  assert.deepEqual(actions.filter((a) => a.type === "close").map((a) => a.assoc), [-1]);
  assert.equal(pr.handlespace.size, 0);
  assert.equal(pr.stats().keepAliveTimeouts, 1);
});

test("Registrar keeps an association that other PEs still use when one PE times out", () => {
  const pr = newRegistrar();
  const peer = new Peer(pr, -1);
  register(peer, 0, pe(1n));
  register(peer, 2000, pe(2n));
  pr.handleTimeout(5000);
  drain(pr);
  peer.send(7000, { type: "endpoint-keep-alive-ack", poolHandle: PH, poolElementId: 2n });
  pr.handleTimeout(7000);
  drain(pr);
  pr.handleTimeout(10000); // PE 1 silent
  const { actions, events } = drain(pr);
  assert.deepEqual(events.map((e) => e.type), ["keep-alive-timeout"]);
  assert.equal(actions.some((a) => a.type === "close"), false);
  assert.equal(pr.handlespace.find(PH, 2n)?.live, true);
});

test("Registrar.handleAssociationDown() removes every PE registered over the association", () => {
  const pr = newRegistrar();
  const changes: string[] = [];
  pr.addLocalChangeListener((_now, c) => changes.push(`${c.kind}:${c.entry.id}`));
  const peer = new Peer(pr, -1);
  register(peer, 0, pe(1n));
  register(peer, 0, pe(2n));
  pr.handleAssociationDown(1, -1, { reason: "reset", cause: 0, detail: "gone" });
  const { events } = drain(pr);
  assert.deepEqual(
    events.map((e) => e.type),
    ["pe-removed-association-down", "pe-removed-association-down"],
  );
  assert.equal(pr.handlespace.size, 0);
  assert.deepEqual(changes.sort(), ["add:1", "add:2", "remove:1", "remove:2"]);
  assert.equal(pr.stats().associations, 0);
});

test("Registrar confirms maxBadPeReports Endpoint Unreachable reports with a keep-alive and removes the PE when it is not answered", () => {
  const pr = newRegistrar();
  register(new Peer(pr, -1), 0, pe(1n));
  drain(pr);
  const users = [new Peer(pr, -2), new Peer(pr, -3), new Peer(pr, -4)];
  users.forEach((u, i) => {
    u.send(i, { type: "endpoint-unreachable", poolHandle: PH, poolElementId: 1n });
  });
  users[0]!.send(9, { type: "endpoint-unreachable", poolHandle: PH, poolElementId: 99n }); // unknown
  const first = drain(pr);
  // The one action: an Endpoint Keep-Alive to the PE (Endpoint Unreachable has no answer).
  const sent = asapSent(first.actions, -1);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]?.type, "endpoint-keep-alive");
  assert.equal(asapSent(first.actions, -2).length, 0);
  assert.deepEqual(first.events.map((e) => e.type), [
    "unreachable-report",
    "unreachable-report",
    "unreachable-report",
    "unreachable-confirming",
  ]);
  assert.equal(pr.handlespace.size, 1);
  // More reports while confirming send nothing more.
  users[1]!.send(100, { type: "endpoint-unreachable", poolHandle: PH, poolElementId: 1n });
  assert.equal(asapSent(drain(pr).actions, -1).length, 0);
  pr.handleTimeout(9 + 5000);
  const later = drain(pr);
  assert.ok(later.events.some((e) => e.type === "pe-removed-unreachable"));
  assert.equal(pr.handlespace.size, 0);
  assert.equal(pr.stats().removedUnreachable, 1);
  assert.equal(pr.stats().keepAliveTimeouts, 0);
});

test("Registrar keeps a PE reported unreachable that answers the confirming keep-alive, and ignores acks from other associations", () => {
  const pr = newRegistrar();
  const peer = new Peer(pr, -1);
  register(peer, 0, pe(1n));
  drain(pr);
  const liar = new Peer(pr, -2);
  for (let i = 0; i < 3; i++) {
    liar.send(i, { type: "endpoint-unreachable", poolHandle: PH, poolElementId: 1n });
  }
  drain(pr);
  // A forged ack from the liar's association does not count.
  liar.send(10, {
    type: "endpoint-keep-alive-ack",
    poolHandle: PH,
    poolElementId: 1n,
  });
  assert.equal(pr.stats().unreachableRefuted, 0);
  peer.send(20, { type: "endpoint-keep-alive-ack", poolHandle: PH, poolElementId: 1n });
  const { events } = drain(pr);
  assert.deepEqual(events.map((e) => e.type), ["unreachable-refuted"]);
  assert.equal(pr.handlespace.find(PH, 1n)?.unreachableReports, 0);
  pr.handleTimeout(20 + 5001);
  assert.equal(pr.handlespace.size, 1);
  assert.equal(pr.stats().unreachableRefuted, 1);
});

test("Registrar drops Endpoint Unreachable reports over maxEuRate", () => {
  const pr = newRegistrar({ maxEuRate: 1 });
  register(new Peer(pr, -1), 0, pe(1n));
  const user = new Peer(pr, -2);
  for (let i = 0; i < 3; i++) {
    user.send(0, { type: "endpoint-unreachable", poolHandle: PH, poolElementId: 1n });
  }
  const { events } = drain(pr);
  assert.deepEqual(events.map((e) => e.type), ["unreachable-report", "rate-limited"]);
  assert.equal(pr.stats().unreachableReportsRateLimited, 2);
  assert.equal(pr.handlespace.find(PH, 1n)?.unreachableReports, 1);
});

test("Registrar answers a Handle Resolution for an unknown pool with cause 0x9", () => {
  const pr = newRegistrar();
  const user = new Peer(pr, -1);
  user.send(0, { type: "handle-resolution", poolHandle: PH });
  const [reply] = asapSent(drain(pr).actions, -1);
  assert.deepEqual(reply, {
    type: "handle-resolution-response",
    poolHandle: PH,
    poolElements: [],
    error: { causes: [{ code: ErrorCause.UnknownPoolHandle, info: new Uint8Array(0) }] },
  });
  assert.equal(pr.stats().handleResolutionsUnknownPool, 1);
});

test("Registrar returns maxHandleResolutionItems PEs, the option's count, or all up to the limit", () => {
  const pr = newRegistrar({ handleResolutionItemsLimit: 5 });
  const p = new Peer(pr, -1);
  for (let id = 1n; id <= 8n; id++) register(p, 0, pe(id));
  const user = new Peer(pr, -2);
  const count = (items?: number) => {
    user.send(
      1,
      items === undefined
        ? { type: "handle-resolution", poolHandle: PH }
        : { type: "handle-resolution", poolHandle: PH, items },
    );
    const [r] = asapSent(drain(pr).actions, -2);
    assert.ok(r?.type === "handle-resolution-response");
    for (const e of r.poolElements) assert.equal(e.asapTransport, undefined);
    assert.equal(r.policy?.type, PolicyType.RoundRobin);
    return r.poolElements.length;
  };
  assert.equal(count(), 3);
  assert.equal(count(0), 3);
  assert.equal(count(2), 2);
  assert.equal(count(0xffffffff), 5);
  assert.equal(count(100), 5);
});

test("Registrar answers Handle Resolutions over maxHrRate with the rate-limit cause", () => {
  const pr = newRegistrar({ maxHrRate: 2 });
  register(new Peer(pr, -1), 0, pe(1n));
  const user = new Peer(pr, -2);
  for (let i = 0; i < 3; i++) user.send(0, { type: "handle-resolution", poolHandle: PH });
  const replies = asapSent(drain(pr).actions, -2);
  assert.deepEqual(
    replies.map((r) => r.type === "handle-resolution-response" && r.error?.causes[0]?.code),
    [
      undefined,
      undefined,
      ErrorCause.LackOfResources,
    ],
  );
  // One second later the bucket holds two tokens again.
  user.send(1000, { type: "handle-resolution", poolHandle: PH });
  const [later] = asapSent(drain(pr).actions, -2);
  assert.equal(later?.type === "handle-resolution-response" && later.error, undefined);
  assert.equal(pr.stats().handleResolutionsRateLimited, 1);
});

test("Registrar fills a Handle Resolution Response up to the 65535-byte limit and no further", () => {
  const pr = newRegistrar({ userAddressCheck: "trust", handleResolutionItemsLimit: 128 });
  const p = new Peer(pr, -1);
  const addresses = Array.from({ length: 64 }, (_, i) => `2001:db8::${(i + 1).toString(16)}`);
  const sctp: TransportParameter = { protocol: "sctp", port: 9, transportUse: "data", addresses };
  for (let id = 1n; id <= 128n; id++) register(p, 0, pe(id, undefined, sctp));
  const user = new Peer(pr, -2);
  user.send(1, { type: "handle-resolution", poolHandle: PH, items: 0xffffffff });
  const sent = drain(pr).actions.filter((a) => a.type === "send" && a.assoc === -2);
  assert.equal(sent.length, 1);
  const payload = sent[0]!.type === "send" ? sent[0]!.payload : new Uint8Array();
  assert.ok(payload.length <= 65535 && payload.length > 60000, `${payload.length} bytes`);
  const r = decodeAsapMessage(payload, { profile: "ng" });
  assert.ok(r.kind === "ok" && r.message.type === "handle-resolution-response");
  assert.ok(r.message.poolElements.length > 40 && r.message.poolElements.length < 128);
});

test("Registrar gives PEs of DPF policies half the association's smoothed RTT as distance", () => {
  const pr = newRegistrar();
  const peer = new Peer(pr, -1);
  pr.handleRttSample(0, -1, { rtt: 180, srtt: 210, rttvar: 5 });
  register(peer, 0, pe(1n, policyParameter(PolicyType.LeastUsedDpf, { loadDpf: 5 })));
  assert.equal(pr.handlespace.find(PH, 1n)?.policy.distance, 100); // 105 → 50 ms steps
});

test("Registrar answers garbage with the ASAP Error the codec names and aborts after the burst", () => {
  const pr = newRegistrar({ protocolErrorBurst: 3 });
  const peer = new Peer(pr, -1);
  const garbage = new Uint8Array([0x3f, 0x80, 0, 4]); // unknown ASAP type 0x3f (NG flag set)
  for (let i = 0; i < 3; i++) peer.raw(0, asapPpid("ng"), garbage);
  let out = drain(pr);
  const errors = asapSent(out.actions, -1);
  assert.equal(errors.length, 3);
  for (const e of errors) {
    assert.ok(e.type === "asap-error");
    assert.equal(e.error.causes[0]?.code, ErrorCause.UnrecognizedMessage);
    assert.deepEqual(e.error.causes[0]?.info, garbage);
  }
  peer.raw(0, asapPpid("ng"), garbage);
  out = drain(pr);
  assert.deepEqual(out.actions.map((a) => a.type), ["close"]);
  assert.ok(out.events.some((e) => e.type === "association-aborted"));
  peer.raw(0, asapPpid("ng"), garbage); // nothing more is processed
  assert.equal(drain(pr).actions.length, 0);
});

test("Registrar answers a message of the other profile with cause Unrecognized Message", () => {
  const pr = newRegistrar();
  const peer = new Peer(pr, -1);
  const rfc = encodeMessage({ type: "handle-resolution", poolHandle: PH }, { profile: "rfc" });
  peer.raw(0, asapPpid("ng"), rfc);
  const [reply] = asapSent(drain(pr).actions, -1);
  assert.ok(reply?.type === "asap-error");
  assert.equal(reply.error.causes[0]?.code, ErrorCause.UnrecognizedMessage);
});

test("Registrar aborts an association that sends the wrong PPID", () => {
  const pr = newRegistrar();
  const peer = new Peer(pr, -1);
  peer.raw(0, asapPpid("rfc"), encodeMessage({ type: "handle-resolution", poolHandle: PH }));
  const { actions } = drain(pr);
  assert.equal(actions.length, 1);
  assert.ok(actions[0]?.type === "close" && actions[0].abort);
  const enrp = new Peer(pr, -2, 0, "127.0.0.1", "enrp");
  enrp.raw(0, asapPpid("ng"), encodeMessage({ type: "handle-resolution", poolHandle: PH }));
  assert.ok(drain(pr).actions[0]?.type === "close");
});

test("Registrar answers a message a registrar does not accept with Unrecognized Message", () => {
  const pr = newRegistrar();
  const peer = new Peer(pr, -1);
  peer.send(0, { type: "registration-response", reject: false, poolHandle: PH, poolElementId: 1n });
  const [reply] = asapSent(drain(pr).actions, -1);
  assert.ok(reply?.type === "asap-error");
  assert.equal(reply.error.causes[0]?.code, ErrorCause.UnrecognizedMessage);
  assert.equal(reply.error.causes[0]?.info[0], 0x03);
});

test("Registrar answers a truncated message with an ASAP Error", () => {
  const pr = newRegistrar();
  const peer = new Peer(pr, -1);
  peer.raw(0, asapPpid("ng"), new Uint8Array([0x05, 0x80, 0, 40, 0, 9]));
  const [reply] = asapSent(drain(pr).actions, -1);
  assert.ok(reply?.type === "asap-error");
  assert.equal(reply.error.causes[0]?.code, ErrorCause.InvalidValues);
});

test("Registrar sends Server Announces from the start, jittered around the cycle", () => {
  const pr = newRegistrar({
    announceTargets: [{ address: "239.0.0.50", port: 3863 }],
    asapEndpoints: [{ address: "192.0.2.1", port: 3863 }],
  });
  pr.handleTimeout(0);
  const first = drain(pr).actions;
  assert.equal(first.length, 1);
  const a = first[0]!;
  assert.ok(a.type === "datagram");
  assert.equal(a.channel, "asap-announce");
  assert.deepEqual(a.to, { address: "239.0.0.50", port: 3863 });
  const m = decodeAsapMessage(a.payload, { profile: "ng" });
  assert.deepEqual(m.kind === "ok" && m.message, {
    type: "server-announce",
    registrarId: 0x5000n,
    transports: [tcp("192.0.2.1", 3863)],
  });
  let last = 0;
  for (let i = 0; i < 50; i++) {
    const next = pr.pollTimeout()!;
    assert.ok(next - last >= 875 && next - last <= 1125, `cycle ${next - last}`);
    pr.handleTimeout(next);
    assert.equal(drain(pr).actions.length, 1);
    last = next;
  }
  assert.equal(pr.stats().announcesSent, 51);
});

test("Registrar.setAsapEndpoints() announces SCTP and TCP Transport parameters for a registrar serving both", () => {
  const pr = newRegistrar({ announceTargets: [{ address: "239.0.0.50", port: 3863 }] });
  pr.setAsapEndpoints([{ address: "192.0.2.1", port: 3863 }], ["sctp", "tcp"]);
  pr.handleTimeout(0);
  const [a] = drain(pr).actions;
  assert.ok(a?.type === "datagram");
  const m = decodeAsapMessage(a.payload, { profile: "ng" });
  assert.ok(m.kind === "ok" && m.message.type === "server-announce");
  assert.deepEqual(m.message.transports, [
    { ...tcp("192.0.2.1", 3863), protocol: "sctp" },
    tcp("192.0.2.1", 3863),
  ]);
  assert.throws(() => pr.setAsapEndpoints([], []), RangeError);
});

test("Registrar announces only after its startup phase", () => {
  const pr = newRegistrar({
    announceTargets: [{ address: "239.0.0.50", port: 3863 }],
    startupPhase: 5000,
  });
  pr.handleTimeout(0);
  assert.equal(drain(pr).actions.length, 0);
  assert.equal(pr.inStartupPhase, true);
  assert.equal(pr.pollTimeout(), 5000);
  pr.handleTimeout(5000);
  const { actions, events } = drain(pr);
  assert.equal(actions[0]?.type, "datagram");
  assert.deepEqual(events.map((e) => e.type), ["startup-phase-ended"]);
  assert.equal(pr.inStartupPhase, false);
});

test("Registrar answers an ENRP List Request with its own Server Information", () => {
  const pr = newRegistrar();
  const monitor = new Peer(pr, -1, 0, "127.0.0.1", "enrp");
  monitor.send(0, { type: "list-request", senderId: 0n, receiverId: 0n });
  const [reply] = enrpSent(drain(pr).actions, -1);
  assert.deepEqual(reply, {
    type: "list-response",
    reject: false,
    senderId: 0x5000n,
    receiverId: 0n,
    servers: [{ registrarId: 0x5000n, transport: tcp("127.0.0.1", 3863) }],
  });
});

test("Registrar pages its handlespace to a monitor with the M flag and a cursor", () => {
  const pr = newRegistrar({ maxElementsPerHandleTableResponse: 4 });
  const p = new Peer(pr, -1);
  const listening = (id: bigint) => ({ ...pe(id), asapTransport: tcp("127.0.0.1", 9) });
  for (let id = 1n; id <= 10n; id++) register(p, 0, listening(id));
  register(p, 0, listening(1n), new TextEncoder().encode("A"));
  const monitor = new Peer(pr, -2, 0, "127.0.0.1", "enrp");
  const seen: bigint[] = [];
  const flags: boolean[] = [];
  for (let i = 0; i < 10; i++) {
    monitor.send(i, {
      type: "handle-table-request",
      ownChildrenOnly: false,
      senderId: 0n,
      receiverId: 0n,
    });
    const [r] = enrpSent(drain(pr).actions, -2);
    assert.ok(r?.type === "handle-table-response" && !r.reject);
    for (const pool of r.pools) {
      for (const e of pool.poolElements) {
        assert.ok(e.asapTransport !== undefined);
        assert.equal(e.homeRegistrarId, 0x5000n);
        seen.push(e.id);
      }
    }
    flags.push(r.moreToSend);
    if (!r.moreToSend) break;
  }
  assert.deepEqual(flags, [true, true, false]);
  assert.deepEqual(seen, [1n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n]); // pool "A" first
  assert.equal(pr.stats().handleTableResponses, 3);
});

test("Registrar refuses ENRP requests from remote monitors and from registrars it does not peer with", () => {
  const pr = newRegistrar();
  const remote = new Peer(pr, -1, 0, "10.0.0.9", "enrp");
  remote.send(0, {
    type: "handle-table-request",
    ownChildrenOnly: false,
    senderId: 0n,
    receiverId: 0n,
  });
  let [r] = enrpSent(drain(pr).actions, -1);
  assert.ok(r?.type === "handle-table-response" && r.reject);
  const stranger = new Peer(pr, -2, 0, "127.0.0.1", "enrp");
  stranger.send(0, {
    type: "handle-table-request",
    ownChildrenOnly: true,
    senderId: 77n,
    receiverId: 0x5000n,
  });
  const out = drain(pr);
  [r] = enrpSent(out.actions, -2);
  assert.ok(r?.type === "handle-table-response" && r.reject && r.receiverId === 77n);
  assert.equal(out.events.filter((e) => e.type === "enrp-request-rejected").length, 1);
  const open = newRegistrar({ allowRemoteMonitors: true });
  new Peer(open, -1, 0, "10.0.0.9", "enrp").send(0, {
    type: "handle-table-request",
    ownChildrenOnly: false,
    senderId: 0n,
    receiverId: 0n,
  });
  const [accepted] = enrpSent(drain(open).actions, -1);
  assert.ok(accepted?.type === "handle-table-response" && !accepted.reject);
});

test("Registrar answers a Presence with the R flag with its ownership checksum", () => {
  const pr = newRegistrar({ profile: "rfc", id: 0x10000001n });
  const p = new Peer(pr, -1);
  const ph = new TextEncoder().encode("EchoPool");
  register(p, 0, pe(0x1a2b3c4dn, undefined, tcp()), ph);
  const peer = new Peer(pr, -2, 0, "127.0.0.1", "enrp");
  peer.send(0, {
    type: "presence",
    replyRequired: true,
    senderId: 0n,
    receiverId: 0n,
    checksum: 0,
    serverInformation: { registrarId: 0n, transport: tcp("127.0.0.1", 9901) },
  });
  const [reply] = enrpSent(drain(pr).actions, -2, "rfc");
  assert.ok(reply?.type === "presence" && !reply.replyRequired);
  assert.equal(reply.checksum, pr.handlespace.ownershipChecksum(0x10000001n));
  assert.equal(reply.checksum, pr.handlespace.computeOwnershipChecksum(0x10000001n));
  assert.equal(reply.serverInformation?.registrarId, 0x10000001n);
});

test("Registrar.sendHomeKeepAlive() reaches a PE over its association or its ASAP transport", () => {
  const pr = newRegistrar();
  const peer = new Peer(pr, -1);
  register(peer, 0, pe(1n));
  const entry = pr.handlespace.find(PH, 1n)!;
  assert.equal(pr.sendHomeKeepAlive(1, entry), true);
  const [ka] = asapSent(drain(pr).actions, -1);
  assert.equal(ka?.type === "endpoint-keep-alive" && ka.home, true);
  assert.equal(pr.handlespace.deadline(entry, "keep-alive-timeout"), 5001);
  // Without its association (e.g. learned by ENRP and taken over): a new association.
  pr.handleAssociationDown(2, -1, { reason: "reset", cause: 0, detail: "" });
  const again = pr.handlespace.register(PH, { ...pe(1n), homeRegistrarId: 0x5000n }, {
    now: 3,
    asapTransport: tcp("127.0.0.1", 40001),
  });
  assert.ok(again.ok);
  drain(pr);
  assert.equal(pr.sendHomeKeepAlive(3, again.entry), true);
  const actions = drain(pr).actions;
  assert.equal(actions[0]?.type, "connect");
  assert.ok(actions[0]?.type === "connect" && actions[0].assoc > 0);
  assert.deepEqual(actions[0]?.type === "connect" && actions[0].endpoints, [{
    address: "127.0.0.1",
    port: 40001,
  }]);
  assert.equal(actions[1]?.type, "send");
});

test("Registrar.shutdown() closes every association and stops announcing", () => {
  const pr = newRegistrar({ announceTargets: [{ address: "239.0.0.50", port: 3863 }] });
  new Peer(pr, -1);
  new Peer(pr, -2);
  drain(pr);
  pr.shutdown(10);
  const { actions } = drain(pr);
  assert.deepEqual(actions.map((a) => a.type === "close" && !a.abort && a.assoc), [-1, -2]);
  assert.equal(pr.pollTimeout(), undefined);
});

test("Registrar keeps the handlespace consistent under a mix of requests", () => {
  const pr = newRegistrar();
  const peers = [new Peer(pr, -1), new Peer(pr, -2), new Peer(pr, -3)];
  const rng = new SeededRng(9);
  for (let i = 0; i < 400; i++) {
    const p = peers[rng.nextU32() % 3]!;
    const id = BigInt(1 + (rng.nextU32() % 20));
    const op = rng.nextU32() % 4;
    if (op === 0) register(p, i, pe(id, policyParameter(PolicyType.LeastUsed, { load: i })));
    else if (op === 1) p.send(i, { type: "deregistration", poolHandle: PH, poolElementId: id });
    else if (op === 2) {
      p.send(i, { type: "endpoint-unreachable", poolHandle: PH, poolElementId: id });
    } else p.send(i, { type: "handle-resolution", poolHandle: PH, items: 5 });
    drain(pr);
  }
  const hs = pr.handlespace;
  assert.equal(hs.handlespaceChecksum(), hs.computeHandlespaceChecksum());
  assert.equal(hs.ownershipChecksum(pr.id), hs.computeOwnershipChecksum(pr.id));
  const s = pr.stats();
  assert.equal(
    s.registrations - s.deregistrations - s.removedUnreachable,
    hs.size,
  );
});
