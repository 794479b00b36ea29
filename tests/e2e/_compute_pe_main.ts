// Test entry: a compute pool element (until `server --compute` lands, the session e2e tests and
// the bench run this). Prints one JSON line per event on standard output.
//   deno run --allow-net tests/e2e/_compute_pe_main.ts REGISTRAR_PORT CAPACITY RATE [CHUNK]

import process from "node:process";
import { startComputeService } from "../../adapters/cli/_compute_service.ts";

const [registrarPort, capacity, rate, chunk] = process.argv.slice(2).map(Number);
await startComputeService({
  registrars: [`127.0.0.1:${registrarPort}`],
  cookieKey: process.env.COMPUTE_COOKIE_KEY ?? "e2e compute pool cookie key",
  capacity: capacity ?? 1,
  rate: rate ?? 0,
  ...(chunk ? { chunk } : {}),
  hostname: "127.0.0.1",
  log: (e) =>
    process.stdout.write(
      JSON.stringify(e, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) + "\n",
    ),
});
