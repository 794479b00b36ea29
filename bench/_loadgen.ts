// Load generator of bench/registrar_tcp.ts (a separate process, so the registrar's process does
// only registrar work). Closed loop: C connections, each with W requests in flight; a response
// sends the next request. Prints JSON lines on stdout: {"phase":"measure"} when the measured
// interval starts, then the result.
//
//   bun bench/_loadgen.ts MODE HOST:PORT CONNECTIONS WINDOW WARMUP_MS DURATION_MS
//
// Modes: asap-hr (Handle Resolution of BenchPool, framing shim, NG profile), asap-reg
// (Registration of 1000 PEs per connection, cycling, the load changing every round), etcd-range
// (prefix get of /rserpool/BenchPool/ through etcd's JSON gateway, HTTP/1.1), etcd-put
// (lease-bound put of 1000 keys per connection, cycling, JSON gateway), etcd-grpc-range and
// etcd-grpc-put (the same as native gRPC unary calls over HTTP/2, node:http2, hand-encoded
// protobuf). Requests are precomputed bytes; responses are parsed only as far as framing (shim
// frame header, HTTP status and length, gRPC status) and their type is checked.

import http2 from "node:http2";
import net from "node:net";
import process from "node:process";
import { encodeFrame, encodeHello, FrameType } from "../core/transport/frame.ts";
import { policyParameter, PolicyType } from "../core/wire/policy_parameter.ts";
import { PPID_ASAP_NG } from "../core/wire/profile.ts";
import { WireEncoder } from "../core/wire/wire_encoder.ts";

type Mode =
  | "asap-hr"
  | "asap-reg"
  | "etcd-range"
  | "etcd-put"
  | "etcd-grpc-range"
  | "etcd-grpc-put";

const [modeArg, target, cArg, wArg, warmArg, durArg] = process.argv.slice(2);
const mode = modeArg as Mode;
const [host, portText] = [
  target!.slice(0, target!.lastIndexOf(":")),
  target!.slice(target!.lastIndexOf(":") + 1),
];
const port = Number(portText);
const CONNECTIONS = Number(cArg), WINDOW = Number(wArg);
const WARMUP = Number(warmArg), DURATION = Number(durArg);
const PES_PER_CONNECTION = 1000;
/** PEs of the pool the asap-hr mode resolves (round robin, 3 per answer). */
const SEEDED_PES = 10;
export const BENCH_POOL = "BenchPool";

const encoder = new WireEncoder({ profile: "ng" });
const text = new TextEncoder();

function asapFrame(message: Parameters<WireEncoder["encodeAsap"]>[0]): Uint8Array {
  return encodeFrame(FrameType.Data, 0, PPID_ASAP_NG, encoder.encodeAsap(message).slice());
}

function registrationFrame(
  id: bigint,
  port: number,
  load: number,
  pool = BENCH_POOL + "-reg",
): Uint8Array {
  return asapFrame({
    type: "registration",
    poolHandle: text.encode(pool),
    poolElement: {
      id,
      homeRegistrarId: 0n,
      registrationLife: 90000,
      userTransport: { protocol: "tcp", port, transportUse: "data", addresses: ["127.0.0.1"] },
      policy: policyParameter(PolicyType.LeastUsed, { load }),
    },
  });
}

function seedFrame(k: number): Uint8Array {
  return asapFrame({
    type: "registration",
    poolHandle: text.encode(BENCH_POOL),
    poolElement: {
      id: BigInt(k + 1),
      homeRegistrarId: 0n,
      registrationLife: 90000,
      userTransport: {
        protocol: "tcp",
        port: 20000 + k,
        transportUse: "data",
        addresses: ["127.0.0.1"],
      },
      policy: policyParameter(PolicyType.RoundRobin),
    },
  });
}

function b64(s: string): string {
  return btoa(s);
}

function httpPost(path: string, body: string): Uint8Array {
  return text.encode(
    `POST ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${
      text.encode(body).length
    }\r\n\r\n${body}`,
  );
}

