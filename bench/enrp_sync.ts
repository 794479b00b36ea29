// ENRP figures for bench/README.md "ENRP":
//
// 1. Full handlespace download (mentor synchronisation) between two registrars on loopback, each
//    on its own Driver (TCP with the framing shim): 10,000 and 100,000 PEs, pages of 128 PEs
//    (RSPLIB's default) and of as many PEs as fit into 65535 bytes.
// 2. Convergence after a partition heals (simulated network, 5 registrars, 1,000 PEs, virtual
//    time): until every registrar holds every PE with one agreed home and equal checksums.
// 3. Time from a registrar's crash until its PEs are taken over, as a function of the peer
//    timers (simulated network), next to the formula.
// 4. Full handlespace download between two registrar processes (the CLI under Deno): registrar 1
//    holds N PEs registered over TCP; registrar 2 starts with --peer and downloads them from its
//    mentor. Time from its mentor-selected to its mentor-sync-finished log line.
//
// Run: deno run --allow-all bench/enrp_sync.ts [--part 1|2|3|4] [--runs N]

import { Driver } from "../adapters/driver.ts";
import { currentRuntime } from "../adapters/current.ts";
import { Registrar, type RegistrarEvent } from "../core/registrar/mod.ts";
import { SeededRng } from "../core/rng.ts";
import { policyParameter, PolicyType } from "../core/wire/policy_parameter.ts";
import { asapPpid } from "../core/wire/profile.ts";
import { encodeMessage } from "../core/wire/wire_encoder.ts";
import { Cluster } from "../tests/enrp/_cluster.ts";
import { killAll, type Proc, startRegistrar } from "../tests/e2e/_procs.ts";
import { RawClient } from "../tests/e2e/_raw_client.ts";
import { encodeFrame, FrameType } from "../core/transport/frame.ts";
import { PPID_ASAP_NG } from "../core/wire/profile.ts";

