// The transport conformance suite: the same cases against every runtime adapter (Deno, Bun,
// Node), over loopback only. Each case registers a flat `test()`; `transport_test.ts` picks
// the adapter of the runtime it runs on. Timing assertions are bounds with generous slack and
// every wait is a bounded poll, so a noisy 2-core machine does not make them flaky.

import { test } from "node:test";
import assert from "node:assert/strict";
import { AbortCause } from "../../core/transport/abort_cause.ts";
import {
  type AbortInfo,
  decodeAbort,
  decodeFrame,
  encodeFrame,
  encodeHello,
  type Frame,
  FrameType,
} from "../../core/transport/frame.ts";
import type { AssociationId } from "../../core/role.ts";
import { Driver, type DriverOptions, type ListenAddress } from "../../adapters/driver.ts";
import type {
  Runtime,
  StreamCloseReason,
  StreamSocket,
  TransportAddress,
} from "../../adapters/runtime.ts";
import { RecordingRole } from "./_roles.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `cond` every 5 ms until it holds or `ms` pass; fails the test with `what` on timeout, and
 * with what `state` returns then, when given.
 */
export async function waitFor(
  cond: () => boolean,
  ms: number,
  what: string,
  state?: () => unknown,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) {
      // The state at the deadline, so a rare failure in CI says where it stood.
      const seen = state === undefined ? "" : `; state: ${JSON.stringify(state())}`;
      assert.fail(`Timed out after ${ms} ms waiting for ${what}${seen}`);
    }
    await sleep(5);
  }
}

/** A raw TCP peer that speaks bytes, not the shim: for misbehaving-peer cases. */
class RawPeer {
  socket!: StreamSocket;
  received: Uint8Array[] = [];
  ended = false;
  closed: StreamCloseReason | undefined;

  static async connect(defer: Defer, runtime: Runtime, to: TransportAddress): Promise<RawPeer> {
    const peer = new RawPeer();
    defer(() => peer.socket?.destroy());
    peer.socket = await runtime.connectTcp({ hostname: to.address, port: to.port }, () => ({
      data: (bytes) => peer.received.push(bytes),
      drain: () => {},
      end: () => {
        peer.ended = true;
      },
      close: (reason) => {
        peer.closed = reason;
      },
    }));
    return peer;
  }

  /** The complete frames received so far. */
  frames(): Frame[] {
    const all = new Uint8Array(this.received.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.received) {
      all.set(c, at);
      at += c.length;
    }
    const frames: Frame[] = [];
    for (let off = 0;;) {
      const r = decodeFrame(all, off, 0xffffffff);
      if (r.kind !== "frame") break;
      frames.push(r.frame);
      off += r.consumed;
    }
    return frames;
  }

  abort(): AbortInfo | undefined {
    const f = this.frames().find((f) => f.type === FrameType.Abort);
    return f === undefined ? undefined : decodeAbort(f.payload);
  }
}

/** The transports the generic cases run over. */
export const KINDS = ["tcp", "sctp-udp"] as const;
export type Kind = typeof KINDS[number];

export async function serve(
  defer: Defer,
  runtime: Runtime,
  hostname = "127.0.0.1",
  options: DriverOptions<string> = {},
  listen: { maxAssociations?: number } = {},
  kind: Kind = "tcp",
) {
  const role = new RecordingRole(true);
  const driver = new Driver(runtime, role, options);
  defer(() => driver.close());
  const address = await driver.listen("main", {
    hostname,
    port: 0,
    ...listen,
    ...(kind === "tcp" ? {} : { transport: kind, udpPort: 0 }),
  });
  return { role, driver, address };
}

/** Connect options reaching a listener over `kind` (SCTP over UDP names the UDP port). */
export function via(kind: Kind, address: ListenAddress) {
  return kind === "tcp" ? {} : { transport: kind, udpPort: address.udp!.port };
}

export function client(defer: Defer, runtime: Runtime, options: DriverOptions<string> = {}) {
  const role = new RecordingRole(false);
  const driver = new Driver(runtime, role, options);
  defer(() => driver.close());
  return { role, driver };
}

