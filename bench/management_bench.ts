// What management costs a registrar: the per-pool counter lookup on the hot path (an identity
// WeakMap, against the bare handle access as baseline), the handle resolution timer of
// adapters/management (two clock reads) against the bare registrar, event records published
// to the feed, and the read side: /metrics and a pool page for a registrar with 1000 pools of
// 10 PEs (served in-process through the app's fetch handler, no sockets).
// Run: deno task bench (or deno bench --allow-all bench/management_bench.ts). Figures: bench/README.md.

import { Registrar } from "../core/registrar/registrar.ts";
import { SeededRng } from "../core/rng.ts";
import { policyParameter, PolicyType } from "../core/wire/policy_parameter.ts";
import { encodeMessage } from "../core/wire/wire_encoder.ts";
import { createManagementApp } from "../core/management/management_app.ts";
import { EventFeed } from "../core/management/event_feed.ts";
import { HANDLE_RESOLUTION_BUCKETS, Histogram } from "../core/management/histogram.ts";
import { ResolutionTimer } from "../adapters/management/resolution_timer.ts";

const PPID = 0x4e474153;
const INFO = (port: number) => ({
  remote: { address: "127.0.0.1", port },
  local: { address: "127.0.0.1", port: 3863 },
  peerMaxPayload: 65535,
  listener: "asap",
});

function registrar(pools: number, perPool: number): Registrar {
  // The limits of one association (1000 resolutions, 5000 messages per second) are off, as in
  // registrar_bench.ts: the benchmarks call far faster from one association at a clock that
  // does not move, and the message limit would abort it ("no response").
  const pr = new Registrar({
    rng: new SeededRng(1),
    id: 7n,
    announceTargets: [],
    maxHrRate: 0,
    maxMessageRate: 0,
  });
  pr.handleAssociationUp(0, -1, INFO(40001));
  pr.handleAssociationUp(0, -2, INFO(40002));
  let id = 1n;
  for (let p = 0; p < pools; p++) {
    const poolHandle = new TextEncoder().encode(`Pool${p}`);
    for (let i = 0; i < perPool; i++) {
      pr.handleMessage(
        0,
        -1,
        PPID,
        0,
        encodeMessage({
          type: "registration",
          poolHandle,
          poolElement: {
            id: id++,
            homeRegistrarId: 0n,
            registrationLife: 90000,
            userTransport: {
              protocol: "tcp",
              port: 7,
              transportUse: "data",
              addresses: ["127.0.0.1"],
            },
            policy: policyParameter(PolicyType.LeastUsed, { load: i * 1000 }),
          },
        }),
      );
      while (pr.pollTransmit() !== undefined);
      while (pr.pollEvent() !== undefined);
    }
  }
  return pr;
}

{
  const handles = Array.from({ length: 1000 }, (_, i) => new TextEncoder().encode(`Pool${i}`));
  const counters = new WeakMap<Uint8Array, { n: number }>();
  for (const h of handles) counters.set(h, { n: 0 });
  let i = 0, total = 0;
  Deno.bench({
    name: "bare handle access",
    group: "per-pool counter",
    baseline: true,
    fn() {
      total += handles[i++ % 1000]!.length;
    },
  });
  Deno.bench({
    name: "WeakMap.get + increment (what each counted request adds)",
    group: "per-pool counter",
    fn() {
      counters.get(handles[i++ % 1000]!)!.n++;
    },
  });
}

{
  const request = encodeMessage({
    type: "handle-resolution",
    poolHandle: new TextEncoder().encode("Pool0"),
  });
  const bare = registrar(1, 10);
  const timed = new ResolutionTimer(
    registrar(1, 10),
    new Histogram(HANDLE_RESOLUTION_BUCKETS),
    () => performance.now(),
  );
  const timedAll = new ResolutionTimer(
    registrar(1, 10),
    new Histogram(HANDLE_RESOLUTION_BUCKETS),
    () => performance.now(),
    { sampleEvery: 1 },
  );
  Deno.bench({
    name: "registrar",
    group: "handle resolution, 10 PEs",
    baseline: true,
    fn() {
      bare.handleMessage(0, -2, PPID, 0, request);
      if (bare.pollTransmit() === undefined) throw new Error("no response");
    },
  });
  Deno.bench({
    name: "registrar in ResolutionTimer (1 in 8 timed, the default)",
    group: "handle resolution, 10 PEs",
    fn() {
      timed.handleMessage(0, -2, PPID, 0, request);
      if (timed.pollTransmit() === undefined) throw new Error("no response");
    },
  });
  Deno.bench({
    name: "registrar in ResolutionTimer (every one timed)",
    group: "handle resolution, 10 PEs",
    fn() {
      timedAll.handleMessage(0, -2, PPID, 0, request);
      if (timedAll.pollTransmit() === undefined) throw new Error("no response");
    },
  });
  let clockSink = 0;
  Deno.bench({
    name: "performance.now() (one clock read)",
    group: "clock",
    fn() {
      clockSink += performance.now();
    },
  });
}

{
  const event = {
    type: "registered",
    poolHandle: new TextEncoder().encode("EchoPool"),
    peId: 123456789n,
    assoc: -1,
  };
  const idle = new EventFeed({ registrarId: 7n, wallClock: () => 0 });
  const busy = new EventFeed({ registrarId: 7n, wallClock: () => 0 });
  let sink = 0;
  for (let i = 0; i < 10; i++) {
    busy.subscribe({ record: (r) => void (sink += r.seq), ping() {}, close() {} });
  }
  Deno.bench({
    name: "publish, no subscriber",
    group: "event feed",
    baseline: true,
    fn() {
      idle.publish(event);
    },
  });
  Deno.bench({
    name: "publish, 10 subscribers",
    group: "event feed",
    fn() {
      busy.publish(event);
    },
  });
}

{
  const pr = registrar(1000, 10);
  const app = createManagementApp({ registrar: pr, now: () => 0, wallClock: () => 0 });
  Deno.bench({
    name: "GET /metrics (1000 pools, 10000 PEs)",
    group: "read side",
    async fn() {
      await (await app.request("http://127.0.0.1/metrics")).text();
    },
  });
  Deno.bench({
    name: "GET /v1/pools?limit=1000",
    group: "read side",
    async fn() {
      await (await app.request("http://127.0.0.1/v1/pools?limit=1000")).text();
    },
  });
  Deno.bench({
    name: "GET /v1/pools/Pool500 (10 PEs)",
    group: "read side",
    async fn() {
      await (await app.request("http://127.0.0.1/v1/pools/Pool500")).text();
    },
  });
  Deno.bench({
    name: "GET /v1/pools/Pool500 as CBOR",
    group: "read side",
    async fn() {
      await (await app.request("http://127.0.0.1/v1/pools/Pool500", {
        headers: { accept: "application/cbor" },
      })).arrayBuffer();
    },
  });
}
