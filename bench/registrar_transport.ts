// Handle resolutions over SCTP over UDP against TCP, per runtime: the `registrar` CLI with
// `--transport auto` (it serves TCP and SCTP over UDP on the same port number) under Deno, Bun
// and Node in turn, driven by a separate load generator (bench/_transport_loadgen.ts, our own
// driver under Bun) over TCP and then over SCTP over UDP, C associations × W requests in flight.
// Handle resolutions/s with latency p50/p99 and the registrar's CPU time ("per core" = answers
// per registrar CPU second).
//
//   deno run --allow-all bench/registrar_transport.ts [--duration MS] [--warmup MS]
//     [--connections C] [--window W] [--runtimes deno,bun,node]
//
// Figures: bench/README.md, "Registrar over SCTP over UDP and TCP".

import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dirname!, "..");
const BIN = join(ROOT, "node_modules", ".bin");

function flag(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1]! : fallback;
}
const DURATION = Number(flag("duration", "5000"));
const WARMUP = Number(flag("warmup", "1000"));
const CONNECTIONS = Number(flag("connections", "8"));
const WINDOW = Number(flag("window", "32"));
const RUNTIMES = flag("runtimes", "deno,bun,node").split(",");
const CLK_TCK = 100;

interface Result {
  runtime: string;
  transport: string;
  perSecond: number;
  p50: number;
  p99: number;
  serverCpuSeconds: number;
  seconds: number;
  completed: number;
  failed: number;
  loadgenCpuSeconds: number;
}

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
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

async function drive(serverPid: number, transport: string, port: number) {
  const child = new Deno.Command(join(BIN, "bun"), {
    args: [
      join(ROOT, "bench", "_transport_loadgen.ts"),
      transport,
      `127.0.0.1:${port}`,
      String(CONNECTIONS),
      String(WINDOW),
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
  if (!status.success || result === undefined) {
    throw new Error(`load generator failed (${transport})`);
  }
  return { ...result, serverCpuSeconds: cpu1 - cpu0 };
}

async function bench(runtime: string, transport: string): Promise<Result> {
  const [cmd, args] = registrarCommand(runtime, [
    "--transport",
    "auto",
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
    "--keepalive-interval",
    "3600000",
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
    const r = await drive(child.pid, transport, await port);
    return { runtime, transport, ...r } as unknown as Result;
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await stderr;
  }
}

console.error(
  `${new Date().toISOString()}: ${cpus().length} CPUs (${cpus()[0]?.model}), load ${
    loadavg().map((l) => l.toFixed(2)).join(" ")
  }; ${CONNECTIONS} associations × ${WINDOW} in flight, warm-up ${WARMUP} ms, ${DURATION} ms measured`,
);
const results: Result[] = [];
for (const runtime of RUNTIMES) {
  for (const transport of ["tcp", "sctp-udp"]) {
    const r = await bench(runtime, transport);
    results.push(r);
    console.log(JSON.stringify(r));
  }
}
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(
  "\n| Registrar runtime | Transport | Resolutions/s | p50 ms | p99 ms | Server CPU s | Per server core/s | Load generator CPU s |",
);
console.log("|---|---|---:|---:|---:|---:|---:|---:|");
for (const r of results) {
  console.log(
    `| ${r.runtime} | ${r.transport} | ${fmt(r.perSecond)} | ${r.p50.toFixed(2)} | ${
      r.p99.toFixed(2)
    } | ${r.serverCpuSeconds.toFixed(2)} of ${r.seconds.toFixed(1)} | ${
      fmt(r.completed / r.serverCpuSeconds)
    } | ${r.loadgenCpuSeconds.toFixed(2)} |`,
  );
}
console.error(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