/** Byte equality without node:assert's (slow, huge) diff of large arrays. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

export type Defer = (cleanup: () => unknown) => void;

/** A flat test whose `defer`red cleanups run even when it fails, so no socket outlives it. */
export function tcase(title: string, body: (defer: Defer) => Promise<void> | void): void {
  test(title, async () => {
    const cleanups: (() => unknown)[] = [];
    try {
      await body((cleanup) => cleanups.push(cleanup));
    } finally {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch {
          // Best effort: the test's own outcome is what matters.
        }
      }
    }
  });
}

/** Registers every case for `runtime`. */
export function transportSuite(runtime: Runtime): void {
  const name = runtime.name;

  tcase(
    `Runtime.now() (${name}) is monotonic and a timer fires no earlier than its deadline`,
    async () => {
      let last = runtime.now();
      for (let i = 0; i < 10000; i++) {
        const t = runtime.now();
        assert.ok(t >= last);
        last = t;
      }
      let firedAt = -1;
      const timer = runtime.createTimer(() => {
        firedAt = runtime.now();
      });
      const at = runtime.now() + 30;
      timer.set(runtime.now() + 10_000);
      timer.set(at); // re-arming replaces the earlier deadline
      await waitFor(() => firedAt >= 0, 5000, "the timer");
      assert.ok(firedAt >= at, `fired at ${firedAt}, deadline ${at}`);
      const cleared = runtime.createTimer(() => assert.fail("a cleared timer fired"));
      cleared.set(runtime.now() + 5);
      cleared.clear();
      await sleep(30);
    },
  );

  tcase(`Runtime.randomBytes() (${name}) returns distinct random bytes`, () => {
    const a = runtime.randomBytes(32), b = runtime.randomBytes(100000);
    assert.equal(a.length, 32);
    assert.equal(b.length, 100000);
    assert.notDeepEqual(a, b.subarray(0, 32));
    assert.ok(new Set(b).size > 200);
  });

  for (const kind of KINDS) {
    for (const host of ["127.0.0.1", "::1"]) {
      tcase(
        `Driver (${name}) echoes messages over ${kind} on ${host} in order with PPID and stream`,
        async (defer) => {
          const server = await serve(defer, runtime, host, {}, {}, kind);
          const c = client(defer, runtime);
          const id = c.role.connect([server.address], via(kind, server.address));
          const sent: [number, number, Uint8Array][] = [];
          for (let i = 0; i < 500; i++) {
            const m: [number, number, Uint8Array] = [
              i % 3 === 0 ? 11 : 0x4e474153 + (i % 2),
              i % 7,
              bytes(1 + ((i * 97) % 3000), i),
            ];
            sent.push(m);
            c.role.send(id, ...m);
          }
          c.driver.flush();
          await waitFor(() => c.role.messages.length === 500, 15000, "500 echoed messages");
          // Each stream keeps its order (SCTP orders per stream; TCP orders all streams as one).
          for (let stream = 0; stream < 7; stream++) {
            const got = c.role.messages.filter((m) => m.stream === stream);
            const want = sent.filter((m) => m[1] === stream);
            assert.equal(got.length, want.length, `stream ${stream}`);
            got.forEach((m, i) => {
              assert.equal(m.ppid, want[i]![0], `stream ${stream} message ${i} PPID`);
              assert.ok(equalBytes(m.payload, want[i]![2]), `stream ${stream} message ${i} bytes`);
            });
          }
          const up = c.role.ups.get(id)!;
          assert.equal(up.transport, kind);
          assert.equal(up.remote.address, host);
          assert.equal(up.remote.port, server.address.port);
          assert.equal(up.listener, undefined);
          const serverUp = [...server.role.ups.values()][0]!;
          assert.equal(serverUp.listener, "main");
          assert.equal(serverUp.transport, kind);
          assert.equal(serverUp.remote.port, up.local.port);
          await c.driver.close();
          await waitFor(() => server.role.downs.size === 1, 5000, "the server's down");
          assert.equal([...server.role.downs.values()][0]!.reason, "closed");
          assert.equal(c.role.downs.get(id)?.reason, "closed");
          await server.driver.close();
        },
      );
    }
  }

  for (const kind of KINDS) {
    tcase(
      `Driver (${name}) carries 1 MiB messages over ${kind} and refuses larger ones as too-large`,
      async (defer) => {
        const server = await serve(defer, runtime, "127.0.0.1", {}, {}, kind);
        const c = client(defer, runtime);
        const id = c.role.connect([server.address], via(kind, server.address));
        c.driver.flush();
        await waitFor(() => c.role.ups.has(id), 5000, "association up");
        const big = bytes(1 << 20, 7);
        c.role.send(id, 99, 1, big);
        c.role.send(id, 99, 1, bytes((1 << 20) + 1, 1));
        c.driver.flush();
        assert.deepEqual(c.role.failures, [{ assoc: id, failure: "too-large" }]);
        await waitFor(() => c.role.messages.length === 1, 15000, "the 1 MiB echo");
        assert.deepEqual(c.role.messages[0]!.payload, big);
        await c.driver.close();
        await server.driver.close();
      },
    );
  }

  tcase(
    `Driver (${name}) bounds the send buffer of a slow reader and reports writable later`,
    async (defer) => {
      const hello = encodeHello(1 << 20);
      let slow: StreamSocket | undefined;
      let drained = 0;
      const listener = await runtime.listenTcp({ hostname: "127.0.0.1", port: 0 }, (socket) => {
        slow = socket;
        socket.write(hello);
        socket.pause(); // a reader that stops reading
        return { data: (b) => (drained += b.length), drain() {}, end() {}, close() {} };
      });
      defer(() => {
        listener.close();
        slow?.destroy();
      });
      const maxSendBuffer = 256 * 1024;
      const c = client(defer, runtime, { association: { maxSendBuffer } });
      const id = c.role.connect([listener.local]);
      c.driver.flush();
      await waitFor(() => c.role.ups.has(id), 5000, "association up");
      const chunk = bytes(60000, 3);
      let sent = 0;
      for (let i = 0; i < 4000 && c.role.failures.length === 0; i++) {
        c.role.send(id, 1, 0, chunk);
        c.driver.flush();
        sent++;
        if (i % 8 === 7) await sleep(1);
      }
      assert.deepEqual(c.role.failures[0], { assoc: id, failure: "buffer-full" });
      const queued = c.driver.status(id)!.queuedBytes;
      assert.ok(queued <= maxSendBuffer + 2 * 65536 + 60012, `queued ${queued} bytes`);
      assert.ok(sent < 4000, `${sent} sends before buffer-full`);
      slow!.resume();
      await waitFor(() => c.role.writable.includes(id), 10000, "handleWritable");
      assert.ok(drained > 0);
      // The raw peer never answers a graceful close; dropping it first spares close() its wait.
      slow!.destroy();
      listener.close();
      await c.driver.close();
    },
  );

  tcase(`Driver (${name}) reports a peer's orderly close as down "closed"`, async (defer) => {
    const server = await serve(defer, runtime);
    const raw = await RawPeer.connect(defer, runtime, server.address);
    raw.socket.write(encodeHello(1 << 20));
    await waitFor(() => server.role.ups.size === 1, 5000, "association up");
    raw.socket.end();
    await waitFor(() => server.role.downs.size === 1, 5000, "association down");
    assert.equal([...server.role.downs.values()][0]!.reason, "closed");
    await waitFor(() => raw.closed !== undefined, 5000, "the raw socket to close");
    assert.equal(server.driver.associationCount, 0);
    await server.driver.close();
  });

  tcase(`Driver (${name}) reports a connection reset as down "reset"`, async (defer) => {
    const server = await serve(defer, runtime);
    const raw = await RawPeer.connect(defer, runtime, server.address);
    raw.socket.write(encodeHello(1 << 20));
    await waitFor(() => server.role.ups.size === 1, 5000, "association up");
    const [id] = [...server.role.ups.keys()] as [AssociationId];
    raw.socket.pause();
    // Leave unread bytes in the raw peer's receive queue, so closing it sends a RST.
    server.role.send(id, 1, 0, bytes(200000, 1));
    server.driver.flush();
    await sleep(50);
    raw.socket.destroy();
    await waitFor(() => server.role.downs.size === 1, 5000, "association down");
    const reason = server.role.downs.get(id)!.reason;
    // Deno's Conn.read() reports ECONNRESET as end of stream (README, "Runtimes").
    if (name === "deno") assert.ok(reason === "reset" || reason === "closed", reason);
    else assert.equal(reason, "reset");
    await server.driver.close();
  });

  tcase(`Driver (${name}) detects a silent peer with heartbeats and aborts`, async (defer) => {
    const interval = 300, timeout = 500;
    const server = await serve(defer, runtime, "127.0.0.1", {
      association: { heartbeatInterval: interval, heartbeatTimeout: timeout },
    });
    const raw = await RawPeer.connect(defer, runtime, server.address);
    raw.socket.write(encodeHello(1 << 20)); // then silence: no HEARTBEAT-ACK, nothing
    await waitFor(() => server.role.ups.size === 1, 5000, "association up");
    const upAt = Date.now();
    await waitFor(() => server.role.downs.size === 1, 10000, "peer-dead");
    const elapsed = Date.now() - upAt;
    const down = [...server.role.downs.values()][0]!;
    assert.equal(down.reason, "peer-dead");
    assert.equal(down.cause, AbortCause.HeartbeatTimeout);
    // Never before interval + timeout after the HELLO (slack: upAt is taken when polling saw "up").
    assert.ok(elapsed >= interval + timeout - 250, `dead after ${elapsed} ms`);
    assert.ok(elapsed < interval + timeout + 3000, `dead after ${elapsed} ms`);
    const beats = raw.frames().filter((f) => f.type === FrameType.Heartbeat);
    assert.ok(beats.length >= 1 && beats.length <= 3, `${beats.length} heartbeats`);
    await waitFor(() => raw.abort() !== undefined, 5000, "the ABORT");
    assert.equal(raw.abort()!.cause, AbortCause.HeartbeatTimeout);
    await server.driver.close();
  });

  tcase(`Driver (${name}) answers a 2 GiB frame header with ABORT and closes`, async (defer) => {
    const server = await serve(defer, runtime);
    const raw = await RawPeer.connect(defer, runtime, server.address);
    raw.socket.write(encodeHello(1 << 20));
    raw.socket.write(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 11, 0x80, 0, 0, 0, 1, 2, 3, 4]));
    await waitFor(() => raw.ended || raw.closed !== undefined, 5000, "the server to close");
    assert.equal(raw.abort()?.cause, AbortCause.FrameTooLarge);
    assert.match(raw.abort()!.reason, /2147483648/);
    await waitFor(() => server.role.downs.size === 1, 5000, "association down");
    assert.equal([...server.role.downs.values()][0]!.reason, "protocol-error");
    raw.socket.destroy();
    await server.driver.close();
  });

  tcase(
    `Driver (${name}) answers garbage with ABORT and closes without telling the role`,
    async (defer) => {
      const server = await serve(defer, runtime);
      const raw = await RawPeer.connect(defer, runtime, server.address);
      raw.socket.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: registrar\r\n\r\n"));
      await waitFor(() => raw.ended || raw.closed !== undefined, 5000, "the server to close");
      assert.equal(raw.abort()?.cause, AbortCause.UnknownFrameType);
      assert.equal(raw.frames()[0]?.type, FrameType.Hello);
      assert.equal(server.role.ups.size, 0);
      assert.equal(server.role.downs.size, 0);
      raw.socket.destroy();
      await waitFor(() => server.driver.associationCount === 0, 5000, "cleanup");
      await server.driver.close();
    },
  );

  tcase(
    `Driver (${name}) aborts a slowloris frame after frameTimeout and a mute peer after handshakeTimeout`,
    async (defer) => {
      const server = await serve(defer, runtime, "127.0.0.1", {
        association: { frameTimeout: 600, handshakeTimeout: 400, heartbeatInterval: 200 },
      });
      const mute = await RawPeer.connect(defer, runtime, server.address);
      const slow = await RawPeer.connect(defer, runtime, server.address);
      slow.socket.write(encodeHello(1 << 20));
      const frame = encodeFrame(FrameType.Data, 0, 11, bytes(1000, 1));
      const start = Date.now();
      for (let i = 0; i < 200 && slow.abort() === undefined; i++) {
        slow.socket.write(frame.subarray(i, i + 1)); // one byte every 20 ms: alive, never done
        await sleep(20);
      }
      const elapsed = Date.now() - start;
      assert.equal(slow.abort()?.cause, AbortCause.Timeout);
      assert.match(slow.abort()!.reason, /Frame timeout/);
      assert.ok(elapsed >= 550 && elapsed < 3500, `aborted after ${elapsed} ms`);
      await waitFor(() => mute.abort() !== undefined, 5000, "the mute peer's ABORT");
      assert.match(mute.abort()!.reason, /Handshake timeout/);
      await waitFor(() => server.role.downs.size === 1, 5000, "the slow peer's down");
      assert.equal([...server.role.downs.values()][0]!.reason, "timeout");
      assert.equal(server.role.ups.size, 1); // the mute peer never reached the role
      mute.socket.destroy();
      slow.socket.destroy();
      await server.driver.close();
    },
  );

  for (const kind of KINDS) {
    tcase(
      `Driver (${name}) accepts 2000 idle associations over ${kind} and closes them cleanly`,
      async (defer) => {
        const n = 2000;
        const server = await serve(defer, runtime, "127.0.0.1", {}, { maxAssociations: n }, kind);
        const c = client(defer, runtime);
        const ids: AssociationId[] = [];
        for (let i = 0; i < n; i++) {
          ids.push(c.role.connect([server.address], via(kind, server.address)));
          if (i % 100 === 99) {
            c.driver.flush();
            await sleep(1);
          }
        }
        c.driver.flush();
        await waitFor(() => c.role.ups.size === n, 60000, `${n} associations up (client)`);
        await waitFor(() => server.role.ups.size === n, 30000, `${n} associations up (server)`);
        assert.equal(server.driver.associationCount, n);
        for (const id of ids) c.role.close(id);
        c.driver.flush();
        await waitFor(() => server.role.downs.size === n, 60000, `${n} downs (server)`);
        await waitFor(() => c.role.downs.size === n, 30000, `${n} downs (client)`);
        const bad = [...server.role.downs.values()].filter((d) => d.reason !== "closed");
        assert.deepEqual(bad.slice(0, 3), []);
        assert.ok([...c.role.downs.values()].every((d) => d.reason === "closed"));
        await waitFor(() => server.driver.associationCount === 0, 10000, "server cleanup");
        await c.driver.close();
        await server.driver.close();
      },
    );
  }

  tcase(
    `Driver (${name}) refuses associations beyond maxAssociations with an ABORT`,
    async (defer) => {
      const server = await serve(defer, runtime, "127.0.0.1", {}, { maxAssociations: 3 });
      const c = client(defer, runtime);
      const ids = [1, 2, 3, 4, 5].map(() => c.role.connect([server.address]));
      c.driver.flush();
      await waitFor(() => c.role.ups.size + c.role.downs.size === 5, 10000, "5 outcomes");
      assert.equal(c.role.ups.size, 3);
      const refused = ids.filter((id) => c.role.downs.has(id)).map((id) => c.role.downs.get(id)!);
      assert.equal(refused.length, 2);
      for (const down of refused) {
        assert.equal(down.reason, "peer-abort");
        assert.equal(down.cause, AbortCause.TooManyAssociations);
      }
      assert.equal(server.role.ups.size, 3);
      await c.driver.close();
      await server.driver.close();
    },
  );

  tcase(
    `Driver (${name}) tries endpoints in order and reports connect-failed when none answers`,
    async (defer) => {
      const server = await serve(defer, runtime);
      const gone = await runtime.listenTcp({ hostname: "127.0.0.1", port: 0 }, () => ({
        data() {},
        drain() {},
        end() {},
        close() {},
      }));
      defer(() => gone.close());
      const deadPort = gone.local.port;
      gone.close();
      const dead = { address: "127.0.0.1", port: deadPort };
      const c = client(defer, runtime);
      const ok = c.role.connect([dead, server.address]);
      const failed = c.role.connect([dead]);
      c.role.send(failed, 1, 0, new Uint8Array([1]));
      c.driver.flush();
      await waitFor(() => c.role.ups.has(ok) && c.role.downs.has(failed), 10000, "both outcomes");
      assert.equal(c.role.downs.get(failed)!.reason, "connect-failed");
      assert.deepEqual(c.role.failures, [{ assoc: failed, failure: "closed" }]);
      assert.equal(c.role.ups.get(ok)!.remote.port, server.address.port);
      await c.driver.close();
      await server.driver.close();
    },
  );

  for (const kind of KINDS) {
    tcase(
      `Driver (${name}) delivers every queued message before a graceful close over ${kind} and measures the RTT`,
      async (defer) => {
        const server = await serve(defer, runtime, "127.0.0.1", {}, {}, kind);
        server.role.messages.length = 0;
        const c = client(defer, runtime);
        const id = c.role.connect([server.address], via(kind, server.address));
        for (let i = 0; i < 100; i++) c.role.send(id, 7, 0, bytes(100, i));
        c.role.close(id);
        c.driver.flush();
        await waitFor(() => c.role.downs.has(id), 10000, "the client's down");
        assert.equal(c.role.downs.get(id)!.reason, "closed");
        // The server echoed all 100 before its FIN; a closing association still delivers them.
        assert.equal(c.role.messages.length, 100);
        assert.deepEqual(c.role.messages[99]!.payload, bytes(100, 99));
        await waitFor(() => server.role.downs.size === 1, 5000, "the server's down");
        const s = await serve(defer, runtime, "127.0.0.1", {}, {}, kind);
        const c2 = client(defer, runtime);
        const id2 = c2.role.connect([s.address], via(kind, s.address));
        c2.driver.flush();
        await waitFor(() => c2.role.rtt.length > 0, 5000, "an RTT sample");
        assert.ok(c2.role.rtt[0]!.sample.srtt >= 0 && c2.role.rtt[0]!.sample.srtt < 1000);
        assert.ok(c2.driver.status(id2)!.srtt !== undefined);
        await c2.driver.close();
        await s.driver.close();
        await c.driver.close();
        await server.driver.close();
      },
    );
  }

  for (const host of ["127.0.0.1", "::1"]) {
    tcase(`Driver (${name}) sends and receives UDP datagrams on ${host}`, async (defer) => {
      const a = client(defer, runtime), b = client(defer, runtime);
      const addrA = await a.driver.openChannel("u", { hostname: host, port: 0 });
      const addrB = await b.driver.openChannel("u", { hostname: host, port: 0 });
      a.role.datagram("u", addrB, new Uint8Array([1, 2, 3]));
      a.driver.flush();
      await waitFor(() => b.role.datagrams.length === 1, 5000, "the datagram");
      assert.deepEqual(b.role.datagrams[0], {
        channel: "u",
        from: addrA,
        payload: new Uint8Array([1, 2, 3]),
      });
      assert.throws(() => a.driver.run(() => a.role.datagram("nope", addrB, new Uint8Array(1))));
      await a.driver.close();
      await b.driver.close();
    });
  }

  tcase(
    `Driver (${name}) sends and receives multicast on loopback (239.0.0.50, TTL 1)`,
    async (defer) => {
      const receiver = client(defer, runtime), sender = client(defer, runtime);
      const { port } = await receiver.driver.openChannel("announce", {
        hostname: "0.0.0.0",
        port: 0,
        reuseAddress: true,
        join: ["239.0.0.50"],
        multicastInterface: "127.0.0.1",
      });
      // A second receiver on the same port (several pool elements on one host).
      const second = client(defer, runtime);
      await second.driver.openChannel("announce", {
        hostname: "0.0.0.0",
        port,
        reuseAddress: true,
        join: ["239.0.0.50"],
        multicastInterface: "127.0.0.1",
      });
      await sender.driver.openChannel("announce", {
        hostname: "127.0.0.1",
        port: 0,
        multicastInterface: "127.0.0.1",
        multicastTtl: 1,
        multicastLoopback: true,
      });
      const payload = new TextEncoder().encode("server announce");
      for (let i = 0; i < 50 && receiver.role.datagrams.length === 0; i++) {
        sender.role.datagram("announce", { address: "239.0.0.50", port }, payload);
        sender.driver.flush();
        await sleep(20);
      }
      await waitFor(() => second.role.datagrams.length > 0, 2000, "the second receiver's copy");
      assert.deepEqual(receiver.role.datagrams[0]!.payload, payload);
      assert.equal(receiver.role.datagrams[0]!.from.address, "127.0.0.1");
      await receiver.driver.close();
      await second.driver.close();
      await sender.driver.close();
    },
  );
}
