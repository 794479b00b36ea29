// A test helper process: many pool elements in one process, each a real PoolElement role on its
// own Driver (TCP with the framing shim), registering at the registrars named on the command
// line. Prints one JSON line per PE event to stdout ({"pe": index, "id": "...", "type": ...}),
// and "ready" once every PE registered. Ends on SIGTERM/SIGINT or when stdin closes.
//
// Usage: deno run --allow-all tests/e2e/_pe_host.ts --registrars H:P,H:P,... --count N
//                  [--pool NAME] [--first-port P]

import { currentRuntime } from "../../adapters/current.ts";
import { Driver } from "../../adapters/driver.ts";
import { PoolElement, type PoolElementEvent } from "../../core/asap/pool_element.ts";
import { SeededRng } from "../../core/rng.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";

function option(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i < 0 ? fallback : Deno.args[i + 1] ?? fallback;
}

const registrars = option("registrars", "").split(",").filter((x) => x !== "").map((x) => {
  const i = x.lastIndexOf(":");
  return { address: x.slice(0, i), port: Number(x.slice(i + 1)) };
});
const count = Number(option("count", "10"));
const pool = option("pool", "EchoPool");
const firstPort = Number(option("first-port", "20000"));

const runtime = await currentRuntime();
const encoder = new TextEncoder();
const write = (line: unknown) =>
  Deno.stdout.writeSync(
    encoder.encode(
      JSON.stringify(line, (_k, v) => typeof v === "bigint" ? v.toString() : v) + "\n",
    ),
  );

const seed = Number(Deno.env.get("PE_HOST_SEED") ?? Date.now() % 0x7fffffff);
const pes: PoolElement[] = [];
const drivers: Driver<PoolElementEvent>[] = [];
for (let i = 0; i < count; i++) {
  const pe = new PoolElement({
    rng: new SeededRng(seed + i),
    poolHandle: pool,
    policy: policyParameter(PolicyType.RoundRobin),
    userTransport: { protocol: "tcp", port: firstPort + i },
    registrars,
  });
  pes.push(pe);
  drivers.push(
    new Driver(runtime, pe, {
      onEvent: (e) => write({ pe: i, id: pe.id, ...e }),
    }),
  );
}
for (const d of drivers) d.flush();

let ready = false;
const timer = setInterval(() => {
  if (!ready && pes.every((p) => p.state === "registered")) {
    ready = true;
    write({ type: "ready", count });
  }
}, 20);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  await Promise.all(drivers.map((d) => d.close()));
  Deno.exit(0);
}
Deno.addSignalListener("SIGTERM", () => void stop());
Deno.addSignalListener("SIGINT", () => void stop());
(async () => {
  for await (const _ of Deno.stdin.readable) { /* until stdin closes */ }
  await stop();
})();
