// One registrar over TCP loopback, as users run it: the `registrar` CLI under Deno, Bun and
// Node in turn, driven by a separate load-generator process (bench/_loadgen.ts under Bun) with
// C connections × W requests in flight. Handle resolutions/s and registrations/s with latency
// p50/p99, and the registrar's own CPU time ("per core" = requests per registrar CPU second).
// Then etcd (Debian etcd-server, started here on loopback with a temporary data directory) doing
// the equivalent work through its JSON gateway: prefix get for resolution, lease-bound put for
// registration, with the same number of requests in flight.
//
//   deno run --allow-all bench/registrar_tcp.ts [--duration MS] [--warmup MS]
//     [--connections C] [--window W] [--runtimes deno,bun,node] [--no-etcd]
//
// Figures: bench/README.md, "Registrar over TCP loopback".

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { driveLoad, flag, withRegistrar } from "./_registrar_process.ts";

const DURATION = Number(flag("duration", "10000"));
const WARMUP = Number(flag("warmup", "2000"));
const CONNECTIONS = Number(flag("connections", "8"));
const WINDOW = Number(flag("window", "32"));
const RUNTIMES = flag("runtimes", "deno,bun,node").split(",");
const ETCD = !Deno.args.includes("--no-etcd");

interface Result {
  system: string;
  work: string;
  perSecond: number;
  p50: number;
  p99: number;
  serverCpuSeconds: number;
  seconds: number;
  completed: number;
  failed: number;
  loadgenCpuSeconds: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs the load generator against 127.0.0.1:port. */
function drive(serverPid: number, mode: string, port: number, connections: number, window: number) {
  return driveLoad("_loadgen.ts", serverPid, [
    mode,
    `127.0.0.1:${port}`,
    String(connections),
    String(window),
    String(WARMUP),
    String(DURATION),
  ]) as unknown as Promise<Omit<Result, "system" | "work">>;
}

async function benchRegistrar(runtime: string, mode: "asap-hr" | "asap-reg"): Promise<Result> {
  return await withRegistrar(runtime, [], async (pid, port) => ({
    system: `rserpool-ng registrar, ${runtime}`,
    work: mode === "asap-hr" ? "resolution" : "registration",
    ...await drive(pid, mode, port, CONNECTIONS, WINDOW),
  }));
}

async function etcdBinary(): Promise<string | undefined> {
  for (const p of ["/usr/bin/etcd", "/usr/local/bin/etcd"]) if (existsSync(p)) return p;
  if (process.getuid?.() !== 0) return undefined;
  console.error("installing etcd-server (apt-get) ...");
  const install = await new Deno.Command("apt-get", {
    args: ["install", "-y", "-qq", "etcd-server"],
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "null",
  }).output();
  return install.success && existsSync("/usr/bin/etcd") ? "/usr/bin/etcd" : undefined;
}

type EtcdMode = "etcd-range" | "etcd-put" | "etcd-grpc-range" | "etcd-grpc-put";

async function benchEtcd(etcd: string, mode: EtcdMode): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "rserpool-etcd-"));
  const client = await freePort(), peer = await freePort();
  const child = new Deno.Command(etcd, {
    args: [
      "--name",
      "bench",
      "--data-dir",
      dir,
      "--listen-client-urls",
      `http://127.0.0.1:${client}`,
      "--advertise-client-urls",
      `http://127.0.0.1:${client}`,
      "--listen-peer-urls",
      `http://127.0.0.1:${peer}`,
      "--initial-advertise-peer-urls",
      `http://127.0.0.1:${peer}`,
      "--initial-cluster",
      `bench=http://127.0.0.1:${peer}`,
      "--log-level",
      "error",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    for (let i = 0;; i++) {
      try {
        const r = await fetch(`http://127.0.0.1:${client}/health`);
        await r.arrayBuffer();
        if (r.ok) break;
      } catch { /* not yet */ }
      if (i > 200) throw new Error("etcd did not start");
      await new Promise((r) => setTimeout(r, 50));
    }
    // gRPC (HTTP/2) carries W calls in flight per connection as the shim does; HTTP/1.1 answers
    // one request at a time per connection, so the gateway gets C × W connections of one each.
    const grpc = mode.startsWith("etcd-grpc");
    const r = grpc
      ? await drive(child.pid, mode, client, CONNECTIONS, WINDOW)
      : await drive(child.pid, mode, client, CONNECTIONS * WINDOW, 1);
    return {
      system: `etcd 3.4 (${grpc ? "gRPC" : "JSON gateway"})`,
      work: mode.endsWith("range") ? "resolution" : "registration",
      ...r,
    };
  } finally {
    child.kill("SIGTERM");
    await child.status;
    rmSync(dir, { recursive: true, force: true });
  }
}

const results: Result[] = [];
console.error(
  `${new Date().toISOString()}: ${cpus().length} CPUs (${cpus()[0]?.model}), load ${
    loadavg().map((l) => l.toFixed(2)).join(" ")
  }; ` +
    `${CONNECTIONS} connections × ${WINDOW} in flight, warm-up ${WARMUP} ms, ${DURATION} ms measured`,
);
for (const runtime of RUNTIMES) {
  for (const mode of ["asap-hr", "asap-reg"] as const) {
    const r = await benchRegistrar(runtime, mode);
    results.push(r);
    console.log(JSON.stringify(r));
  }
}
if (ETCD) {
  const etcd = await etcdBinary();
  if (etcd === undefined) {
    console.error("etcd: not installed and cannot install it (not root); skipped");
  } else {
    for (const mode of ["etcd-grpc-range", "etcd-grpc-put", "etcd-range", "etcd-put"] as const) {
      const r = await benchEtcd(etcd, mode);
      results.push(r);
      console.log(JSON.stringify(r));
    }
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(
  "\n| System | Work | Requests/s | p50 ms | p99 ms | Server CPU s | Per server core/s |",
);
console.log("|---|---|---:|---:|---:|---:|---:|");
for (const r of results) {
  console.log(
    `| ${r.system} | ${r.work} | ${fmt(r.perSecond)} | ${r.p50.toFixed(2)} | ${
      r.p99.toFixed(2)
    } | ${r.serverCpuSeconds.toFixed(2)} of ${r.seconds.toFixed(1)} | ${
      fmt(r.completed / r.serverCpuSeconds)
    } |`,
  );
}
console.error(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
