// Real CLI processes for the end-to-end tests: start a tool under Deno, Bun or Node, read its
// JSON log lines (standard error) and its standard output, wait for events with bounded waits,
// signal it, and make sure it is gone at the end of the test. Processes are spawned with
// Deno.Command (these tests run under Deno): Deno's node:child_process reported a Bun child that
// exited 0 after handling SIGTERM as killed by the signal.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/** The runtimes the tools run under. */
export type ToolRuntime = "deno" | "bun" | "node";
/** The tools. */
export type Tool = "registrar" | "server" | "terminal" | "hsdump" | "monitor" | "attacker";

/** Every runtime, in the order tests loop over them. */
export const RUNTIMES: readonly ToolRuntime[] = ["deno", "bun", "node"];

/** The transports the end-to-end suites run over. */
export type E2eTransport = "tcp" | "sctp-udp";
/** Every transport, in the order tests loop over them. */
export const TRANSPORTS: readonly E2eTransport[] = ["tcp", "sctp-udp"];

/**
 * The transport flags of the tools for a run over `transport`: servers and terminals use it
 * alone; the registrar serves it and TCP (`auto`), so hsdump (TCP) still reaches its ENRP port.
 */
export function transportArgs(transport: E2eTransport, tool: Tool): string[] {
  if (transport === "tcp") return [];
  return ["--transport", tool === "registrar" ? "auto" : transport];
}

export const ROOT = join(import.meta.dirname!, "../..");
const BIN = join(ROOT, "node_modules", ".bin");

/** The command line of a tool under a runtime (Node without the tsx wrapper process, so signals reach the tool itself). */
export function toolCommand(
  runtime: ToolRuntime,
  tool: Tool,
  args: readonly string[],
): [string, string[]] {
  const file = join(ROOT, "adapters", "cli", `${tool}.ts`);
  switch (runtime) {
    case "deno":
      // Certificate, key and policy files (--tls-*, --authz) need read access under Deno.
      return [
        join(BIN, "deno"),
        [
          "run",
          "--allow-net",
          ...(args.some((a) =>
              a.startsWith("--tls-") || a.startsWith("--enrp-tls-") || a === "--authz"
            )
            ? ["--allow-read"]
            : []),
          file,
          ...args,
        ],
      ];
    case "bun":
      return [join(BIN, "bun"), [file, ...args]];
    case "node":
      return ["node", ["--import", "tsx", file, ...args]];
  }
}

/** A JSON log line. */
export type LogLine = {
  readonly event: string;
  readonly time: string;
  readonly [key: string]: unknown;
};

const live = new Set<Proc>();

/** A running tool. */
export class Proc {
  readonly name: string;
  readonly child: Deno.ChildProcess;
  stdout = "";
  stderr = "";
  exitCode: number | null | undefined = undefined;
  signal: string | null = null;
  readonly exited: Promise<number | null>;
  #lines: LogLine[] = [];
  #partial = "";
  #stdin: WritableStreamDefaultWriter<Uint8Array>;

  constructor(name: string, child: Deno.ChildProcess) {
    this.name = name;
    this.child = child;
    live.add(this);
    this.#stdin = child.stdin.getWriter();
    const stdoutDone = this.#read(child.stdout, (t) => (this.stdout += t));
    const stderrDone = this.#read(child.stderr, (t) => {
      this.stderr += t;
      const parts = (this.#partial + t).split("\n");
      this.#partial = parts.pop()!;
      for (const line of parts) {
        if (!line.startsWith("{")) continue;
        try {
          this.#lines.push(JSON.parse(line));
        } catch { /* not a log line */ }
      }
    });
    this.exited = child.status.then(async (status) => {
      await Promise.all([stdoutDone, stderrDone]);
      this.exitCode = status.signal === null ? status.code : null;
      this.signal = status.signal;
      live.delete(this);
      return this.exitCode;
    });
  }

  async #read(stream: ReadableStream<Uint8Array>, sink: (text: string) => void): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) sink(decoder.decode(chunk, { stream: true }));
  }

  get pid(): number {
    return this.child.pid;
  }

  /** The JSON log lines so far. */
  logs(event?: string): LogLine[] {
    return event === undefined ? [...this.#lines] : this.#lines.filter((l) => l.event === event);
  }

  /** Waits for a log line of an event (matching `match`), at most `ms`. */
  async waitForLog(
    event: string,
    match: (l: LogLine) => boolean = () => true,
    ms = 15000,
  ): Promise<LogLine> {
    const start = Date.now();
    for (;;) {
      const found = this.#lines.find((l) => l.event === event && match(l));
      if (found !== undefined) return found;
      if (this.exitCode !== undefined) {
        throw new Error(
          `${this.name} exited (${
            this.exitCode ?? this.signal
          }) before logging "${event}":\n${this.stderr}`,
        );
      }
      if (Date.now() - start > ms) {
        throw new Error(
          `${this.name}: no "${event}" log line within ${ms} ms:\n${this.stderr.slice(-3000)}`,
        );
      }
      await sleep(10);
    }
  }

  /** Writes a line to the tool's standard input. */
  writeLine(line: string): void {
    this.#stdin.write(new TextEncoder().encode(line + "\n")).catch(() => {});
  }

  /** Ends the tool's standard input. */
  endInput(): void {
    this.#stdin.close().catch(() => {});
  }

  /** Sends a signal (SIGTERM, SIGKILL, SIGSTOP, ...) unless it exited. */
  kill(signal: Deno.Signal): void {
    if (this.exitCode !== undefined) return;
    try {
      this.child.kill(signal);
    } catch { /* exited meanwhile */ }
  }

  /** Waits for the exit, at most `ms`; fails naming the tool. */
  async waitExit(ms = 15000): Promise<number | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      this.exited,
      new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms))),
    ]);
    clearTimeout(timer);
    if (r === "timeout") {
      throw new Error(`${this.name} did not exit within ${ms} ms:\n${this.stderr.slice(-3000)}`);
    }
    return r;
  }

  /** Resident set size in KiB (Linux /proc). */
  rssKiB(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]);
  }
}

