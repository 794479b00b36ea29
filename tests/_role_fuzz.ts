// Fuzzing of the role state machines (registrar, pool element, pool user, and the session
// roles: SessionLayer on the pool user's side, SessionAcceptor on the pool element's), shared by the
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
//   association that went down, and the handlespace stays within its limits;
// - session roles: they also get their API calls in random order (open, send, acknowledge,
//   close, failover; send, cookie, business card, close, policy update) on live, closed and
//   unknown sessions; they send only on associations that are up or being connected, never
//   an ASAP/ENRP PPID of the other profile, and their sessions stay within their limits.
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
import type { EnrpMessage } from "../core/wire/enrp_message.ts";
import { WireDecoder } from "../core/wire/wire_decoder.ts";
import { WireEncoder } from "../core/wire/wire_encoder.ts";
import { policyParameter, PolicyType } from "../core/wire/policy_parameter.ts";
import { asapPpid, enrpPpid, type WireProfile } from "../core/wire/profile.ts";
import { SessionLayer } from "../core/session/session_layer.ts";
import { SessionAcceptor } from "../core/session/session_acceptor.ts";
import { CookieCodec } from "../core/session/cookie_codec.ts";
import { anyMessageArb } from "./_wire_arbitraries.ts";
import { mutate } from "./_wire_fuzz.ts";

/** The roles fuzzed. */
export type FuzzedRole =
  | "registrar"
  | "registrar-enrp"
  | "pool-element"
  | "pool-user"
  | "session-layer"
  | "session-acceptor";

/** The pool-wide cookie key of the fuzzed session acceptor (the corpus holds cookies it seals). */
const COOKIE_KEY = new TextEncoder().encode("role fuzz cookie key, 32 bytes!!");

/** The fuzzed registrars' identifier (the ENRP corpus addresses it). */
const FUZZ_REGISTRAR_ID = 0x100n;

function cookieCodec(): CookieCodec<unknown> {
  return new CookieCodec({ poolHandle: "Pool0", keys: [{ id: 1, secret: COOKIE_KEY }] });
}

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
  /** Sessions the session roles handed out or reported, summed over the sequences. */
  sessions: number;
  /** ENRP messages the registrars sent (responses, Presence, Handle Updates, takeover). */
  enrpSent: number;
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
  const codec = cookieCodec();
  const pushEnrp = (m: EnrpMessage) => useful.push(enc.encodeEnrp(m).slice());
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
      // Session control: authentic cookies of Pool0 (as another PE sealed them), forged ones,
      // and business cards.
      { type: "cookie", cookie: codec.seal({ step: i, data: "x".repeat(i * 7) }, i * 1000) },
      { type: "cookie-echo", cookie: codec.seal({ step: i }, i * 1000) },
      { type: "cookie-echo", cookie: new Uint8Array(1 + i).fill(i) },
      { type: "business-card", poolHandle, poolElements: [element] },
    ].forEach((m) => push(m as AsapMessage));
    // ENRP from peer registrars 1..3 to the fuzzed registrar (FUZZ_REGISTRAR_ID) and others.
    const peer = BigInt(1 + (i % 3));
    const receiverId = i % 4 === 0 ? 0n : i % 4 === 1 ? 0x77n : FUZZ_REGISTRAR_ID;
    const peerElement = { ...element, homeRegistrarId: peer };
    ([
      { type: "presence", replyRequired: i % 2 === 0, senderId: peer, receiverId, checksum: i },
      {
        type: "handle-update",
        takeoverSuggested: i % 7 === 0,
        senderId: peer,
        receiverId,
        action: i % 3 === 2 ? "del-pe" : "add-pe",
        poolHandle,
        poolElement: peerElement,
      },
      { type: "list-request", senderId: i % 5 === 0 ? 0n : peer, receiverId },
      { type: "handle-table-request", ownChildrenOnly: i % 2 === 1, senderId: peer, receiverId },
      {
        type: "handle-table-response",
        reject: false,
        moreToSend: i % 3 === 0,
        senderId: peer,
        receiverId,
        pools: [{ poolHandle, poolElements: [peerElement] }],
      },
      { type: "init-takeover", senderId: peer, receiverId, targetId: BigInt(1 + ((i + 1) % 3)) },
      {
        type: "init-takeover-ack",
        senderId: peer,
        receiverId,
        targetId: i % 2 === 0 ? FUZZ_REGISTRAR_ID : BigInt(1 + ((i + 1) % 3)),
      },
      { type: "takeover-server", senderId: peer, receiverId, targetId: BigInt(1 + ((i + 2) % 3)) },
    ] as EnrpMessage[]).forEach(pushEnrp);
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
    case "registrar-enrp":
      return new Registrar({
        rng,
        profile,
        id: FUZZ_REGISTRAR_ID,
        // ENRP peering with a static peer and short timers: peer table, Presence, Handle
        // Updates, mentor download, audits and takeovers all run.
        ...(kind === "registrar-enrp"
          ? {
            enrp: {
              peers: [{ address: "127.0.0.1", port: 9901 }],
              presenceTargets: [{ address: "239.0.0.51", port: 9901 }],
              peerHeartbeatCycle: 300,
              peerMaxTimeLastHeard: 600,
              peerMaxTimeNoResponse: 400,
              mentorDiscoveryTimeout: 500,
              takeoverExpiry: 800,
            },
            enrpEndpoint: { address: "127.0.0.1", port: 9902 },
          }
          : {}),
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
    case "session-layer":
      return new SessionLayer({
        rng,
        profile,
        registrars: [{ address: "127.0.0.1", port: 3863 }],
        // Small limits and short timers, so the fuzzer reaches them.
        maxQueued: 8,
        maxAttempts: 3,
      });
    case "session-acceptor":
      return new SessionAcceptor({
        rng,
        profile,
        poolHandle: "Pool0",
        policy: policyParameter(PolicyType.LeastUsed),
        registrars: [{ address: "127.0.0.1", port: 3863 }],
        cookies: cookieCodec(),
        maxSessions: 6,
      });
  }
}

