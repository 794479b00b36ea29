// ENRP with real processes on loopback: three registrar processes peered by --peer, 200 PEs
// (one helper process hosting them, each PE picking its registrar at random) spread over them.
// All three must agree on the handlespace (per-owner checksums from hsdump). Then one registrar
// is killed with SIGKILL while the PEs cannot react yet (their host is frozen with SIGSTOP, as
// PEs that have not noticed the death): exactly one survivor takes its PEs over, pool users
// still resolve every PE at both survivors, and once the PEs run again they re-home at the
// survivors with nothing lost. A fourth registrar started later downloads the handlespace from
// its mentor and reaches the same checksums. Also: registrars finding each other by multicast
// Presence alone (--enrp-announce), and README's three-registrar example run as written.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import process from "node:process";
import { currentRuntime } from "../../adapters/current.ts";
import { Driver } from "../../adapters/driver.ts";
import { PoolUser, type PoolUserEvent } from "../../core/asap/pool_user.ts";
import { SeededRng } from "../../core/rng.ts";
import {
  hsdump,
  type HsdumpJson,
  killAll,
  type LogLine,
  Proc,
  ROOT,
  start,
  startRegistrar,
  until,
} from "./_procs.ts";

const PES = 200;
const POOL = "EnrpPool";
const CYCLE = 300, LAST_HEARD = 800, NO_RESPONSE = 800, EXPIRY = 1000, MENTOR = 1000;
const TIMERS = [
  "--peer-heartbeat-cycle",
  String(CYCLE),
  "--peer-max-time-last-heard",
  String(LAST_HEARD),
  "--peer-max-time-no-response",
  String(NO_RESPONSE),
  "--takeover-expiry",
  String(EXPIRY),
  "--mentor-discovery-timeout",
  String(MENTOR),
  // The 200 PEs share one host (127.0.0.1): about 70 associations per registrar, over the
  // default limit of 64 per source address, which is lifted here.
  "--max-associations-per-address",
  "0",
];

