// ENRP over TLS with mutual authentication between real registrar processes: only registrars
// holding a certificate from the operation scope's CA (--enrp-tls-cert, --enrp-tls-key,
// --enrp-tls-ca) join the scope. Two such registrars peer and share their PEs; a registrar with
// a certificate from another CA and one without TLS try the same peers and never become peers;
// hsdump needs a certificate from the scope's CA too. Certificates are made at run time with
// openssl (skipped with a reason when it is missing, unless RSERPOOL_REQUIRE_SYSTEM_TOOLS=1).

import { test } from "node:test";
import assert from "node:assert/strict";
import { opensslMissing, REQUIRE_SYSTEM_TOOLS, TestCa } from "./_certs.ts";
import { killAll, start, startRegistrar, startServer } from "./_procs.ts";

const missing = opensslMissing();
const skip = missing !== undefined && !REQUIRE_SYSTEM_TOOLS
  ? `${missing}; RSERPOOL_REQUIRE_SYSTEM_TOOLS=1 makes this a failure`
  : false;
if (skip) console.warn(`tests/e2e/enrp_tls_test.ts: skipped: ${skip}`);

const TIMERS = [
  "--peer-heartbeat-cycle",
  "300",
  "--peer-max-time-last-heard",
  "800",
  "--peer-max-time-no-response",
  "800",
  "--mentor-discovery-timeout",
  "600",
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

test(
  "registrar --enrp-tls-*: registrars with certificates from the scope's CA peer over TLS and share PEs; one with another CA's certificate and one without TLS never join; hsdump needs a certificate too",
  { skip },
  async () => {
    if (missing !== undefined) assert.fail(`${missing} but RSERPOOL_REQUIRE_SYSTEM_TOOLS=1`);
    const ca = new TestCa("scope-ca");
    const rogue = new TestCa("rogue-ca", ca.dir);
    try {
      const ports = freePorts(4);
      const enrp = (p: number) => `127.0.0.1:${p}`;
      const peersOf = (own: number) =>
        ports.filter((p) => p !== own).flatMap((p) => ["--peer", enrp(p)]);
      const enrpTls = (files: { cert: string; key: string }, caFile: string) => [
        "--enrp-tls-cert",
        files.cert,
        "--enrp-tls-key",
        files.key,
        "--enrp-tls-ca",
        caFile,
      ];
      const tlsOf = [
        enrpTls(ca.issue("registrar-1"), ca.ca.cert),
        enrpTls(ca.issue("registrar-2"), ca.ca.cert),
        enrpTls(rogue.issue("registrar-3"), rogue.ca.cert), // another CA
        [], // no TLS at all
      ];
      const registrars = await Promise.all(
        ports.map((port, i) =>
          startRegistrar([
            "--id",
            String(i + 1),
            "--enrp",
            enrp(port),
            ...peersOf(port),
            ...TIMERS,
            ...tlsOf[i]!,
          ])
        ),
      );
      const [r1, r2, r3, r4] = registrars as [
        (typeof registrars)[0],
        (typeof registrars)[0],
        (typeof registrars)[0],
        (typeof registrars)[0],
      ];
      assert.equal(r1.proc.logs("started")[0]!.enrpTls, "mutual");
      await r1.proc.waitForLog("peer-up", (l) => l.peerId === "2", 15000);
      await r2.proc.waitForLog("peer-up", (l) => l.peerId === "1", 15000);

      // A PE registered at registrar 1 reaches registrar 2 over the TLS association.
      const pe = await startServer("deno", r1.asap, ["--pool", "ScopePool"]);
      const scopeCert = ca.issue("monitor");
      const dump = async (port: number, files: { cert: string; key: string } | undefined) => {
        const proc = start("deno", "hsdump", [
          "--registrar",
          enrp(port),
          "--json",
          "--timeout",
          "2000",
          ...(files === undefined
            ? []
            : ["--tls-cert", files.cert, "--tls-key", files.key, "--tls-ca", ca.ca.cert]),
        ]);
        const code = await proc.waitExit(15000);
        return { code, json: code === 0 ? JSON.parse(proc.stdout) : undefined };
      };
      const hasPe = (json: { pools?: { poolElements: { id: string }[] }[] } | undefined) =>
        json?.pools?.some((p) => p.poolElements.some((e) => e.id === pe.pe)) ?? false;
      const deadline = Date.now() + 15000;
      while (!hasPe((await dump(ports[1]!, scopeCert)).json)) {
        if (Date.now() > deadline) assert.fail("the PE of registrar 1 never reached registrar 2");
        await new Promise((r) => setTimeout(r, 300));
      }

      // The others tried for several heartbeat cycles and never became peers.
      await new Promise((r) => setTimeout(r, 2000));
      for (const r of [r1, r2]) {
        const ids = r.proc.logs("peer-up").map((l) => String(l.peerId));
        assert.ok(!ids.includes("3") && !ids.includes("4"), `peers of ${r.proc.name}: ${ids}`);
        assert.ok(r.proc.logs("tls-refused").some((l) => l.listener === "enrp"));
      }
      for (const r of [r3, r4]) {
        const ids = r.proc.logs("peer-up").map((l) => String(l.peerId));
        assert.ok(!ids.includes("1") && !ids.includes("2"), `peers of ${r.proc.name}: ${ids}`);
      }
      const peers = (await dump(ports[0]!, scopeCert)).json?.peers?.map((
        p: { registrarId: string },
      ) => p.registrarId).sort();
      assert.deepEqual(peers, ["1", "2"]);
      // A monitor without a certificate gets nothing.
      assert.notEqual((await dump(ports[0]!, undefined)).code, 0);
    } finally {
      await killAll();
      ca.remove();
    }
  },
);
