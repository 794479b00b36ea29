// The session layer over the simulated network: forged and oversized cookies, business cards,
// backoff and giving up, acknowledgement timeouts, the resume hook, many sessions over one
// pool user, and the pool element's limits.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim } from "../_sim.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";
import { ErrorCause } from "../../core/wire/error_cause.ts";
import { PPID_ASAP_NG } from "../../core/wire/profile.ts";
import { WireEncoder } from "../../core/wire/wire_encoder.ts";
import type { SessionAcceptor, SessionAcceptorEvent } from "../../core/session/session_acceptor.ts";
import type { SessionLayerEvent } from "../../core/session/session_layer.ts";
import { SESSION_DEFAULTS } from "../../core/session/session_defaults.ts";
import type { App } from "./_app.ts";
import { addAcceptor, addRegistrar, addSessionUser, codecFor, dec, enc, show } from "./_setup.ts";

interface Note {
  note: string;
}

const RR = policyParameter(PolicyType.RoundRobin);

/** Echoes data back and seals the last message into a cookie; remembers restored notes. */
function echo(
  pe: SessionAcceptor<Note>,
  behaviour: { silent?: boolean; card?: string } = {},
): App<SessionAcceptorEvent<Note>> & { restored: string[] } {
  const restored: string[] = [];
  return {
    restored,
    onEvent(now, e) {
      if (e.type === "cookie-echo") restored.push(e.state.note);
      if (e.type === "session-opened" && behaviour.card !== undefined) {
        pe.sendBusinessCard(now, e.session, { poolHandle: behaviour.card });
      }
      if (e.type !== "data" || behaviour.silent) return;
      pe.send(now, e.session, e.payload, { ppid: e.ppid });
      pe.sendCookie(now, e.session, { note: dec(e.payload) });
    },
  };
}

const noApp: App<SessionLayerEvent> = { onEvent() {} };

function world(seed: number, pes: number, behaviour: { silent?: boolean; card?: string } = {}) {
  const sim = new Sim({ seed });
  const { endpoint } = addRegistrar(sim, "pr");
  const acceptors = Array.from({ length: pes }, (_, i) => {
    let app!: ReturnType<typeof echo>;
    const a = addAcceptor<Note>(sim, `pe${i}`, {
      poolHandle: "EchoPool",
      policy: RR,
      registrars: [endpoint],
      cookies: codecFor("EchoPool"),
    }, (pe) => (app = echo(pe, behaviour)));
    return { ...a, app };
  });
  assert.ok(
    sim.runUntil(() => acceptors.every((a) => a.pe.poolElement?.state === "registered"), 10_000),
  );
  return { sim, endpoint, acceptors };
}

const types = (events: { type: string }[]) => events.map((e) => e.type);

test("SessionLayer: a forged cookie is refused by the PE, which keeps serving other sessions", () => {
  const { sim, endpoint, acceptors } = world(1, 1);
  const pu = addSessionUser(sim, "pu", { registrars: [endpoint] }, () => noApp);
  const genuine = codecFor<Note>("EchoPool").seal({ note: "state" }, 0);
  const forged = genuine.slice();
  forged[20]! ^= 0x40;
  const bad = pu.role.run(sim.now, (now) => pu.layer.open(now, "EchoPool", { cookie: forged }));
  sim.command("pu", () => {});
  sim.runFor(1000);
  const closed = sim.events<SessionLayerEvent>("pu", "session-closed")[0];
  assert.ok(closed?.type === "session-closed" && closed.session === bad);
  assert.equal(closed.reason, "cookie-rejected");
  assert.match(closed.detail, /Rejected due to security considerations/);
  const error = sim.events<SessionLayerEvent>("pu", "peer-error")[0];
  assert.equal(error?.type === "peer-error" && error.cause, ErrorCause.RejectedDueToSecurity);
  const rejected = sim.events<SessionAcceptorEvent<Note>>("pe0", "cookie-rejected")[0];
  assert.equal(rejected?.type === "cookie-rejected" && rejected.reason, "forged");
  assert.equal(acceptors[0]!.app.restored.length, 0);
  // The PE is alive and serves a session with the genuine cookie.
  const good = pu.role.run(sim.now, (now) => pu.layer.open(now, "EchoPool", { cookie: genuine }));
  pu.role.run(sim.now, (now) => pu.layer.send(now, good, enc("hello"), { ppid: 7 }));
  sim.command("pu", () => {});
  sim.runFor(1000);
  assert.deepEqual(acceptors[0]!.app.restored, ["state"]);
  const data = sim.events<SessionLayerEvent>("pu", "data")[0];
  assert.equal(data?.type === "data" && dec(data.payload), "hello");
  assert.equal(acceptors[0]!.pe.stats().cookiesRejected, 1);
});

