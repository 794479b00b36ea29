// The I/O of the long-running CLI tools, as an interface (so `run*(argv, io)` is testable in
// process) and its implementation on the real process.

import process from "node:process";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { onShutdownSignals, type ShutdownSignal } from "./_signals.ts";

/**
 * What a CLI tool needs from its process: output streams, shutdown signals and standard input.
 */
export interface CliIo {
  /**
   * Writes to standard output (the tool's data: replies, dumps).
   *
   * @param text The text, including its newline.
   */
  out(text: string): void;
  /**
   * Writes to standard error (log lines, errors).
   *
   * @param text The text, including its newline.
   */
  err(text: string): void;
  /**
   * Subscribes to shutdown requests (SIGINT, SIGTERM).
   *
   * @param handler Called with the signal's name.
   * @returns A function that unsubscribes.
   */
  onShutdown(handler: (signal: ShutdownSignal) => void): () => void;
  /**
   * The lines of standard input, without their line ends; ends at end of input.
   *
   * @returns The lines.
   */
  stdinLines(): AsyncIterable<string>;
}

export type { ShutdownSignal };

/** The process's I/O. */
export function processIo(): CliIo {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    onShutdown: onShutdownSignals,
    stdinLines: () => createInterface({ input: process.stdin, crlfDelay: Infinity }),
  };
}

/**
 * Whether the module whose `import.meta` is given is the program's entry (Deno and Bun say so
 * in `import.meta.main`; under Node, compare with the script path).
 */
export function isMainModule(meta: ImportMeta): boolean {
  const main = (meta as ImportMeta & { main?: boolean }).main;
  if (main !== undefined) return main;
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(script).href === meta.url;
}

/**
 * Runs a tool on the process: its arguments, the process I/O; exits with its code once its
 * output is written (open stdin readers or sockets do not keep the process alive).
 */
export function runOnProcess(run: (argv: string[], io: CliIo) => Promise<number>): void {
  run(process.argv.slice(2), processIo()).then(
    (code) => exitAfterFlush(code),
    (e: unknown) => {
      process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
      exitAfterFlush(70);
    },
  );
}

function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
}
