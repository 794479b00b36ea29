import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim } from "../../tests/_sim.ts";
import {
  addAcceptor,
  addRegistrar,
  addSessionUser,
  codecFor,
  dec,
  enc,
} from "../../tests/session/_setup.ts";
import { SeededRng } from "../rng.ts";
import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
import { PPID_ASAP_NG, PPID_ENRP } from "../wire/profile.ts";
import { SessionAcceptor, type SessionAcceptorEvent } from "./session_acceptor.ts";
import { SessionLayer, type SessionLayerEvent } from "./session_layer.ts";
import { CookieCodec } from "./cookie_codec.ts";

const RR = policyParameter(PolicyType.RoundRobin);

function pool(seed: number) {
  const sim = new Sim({ seed });
  const { endpoint } = addRegistrar(sim, "pr");
  const pe = addAcceptor<{ n: number }>(sim, "pe", {
    poolHandle: "P",
    policy: RR,
    registrars: [endpoint],
    cookies: codecFor("P"),
  }, (acceptor) => ({
    onEvent(now, e: SessionAcceptorEvent<{ n: number }>) {
      if (e.type === "data") {
        acceptor.send(now, e.session, e.payload, { ppid: e.ppid, stream: e.stream });
      }
    },
  }));
  assert.ok(sim.runUntil(() => pe.pe.poolElement?.state === "registered", 10_000));
  const pu = addSessionUser(sim, "pu", { registrars: [endpoint], maxQueued: 3 }, () => ({
    onEvent() {},
  }));
  return { sim, pe, pu };
}

test("SessionLayer.send() refuses misuse with TypeError/RangeError, and closed sessions quietly", () => {
  const layer = new SessionLayer({ rng: new SeededRng(1) });
  const s = layer.open(0, "P");
  assert.throws(() => layer.send(0, s, "text" as unknown as Uint8Array), TypeError);
  assert.throws(() => layer.send(0, s, new Uint8Array(0)), RangeError);
  for (const ppid of [11, 12, 0x4e474153, 0x4e47454e, -1, 2 ** 32]) {
    assert.throws(() => layer.send(0, s, enc("x"), { ppid }), RangeError, `ppid ${ppid}`);
  }
  assert.throws(() => layer.send(0, s, enc("x"), { stream: 65536 }), RangeError);
  assert.throws(() => layer.open(0, ""), RangeError);
  assert.throws(() => new SessionLayer({ rng: new SeededRng(1), candidates: 0 }), RangeError);
  assert.throws(() => new SessionLayer({ rng: new SeededRng(1), maxRetryDelay: 1 }), RangeError);
  assert.equal(layer.send(0, 999, enc("x")), undefined);
  layer.close(0, s);
  assert.equal(layer.info(s), undefined);
  assert.equal(layer.send(0, s, enc("x")), undefined);
  const closed: SessionLayerEvent[] = [];
  for (let e = layer.pollEvent(); e !== undefined; e = layer.pollEvent()) closed.push(e);
  assert.deepEqual(closed.map((e) => e.type === "session-closed" && e.reason), ["closed"]);
});

test("SessionLayer queues data until established, in order, and refuses beyond maxQueued", () => {
  const { sim, pu } = pool(1);
  const s = pu.role.run(sim.now, (now) => pu.layer.open(now, "P"));
  const ids = pu.role.run(
    sim.now,
    (now) =>
      ["a", "b", "c", "d"].map((t) => pu.layer.send(now, s, enc(t), { ppid: 5, ack: t === "b" })),
  );
  assert.deepEqual(ids, [1, 2, 3, undefined]);
  assert.equal(pu.layer.info(s)?.queued, 3);
  sim.command("pu", () => {});
  sim.runFor(100);
  const echoed = sim.events<SessionLayerEvent>("pu", "data").map((e) =>
    e.type === "data" ? dec(e.payload) : ""
  );
  assert.deepEqual(echoed, ["a", "b", "c"]);
  assert.deepEqual(pu.layer.unacknowledged(s).map((m) => dec(m.payload)), ["b"]);
  assert.equal(pu.layer.info(s)?.queued, 0);
});

