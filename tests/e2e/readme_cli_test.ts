// README.md's "Quick start" and "Command-line tools" hold: the quick start's commands work as
// written (registrar, two servers, terminal, hsdump), every flag of every tool is documented,
// and the startup line shown is what the registrar prints.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { runHsdump } from "../../adapters/cli/hsdump.ts";
import { runAttacker } from "../../adapters/cli/attacker.ts";
import { runRegistrar } from "../../adapters/cli/registrar.ts";
import { runServer } from "../../adapters/cli/server.ts";
import { runTerminal } from "../../adapters/cli/terminal.ts";
import { TestIo } from "../../adapters/cli/_testing.ts";
import { ROOT, sleep } from "./_procs.ts";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");

function section(title: string): string {
  const start = readme.indexOf(`## ${title}`);
  assert.ok(start >= 0, `README has a "${title}" section`);
  const end = readme.indexOf("\n## ", start + 3);
  return readme.slice(start, end < 0 ? undefined : end);
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** A shell command in its own process group (so npm, deno task and the tool all stop together). */
class Shell {
  readonly child: Deno.ChildProcess;
  stdout = "";
  stderr = "";
  readonly done: Promise<Deno.CommandStatus>;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;

  constructor(command: string, env: Record<string, string>) {
    this.child = new Deno.Command("setsid", {
      args: ["bash", "-c", command],
      cwd: ROOT,
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.child.stdin.getWriter();
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

  async input(text: string, end: boolean): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(text));
    if (end) await this.#stdin.close();
  }

  async waitFor(pattern: RegExp, count: number, ms: number): Promise<void> {
    const start = Date.now();
    while ((this.stderr.match(new RegExp(pattern.source, "g")) ?? []).length < count) {
      if (Date.now() - start > ms) {
        throw new Error(`No ${count}× ${pattern} within ${ms} ms:\n${this.stderr.slice(-2000)}`);
      }
      await sleep(20);
    }
  }

  stop(): void {
    try {
      Deno.kill(-this.child.pid, "SIGTERM");
    } catch { /* gone */ }
  }
}

test("README quick start: the registrar, two servers, the terminal and hsdump work as written", async (t) => {
  const block = /```sh\n([\s\S]*?)```/.exec(section("Quick start"))![1]!;
  const commands = block.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
  assert.deepEqual(commands.map((c) => c.split(" ")[0]), [
    "npm",
    "export",
    "deno",
    "export",
    "deno",
    "deno",
  ]);
  for (const [port, host] of [[3863, "127.0.0.1"], [9901, "127.0.0.1"]] as const) {
    if (!(await portFree(port, host))) {
      t.skip(`${host}:${port} is in use on this machine; the quick start needs it`);
      return;
    }
  }
  const env = { NO_COLOR: "1", PATH: `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH}` };
  // `npm ci` has run (this is the test suite); the rest of each line runs as written.
  const registrarLine = commands[0]!.replace(/^npm ci && /, "");
  const shells: Shell[] = [];
  try {
    const registrar = new Shell(registrarLine, env);
    shells.push(registrar);
    await registrar.waitFor(/registrar: started/, 1, 20000);
    const servers = new Shell(commands[2]!, env);
    shells.push(servers);
    await registrar.waitFor(/registrar: registered/, 2, 30000);
    const terminal = new Shell(commands[4]!, env);
    shells.push(terminal);
    await terminal.input("hello pool\nand again\n", true);
    const status = await terminal.done;
    assert.equal(status.code, 0, terminal.stderr);
    assert.equal(terminal.stdout, "hello pool\nand again\n");
    const hsdump = new Shell(commands[5]!, env);
    shells.push(hsdump);
    assert.equal((await hsdump.done).code, 0, hsdump.stderr);
    assert.match(hsdump.stdout, /Pool "EchoPool": 2 PE\(s\), policy LeastUsed/);
    assert.match(hsdump.stdout, /LeastUsed load=20\.00%/);
    assert.match(hsdump.stdout, /LeastUsed load=60\.00%/);
    // The terminal used the less loaded server, as the comment says.
    assert.match(terminal.stderr, /connected pe=\d+ endpoint=\S+ policy="LeastUsed load=20\.00%"/);
  } finally {
    for (const s of shells.reverse()) s.stop();
    await Promise.all(shells.map((s) => s.done));
  }
});

test("README command-line tools: every flag of every tool is documented", async () => {
  const text = section("Command-line tools");
  const tools = {
    registrar: runRegistrar,
    server: runServer,
    terminal: runTerminal,
    hsdump: runHsdump,
    attacker: runAttacker,
  };
  for (const [name, run] of Object.entries(tools)) {
    const io = new TestIo();
    assert.equal(await run(["--help"], io), 0);
    const flags = [...io.stdout.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]!).filter((f) =>
      f !== "--help"
    );
    assert.ok(flags.length >= 4, `${name} has flags`);
    // The tool's own part, or the paragraph on what all tools share (logging flags).
    const from = text.indexOf(`**\`${name}\`**`);
    const to = text.indexOf("\n**`", from + 1);
    const part = text.slice(from, to < 0 ? undefined : to);
    const shared = text.slice(0, text.indexOf("**`registrar`**"));
    for (const flag of flags) {
      assert.ok(
        part.includes(`\`${flag}`) || shared.includes(`\`${flag}`),
        `README documents ${name} ${flag}`,
      );
    }
  }
});

test("README command-line tools: the startup line shown has the fields the registrar prints", async () => {
  const shown = JSON.parse(/```json\n(.*)\n```/.exec(section("Command-line tools"))![1]!);
  const io = new TestIo();
  const run = runRegistrar([
    "--asap",
    "127.0.0.1:0",
    "--enrp",
    "127.0.0.1:0",
    "--log-format",
    "json",
    "--announce",
    "off",
  ], io);
  const started = await io.waitForLog("started");
  io.signal();
  assert.equal(await run, 0);
  assert.deepEqual(Object.keys(started).sort(), Object.keys(shown).sort());
});