test("SessionLayer: an oversized cookie is refused as Invalid Values before any hashing", () => {
  const { sim, endpoint } = world(2, 1);
  const pu = addSessionUser(sim, "pu", { registrars: [endpoint] }, () => noApp);
  const big = new Uint8Array(SESSION_DEFAULTS.cookieMaxSize.value + 1).fill(7);
  pu.role.run(sim.now, (now) => pu.layer.open(now, "EchoPool", { cookie: big }));
  sim.command("pu", () => {});
  sim.runFor(1000);
  const rejected = sim.events<SessionAcceptorEvent<Note>>("pe0", "cookie-rejected")[0];
  assert.equal(rejected?.type === "cookie-rejected" && rejected.reason, "too-large");
  const closed = sim.events<SessionLayerEvent>("pu", "session-closed")[0];
  assert.ok(closed?.type === "session-closed");
  assert.equal(closed.reason, "cookie-rejected");
  assert.match(closed.detail, /Invalid Values/);
});

test("SessionAcceptor: garbage and unexpected control messages get ASAP Errors, extra echoes are ignored", () => {
  const { sim, endpoint, acceptors } = world(3, 1);
  const pu = addSessionUser(sim, "pu", { registrars: [endpoint] }, () => noApp);
  const cookie = codecFor<Note>("EchoPool").seal({ note: "first" }, 0);
  const s = pu.role.run(sim.now, (now) => pu.layer.open(now, "EchoPool", { cookie }));
  sim.command("pu", () => {});
  sim.runFor(100);
  // Talk to the PE directly over the session's association, as a misbehaving pool user would.
  const pe = acceptors[0]!;
  const session = sim.events<SessionAcceptorEvent<Note>>("pe0", "session-opened")[0];
  assert.ok(session?.type === "session-opened");
  const inbound = [...sim.node("pe0").ends.keys()].filter((k) => k < 0);
  assert.equal(inbound.length, 1);
  const assoc = inbound[0]!;
  const w = new WireEncoder();
  const again = w.encode({
    type: "cookie-echo",
    cookie: codecFor<Note>("EchoPool").seal({ note: "second" }, 0),
  }).slice();
  const unexpected = w.encode({
    type: "endpoint-unreachable",
    poolHandle: enc("EchoPool"),
    poolElementId: 5n,
  }).slice();
  sim.command("pe0", (now) => {
    pe.role.handleMessage(now, assoc, PPID_ASAP_NG, 0, again);
    pe.role.handleMessage(now, assoc, PPID_ASAP_NG, 0, Uint8Array.of(0xff, 0x80, 0, 3));
    pe.role.handleMessage(now, assoc, PPID_ASAP_NG, 0, unexpected);
  });
  sim.runFor(100);
  assert.deepEqual(pe.app.restored, ["first"]);
  assert.equal(pe.pe.stats().extraCookieEchoes, 1);
  assert.equal(pe.pe.stats().protocolErrors, 2);
  const errors = sim.events<SessionLayerEvent>("pu", "peer-error");
  assert.deepEqual(errors.map((e) => e.type === "peer-error" && e.cause), [
    ErrorCause.InvalidValues, // a length of 3 is shorter than the header
    ErrorCause.UnrecognizedMessage, // an Endpoint Unreachable has no place on a session
  ]);
  assert.equal(pu.layer.info(s)?.state, "established");
});

