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

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

const ROOT = join(import.meta.dirname!, "..");
const BIN = join(ROOT, "node_modules", ".bin");

function flag(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1]! : fallback;
}
const DURATION = Number(flag("duration", "10000"));
const WARMUP = Number(flag("warmup", "2000"));
const CONNECTIONS = Number(flag("connections", "8"));
const WINDOW = Number(flag("window", "32"));
const RUNTIMES = flag("runtimes", "deno,bun,node").split(",");
const ETCD = !Deno.args.includes("--no-etcd");
const CLK_TCK = 100;

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

/** utime + stime of a process (and its threads), in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
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

async function lines(
  stream: ReadableStream<Uint8Array>,
  each: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let partial = "";
  for await (const chunk of stream) {
    const parts = (partial + decoder.decode(chunk, { stream: true })).split("\n");
    partial = parts.pop()!;
    for (const l of parts) each(l);
  }
}

function registrarCommand(runtime: string, args: string[]): [string, string[]] {
  const file = join(ROOT, "adapters", "cli", "registrar.ts");
  if (runtime === "deno") return [join(BIN, "deno"), ["run", "--allow-net", file, ...args]];
  if (runtime === "bun") return [join(BIN, "bun"), [file, ...args]];
  return ["node", ["--import", "tsx", file, ...args]];
}

/** Runs the load generator against host:port; samples the server's CPU over the measured span. */
async function drive(
  serverPid: number,
  mode: string,
  port: number,
  connections: number,
  window: number,
) {
  const child = new Deno.Command(join(BIN, "bun"), {
    args: [
      join(ROOT, "bench", "_loadgen.ts"),
      mode,
      `127.0.0.1:${port}`,
      String(connections),
      String(window),
      String(WARMUP),
      String(DURATION),
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let cpu0 = 0, cpu1 = 0;
  let result: Record<string, number> | undefined;
  await lines(child.stdout, (line) => {
    const m = JSON.parse(line);
    if (m.phase === "measure") cpu0 = cpuSeconds(serverPid);
    if (m.phase === "result") {
      cpu1 = cpuSeconds(serverPid);
      result = m;
    }
  });
  const status = await child.status;
  if (!status.success || result === undefined) throw new Error(`load generator failed (${mode})`);
  return { ...result, serverCpuSeconds: cpu1 - cpu0 } as unknown as Omit<Result, "system" | "work">;
}

async function benchRegistrar(runtime: string, mode: "asap-hr" | "asap-reg"): Promise<Result> {
  const [cmd, args] = registrarCommand(runtime, [
    "--asap",
    "127.0.0.1:0",
    "--enrp",
    "off",
    "--announce",
    "off",
    "--log-level",
    "warn",
    "--log-format",
    "json",
    // Keep-alive exchanges are left out of the figure (one hour); with the default 5 s, 8000
    // registered PEs would add 1600 keep-alives and acks per second.
    "--keepalive-interval",
    "3600000",
    // Raw throughput: the per-association DoS limits (on by default) are lifted, as 8
    // connections carry the whole load here.
    "--max-hr-rate",
    "0",
    "--max-message-rate",
    "0",
    "--max-registrations-per-association",
    "0",
  ]);
  const child = new Deno.Command(cmd, { args, cwd: ROOT, stdout: "null", stderr: "piped" }).spawn();
  let started: (port: number) => void = () => {};
  const port = new Promise<number>((resolve) => (started = resolve));
  const stderr = lines(child.stderr, (line) => {
    if (!line.startsWith("{")) return;
    const m = JSON.parse(line);
    if (m.event === "started") started(Number(m.asap[0].split(":").at(-1)));
    else if (m.level === "error" || m.level === "warn") {
      console.error(`registrar/${runtime}: ${line}`);
    }
  });
  try {
    const r = await drive(child.pid, mode, await port, CONNECTIONS, WINDOW);
    return {
      system: `rserpool-ng registrar, ${runtime}`,
      work: mode === "asap-hr" ? "resolution" : "registration",
      ...r,
    };
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await stderr;
  }
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
