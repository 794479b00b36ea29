// Loopback round trip and throughput of messages through the real driver and adapter of the
// runtime running this script, over TCP with the framing shim (default) or SCTP over UDP:
//   deno run --allow-all bench/transport_loopback.ts [tcp|sctp-udp]
//   bun bench/transport_loopback.ts [tcp|sctp-udp]
//   npx tsx bench/transport_loopback.ts [tcp|sctp-udp]
// Prints one JSON line: round-trip p50/p99 (ms, one message in flight) and echo throughput
// (messages/s with a window of messages in flight). Figures: bench/README.md, "Transport" and
// "SCTP over UDP".
import process from "node:process";
import { currentRuntime } from "../adapters/current.ts";
import { Driver } from "../adapters/driver.ts";
import type { AssociationId, AssociationInfo, Role, RoleAction } from "../core/role.ts";

class Echo implements Role {
  #out: RoleAction[] = [];
  handleAssociationUp(): void {}
  handleMessage(
    _n: number,
    assoc: AssociationId,
    ppid: number,
    stream: number,
    payload: Uint8Array,
  ) {
    this.#out.push({ type: "send", assoc, ppid, stream, payload });
  }
  handleAssociationDown(): void {}
  handleDatagram(): void {}
  handleTimeout(): void {}
  pollTransmit(): RoleAction | undefined {
    return this.#out.pop();
  }
  pollTimeout(): undefined {
    return undefined;
  }
  pollEvent(): undefined {
    return undefined;
  }
}

class Client implements Role {
  out: RoleAction[] = [];
  up: AssociationInfo | undefined;
  received = 0;
  onMessage: () => void = () => {};
  handleAssociationUp(_n: number, _a: AssociationId, info: AssociationInfo): void {
    this.up = info;
  }
  handleMessage(): void {
    this.received++;
    this.onMessage();
  }
  handleAssociationDown(): void {}
  handleDatagram(): void {}
  handleTimeout(): void {}
  pollTransmit(): RoleAction | undefined {
    return this.out.shift();
  }
  pollTimeout(): undefined {
    return undefined;
  }
  pollEvent(): undefined {
    return undefined;
  }
}

const transport = (process.argv[2] ?? "tcp") as "tcp" | "sctp-udp";
const runtime = await currentRuntime();
const server = new Driver(runtime, new Echo());
const address = await server.listen("bench", {
  hostname: "127.0.0.1",
  port: 0,
  transport,
  udpPort: 0,
});
const role = new Client();
const client = new Driver(runtime, role);
role.out.push({
  type: "connect",
  assoc: 1,
  endpoints: [address],
  transport,
  ...(address.udp === undefined ? {} : { udpPort: address.udp.port }),
});
client.flush();
while (role.up === undefined) await new Promise((r) => setTimeout(r, 1));

const payload = new Uint8Array(100).fill(1);
const send = () => {
  role.out.push({ type: "send", assoc: 1, ppid: 11, stream: 0, payload });
  client.flush();
};

// Round trip: one message in flight.
const ROUNDS = 5000;
const samples: number[] = [];
await new Promise<void>((done) => {
  let sentAt = 0;
  role.onMessage = () => {
    samples.push(performance.now() - sentAt);
    if (samples.length === ROUNDS) return done();
    sentAt = performance.now();
    send();
  };
  sentAt = performance.now();
  send();
});
samples.sort((a, b) => a - b);
const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;

// Throughput: a window of messages in flight, echoed back.
const TOTAL = 200000, WINDOW = 1000;
role.received = 0;
const t0 = performance.now();
await new Promise<void>((done) => {
  let sent = 0;
  const top = () => {
    while (sent < TOTAL && sent - role.received < WINDOW) {
      role.out.push({ type: "send", assoc: 1, ppid: 11, stream: 0, payload });
      sent++;
    }
    client.flush();
  };
  role.onMessage = () => {
    if (role.received === TOTAL) return done();
    if (sent - role.received <= WINDOW / 2) top();
  };
  top();
});
const seconds = (performance.now() - t0) / 1000;

console.log(JSON.stringify({
  runtime: runtime.name,
  transport,
  payloadBytes: payload.length,
  roundTripMs: { p50: +pct(0.5).toFixed(3), p99: +pct(0.99).toFixed(3), samples: ROUNDS },
  echoThroughput: { messagesPerSecond: Math.round(TOTAL / seconds), window: WINDOW, total: TOTAL },
}));
await client.close();
await server.close();