test("SessionLayer: a business card sends the failover to another pool", () => {
  const { sim, endpoint } = world(4, 1, { card: "BackupPool" });
  let backupApp!: ReturnType<typeof echo>;
  const backup = addAcceptor<Note>(sim, "backup", {
    poolHandle: "BackupPool",
    policy: RR,
    registrars: [endpoint],
    cookies: codecFor("BackupPool"),
  }, (pe) => (backupApp = echo(pe)));
  assert.ok(sim.runUntil(() => backup.pe.poolElement?.state === "registered", 10_000));
  const pu = addSessionUser(sim, "pu", { registrars: [endpoint] }, () => noApp);
  const s = pu.role.run(sim.now, (now) => pu.layer.open(now, "EchoPool"));
  sim.command("pu", () => {});
  sim.runFor(100);
  const card = sim.events<SessionLayerEvent>("pu", "business-card")[0];
  assert.equal(card?.type === "business-card" && dec(card.poolHandle), "BackupPool");
  sim.crash("pe0", { reset: true });
  sim.runFor(1000);
  assert.equal(dec(pu.layer.info(s)!.poolHandle), "BackupPool");
  assert.equal(pu.layer.info(s)?.poolElement?.id, backup.pe.poolElement?.id);
  pu.role.run(sim.now, (now) => pu.layer.send(now, s, enc("via backup"), { ppid: 7 }));
  sim.command("pu", () => {});
  sim.runFor(100);
  const data = sim.events<SessionLayerEvent>("pu", "data").at(-1);
  assert.equal(data?.type === "data" && dec(data.payload), "via backup");
  assert.equal(backupApp.restored.length, 0); // no cookie was sent before the crash
});

test("SessionLayer: a pool element the pool user cannot reach is reported unreachable; the registrar confirms by keep-alive and keeps it", () => {
  const sim = new Sim({ seed: 21 });
  const { registrar, endpoint } = addRegistrar(sim, "pr", { maxBadPeReports: 1 });
  const acceptors = ["pe0", "pe1"].map((name) =>
    addAcceptor<Note>(sim, name, {
      poolHandle: "EchoPool",
      policy: RR,
      registrars: [endpoint],
      cookies: codecFor("EchoPool"),
    }, (pe) => echo(pe))
  );
  assert.ok(
    sim.runUntil(() => acceptors.every((a) => a.pe.poolElement?.state === "registered"), 10_000),
  );
  const pu = addSessionUser(sim, "pu", { registrars: [endpoint] }, () => noApp);
  const s = pu.role.run(sim.now, (now) => pu.layer.open(now, "EchoPool"));
  sim.command("pu", () => {});
  sim.runFor(100);
  const victimId = pu.layer.info(s)?.poolElement?.id;
  const victim = acceptors.find((a) => a.pe.poolElement?.id === victimId)!;
  const handle = enc("EchoPool");
  assert.ok(registrar.handlespace.find(handle, victimId!) !== undefined);
  // Only the pool user loses the pool element (a partition between the two): the pool user
  // reports it, and the registrar, which still hears it, confirms by a keep-alive before any
  // removal (RFC 5355 hysteresis): the answer refutes the report and the PE stays.
  sim.partition(["pu"], [victim.node.name]);
  assert.ok(sim.runUntil(() => sim.events("pu", "failover-complete").length > 0, 20_000));
  assert.notEqual(pu.layer.info(s)?.poolElement?.id, victimId);
  assert.equal(pu.layer.poolUser.stats().unreachableReports, 1);
  assert.ok(sim.runUntil(() => sim.events("pr", "unreachable-refuted").length > 0, 10_000));
  assert.equal(sim.events("pr", "unreachable-confirming").length, 1);
  assert.equal(sim.events("pr", "pe-removed-unreachable").length, 0);
  assert.ok(registrar.handlespace.find(handle, victimId!) !== undefined);
  assert.ok(
    registrar.handlespace.find(handle, acceptors.find((a) => a !== victim)!.pe.poolElement!.id),
  );
});

