// Session failover time with real processes on loopback (`deno task bench`, or
// `deno bench --allow-all bench/session_failover_bench.ts`).
//
// A registrar and three compute pool elements (`server --compute`) run as separate Deno
// processes; the bench process holds one session that keeps a small request outstanding at all
// times (sent with ack, acknowledged by its answer). Every iteration signals the session's pool
// element and times from just before the signal to the session's `failover` event, i.e. the
// Cookie Echo and the resent request are queued on the new pool element; a fresh pool element
// then replaces the victim (outside the timed part).
//   - crash: SIGKILL (the kernel closes its sockets, the session sees the connection end);
//   - hang: SIGSTOP (the connection stays up; only the framing shim's heartbeats notice it),
//     with heartbeats of 250 + 250 ms and with the defaults (2000 + 3000 ms).
// A crash failover slower than 2 s fails the benchmark: it would mean the connection's end went
// unnoticed and only the heartbeats found the dead pool element.
// Figures: bench/README.md, "Sessions and distributed computing".

import type { Session } from "../adapters/session/session_client.ts";
import { SessionClient } from "../adapters/session/session_client.ts";
import {
  COMPUTE_PPID,
  decodeComputeMessage,
  encodeComputeMessage,
} from "../core/compute/compute_messages.ts";
import { type Proc, startComputePe, startRegistrar } from "../tests/e2e/_session_procs.ts";
import { fixture, track, within } from "./_process_fixture.ts";

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

interface Rig {
  readonly registrarPort: number;
  readonly pes: { proc: Proc; id: string }[];
  /** Pool elements stopped with SIGSTOP (they stay until the fixture closes). */
  readonly stopped: Proc[];
  readonly session: Session;
}

async function startPe(port: number): Promise<{ proc: Proc; id: string }> {
  const pe = await startComputePe(port, 1, 0);
  track(pe.proc);
  return pe;
}

/** A registrar, three pool elements and a busy session. */
function rig(heartbeat?: { interval: number; timeout: number }): Promise<Rig> {
  const key = heartbeat === undefined ? "default" : `${heartbeat.interval}+${heartbeat.timeout}`;
  return fixture(`failover ${key}`, async () => {
    const pr = await startRegistrar();
    track(pr.proc);
    const pes: { proc: Proc; id: string }[] = [];
    const stopped: Proc[] = [];
    for (let i = 0; i < 3; i++) pes.push(await startPe(pr.port));
    const client = await SessionClient.create({
      registrars: [`127.0.0.1:${pr.port}`],
      ...(heartbeat === undefined ? {} : {
        association: { heartbeatInterval: heartbeat.interval, heartbeatTimeout: heartbeat.timeout },
      }),
    });
    const session = await client.open("ComputePool");
    const stop = keepBusy(session);
    return {
      value: { registrarPort: pr.port, pes, stopped, session },
      close: async () => {
        stop();
        await session.close();
        await client.close();
        for (const p of [...pes.map((p) => p.proc), ...stopped]) await p.stop();
        await pr.proc.stop();
      },
    };
  });
}

/** Signals the session's pool element and times the failover (b.start() … b.end()). */
async function failOnce(
  b: Deno.BenchContext,
  r: Rig,
  signal: "SIGKILL" | "SIGSTOP",
  limit: number,
): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 150)); // the session is busy again
  const current = r.session.poolElement?.id.toString();
  const victim = r.pes.find((p) => p.id === current);
  if (victim === undefined) throw new Error(`the session's pool element ${current} is not ours`);
  const done = new Promise<number>((resolve) => {
    const off = r.session.on("failover", () => {
      off();
      resolve(performance.now());
    });
  });
  const t0 = performance.now();
  b.start();
  victim.proc.signal(signal);
  const t1 = await within(done, 30_000, `failover after ${signal}`);
  b.end();
  if (t1 - t0 > limit) {
    throw new Error(`failover after ${signal} took ${(t1 - t0).toFixed(1)} ms (limit ${limit})`);
  }
  r.pes.splice(r.pes.indexOf(victim), 1);
  if (signal === "SIGKILL") await victim.proc.exited;
  else r.stopped.push(victim.proc);
  r.pes.push(await startPe(r.registrarPort));
}

Deno.bench({
  name: "crash: SIGKILL of the pool element",
  group: "failover",
  baseline: true,
  n: 20,
  warmup: 1,
}, async (b) => {
  await failOnce(b, await rig(), "SIGKILL", 2000);
});

Deno.bench({
  name: "hang: SIGSTOP, heartbeats 250 + 250 ms",
  group: "failover",
  n: 5,
  warmup: 1,
}, async (b) => {
  await failOnce(b, await rig({ interval: 250, timeout: 250 }), "SIGSTOP", 5_000);
});

Deno.bench({
  name: "hang: SIGSTOP, default heartbeats 2000 + 3000 ms",
  group: "failover",
  n: 2,
  warmup: 1,
}, async (b) => {
  await failOnce(b, await rig(), "SIGSTOP", 15_000);
});
