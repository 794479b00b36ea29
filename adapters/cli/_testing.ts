// Test helpers for the CLI tools run in process: an I/O that records output, delivers signals
// and feeds standard input on demand, and bounded waits with clear failure messages.

import type { CliIo, ShutdownSignal } from "./_io.ts";

/** A JSON log line of a tool. */
export type LogLine = { readonly event: string; readonly [key: string]: unknown };

/** A {@link CliIo} for tests. */
export class TestIo implements CliIo {
  stdout = "";
  stderr = "";
  readonly #handlers = new Set<(s: ShutdownSignal) => void>();
  readonly #lines: string[] = [];
  #ended = false;
  #wake: (() => void) | undefined;

  out(text: string): void {
    this.stdout += text;
  }

  err(text: string): void {
    this.stderr += text;
  }

  onShutdown(handler: (signal: ShutdownSignal) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** Delivers a shutdown signal to the current subscribers. */
  signal(signal: ShutdownSignal = "SIGTERM"): void {
    for (const h of [...this.#handlers]) h(signal);
  }

  /** Adds a line to standard input. */
  feed(line: string): void {
    this.#lines.push(line);
    this.#wake?.();
  }

  /** Ends standard input. */
  endInput(): void {
    this.#ended = true;
    this.#wake?.();
  }

  async *stdinLines(): AsyncIterable<string> {
    for (;;) {
      const line = this.#lines.shift();
      if (line !== undefined) {
        yield line;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }

  /** The JSON log lines written so far. */
  logs(): LogLine[] {
    return this.stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  }

  /** The first log line of an event (and matching a predicate), waiting up to `ms`. */
  async waitForLog(
    event: string,
    match: (line: LogLine) => boolean = () => true,
    ms = 10000,
  ): Promise<LogLine> {
    let found: LogLine | undefined;
    await until(
      () => (found = this.logs().find((l) => l.event === event && match(l))) !== undefined,
      ms,
      `a "${event}" log line`,
    );
    return found!;
  }
}

/** Waits until `condition` holds, checking every 10 ms; fails after `ms` naming `what`. */
export async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Waits for `promise` up to `ms`; fails naming `what` and, when given, what `detail()` tells at
 * that moment (a hung step then says where it hung instead of stalling the test run).
 */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  detail?: () => string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const more = detail === undefined ? "" : `\n${detail()}`;
      reject(new Error(`Timed out after ${ms} ms waiting for ${what}${more}`));
    }, ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
