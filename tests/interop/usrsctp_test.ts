// Interop of rserpool-ng's SCTP over UDP (core/sctp behind the driver) with an independent SCTP
// implementation: usrsctp, through a small C peer (usrsctp_peer.c) built here from Debian's
// libusrsctp-dev. Real ASAP messages (PPID 11, RFC profile, encoded and decoded by core/wire)
// cross in both directions:
//
// 1. usrsctp as the client of rserpool-ng's Registrar: 40 Registrations and a Handle Resolution;
//    the registrar answers 40 Registration Responses and a Handle Resolution Response listing the
//    40 PEs (about 1.6 kB: two DATA chunks from us, reassembled by usrsctp).
// 2. usrsctp as the server, playing a registrar with a canned Handle Resolution Response of 200
//    PEs (about 8 kB: fragmented by usrsctp, reassembled by us), for rserpool-ng's PoolUser.
//
// tshark captures everything on lo (SCTP over UDP port 9899, RFC 6951) and must find no
// malformed packet, no bad CRC32c (checked with -o sctp.checksum:CRC-32C) and no expert error,
// and decode the ASAP messages itself. Needs gcc, pkg-config, libusrsctp-dev, tshark and root
// (to capture); skips with a reason when one is missing, unless RSERPOOL_REQUIRE_SYSTEM_TOOLS=1.

import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import dgram from "node:dgram";
import process from "node:process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ascii, hex, unhex } from "../_hex.ts";
import { currentRuntime } from "../../adapters/current.ts";
import { Driver } from "../../adapters/driver.ts";
import { Registrar, type RegistrarEvent } from "../../core/registrar/mod.ts";
import { PoolUser, type PoolUserEvent } from "../../core/asap/pool_user.ts";
import { SeededRng } from "../../core/rng.ts";
import { decodeAsapMessage } from "../../core/wire/decode.ts";
import type { AsapMessage } from "../../core/wire/asap_message.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";
import type { PoolElementParameter } from "../../core/wire/pool_element_parameter.ts";
import { WireEncoder } from "../../core/wire/wire_encoder.ts";
import { PPID_ASAP } from "../../core/wire/profile.ts";
import { PacketBuilder } from "../../core/sctp/packet.ts";
import { ChunkType } from "../../core/sctp/chunk_type.ts";

const T_BIT = 0x01;

const HERE = dirname(fileURLToPath(import.meta.url));
const UDP_PORT = 9899; // RFC 6951
const SCTP_PORT = 3863; // ASAP
const ECHO = ascii("EchoPool");

function missingTool(): string | undefined {
  if (process.platform !== "linux") return "this test captures on Linux's lo";
  for (
    const [cmd, args] of [["gcc", ["--version"]], ["pkg-config", ["--version"]], ["tshark", [
      "--version",
    ]]] as const
  ) {
    const r = spawnSync(cmd, [...args], { encoding: "utf8" });
    if (r.error !== undefined || r.status !== 0) return `${cmd} is not installed`;
  }
  const pc = spawnSync("pkg-config", ["--exists", "usrsctp"]);
  if (pc.status !== 0) return "libusrsctp-dev is not installed (pkg-config usrsctp)";
  if (process.getuid?.() !== 0) return "capturing on lo needs root";
  return undefined;
}

const missing = missingTool();
const required = process.env.RSERPOOL_REQUIRE_SYSTEM_TOOLS === "1";
const skip = missing !== undefined && !required
  ? `${missing} (apt-get install gcc pkg-config libusrsctp-dev tshark; RSERPOOL_REQUIRE_SYSTEM_TOOLS=1 makes this a failure)`
  : false;

const encoder = new WireEncoder({ profile: "rfc" });
const encode = (m: AsapMessage) => encoder.encode(m).slice();

function pe(id: number, port: number): PoolElementParameter {
  return {
    id: BigInt(id),
    homeRegistrarId: 0n,
    registrationLife: 30_000,
    userTransport: { protocol: "sctp", port, transportUse: "data", addresses: ["127.0.0.1"] },
    policy: policyParameter(PolicyType.RoundRobin),
  };
}

