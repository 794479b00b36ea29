// The roles over real sockets: a registrar, a pool element and a pool user, each on its own
// Driver with the runtime's TCP and UDP on loopback, the way the CLIs will run them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Driver } from "../../adapters/driver.ts";
import { currentRuntime } from "../../adapters/current.ts";
import { Registrar, type RegistrarEvent } from "../../core/registrar/mod.ts";
import { PoolElement, type PoolElementEvent } from "../../core/asap/pool_element.ts";
import { PoolUser, type PoolUserEvent } from "../../core/asap/pool_user.ts";
import { SeededRng } from "../../core/rng.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > ms) throw new Error("Timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("Registrar, PoolElement and PoolUser work over the driver on loopback", async () => {
  const runtime = await currentRuntime();
  const prEvents: RegistrarEvent[] = [];
  const registrar = new Registrar({ rng: new SeededRng(1), announceTargets: [] });
  const prDriver = new Driver(runtime, registrar, { onEvent: (e) => prEvents.push(e) });
  const { port } = await prDriver.listen("asap", { hostname: "127.0.0.1", port: 0 });
  await prDriver.listen("enrp", { hostname: "127.0.0.1", port: 0 });
  prDriver.flush();

  const peEvents: PoolElementEvent[] = [];
  const pe = new PoolElement({
    rng: new SeededRng(2),
    poolHandle: "EchoPool",
    policy: policyParameter(PolicyType.LeastUsed, { load: 1 }),
    userTransport: { protocol: "tcp", port: 7 },
    registrars: [{ address: "127.0.0.1", port }],
  });
  const peDriver = new Driver(runtime, pe, { onEvent: (e) => peEvents.push(e) });
  peDriver.flush();

  const puEvents: PoolUserEvent[] = [];
  const pu = new PoolUser({ rng: new SeededRng(3), registrars: [{ address: "127.0.0.1", port }] });
  const puDriver = new Driver(runtime, pu, { onEvent: (e) => puEvents.push(e) });
  try {
    await until(() => pe.state === "registered");
    puDriver.run((now) => pu.resolve(now, "EchoPool"));
    await until(() => puEvents.some((e) => e.type === "resolved"));
    const resolved = puEvents.find((e) => e.type === "resolved");
    assert.ok(resolved?.type === "resolved");
    assert.equal(resolved.poolElements[0]?.id, pe.id);
    assert.deepEqual(resolved.poolElements[0]?.userTransport.addresses, ["127.0.0.1"]);
    peDriver.run((now) => pe.updatePolicy(now, policyParameter(PolicyType.LeastUsed, { load: 9 })));
    await until(() => prEvents.some((e) => e.type === "re-registered"));
    // The PE's own event comes with the registrar's response: wait for it too, or under load the
    // shutdown below can overtake the response and the PE never reports the re-registration.
    await until(() => peEvents.some((e) => e.type === "re-registered"));
    peDriver.run((now) => pe.shutdown(now));
    await until(() => pe.state === "closed");
    await until(() => registrar.handlespace.size === 0);
    assert.deepEqual(prEvents.map((e) => e.type), ["registered", "re-registered", "deregistered"]);
    assert.deepEqual(peEvents.map((e) => e.type), [
      "registered",
      "re-registered",
      "deregistered",
      "closed",
    ]);
  } finally {
    await puDriver.close();
    await peDriver.close();
    await prDriver.close();
  }
});

test("A pool user finds the registrar from its Server Announces over UDP", async () => {
  const runtime = await currentRuntime();
  const puEvents: PoolUserEvent[] = [];
  const pu = new PoolUser({ rng: new SeededRng(4) });
  const puDriver = new Driver(runtime, pu, { onEvent: (e) => puEvents.push(e) });
  const channel = await puDriver.openChannel("asap-announce", { hostname: "127.0.0.1", port: 0 });
  const registrar = new Registrar({
    rng: new SeededRng(5),
    announceTargets: [channel],
    serverAnnounceCycle: 100,
  });
  const prDriver = new Driver(runtime, registrar);
  const { port } = await prDriver.listen("asap", { hostname: "127.0.0.1", port: 0 });
  await prDriver.openChannel("asap-announce", { hostname: "127.0.0.1", port: 0 });
  // The listener's port is known only now: announce it.
  prDriver.run(() => registrar.setAsapEndpoints([{ address: "127.0.0.1", port }]));
  try {
    puDriver.run((now) => pu.resolve(now, "NoSuchPool"));
    await until(() => puEvents.some((e) => e.type === "resolution-failed"));
    assert.deepEqual(puEvents.map((e) => e.type), ["registrar-connected", "resolution-failed"]);
    const connected = puEvents[0];
    assert.equal(connected?.type === "registrar-connected" && connected.registrarId, registrar.id);
    const failed = puEvents[1];
    assert.equal(failed?.type === "resolution-failed" && failed.reason, "unknown-pool");
  } finally {
    await puDriver.close();
    await prDriver.close();
  }
});
