// The simulated network itself: delivery order and latency, partitions and healing, crashes
// with and without reset, restarts, datagram loss, livelock detection, replay by seed.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim, simSeeds, withSeed } from "./_sim.ts";
import type {
  AssociationDown,
  AssociationId,
  AssociationInfo,
  Role,
  RoleAction,
  TransportAddress,
} from "../core/role.ts";

type Ev =
  | { type: "up"; assoc: AssociationId; listener: string | undefined }
  | { type: "message"; assoc: AssociationId; text: string }
  | { type: "down"; assoc: AssociationId; reason: string }
  | { type: "datagram"; from: string; text: string };

/** A scriptable role: records what happens, sends what it is told. */
class Probe implements Role<Ev> {
  readonly out: RoleAction[] = [];
  readonly events: Ev[] = [];
  wake: number | undefined = undefined;
  echo = false;
  handleAssociationUp(_now: number, assoc: AssociationId, info: AssociationInfo) {
    this.events.push({ type: "up", assoc, listener: info.listener });
  }
  handleMessage(_now: number, assoc: AssociationId, ppid: number, stream: number, p: Uint8Array) {
    const text = new TextDecoder().decode(p);
    this.events.push({ type: "message", assoc, text });
    if (this.echo) this.out.push({ type: "send", assoc, ppid, stream, payload: p });
  }
  handleAssociationDown(_now: number, assoc: AssociationId, down: AssociationDown) {
    this.events.push({ type: "down", assoc, reason: down.reason });
  }
  handleDatagram(_now: number, _channel: string, from: TransportAddress, p: Uint8Array) {
    this.events.push({ type: "datagram", from: from.address, text: new TextDecoder().decode(p) });
  }
  handleTimeout() {}
  pollTransmit() {
    return this.out.shift();
  }
  pollTimeout() {
    return this.wake;
  }
  pollEvent() {
    return this.events.length > 0 ? undefined : undefined;
  }
  send(assoc: AssociationId, text: string) {
    this.out.push({
      type: "send",
      assoc,
      ppid: 99,
      stream: 0,
      payload: new TextEncoder().encode(text),
    });
  }
}

function texts(p: Probe): string[] {
  return p.events.flatMap((e) => e.type === "message" ? [e.text] : []);
}

function pair(seed = 1, latency = 5) {
  const sim = new Sim({ seed, latency });
  const server = new Probe();
  server.echo = true;
  const client = new Probe();
  sim.addNode("server", server, { address: "10.0.0.1", listeners: { main: 80 } });
  sim.addNode("client", client, { address: "10.0.0.2" });
  return { sim, server, client };
}

test("Sim connects after a round trip and delivers messages in order with the link latency", () => {
  const { sim, server, client } = pair();
  sim.command("client", () => {
    client.out.push({ type: "connect", assoc: 1, endpoints: [{ address: "10.0.0.1", port: 80 }] });
    for (let i = 0; i < 5; i++) client.send(1, `m${i}`); // queued while connecting
  });
  sim.runFor(9);
  assert.equal(client.events.length, 0);
  sim.runFor(1);
  assert.deepEqual(client.events, [{ type: "up", assoc: 1, listener: undefined }]);
  assert.deepEqual(server.events[0], { type: "up", assoc: -1, listener: "main" });
  sim.runFor(100);
  assert.deepEqual(texts(client), ["m0", "m1", "m2", "m3", "m4"]);
  assert.equal(sim.node("client").sent, 5);
  assert.equal(sim.node("server").received, 5);
});

test("Sim refuses connects to a port nobody listens on and times out unreachable hosts", () => {
  const { sim, client } = pair();
  sim.command("client", () => {
    client.out.push({ type: "connect", assoc: 1, endpoints: [{ address: "10.0.0.1", port: 81 }] });
    client.out.push({ type: "connect", assoc: 2, endpoints: [{ address: "10.9.9.9", port: 80 }] });
  });
  sim.runFor(100);
  assert.deepEqual(client.events, [{ type: "down", assoc: 1, reason: "connect-failed" }]);
  sim.runFor(5000);
  assert.deepEqual(client.events[1], { type: "down", assoc: 2, reason: "connect-failed" });
});

test("Sim partitions kill associations after heartbeat interval + timeout unless healed", () => {
  const { sim, server, client } = pair();
  sim.command("client", () => {
    client.out.push({ type: "connect", assoc: 1, endpoints: [{ address: "10.0.0.1", port: 80 }] });
    client.out.push({ type: "connect", assoc: 2, endpoints: [{ address: "10.0.0.1", port: 80 }] });
  });
  sim.runFor(100);
  sim.partition(["client"], ["server"]);
  sim.command("client", () => client.send(1, "held"));
  sim.runFor(3000);
  assert.equal(server.events.filter((e) => e.type === "message").length, 0);
  sim.heal(["client"], ["server"]);
  sim.runFor(100);
  assert.deepEqual(texts(server), ["held"]);
  sim.partition(["client"], ["server"]);
  sim.runFor(4999);
  assert.equal(client.events.filter((e) => e.type === "down").length, 0);
  sim.runFor(1);
  assert.deepEqual(
    client.events.filter((e) => e.type === "down").map((e) => e.type === "down" && e.reason),
    ["peer-dead", "peer-dead"],
  );
  assert.equal(server.events.filter((e) => e.type === "down").length, 2);
});