function option(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i < 0 ? undefined : Deno.args[i + 1];
}
const part = option("part");
const runs = Number(option("runs") ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function until(condition: () => boolean, ms: number): Promise<void> {
  for (const end = performance.now() + ms; !condition();) {
    if (performance.now() > end) throw new Error("Timed out waiting");
    await new Promise((r) => setTimeout(r, 1));
  }
}

// ---- 1. full table download over loopback ----

/** A registrar owning `n` PEs in 100 pools, registered sans-IO over one (fake) association. */
function loaded(n: number, perPage: number): Registrar {
  const pr = new Registrar({
    rng: new SeededRng(1),
    id: 1n,
    announceTargets: [],
    keepAliveTransmissionInterval: 3_600_000, // the fake association never answers
    maxElementsPerHandleTableResponse: perPage,
    enrp: { presenceTargets: [], mentorDiscoveryTimeout: 0 },
  });
  const ppid = asapPpid("ng");
  pr.handleAssociationUp(0, -1_000_000, {
    remote: { address: "127.0.0.1", port: 40000 },
    local: { address: "127.0.0.1", port: 3863 },
    peerMaxPayload: 65535,
    listener: "asap",
  });
  const pools = Array.from({ length: 100 }, (_, i) => new TextEncoder().encode(`pool-${i}`));
  for (let i = 0; i < n; i++) {
    pr.handleMessage(
      0,
      -1_000_000,
      ppid,
      0,
      encodeMessage({
        type: "registration",
        poolHandle: pools[i % 100]!,
        poolElement: {
          id: BigInt(i + 1) * 0x9e3779b97f4a7c15n % 0xffffffffffffffffn + 1n,
          homeRegistrarId: 0n,
          registrationLife: 90000,
          userTransport: {
            protocol: "tcp",
            port: 7000 + (i % 1000),
            transportUse: "data",
            addresses: ["127.0.0.1"],
          },
          policy: policyParameter(PolicyType.LeastUsed, { load: i % 1000 }),
        },
      }),
    );
    while (pr.pollTransmit() !== undefined);
    while (pr.pollEvent() !== undefined);
  }
  return pr;
}

interface SyncResult {
  readonly ms: number;
  readonly pages: number;
}

async function download(a: Registrar, n: number): Promise<SyncResult> {
  const runtime = await currentRuntime();
  const da = new Driver(runtime, a);
  const ea = await da.listen("enrp", { hostname: "127.0.0.1", port: 0 });
  da.run(() => a.setEnrpEndpoint(ea));
  let finished = -1;
  const b = new Registrar({
    rng: new SeededRng(2),
    id: 2n,
    announceTargets: [],
    enrp: { presenceTargets: [], peers: [ea], mentorDiscoveryTimeout: 60_000 },
  });
  const start = performance.now();
  const db = new Driver(runtime, b, {
    onEvent: (e: RegistrarEvent) => {
      if (e.type === "mentor-sync-finished") finished = performance.now();
    },
  });
  try {
    const eb = await db.listen("enrp", { hostname: "127.0.0.1", port: 0 });
    db.run(() => b.setEnrpEndpoint(eb));
    await until(() => finished > 0, 60_000);
    if (b.handlespace.size !== n) throw new Error(`${b.handlespace.size} of ${n} PEs arrived`);
    if (b.handlespace.ownershipChecksum(1n) !== a.handlespace.ownershipChecksum(1n)) {
      throw new Error("checksums differ");
    }
    return { ms: finished - start, pages: b.stats().handleTableRequestsSent };
  } finally {
    await db.close();
    await da.close();
  }
}

async function partDownload(): Promise<void> {
  console.log("\n### Full handlespace download, two registrars on loopback\n");
  console.log("| PEs | PEs per page | pages | time (median of runs) | PEs/s |");
  console.log("|---:|---:|---:|---:|---:|");
  for (const n of [10_000, 100_000]) {
    for (const perPage of [128, 2000]) {
      const a = loaded(n, perPage);
      const times: number[] = [];
      let pages = 0;
      for (let r = 0; r < runs; r++) {
        const res = await download(a, n);
        times.push(res.ms);
        pages = res.pages;
      }
      const t = median(times);
      console.log(
        `| ${n.toLocaleString("en")} | ${
          perPage === 2000 ? "up to 65535 bytes" : perPage
        } | ${pages} | ${t.toFixed(0)} ms (${times.map((x) => x.toFixed(0)).join(", ")}) | ${
          Math.round(n / t * 1000).toLocaleString("en")
        } |`,
      );
    }
  }
}

// ---- 2. convergence after a partition heals (simulated) ----

function partHeal(): void {
  console.log(
    "\n### Convergence after a partition heals (simulated, 5 registrars, 1,000 PEs; 0.1 s steps)\n",
  );
  console.log("| partition | split | length | heal → converged (min / median / max over seeds) |");
  console.log("|---|---|---:|---:|");
  for (const kind of ["registrars only", "network (with PEs)"] as const) {
    for (const length of [10_000, 30_000]) {
      const times: number[] = [];
      for (let seed = 1; seed <= runs * 3; seed++) {
        const c = new Cluster({ seed, poolElements: 1000, poolUsers: 10, multicast: true });
        c.settle();
        const names = c.registrars.map((r) => r.name);
        if (kind === "registrars only") c.partition(names.slice(0, 2), names.slice(2));
        else {
          const a = new Set(names.slice(0, 2));
          for (const p of c.pes) if (c.sim.random() < 0.4) a.add(p.name);
          const all = [...names, ...c.pes.map((p) => p.name), ...c.pus.map((u) => u.name)];
          c.partition([...a], all.filter((x) => !a.has(x)));
        }
        c.sim.runFor(length);
        c.heal();
        const healed = c.sim.now;
        // The invariants cost a pass over every registrar's handlespace: checked every 100 ms of
        // virtual time (the figures' resolution), not after every simulated event.
        while (c.problems().length > 0 && c.sim.now - healed < 120_000) c.sim.runFor(100);
        times.push(c.sim.now - healed);
      }
      const s = [...times].sort((a, b) => a - b);
      console.log(
        `| ${kind} | 2 / 3 | ${length / 1000} s | ${(s[0]! / 1000).toFixed(2)} / ${
          (median(s) / 1000).toFixed(2)
        } / ${(s.at(-1)! / 1000).toFixed(2)} s |`,
      );
    }
  }
}

// ---- 3. crash to takeover (simulated), by timer settings ----

function partTakeover(): void {
  console.log(
    "\n### Registrar crash (host gone) → its PEs elsewhere (simulated, 3 registrars, 200 PEs)\n",
  );
  console.log(
    "| peerHeartbeatCycle | peerMaxTimeLastHeard | peerMaxTimeNoResponse | formula: dead peer handled | measured: peers done with it | measured: its PEs have a live home everywhere |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|");
  const settings = [
    [2444, 5000, 5000],
    [1000, 2000, 2000],
    [500, 1000, 1000],
    [250, 500, 500],
  ] as const;
  const span = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return `${(s[0]! / 1000).toFixed(2)} / ${(median(s) / 1000).toFixed(2)} / ${
      (s.at(-1)! / 1000).toFixed(2)
    } s`;
  };
  for (const [cycle, lastHeard, noResponse] of settings) {
    const handled: number[] = [], homed: number[] = [];
    for (let seed = 1; seed <= runs * 5; seed++) {
      const c = new Cluster({
        seed,
        registrars: 3,
        poolElements: 200,
        poolUsers: 0,
        latency: 1,
        multicast: false,
        enrp: {
          peerHeartbeatCycle: cycle,
          peerMaxTimeLastHeard: lastHeard,
          peerMaxTimeNoResponse: noResponse,
        },
      });
      c.settle();
      c.sim.runFor(c.sim.random() * 3000);
      const victim = c.registrars[0]!;
      c.crashRegistrar(0, false);
      const crashed = c.sim.now;
      const others = c.registrars.slice(1);
      let homedAt = -1;
      const gone = () => others.every((r) => !r.registrar.peers().some((p) => p.id === victim.id));
      c.sim.runUntil(() => {
        if (
          homedAt < 0 &&
          others.every((r) => r.registrar.handlespace.ownedCount(victim.id) === 0)
        ) homedAt = c.sim.now;
        return homedAt >= 0 && gone();
      }, 60_000);
      handled.push(c.sim.now - crashed);
      homed.push(homedAt - crashed);
    }
    const lo = lastHeard + noResponse - 1.125 * cycle, hi = lastHeard + noResponse;
    console.log(
      `| ${cycle} ms | ${lastHeard} ms | ${noResponse} ms | ${(lo / 1000).toFixed(2)}–${
        (hi / 1000).toFixed(2)
      } s | ${span(handled)} | ${span(homed)} |`,
    );
  }
}

