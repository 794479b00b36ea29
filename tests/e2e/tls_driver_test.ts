// The driver's TLS choice per association: a driver whose outgoing associations run TLS
// (DriverOptions.tls) opens a plain TCP association when the role's connect action says
// `tls: false` (a registrar's keep-alive association to a pool element while its ENRP peer
// associations run TLS). Certificates are made at run time with openssl.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Driver } from "../../adapters/driver.ts";
import { currentRuntime } from "../../adapters/current.ts";
import { RecordingRole } from "../runtime/_roles.ts";
import { opensslMissing, REQUIRE_SYSTEM_TOOLS, TestCa } from "./_certs.ts";
import { until } from "./_procs.ts";

const missing = opensslMissing();
const skip = missing !== undefined && !REQUIRE_SYSTEM_TOOLS
  ? `${missing}; RSERPOOL_REQUIRE_SYSTEM_TOOLS=1 makes this a failure`
  : false;

test(
  "Driver with tls: connects over TLS by default and over plain TCP for a connect action with tls: false",
  { skip },
  async () => {
    if (missing !== undefined) assert.fail(`${missing} but RSERPOOL_REQUIRE_SYSTEM_TOOLS=1`);
    const ca = new TestCa();
    const runtime = await currentRuntime();
    const read = (f: string) => readFileSync(f, "utf8");
    const serverCert = ca.issue("server");
    const clientCert = ca.issue("client");
    const server = new Driver(runtime, new RecordingRole(true));
    const clientRole = new RecordingRole(false);
    const client = new Driver(runtime, clientRole, {
      tls: { cert: read(clientCert.cert), key: read(clientCert.key), ca: read(ca.ca.cert) },
    });
    try {
      const secure = await server.listen("secure", {
        hostname: "127.0.0.1",
        port: 0,
        tls: { cert: read(serverCert.cert), key: read(serverCert.key), ca: read(ca.ca.cert) },
      });
      const plain = await server.listen("plain", { hostname: "127.0.0.1", port: 0 });
      const a = clientRole.connect([{ address: "127.0.0.1", port: secure.port }]);
      const b = clientRole.connect([{ address: "127.0.0.1", port: plain.port }], { tls: false });
      const c = clientRole.connect([{ address: "127.0.0.1", port: plain.port }]); // TLS to plain
      client.flush();
      await until(
        () => clientRole.ups.has(a) && clientRole.ups.has(b) && clientRole.downs.has(c),
        15000,
        "two associations up and one refused",
      );
      assert.equal(clientRole.ups.get(a)?.peerIdentity?.commonName, "server");
      assert.equal(clientRole.ups.get(b)?.peerIdentity, undefined);
      assert.equal(clientRole.ups.has(c), false);
    } finally {
      await client.close();
      await server.close();
      ca.remove();
    }
  },
);
