// Runs the transport conformance suite against the adapter of the runtime executing it:
// `deno test` → Deno adapter, `bun test` → Bun adapter, `tsx --test` → Node adapter.
import { currentRuntime } from "../../adapters/current.ts";
import { sctpSuite } from "./sctp_suite.ts";
import { transportSuite } from "./transport_suite.ts";

const runtime = await currentRuntime();
transportSuite(runtime);
sctpSuite(runtime);
