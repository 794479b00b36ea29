// Real processes for the session and compute end-to-end tests and benches (node:child_process):
// the registrar CLI, `server --compute` and the compute client; read their output line by line
// (JSON log lines on standard error, the client's report on standard output), wait for lines,
// signal them by pid.

import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import process from "node:process";

export const ROOT = join(import.meta.dirname!, "../..");
export const BIN = (name: string): string => join(ROOT, "node_modules", ".bin", name);

/** The cookie key of the compute pools the tests start. */
export const COMPUTE_KEY = "e2e compute pool cookie key";

/** A JSON log line of a CLI tool. */
export type LogLine = { readonly event: string; readonly [key: string]: unknown };

/** A started process with its output lines. */
export class Proc {
  readonly child: ChildProcess;
  readonly name: string;
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  #waiters: (() => void)[] = [];
  #exited = false;

  constructor(
    name: string,
    cmd: string,
    args: readonly string[],
    env: Record<string, string> = {},
  ) {
    this.name = name;
    this.child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines = (target: string[]) => {
      let rest = "";
      return (chunk: Uint8Array | string) => {
        rest += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
        const parts = rest.split("\n");
        rest = parts.pop()!;
        target.push(...parts);
        for (const w of this.#waiters.splice(0)) w();
      };
    };
    this.child.stdout!.on("data", lines(this.stdout));
    this.child.stderr!.on("data", lines(this.stderr));
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code) => {
        this.#exited = true;
        for (const w of this.#waiters.splice(0)) w();
        resolve(code);
      })
    );
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return !this.#exited;
  }

  /** The JSON objects printed on standard output, one per line. */
  json<T = Record<string, unknown>>(): T[] {
    return this.stdout.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as T);
  }

  /** The JSON log lines on standard error. */
  logs(event?: string): LogLine[] {
    const all = this.stderr.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as LogLine);
    return event === undefined ? all : all.filter((l) => l.event === event);
  }

  /** Waits until a condition on the output holds; returns its value. */
  async until<T>(test: () => T | undefined, ms = 20_000, what = "a line"): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = test();
      if (found !== undefined) return found;
      if (!this.running) {
        throw new Error(
          `${this.name} exited (${this.child.exitCode}) before ${what}:\n${this.stderr.join("\n")}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`${this.name}: timed out waiting for ${what}:\n${this.stderr.join("\n")}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits for a log line with this event; returns it. */
  log(event: string, ms = 20_000): Promise<LogLine> {
    return this.until(() => this.logs(event)[0], ms, `the "${event}" log line`);
  }

  /**
   * Sends a signal to this process by its pid (Deno's `ChildProcess.kill()` believes a process
   * is gone after any signal, SIGSTOP and SIGCONT included, so it is not used).
   */
  signal(sig: "SIGKILL" | "SIGSTOP" | "SIGCONT" | "SIGTERM"): void {
    const pid = this.child.pid;
    if (!this.running || pid === undefined) return;
    try {
      process.kill(pid, sig);
    } catch {
      // Gone meanwhile.
    }
  }

  /** Stops the process (SIGTERM, then SIGKILL) and waits for it. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.signal("SIGCONT");
    this.signal("SIGTERM");
    const t = setTimeout(() => this.signal("SIGKILL"), 3000);
    await this.exited;
    clearTimeout(t);
  }
}

const cli = (tool: string) => join(ROOT, "adapters", "cli", `${tool}.ts`);

/** The registrar CLI on a free loopback port; resolves with its process and ASAP port. */
export async function startRegistrar(): Promise<{ proc: Proc; port: number }> {
  const proc = new Proc("registrar", BIN("deno"), [
    "run",
    "--allow-net",
    cli("registrar"),
    "--asap",
    "127.0.0.1:0",
    "--enrp",
    "off",
    "--announce",
    "off",
    "--log-format",
    "json",
  ]);
  const started = await proc.log("started");
  const asap = (started.asap as string[])[0]!;
  return { proc, port: Number(asap.slice(asap.lastIndexOf(":") + 1)) };
}

/** `server --compute` (Deno) registered at the registrar, in `ComputePool` unless told. */
export async function startComputePe(
  registrarPort: number,
  capacity: number,
  rate: number,
  options: { pool?: string; policy?: string } = {},
): Promise<{ proc: Proc; id: string; port: number }> {
  const proc = new Proc(`compute server (capacity ${capacity})`, BIN("deno"), [
    "run",
    "--allow-net",
    cli("server"),
    "--compute",
    "--capacity",
    String(capacity),
    "--rate",
    String(rate),
    "--cookie-key",
    COMPUTE_KEY,
    "--registrar",
    `127.0.0.1:${registrarPort}`,
    "--host",
    "127.0.0.1",
    "--announce",
    "off",
    "--log-format",
    "json",
    "--log-level",
    "debug",
    ...(options.pool === undefined ? [] : ["--pool", options.pool]),
    ...(options.policy === undefined ? [] : ["--policy", options.policy]),
  ]);
  const started = await proc.log("started");
  await proc.log("registered");
  const listen = started.listen as string;
  return {
    proc,
    id: started.pe as string,
    port: Number(listen.slice(listen.lastIndexOf(":") + 1)),
  };
}

/** Primes below n, by the plain sieve (independent of the code under test). */
export function primesBelow(n: number): number {
  const composite = new Uint8Array(n);
  let count = 0;
  for (let i = 2; i < n; i++) {
    if (composite[i]) continue;
    count++;
    for (let j = i * i; j < n; j += i) composite[j] = 1;
  }
  return count;
}
