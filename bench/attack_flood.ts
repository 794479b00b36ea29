// The registrar under attack: legitimate handle resolution latency and PE survival while the
// `attacker` tool floods it at 10× (and more) the legitimate message rate.
//
//   chrt --fifo 10 deno run -A bench/attack_flood.ts [--seconds S] [--legit-rate R]
//     [--factors 10,50] [--modes hr-flood,eu-flood,registration-flood]
//
// One registrar process (Deno, default DoS limits, keep-alives every 2 s with a 2 s timeout so
// a starved PE would be evicted within the run). This process plays the legitimate side over
// the framing shim: 4 PEs registered in LegitPool that answer every Endpoint Keep-Alive, and 4
// PU associations sending Handle Resolutions open-loop at R/4 per second each, timing each
// answer. Each phase runs S seconds: a baseline without attack, then per factor F three
// attacker processes at F × R messages per second in total: handle resolutions of LegitPool
// (half, over 20 associations), Endpoint Unreachable reports naming a legitimate PE (a
// quarter, over 10), registrations into FloodPool (a quarter, over 10). Prints one Markdown
// table row per phase: legitimate resolutions answered, p50/p99/max latency, errors, legitimate
// PEs removed, what the attackers saw.

import net from "node:net";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { encodeFrame, encodeHello, FrameType } from "../core/transport/frame.ts";
import { FrameDecoder } from "../core/transport/frame_decoder.ts";
import type { AsapMessage } from "../core/wire/asap_message.ts";
import { policyParameter, PolicyType } from "../core/wire/policy_parameter.ts";
import { PPID_ASAP_NG } from "../core/wire/profile.ts";
import { WireDecoder } from "../core/wire/wire_decoder.ts";
import { WireEncoder } from "../core/wire/wire_encoder.ts";

const ROOT = join(import.meta.dirname!, "..");
const DENO = join(ROOT, "node_modules", ".bin", "deno");

function flag(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1]! : fallback;
}
const SECONDS = Number(flag("seconds", "10"));
const LEGIT_RATE = Number(flag("legit-rate", "400"));
const FACTORS = flag("factors", "10,50").split(",").map(Number);
const MODES = flag("modes", "hr-flood,eu-flood,registration-flood").split(",");
const PES = 4, PUS = 4;
const POOL = new TextEncoder().encode("LegitPool");

const encoder = new WireEncoder({ profile: "ng" });
const decoder = new WireDecoder({ profile: "ng" });
const frame = (m: AsapMessage) =>
  encodeFrame(FrameType.Data, 0, PPID_ASAP_NG, encoder.encodeAsap(m));

/** A framed association to the registrar, answering heartbeats. */
class Link {
  readonly socket: net.Socket;
  readonly #decoder = new FrameDecoder({ maxPayload: 1 << 20 });
  up: Promise<void>;
  closed = false;
  onMessage: (m: AsapMessage) => void = () => {};

  constructor(port: number) {
    this.socket = net.connect({ host: "127.0.0.1", port });
    this.socket.setNoDelay(true);
    let ready = () => {};
    this.up = new Promise((r) => (ready = r));
    this.socket.on("connect", () => this.socket.write(encodeHello(1 << 16)));
    this.socket.on("error", () => {});
    this.socket.on("close", () => (this.closed = true));
    this.socket.on("data", (chunk: Uint8Array) => {
      this.#decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      for (let r = this.#decoder.next(); r.kind === "frame"; r = this.#decoder.next()) {
        const f = r.frame;
        if (f.type === FrameType.Hello) ready();
        else if (f.type === FrameType.Heartbeat) {
          this.socket.write(encodeFrame(FrameType.HeartbeatAck, 0, 0, f.payload.slice()));
        } else if (f.type === FrameType.Data) {
          const d = decoder.decodeAsap(f.payload);
          if (d.kind === "ok") this.onMessage(d.message);
        }
      }
    });
  }

  send(m: AsapMessage): void {
    this.socket.write(frame(m));
  }
}

function startRegistrar(): Promise<
  { child: ReturnType<typeof spawn>; asap: number; log: string[] }