function decode(line: string): { ppid: number; stream: number; message: AsapMessage } {
  const [, ppid, stream, bytes] = line.split(" ");
  const r = decodeAsapMessage(unhex(bytes!), { profile: "rfc" });
  assert.equal(r.kind, "ok", `usrsctp delivered a valid ASAP message: ${line.slice(0, 80)}`);
  return {
    ppid: Number(ppid),
    stream: Number(stream),
    message: (r as { message: AsapMessage }).message,
  };
}

/** A running child process whose stdout lines are collected. */
class Child {
  readonly lines: string[] = [];
  readonly proc: ChildProcess;
  stderr = "";
  exit: Promise<number>;

  constructor(cmd: string, args: string[]) {
    this.proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let partial = "";
    this.proc.stdout!.on("data", (d: Uint8Array) => {
      partial += new TextDecoder().decode(d);
      const parts = partial.split("\n");
      partial = parts.pop()!;
      this.lines.push(...parts);
    });
    this.proc.stderr!.on("data", (d: Uint8Array) => this.stderr += new TextDecoder().decode(d));
    this.exit = new Promise((resolve) => this.proc.on("exit", (code) => resolve(code ?? -1)));
  }

  async waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) {
        assert.fail(
          `Timed out waiting for ${what}; stdout: ${this.lines.join(" | ").slice(0, 400)} stderr: ${
            this.stderr.slice(0, 400)
          }`,
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async exited(ms: number): Promise<number> {
    const timer = new Promise<number>((r) => setTimeout(() => r(-999), ms));
    const code = await Promise.race([this.exit, timer]);
    if (code === -999) this.proc.kill("SIGKILL");
    return code;
  }
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A free UDP port on 127.0.0.1: bound, released, and seen bindable again. */
async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
  const port = socket.address().port;
  await new Promise<void>((r) => socket.close(() => r()));
  await portFree(port);
  return port;
}

/** Waits until UDP `port` can be bound (a socket closed just before may still hold it). */
async function portFree(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const socket = dgram.createSocket("udp4");
    const ok = await new Promise<boolean>((r) => {
      socket.once("error", () => r(false));
      socket.bind(port, "127.0.0.1", () => r(true));
    });
    await new Promise<void>((r) => socket.close(() => r()));
    if (ok) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`UDP port ${port} stays in use`);
}

