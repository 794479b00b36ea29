import { test } from "node:test";
import assert from "node:assert/strict";
import { createManagementApp, type ManagementAppOptions } from "./management_app.ts";
import { EventFeed } from "./event_feed.ts";
import { Registrar } from "../registrar/registrar.ts";
import { SeededRng } from "../rng.ts";
import { encodeMessage } from "../wire/wire_encoder.ts";
import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";

function registrarWith(handles: Uint8Array[]): Registrar {
  const pr = new Registrar({ rng: new SeededRng(2), id: 77n, announceTargets: [] });
  pr.handleAssociationUp(0, -1, {
    remote: { address: "127.0.0.1", port: 40000 },
    local: { address: "127.0.0.1", port: 3863 },
    peerMaxPayload: 65535,
    listener: "asap",
  });
  handles.forEach((poolHandle, i) => {
    pr.handleMessage(
      0,
      -1,
      0x4e474153,
      0,
      encodeMessage({
        type: "registration",
        poolHandle,
        poolElement: {
          id: BigInt(i + 1),
          homeRegistrarId: 0n,
          registrationLife: 90000,
          userTransport: {
            protocol: "tcp",
            port: 7,
            transportUse: "data",
            addresses: ["127.0.0.1"],
          },
          policy: policyParameter(PolicyType.LeastUsed, { load: 0 }),
        },
      }),
    );
  });
  while (pr.pollTransmit() !== undefined);
  while (pr.pollEvent() !== undefined);
  return pr;
}

function app(pr: Registrar, extra: Partial<ManagementAppOptions> = {}) {
  return createManagementApp({ registrar: pr, now: () => 0, wallClock: () => 0, ...extra });
}

test("createManagementApp() refuses host names that could be DNS rebinding, unless allowed", async () => {
  const pr = registrarWith([]);
  const r = await app(pr).request("http://evil.example:8080/v1/pools");
  assert.equal(r.status, 403);
  assert.equal((await r.json()).type, "urn:rserpool-ng:problem:forbidden-host");
  for (const host of ["127.0.0.1", "localhost", "[::1]"]) {
    assert.equal((await app(pr).request(`http://${host}:8080/v1/pools`)).status, 200, host);
  }
  const named = app(pr, { allowedHosts: ["pr1.example"] });
  assert.equal((await named.request("http://pr1.example/v1/pools")).status, 200);
  assert.equal((await named.request("http://pr2.example/v1/pools")).status, 403);
  assert.equal((await app(pr, { allowedHosts: ["*"] }).request("http://a.b/v1")).status, 200);
});

test("createManagementApp() finds pools by percent-encoded text with slashes and by hex", async () => {
  const slash = new TextEncoder().encode("a/b c");
  const binary = new Uint8Array([0, 0xff]);
  const pr = registrarWith([slash, binary]);
  const a = app(pr);
  const list = await (await a.request("http://127.0.0.1/v1/pools")).json();
  assert.deepEqual(list.items.map((p: { ref: string }) => p.ref), ["hex:00ff", "a%2Fb%20c"]);
  for (const p of list.items) {
    const r = await a.request(`http://127.0.0.1/v1/pools/${p.ref}`);
    assert.equal(r.status, 200, p.ref);
    assert.equal((await r.json()).poolHandleHex, p.poolHandleHex);
  }
  assert.equal((await a.request("http://127.0.0.1/v1/pools/a%2Fb%20c/pool-elements")).status, 200);
  assert.equal((await a.request(`http://127.0.0.1/v1/pools/hex:${"00".repeat(256)}`)).status, 400);
  assert.equal((await a.request("http://127.0.0.1/v1/pools/a%2Fb%20c/other")).status, 404);
});

test("createManagementApp() is not ready in the startup phase or when a condition says so", async () => {
  const pr = new Registrar({ rng: new SeededRng(1), announceTargets: [], startupPhase: 5000 });
  pr.handleTimeout(0);
  let ok = false;
  const a = app(pr, {
    ready: () => ({ ready: ok, reasons: ok ? [] : ["ASAP listener not bound"] }),
  });
  const r = await a.request("http://127.0.0.1/v1/ready");
  assert.equal(r.status, 503);
  assert.equal(
    (await r.json()).detail,
    "The registrar is in its startup phase; ASAP listener not bound",
  );
  pr.endStartupPhase(1);
  ok = true;
  assert.equal((await a.request("http://127.0.0.1/v1/ready")).status, 200);
  assert.equal((await a.request("http://127.0.0.1/v1/health")).status, 200);
});