/** Ports free right now on 127.0.0.1 (the registrars name each other before they start). */
function freePorts(n: number): number[] {
  const listeners = Array.from(
    { length: n },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  for (const l of listeners) l.close();
  return ports;
}

type Started = Awaited<ReturnType<typeof startRegistrar>>;

/** The per-owner view hsdump prints: owner id → "count/checksum". */
function owners(d: HsdumpJson): Map<string, string> {
  return new Map(d.owners.map((o) => [o.registrarId, `${o.poolElements}/${o.checksum}`]));
}

/**
 * Waits until every registrar's hsdump shows `PES` PEs, owned only by `homes`, with the same
 * per-owner counts and checksums everywhere; returns the dumps.
 */
async function converged(
  registrars: readonly Started[],
  homes: readonly string[],
  ms: number,
): Promise<HsdumpJson[]> {
  const start = Date.now();
  let last = "";
  for (;;) {
    const dumps = await Promise.all(registrars.map((r) => hsdump(r.enrp)));
    const views = dumps.map((d) => JSON.stringify([...owners(d)].sort()));
    const ok = dumps.every((d) =>
      d.poolElements === PES && d.checksum.consistent &&
      d.owners.every((o) => homes.includes(o.registrarId))
    ) && views.every((v) => v === views[0]);
    if (ok) return dumps;
    last = dumps.map((d, i) => `${d.registrar.id}: ${d.poolElements} PEs, owners ${views[i]}`)
      .join("\n");
    if (Date.now() - start > ms) {
      throw new Error(`the registrars did not converge within ${ms} ms:\n${last}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Resolves the pool at a registrar with an in-process PoolUser; returns the PE ids. */
async function resolveAt(port: number, items = 32): Promise<string[]> {
  const events: PoolUserEvent[] = [];
  const pu = new PoolUser({
    rng: new SeededRng(port),
    registrars: [{ address: "127.0.0.1", port }],
  });
  const driver = new Driver(await currentRuntime(), pu, { onEvent: (e) => events.push(e) });
  try {
    driver.run((now) => pu.resolve(now, POOL, { items }));
    await until(
      () => events.some((e) => e.type === "resolved" || e.type === "resolution-failed"),
      10000,
      `a handle resolution at 127.0.0.1:${port}`,
    );
    const r = events.find((e) => e.type === "resolved");
    if (r?.type !== "resolved") {
      assert.fail(`resolution at ${port} failed: ${events.map((e) => e.type).join(", ")}`);
    }
    return r.poolElements.map((pe) => pe.id.toString());
  } finally {
    await driver.close();
  }
}

/** The helper process hosting the PEs (tests/e2e/_pe_host.ts). */
function startPeHost(asapPorts: readonly number[], count = PES): Proc {
  const child = new Deno.Command(join(ROOT, "node_modules", ".bin", "deno"), {
    args: [
      "run",
      "--allow-all",
      join(ROOT, "tests", "e2e", "_pe_host.ts"),
      "--registrars",
      asapPorts.map((p) => `127.0.0.1:${p}`).join(","),
      "--count",
      String(count),
      "--pool",
      POOL,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1", PE_HOST_SEED: "5353", PATH: process.env.PATH ?? "" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return new Proc("pe-host", child);
}

test("ENRP with real registrar processes: 200 PEs converge at three peers, kill -9 of one is taken over once and its PEs re-home, a fourth registrar syncs from a mentor", async () => {
  try {
    const [e1, e2, e3, e4] = freePorts(4) as [number, number, number, number];
    const enrp = (p: number) => `127.0.0.1:${p}`;
    const peersOf = (own: number) =>
      [e1, e2, e3].filter((p) => p !== own).flatMap((p) => ["--peer", enrp(p)]);
    // Identifiers 1..3 for readable logs; registrar 2 dies.
    const registrars = await Promise.all(
      [e1, e2, e3].map((port, i) =>
        startRegistrar(["--id", String(i + 1), "--enrp", enrp(port), ...peersOf(port), ...TIMERS])
      ),
    );
    const [r1, r2, r3] = registrars as [Started, Started, Started];
    for (const r of registrars) {
      await r.proc.waitForLog("startup-phase-ended", undefined, MENTOR + 10000);
      for (const other of registrars) {
        if (other === r) continue;
        const id = other.proc.logs("started")[0]!.id;
        await r.proc.waitForLog("peer-up", (l) => l.peerId === id, 10000);
      }
    }

    // 200 PEs, each registering at one of the three (random start of the registrar hunt).
    const host = startPeHost([r1.asap, r2.asap, r3.asap]);
    await until(() => host.stdout.includes('"type":"ready"'), 30000, `${PES} PEs registered`);
    let dumps = await converged(registrars, ["1", "2", "3"], 15000);
    const before = owners(dumps[0]!);
    assert.equal(before.size, 3, `PEs spread over the three registrars: ${[...before]}`);
    const victimShare = Number(before.get("2")!.split("/")[0]);
    assert.ok(victimShare > 0);
    // hsdump's peer table: every registrar lists the two others, with the same per-owner sums.
    for (const d of dumps) {
      assert.deepEqual(d.peers.map((p) => p.registrarId).sort(), ["1", "2", "3"]);
      for (const p of d.peers) {
        assert.equal(`${p.poolElements}/${p.checksum}`, before.get(p.registrarId));
      }
    }

    // Registrar 2 dies while the PEs cannot react (they notice only once thawed).
    host.kill("SIGSTOP");
    const killedAt = Date.now();
    r2.proc.kill("SIGKILL");
    await r2.proc.exited;
    const survivors = [r1, r3];
    const isTarget = (l: LogLine) => l.targetId === "2";
    await until(
      () => survivors.some((r) => r.proc.logs("takeover-completed").some(isTarget)),
      LAST_HEARD + NO_RESPONSE + EXPIRY + CYCLE * 2 + 5000,
      "a takeover of registrar 2",
    );
    const tookOver = Date.now() - killedAt;
    const winners = survivors.filter((r) => r.proc.logs("takeover-completed").some(isTarget));
    assert.equal(winners.length, 1, "exactly one survivor takes over");
    const winner = winners[0]!, loser = survivors.find((r) => r !== winner)!;
    const completed = winner.proc.logs("takeover-completed").find(isTarget)!;
    assert.equal(completed.poolElements, victimShare);
    const winnerId = winner.proc.logs("started")[0]!.id as string;
    const moved = await loser.proc.waitForLog("taken-over-by-peer", isTarget, 5000);
    assert.equal(moved.byId, winnerId);
    assert.equal(moved.poolElements, victimShare);
    // Pool users still resolve at both survivors while the PEs are frozen, the dead registrar's
    // PEs among them (128 of the 200 per answer). The freeze stays short: a frozen PE's
    // association dies after 3-5 s of silence (the shim's heartbeat).
    const victims = new Set(
      dumps[0]!.pools.flatMap((p) =>
        p.poolElements.filter((pe) => pe.homeRegistrarId === "2").map((pe) => pe.id)
      ),
    );
    assert.equal(victims.size, victimShare);
    for (const r of survivors) {
      // Round robin: each answer of 128 starts where the last one ended, so a few answers
      // cover the pool (the first 128 may all be other registrars' PEs).
      const seen = new Set<string>();
      for (let i = 0; i < 4 && ![...seen].some((id) => victims.has(id)); i++) {
        const resolved = await resolveAt(r.asap, 128);
        assert.equal(resolved.length, 128);
        for (const id of resolved) seen.add(id);
      }
      assert.ok([...seen].some((id) => victims.has(id)), "the dead registrar's PEs resolve");
    }

    // The PEs run again, notice their home is gone and register at a survivor: nothing lost.
    host.kill("SIGCONT");
    await until(
      () => (host.stdout.match(/"type":"registered"/g) ?? []).length >= PES + victimShare,
      15000,
      "the dead registrar's PEs registering again",
    );
    dumps = await converged(survivors, ["1", "3"], 15000);
    for (const d of dumps) assert.ok(d.owners.every((o) => o.live));
    const ids = new Set(dumps[0]!.pools.flatMap((p) => p.poolElements.map((pe) => pe.id)));
    assert.equal(ids.size, PES);
    const resolved = await resolveAt(winner.asap);
    for (const id of resolved) assert.ok(ids.has(id), `resolved PE ${id} is in the handlespace`);

    // A fourth registrar, told only about registrar 1, syncs from its mentor and joins.
    const r4 = await startRegistrar([
      "--id",
      "4",
      "--enrp",
      enrp(e4),
      "--peer",
      enrp(e1),
      ...TIMERS,
    ]);
    const sync = await r4.proc.waitForLog("mentor-sync-finished", undefined, MENTOR + 10000);
    assert.equal(sync.peerId, "1");
    assert.equal(sync.poolElements, PES);
    const all = [r1, r3, r4];
    dumps = await converged(all, ["1", "3"], 10000);
    for (const r of all) {
      for (const other of all) {
        if (other === r) continue;
        const id = other.proc.logs("started")[0]!.id;
        await r.proc.waitForLog("peer-up", (l) => l.peerId === id, 10000);
      }
    }
    // hsdump --scope from the newcomer: it reaches every registrar its peer list names and
    // finds them in agreement.
    const scope = start("deno", "hsdump", ["--registrar", enrp(e4), "--scope", "--json"]);
    assert.equal(await scope.waitExit(), 0, scope.stderr + scope.stdout);
    const members = JSON.parse(scope.stdout).scope as {
      consistent: boolean;
      registrars: { registrarId: string; agrees: boolean; poolElements: number }[];
    };
    assert.equal(members.consistent, true);
    assert.deepEqual(members.registrars.map((m) => m.registrarId).sort(), ["1", "3", "4"]);
    assert.ok(members.registrars.every((m) => m.agrees && m.poolElements === PES));
    assert.ok(
      tookOver <= LAST_HEARD + NO_RESPONSE + EXPIRY + CYCLE * 2 + 1000,
      `takeover ${tookOver} ms after the kill`,
    );
  } finally {
    await killAll();
  }
});

function portFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

test("README ENRP example: three registrars peered by --peer and a server, as written; hsdump shows the peer table and the PE everywhere", async (t) => {
  const readme = Deno.readTextFileSync(join(ROOT, "README.md"));
  const from = readme.indexOf("**From the command line.**");
  assert.ok(from >= 0, "README has the ENRP command-line example");
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(from))![1]!;
  for (const port of [3863, 3864, 3865, 9901, 9902, 9903]) {
    if (!portFree(port)) {
      t.skip(`127.0.0.1:${port} is in use on this machine; the example needs it`);
      return;
    }
  }
  // The whole block in one shell, in its own process group (the registrars and the server stay
  // in the background after hsdump printed).
  const child = new Deno.Command("setsid", {
    args: ["bash", "-c", block],
    cwd: ROOT,
    env: { NO_COLOR: "1", PATH: process.env.PATH ?? "" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stdout = "", stderr = "";
  const read = async (s: ReadableStream<Uint8Array>, add: (t: string) => void) => {
    const d = new TextDecoder();
    for await (const c of s) add(d.decode(c, { stream: true }));
  };
  const done = Promise.all([
    read(child.stdout, (x) => (stdout += x)),
    read(child.stderr, (x) => (stderr += x)),
    child.status,
  ]);
  try {
    await until(() => /^Handlespace: /m.test(stdout), 30000, `hsdump's output\n${stderr}`);
    assert.match(stdout, /^Registrar 2 \(NG profile\) at 127\.0\.0\.1:9902$/m);
    assert.match(stdout, /^Peer table \(2 live peer\(s\)\):$/m);
    for (const id of [1, 2, 3]) {
      assert.match(
        stdout,
        new RegExp(`^  ${id}( \\(self\\))? +tcp 127\\.0\\.0\\.1:990${id} `, "m"),
      );
    }
    // The server's PE reaches every registrar (the Handle Update may follow hsdump's run).
    for (const port of [9901, 9902, 9903]) {
      let d: HsdumpJson | undefined;
      for (let i = 0; i < 50 && (d === undefined || d.poolElements !== 1); i++) {
        d = await hsdump(port);
        if (d.poolElements !== 1) await new Promise((r) => setTimeout(r, 300));
      }
      assert.equal(d?.poolElements, 1, `registrar at ${port} holds the server's PE`);
      assert.equal(d!.owners.length, 1);
      assert.ok(["1", "2", "3"].includes(d!.owners[0]!.registrarId));
    }
  } finally {
    try {
      Deno.kill(-child.pid, "SIGTERM");
    } catch { /* gone */ }
    await done;
  }
});

test("registrars with --enrp-announce only find each other by multicast Presence and share a PE", async () => {
  try {
    // The ENRP group on a port of our own, so other registrars on this host stay out.
    const [group] = freePorts(1) as [number];
    const args = (id: string) => [
      "--id",
      id,
      "--enrp-announce",
      `239.0.0.51:${group}`,
      "--announce-interface",
      "127.0.0.1",
      ...TIMERS,
    ];
    const [a, b] = await Promise.all([startRegistrar(args("21")), startRegistrar(args("22"))]);
    assert.deepEqual(a.proc.logs("started")[0]!.peers, "none");
    const upAtA = await a.proc.waitForLog("peer-up", (l) => l.peerId === "22", 10000);
    assert.equal(upAtA.endpoint, `127.0.0.1:${b.enrp}`);
    await b.proc.waitForLog("peer-up", (l) => l.peerId === "21", 10000);
    await a.proc.waitForLog("startup-phase-ended", undefined, MENTOR + 10000);
    await b.proc.waitForLog("startup-phase-ended", undefined, MENTOR + 10000);
    const host = startPeHost([a.asap], 1);
    await until(() => host.stdout.includes('"type":"ready"'), 30000, "the PE registered");
    let d: HsdumpJson | undefined;
    for (let i = 0; i < 30 && d?.poolElements !== 1; i++) {
      d = await hsdump(b.enrp);
      if (d.poolElements !== 1) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(d?.poolElements, 1, "the PE registered at A reached B by Handle Update");
    assert.deepEqual(d!.owners.map((o) => o.registrarId), ["21"]);
  } finally {
    await killAll();
  }
});
