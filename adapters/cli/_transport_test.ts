import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFlags, UsageError } from "./_args.ts";
import { Logger } from "../log.ts";
import {
  driverTransport,
  logTransportEvent,
  readTransportSettings,
  transportFlags,
} from "./_transport.ts";

const LISTENING = transportFlags("listeners", true);
const CONNECTING = transportFlags("connects", false);

function settings(argv: string[], specs = LISTENING) {
  return readTransportSettings(parseFlags("t", argv, specs));
}

test("readTransportSettings() defaults to TCP and reads --transport, --sctp-udp-port, --sctp-address", () => {
  assert.deepEqual(settings([]), { transport: "tcp", udpPort: undefined, addresses: [] });
  assert.deepEqual(
    settings([
      "--transport",
      "auto",
      "--sctp-udp-port",
      "9899",
      "--sctp-address",
      "127.0.0.1,127.0.0.2",
      "--sctp-address=[::1]",
    ]),
    { transport: "auto", udpPort: 9899, addresses: ["127.0.0.1", "127.0.0.2", "::1"] },
  );
});

test("readTransportSettings() refuses unknown transports, bad ports, --sctp-address over TCP", () => {
  assert.throws(() => settings(["--transport", "quic"]), /--transport must be tcp, sctp-udp/);
  assert.throws(() => settings(["--transport", "sctp-udp", "--sctp-udp-port", "0"]), UsageError);
  assert.throws(() => settings(["--sctp-address", "127.0.0.2"]), /needs --transport sctp-udp/);
  assert.throws(
    () => settings(["--transport", "sctp-udp", "--sctp-address", "nohost"]),
    UsageError,
  );
  // A tool that only connects has no --sctp-udp-port.
  assert.throws(() => settings(["--sctp-udp-port", "9899"], CONNECTING), /unknown option/);
});

test("driverTransport() passes the choice, the UDP port and the addresses to the driver and logs fallbacks", () => {
  let out = "";
  const log = new Logger({ tool: "t", level: "info", format: "json", write: (t) => (out += t) });
  const o = driverTransport(
    { transport: "auto", udpPort: 4000, addresses: ["127.0.0.1", "127.0.0.2"] },
    log,
    "pool-user",
  );
  assert.equal(o.transport, "auto");
  assert.deepEqual(o.sctp, { udpPort: 4000, addresses: ["127.0.0.1", "127.0.0.2"] });
  o.onTransport!({ type: "fallback", assoc: 3, from: "sctp-udp", to: "tcp", detail: "no answer" });
  const line = JSON.parse(out);
  assert.equal(line.event, "transport-fallback");
  assert.equal(line.level, "warn");
  assert.equal(line.role, "pool-user");
  assert.equal(line.to, "tcp");
  out = "";
  logTransportEvent(log, "r", {
    type: "listen",
    listener: "asap",
    transports: ["tcp"],
    note: "tcp as asked",
  });
  assert.equal(out, "", "listener decisions are debug lines (started names them)");
});

test("readTransportSettings() refuses TLS with any transport but TCP (no unencrypted downgrade)", () => {
  const specs = [...LISTENING, { name: "tls-cert", kind: "value", help: "c" } as const];
  assert.throws(
    () => settings(["--transport", "auto", "--tls-cert", "c.pem"], specs),
    /--tls-\* secures TCP only; --transport auto/,
  );
  assert.equal(settings(["--tls-cert", "c.pem"], specs).transport, "tcp");
});
