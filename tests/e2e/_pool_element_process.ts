// A pool element in a process of its own, for end-to-end tests that kill it: registers over
// TCP at the registrar given and prints "registered <id>" once registered, then runs until
// killed. Usage: _pool_element_process.ts <registrar-port> <pool-handle> <policy lu|rr> <load 0..1> <user-port>
import process from "node:process";
import { Driver } from "../../adapters/driver.ts";
import { currentRuntime } from "../../adapters/current.ts";
import { PoolElement } from "../../core/asap/pool_element.ts";
import { SeededRng } from "../../core/rng.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";

const [port, poolHandle, policy, load, userPort] = process.argv.slice(2);
const runtime = await currentRuntime();
const seed = new DataView(runtime.randomBytes(4).buffer).getUint32(0);
const pe = new PoolElement({
  rng: new SeededRng(seed),
  poolHandle: poolHandle!,
  policy: policy === "rr"
    ? policyParameter(PolicyType.RoundRobin)
    : policyParameter(PolicyType.LeastUsed, { load: Math.round(Number(load) * 0xffffffff) }),
  userTransport: { protocol: "tcp", port: Number(userPort) },
  registrars: [{ address: "127.0.0.1", port: Number(port) }],
});
const driver = new Driver(runtime, pe, {
  onEvent: (e) => {
    if (e.type === "registered") process.stdout.write(`registered ${pe.id}\n`);
  },
});
driver.flush();