test("SessionLayer.close() of an established session delivers queued data and ends with session-closed", () => {
  const { sim, pe, pu } = pool(2);
  const s = pu.role.run(sim.now, (now) => pu.layer.open(now, "P"));
  sim.command("pu", () => {});
  sim.runFor(100);
  pu.role.run(sim.now, (now) => {
    pu.layer.send(now, s, enc("last words"), { ppid: 5 });
    pu.layer.close(now, s);
  });
  sim.command("pu", () => {});
  assert.equal(pu.layer.info(s)?.state, "closing");
  sim.runFor(100);
  const got = sim.events<SessionAcceptorEvent<unknown>>("pe", "data").map((e) =>
    e.type === "data" ? dec(e.payload) : ""
  );
  assert.deepEqual(got, ["last words"]);
  const closed = sim.events<SessionLayerEvent>("pu", "session-closed");
  assert.equal(closed.length, 1);
  assert.equal(pe.pe.sessionCount, 0);
  assert.equal(pu.layer.sessionCount, 0);
});

test("SessionLayer: ENRP or the other profile's ASAP on a session is an error, not data", () => {
  const { sim, pe, pu } = pool(3);
  const s = pu.role.run(sim.now, (now) => pu.layer.open(now, "P"));
  sim.command("pu", () => {});
  sim.runFor(100);
  const peAddress = sim.node("pe").address;
  const assoc = [...sim.node("pu").ends.values()].find((e) => e.remote.address === peAddress)!.id;
  sim.command("pu", (now) => {
    pu.role.handleMessage(now, assoc, PPID_ENRP, 0, enc("not data"));
    pu.role.handleMessage(now, assoc, 11, 0, enc("RFC ASAP on an NG session"));
    pu.role.handleMessage(now, assoc, 77, 3, enc("data"));
  });
  const events = sim.events<SessionLayerEvent>("pu").filter((e) =>
    e.type === "peer-error" || e.type === "data"
  );
  assert.deepEqual(events.map((e) => e.type), ["peer-error", "peer-error", "data"]);
  const data = events[2];
  assert.ok(data?.type === "data" && data.ppid === 77 && data.stream === 3);
  // And the acceptor refuses to send control PPIDs as data.
  assert.throws(() => pe.pe.send(sim.now, 1, enc("x"), { ppid: PPID_ENRP }), RangeError);
  assert.throws(() => pe.pe.send(sim.now, 1, enc("x"), { ppid: PPID_ASAP_NG }), RangeError);
  assert.equal(pu.layer.info(s)?.state, "established");
});

test("SessionAcceptor refuses a codec of another pool, a second port, and oversized states", () => {
  const codec = new CookieCodec<string>({
    poolHandle: "Other",
    keys: [{ id: 0, secret: enc("sixteen bytes ok") }],
    maxSize: 100,
  });
  assert.throws(
    () =>
      new SessionAcceptor({ rng: new SeededRng(1), poolHandle: "P", policy: RR, cookies: codec }),
    RangeError,
  );
  const mine = new CookieCodec<string>({
    poolHandle: "P",
    keys: [{ id: 0, secret: enc("sixteen bytes ok") }],
    maxSize: 100,
  });
  const a = new SessionAcceptor({
    rng: new SeededRng(1),
    poolHandle: "P",
    policy: RR,
    cookies: mine,
  });
  assert.equal(a.poolElement === undefined, true); // no port yet: no pool element
  a.listening(0, 7000);
  assert.equal(a.poolElement?.state, "hunting");
  assert.throws(() => a.listening(0, 7001), TypeError);
  a.handleAssociationUp(0, -1, {
    remote: { address: "10.0.0.9", port: 5000 },
    local: { address: "10.0.0.1", port: 7000 },
    peerMaxPayload: 65535,
    listener: "session",
  });
  assert.throws(() => a.sendCookie(0, 1, "x".repeat(200)), RangeError);
  assert.ok(a.sendCookie(0, 1, "small") > 0);
  assert.equal(a.sendCookie(0, 2, "no such session"), 0);
});