test("SessionLayer: with every PE gone, attempts back off from 250 ms, doubling, then give up", () => {
  const { sim, endpoint } = world(5, 2);
  const pu = addSessionUser(sim, "pu", {
    registrars: [endpoint],
    maxAttempts: 6,
    staleCacheValue: 0,
  }, () => noApp);
  const s = pu.role.run(sim.now, (now) => pu.layer.open(now, "EchoPool"));
  sim.command("pu", () => {});
  sim.runFor(100);
  assert.equal(pu.layer.info(s)?.state, "established");
  sim.crash("pe0", { reset: true });
  sim.crash("pe1", { reset: true });
  sim.runFor(60_000);
  const events = sim.node<SessionLayerEvent>("pu").events;
  const failed = events.filter((e) => e.event.type === "attempt-failed");
  const waits = failed
    .map((e) => e.event.type === "attempt-failed" ? (e.event.retryAt ?? NaN) - e.time : NaN)
    .filter((w) => w > 0);
  assert.ok(waits.length >= 4, `${waits.length} waits`);
  for (const [k, w] of waits.entries()) {
    const d = Math.min(8000, 250 * 2 ** k);
    assert.ok(w >= Math.max(250, d / 2) && w <= Math.max(250, d), `wait ${k}: ${w} for ${d}`);
  }
  const closed = events.find((e) => e.event.type === "session-closed")?.event;
  assert.equal(closed?.type === "session-closed" && closed.reason, "gave-up");
  assert.equal(pu.layer.info(s), undefined);
  assert.equal(pu.layer.sessionCount, 0);
});

test("SessionLayer: an unanswered message fails the session over after ackTimeout", () => {
  const { sim, endpoint } = world(6, 2, { silent: true });
  const pu = addSessionUser(sim, "pu", { registrars: [endpoint], ackTimeout: 1500 }, () => noApp);
  const s = pu.role.run(sim.now, (now) => pu.layer.open(now, "EchoPool"));
  const id = pu.role.run(sim.now, (now) => pu.layer.send(now, s, enc("work"), { ack: true }));
  sim.command("pu", () => {});
  sim.runFor(1400);
  assert.equal(sim.events("pu", "failover-started").length, 0);
  sim.runFor(200);
  const started = sim.events<SessionLayerEvent>("pu", "failover-started")[0];
  assert.ok(started?.type === "failover-started");
  assert.match(started.reason, /Acknowledgement timeout/);
  sim.runFor(100);
  const done = sim.events<SessionLayerEvent>("pu", "failover-complete")[0];
  assert.ok(done?.type === "failover-complete");
  assert.equal(done.resent, 1);
  assert.notEqual(done.poolElement.id, started.poolElementId);
  assert.equal(pu.layer.unacknowledged(s)[0]?.id, id);
  assert.equal(pu.layer.acknowledge(s, id!), true);
  assert.equal(pu.layer.acknowledge(s, id!), false);
});

