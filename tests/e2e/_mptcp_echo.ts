// A TCP (framing shim) echo server and client over rserpool-ng's driver and the adapter of the
// runtime running it, for tests/e2e/mptcp_test.ts, which starts it under `mptcpize run` in two
// network namespaces (deno run -A, bun, tsx):
//
//   _mptcp_echo.ts server <host> <port>
//     prints "listening <port>", echoes every message, prints "down <reason>" per association end
//   _mptcp_echo.ts client <host> <port> <count> <interval-ms>
//     sends <count> numbered messages, one per interval; prints "up", then "progress <sent>
//     <echoed>" about every 250 ms, "down <reason> <detail>" if the association ends, and finally
//     "done <sent> <echoed> <in-order>"; exits 0 when every message came back, in order, on an
//     association that never went down.

import process from "node:process";
import { currentRuntime } from "../../adapters/current.ts";
import { Driver } from "../../adapters/driver.ts";
import type {
  AssociationDown,
  AssociationId,
  Role,
  RoleAction,
  TransportAddress,
} from "../../core/role.ts";

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
    this.#out.push({ type: "send", assoc, ppid, stream, payload: payload.slice() });
  }
  handleAssociationDown(_n: number, _a: AssociationId, down: AssociationDown): void {
    console.log(`down ${down.reason}`);
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

class Client implements Role {
  out: RoleAction[] = [];
  up = false;
  down: AssociationDown | undefined;
  echoed: number[] = [];
  handleAssociationUp(): void {
    this.up = true;
  }
  handleMessage(_n: number, _a: AssociationId, _p: number, _s: number, payload: Uint8Array) {
    this.echoed.push(new DataView(payload.buffer, payload.byteOffset).getUint32(0));
  }
  handleAssociationDown(_n: number, _a: AssociationId, down: AssociationDown): void {
    this.down = down;
  }
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const [mode, host, portText, countText, intervalText] = process.argv.slice(2);
const runtime = await currentRuntime();

if (mode === "server") {
  const driver = new Driver(runtime, new Echo());
  const address = await driver.listen("echo", { hostname: host!, port: Number(portText) });
  console.log(`listening ${address.port}`);
  await new Promise(() => {}); // until killed
} else if (mode === "client") {
  const role = new Client();
  const driver = new Driver(runtime, role);
  const to: TransportAddress = { address: host!, port: Number(portText) };
  role.out.push({ type: "connect", assoc: 1, endpoints: [to] });
  driver.flush();
  for (let i = 0; i < 500 && !role.up && role.down === undefined; i++) await sleep(10);
  if (!role.up) {
    console.log(`down ${role.down?.reason ?? "connect-timeout"} ${role.down?.detail ?? ""}`);
    process.exit(1);
  }
  console.log("up");
  const count = Number(countText), interval = Number(intervalText);
  let lastReport = Date.now();
  for (let i = 0; i < count && role.down === undefined; i++) {
    const payload = new Uint8Array(200);
    new DataView(payload.buffer).setUint32(0, i);
    role.out.push({ type: "send", assoc: 1, ppid: 11, stream: 0, payload });
    driver.flush();
    await sleep(interval);
    if (Date.now() - lastReport >= 250) {
      console.log(`progress ${i + 1} ${role.echoed.length}`);
      lastReport = Date.now();
    }
  }
  for (let i = 0; i < 1000 && role.echoed.length < count && role.down === undefined; i++) {
    await sleep(10);
  }
  if (role.down !== undefined) console.log(`down ${role.down.reason} ${role.down.detail}`);
  const inOrder = role.echoed.every((v, i) => v === i);
  const ok = role.echoed.length === count && inOrder && role.down === undefined;
  console.log(`done ${count} ${role.echoed.length} ${inOrder}`);
  await driver.close();
  process.exit(ok ? 0 : 1);
} else {
  console.error(
    "usage: _mptcp_echo.ts server <host> <port> | client <host> <port> <count> <interval-ms>",
  );
  process.exit(64);
}