/** The requests a connection cycles through. */
function requests(conn: number, lease: string | undefined): Uint8Array[] {
  switch (mode) {
    case "asap-hr":
      return [asapFrame({ type: "handle-resolution", poolHandle: text.encode(BENCH_POOL) })];
    case "asap-reg": {
      const out: Uint8Array[] = [];
      for (const load of [0x10000000, 0x20000000]) {
        for (let k = 0; k < PES_PER_CONNECTION; k++) {
          out.push(registrationFrame(BigInt(conn * 1_000_000 + k + 1), 10000 + k, load + k));
        }
      }
      return out;
    }
    case "etcd-range": {
      const prefix = `/rserpool/${BENCH_POOL}/`;
      const end = prefix.slice(0, -1) +
        String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
      return [httpPost("/v3/kv/range", JSON.stringify({ key: b64(prefix), range_end: b64(end) }))];
    }
    case "etcd-grpc-range":
    case "etcd-grpc-put":
      return [];
    case "etcd-put": {
      const out: Uint8Array[] = [];
      for (const load of [0x10000000, 0x20000000]) {
        for (let k = 0; k < PES_PER_CONNECTION; k++) {
          const id = conn * 1_000_000 + k + 1;
          const value = JSON.stringify({
            id: String(id),
            transport: { protocol: "tcp", port: 10000 + k, addresses: ["127.0.0.1"] },
            policy: { type: "LeastUsed", load: load + k },
          });
          out.push(httpPost(
            "/v3/kv/put",
            JSON.stringify({
              key: b64(`/rserpool/${BENCH_POOL}-reg/${id}`),
              value: b64(value),
              lease,
            }),
          ));
        }
      }
      return out;
    }
  }
}

let measuring = false;
let completed = 0;
let failed = 0;
const latencies = new Float64Array(4_000_000);
let samples = 0;

class Connection {
  readonly #socket: net.Socket;
  readonly #requests: Uint8Array[];
  #next = 0;
  readonly #sent: number[] = [];
  #sentHead = 0;
  #buffer: Uint8Array = new Uint8Array(0);
  #stopped = false;
  readonly #shim: boolean;
  readonly #once: boolean;
  /** Responses received (counted always; for the seeder). */
  responses = 0;

  constructor(requestList: Uint8Array[], ready: () => void, once = false) {
    this.#requests = requestList;
    this.#once = once;
    this.#shim = mode.startsWith("asap");
    this.#socket = net.connect({ host, port }, () => {
      this.#socket.setNoDelay(true);
      const first: Uint8Array[] = [];
      if (this.#shim) first.push(encodeHello(1 << 20));
      const n = once ? requestList.length : WINDOW;
      for (let i = 0; i < n; i++) first.push(this.#take());
      this.#socket.write(concat(first));
      ready();
    });
    this.#socket.on("data", (chunk: Uint8Array) => this.#data(chunk));
    this.#socket.on("error", (e) => {
      if (!this.#stopped) {
        process.stderr.write(`loadgen: connection error: ${e.message}\n`);
        process.exit(2);
      }
    });
    this.#socket.on("close", () => {
      if (!this.#stopped) {
        process.stderr.write(`loadgen: connection closed by the server\n`);
        process.exit(2);
      }
    });
  }

  #take(): Uint8Array {
    const r = this.#requests[this.#next]!;
    this.#next = (this.#next + 1) % this.#requests.length;
    this.#sent.push(performance.now());
    return r;
  }

  #data(chunk: Uint8Array): void {
    let buf = chunk;
    if (this.#buffer.length > 0) {
      buf = new Uint8Array(this.#buffer.length + chunk.length);
      buf.set(this.#buffer);
      buf.set(chunk, this.#buffer.length);
    }
    let offset = 0;
    const out: Uint8Array[] = [];
    for (;;) {
      const used = this.#shim ? this.#frame(buf, offset, out) : this.#http(buf, offset, out);
      if (used === 0) break;
      offset += used;
    }
    this.#buffer = offset === buf.length ? new Uint8Array(0) : buf.slice(offset);
    if (out.length > 0 && !this.#stopped) {
      this.#socket.write(out.length === 1 ? out[0]! : concat(out));
    }
  }

  /** One shim frame at offset: its size, or 0 when incomplete. */
  #frame(buf: Uint8Array, offset: number, out: Uint8Array[]): number {
    if (buf.length - offset < 12) return 0;
    const length = ((buf[offset + 8]! << 24) | (buf[offset + 9]! << 16) | (buf[offset + 10]! << 8) |
      buf[offset + 11]!) >>> 0;
    const end = offset + 12 + length;
    if (buf.length < end) return 0;
    const type = buf[offset]!;
    if (type === FrameType.Data) {
      const asapType = buf[offset + 12]!;
      const flags = buf[offset + 13]!;
      const ok = mode === "asap-hr" && !this.#once
        ? asapType === 0x06 && length > 24
        : asapType === 0x03 && (flags & 0x01) === 0;
      this.#response(ok, out);
    } else if (type === FrameType.Heartbeat) {
      out.push(encodeFrame(FrameType.HeartbeatAck, 0, 0, buf.slice(offset + 12, end)));
    } else if (type === FrameType.Abort) {
      process.stderr.write(
        `loadgen: ABORT from the server: ${
          new TextDecoder().decode(buf.subarray(offset + 14, end))
        }\n`,
      );
      process.exit(2);
    }
    return end - offset;
  }

  /** One HTTP response at offset: its size, or 0 when incomplete. */
  #http(buf: Uint8Array, offset: number, out: Uint8Array[]): number {
    let headerEnd = -1;
    for (let i = offset; i + 3 < buf.length; i++) {
      if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) {
        headerEnd = i + 4;
        break;
      }
    }
    if (headerEnd < 0) return 0;
    const head = new TextDecoder().decode(buf.subarray(offset, headerEnd));
    const m = /content-length:\s*(\d+)/i.exec(head);
    let end: number;
    if (m !== null) {
      end = headerEnd + Number(m[1]);
      if (buf.length < end) return 0;
    } else if (/transfer-encoding:\s*chunked/i.test(head)) {
      const e = chunkedEnd(buf, headerEnd);
      if (e === undefined) return 0;
      end = e;
    } else throw new Error(`HTTP response without a length: ${head}`);
    this.#response(head.startsWith("HTTP/1.1 200"), out);
    return end - offset;
  }

  #response(ok: boolean, out: Uint8Array[]): void {
    this.responses++;
    if (this.#once) {
      if (!ok) {
        process.stderr.write("loadgen: a seeding registration was refused\n");
        process.exit(2);
      }
      return;
    }
    const sentAt = this.#sent[this.#sentHead++]!;
    if (this.#sentHead > 4096) {
      this.#sent.splice(0, this.#sentHead);
      this.#sentHead = 0;
    }
    if (measuring) {
      if (ok) {
        completed++;
        if (samples < latencies.length) latencies[samples++] = performance.now() - sentAt;
      } else failed++;
    }
    if (!this.#stopped) out.push(this.#take());
  }

  stop(): void {
    this.#stopped = true;
    this.#socket.destroy();
  }
}

