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

import { cpus, loadavg } from "node:os";
import { driveLoad, flag, withRegistrar } from "./_registrar_process.ts";

const DURATION = Number(flag("duration", "5000"));
const WARMUP = Number(flag("warmup", "1000"));
const CONNECTIONS = Number(flag("connections", "8"));
const WINDOW = Number(flag("window", "32"));
const RUNTIMES = flag("runtimes", "deno,bun,node").split(",");

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

async function bench(runtime: string, transport: string): Promise<Result> {
  return await withRegistrar(runtime, ["--transport", "auto"], async (pid, port) => ({
    runtime,
    transport,
    ...await driveLoad("_transport_loadgen.ts", pid, [
      transport,
      `127.0.0.1:${port}`,
      String(CONNECTIONS),
      String(WINDOW),
      String(WARMUP),
      String(DURATION),
    ]),
  } as unknown as Result));
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