/** Starts a tool (JSON logs unless `text` is asked for), optionally under a wrapper command. */
export function start(
  runtime: ToolRuntime,
  tool: Tool,
  args: readonly string[],
  options: { name?: string; json?: boolean; wrap?: readonly string[] } = {},
): Proc {
  const [tcmd, targv] = toolCommand(runtime, tool, [
    ...args,
    ...(options.json === false || tool === "hsdump" ? [] : ["--log-format", "json"]),
  ]);
  // A wrapper that execs the tool (`ip netns exec NS mptcpize run`) keeps the tool's pid.
  const wrap = options.wrap ?? [];
  const cmd = wrap.length > 0 ? wrap[0]! : tcmd;
  const argv = wrap.length > 0 ? [...wrap.slice(1), tcmd, ...targv] : targv;
  const child = new Deno.Command(cmd, {
    args: argv,
    cwd: ROOT,
    env: { NO_COLOR: "1", PATH: `${BIN}:${process.env.PATH}` },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return new Proc(options.name ?? `${tool}/${runtime}`, child);
}

/** A registrar under Deno on ephemeral ports; resolves once it logged its endpoints. */
export async function startRegistrar(
  args: readonly string[] = [],
  runtime: ToolRuntime = "deno",
): Promise<{ proc: Proc; asap: number; enrp: number }> {
  const hasAsap = args.includes("--asap");
  const proc = start(runtime, "registrar", [
    ...(hasAsap ? [] : ["--asap", "127.0.0.1:0"]),
    ...(args.includes("--enrp") ? [] : ["--enrp", "127.0.0.1:0"]),
    ...(args.includes("--announce") ? [] : ["--announce", "off"]),
    ...args,
  ]);
  const started = await proc.waitForLog("started");
  const port = (list: unknown) => {
    const first = (list as string[])[0];
    return first === undefined ? 0 : Number(first.slice(first.lastIndexOf(":") + 1));
  };
  return { proc, asap: port(started.asap), enrp: port(started.enrp) };
}

/** A server registering at the registrar on `port`; resolves once registered. */
export async function startServer(
  runtime: ToolRuntime,
  port: number,
  args: readonly string[] = [],
): Promise<{ proc: Proc; pe: string }> {
  const proc = start(runtime, "server", [
    "--registrar",
    `127.0.0.1:${port}`,
    "--announce",
    "off",
    ...args,
  ]);
  const registered = await proc.waitForLog("registered", undefined, 30000);
  return { proc, pe: registered.pe as string };
}

/** Runs hsdump --json against an ENRP port. */
export async function hsdump(enrp: number): Promise<HsdumpJson> {
  const proc = start("deno", "hsdump", ["--registrar", `127.0.0.1:${enrp}`, "--json"]);
  const code = await proc.waitExit();
  if (code !== 0) throw new Error(`hsdump failed (${code}): ${proc.stderr}`);
  return JSON.parse(proc.stdout);
}

/** The parts of hsdump's JSON the tests read. */
export interface HsdumpJson {
  readonly registrar: { readonly id: string };
  readonly poolElements: number;
  readonly checksum: { readonly reported: number; readonly consistent: boolean };
  readonly peers: readonly {
    readonly registrarId: string;
    readonly enrp: string;
    readonly self: boolean;
    readonly poolElements: number;
    readonly checksum: number;
  }[];
  readonly owners: readonly {
    readonly registrarId: string;
    readonly poolElements: number;
    readonly checksum: number;
    readonly live: boolean;
  }[];
  readonly pools: readonly {
    readonly poolHandle: string;
    readonly poolElements: readonly {
      readonly id: string;
      readonly homeRegistrarId?: string;
      readonly policy: { readonly type: string; readonly load?: number };
      readonly asapTransport?: { readonly protocol: string; readonly addresses: string[] };
    }[];
  }[];
}

/** Kills every tool still running (SIGKILL): call in `finally`. */
export async function killAll(): Promise<void> {
  const all = [...live];
  for (const p of all) p.kill("SIGKILL");
  await Promise.all(all.map((p) => p.exited));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits until `condition` holds, at most `ms`, failing with `what`. */
export async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}