test("createManagementApp() serves the dashboard page only when given one, with a strict CSP", async () => {
  const pr = registrarWith([]);
  assert.equal((await app(pr).request("http://127.0.0.1/")).status, 404);
  const r = await app(pr, { dashboard: "<!doctype html><p>hi" }).request("http://127.0.0.1/");
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "text/html; charset=utf-8");
  assert.match(r.headers.get("content-security-policy")!, /default-src 'none'/);
  assert.equal(await r.text(), "<!doctype html><p>hi");
});

test("createManagementApp() escapes pool handles in metric labels", async () => {
  const pr = registrarWith([new TextEncoder().encode('q"\\')]);
  const text = await (await app(pr).request("http://127.0.0.1/metrics")).text();
  assert.match(text, /^rserpool_pool_pool_elements\{pool="q\\"\\\\"\} 1$/m);
});

test("createManagementApp() without an event feed has no /v1/events", async () => {
  const r = await app(registrarWith([])).request("http://127.0.0.1/v1/events");
  assert.equal(r.status, 404);
});

test("createManagementApp() answers HEAD /v1/events without subscribing and caps the streams", async () => {
  const pr = registrarWith([]);
  const feed = new EventFeed({ registrarId: pr.id, wallClock: () => 0 });
  const a = app(pr, { feed, maxEventStreams: 2 });
  const head = await a.request("http://127.0.0.1/v1/events", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(feed.subscriberCount, 0);
  const s1 = await a.request("http://127.0.0.1/v1/events");
  const s2 = await a.request("http://127.0.0.1/v1/events");
  assert.equal(feed.subscriberCount, 2);
  const s3 = await a.request("http://127.0.0.1/v1/events");
  assert.equal(s3.status, 503);
  assert.equal((await s3.json()).type, "urn:rserpool-ng:problem:too-many-event-streams");
  await s1.body!.cancel();
  await s2.body!.cancel();
  assert.equal(feed.subscriberCount, 0);
});

test("createManagementApp() reports keep-alive timeouts and rate-limited requests by pool in /v1/stats and /metrics", async () => {
  const pool = new TextEncoder().encode("EchoPool");
  const pr = new Registrar({ rng: new SeededRng(2), id: 77n, announceTargets: [], maxHrRate: 1 });
  for (const assoc of [-1, -2]) {
    pr.handleAssociationUp(0, assoc, {
      remote: { address: "127.0.0.1", port: 40000 - assoc },
      local: { address: "127.0.0.1", port: 3863 },
      peerMaxPayload: 65535,
      listener: "asap",
    });
  }
  const send = (now: number, assoc: number, m: Parameters<typeof encodeMessage>[0]) => {
    pr.handleMessage(now, assoc, 0x4e474153, 0, encodeMessage(m));
    while (pr.pollTransmit() !== undefined);
    while (pr.pollEvent() !== undefined);
  };
  for (const id of [1n, 2n]) {
    send(0, -1, {
      type: "registration",
      poolHandle: pool,
      poolElement: {
        id,
        homeRegistrarId: 0n,
        registrationLife: 90000,
        userTransport: { protocol: "tcp", port: 7, transportUse: "data", addresses: ["127.0.0.1"] },
        policy: policyParameter(PolicyType.RoundRobin),
      },
    });
  }
  pr.handleTimeout(5000);
  send(6000, -1, { type: "endpoint-keep-alive-ack", poolHandle: pool, poolElementId: 2n });
  pr.handleTimeout(10000); // PE 1 missed its Keep-Alive Ack
  send(10000, -2, { type: "handle-resolution", poolHandle: pool });
  send(10000, -2, { type: "handle-resolution", poolHandle: pool }); // over 1 per second
  const a = app(pr);
  const stats = await (await a.request("http://127.0.0.1/v1/stats")).json();
  const item = stats.pools.items[0];
  assert.equal(item.poolHandle, "EchoPool");
  assert.equal(item.keepAliveTimeouts, 1);
  assert.equal(item.rateLimitedRequests, 1);
  assert.equal(item.handleResolutions, 1);
  assert.equal(stats.registrar.keepAliveTimeouts, 1);
  const text = await (await a.request("http://127.0.0.1/metrics")).text();
  assert.match(text, /^rserpool_pool_keep_alive_timeouts_total\{pool="EchoPool"\} 1$/m);
  assert.match(text, /^rserpool_pool_rate_limited_requests_total\{pool="EchoPool"\} 1$/m);
  assert.match(text, /^# TYPE rserpool_pool_keep_alive_timeouts_total counter$/m);
});
