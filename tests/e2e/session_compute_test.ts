// The distributed-computing pool for real: the registrar CLI, three `server --compute` pool
// elements of capacities 1, 2 and 3 (separate Deno processes) and the compute-client under Deno,
// Bun and Node. The pool element with the most work is killed with SIGKILL in the middle of the job;
// the job still completes with the exact prime count, units in progress resume on other pool
// elements from their last cookie checkpoint, and no unit is counted twice. Forged and
// oversized cookies sent to a real pool element are refused and the pool element stays up.

import { test } from "node:test";
import assert from "node:assert/strict";
import { BIN, primesBelow, Proc, startComputePe, startRegistrar } from "./_session_procs.ts";
import { SessionClient } from "../../adapters/session/session_client.ts";
import { CookieCodec } from "../../core/session/cookie_codec.ts";
import {
  COMPUTE_PPID,
  decodeComputeMessage,
  encodeComputeMessage,
} from "../../core/compute/compute_messages.ts";

const TO = 24_000_000;
const UNITS = 24; // 1,000,000 numbers each
const RATE = 1_000_000; // numbers per second per slot: a unit takes 1 s
const EXPECTED = primesBelow(TO);

interface Report {
  complete: boolean;
  done: number;
  units: number;
  primes: number;
  duplicates: number;
  failovers: number;
  resumed: { unit: number; from: number; resumedFrom: number }[];
  perPoolElement: Record<string, number>;
}

const CLIENTS: Record<string, (args: string[]) => [string, string[]]> = {
  deno: (args) => [BIN("deno"), ["run", "--allow-net", "adapters/cli/compute_client.ts", ...args]],
  bun: (args) => [BIN("bun"), ["adapters/cli/compute_client.ts", ...args]],
  node: (args) => [BIN("tsx"), ["adapters/cli/compute_client.ts", ...args]],
};

for (const [runtime, command] of Object.entries(CLIENTS)) {
  test(`compute-client (${runtime}): kill -9 of a compute PE mid-job; the job completes exactly`, async () => {
    const pr = await startRegistrar();
    const pes = await Promise.all([1, 2, 3].map((c) => startComputePe(pr.port, c, RATE)));
    let client: Proc | undefined;
    try {
      const [cmd, args] = command([
        "--registrar",
        `127.0.0.1:${pr.port}`,
        "--to",
        String(TO),
        "--units",
        String(UNITS),
        "--sessions",
        "6",
        "--expect",
        String(EXPECTED),
      ]);
      client = new Proc(`compute-client (${runtime})`, cmd, args);
      // The capacity-3 PE serves about half of the sessions. Kill it 300 ms after it finished
      // its first unit: its slots are then in the middle of units with checkpoints.
      const victim = pes[2]!;
      await victim.proc.log("unit-done", 30_000);
      await new Promise((r) => setTimeout(r, 300));
      const doneBefore = victim.proc.logs("unit-done").length;
      victim.proc.signal("SIGKILL");
      const code = await client.exited;
      const report = client.json<Report>().at(-1);
      assert.equal(code, 0, client.stderr.join("\n"));
      assert.ok(report !== undefined);
      assert.equal(report.complete, true);
      assert.equal(report.primes, EXPECTED);
      assert.equal(report.done, UNITS);
      assert.equal(report.duplicates, 0);
      assert.ok(report.failovers >= 1, `failovers ${report.failovers}`);
      // Units in progress on the victim resumed elsewhere from their checkpoints.
      assert.ok(report.resumed.length >= 1, client.stderr.join("\n"));
      for (const r of report.resumed) assert.ok(r.resumedFrom > r.from);
      assert.ok(
        !Object.keys(report.perPoolElement).includes(victim.id) ||
          report.perPoolElement[victim.id]! <= doneBefore + 1,
      );
      // The survivors computed each resumed unit from its checkpoint, not from its start.
      const survivorsDone = pes.slice(0, 2).flatMap((p) => p.proc.logs("unit-done"))
        .filter((e) => e.resumedFrom !== undefined);
      assert.equal(survivorsDone.length, report.resumed.length);
      assert.ok(client.stderr.some((l) => l.includes("cookie echoed")));
    } finally {
      await client?.stop();
      for (const pe of pes) await pe.proc.stop();
      await pr.proc.stop();
    }
  });
}

test("compute PE process: forged and oversized cookies are refused, the PE keeps serving", async () => {
  const pr = await startRegistrar();
  const pe = await startComputePe(pr.port, 1, 0);
  const client = await SessionClient.create({
    registrars: [`127.0.0.1:${pr.port}`],
    maxAttempts: 1,
  });
  try {
    const codec = new CookieCodec({
      poolHandle: "ComputePool",
      keys: [{ id: 0, secret: new TextEncoder().encode("not the pool's key, an attacker's") }],
    });
    const forged = client.openNow("ComputePool", {
      cookie: codec.seal({
        v: 1,
        units: [{ job: "j", unit: 0, from: 0, to: 1000, next: 999, count: 1e9, sum: 1 }],
      }, Date.now()),
    });
    assert.equal((await forged.closed).reason, "cookie-rejected");
    const oversized = client.openNow("ComputePool", { cookie: new Uint8Array(20_000).fill(1) });
    const end = await oversized.closed;
    assert.equal(end.reason, "cookie-rejected");
    assert.match(end.detail, /Invalid Values/);
    const garbage = client.openNow("ComputePool", { cookie: Uint8Array.of(1, 0, 0) });
    assert.equal((await garbage.closed).reason, "cookie-rejected");
    await pe.proc.until(() => pe.proc.logs("cookie-rejected")[2]);
    const rejected = pe.proc.logs("cookie-rejected").map((e) => e.reason);
    assert.deepEqual(rejected, ["forged", "too-large", "malformed"]);
    // Still alive and computing.
    assert.ok(pe.proc.running);
    const s = await client.open("ComputePool");
    s.send(encodeComputeMessage({ type: "unit", job: "j", unit: 0, from: 0, to: 100_000 }), {
      ppid: COMPUTE_PPID,
    });
    const m = await s.receive();
    const r = decodeComputeMessage(m!.payload);
    assert.ok(r.kind === "ok" && r.message.type === "result");
    assert.equal(r.message.count, 9592);
  } finally {
    await client.close();
    await pe.proc.stop();
    await pr.proc.stop();
  }
});
