// deno-lint-ignore-file no-explicit-any -- the API's JSON bodies are read field by field
// The management conformance suite: the management app served by the runtime's own HTTP
// server (Deno.serve, Bun.serve, node:http) on a real loopback port, over a real Registrar run
// by the real Driver, with real PoolElement and PoolUser roles registering and resolving over
// TCP. `management_test.ts` runs it on the runtime executing it; scripts/test_all.mjs runs
// tests/runtime under Deno, Bun and Node.

import { test } from "node:test";
import assert from "node:assert/strict";
import { decode as decodeCbor } from "cbor-x/decode";
import { Driver } from "../../adapters/driver.ts";
import type { Runtime } from "../../adapters/runtime.ts";
import { ManagementServer } from "../../adapters/management/management_server.ts";
import { Registrar } from "../../core/registrar/registrar.ts";
import { PoolElement } from "../../core/asap/pool_element.ts";
import { PoolUser, type PoolUserEvent } from "../../core/asap/pool_user.ts";
import { SeededRng } from "../../core/rng.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";
import { type SseEvent, SseParser } from "../../core/management/sse_parser.ts";
import type { ManagementPeer } from "../../core/management/peer.ts";
import { parsePrometheus, sampleValue } from "./_prometheus.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`Timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

interface Setup {
  readonly runtime: Runtime;
  readonly registrar: Registrar;
  readonly management: ManagementServer;
  readonly url: string;
  readonly asapPort: number;
  readonly closers: (() => Promise<void>)[];
}

async function start(
  runtime: Runtime,
  extra: { peers?: () => ManagementPeer[]; eventCapacity?: number } = {},
): Promise<Setup> {
  const registrar = new Registrar({ rng: new SeededRng(11), id: 0x1234n, announceTargets: [] });
  const management = new ManagementServer({
    registrar,
    clock: runtime.now,
    name: "pr-test",
    resolutionSampleEvery: 1,
    ...(extra.peers === undefined ? {} : { peers: extra.peers }),
    ...(extra.eventCapacity === undefined ? {} : { eventCapacity: extra.eventCapacity }),
  });
  const driver = new Driver(runtime, management.role, {
    onEvent: (e) => management.publish(e),
  });
  const { port } = await driver.listen("asap", { hostname: "127.0.0.1", port: 0 });
  driver.flush();
  // The registrar starts at its first timer (armed at once by the driver).
  await waitFor(() => !registrar.inStartupPhase, 5000, "the registrar to start");
  const server = await management.listen({ hostname: "127.0.0.1", port: 0 });
  return {
    runtime,
    registrar,
    management,
    url: server.url,
    asapPort: port,
    closers: [() => management.close(), () => driver.close()],
  };
}

async function stop(s: Setup): Promise<void> {
  for (const close of s.closers.reverse()) await close();
}

async function addPe(
  s: Setup,
  poolHandle: string,
  load: number,
  seed: number,
): Promise<{ pe: PoolElement; driver: Driver<unknown> }> {
  const pe = new PoolElement({
    rng: new SeededRng(seed),
    poolHandle,
    policy: policyParameter(PolicyType.LeastUsed, { load }),
    userTransport: { protocol: "tcp", port: 7000 + seed },
    registrars: [{ address: "127.0.0.1", port: s.asapPort }],
  });
  const driver = new Driver<unknown>(s.runtime, pe as never);
  driver.flush();
  s.closers.push(() => driver.close());
  await waitFor(() => pe.state === "registered", 5000, `PE ${seed} to register`);
  return { pe, driver };
}

async function getJson(url: string): Promise<{ status: number; type: string; body: any }> {
  const r = await fetch(url);
  const type = r.headers.get("content-type") ?? "";
  return { status: r.status, type, body: await r.json() };
}

/** Follows /v1/events with fetch and the SSE parser. */
class EventStream {
  readonly events: SseEvent[] = [];
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #parser = new SseParser();
  #decoder = new TextDecoder();
  ended = false;
  #pump: Promise<void>;