test("Sim: an abort cannot cross a partition; the peer learns of it from its heartbeats", () => {
  const { sim, server, client } = pair();
  sim.command("client", () => {
    client.out.push({ type: "connect", assoc: 1, endpoints: [{ address: "10.0.0.1", port: 80 }] });
  });
  sim.runFor(100);
  sim.partition(["client"], ["server"]);
  sim.runFor(1000);
  sim.command("client", () => {
    client.out.push({ type: "close", assoc: 1, abort: true, reason: "gone" });
  });
  sim.runFor(10);
  assert.deepEqual(client.events.at(-1), { type: "down", assoc: 1, reason: "aborted" });
  assert.equal(server.events.filter((e) => e.type === "down").length, 0);
  sim.runFor(3989);
  assert.equal(server.events.filter((e) => e.type === "down").length, 0);
  sim.runFor(1); // 5 s after the partition began
  assert.deepEqual(server.events.at(-1), { type: "down", assoc: -1, reason: "peer-dead" });
});

test("Sim: lost association messages arrive after retransmissions, in order; too many kill the association", () => {
  const sim = new Sim({ seed: 5, latency: 1, messageLoss: 0.5 });
  const server = new Probe();
  const client = new Probe();
  sim.addNode("server", server, { address: "10.0.0.1", listeners: { main: 80 } });
  sim.addNode("client", client, { address: "10.0.0.2" });
  sim.command("client", () => {
    client.out.push({ type: "connect", assoc: 1, endpoints: [{ address: "10.0.0.1", port: 80 }] });
  });
  sim.runFor(100);
  for (let i = 0; i < 40; i++) sim.command("client", () => client.send(1, `m${i}`));
  sim.runFor(20);
  const early = texts(server).length;
  assert.ok(early > 0 && early < 40, `${early} arrived without retransmissions`);
  sim.runFor(10_000);
  const got = texts(server);
  // In order, without gaps, up to the message whose retransmissions outlasted the heartbeat.
  assert.deepEqual(got, got.map((_, i) => `m${i}`));
  if (got.length < 40) {
    assert.deepEqual(server.events.at(-1), { type: "down", assoc: -1, reason: "peer-dead" });
  }
});

test("Sim crashes: peers see a reset at once or a dead peer after the heartbeat timeout", () => {
  for (const reset of [true, false]) {
    const { sim, client } = pair();
    sim.command("client", () => {
      client.out.push({
        type: "connect",
        assoc: 1,
        endpoints: [{ address: "10.0.0.1", port: 80 }],
      });
    });
    sim.runFor(100);
    sim.crash("server", { reset });
    sim.runFor(reset ? 5 : 5000);
    assert.deepEqual(client.events.at(-1), {
      type: "down",
      assoc: 1,
      reason: reset ? "reset" : "peer-dead",
    });
    // Connects to the crashed node fail: at once with a reset, after the timeout otherwise.
    sim.command("client", () => {
      client.out.push({
        type: "connect",
        assoc: 2,
        endpoints: [{ address: "10.0.0.1", port: 80 }],
      });
    });
    sim.runFor(reset ? 10 : 5000);
    assert.deepEqual(client.events.at(-1), { type: "down", assoc: 2, reason: "connect-failed" });
    // A restarted node accepts again with its new role.
    const fresh = new Probe();
    sim.restart("server", fresh);
    sim.command("client", () => {
      client.out.push({
        type: "connect",
        assoc: 3,
        endpoints: [{ address: "10.0.0.1", port: 80 }],
      });
    });
    sim.runFor(20);
    assert.deepEqual(fresh.events, [{ type: "up", assoc: -1, listener: "main" }]);
  }
});

test("Sim delivers datagrams to multicast members and unicast targets, with loss", () => {
  const sim = new Sim({ seed: 3, datagramLoss: 0.5 });
  const sender = new Probe();
  sim.addNode("sender", sender, { channels: { ann: { port: 3863 } } });
  const members = [0, 1, 2].map((i) => {
    const p = new Probe();
    sim.addNode(`m${i}`, p, {
      channels: { ann: { port: 3863, join: i < 2 ? ["239.0.0.50"] : [] } },
    });
    return p;
  });
  sim.command("sender", () => {
    for (let i = 0; i < 200; i++) {
      sender.out.push({
        type: "datagram",
        channel: "ann",
        to: { address: "239.0.0.50", port: 3863 },
        payload: new Uint8Array([65]),
      });
    }
  });
  sim.runFor(100);
  for (const m of members.slice(0, 2)) {
    const n = m.events.length;
    assert.ok(n > 70 && n < 130, `${n} of 200 with 50 % loss`);
  }
  assert.equal(members[2]!.events.length, 0); // not a member
  assert.throws(
    () =>
      sim.command(
        "sender",
        () =>
          sender.out.push({
            type: "datagram",
            channel: "nope",
            to: { address: "10.0.0.1", port: 1 },
            payload: new Uint8Array(1),
          }),
      ),
    RangeError,
  );
});

test("Sim.drive() and driveBounded() fail on a livelock, naming the seed", () => {
  const sim = new Sim({ seed: 123, maxEventsPerInstant: 1000 });
  const busy = new Probe();
  busy.wake = 0; // wants a timeout "now", forever
  sim.addNode("busy", busy);
  assert.throws(() => sim.driveBounded(10_000), /livelock.*seed 123/);
});

test("withSeed() rethrows with the seed to replay, simSeeds() gives distinct seeds", () => {
  assert.throws(() => withSeed(77, () => assert.fail("boom")), /boom[\s\S]*SIM_SEED=77/);
  const seeds = simSeeds(5, 10);
  assert.ok(seeds.length === 5 || seeds.length === 1);
  // Same seed, same run.
  const runs = [1, 2].map(() => {
    const sim = new Sim({ seed: 9, datagramJitter: 5 });
    return [sim.random(), sim.fork().nextU32()];
  });
  assert.deepEqual(runs[0], runs[1]);
});
