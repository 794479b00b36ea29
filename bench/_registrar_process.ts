// The registrar CLI as a separate process under load, for the benchmarks that drive it from a
// load-generator process (bench/registrar_tcp.ts, bench/registrar_transport.ts): how to start it
// under each runtime with benchmark settings, how to wait for its port, and how to run a load
// generator against it while sampling the registrar's own CPU time over the measured span.

import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The repository's root. */
export const ROOT: string = join(import.meta.dirname!, "..");
/** The npm binaries (deno, bun). */
export const BIN: string = join(ROOT, "node_modules", ".bin");
const CLK_TCK = 100;

/**
 * A `--name value` option of the benchmark's command line.
 *
 * @param name The option without dashes.
 * @param fallback The value when it is not given.
 * @returns The value.
 */
export function flag(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1]! : fallback;
}

/**
 * utime + stime of a process (and its threads), in seconds.
 *
 * @param pid The process.
 * @returns Its CPU time so far.
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/**
 * Calls `each` for every line of a text stream.
 *
 * @param stream The stream.
 * @param each What to do with a line (without its newline).
 * @returns When the stream ends.
 */
export async function lines(
  stream: ReadableStream<Uint8Array>,
  each: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let partial = "";
  for await (const chunk of stream) {
    const parts = (partial + decoder.decode(chunk, { stream: true })).split("\n");
    partial = parts.pop()!;
    for (const l of parts) each(l);
  }
}

/** Registrar flags of every load benchmark: loopback, no ENRP, no announces, JSON warnings. */
const BENCH_ARGS = [
  "--asap",
  "127.0.0.1:0",
  "--enrp",
  "off",
  "--announce",
  "off",
  "--log-level",
  "warn",
  "--log-format",
  "json",
  // Keep-alive exchanges are left out of the figures (one hour); with the default 5 s, 8000
  // registered PEs would add 1600 keep-alives and acks per second.
  "--keepalive-interval",
  "3600000",
  // Raw throughput: the per-association DoS limits (on by default) are lifted, as a few
  // connections carry the whole load here.
  "--max-hr-rate",
  "0",
  "--max-message-rate",
  "0",
  "--max-registrations-per-association",
  "0",
];

/**
 * Starts the `registrar` tool under a runtime with the benchmark settings plus `args`, runs `use`
 * with its process id and ASAP port once it has started, and stops it afterwards. Its warnings
 * and errors are printed.
 *
 * @param runtime deno, bun or node.
 * @param args More registrar flags.
 * @param use What to do while it runs.
 * @returns What `use` returns.
 */
export async function withRegistrar<T>(
  runtime: string,
  args: readonly string[],
  use: (pid: number, port: number) => Promise<T>,
): Promise<T> {
  const file = join(ROOT, "adapters", "cli", "registrar.ts");
  const all = [file, ...BENCH_ARGS, ...args];
  const [cmd, cmdArgs] = runtime === "deno"
    ? [join(BIN, "deno"), ["run", "--allow-net", ...all]]
    : runtime === "bun"
    ? [join(BIN, "bun"), all]
    : ["node", ["--import", "tsx", ...all]];
  const child = new Deno.Command(cmd, { args: cmdArgs, cwd: ROOT, stdout: "null", stderr: "piped" })
    .spawn();
  let started: (port: number) => void = () => {};
  const port = new Promise<number>((resolve) => (started = resolve));
  const stderr = lines(child.stderr, (line) => {
    if (!line.startsWith("{")) return;
    const m = JSON.parse(line);
    if (m.event === "started") started(Number(m.asap[0].split(":").at(-1)));
    else if (m.level === "error" || m.level === "warn") {
      console.error(`registrar/${runtime}: ${line}`);
    }
  });
  try {
    return await use(child.pid, await port);
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await stderr;
  }
}

/** What a load generator reports, plus the registrar's CPU seconds over the measured span. */
export type LoadResult = Record<string, number> & { serverCpuSeconds: number };

/**
 * Runs a load generator (a bench script under Bun that prints JSON lines with `phase`
 * "measure" when the measured span begins and "result" at its end) and samples the registrar's
 * CPU time at both.
 *
 * @param script The load generator, relative to bench/.
 * @param serverPid The registrar's process.
 * @param args The load generator's arguments.
 * @returns Its result with `serverCpuSeconds`.
 * @throws {Error} When it fails or reports no result.
 */
export async function driveLoad(
  script: string,
  serverPid: number,
  args: readonly string[],
): Promise<LoadResult> {
  const child = new Deno.Command(join(BIN, "bun"), {
    args: [join(ROOT, "bench", script), ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let cpu0 = 0, cpu1 = 0;
  let result: Record<string, number> | undefined;
  await lines(child.stdout, (line) => {
    const m = JSON.parse(line);
    if (m.phase === "measure") cpu0 = cpuSeconds(serverPid);
    if (m.phase === "result") {
      cpu1 = cpuSeconds(serverPid);
      result = m;
    }
  });
  const status = await child.status;
  if (!status.success || result === undefined) {
    throw new Error(`load generator ${script} ${args.join(" ")} failed`);
  }
  return { ...result, serverCpuSeconds: cpu1 - cpu0 };
}