  private constructor(reader: ReadableStreamDefaultReader<Uint8Array>) {
    this.#reader = reader;
    this.#pump = this.#run();
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
    const r = await fetch(url, { headers: { accept: "text/event-stream", ...headers } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "text/event-stream; charset=utf-8");
    return new EventStream(r.body!.getReader());
  }

  async #run(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.#reader.read();
        if (done) break;
        this.events.push(...this.#parser.push(this.#decoder.decode(value, { stream: true })));
      }
    } catch {
      // cancelled or cut
    }
    this.ended = true;
  }

  async next(event: string, ms = 5000): Promise<any> {
    let found: SseEvent | undefined;
    await waitFor(
      () => (found = this.events.find((e) => e.event === event)) !== undefined,
      ms,
      `event ${event}`,
    );
    this.events.splice(this.events.indexOf(found!), 1);
    return JSON.parse(found!.data);
  }

  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
    await this.#pump;
  }
}

/** Registers the suite's tests for one runtime adapter. */
export function managementSuite(runtime: Runtime): void {
  const on = `on ${runtime.name}`;

  test(`ManagementServer ${on} serves the registrar, health, readiness and the route index as JSON`, async () => {
    const s = await start(runtime);
    try {
      const reg = await getJson(`${s.url}/v1/registrar`);
      assert.equal(reg.status, 200);
      assert.equal(reg.type, "application/json");
      assert.equal(reg.body.id, String(0x1234));
      assert.equal(reg.body.name, "pr-test");
      assert.equal(reg.body.profile, "ng");
      assert.equal(reg.body.timers.keepAliveTimeout, 5000);
      assert.equal(reg.body.inStartupPhase, false);
      assert.ok(reg.body.uptimeSeconds >= 0 && reg.body.uptimeSeconds < 60);
      assert.equal(reg.body.ownershipChecksum, 0xffffffff); // no PEs
      const health = await getJson(`${s.url}/v1/health`);
      assert.deepEqual([health.status, health.body.status], [200, "ok"]);
      const ready = await getJson(`${s.url}/v1/ready`);
      assert.deepEqual([ready.status, ready.body.status], [200, "ready"]);
      const index = await getJson(`${s.url}/v1`);
      assert.ok(index.body.routes.includes("/metrics"));
      const head = await fetch(`${s.url}/v1/registrar`, { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(await head.text(), "");
    } finally {
      await stop(s);
    }
  });

  test(`ManagementServer ${on} shows a registered PE with its transport, policy, load and home registrar`, async () => {
    const s = await start(runtime);
    try {
      const { pe } = await addPe(s, "EchoPool", 0x40000000, 1);
      const pools = await getJson(`${s.url}/v1/pools`);
      assert.deepEqual(pools.body.items.map((p: any) => [p.poolHandle, p.policy, p.poolElements]), [
        ["EchoPool", "LeastUsed", 1],
      ]);
      assert.equal(pools.body.next, null);
      const pool = await getJson(`${s.url}/v1/pools/${pools.body.items[0].ref}`);
      assert.equal(pool.status, 200);
      const item = pool.body.elements.items[0];
      assert.equal(item.id, pe.id.toString());
      assert.deepEqual(item.userTransport, {
        protocol: "tcp",
        port: 7001,
        transportUse: "data",
        addresses: ["127.0.0.1"],
      });
      assert.equal(item.policy.type, "LeastUsed");
      assert.equal(item.policy.load, 0x40000000);
      assert.ok(Math.abs(item.policy.loadPercent - 25) < 0.001);
      assert.equal(item.homeRegistrarId, String(0x1234));
      assert.equal(item.ownedByThisRegistrar, true);
      assert.equal(item.registrationLife, 90000);
      assert.ok(item.lastUpdateAgeMs >= 0 && item.lastUpdateAgeMs < 10000);
      assert.ok(Math.abs(Date.parse(item.lastUpdate) - Date.now()) < 10000);
      assert.equal(pool.body.stats.registrations, 1);
      const hex = await getJson(`${s.url}/v1/pools/hex:${pools.body.items[0].poolHandleHex}`);
      assert.equal(hex.body.poolHandle, "EchoPool");
    } finally {
      await stop(s);
    }
  });

  test(`ManagementServer ${on} pages pools and pool elements with cursor and limit`, async () => {
    const s = await start(runtime);
    try {
      await addPe(s, "A", 1, 1);
      await addPe(s, "BB", 1, 2);
      await addPe(s, "BB", 2, 3);
      const p1 = await getJson(`${s.url}/v1/pools?limit=1`);
      assert.deepEqual(p1.body.items.map((p: any) => p.poolHandle), ["A"]);
      assert.equal(typeof p1.body.next, "string");
      const p2 = await getJson(`${s.url}/v1/pools?limit=1&cursor=${p1.body.next}`);
      assert.deepEqual(p2.body.items.map((p: any) => p.poolHandle), ["BB"]);
      assert.equal(p2.body.next, null);
      const e1 = await getJson(`${s.url}/v1/pools/BB/pool-elements?limit=1`);
      assert.equal(e1.body.items.length, 1);
      const e2 = await getJson(`${s.url}/v1/pools/BB/pool-elements?limit=1&cursor=${e1.body.next}`);
      assert.equal(e2.body.items.length, 1);
      assert.equal(e2.body.next, null);
      assert.ok(BigInt(e1.body.items[0].id) < BigInt(e2.body.items[0].id));
      const stats = await getJson(`${s.url}/v1/stats`);
      assert.equal(stats.body.registrar.registrations, 3);
      assert.deepEqual(
        stats.body.pools.items.map((p: any) => [p.poolHandle, p.registrations, p.poolElements]),
        [["A", 1, 1], ["BB", 2, 2]],
      );
    } finally {
      await stop(s);
    }
  });

  test(`ManagementServer ${on} answers in CBOR for Accept: application/cbor, identifiers as integers`, async () => {
    const s = await start(runtime);
    try {
      const { pe } = await addPe(s, "EchoPool", 0, 1);
      const r = await fetch(`${s.url}/v1/pools/EchoPool`, {
        headers: { accept: "application/cbor" },
      });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("content-type"), "application/cbor");
      assert.equal(r.headers.get("vary"), "accept");
      const body = decodeCbor(new Uint8Array(await r.arrayBuffer())) as any;
      const id = body.elements.items[0].id;
      assert.ok(typeof id === "bigint" || typeof id === "number");
      assert.equal(BigInt(id), pe.id);
      assert.equal(BigInt(body.elements.items[0].homeRegistrarId), 0x1234n);
      const json = await fetch(`${s.url}/v1/pools/EchoPool`, {
        headers: { accept: "application/cbor;q=0.5, application/json" },
      });
      assert.equal(json.headers.get("content-type"), "application/json");
    } finally {
      await stop(s);
    }
  });

  test(`ManagementServer ${on} reports errors as problem+json`, async () => {
    const s = await start(runtime);
    try {
      const cases: [string, RequestInit, number, string][] = [
        ["/v1/pools/NoSuchPool", {}, 404, "urn:rserpool-ng:problem:unknown-pool"],
        ["/v1/pools/hex:abc", {}, 400, "urn:rserpool-ng:problem:bad-pool-handle"],
        ["/v1/pools?limit=5000", {}, 400, "urn:rserpool-ng:problem:bad-query"],
        ["/v1/pools?cursor=zz", {}, 400, "urn:rserpool-ng:problem:bad-query"],
        [
          "/v1/pools",
          { headers: { accept: "text/html" } },
          406,
          "urn:rserpool-ng:problem:not-acceptable",
        ],
        ["/v1/pools", { method: "POST" }, 405, "urn:rserpool-ng:problem:read-only"],
        ["/v1/nothing", {}, 404, "urn:rserpool-ng:problem:not-found"],
        ["/v1/events?level=loud", {}, 400, "urn:rserpool-ng:problem:bad-query"],
      ];
      for (const [path, init, status, type] of cases) {
        const r = await fetch(`${s.url}${path}`, init);
        assert.equal(r.status, status, path);
        assert.equal(r.headers.get("content-type"), "application/problem+json", path);
        const p = await r.json();
        assert.equal(p.type, type, path);
        assert.equal(p.status, status, path);
        assert.equal(typeof p.title, "string");
        assert.equal(typeof p.detail, "string");
        if (status === 405) assert.equal(r.headers.get("allow"), "GET, HEAD");
      }
    } finally {
      await stop(s);
    }
  });

  test(`ManagementServer ${on} exposes Prometheus metrics with counters, per-pool series and the resolution histogram`, async () => {
    const s = await start(runtime);
    try {
      await addPe(s, "EchoPool", 0, 1);
      const puEvents: PoolUserEvent[] = [];
      const pu = new PoolUser({
        rng: new SeededRng(9),
        registrars: [{ address: "127.0.0.1", port: s.asapPort }],
        staleCacheValue: 0,
      });
      const puDriver = new Driver(runtime, pu, { onEvent: (e) => puEvents.push(e) });
      s.closers.push(() => puDriver.close());
      puDriver.run((now) => pu.resolve(now, "EchoPool"));
      puDriver.run((now) => pu.resolve(now, "NoSuchPool"));
      await waitFor(
        () =>
          puEvents.filter((e) => e.type === "resolved" || e.type === "resolution-failed").length ===
            2,
        5000,
        "two resolutions",
      );
      const r = await fetch(`${s.url}/metrics`);
      assert.equal(r.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
      const families = parsePrometheus(await r.text());
      assert.equal(families.get("rserpool_registrar_registrations_total")?.type, "counter");
      assert.equal(sampleValue(families, "rserpool_registrar_registrations_total"), 1);
      assert.equal(sampleValue(families, "rserpool_handle_resolutions_total", { result: "ok" }), 1);
      assert.equal(
        sampleValue(families, "rserpool_handle_resolutions_total", { result: "unknown-pool" }),
        1,
      );
      assert.equal(sampleValue(families, "rserpool_handlespace_pool_elements"), 1);
      assert.equal(sampleValue(families, "rserpool_pools"), 1);
      assert.equal(sampleValue(families, "rserpool_pool_pool_elements", { pool: "EchoPool" }), 1);
      assert.equal(
        sampleValue(families, "rserpool_pool_handle_resolutions_total", { pool: "EchoPool" }),
        1,
      );
      assert.equal(sampleValue(families, "rserpool_keep_alive_timeouts_total"), 0);
      assert.equal(
        sampleValue(families, "rserpool_rate_limited_requests_total", {
          kind: "handle-resolution",
        }),
        0,
      );
      assert.equal(
        sampleValue(families, "rserpool_registrar_info", { id: String(0x1234), profile: "ng" }),
        1,
      );
      const h = families.get("rserpool_handle_resolution_duration_seconds");
      assert.equal(h?.type, "histogram");
      assert.equal(sampleValue(families, "rserpool_handle_resolution_duration_seconds_count"), 2);
      const sum = sampleValue(families, "rserpool_handle_resolution_duration_seconds_sum")!;
      assert.ok(sum > 0 && sum < 1, `sum ${sum}`);
    } finally {
      await stop(s);
    }
  });

  test(`ManagementServer ${on} streams registered and deregistered events as PEs come and go`, async () => {
    const s = await start(runtime);
    const stream = await EventStream.open(`${s.url}/v1/events`);
    try {
      const hello = await stream.next("hello");
      assert.equal(hello.registrarId, String(0x1234));
      assert.ok(hello.events.split(",").includes("registered"));
      const { pe, driver } = await addPe(s, "EchoPool", 0, 1);
      const reg = await stream.next("registered");
      assert.equal(reg.event, "registered");
      assert.equal(reg.peId, pe.id.toString());
      assert.equal(reg.poolHandle, "EchoPool");
      assert.equal(reg.registrarId, String(0x1234));
      assert.equal(reg.level, "info");
      assert.equal(reg.message, `PE ${pe.id} registered in pool EchoPool`);
      assert.ok(Math.abs(Date.parse(reg.time) - Date.now()) < 10000);
      driver.run((now) => pe.shutdown(now));
      const dereg = await stream.next("deregistered");
      assert.equal(dereg.peId, pe.id.toString());
      assert.equal(dereg.seq, reg.seq + 1);
    } finally {
      await stream.close();
      await stop(s);
    }
    assert.equal(s.management.feed.subscriberCount, 0);
  });

  test(`ManagementServer ${on} resumes the event stream after Last-Event-ID and reports lost events`, async () => {
    const s = await start(runtime, { eventCapacity: 2 });
    try {
      for (let i = 1; i <= 4; i++) s.management.publish({ type: "startup-phase-ended" });
      const first = await EventStream.open(`${s.url}/v1/events`);
      const { streamId } = await first.next("hello");
      await first.close();
      const resumed = await EventStream.open(`${s.url}/v1/events`, {
        "last-event-id": `${streamId}-3`,
      });
      await resumed.next("hello");
      const r = await resumed.next("startup-phase-ended");
      assert.equal(r.seq, 4);
      assert.equal(resumed.events.length, 0);
      await resumed.close();
      // An id of another stream (the registrar restarted) replays everything still kept.
      const other = await EventStream.open(`${s.url}/v1/events`, { "last-event-id": "old.1-3" });
      await other.next("hello");
      assert.deepEqual(await other.next("gap"), { missed: 2 });
      await other.close();
      const all = await EventStream.open(`${s.url}/v1/events?since=0`);
      await all.next("hello");
      assert.deepEqual(await all.next("gap"), { missed: 2 });
      assert.equal((await all.next("startup-phase-ended")).seq, 3);
      assert.equal((await all.next("startup-phase-ended")).seq, 4);
      await all.close();
    } finally {
      await stop(s);
    }
  });

  test(`ManagementServer ${on} ends open event streams and stops serving on close()`, async () => {
    const s = await start(runtime);
    const stream = await EventStream.open(`${s.url}/v1/events`);
    await stream.next("hello");
    assert.equal(s.management.feed.subscriberCount, 1);
    await s.management.close();
    await waitFor(() => stream.ended, 5000, "the stream to end");
    await assert.rejects(fetch(`${s.url}/v1/health`));
    await stop(s);
  });

  test(`ManagementServer ${on} lists ENRP peers with their checksum in sync or not`, async () => {
    const peers: ManagementPeer[] = [];
    const s = await start(runtime, { peers: () => peers });
    try {
      assert.deepEqual((await getJson(`${s.url}/v1/peers`)).body, { items: [] });
      peers.push(
        {
          id: 7n,
          addresses: [{ address: "127.0.0.1", port: 9901 }],
          lastHeard: s.runtime.now(),
          reportedChecksum: 0xffffffff,
          status: "active",
        },
        {
          id: 8n,
          addresses: [{ address: "::1", port: 9901 }],
          lastHeard: undefined,
          reportedChecksum: 0x1234,
          status: "unreachable",
        },
      );
      const body = (await getJson(`${s.url}/v1/peers`)).body;
      assert.deepEqual(body.items.map((p: any) => [p.id, p.inSync, p.status, p.addresses[0]]), [
        ["7", true, "active", "127.0.0.1:9901"],
        ["8", false, "unreachable", "[::1]:9901"],
      ]);
      assert.equal(body.items[1].lastHeard, null);
      const families = parsePrometheus(await (await fetch(`${s.url}/metrics`)).text());
      assert.equal(sampleValue(families, "rserpool_peers", { status: "active" }), 1);
      assert.equal(sampleValue(families, "rserpool_peer_checksum_in_sync", { peer: "8" }), 0);
    } finally {
      await stop(s);
    }
  });
}