test("SessionLayer: the resume hook decides which unacknowledged messages go again", () => {
  const { sim, endpoint } = world(7, 2, { silent: true });
  const seen: string[] = [];
  const pu = addSessionUser(sim, "pu", { registrars: [endpoint] }, () => noApp);
  const s = pu.role.run(sim.now, (now) =>
    pu.layer.open(now, "EchoPool", {
      resume: (ctx) => {
        seen.push(...ctx.unacknowledged.map((m) => dec(m.payload)));
        return ctx.unacknowledged.filter((m) => dec(m.payload) !== "b").map((m) => m.id);
      },
    }));
  for (const t of ["a", "b", "c"]) {
    pu.role.run(sim.now, (now) => pu.layer.send(now, s, enc(t), { ack: true }));
  }
  pu.role.run(sim.now, (now) => pu.layer.send(now, s, enc("no-ack")));
  sim.command("pu", () => {});
  sim.runFor(100);
  assert.equal(pu.role.run(sim.now, (now) => pu.layer.failover(now, s, "Answers too slow")), true);
  sim.command("pu", () => {});
  sim.runFor(100);
  assert.deepEqual(seen, ["a", "b", "c"]);
  assert.equal(pu.layer.poolUser.stats().unreachableReports, 0); // asked for, not unreachable
  assert.deepEqual(pu.layer.unacknowledged(s).map((m) => dec(m.payload)), ["a", "c"]);
  const done = sim.events<SessionLayerEvent>("pu", "failover-complete")[0];
  assert.equal(done?.type === "failover-complete" && done.resent, 2);
  // The new PE got exactly a and c after the failover.
  const target = sim.events<SessionAcceptorEvent<Note>>("pe0", "data").length > 1 ? "pe1" : "pe0";
  const got = sim.events<SessionAcceptorEvent<Note>>(target, "data").map((e) =>
    e.type === "data" ? dec(e.payload) : ""
  );
  assert.deepEqual(got.slice(-2), ["a", "c"]);
});

test("SessionLayer: many sessions share one registrar association and the cache", () => {
  const { sim, endpoint } = world(8, 3);
  const pu = addSessionUser(sim, "pu", { registrars: [endpoint] }, () => noApp);
  const sessions = pu.role.run(
    sim.now,
    (now) => Array.from({ length: 30 }, () => pu.layer.open(now, "EchoPool")),
  );
  sim.command("pu", () => {});
  sim.runFor(500);
  assert.ok(sessions.every((s) => pu.layer.info(s)?.state === "established"));
  const stats = pu.layer.poolUser.stats();
  assert.equal(stats.requestsSent, 1); // one Handle Resolution filled the cache for all 30
  const perPe = new Map<bigint, number>();
  for (const s of sessions) {
    const id = pu.layer.info(s)!.poolElement!.id;
    perPe.set(id, (perPe.get(id) ?? 0) + 1);
  }
  assert.deepEqual([...perPe.values()].sort(), [10, 10, 10]); // round robin from the cache
  assert.equal(sim.events("pu", "pool-user").length, 1); // registrar-connected
});

test("SessionAcceptor: sessions beyond maxSessions are refused with Lack of Resources", () => {
  const sim = new Sim({ seed: 9 });
  const { endpoint } = addRegistrar(sim, "pr");
  const pe = addAcceptor<Note>(sim, "pe0", {
    poolHandle: "EchoPool",
    policy: RR,
    registrars: [endpoint],
    cookies: codecFor("EchoPool"),
    maxSessions: 2,
  }, (p) => echo(p));
  assert.ok(sim.runUntil(() => pe.pe.poolElement?.state === "registered", 10_000));
  const pu = addSessionUser(sim, "pu", { registrars: [endpoint], maxAttempts: 1 }, () => noApp);
  pu.role.run(sim.now, (now) => [1, 2, 3].map(() => pu.layer.open(now, "EchoPool")));
  sim.command("pu", () => {});
  sim.runFor(1000);
  assert.equal(pe.pe.stats().refused, 1);
  assert.equal(pe.pe.sessionCount, 2);
  const errors = sim.events<SessionLayerEvent>("pu", "peer-error");
  assert.equal(errors[0]?.type === "peer-error" && errors[0].cause, ErrorCause.LackOfResources);
  assert.deepEqual(types(sim.events("pe0", "session-opened")), [
    "session-opened",
    "session-opened",
  ]);
});