> {
  const child = spawn(DENO, [
    "run",
    "--allow-net",
    join(ROOT, "adapters/cli/registrar.ts"),
    "--asap",
    "127.0.0.1:0",
    "--enrp",
    "off",
    "--announce",
    "off",
    "--keepalive-interval",
    "2000",
    "--keepalive-timeout",
    "2000",
    "--log-format",
    "json",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  const log: string[] = [];
  return new Promise((resolve) => {
    let buf = "";
    child.stderr!.on("data", (d: Uint8Array) => {
      buf += new TextDecoder().decode(d);
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        log.push(line);
        if (line.includes('"event":"started"')) {
          const asap = JSON.parse(line).asap[0] as string;
          resolve({ child, asap: Number(asap.slice(asap.lastIndexOf(":") + 1)), log });
        }
      }
    });
  });
}

function attacker(port: number, mode: string, args: string[]): Promise<Record<string, unknown>> {
  // Attackers run at normal scheduling, 10 nice levels down: with the bench started under
  // `chrt --fifo 10` (see bench/README.md) the registrar and the legitimate side get the CPU as
  // on a dedicated host, ahead of the attackers and the machine's other work.
  const child = spawn("chrt", [
    "--other",
    "0",
    "nice",
    "-n",
    "10",
    DENO,
    "run",
    "--allow-net",
    join(ROOT, "adapters/cli/attacker.ts"),
    "--registrar",
    `127.0.0.1:${port}`,
    "--mode",
    mode,
    "--duration",
    String(SECONDS * 1000 + 1000),
    "--log-format",
    "json",
    ...args,
  ], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Uint8Array) => (err += new TextDecoder().decode(d)));
  return new Promise((resolve) => {
    child.on("exit", () => {
      const line = err.split("\n").find((l) => l.includes('"event":"summary"'));
      resolve(line === undefined ? {} : JSON.parse(line));
    });
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function main() {
  const pr = await startRegistrar();
  // Legitimate PEs.
  const pes: Link[] = [];
  const peIds = Array.from({ length: PES }, (_, i) => BigInt(0x1000 + i));
  for (const id of peIds) {
    const l = new Link(pr.asap);
    await l.up;
    l.onMessage = (m) => {
      if (m.type === "endpoint-keep-alive" && m.poolElementId !== undefined) {
        l.send({
          type: "endpoint-keep-alive-ack",
          poolHandle: m.poolHandle,
          poolElementId: m.poolElementId,
        });
      }
    };
    l.send({
      type: "registration",
      poolHandle: POOL,
      poolElement: {
        id,
        homeRegistrarId: 0n,
        registrationLife: 30000,
        userTransport: {
          protocol: "tcp",
          port: 7000,
          transportUse: "data",
          addresses: ["127.0.0.1"],
        },
        policy: policyParameter(PolicyType.RoundRobin),
      },
    });
    pes.push(l);
  }
  // Legitimate PUs: FIFO of send times per association (answers come in order).
  const pus: { link: Link; sent: number[] }[] = [];
  let latencies: number[] = [];
  let errors = 0;
  for (let i = 0; i < PUS; i++) {
    const link = new Link(pr.asap);
    await link.up;
    const rec = { link, sent: [] as number[] };
    link.onMessage = (m) => {
      if (m.type !== "handle-resolution-response") return;
      const t0 = rec.sent.shift();
      if (t0 !== undefined) latencies.push(performance.now() - t0);
      if (m.error !== undefined || m.poolElements.length === 0) errors++;
    };
    pus.push(rec);
  }
  await new Promise((r) => setTimeout(r, 500));

  let sending = true;
  let budget = 0, last = performance.now(), rr = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    budget += (now - last) * LEGIT_RATE / 1000;
    last = now;
    if (!sending) return;
    for (; budget >= 1; budget--) {
      const pu = pus[rr++ % PUS]!;
      pu.sent.push(performance.now());
      pu.link.send({ type: "handle-resolution", poolHandle: POOL });
    }
  }, 5);

  const removedBefore = () =>
    pr.log.filter((l) =>
      /"event":"(pe-removed-unreachable|keep-alive-timeout|pe-removed-association-down)"/.test(l) &&
      /"pool":"LegitPool"/.test(l)
    ).length;

  const rows: string[] = [];
  const phase = async (factor: number) => {
    latencies = [];
    errors = 0;
    const removed0 = removedBefore();
    const attacks: Promise<Record<string, unknown>>[] = [];
    if (factor > 0) {
      const total = factor * LEGIT_RATE;
      const args: Record<string, string[]> = {
        "hr-flood": ["--pool", "LegitPool", "--connections", "20", "--rate", String(total / 2)],
        "eu-flood": [
          "--pool",
          "LegitPool",
          "--pe",
          String(peIds[0]),
          "--connections",
          "10",
          "--rate",
          String(total / 4),
        ],
        "registration-flood": [
          "--pool",
          "FloodPool",
          "--connections",
          "10",
          "--rate",
          String(total / 4),
        ],
      };
      for (const mode of MODES) attacks.push(attacker(pr.asap, mode, args[mode] ?? []));
      await new Promise((r) => setTimeout(r, 1000)); // attackers up
      latencies = [];
      errors = 0;
    }
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const measured = latencies.slice().sort((a, b) => a - b);
    const results = await Promise.all(attacks);
    const removed = removedBefore() - removed0;
    const attackSent = results.reduce((n, r) => n + Number(r.sent ?? 0), 0);
    const attackCauses = results.map((r) => `${r.mode}: ${JSON.stringify(r.causes ?? {})}`).join(
      "; ",
    );
    rows.push(
      `| ${
        factor === 0 ? "none" : `${factor}× (${factor * LEGIT_RATE}/s)`
      } | ${measured.length} | ${percentile(measured, 0.5).toFixed(2)} | ${
        percentile(measured, 0.99).toFixed(2)
      } | ${(measured.at(-1) ?? NaN).toFixed(2)} | ${errors} | ${removed} | ${attackSent} | ${
        attackCauses || "-"
      } |`,
    );
    console.log(rows.at(-1));
  };

  console.log(
    `legit: ${PES} PEs, ${PUS} PU associations, ${LEGIT_RATE} resolutions/s; ${SECONDS} s per phase`,
  );
  console.log(
    "| attack | legit resolutions | p50 ms | p99 ms | max ms | legit errors | legit PEs removed | attack messages | attackers saw |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---|");
  await phase(0);
  for (const f of FACTORS) await phase(f);
  sending = false;
  clearInterval(timer);
  const alive = pes.filter((l) => !l.closed).length;
  console.log(`legit PE associations still up: ${alive}/${PES}`);
  for (const l of [...pes, ...pus.map((p) => p.link)]) l.socket.destroy();
  pr.child.kill("SIGTERM");
}

await main();
