// End to end with real processes on loopback: the registrar under Deno; servers and terminals
// under Deno, Bun and Node. Registration, resolution by every policy family, load changes seen
// by a Least Used pool, deregistration on SIGTERM, discovery by Server Announce.

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
  transportArgs,
  TRANSPORTS,
} from "./_procs.ts";

/** Runs a terminal over the given lines; returns its output and the PE of every line. */
async function terminal(
  runtime: ToolRuntime,
  port: number,
  pool: string,
  lines: readonly string[],
  args: readonly string[] = [],
): Promise<{ proc: Proc; pes: string[] }> {
  const proc = start(runtime, "terminal", [
    "--registrar",
    `127.0.0.1:${port}`,
    "--announce",
    "off",
    "--pool",
    pool,
    ...args,
  ]);
  for (const line of lines) proc.writeLine(line);
  proc.endInput();
  const code = await proc.waitExit(30000);
  assert.equal(code, 0, `terminal/${runtime} failed:\n${proc.stderr}`);
  return { proc, pes: proc.logs("connected").map((l) => l.pe as string) };
}

function counts(pes: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const pe of pes) m.set(pe, (m.get(pe) ?? 0) + 1);
  return m;
}

for (const transport of TRANSPORTS) {
  test(`registrar, server and terminal over ${transport}: register, resolve, echo and deregister on SIGTERM under deno, bun and node`, async () => {
    try {
      const pr = await startRegistrar(transportArgs(transport, "registrar"));
      await Promise.all(RUNTIMES.map(async (rt) => {
        const pool = `Pool-${rt}`;
        const server = await startServer(rt, pr.asap, [
          "--pool",
          pool,
          ...transportArgs(transport, "server"),
        ]);
        const registered = await pr.proc.waitForLog("registered", (l) => l.peId === server.pe);
        assert.equal(registered.poolHandle, pool);
        // The user transport is the one the service serves; the ASAP transport (hsdump) the one
        // the PE registered over.
        const protocol = transport === "tcp" ? "tcp" : "sctp";
        assert.match(
          String(registered.transport),
          new RegExp(`^${protocol} 127\\.0\\.0\\.1:\\d+ data\\+control$`),
        );
        // Over TCP an NG PE's remote port is ephemeral, so none is recorded (see the README's
        // "ENRP on the wire"); over SCTP the association's remote end is the PE's endpoint.
        const dump = await hsdump(pr.enrp);
        const entry = dump.pools.find((p) => p.poolHandle === pool)?.poolElements[0];
        assert.ok(entry !== undefined);
        assert.equal(entry.asapTransport?.protocol, transport === "tcp" ? undefined : "sctp");
        const t = await terminal(
          rt,
          pr.asap,
          pool,
          [`hello from ${rt}`, "second line"],
          transportArgs(transport, "terminal"),
        );
        assert.deepEqual(t.proc.logs("connected").map((l) => l.transport), [transport]);
        assert.equal(t.proc.stdout, `hello from ${rt}\nsecond line\n`);
        assert.deepEqual(t.pes, [server.pe]);
        server.proc.kill("SIGTERM");
        assert.equal(await server.proc.waitExit(), 0, server.proc.stderr);
        await pr.proc.waitForLog("deregistered", (l) => l.peId === server.pe);
      }));
      assert.equal((await hsdump(pr.enrp)).poolElements, 0);
      pr.proc.kill("SIGTERM");
      assert.equal(await pr.proc.waitExit(), 0);
    } finally {
      await killAll();
    }
  });
}

