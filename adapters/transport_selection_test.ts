import { test } from "node:test";
import assert from "node:assert/strict";
import {
  classifySctpSocket,
  type KernelSctpStatus,
  noFfiKernelSctp,
  selectConnectTransports,
  selectListenTransports,
} from "./transport_selection.ts";
import { TransportError } from "./runtime.ts";

const PROBES: Record<string, KernelSctpStatus> = {
  available: { kind: "available", detail: "socket() succeeded" },
  unsupported: classifySctpSocket(-1, 93, "test"),
  noFfi: noFfiKernelSctp(),
  noPermission: { kind: "no-permission", detail: "FFI needs --allow-ffi" },
  error: classifySctpSocket(-1, 24, "test"),
};

test("classifySctpSocket() reads the probe's fd and errno", () => {
  assert.equal(classifySctpSocket(3, 0, "x").kind, "available");
  const u = classifySctpSocket(-1, 93, "Deno");
  assert.equal(u.kind, "unsupported");
  assert.equal(u.kind === "unsupported" && u.errno, 93);
  assert.match(u.detail, /EPROTONOSUPPORT/);
  assert.equal(classifySctpSocket(-1, 13, "Bun").kind, "error");
});

test("selectConnectTransports() and selectListenTransports() pass tcp and sctp-udp through whatever the probe says", () => {
  for (const probe of Object.values(PROBES)) {
    assert.deepEqual(selectConnectTransports("tcp", probe).transports, ["tcp"]);
    assert.deepEqual(selectConnectTransports("sctp-udp", probe).transports, ["sctp-udp"]);
    assert.deepEqual(selectListenTransports("sctp-udp", probe).transports, ["sctp-udp"]);
    assert.deepEqual(selectListenTransports(["tcp", "sctp-udp", "tcp"], probe).transports, [
      "tcp",
      "sctp-udp",
    ]);
  }
});

test("auto means SCTP over UDP, then TCP, and names what the kernel probe found", () => {
  for (const [name, probe] of Object.entries(PROBES)) {
    const c = selectConnectTransports("auto", probe);
    assert.deepEqual(c.transports, ["sctp-udp", "tcp"], name);
    assert.ok(c.note.includes(probe.detail), `${name}: ${c.note}`);
    const l = selectListenTransports("auto", probe);
    assert.deepEqual(l.transports, ["sctp-udp", "tcp"], name);
    assert.ok(l.note.includes(probe.detail), `${name}: ${l.note}`);
  }
  assert.match(
    selectConnectTransports("auto", PROBES.available!).note,
    /drives SCTP over UDP only/,
  );
});

test("an explicit kernel sctp fails with the reason: no SCTP in the kernel, no FFI, or no data path", () => {
  const code = (probe: KernelSctpStatus) => {
    try {
      selectConnectTransports("sctp", probe);
    } catch (e) {
      assert.ok(e instanceof TransportError);
      assert.throws(() => selectListenTransports(["sctp"], probe), TransportError);
      return e.code;
    }
    assert.fail("sctp was accepted");
  };
  assert.equal(code(PROBES.unsupported!), "EPROTONOSUPPORT");
  assert.equal(code(PROBES.noFfi!), "ENOTSUP");
  assert.equal(code(PROBES.noPermission!), "ENOTSUP");
  assert.equal(code(PROBES.available!), "ENOTSUP"); // the kernel has it; this release does not drive it
});

test("selectListenTransports() refuses an empty list and unknown names", () => {
  assert.throws(() => selectListenTransports([], PROBES.noFfi!), RangeError);
  assert.throws(
    () => selectListenTransports(["quic" as "tcp"], PROBES.noFfi!),
    /Invalid transport: "quic"/,
  );
});