function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function bytesField(tag: number, b: Uint8Array): number[] {
  return [tag, ...varint(BigInt(b.length)), ...b];
}

/** A gRPC message: 0 (not compressed), u32 length, the protobuf bytes. */
function grpcMessage(fields: number[]): Uint8Array {
  const out = new Uint8Array(5 + fields.length);
  new DataView(out.buffer).setUint32(1, fields.length);
  out.set(fields, 5);
  return out;
}

/** etcdserverpb.RangeRequest{key=1, range_end=2} and PutRequest{key=1, value=2, lease=3}. */
function grpcRequests(
  conn: number,
  lease: string | undefined,
): { path: string; body: Uint8Array }[] {
  if (mode === "etcd-grpc-range") {
    const prefix = `/rserpool/${BENCH_POOL}/`;
    const end = prefix.slice(0, -1) + "0";
    return [{
      path: "/etcdserverpb.KV/Range",
      body: grpcMessage([
        ...bytesField(0x0a, text.encode(prefix)),
        ...bytesField(0x12, text.encode(end)),
      ]),
    }];
  }
  const out: { path: string; body: Uint8Array }[] = [];
  for (const load of [0x10000000, 0x20000000]) {
    for (let k = 0; k < PES_PER_CONNECTION; k++) {
      const id = conn * 1_000_000 + k + 1;
      const value = JSON.stringify({
        id: String(id),
        transport: { protocol: "tcp", port: 10000 + k, addresses: ["127.0.0.1"] },
        policy: { type: "LeastUsed", load: load + k },
      });
      out.push({
        path: "/etcdserverpb.KV/Put",
        body: grpcMessage([
          ...bytesField(0x0a, text.encode(`/rserpool/${BENCH_POOL}-reg/${id}`)),
          ...bytesField(0x12, text.encode(value)),
          0x18,
          ...varint(BigInt(lease!)),
        ]),
      });
    }
  }
  return out;
}

/** One HTTP/2 session with W gRPC calls in flight. */
class GrpcConnection {
  readonly #session: http2.ClientHttp2Session;
  readonly #requests: { path: string; body: Uint8Array }[];
  #next = 0;
  #stopped = false;
  responses = 0;