test("resolution by every policy family: round robin, weighted round robin, random, weighted random, priority, least used with a load change", async () => {
  try {
    const pr = await startRegistrar();
    // Three servers per pool, one under each runtime; the per-line terminal shows each pick.
    const family = async (
      pool: string,
      policies: readonly string[],
      extra: readonly string[][] = [],
    ) =>
      await Promise.all(
        RUNTIMES.map((rt, i) =>
          startServer(rt, pr.asap, ["--pool", pool, "--policy", policies[i]!, ...(extra[i] ?? [])])
        ),
      );
    const [rr, wrr, rand, wrand, pri, lu] = await Promise.all([
      family("RR", ["RoundRobin", "RoundRobin", "RoundRobin"]),
      family("WRR", ["WeightedRoundRobin:1", "WeightedRoundRobin:2", "WeightedRoundRobin:3"]),
      family("RAND", ["Random", "Random", "Random"]),
      family("WRAND", ["WeightedRandom:1", "WeightedRandom:1", "WeightedRandom:8"]),
      family("PRI", ["Priority:1", "Priority:5", "Priority:3"]),
      family("LU", ["LeastUsed", "LeastUsed", "LeastUsed"], [["--load", "0.5"], [
        "--load",
        "0.1",
        "--load-stdin",
      ], ["--load", "0.3"]]),
    ]);
    const perLine = ["--new-session-per-line", "--stale-cache", "0"];
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i}`);
    const [rrT, wrrT, randT, wrandT, priT, luT] = await Promise.all([
      terminal("deno", pr.asap, "RR", lines(6), perLine),
      terminal("bun", pr.asap, "WRR", lines(12), perLine),
      terminal("node", pr.asap, "RAND", lines(30), perLine),
      terminal("deno", pr.asap, "WRAND", lines(40), perLine),
      terminal("bun", pr.asap, "PRI", lines(8), perLine),
      terminal("node", pr.asap, "LU", lines(5), perLine),
    ]);
    // Round robin: every PE once per cycle, the same cycle twice.
    assert.equal(new Set(rrT.pes.slice(0, 3)).size, 3);
    assert.deepEqual(rrT.pes.slice(3), rrT.pes.slice(0, 3));
    assert.deepEqual(new Set(rrT.pes), new Set(rr.map((s) => s.pe)));
    // Weighted round robin: exactly its weight per round (2 rounds of 1 + 2 + 3).
    const w = counts(wrrT.pes);
    assert.deepEqual(wrr.map((s) => w.get(s.pe)), [2, 4, 6]);
    // Random: 30 picks reach all three (a miss has probability 3·(2/3)^30 ≈ 1.6e-5).
    assert.deepEqual(new Set(randT.pes), new Set(rand.map((s) => s.pe)));
    // Weighted random 1:1:8: the heavy PE gets most of 40 picks (expected 32; ≤ 20 has p ≈ 1e-5).
    assert.ok(
      (counts(wrandT.pes).get(wrand[2]!.pe) ?? 0) > 20,
      `weighted random picks: ${wrandT.pes}`,
    );
    // Priority: always the highest.
    assert.deepEqual(new Set(priT.pes), new Set([pri[1]!.pe]));
    // Least used: always the least loaded; after its load rises, the next least loaded.
    assert.deepEqual(new Set(luT.pes), new Set([lu[1]!.pe]));
    lu[1]!.proc.writeLine("0.9");
    await pr.proc.waitForLog(
      "re-registered",
      (l) => l.peId === lu[1]!.pe && String(l.policy) === "LeastUsed load=90.00%",
    );
    const after = await terminal("bun", pr.asap, "LU", lines(4), perLine);
    assert.deepEqual(new Set(after.pes), new Set([lu[2]!.pe]));
    const dump = await hsdump(pr.enrp);
    assert.equal(dump.poolElements, 18);
    assert.equal(dump.checksum.consistent, true);
    const luPool = dump.pools.find((p) => p.poolHandle === "LU")!;
    assert.equal(
      luPool.poolElements.find((p) => p.id === lu[1]!.pe)?.policy.load,
      Math.round(0.9 * 0xffffffff),
    );
  } finally {
    await killAll();
  }
});

test("servers and terminals find the registrar from its Server Announces (multicast on loopback)", async () => {
  try {
    const group = `239.0.0.50:${20000 + Math.floor(Math.random() * 20000)}`;
    const announce = ["--announce", group, "--announce-interface", "127.0.0.1"];
    const pr = await startRegistrar([...announce, "--announce-cycle", "200"]);
    // The static registrar refuses connections: only the announces lead to the registrar.
    const nobody = ["--registrar", "127.0.0.1:1", ...announce];
    await Promise.all(RUNTIMES.map(async (rt) => {
      const server = start(rt, "server", ["--pool", "Announced", ...nobody]);
      await server.waitForLog("registered", undefined, 30000);
    }));
    const t = start("deno", "terminal", ["--pool", "Announced", ...nobody]);
    t.writeLine("found you");
    t.endInput();
    assert.equal(await t.waitExit(30000), 0, t.stderr);
    assert.equal(t.stdout, "found you\n");
    assert.equal((await hsdump(pr.enrp)).poolElements, 3);
  } finally {
    await killAll();
  }
});

test("a multi-homed server (--sctp-address 127.0.0.1,127.0.0.2) registers an SCTP transport with both addresses, and terminals reach it", async () => {
  try {
    const pr = await startRegistrar(transportArgs("sctp-udp", "registrar"));
    const server = await startServer("node", pr.asap, [
      "--pool",
      "MultiHomed",
      "--transport",
      "sctp-udp",
      "--sctp-address",
      "127.0.0.1,127.0.0.2",
    ]);
    const registered = await pr.proc.waitForLog("registered", (l) => l.peId === server.pe);
    assert.match(
      String(registered.transport),
      /^sctp 127\.0\.0\.1:(\d+),127\.0\.0\.2:\1 data\+control$/,
    );
    const dump = await hsdump(pr.enrp);
    const entry = dump.pools.find((p) => p.poolHandle === "MultiHomed")?.poolElements[0];
    // The PE's association to the registrar is multi-homed too: its ASAP transport lists both.
    assert.deepEqual(entry?.asapTransport?.addresses, ["127.0.0.1", "127.0.0.2"]);
    for (const rt of RUNTIMES) {
      const t = await terminal(rt, pr.asap, "MultiHomed", ["over two paths"], [
        "--transport",
        "sctp-udp",
      ]);
      assert.equal(t.proc.stdout, "over two paths\n");
      assert.deepEqual(t.pes, [server.pe]);
    }
  } finally {
    await killAll();
  }
});

test("--transport auto against a TCP-only registrar: servers fall back to TCP and log what they chose; their service is registered as SCTP and reached over it", async () => {
  try {
    const pr = await startRegistrar(); // TCP only
    await Promise.all(RUNTIMES.map(async (rt) => {
      const pool = `Auto-${rt}`;
      const server = await startServer(rt, pr.asap, ["--pool", pool, "--transport", "auto"]);
      const fallback = server.proc.logs("transport-fallback")[0];
      assert.equal(fallback?.from, "sctp-udp");
      assert.equal(fallback?.to, "tcp");
      // Node and Bun see the closed UDP port at once (or, when another test's SCTP-over-UDP
      // endpoint happens to hold a UDP port of the registrar's TCP port number, its ABORT for an
      // unknown SCTP port); Deno waits for the 2 s fallback budget.
      assert.match(
        String(fallback?.detail),
        rt === "deno" ? /not up within 2000 ms/ : /ICMP port unreachable|Aborted by the peer/,
      );
      const chosen = server.proc.logs("transport-chosen").at(-1);
      assert.equal(chosen?.transport, "tcp");
      assert.equal(server.proc.logs("started")[0]?.transport, "sctp-udp,tcp");
      const registered = await pr.proc.waitForLog("registered", (l) => l.peId === server.pe);
      assert.match(String(registered.transport), /^sctp 127\.0\.0\.1:\d+ data\+control$/);
      const t = await terminal(rt, pr.asap, pool, ["auto"], ["--transport", "auto"]);
      assert.equal(t.proc.stdout, "auto\n");
      assert.deepEqual(t.proc.logs("connected").map((l) => l.transport), ["sctp-udp"]);
    }));
  } finally {
    await killAll();
  }
});
