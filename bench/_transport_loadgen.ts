// Load generator of bench/registrar_transport.ts: handle resolutions against a registrar over
// TCP (framing shim) or SCTP over UDP, through rserpool-ng's own driver and the adapter of the
// runtime running it (so both transports are driven by the same code, and the SCTP side needs
// no other SCTP stack). Closed loop: C associations, each with W Handle Resolutions in flight; a
// response sends the next request. First 10 PEs are registered in BenchPool over one more
// association (round robin, 3 per answer). Prints JSON lines on stdout: {"phase":"measure"}
// when the measured interval starts, then the result.
//
//   bun bench/_transport_loadgen.ts tcp|sctp-udp HOST:PORT CONNECTIONS WINDOW WARMUP_MS DURATION_MS

import process from "node:process";
import { currentRuntime } from "../adapters/current.ts";
import { Driver } from "../adapters/driver.ts";
import type {
  AssociationDown,
  AssociationId,
  AssociationInfo,
  Role,
  RoleAction,
  TransportKind,
} from "../core/role.ts";
import { policyParameter, PolicyType } from "../core/wire/policy_parameter.ts";
import { PPID_ASAP_NG } from "../core/wire/profile.ts";
import { WireEncoder } from "../core/wire/wire_encoder.ts";

const [transportArg, target, cArg, wArg, warmArg, durArg] = process.argv.slice(2);
const transport = transportArg as TransportKind;
const host = target!.slice(0, target!.lastIndexOf(":"));
const port = Number(target!.slice(target!.lastIndexOf(":") + 1));
const CONNECTIONS = Number(cArg), WINDOW = Number(wArg);
const WARMUP = Number(warmArg), DURATION = Number(durArg);
const SEEDED_PES = 10;
const SEEDER: AssociationId = 1000;

const encoder = new WireEncoder({ profile: "ng" });
const text = new TextEncoder();
const request = encoder.encodeAsap({
  type: "handle-resolution",
  poolHandle: text.encode("BenchPool"),
}).slice();

let measuring = false;
let completed = 0, failed = 0, samples = 0;
const latencies = new Float64Array(4_000_000);

class Load implements Role {
  readonly #out: RoleAction[] = [];
  readonly #sent = new Map<AssociationId, number[]>();
  up = 0;
  seeded = 0;
  running = false;

  constructor() {
    const seeds = [];
    for (let k = 0; k < SEEDED_PES; k++) {
      seeds.push(
        encoder.encodeAsap({
          type: "registration",
          poolHandle: text.encode("BenchPool"),
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
        }).slice(),
      );
    }
    this.#out.push({ type: "connect", assoc: SEEDER, endpoints: [{ address: host, port }] });
    for (const s of seeds) {
      this.#out.push({ type: "send", assoc: SEEDER, ppid: PPID_ASAP_NG, stream: 0, payload: s });
    }
  }

  start(): void {
    this.running = true;
    for (let c = 1; c <= CONNECTIONS; c++) {
      this.#sent.set(c, []);
      this.#out.push({ type: "connect", assoc: c, endpoints: [{ address: host, port }] });
      for (let w = 0; w < WINDOW; w++) this.#send(c);
    }
  }

  #send(assoc: AssociationId): void {
    this.#sent.get(assoc)!.push(performance.now());
    this.#out.push({ type: "send", assoc, ppid: PPID_ASAP_NG, stream: 0, payload: request });
  }

  handleAssociationUp(_now: number, assoc: AssociationId, info: AssociationInfo): void {
    if ((info.transport ?? "tcp") !== transport) {
      process.stderr.write(`loadgen: association ${assoc} is ${info.transport}\n`);
      process.exit(2);
    }
    if (assoc !== SEEDER) this.up++;
  }

  handleMessage(
    _now: number,
    assoc: AssociationId,
    _ppid: number,
    _stream: number,
    payload: Uint8Array,
  ): void {
    if (assoc === SEEDER) {
      if (payload[0] === 0x03 && (payload[1]! & 0x01) === 0) this.seeded++;
      return;
    }
    const sent = this.#sent.get(assoc)!;
    const at = sent.shift()!;
    if (measuring) {
      if (payload[0] === 0x06 && payload.length > 24) {
        completed++;
        if (samples < latencies.length) latencies[samples++] = performance.now() - at;
      } else failed++;
    }
    if (this.running) this.#send(assoc);
  }

  handleAssociationDown(_now: number, assoc: AssociationId, down: AssociationDown): void {
    if (!this.running && assoc !== SEEDER) return;
    process.stderr.write(`loadgen: association ${assoc} down: ${down.reason} ${down.detail}\n`);
    process.exit(2);
  }

  handleDatagram(): void {}
  handleTimeout(): void {}
  pollTransmit(): RoleAction | undefined {
    return this.#out.shift();
  }
  pollTimeout(): undefined {
    return undefined;
  }
  pollEvent(): undefined {
    return undefined;
  }
}

const runtime = await currentRuntime();
const role = new Load();
const driver = new Driver(runtime, role, { transport });
driver.flush();
const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; !cond(); i++) {
    if (i > 2000) throw new Error(`loadgen: no ${what} within 10 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
};
await until(() => role.seeded === SEEDED_PES, "seeding");
driver.run(() => role.start());
await until(() => role.up === CONNECTIONS, "associations");
await new Promise((r) => setTimeout(r, WARMUP));
measuring = true;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
process.stdout.write(JSON.stringify({ phase: "measure" }) + "\n");
await new Promise((r) => setTimeout(r, DURATION));
measuring = false;
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
role.running = false;
const sorted = latencies.subarray(0, samples).sort();
const pct = (p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
process.stdout.write(
  JSON.stringify({
    phase: "result",
    mode: transport,
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