/** Random API calls of a session role, as its application would make them. */
function sessionCall(
  role: SessionLayer | SessionAcceptor<unknown>,
  rng: SeededRng,
  now: number,
  sessions: readonly number[],
): void {
  const session = sessions.length > 0 && below(rng, 8) !== 0
    ? sessions[below(rng, sessions.length)]!
    : below(rng, 50);
  const payload = new Uint8Array(1 + below(rng, 64)).fill(below(rng, 256));
  const op = below(rng, 10);
  if (role instanceof SessionLayer) {
    if (op < 2) role.open(now, below(rng, 4) === 0 ? "Pool1" : "Pool0");
    else if (op < 6) role.send(now, session, payload, { ack: below(rng, 2) === 0, ppid: 7 });
    else if (op < 7) role.acknowledge(session, below(rng, 20));
    else if (op < 8) role.close(now, session);
    else if (op < 9) role.failover(now, session, "fuzz", below(rng, 2) === 0);
    else role.sendBusinessCard(now, session, { poolHandle: "Pool0" });
    return;
  }
  if (op < 5) role.send(now, session, payload, { ppid: 7 });
  else if (op < 7) role.sendCookie(now, session, { step: below(rng, 1000) });
  else if (op < 8) role.close(now, session);
  else if (op < 9) role.sendBusinessCard(now, session);
  else role.updatePolicy(now, policyParameter(PolicyType.LeastUsed, { load: below(rng, 1000) }));
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
  const counts: RoleFuzzCounts = {
    cases: 0,
    sent: 0,
    closed: 0,
    registered: 0,
    sessions: 0,
    enrpSent: 0,
  };
  const kinds: FuzzedRole[] = [
    "registrar",
    "registrar-enrp",
    "pool-element",
    "pool-user",
    "session-layer",
    "session-acceptor",
  ];
  let round = 0;
  while (counts.cases < cases) {
    const kind = kinds[round % kinds.length]!;
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
  const session = role instanceof SessionLayer || role instanceof SessionAcceptor
    ? role
    : undefined;
  /** Session ids the role handed out or reported. */
  const sessions: number[] = [];
  /** The acceptor's sessions opened and not closed (refused ones are never opened). */
  const served = new Set<number>();
  if (role instanceof SessionAcceptor) role.listening(0, 7000);
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
          if (session !== undefined) {
            if (!up.has(a.assoc) && !connecting.has(a.assoc)) {
              fail(`sent on association ${a.assoc}, which is not up`);
            }
            if (!asap) {
              const other = profile === "ng" ? "rfc" : "ng";
              if (a.ppid === asapPpid(other) || a.ppid === enrpPpid(other)) {
                fail(`sent PPID ${a.ppid} of the other profile`);
              }
              break; // application data
            }
          }
          if (!asap && a.ppid !== enrpPpid(profile)) fail(`send with PPID ${a.ppid}`);
          if (!asap) counts.enrpSent++;
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
    for (let e = role.pollEvent(); e !== undefined; e = role.pollEvent()) {
      const { type, session: id } = e as { type: string; session?: unknown };
      if (typeof id !== "number") continue;
      if (!sessions.includes(id)) sessions.push(id);
      if (type === "session-opened") served.add(id);
      else if (type === "session-closed") served.delete(id);
    }
    if (session !== undefined) checkSession(session, served, fail);
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
          const main = kind === "session-acceptor" && below(rng, 4) !== 0
            ? "session"
            : kind === "registrar-enrp" && below(rng, 2) === 0
            ? "enrp"
            : "asap";
          listener = below(rng, 20) === 0 ? ["enrp", "other"][below(rng, 2)] : main;
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
        const p = below(rng, 100);
        const ppid = kind === "registrar-enrp" && p < 50
          ? ppids[1]! // ENRP
          : session !== undefined && p < 20
          ? 7 // application data on a session
          : p < 98
          ? ppids[0]!
          : ppids[below(rng, ppids.length)]!;
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
      } else if (what < 90 || (session !== undefined && what < 95)) {
        if (session !== undefined && what >= 88) sessionCall(session, rng, now, sessions);
        else {
          const id = pick(up) ?? 1;
          const rtt = below(rng, 500);
          role.handleRttSample?.(now, id, { rtt, srtt: rtt, rttvar: rtt / 2 });
        }
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
  counts.sessions += sessions.length;
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

function checkSession(
  role: SessionLayer | SessionAcceptor<unknown>,
  served: ReadonlySet<number>,
  fail: (what: string) => never,
): void {
  const st = role.stats() as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(st)) {
    if (typeof v === "number" && !(v >= 0 && Number.isFinite(v))) fail(`stats.${k} is ${v}`);
  }
  if (served.size > 6) fail(`${served.size} sessions served at once, over maxSessions 6`);
}
