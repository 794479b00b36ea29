// README.md "Distributed computing in 5 minutes" works as written: the shells' commands run as
// they stand (registrar, three compute servers, the job, kill -9 of the biggest server mid-job),
// the job completes with the exact count and the output looks as shown; the compute client's
// options are the ones listed. (tests/session/calcapp_test.ts checks the policy table.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { main } from "../../adapters/cli/compute_client.ts";
import { ROOT } from "../e2e/_session_procs.ts";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const start = readme.indexOf("## Distributed computing in 5 minutes");
const next = readme.indexOf("\n## ", start + 1);
const section = readme.slice(start, next < 0 ? undefined : next);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** A bash script in its own process group, so everything it started stops together. */
class Shell {
  readonly child: Deno.ChildProcess;
  stdout = "";
  stderr = "";
  readonly done: Promise<Deno.CommandStatus>;

  constructor(script: string) {
    this.child = new Deno.Command("setsid", {
      args: ["bash", "-c", script],
      cwd: ROOT,
      env: { NO_COLOR: "1", PATH: process.env.PATH ?? "" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const read = async (s: ReadableStream<Uint8Array>, add: (t: string) => void) => {
      const d = new TextDecoder();
      for await (const c of s) add(d.decode(c, { stream: true }));
    };
    const out = read(this.child.stdout, (t) => (this.stdout += t));
    const err = read(this.child.stderr, (t) => (this.stderr += t));
    this.done = this.child.status.then(async (s) => {
      await Promise.all([out, err]);
      return s;
    });
  }

  async waitFor(pattern: RegExp, count: number, ms: number): Promise<void> {
    const started = Date.now();
    while ((this.stderr.match(new RegExp(pattern.source, "g")) ?? []).length < count) {
      if (Date.now() - started > ms) {
        throw new Error(`No ${count}× ${pattern} within ${ms} ms:\n${this.stderr.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    try {
      Deno.kill(-this.child.pid, "SIGTERM");
    } catch { /* gone */ }
  }
}

test("README distributed computing: the job survives kill -9 of the biggest server, as written", async (t) => {
  for (const port of [3863, 9901]) {
    if (!(await portFree(port))) {
      t.skip(`127.0.0.1:${port} is in use on this machine; the walkthrough needs it`);
      return;
    }
  }
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  const shells = block.split(/\n(?=# Shell)/).map((part) =>
    part.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"))
  );
  assert.equal(shells.length, 4);
  const [registrarLines, serverLines, clientLines, killLines] = shells as [
    string[],
    string[],
    string[],
    string[],
  ];
  assert.deepEqual(killLines, ["kill -9 $BIG"]);
  const running: Shell[] = [];
  try {
    // `npm ci` has run (this is the test suite); the rest runs as written.
    const registrar = new Shell(registrarLines[0]!.replace(/^npm ci && /, ""));
    running.push(registrar);
    await registrar.waitFor(/registrar: started/, 1, 30_000);
    // Shell 2 keeps running: its servers, then the kill when told (a line on its stdin would
    // need a terminal; a file that appears does the same).
    const signalFile = join(ROOT, "artifacts", `readme-compute-kill-${process.pid}`);
    const servers = new Shell(
      [
        ...serverLines,
        `while [ ! -e "${signalFile}" ]; do sleep 0.05; done`,
        ...killLines,
        "wait",
      ].join("\n"),
    );
    running.push(servers);
    await registrar.waitFor(/registrar: registered/, 3, 30_000);
    const client = new Shell(clientLines.join("\n"));
    running.push(client);
    // Kill the capacity-4 server a third into the job (about 5 s of its ~15).
    await new Promise((r) => setTimeout(r, 5000));
    Deno.mkdirSync(join(ROOT, "artifacts"), { recursive: true });
    Deno.writeTextFileSync(signalFile, "");
    const status = await client.done;
    Deno.removeSync(signalFile);
    assert.equal(status.code, 0, client.stderr);
    const report = JSON.parse(client.stdout.trim().split("\n").at(-1)!);
    assert.equal(report.complete, true);
    assert.equal(report.primes, 5761455);
    assert.equal(report.sum, "279209790387276");
    assert.equal(report.duplicates, 0);
    assert.ok(report.failovers >= 1, client.stderr);
    assert.ok(report.resumed.length >= 1, client.stderr);
    // The output looks like the README's.
    const shown = /```text\n([\s\S]*?)```/.exec(section)![1]!.split("\n");
    for (
      const [i, pattern] of [
        /^compute-client: unit \d+ done on PE \d+ \(\d+ of 50\)$/,
        /^compute-client: session \d+: lost PE \d+ \(.*\), failing over$/,
        /^compute-client: session \d+: failover to PE \d+ after \d attempt\(s\), cookie echoed, 1 unit\(s\) resent$/,
        /^compute-client: unit \d+ resumed at \d+ of \[\d+, \d+\) on PE \d+$/,
      ].entries()
    ) {
      assert.ok(client.stderr.split("\n").some((l) => pattern.test(l)), `${pattern}`);
      assert.ok(pattern.test(shown[i]!.replace(/…/g, "0")), `README line ${i}: ${shown[i]}`);
    }
    assert.match(shown[4]!, /"primes":5761455,"sum":"279209790387276","duplicates":0/);
  } finally {
    for (const s of running.reverse()) s.stop();
    await Promise.all(running.map((s) => s.done));
  }
});

test("README distributed computing: the compute client's options are the ones listed", async () => {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  (process.stdout as { write: (t: string) => boolean }).write = (t: string) => (out.push(t), true);
  try {
    assert.equal(await main(["--help"]), 0);
  } finally {
    (process.stdout as { write: typeof write }).write = write;
  }
  const flags = [...out.join("").matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]!);
  assert.ok(flags.length >= 10);
  const list = /lists its options\s+\(([^)]*)\)/.exec(section)![1]!;
  const listed = [...list.matchAll(/`(--[a-z-]+)`/g)].map((m) => m[1]!);
  assert.deepEqual(flags.filter((f) => f !== "--help").sort(), listed.sort());
});
