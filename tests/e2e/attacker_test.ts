// The attacker tool against a real registrar process: every flood at once (handle resolutions,
// unreachable reports aimed at a legitimate PE, registrations, malformed messages, slowloris)
// while legitimate PEs stay registered and a legitimate pool user is served.

import { test } from "node:test";
import assert from "node:assert/strict";
import { hsdump, killAll, type Proc, start, startRegistrar, startServer } from "./_procs.ts";
import type { AttackSummary } from "../../adapters/cli/attacker.ts";

async function attacker(port: number, mode: string, args: string[]): Promise<AttackSummary> {
  const proc: Proc = start("deno", "attacker", [
    "--registrar",
    `127.0.0.1:${port}`,
    "--mode",
    mode,
    ...args,
  ], { name: `attacker-${mode}` });
  const code = await proc.waitExit(30000);
  assert.equal(code, 0, `attacker ${mode}: ${proc.stderr}`);
  return proc.logs("summary")[0] as unknown as AttackSummary;
}

test("attacker: floods of every kind are answered by the limits; legitimate PEs stay and a pool user is served", async () => {
  try {
    const pr = await startRegistrar([
      "--max-registrations-per-association",
      "20",
      "--max-hr-rate",
      "200",
      "--frame-timeout",
      "1500",
      "--keepalive-interval",
      "1000",
      "--keepalive-timeout",
      "1000",
    ]);
    const legit = await Promise.all([
      startServer("deno", pr.asap, ["--pool", "EchoPool"]),
      startServer("node", pr.asap, ["--pool", "EchoPool"]),
    ]);
    const victim = legit[0].pe;
    const common = ["--pool", "EchoPool", "--duration", "2500"];
    const [hr, eu, reg, bad, slow] = await Promise.all([
      attacker(pr.asap, "hr-flood", [...common, "--connections", "4", "--rate", "3000"]),
      attacker(pr.asap, "eu-flood", [
        ...common,
        "--connections",
        "4",
        "--rate",
        "2000",
        "--pe",
        victim,
      ]),
      attacker(pr.asap, "registration-flood", [
        "--pool",
        "FloodPool",
        "--duration",
        "2500",
        "--connections",
        "4",
        "--rate",
        "2000",
      ]),
      attacker(pr.asap, "malformed", [...common, "--connections", "3", "--rate", "300"]),
      attacker(pr.asap, "slowloris", ["--duration", "4000", "--connections", "3"]),
    ]);
    // Handle resolutions over 200/s per association: Lack of Resources.
    assert.ok((hr.causes["0x6"] ?? 0) > 0, JSON.stringify(hr));
    assert.ok(hr.responses > 0.9 * hr.sent, JSON.stringify(hr));
    // Registrations over 20 per association: Lack of Resources, nothing else.
    assert.ok((reg.causes["0x6"] ?? 0) > 0, JSON.stringify(reg));
    // Malformed messages: every association aborted; slowloris: every association closed.
    assert.equal(bad.aborted, 3, JSON.stringify(bad));
    assert.equal(slow.closed, 3, JSON.stringify(slow));
    assert.ok(eu.sent > 1000);

    // The victim of the unreachable flood was confirmed alive, not removed.
    assert.ok(pr.proc.logs("unreachable-confirming").length > 0);
    assert.ok(pr.proc.logs("unreachable-refuted").length > 0);
    assert.equal(pr.proc.logs("pe-removed-unreachable").length, 0);
    assert.equal(pr.proc.logs("keep-alive-timeout").length, 0);
    const dump = await hsdump(pr.enrp);
    const pool = dump.pools.find((p) => p.poolHandle === "EchoPool")!;
    for (const s of legit) assert.ok(pool.poolElements.some((e) => e.id === s.pe), s.pe);
    assert.ok(dump.checksum.consistent);
    assert.ok(dump.poolElements <= 2 + 4 * 20, `${dump.poolElements} PEs`);
    // The floods did not flood the log.
    assert.ok(pr.proc.logs("log-suppressed").length > 0);
    assert.ok(pr.proc.logs("registration-rejected").length < 200);

    // A pool user is served, by a legitimate PE (the flood's PEs are gone with their associations).
    const terminal = start("node", "terminal", [
      "--registrar",
      `127.0.0.1:${pr.asap}`,
      "--announce",
      "off",
      "--pool",
      "EchoPool",
    ]);
    terminal.writeLine("still here");
    terminal.endInput();
    assert.equal(await terminal.waitExit(30000), 0, terminal.stderr);
    assert.equal(terminal.stdout, "still here\n");
  } finally {
    await killAll();
  }
});