function tsharkFields(file: string, filter: string, fields: string[]): string[][] {
  const r = spawnSync("tshark", [
    "-r",
    file,
    "-o",
    "sctp.checksum:CRC-32C",
    "-Y",
    filter,
    "-T",
    "fields",
    ...fields.flatMap((f) => ["-e", f]),
  ], { encoding: "utf8" });
  assert.equal(r.status, 0, `tshark -Y ${filter}: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
}

test("SCTP over UDP interoperates with usrsctp: ASAP both ways, tshark finds no malformed packet", {
  skip,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "rserpool-usrsctp-"));
  const children: Child[] = [];
  const drivers: Driver<unknown>[] = [];
  try {
    // Build the peer in the test run.
    const peer = join(dir, "usrsctp_peer");
    const flags = spawnSync("pkg-config", ["--cflags", "--libs", "usrsctp"], { encoding: "utf8" });
    const cc = spawnSync("gcc", [
      "-std=c11",
      "-D_DEFAULT_SOURCE",
      "-Wall",
      "-Wextra",
      "-Werror",
      "-O2",
      "-o",
      peer,
      join(HERE, "usrsctp_peer.c"),
      ...flags.stdout.trim().split(/\s+/),
      "-lpthread",
    ], { encoding: "utf8" });
    assert.equal(cc.status, 0, `gcc: ${cc.stderr}`);
    await portFree(UDP_PORT);

    // Capture SCTP over UDP on lo.
    const capture = join(dir, "sctp.pcap");
    const tshark = new Child("tshark", [
      "-i",
      "lo",
      "-f",
      `udp port ${UDP_PORT}`,
      "-w",
      capture,
      "-P", // print a line per packet as well: shows when the capture really runs
      "-l",
    ]);
    children.push(tshark);
    await tshark.waitFor(() => tshark.stderr.includes("Capturing on"), 15000, "tshark to start");
    // "Capturing on" comes before the capture runs: probe with a valid SCTP packet (an ABORT
    // from nowhere, which nobody answers) until tshark prints that it saw one.
    const probe = dgram.createSocket("udp4");
    await new Promise<void>((r) => probe.bind(0, "127.0.0.1", () => r()));
    const probeBuilder = new PacketBuilder(16, 1, 1, 0);
    probeBuilder.addChunk(ChunkType.Abort, T_BIT, new Uint8Array(0));
    const probePacket = probeBuilder.finish();
    for (let k = 0; k < 300 && tshark.lines.length === 0; k++) {
      probe.send(probePacket, UDP_PORT, "127.0.0.1");
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise<void>((r) => probe.close(() => r()));
    assert.ok(tshark.lines.length > 0, `tshark captures nothing: ${tshark.stderr}`);

    const runtime = await currentRuntime();

    // --- 1: usrsctp client -> rserpool-ng Registrar -------------------------------------------
    const prEvents: RegistrarEvent[] = [];
    const registrar = new Registrar({
      rng: new SeededRng(1),
      profile: "rfc",
      id: 0x7c5b2e11n,
      announceTargets: [],
      keepAliveTransmissionInterval: 60_000,
    });
    const pr = new Driver(runtime, registrar, { onEvent: (e) => prEvents.push(e) });
    drivers.push(pr as Driver<unknown>);
    const listening = await pr.listen("asap", {
      hostname: "127.0.0.1",
      port: SCTP_PORT,
      transport: "sctp-udp",
      udpPort: UDP_PORT,
    });
    assert.equal(listening.udp?.port, UDP_PORT);
    pr.flush();
    const requests = [
      ...Array.from(
        { length: 40 },
        (_, i) =>
          encode({ type: "registration", poolHandle: ECHO, poolElement: pe(1000 + i, 7000 + i) }),
      ),
      encode({ type: "handle-resolution", poolHandle: ECHO, items: 0xffffffff }),
    ];
    const requestFile = join(dir, "requests.txt");
    writeFileSync(requestFile, requests.map((m) => `${PPID_ASAP} 0 ${hex(m)}\n`).join(""));
    const clientUdp = await freeUdpPort();
    const client = new Child(peer, [
      "client",
      String(clientUdp),
      "127.0.0.1",
      String(UDP_PORT),
      String(SCTP_PORT),
      requestFile,
      String(requests.length),
    ]);
    children.push(client);
    assert.equal(
      await client.exited(15000),
      0,
      `usrsctp client: ${client.lines.join(" | ").slice(0, 500)} ${client.stderr}`,
    );
    const replies = client.lines.filter((l) => l.startsWith("recv ")).map(decode);
    assert.equal(replies.length, 41);
    assert.ok(replies.every((r) => r.ppid === PPID_ASAP));
    const responses = replies.slice(0, 40).map((r) => r.message);
    assert.deepEqual(
      responses.map((m) =>
        m.type === "registration-response" && !m.reject && Number(m.poolElementId)
      ),
      Array.from({ length: 40 }, (_, i) => 1000 + i),
    );
    const hrr = replies[40]!.message;
    assert.equal(hrr.type, "handle-resolution-response");
    if (hrr.type === "handle-resolution-response") {
      assert.deepEqual(
        hrr.poolElements.map((p) => Number(p.id)).sort(),
        Array.from({ length: 40 }, (_, i) => 1000 + i),
      );
      assert.deepEqual(hrr.poolElements.find((p) => p.id === 1007n)?.userTransport.port, 7007);
    }
    assert.equal(prEvents.filter((e) => e.type === "registered").length, 40);
    // usrsctp closed gracefully: the registrar saw the association go down.
    await until(() => pr.associationCount === 0, 5000, "the registrar's association to close");
    await pr.close();

    // --- 2: rserpool-ng PoolUser -> usrsctp server playing a registrar ------------------------
    await portFree(UDP_PORT);
    const many = Array.from({ length: 200 }, (_, i) => pe(5000 + i, 9000 + i));
    const canned = encode({
      type: "handle-resolution-response",
      poolHandle: ECHO,
      policy: policyParameter(PolicyType.RoundRobin),
      poolElements: many,
    });
    assert.ok(canned.length > 5 * 1200, `${canned.length} bytes: several DATA chunks`);
    const replyFile = join(dir, "replies.txt");
    writeFileSync(replyFile, `${PPID_ASAP} 0 ${hex(canned)}\n`);
    const server = new Child(peer, ["server", String(UDP_PORT), String(SCTP_PORT), replyFile]);
    children.push(server);
    await server.waitFor(() => server.lines.includes("ready"), 10000, "the usrsctp server");
    const puEvents: PoolUserEvent[] = [];
    const pu = new PoolUser({
      rng: new SeededRng(2),
      profile: "rfc",
      registrars: [{ address: "127.0.0.1", port: SCTP_PORT }],
    });
    const puDriver = new Driver(runtime, pu, {
      transport: "sctp-udp",
      sctp: { remoteUdpPort: UDP_PORT },
      onEvent: (e) => puEvents.push(e),
    });
    drivers.push(puDriver as Driver<unknown>);
    puDriver.run((now) => pu.resolve(now, "EchoPool", { items: "all" }));
    await until(() => puEvents.some((e) => e.type === "resolved"), 10000, "the resolution");
    const resolved = puEvents.find((e) => e.type === "resolved");
    assert.ok(resolved?.type === "resolved");
    assert.equal(resolved.poolElements.length, 200);
    assert.equal(resolved.poolElements[199]?.userTransport.port, 9199);
    await puDriver.close();
    assert.equal(
      await server.exited(10000),
      0,
      `usrsctp server: ${server.lines.join(" | ").slice(0, 300)} ${server.stderr}`,
    );
    const asked = server.lines.filter((l) => l.startsWith("recv ")).map(decode);
    assert.equal(asked.length, 1);
    const hr = asked[0]!.message;
    assert.ok(hr.type === "handle-resolution" && hex(hr.poolHandle) === hex(ECHO));

    // --- tshark's verdict -------------------------------------------------------------------
    await new Promise((r) => setTimeout(r, 500)); // the last packets reach the capture
    tshark.proc.kill("SIGINT");
    await tshark.exited(10000);
    const bad = tsharkFields(
      capture,
      "_ws.malformed || sctp.checksum.status == 0 || _ws.expert.severity >= error",
      ["frame.number", "_ws.expert.message"],
    );
    assert.deepEqual(bad, [], `malformed or erroneous packets: ${JSON.stringify(bad.slice(0, 5))}`);
    const packets = tsharkFields(capture, "sctp", ["sctp.checksum.status"]);
    assert.ok(packets.length > 20, `${packets.length} SCTP packets captured`);
    assert.ok(packets.every(([status]) => status === "1"), "every CRC32c verified good");
    const chunkTypes = new Set(
      tsharkFields(capture, "sctp", ["sctp.chunk_type"]).flatMap(([t]) => t!.split(",")).map(
        Number,
      ),
    );
    for (const t of [0, 1, 2, 3, 6, 7, 8, 10, 11, 14]) {
      assert.ok(
        chunkTypes.has(t),
        `chunk type ${t} seen (got ${[...chunkTypes].sort((a, b) => a - b)})`,
      );
    }
    // Several ASAP messages may share a packet: count every message of every packet.
    const asapTypes = tsharkFields(capture, "asap", ["asap.message_type"])
      .flatMap(([t]) => t!.split(",")).map(Number);
    const count = (type: number) => asapTypes.filter((t) => t === type).length;
    assert.equal(count(1), 40, "Registrations dissected as ASAP");
    assert.equal(count(3), 40, "Registration Responses dissected as ASAP");
    assert.equal(count(5), 2, "Handle Resolutions dissected as ASAP");
    assert.equal(count(6), 2, "Handle Resolution Responses (reassembled) dissected as ASAP");
  } finally {
    for (const d of drivers) await d.close().catch(() => {});
    for (const c of children) if (c.proc.exitCode === null) c.proc.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});
