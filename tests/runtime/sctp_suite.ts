// SCTP over UDP (RFC 6951) cases of the conformance suite, for every runtime adapter: transport
// selection (TCP and SCTP on one port, auto, kernel SCTP), dead peers, restart, garbage,
// multi-homing on loopback, backpressure and refusal. The generic cases of transport_suite.ts
// run over both TCP and SCTP over UDP; these are the ones only SCTP has.

import assert from "node:assert/strict";
import type { AssociationId } from "../../core/role.ts";
import { ChunkType } from "../../core/sctp/chunk_type.ts";
import { idlePeerDeadBound } from "../../core/sctp/options.ts";
import { PacketBuilder } from "../../core/sctp/packet.ts";
import { Driver, type TransportEvent } from "../../adapters/driver.ts";
import type { KernelSctpStatus, Runtime } from "../../adapters/runtime.ts";
import { RecordingRole } from "./_roles.ts";
import { RawSctpPeer } from "./_sctp_peer.ts";
import { bytes, client, equalBytes, serve, tcase, via, waitFor } from "./transport_suite.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fast-failing SCTP timers for the dead-peer cases (bound: 200 + 75 + 50 + 100 + 100 ms). */
const FAST = {
  heartbeatInterval: 200,
  rtoMin: 50,
  rtoMax: 100,
  rtoInitial: 100,
  maxRetransmissions: 2,
};

