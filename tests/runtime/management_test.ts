// Runs the management conformance suite against the HTTP server of the runtime executing it:
// `deno test` → Deno.serve, `bun test` → Bun.serve, `tsx --test` → node:http.
import { currentRuntime } from "../../adapters/current.ts";
import { managementSuite } from "./management_suite.ts";

managementSuite(await currentRuntime());