  constructor(requestList: { path: string; body: Uint8Array }[], ready: () => void) {
    this.#requests = requestList;
    this.#session = http2.connect(`http://${host}:${port}`);
    this.#session.on("error", (e) => {
      if (this.#stopped) return;
      process.stderr.write(`loadgen: HTTP/2 session error: ${e.message}\n`);
      process.exit(2);
    });
    this.#session.once("connect", () => {
      for (let i = 0; i < WINDOW; i++) this.#call();
      ready();
    });
  }

  #call(): void {
    if (this.#stopped) return;
    const r = this.#requests[this.#next]!;
    this.#next = (this.#next + 1) % this.#requests.length;
    const sentAt = performance.now();
    const stream = this.#session.request({
      ":method": "POST",
      ":path": r.path,
      "content-type": "application/grpc",
      te: "trailers",
    });
    let status: unknown;
    stream.on("response", (h) => (status = h["grpc-status"] ?? status));
    stream.on("trailers", (t) => (status = t["grpc-status"]));
    stream.on("data", () => {});
    stream.on("error", () => {});
    stream.on("close", () => {
      if (this.#stopped) return;
      this.responses++;
      if (measuring) {
        if (status === "0") {
          completed++;
          if (samples < latencies.length) latencies[samples++] = performance.now() - sentAt;
        } else failed++;
      }
      this.#call();
    });
    stream.end(r.body);
  }

  stop(): void {
    this.#stopped = true;
    this.#session.destroy();
  }
}

/** The end of a chunked body starting at `at`, or `undefined` when incomplete. */
function chunkedEnd(buf: Uint8Array, at: number): number | undefined {
  let i = at;
  for (;;) {
    let lineEnd = i;
    while (lineEnd + 1 < buf.length && !(buf[lineEnd] === 13 && buf[lineEnd + 1] === 10)) lineEnd++;
    if (lineEnd + 1 >= buf.length) return undefined;
    const size = parseInt(new TextDecoder().decode(buf.subarray(i, lineEnd)), 16);
    const dataEnd = lineEnd + 2 + size + 2; // data and its CRLF
    if (dataEnd > buf.length) return undefined;
    if (size === 0) return dataEnd;
    i = dataEnd;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function grantLease(): Promise<string> {
  const r = await fetch(`http://${host}:${port}/v3/lease/grant`, {
    method: "POST",
    body: JSON.stringify({ TTL: 3600 }),
  });
  const j = await r.json() as { ID: string };
  return j.ID;
}

const connections: { stop(): void }[] = [];
let ready = 0;
if (mode === "asap-hr") {
  // The pool to resolve: 10 PEs registered over one association that stays open.
  const seeds: Uint8Array[] = [];
  for (let k = 0; k < SEEDED_PES; k++) seeds.push(seedFrame(k));
  const seeder = new Connection(seeds, () => {}, true);
  connections.push(seeder);
  while (seeder.responses < SEEDED_PES) await new Promise((r) => setTimeout(r, 5));
}
if (mode === "etcd-range" || mode === "etcd-grpc-range") {
  // The same pool in etcd: 10 keys under the prefix.
  for (let k = 0; k < SEEDED_PES; k++) {
    const value = JSON.stringify({
      id: String(k + 1),
      transport: { protocol: "tcp", port: 20000 + k, addresses: ["127.0.0.1"] },
      policy: { type: "RoundRobin" },
    });
    const r = await fetch(`http://${host}:${port}/v3/kv/put`, {
      method: "POST",
      body: JSON.stringify({ key: b64(`/rserpool/${BENCH_POOL}/${k + 1}`), value: b64(value) }),
    });
    if (!r.ok) throw new Error(`etcd put failed: ${r.status}`);
    await r.arrayBuffer();
  }
}
for (let c = 0; c < CONNECTIONS; c++) {
  const lease = mode === "etcd-put" || mode === "etcd-grpc-put" ? await grantLease() : undefined;
  if (mode.startsWith("etcd-grpc")) {
    connections.push(new GrpcConnection(grpcRequests(c, lease), () => ready++));
  } else connections.push(new Connection(requests(c, lease), () => ready++));
}
while (ready < CONNECTIONS) await new Promise((r) => setTimeout(r, 5));
await new Promise((r) => setTimeout(r, WARMUP));
measuring = true;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
process.stdout.write(JSON.stringify({ phase: "measure" }) + "\n");
await new Promise((r) => setTimeout(r, DURATION));
measuring = false;
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
for (const c of connections) c.stop();
const sorted = latencies.subarray(0, samples).sort();
const pct = (p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
process.stdout.write(
  JSON.stringify({
    phase: "result",
    mode,
    completed,
    failed,
    seconds,
    perSecond: completed / seconds,
    p50: pct(0.5),
    p99: pct(0.99),
    loadgenCpuSeconds: (cpu.user + cpu.system) / 1e6,
  }) + "\n",
);
process.exit(0);