/** Registers the SCTP cases for `runtime`. */
export function sctpSuite(runtime: Runtime): void {
  const name = runtime.name;

  tcase(
    `Driver (${name}) listens on TCP and SCTP over UDP on the same port number at once`,
    async (defer) => {
      const events: TransportEvent[] = [];
      const role = new RecordingRole(true);
      const server = new Driver(runtime, role, { onTransport: (e) => events.push(e) });
      defer(() => server.close());
      const address = await server.listen("asap", {
        hostname: "127.0.0.1",
        port: 0,
        transport: ["tcp", "sctp-udp"],
        udpPort: 0,
      });
      assert.deepEqual(address.transports, ["tcp", "sctp-udp"]);
      const tcp = client(defer, runtime), sctp = client(defer, runtime);
      const a = tcp.role.connect([address]);
      const b = sctp.role.connect([address], via("sctp-udp", address));
      tcp.role.send(a, 11, 0, new Uint8Array([1]));
      sctp.role.send(b, 11, 0, new Uint8Array([2]));
      tcp.driver.flush();
      sctp.driver.flush();
      await waitFor(
        () => tcp.role.messages.length === 1 && sctp.role.messages.length === 1,
        5000,
        "both echoes",
      );
      const ups = [...role.ups.values()];
      assert.deepEqual(ups.map((u) => u.transport).sort(), ["sctp-udp", "tcp"]);
      assert.ok(ups.every((u) => u.local.port === address.port && u.listener === "asap"));
      assert.equal(tcp.role.ups.get(a)!.transport, "tcp");
      assert.equal(sctp.role.ups.get(b)!.transport, "sctp-udp");
      assert.deepEqual(events[0], {
        type: "listen",
        listener: "asap",
        transports: ["tcp", "sctp-udp"],
        note: "listening on tcp and sctp-udp as asked",
        udp: address.udp,
      });
      assert.equal(
        server.status([...role.ups.keys()].find((k) => role.ups.get(k)!.transport === "sctp-udp")!)!
          .transport,
        "sctp-udp",
      );
    },
  );

  tcase(`Driver (${name}) auto prefers SCTP over UDP and falls back to TCP`, async (defer) => {
    const log: TransportEvent[] = [];
    const both = new Driver(runtime, new RecordingRole(true));
    defer(() => both.close());
    const autoAddress = await both.listen("auto", {
      hostname: "127.0.0.1",
      port: 0,
      transport: "auto",
      udpPort: 0,
    });
    assert.deepEqual(autoAddress.transports, ["sctp-udp", "tcp"]);
    const tcpOnly = await serve(defer, runtime);
    const role = new RecordingRole(false);
    const c = new Driver(runtime, role, {
      transport: "auto",
      onTransport: (e) => log.push(e),
      sctp: { autoFallbackTimeout: 300 },
    });
    defer(() => c.close());
    const viaSctp = role.connect([autoAddress], { udpPort: autoAddress.udp!.port });
    // The TCP-only listener has no SCTP over UDP: nobody answers the INITs on its port.
    const silent = await runtime.bindUdp({ hostname: "127.0.0.1", port: 0 }, {
      message() {},
      error() {},
    });
    defer(() => silent.close());
    const viaTcp = role.connect([tcpOnly.address], { udpPort: silent.local.port });
    role.send(viaTcp, 11, 3, new Uint8Array([7, 7])); // queued while the transport is open
    c.flush();
    await waitFor(() => role.ups.has(viaSctp) && role.messages.length === 1, 5000, "both up");
    assert.equal(role.ups.get(viaSctp)!.transport, "sctp-udp");
    assert.equal(role.ups.get(viaTcp)!.transport, "tcp");
    assert.deepEqual([...role.messages[0]!.payload], [7, 7]);
    const connects = log.filter((e) => e.type === "connect");
    assert.deepEqual(connects.map((e) => e.type === "connect" && [e.assoc, e.transport]), [
      [viaSctp, "sctp-udp"],
      [viaTcp, "tcp"],
    ]);
    const fallback = log.find((e) => e.type === "fallback");
    assert.ok(fallback?.type === "fallback" && fallback.assoc === viaTcp);
    assert.match(fallback.detail, /not up within 300 ms/);
  });

  tcase(
    `Driver (${name}) probes kernel SCTP and refuses an explicit kernel "sctp" it cannot drive`,
    async (defer) => {
      const role = new RecordingRole(false);
      const d = new Driver(runtime, role);
      defer(() => d.close());
      const status: KernelSctpStatus = await d.kernelSctp();
      if (name === "node") assert.equal(status.kind, "no-ffi");
      else {
        // This CI kernel has no SCTP (errno 93); a kernel with SCTP says "available".
        assert.ok(status.kind === "unsupported" || status.kind === "available", status.detail);
        if (status.kind === "unsupported") assert.equal(status.errno, 93);
      }
      const id = role.connect([{ address: "127.0.0.1", port: 9 }], { transport: "sctp" });
      d.flush();
      await waitFor(() => role.downs.has(id), 2000, "the down");
      assert.equal(role.downs.get(id)!.reason, "connect-failed");
      assert.match(role.downs.get(id)!.detail, /Cannot use kernel SCTP/);
      await assert.rejects(
        d.listen("k", { hostname: "127.0.0.1", port: 0, transport: "sctp" }),
        /Cannot use kernel SCTP/,
      );
      // Injected probe results drive the same decision (the logic the kernel path would take).
      const injected = new Driver(runtime, new RecordingRole(false), {
        probeKernelSctp: () =>
          Promise.resolve({ kind: "no-permission", detail: "FFI needs --allow-ffi" }),
      });
      defer(() => injected.close());
      const events: TransportEvent[] = [];
      const other = new Driver(runtime, new RecordingRole(true), {
        probeKernelSctp: () => injected.kernelSctp(),
        onTransport: (e) => events.push(e),
      });
      defer(() => other.close());
      await other.listen("a", { hostname: "127.0.0.1", port: 0, transport: "auto", udpPort: 0 });
      assert.match(events[0]!.type === "listen" ? events[0]!.note : "", /needs --allow-ffi/);
    },
  );

  tcase(
    `Driver (${name}) reports a silent SCTP peer dead within the computed bound`,
    async (defer) => {
      const peer = await RawSctpPeer.bind(runtime, 0, { association: FAST });
      defer(() => peer.close());
      peer.endpoint.listen(4000);
      const role = new RecordingRole(false);
      const d = new Driver(runtime, role, { sctp: { association: FAST } });
      defer(() => d.close());
      const id = role.connect([{ address: "127.0.0.1", port: 4000 }], {
        transport: "sctp-udp",
        udpPort: peer.address.port,
      });
      d.flush();
      await waitFor(() => role.ups.has(id), 5000, "association up");
      await sleep(300); // a heartbeat or two settle the RTO
      peer.muted = true;
      const mutedAt = Date.now();
      await waitFor(() => role.downs.has(id), 10000, "peer-dead");
      const took = Date.now() - mutedAt;
      assert.equal(role.downs.get(id)!.reason, "peer-dead");
      assert.ok(took <= idlePeerDeadBound(FAST, FAST.rtoMax) + 500, `dead after ${took} ms`);
      assert.ok(took >= FAST.rtoMin * 3, `dead after only ${took} ms`);
    },
  );

  tcase(
    `Driver (${name}) reports an SCTP peer restart as down "reset" and a new association`,
    async (defer) => {
      const server = await serve(defer, runtime, "127.0.0.1", {}, {}, "sctp-udp");
      // What the server and the peers saw, for a failure's message.
      const state = (peer: RawSctpPeer) => () => ({
        ups: [...server.role.ups.keys()],
        downs: [...server.role.downs.values()],
        associations: server.driver.associationCount,
        server: server.driver.sctpStats(),
        echoes: peer.messages().length,
      });
      const first = await RawSctpPeer.bind(runtime);
      const udpPort = first.address.port;
      const a1 = first.endpoint.connect(runtime.now(), [server.address.udp!], server.address.port, {
        localPort: 6000,
      });
      first.endpoint.send(runtime.now(), a1.id, 11, 0, new Uint8Array([1]));
      first.flush();
      // 10 s: a lost INIT is sent again after 1 s, then 2 s (RTO.Initial, doubled).
      await waitFor(() => first.messages().length === 1, 10000, "the first echo", state(first));
      first.close(); // the process dies; a new one takes the same UDP and SCTP ports
      let second: RawSctpPeer | undefined;
      let refusal: unknown;
      for (let i = 0; i < 300 && second === undefined; i++) {
        // The closed socket's port is free once the runtime finished closing it.
        second = await RawSctpPeer.bind(runtime, udpPort).catch((e) => {
          refusal = e;
          return sleep(10).then(() => undefined);
        });
      }
      if (second === undefined) assert.fail(`UDP port ${udpPort} stayed in use: ${refusal}`);
      defer(() => second.close());
      const a2 = second.endpoint.connect(
        runtime.now(),
        [server.address.udp!],
        server.address.port,
        {
          localPort: 6000,
        },
      );
      second.endpoint.send(runtime.now(), a2.id, 11, 0, new Uint8Array([2]));
      second.flush();
      await waitFor(
        () => second.messages().length === 1,
        10000,
        "the echo after the restart",
        state(second),
      );
      const [oldId] = [...server.role.downs.keys()] as [AssociationId];
      assert.deepEqual(server.role.downs.get(oldId), {
        reason: "reset",
        cause: 0,
        detail: "Association restarted by the peer",
      });
      assert.equal(server.role.ups.size, 2);
      assert.equal(server.driver.associationCount, 1);
      await server.driver.close(); // while the peer still answers the SHUTDOWN
    },
  );

  tcase(
    `Driver (${name}) ignores garbage datagrams on its SCTP port and keeps serving`,
    async (defer) => {
      const server = await serve(defer, runtime, "127.0.0.1", {}, {}, "sctp-udp");
      const junk = await runtime.bindUdp({ hostname: "127.0.0.1", port: 0 }, {
        message() {},
        error() {},
      });
      defer(() => junk.close());
      const to = server.address.udp!;
      junk.send(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"), to);
      junk.send(runtime.randomBytes(1000), to);
      junk.send(new Uint8Array(3), to);
      const b = new PacketBuilder(100, 5000, server.address.port, 0x1234);
      b.addChunk(ChunkType.Data, 3, new Uint8Array(20));
      const ootb = b.finish();
      junk.send(ootb, to); // valid checksum, no association: answered with ABORT, no state
      const bad = ootb.slice();
      bad[20] = bad[20]! ^ 1;
      junk.send(bad, to);
      await waitFor(() => (server.driver.sctpStats()?.datagrams ?? 0) >= 5, 3000, "the datagrams");
      const stats = server.driver.sctpStats()!;
      assert.equal(stats.badChecksum, 3); // the HTTP text, the random bytes and the flipped bit
      assert.equal(stats.malformed, 1);
      assert.equal(stats.outOfTheBlue, 1);
      assert.equal(server.role.ups.size, 0);
      const c = client(defer, runtime);
      const id = c.role.connect([server.address], via("sctp-udp", server.address));
      c.role.send(id, 11, 0, new Uint8Array([5]));
      c.driver.flush();
      await waitFor(() => c.role.messages.length === 1, 5000, "an echo");
    },
  );

  tcase(
    `Driver (${name}) multi-homes an SCTP association over 127.0.0.1 and 127.0.0.2`,
    async (defer) => {
      const events: TransportEvent[] = [];
      const role = new RecordingRole(true);
      const server = new Driver(runtime, role, {
        sctp: { addresses: ["127.0.0.1", "127.0.0.2"] },
      });
      defer(() => server.close());
      const address = await server.listen("mh", {
        hostname: "127.0.0.1",
        port: 0,
        transport: "sctp-udp",
        udpPort: 0,
      });
      const c = new RecordingRole(false);
      const d = new Driver(runtime, c, {
        onTransport: (e) => events.push(e),
        sctp: { association: { heartbeatInterval: 200 } },
      });
      defer(() => d.close());
      const id = c.connect([address], via("sctp-udp", address));
      d.flush();
      await waitFor(() => c.ups.has(id), 5000, "association up");
      assert.deepEqual(c.ups.get(id)!.peerAddresses, ["127.0.0.1", "127.0.0.2"]);
      await waitFor(
        () =>
          events.some((e) =>
            e.type === "path" && e.address === "127.0.0.2" && e.state === "confirmed"
          ),
        5000,
        "the second path confirmed by a heartbeat",
      );
      assert.deepEqual(d.status(id)!.peerAddresses, ["127.0.0.1", "127.0.0.2"]);
    },
  );

  tcase(
    `Driver (${name}) bounds the SCTP send queue (buffer-full) and reports writable when acked`,
    async (defer) => {
      const server = await serve(defer, runtime, "127.0.0.1", {}, {}, "sctp-udp");
      server.role.messages.length = 0;
      const role = new RecordingRole(false);
      const d = new Driver(runtime, role, { sctp: { association: { maxSendBuffer: 200_000 } } });
      defer(() => d.close());
      const id = role.connect([server.address], via("sctp-udp", server.address));
      d.flush();
      await waitFor(() => role.ups.has(id), 5000, "association up");
      let sent = 0;
      for (; sent < 100 && role.failures.length === 0; sent++) {
        role.send(id, 99, 0, bytes(50_000, sent));
        d.flush();
      }
      assert.deepEqual(role.failures[0], { assoc: id, failure: "buffer-full" });
      assert.ok(sent <= 6, `${sent} accepted`);
      await waitFor(() => role.writable.includes(id), 10000, "handleWritable");
      await waitFor(() => role.messages.length === sent - 1, 10000, "the echoes");
      assert.ok(equalBytes(role.messages[0]!.payload, bytes(50_000, 0)));
    },
  );

  tcase(
    `Driver (${name}) refuses SCTP associations beyond maxAssociations and tries endpoints in order`,
    async (defer) => {
      const server = await serve(
        defer,
        runtime,
        "127.0.0.1",
        {},
        { maxAssociations: 2 },
        "sctp-udp",
      );
      const c = client(defer, runtime);
      const ids = [1, 2, 3, 4].map(() =>
        c.role.connect([server.address], via("sctp-udp", server.address))
      );
      c.driver.flush();
      await waitFor(() => c.role.ups.size + c.role.downs.size === 4, 10000, "4 outcomes");
      assert.equal(c.role.ups.size, 2);
      for (const id of ids.filter((i) => c.role.downs.has(i))) {
        assert.equal(c.role.downs.get(id)!.reason, "connect-failed");
        assert.match(c.role.downs.get(id)!.detail, /Out of Resource/);
      }
      // An SCTP port nobody listens on answers INIT with ABORT: the next endpoint is tried.
      const open = await serve(defer, runtime, "127.0.0.1", {}, {}, "sctp-udp");
      const dead = { address: "127.0.0.1", port: open.address.port + 1 };
      const ok = c.role.connect([dead, open.address], via("sctp-udp", open.address));
      const failed = c.role.connect([dead], via("sctp-udp", open.address));
      c.driver.flush();
      await waitFor(() => c.role.ups.has(ok) && c.role.downs.has(failed), 5000, "both outcomes");
      assert.equal(c.role.downs.get(failed)!.reason, "connect-failed");
      assert.equal(c.role.ups.get(ok)!.remote.port, open.address.port);
    },
  );

  tcase(
    `Driver (${name}) follows the port convention: SCTP over the UDP port of the listener's number, found without being told`,
    async (defer) => {
      const server = new Driver(runtime, new RecordingRole(true));
      defer(() => server.close());
      const address = await server.listen("asap", {
        hostname: "127.0.0.1",
        port: 0,
        transport: "auto",
      });
      assert.equal(address.udp!.port, address.port, "UDP port = SCTP port");
      const sctpOnly = await server.listen("svc", {
        hostname: "127.0.0.1",
        port: 0,
        transport: "sctp-udp",
      });
      assert.equal(sctpOnly.udp!.port, sctpOnly.port);
      const c = client(defer, runtime);
      const a = c.role.connect([address], { transport: "sctp-udp" }); // no udpPort
      const b = c.role.connect([sctpOnly], { transport: "sctp-udp" });
      c.role.send(a, 11, 0, new Uint8Array([1]));
      c.role.send(b, 11, 0, new Uint8Array([2]));
      c.driver.flush();
      await waitFor(() => c.role.messages.length === 2, 5000, "both echoes");
      assert.equal(c.role.ups.get(a)!.transport, "sctp-udp");
      // The local address of a connect from a wildcard socket is the one the peer sees.
      assert.equal(c.role.ups.get(a)!.local.address, "127.0.0.1");
    },
  );

  tcase(
    `Driver (${name}) finds a dead SCTP peer on this host at once by its closed UDP port where the runtime sees ICMP`,
    async (defer) => {
      const peer = await RawSctpPeer.bind(runtime);
      defer(() => peer.close());
      peer.endpoint.listen(4100);
      const role = new RecordingRole(false);
      const d = new Driver(runtime, role); // default timers: heartbeats alone take seconds
      defer(() => d.close());
      const id = role.connect([{ address: "127.0.0.1", port: 4100 }], {
        transport: "sctp-udp",
        udpPort: peer.address.port,
      });
      d.flush();
      await waitFor(() => role.ups.has(id), 5000, "association up");
      peer.close(); // the process is gone (kill -9): no ABORT, the port is closed
      const killedAt = Date.now();
      role.send(id, 11, 0, new Uint8Array([1])); // unanswered: T3-rtx, a path error, a probe
      d.flush();
      if (runtime.connectUdp === undefined) {
        // Deno's node:dgram cannot connect a UDP socket: heartbeats and retransmissions decide.
        assert.equal(name, "deno");
        return;
      }
      await waitFor(() => role.downs.has(id), 3000, "peer-dead");
      const took = Date.now() - killedAt;
      const down = role.downs.get(id)!;
      assert.equal(down.reason, "peer-dead");
      assert.match(down.detail, /ICMP port unreachable/);
      // One RTO (rtoMin 300 ms on loopback) and a probe, instead of 3.9 s of retransmissions.
      assert.ok(took < 1500, `dead after ${took} ms`);
    },
  );

  tcase(
    `Driver (${name}) auto falls back to TCP at once when the peer's UDP port is closed, where the runtime sees ICMP`,
    async (defer) => {
      const tcpOnly = await serve(defer, runtime);
      const log: TransportEvent[] = [];
      const role = new RecordingRole(false);
      const c = new Driver(runtime, role, { transport: "auto", onTransport: (e) => log.push(e) });
      defer(() => c.close());
      const startedAt = Date.now();
      const id = role.connect([tcpOnly.address]); // the convention's UDP port: nobody there
      role.send(id, 11, 0, new Uint8Array([9]));
      c.flush();
      await waitFor(() => role.messages.length === 1, 5000, "the echo over TCP");
      const took = Date.now() - startedAt;
      assert.equal(role.ups.get(id)!.transport, "tcp");
      const fallback = log.find((e) => e.type === "fallback");
      assert.ok(fallback?.type === "fallback");
      if (runtime.connectUdp === undefined) {
        assert.match(fallback.detail, /not up within 2000 ms/);
      } else {
        assert.match(fallback.detail, /ICMP port unreachable/);
        assert.ok(took < 1000, `fell back after ${took} ms`);
      }
    },
  );

  tcase(
    `Driver (${name}) multi-homes a connecting endpoint: 127.0.0.1 and 127.0.0.2 share one UDP port and both become paths`,
    async (defer) => {
      const events: TransportEvent[] = [];
      const role = new RecordingRole(true);
      const server = new Driver(runtime, role, {
        onTransport: (e) => events.push(e),
        sctp: { association: { heartbeatInterval: 200 } },
      });
      defer(() => server.close());
      const address = await server.listen("mh", {
        hostname: "127.0.0.1",
        port: 0,
        transport: "sctp-udp",
      });
      const c = new RecordingRole(false);
      const d = new Driver(runtime, c, { sctp: { addresses: ["127.0.0.1", "127.0.0.2"] } });
      defer(() => d.close());
      const id = c.connect([address], { transport: "sctp-udp" });
      d.flush();
      await waitFor(() => c.ups.has(id) && role.ups.size === 1, 5000, "association up");
      const accepted = [...role.ups.values()][0]!;
      assert.deepEqual(accepted.peerAddresses, ["127.0.0.1", "127.0.0.2"]);
      assert.equal(c.ups.get(id)!.local.address, "127.0.0.1");
      await waitFor(
        () =>
          events.some((e) =>
            e.type === "path" && e.address === "127.0.0.2" && e.state === "confirmed"
          ),
        5000,
        "the server's path to 127.0.0.2 confirmed by a heartbeat",
      );
    },
  );

  tcase(
    `Driver (${name}) serves IPv4 SCTP peers on a dual-stack "::" listener`,
    async (defer) => {
      const role = new RecordingRole(true);
      const server = new Driver(runtime, role);
      defer(() => server.close());
      let address;
      try {
        address = await server.listen("v6", { hostname: "::", port: 0, transport: "sctp-udp" });
      } catch {
        return; // no IPv6 on this host: nothing to test
      }
      const c = client(defer, runtime);
      const id = c.role.connect([{ address: "127.0.0.1", port: address.port }], {
        transport: "sctp-udp",
      });
      c.role.send(id, 11, 0, new Uint8Array([4]));
      c.driver.flush();
      await waitFor(() => c.role.messages.length === 1, 5000, "the echo");
      assert.equal([...role.ups.values()][0]!.remote.address, "127.0.0.1");
    },
  );

  tcase(
    `Driver (${name}) serves one SCTP port from two listeners on 127.0.0.1 and ::1 (a registrar's default ASAP listeners)`,
    async (defer) => {
      const role = new RecordingRole(true);
      const server = new Driver(runtime, role);
      defer(() => server.close());
      const v4 = await server.listen("asap", {
        hostname: "127.0.0.1",
        port: 0,
        transport: "sctp-udp",
      });
      let v6;
      try {
        v6 = await server.listen("asap#2", {
          hostname: "::1",
          port: v4.port,
          transport: "sctp-udp",
        });
      } catch (e) {
        if (!(e instanceof Error) || !/EADDRNOTAVAIL|EAFNOSUPPORT/.test(e.message)) throw e;
        return; // no IPv6 loopback here
      }
      assert.equal(v6.port, v4.port);
      const c = client(defer, runtime);
      const a = c.role.connect([v4], { transport: "sctp-udp" });
      const b = c.role.connect([{ address: "::1", port: v4.port }], { transport: "sctp-udp" });
      c.role.send(a, 11, 0, new Uint8Array([1]));
      c.role.send(b, 11, 0, new Uint8Array([2]));
      c.driver.flush();
      await waitFor(() => c.role.messages.length === 2, 5000, "echoes over both addresses");
      assert.deepEqual(
        [...role.ups.values()].map((u) => u.remote.address).sort(),
        ["127.0.0.1", "::1"],
      );
    },
  );
}
