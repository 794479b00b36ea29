// Test entry: a registrar on loopback (until the registrar CLI lands, the session e2e tests run
// this). Prints "listening PORT" on standard output once the ASAP listener is bound.
//   deno run --allow-net tests/e2e/_registrar_main.ts [port]

import process from "node:process";
import { Driver } from "../../adapters/driver.ts";
import { currentRuntime } from "../../adapters/current.ts";
import { Registrar } from "../../core/registrar/mod.ts";
import { SeededRng } from "../../core/rng.ts";

const runtime = await currentRuntime();
const seed = runtime.randomBytes(4);
const registrar = new Registrar({
  rng: new SeededRng(new DataView(seed.buffer).getUint32(0)),
  announceTargets: [],
});
const driver = new Driver(runtime, registrar);
const { port } = await driver.listen("asap", {
  hostname: "127.0.0.1",
  port: Number(process.argv[2] ?? 0),
});
driver.flush();
process.stdout.write(`listening ${port}\n`);
