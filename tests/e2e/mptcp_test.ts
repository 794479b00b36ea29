// MPTCP: rserpool-ng's TCP associations (the framing shim) run unchanged over Multipath TCP when
// the process runs under `mptcpize run`. Two network namespaces joined by two veth pairs (two
// paths); an echo server in one, a client in the other, both our driver and adapter of one
// runtime (Deno, Bun and Node in turn). The test checks that `ss -M` lists the MPTCP connection,
// takes the first path down mid-session, and requires that the association survives with every
// message echoed in order.
//
// Needs root, ip (iproute2), ss, mptcpize (mptcpd) and a kernel with MPTCP; skips with a reason
// otherwise, unless RSERPOOL_REQUIRE_SYSTEM_TOOLS=1. The namespaces are always deleted.

import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

const root = join(import.meta.dirname!, "../..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const script = join(root, "tests", "e2e", "_mptcp_echo.ts");
const NS_A = `rsng-mpa-${process.pid}`, NS_B = `rsng-mpb-${process.pid}`;
const PORT = 7100;

function sh(cmd: string, args: string[]) {
  return spawnSync(cmd, args, { encoding: "utf8" });
}

function missingTool(): string | undefined {
  if (process.platform !== "linux") return "MPTCP and network namespaces need Linux";
  if (process.getuid?.() !== 0) return "network namespaces need root";
  for (const [cmd, args] of [["ip", ["-V"]], ["ss", ["-V"]], ["mptcpize", ["--help"]]] as const) {
    const r = sh(cmd, [...args]);
    if (r.error !== undefined) return `${cmd} is not installed`;
  }
  const enabled = sh("sysctl", ["-n", "net.mptcp.enabled"]);
  if (enabled.status !== 0) return "the kernel has no MPTCP (net.mptcp.enabled)";
  return undefined;
}

const missing = missingTool();
const required = process.env.RSERPOOL_REQUIRE_SYSTEM_TOOLS === "1";
const skip = missing !== undefined && !required
  ? `${missing} (apt-get install iproute2 mptcpd; RSERPOOL_REQUIRE_SYSTEM_TOOLS=1 makes this a failure)`
  : false;

/** Runs `ip` (or any command) and fails the test with its output when it fails. */
function run(cmd: string, ...args: string[]): string {
  const r = sh(cmd, args);
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function deleteNamespaces(): void {
  sh("ip", ["netns", "del", NS_A]);
  sh("ip", ["netns", "del", NS_B]);
}

/** Two namespaces, two veth pairs (10.1.1.0/24 and 10.1.2.0/24), MPTCP endpoints on path 2. */
function createNamespaces(): void {
  deleteNamespaces();
  run("ip", "netns", "add", NS_A);
  run("ip", "netns", "add", NS_B);
  run(
    "ip",
    "link",
    "add",
    "vA1",
    "netns",
    NS_A,
    "type",
    "veth",
    "peer",
    "name",
    "vB1",
    "netns",
    NS_B,
  );
  run(
    "ip",
    "link",
    "add",
    "vA2",
    "netns",
    NS_A,
    "type",
    "veth",
    "peer",
    "name",
    "vB2",
    "netns",
    NS_B,
  );
  run("ip", "-n", NS_A, "addr", "add", "10.1.1.1/24", "dev", "vA1");
  run("ip", "-n", NS_A, "addr", "add", "10.1.2.1/24", "dev", "vA2");
  run("ip", "-n", NS_B, "addr", "add", "10.1.1.2/24", "dev", "vB1");
  run("ip", "-n", NS_B, "addr", "add", "10.1.2.2/24", "dev", "vB2");
  for (const [ns, links] of [[NS_A, ["lo", "vA1", "vA2"]], [NS_B, ["lo", "vB1", "vB2"]]] as const) {
    for (const link of links) run("ip", "-n", ns, "link", "set", link, "up");
    run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.mptcp.enabled=1");
    run("ip", "-n", ns, "mptcp", "limits", "set", "subflow", "2", "add_addr_accepted", "2");
  }
  // The client opens an extra subflow from its second address; the server announces its second.
  run("ip", "-n", NS_A, "mptcp", "endpoint", "add", "10.1.2.1", "dev", "vA2", "subflow");
  run("ip", "-n", NS_B, "mptcp", "endpoint", "add", "10.1.2.2", "dev", "vB2", "signal");
}

/** A process in a namespace under `mptcpize run`, with its stdout lines. */
class Proc {
  readonly lines: string[] = [];
  readonly child: ChildProcess;
  stderr = "";
  readonly exit: Promise<number>;

  constructor(ns: string, command: string[]) {
    this.child = spawn("ip", ["netns", "exec", ns, "mptcpize", "run", ...command], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    });
    let partial = "";
    this.child.stdout!.on("data", (d: Uint8Array) => {
      partial += new TextDecoder().decode(d);
      const parts = partial.split("\n");
      partial = parts.pop()!;
      this.lines.push(...parts);
    });
    this.child.stderr!.on("data", (d: Uint8Array) => this.stderr += new TextDecoder().decode(d));
    this.exit = new Promise((r) => this.child.on("exit", (code) => r(code ?? -1)));
  }

  async waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) {
        assert.fail(
          `Timed out waiting for ${what}: ${this.lines.join(" | ")} ${this.stderr.slice(0, 500)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const RUNTIMES: [string, string[]][] = [
  ["deno", [bin("deno"), "run", "--allow-all", script]],
  ["bun", [bin("bun"), script]],
  // Node with tsx's loader in the same process (the tsx CLI would run a child process).
  ["node", ["node", "--import", "tsx", script]],
];

for (const [name, command] of RUNTIMES) {
  test(`A TCP association (${name}) runs over MPTCP and survives losing one of two paths`, {
    skip: skip || (command[0] !== "node" && !existsSync(command[0]!) && `${command[0]} is missing`),
  }, async () => {
    const procs: Proc[] = [];
    try {
      createNamespaces();
      const server = new Proc(NS_B, [...command, "server", "0.0.0.0", String(PORT)]);
      procs.push(server);
      await server.waitFor(
        () => server.lines.some((l) => l.startsWith("listening")),
        20000,
        "the server",
      );
      // 80 messages 50 ms apart: about 4 s; the first path goes down after about 1 s.
      const client = new Proc(NS_A, [...command, "client", "10.1.1.2", String(PORT), "80", "50"]);
      procs.push(client);
      await client.waitFor(() => client.lines.includes("up"), 20000, "the association");
      await client.waitFor(
        () => client.lines.some((l) => l.startsWith("progress") && Number(l.split(" ")[2]) >= 10),
        10000,
        "ten echoes",
      );
      const mptcp = run("ip", "netns", "exec", NS_A, "ss", "-Mn");
      assert.match(mptcp, new RegExp(`ESTAB.*10\\.1\\.1\\.2:${PORT}`), `ss -M:\n${mptcp}`);
      const subflows = run("ip", "netns", "exec", NS_A, "ss", "-tni", "state", "established");
      assert.match(subflows, /tcp-ulp-mptcp/, "the TCP connections are MPTCP subflows");
      assert.match(subflows, /10\.1\.2\.1:\d+\s+10\.1\.\d\.2:7100/, "a subflow on the second path");
      run("ip", "-n", NS_A, "link", "set", "vA1", "down");
      const code = await client.exit;
      const done = client.lines.find((l) => l.startsWith("done"));
      assert.equal(code, 0, `client: ${client.lines.join(" | ")} ${client.stderr.slice(0, 500)}`);
      assert.equal(done, "done 80 80 true");
      assert.ok(!client.lines.some((l) => l.startsWith("down")), "the association never went down");
      assert.ok(!server.lines.some((l) => l.startsWith("down") && !l.includes("closed")));
    } finally {
      // `ip netns exec` and `mptcpize run` exec the runtime: the pid is the runtime's own.
      for (const p of procs) if (p.child.exitCode === null) p.child.kill("SIGKILL");
      await Promise.all(procs.map((p) => p.exit));
      deleteNamespaces();
    }
  });
}
