// Session failover time with real processes on loopback:
//   deno run --allow-all bench/session_failover.ts [--crashes 30] [--hangs 5]
// A registrar and compute pool elements run as separate Deno processes; this process holds one
// session that keeps a small request outstanding at all times (sent with ack, acknowledged by its
// answer). Each round kills the session's pool element:
//   - crash: SIGKILL (the kernel closes its sockets, the session sees the connection end);
//   - hang: SIGSTOP (the connection stays up; only the framing shim's heartbeats notice),
//     with the default heartbeats (2000 + 3000 ms) and with 250 + 250 ms.
// Failover time = from just before the signal to the `failover` event, i.e. the session has
// echoed its cookie and resent its unacknowledged request on the new pool element. A fresh
// pool element replaces each victim. Prints JSON lines and a summary; figures: bench/README.md,
// "Sessions and distributed computing".

import process from "node:process";
import { SessionClient } from "../adapters/session/session_client.ts";
import type { Session } from "../adapters/session/session_client.ts";
import {
  COMPUTE_PPID,
  decodeComputeMessage,
  encodeComputeMessage,
} from "../core/compute/compute_messages.ts";
import { type Proc, startComputePe, startRegistrar } from "../tests/e2e/_session_procs.ts";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const CRASHES = arg("crashes", 30);
const HANGS = arg("hangs", 5);

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** Keeps one small request outstanding on the session until stopped. */
function keepBusy(session: Session): () => void {
  let stop = false;
  let unit = 0;
  (async () => {
    while (!stop && session.state !== "closed") {
      const u = { type: "unit" as const, job: "ping", unit: unit++, from: 0, to: 1000 };
      const id = session.send(encodeComputeMessage(u), { ack: true, ppid: COMPUTE_PPID });
      for (;;) {
        const m = await session.receive();
        if (m === undefined) return;
        const r = decodeComputeMessage(m.payload);
        if (r.kind === "ok" && r.message.type === "result" && r.message.unit === u.unit) break;
      }
      session.acknowledge(id);
    }
  })();
  return () => (stop = true);
}

async function measure(
  mode: "crash" | "hang",
  rounds: number,
  heartbeat: { interval: number; timeout: number } | undefined,
): Promise<number[]> {
  const pr = await startRegistrar();
  const pes: { proc: Proc; id: string }[] = [];
  const stopped: Proc[] = [];
  for (let i = 0; i < 3; i++) pes.push(await startComputePe(pr.port, 1, 0));
  const client = await SessionClient.create({
    registrars: [`127.0.0.1:${pr.port}`],
    ...(heartbeat === undefined ? {} : {
      association: { heartbeatInterval: heartbeat.interval, heartbeatTimeout: heartbeat.timeout },
    }),
  });
  const samples: number[] = [];
  try {
    const session = await client.open("ComputePool");
    const stop = keepBusy(session);
    for (let round = 0; round < rounds; round++) {
      await new Promise((r) => setTimeout(r, 200));
      const current = session.poolElement!.id.toString();
      const victim = pes.find((p) => p.id === current)!;
      const done = new Promise<number>((resolve) => {
        const off = session.on("failover", () => {
          off();
          resolve(performance.now());
        });
      });
      const t0 = performance.now();
      victim.proc.signal(mode === "crash" ? "SIGKILL" : "SIGSTOP");
      const t1 = await done;
      samples.push(t1 - t0);
      console.log(JSON.stringify({ mode, heartbeat, round, failoverMs: +(t1 - t0).toFixed(2) }));
      pes.splice(pes.indexOf(victim), 1);
      if (mode === "hang") stopped.push(victim.proc);
      else await victim.proc.stop();
      pes.push(await startComputePe(pr.port, 1, 0));
    }
    stop();
    await session.close();
  } finally {
    await client.close();
    for (const p of [...pes.map((p) => p.proc), ...stopped]) await p.stop();
    await pr.proc.stop();
  }
  return samples;
}

const results: Record<string, number[]> = {};
results["crash (SIGKILL)"] = await measure("crash", CRASHES, undefined);
results["hang (SIGSTOP), heartbeat 2000 + 3000 ms"] = await measure("hang", HANGS, undefined);
results["hang (SIGSTOP), heartbeat 250 + 250 ms"] = await measure("hang", HANGS, {
  interval: 250,
  timeout: 250,
});
console.log("\n| Pool element failure | Rounds | p50 (ms) | p99 (ms) | max (ms) |");
console.log("|---|---:|---:|---:|---:|");
for (const [name, xs] of Object.entries(results)) {
  console.log(
    `| ${name} | ${xs.length} | ${percentile(xs, 50).toFixed(1)} | ${
      percentile(xs, 99).toFixed(1)
    } | ${Math.max(...xs).toFixed(1)} |`,
  );
}