// ---- 4. full table download between two registrar processes ----

function freePorts(n: number): number[] {
  const ls = Array.from({ length: n }, () => Deno.listen({ hostname: "127.0.0.1", port: 0 }));
  const ports = ls.map((l) => (l.addr as Deno.NetAddr).port);
  for (const l of ls) l.close();
  return ports;
}

/** Registers `n` PEs in 100 pools at the registrar on `asap` over one TCP association. */
async function register(asap: number, n: number): Promise<RawClient> {
  const client = await RawClient.connect(asap);
  client.hello();
  const pools = Array.from({ length: 100 }, (_, i) => new TextEncoder().encode(`pool-${i}`));
  const batch = 2000;
  let sent = 0;
  const answered = () => client.frames.filter((f) => f.type === FrameType.Data).length;
  while (sent < n) {
    const frames: Uint8Array[] = [];
    for (let i = sent; i < Math.min(n, sent + batch); i++) {
      const payload = encodeMessage({
        type: "registration",
        poolHandle: pools[i % 100]!,
        poolElement: {
          id: BigInt(i + 1) * 0x9e3779b97f4a7c15n % 0xffffffffffffffffn + 1n,
          homeRegistrarId: 0n,
          registrationLife: 3_600_000,
          userTransport: {
            protocol: "tcp",
            port: 7000 + (i % 1000),
            transportUse: "data",
            addresses: ["127.0.0.1"],
          },
          policy: policyParameter(PolicyType.LeastUsed, { load: i % 1000 }),
        },
      });
      frames.push(encodeFrame(FrameType.Data, 0, PPID_ASAP_NG, payload));
    }
    const size = frames.reduce((a, f) => a + f.length, 0);
    const all = new Uint8Array(size);
    let at = 0;
    for (const f of frames) (all.set(f, at), at += f.length);
    client.write(all);
    sent += frames.length;
    await until(() => answered() >= sent, 60_000);
  }
  return client;
}

async function partProcesses(): Promise<void> {
  console.log("\n### Full handlespace download between two registrar processes (CLI, Deno)\n");
  console.log("| PEs | PEs per page | mentor-selected → mentor-sync-finished (runs) | PEs/s |");
  console.log("|---:|---:|---:|---:|");
  for (const n of [10_000, 100_000]) {
    for (const perPage of [128, 2000]) {
      const times: number[] = [];
      for (let r = 0; r < runs; r++) {
        const [pa, pb] = freePorts(2) as [number, number];
        const peering = ["--keepalive-interval", "3600000", "--peer-heartbeat-cycle", "1000"];
        let client: RawClient | undefined;
        try {
          const a = await startRegistrar([
            "--id",
            "1",
            "--enrp",
            `127.0.0.1:${pa}`,
            "--peer",
            `127.0.0.1:${pb}`,
            "--mentor-discovery-timeout",
            "100",
            "--max-elements-per-table-request",
            String(perPage),
            ...peering,
          ]);
          await a.proc.waitForLog("startup-phase-ended");
          client = await register(a.asap, n);
          const b = await startRegistrar([
            "--id",
            "2",
            "--enrp",
            `127.0.0.1:${pb}`,
            "--peer",
            `127.0.0.1:${pa}`,
            "--mentor-discovery-timeout",
            "60000",
            ...peering,
          ]);
          const done = await b.proc.waitForLog("mentor-sync-finished", undefined, 60_000);
          if (done.poolElements !== n) {
            throw new Error(`${done.poolElements} of ${n} PEs arrived`);
          }
          const selected = b.proc.logs("mentor-selected")[0]!;
          times.push(Date.parse(done.time) - Date.parse(selected.time));
          await stop(b.proc);
          await stop(a.proc);
        } finally {
          client?.close();
          await killAll();
        }
      }
      const t = median(times);
      console.log(
        `| ${n.toLocaleString("en")} | ${perPage === 2000 ? "up to 65535 bytes" : perPage} | ${
          t.toFixed(0)
        } ms (${times.map((x) => x.toFixed(0)).join(", ")}) | ${
          Math.round(n / t * 1000).toLocaleString("en")
        } |`,
      );
    }
  }
}

async function stop(p: Proc): Promise<void> {
  p.kill("SIGTERM");
  await p.waitExit(30_000);
}

if (part === undefined || part === "1") await partDownload();
if (part === undefined || part === "2") partHeal();
if (part === undefined || part === "3") partTakeover();
if (part === undefined || part === "4") await partProcesses();
