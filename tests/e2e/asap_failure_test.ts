// Failures with real processes: a server killed with SIGKILL or frozen with SIGSTOP (its PE
// must leave the handlespace within keep-alive interval + timeout + 10 %, and the terminal must
// fail over without losing a line), and a registrar killed and replaced (every live PE registers
// again and is resolvable). Servers and terminals under Deno, Bun and Node.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  hsdump,
  killAll,
  type Proc,
  RUNTIMES,
  start,
  startRegistrar,
  startServer,
  type ToolRuntime,
  until,
} from "./_procs.ts";

const INTERVAL = 1000, TIMEOUT = 1000;
/** Keep-alive interval + timeout + 10 %: the bound for a dead PE to leave the handlespace. */
const BOUND = (INTERVAL + TIMEOUT) * 1.1;
const KEEPALIVE = [
  "--keepalive-interval",
  String(INTERVAL),
  "--keepalive-timeout",
  String(TIMEOUT),
];

function terminal(runtime: ToolRuntime, port: number, pool: string): Proc {
  return start(runtime, "terminal", [
    "--registrar",
    `127.0.0.1:${port}`,
    "--announce",
    "off",
    "--pool",
    pool,
  ]);
}

async function reply(t: Proc, line: string, expected: string): Promise<void> {
  t.writeLine(line);
  await until(
    () => t.stdout === expected,
    20000,
    `terminal output ${JSON.stringify(expected)} (got ${JSON.stringify(t.stdout)})\n${t.stderr}`,
  );
}

test("kill -9 of a server: its PE leaves at once (association lost) and the terminal fails over without losing a line", async () => {
  try {
    const pr = await startRegistrar(KEEPALIVE);
    await Promise.all(RUNTIMES.map(async (rt) => {
      const pool = `Kill-${rt}`;
      // The victim (highest priority, so the terminal uses it) runs under `rt`.
      const victim = await startServer(rt, pr.asap, ["--pool", pool, "--policy", "Priority:10"]);
      const survivor = await startServer("deno", pr.asap, [
        "--pool",
        pool,
        "--policy",
        "Priority:1",
      ]);
      const t = terminal(rt, pr.asap, pool);
      await reply(t, "one", "one\n");
      assert.equal(t.logs("connected")[0]?.pe, victim.pe);
      const killedAt = Date.now();
      victim.proc.kill("SIGKILL");
      const removed = await pr.proc.waitForLog(
        "pe-removed-association-down",
        (l) => l.peId === victim.pe,
      );
      const took = Date.parse(removed.time) - killedAt;
      assert.ok(took <= BOUND, `PE of server/${rt} removed after ${took} ms (bound ${BOUND} ms)`);
      t.writeLine("two");
      t.writeLine("three");
      t.endInput();
      assert.equal(await t.waitExit(30000), 0, t.stderr);
      assert.equal(t.stdout, "one\ntwo\nthree\n");
      assert.equal(t.logs("failover")[0]?.pe, victim.pe);
      assert.equal(t.logs("connected").at(-1)?.pe, survivor.pe);
    }));
    const dump = await hsdump(pr.enrp);
    assert.equal(dump.poolElements, 3); // the three survivors
  } finally {
    await killAll();
  }
});

test("SIGSTOP of a server: keep-alives remove its PE within interval + timeout + 10 % and the terminal resends the unanswered line elsewhere", async () => {
  try {
    const pr = await startRegistrar(KEEPALIVE);
    await Promise.all(RUNTIMES.map(async (rt) => {
      const pool = `Stop-${rt}`;
      const victim = await startServer(rt, pr.asap, ["--pool", pool, "--policy", "Priority:10"]);
      const survivor = await startServer("deno", pr.asap, [
        "--pool",
        pool,
        "--policy",
        "Priority:1",
      ]);
      const t = terminal(rt, pr.asap, pool);
      try {
        await reply(t, "one", "one\n");
        assert.equal(t.logs("connected")[0]?.pe, victim.pe);
        const stoppedAt = Date.now();
        victim.proc.kill("SIGSTOP"); // its associations stay up; nothing answers
        t.writeLine("two"); // sent to the frozen PE: no reply
        const timedOut = await pr.proc.waitForLog(
          "keep-alive-timeout",
          (l) => l.peId === victim.pe,
        );
        const took = Date.parse(timedOut.time) - stoppedAt;
        assert.ok(took <= BOUND, `PE of server/${rt} removed after ${took} ms (bound ${BOUND} ms)`);
        assert.ok(
          took >= TIMEOUT * 0.9,
          `removed after ${took} ms, before a keep-alive could time out`,
        );
        // The terminal notices the dead association by the shim's heartbeats and resends "two".
        await until(
          () => t.stdout === "one\ntwo\n",
          20000,
          `the resent line (got ${JSON.stringify(t.stdout)})`,
        );
        const failover = t.logs("failover")[0];
        assert.equal(failover?.pe, victim.pe);
        assert.equal(failover?.unacknowledged, 1);
        assert.equal(t.logs("connected").at(-1)?.pe, survivor.pe);
        t.endInput();
        assert.equal(await t.waitExit(), 0, t.stderr);
      } finally {
        victim.proc.kill("SIGKILL");
      }
    }));
  } finally {
    await killAll();
  }
});

test("kill -9 of the registrar and a new one on its port: every live PE registers again and is resolvable", async () => {
  try {
    const first = await startRegistrar();
    const port = first.asap;
    const servers = await Promise.all(
      RUNTIMES.map((rt) =>
        startServer(rt, port, ["--pool", "Again", "--registrar-connect-timeout", "500"])
      ),
    );
    first.proc.kill("SIGKILL");
    await first.proc.waitExit();
    await Promise.all(servers.map((s) => s.proc.waitForLog("registrar-lost")));
    const second = await startRegistrar(["--asap", `127.0.0.1:${port}`]);
    for (const s of servers) {
      await second.proc.waitForLog("registered", (l) => l.peId === s.pe, 20000);
    }
    const dump = await hsdump(second.enrp);
    assert.deepEqual(
      new Set(dump.pools[0]?.poolElements.map((p) => p.id)),
      new Set(servers.map((s) => s.pe)),
    );
    const t = start("node", "terminal", [
      "--registrar",
      `127.0.0.1:${port}`,
      "--announce",
      "off",
      "--pool",
      "Again",
      "--new-session-per-line",
      "--stale-cache",
      "0",
    ]);
    for (const line of ["a", "b", "c"]) t.writeLine(line);
    t.endInput();
    assert.equal(await t.waitExit(30000), 0, t.stderr);
    assert.equal(t.stdout, "a\nb\nc\n");
    assert.deepEqual(
      new Set(t.logs("connected").map((l) => l.pe)),
      new Set(servers.map((s) => s.pe)),
    );
  } finally {
    await killAll();
  }
});