test("SessionLayer: a pool element that leaves with an orderly close is not waited for in the cache", () => {
  const { sim, endpoint, acceptors } = world(10, 1);
  const pu = addSessionUser(sim, "pu", { registrars: [endpoint] }, () => noApp); // cache 30 s
  const s = pu.role.run(sim.now, (now) => pu.layer.open(now, "EchoPool"));
  sim.command("pu", () => {});
  sim.runFor(100);
  assert.equal(pu.layer.info(s)?.state, "established");
  // A second PE joins after the cache was filled; then the first one shuts down (deregisters,
  // closes its sessions gracefully: the pool user does not report it, so it stays cached).
  const late = addAcceptor<Note>(sim, "late", {
    poolHandle: "EchoPool",
    policy: RR,
    registrars: [endpoint],
    cookies: codecFor("EchoPool"),
  }, (pe) => echo(pe));
  assert.ok(sim.runUntil(() => late.pe.poolElement?.state === "registered", 5000));
  const t0 = sim.now;
  acceptors[0]!.role.run(sim.now, (now) => acceptors[0]!.pe.shutdown(now));
  sim.command("pe0", () => {});
  assert.ok(sim.runUntil(() => sim.events("pu", "failover-complete").length > 0, 20_000));
  assert.ok(sim.now - t0 < 20, `failover took ${sim.now - t0} ms: ${show(sim.events("pu"))}`);
  assert.equal(pu.layer.info(s)?.poolElement?.id, late.pe.poolElement?.id);
  assert.equal(pu.layer.poolUser.stats().unreachableReports, 0);
});

test("SessionLayer: a message that every pool element closes the association over ends the session after maxAttempts associations", () => {
  const sim = new Sim({ seed: 10 });
  const { endpoint } = addRegistrar(sim, "pr");
  const received: string[] = [];
  const pes = Array.from({ length: 3 }, (_, i) =>
    addAcceptor<Note>(sim, `pe${i}`, {
      poolHandle: "EchoPool",
      policy: RR,
      registrars: [endpoint],
      cookies: codecFor("EchoPool"),
    }, (pe) => ({
      onEvent(now, e) {
        if (e.type !== "data") return;
        received.push(`pe${i}:${dec(e.payload)}`);
        // A request this pool element refuses: it closes the association (as the compute
        // service does with a unit it cannot decode).
        if (dec(e.payload) === "poison") pe.close(now, e.session, { reason: "Bad request" });
        else pe.send(now, e.session, e.payload, { ppid: e.ppid });
      },
    })));
  assert.ok(
    sim.runUntil(() => pes.every((a) => a.pe.poolElement?.state === "registered"), 10_000),
  );
  const pu = addSessionUser(
    sim,
    "pu",
    { registrars: [endpoint], maxAttempts: 4, avoidTime: 100 },
    () => noApp,
  );
  const s = pu.role.run(sim.now, (now) => pu.layer.open(now, "EchoPool"));
  pu.role.run(sim.now, (now) => pu.layer.send(now, s, enc("fine"), { ack: true }));
  pu.role.run(sim.now, (now) => pu.layer.send(now, s, enc("poison"), { ack: true }));
  sim.command("pu", () => {});
  sim.runFor(120_000);
  const closed = sim.events<SessionLayerEvent>("pu", "session-closed")[0];
  assert.ok(closed?.type === "session-closed", show(sim.events("pu", "failover-started")));
  assert.equal(closed.reason, "gave-up");
  assert.match(closed.detail, /^Message 1 was sent on 4 associations and each was lost/);
  assert.equal(received.filter((r) => r.endsWith(":poison")).length, 4);
  assert.equal(sim.events("pu", "failover-started").length, 3);
  assert.equal(pu.layer.sessionCount, 0);
});
