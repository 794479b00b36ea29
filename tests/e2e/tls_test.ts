// TLS with mutual authentication between real processes: a registrar started with --tls-cert,
// --tls-key and --tls-ca serves ASAP only to peers with a certificate from its CA. Certificates
// are made at run time with openssl (skipped with a reason when it is missing, unless
// RSERPOOL_REQUIRE_SYSTEM_TOOLS=1).

import { test } from "node:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { opensslMissing, REQUIRE_SYSTEM_TOOLS, TestCa } from "./_certs.ts";
import { hsdump, killAll, RUNTIMES, sleep, start, startRegistrar } from "./_procs.ts";

const missing = opensslMissing();
const skip = missing !== undefined && !REQUIRE_SYSTEM_TOOLS
  ? `${missing}; RSERPOOL_REQUIRE_SYSTEM_TOOLS=1 makes this a failure`
  : false;
if (skip) console.warn(`tests/e2e/tls_test.ts: skipped: ${skip}`);

function tlsArgs(files: { cert: string; key: string }, ca: string): string[] {
  return ["--tls-cert", files.cert, "--tls-key", files.key, "--tls-ca", ca];
}

test(
  "registrar --tls-ca: PEs under deno, bun and node with certificates from the CA register over TLS, a PU resolves and echoes, and PEs without a valid certificate are refused",
  { skip },
  async () => {
    if (missing !== undefined) assert.fail(`${missing} but RSERPOOL_REQUIRE_SYSTEM_TOOLS=1`);
    const ca = new TestCa();
    const rogue = new TestCa("rogue-ca", ca.dir);
    try {
      const prCert = ca.issue("registrar");
      const pr = await startRegistrar(tlsArgs(prCert, ca.ca.cert));
      const started = pr.proc.logs("started")[0]!;
      assert.equal(started.tls, "mutual");

      // Good PEs, one per runtime, each with its own certificate.
      const good = await Promise.all(RUNTIMES.map(async (rt) => {
        const files = ca.issue(`pe-${rt}`);
        const proc = start(rt, "server", [
          "--registrar",
          `127.0.0.1:${pr.asap}`,
          "--announce",
          "off",
          "--pool",
          "TlsPool",
          ...tlsArgs(files, ca.ca.cert),
        ]);
        const registered = await proc.waitForLog("registered", undefined, 30000);
        return registered.pe as string;
      }));

      // Bad PEs: a certificate from another CA, no certificate, and plain TCP.
      const rogueFiles = rogue.issue("pe-rogue");
      const bad = [
        ["--tls-cert", rogueFiles.cert, "--tls-key", rogueFiles.key, "--tls-ca", ca.ca.cert],
        ["--tls-ca", ca.ca.cert],
        [],
      ].map((extra, i) =>
        start("node", "server", [
          "--registrar",
          `127.0.0.1:${pr.asap}`,
          "--announce",
          "off",
          "--pool",
          "TlsPool",
          "--registrar-connect-timeout",
          "1000",
          ...extra,
        ], { name: `bad-server-${i}` })
      );
      const deadline = Date.now() + 15000;
      while (pr.proc.logs("tls-refused").length < 3 && Date.now() < deadline) await sleep(100);
      assert.ok(
        pr.proc.logs("tls-refused").length >= 3,
        `tls-refused lines: ${JSON.stringify(pr.proc.logs("tls-refused"))}`,
      );
      await sleep(1000);
      for (const proc of bad) assert.equal(proc.logs("registered").length, 0, proc.name);

      // Only the good PEs are in the handlespace.
      const dump = await hsdump(pr.enrp);
      const pool = dump.pools.find((p) => p.poolHandle === "TlsPool");
      assert.deepEqual(pool?.poolElements.map((e) => e.id).sort(), [...good].sort());

      // A PU with a certificate resolves and echoes over TLS.
      const pu = ca.issue("pu");
      const terminal = start("node", "terminal", [
        "--registrar",
        `127.0.0.1:${pr.asap}`,
        "--announce",
        "off",
        "--pool",
        "TlsPool",
        ...tlsArgs(pu, ca.ca.cert),
      ]);
      terminal.writeLine("hello over TLS");
      terminal.endInput();
      assert.equal(await terminal.waitExit(30000), 0, terminal.stderr);
      assert.equal(terminal.stdout, "hello over TLS\n");
    } finally {
      await killAll();
      ca.remove();
    }
  },
);

test(
  "registrar --authz: a PE whose certificate may not register into a pool gets cause 0xa, the owner registers",
  { skip },
  async () => {
    if (missing !== undefined) assert.fail(`${missing} but RSERPOOL_REQUIRE_SYSTEM_TOOLS=1`);
    const ca = new TestCa();
    try {
      const policy = join(ca.dir, "authz.json");
      writeFileSync(
        policy,
        JSON.stringify({
          rules: [{ pool: "EchoPool", register: ["cn:pe-echo-*"], resolve: ["authenticated"] }],
          default: { register: [], resolve: [] },
        }),
      );
      const pr = await startRegistrar([
        ...tlsArgs(ca.issue("registrar"), ca.ca.cert),
        "--authz",
        policy,
      ]);
      assert.equal(pr.proc.logs("started")[0]!.authz, 1);
      const server = (cn: string, pool: string) =>
        start("node", "server", [
          "--registrar",
          `127.0.0.1:${pr.asap}`,
          "--announce",
          "off",
          "--pool",
          pool,
          ...tlsArgs(ca.issue(cn), ca.ca.cert),
        ], { name: cn });
      const owner = server("pe-echo-1", "EchoPool");
      const intruder = server("pe-intruder", "EchoPool");
      const elsewhere = server("pe-echo-2", "OtherPool");
      await owner.waitForLog("registered", undefined, 30000);
      for (const p of [intruder, elsewhere]) {
        const failed = await p.waitForLog("registration-failed", undefined, 30000);
        assert.equal(failed.cause, "0xa", p.name);
        assert.equal(p.logs("registered").length, 0);
      }
      const refused = pr.proc.logs("authorization-refused");
      assert.ok(refused.length >= 2);
      assert.ok(refused.some((l) => String(l.identity).includes("CN=pe-intruder")));
      const dump = await hsdump(pr.enrp);
      assert.equal(dump.poolElements, 1);
    } finally {
      await killAll();
      ca.remove();
    }
  },
);
