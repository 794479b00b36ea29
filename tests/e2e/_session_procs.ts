// Real processes for the session and compute end-to-end tests and benches (node:child_process):
// start one, read its output line by line, wait for a line, signal it by its pid.

import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import process from "node:process";

export const ROOT = join(import.meta.dirname!, "../..");
export const BIN = (name: string): string => join(ROOT, "node_modules", ".bin", name);

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

  /** Waits until a line of standard output satisfies the test; returns it. */
  async line(test: (line: string) => boolean, ms = 20_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.stdout.find(test);
      if (found !== undefined) return found;
      if (!this.running) {
        throw new Error(
          `${this.name} exited (${this.child.exitCode}) before the line: ${this.stderr.join("\n")}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `${this.name}: timed out waiting for a line; stderr:\n${this.stderr.join("\n")}`,
        );
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

  /** The JSON objects printed on standard output, one per line. */
  json<T = Record<string, unknown>>(): T[] {
    return this.stdout.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as T);
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

/** A registrar on loopback; resolves with its process and ASAP port. */
export async function startRegistrar(): Promise<{ proc: Proc; port: number }> {
  const proc = new Proc("registrar", BIN("deno"), ["run", "-A", "tests/e2e/_registrar_main.ts"]);
  const line = await proc.line((l) => l.startsWith("listening "));
  return { proc, port: Number(line.split(" ")[1]) };
}

/** A compute pool element (Deno) registered at the registrar. */
export async function startComputePe(
  registrarPort: number,
  capacity: number,
  rate: number,
  chunk = 0,
): Promise<{ proc: Proc; id: string; port: number }> {
  const proc = new Proc(`compute-pe(${capacity})`, BIN("deno"), [
    "run",
    "-A",
    "tests/e2e/_compute_pe_main.ts",
    String(registrarPort),
    String(capacity),
    String(rate),
    String(chunk),
  ]);
  const started = JSON.parse(await proc.line((l) => l.includes('"started"'))) as {
    id: string;
    port: number;
  };
  await proc.line((l) => l.includes('"registered"'));
  return { proc, id: started.id, port: started.port };
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
