// Real processes for `deno bench` files: one fixture (a registrar and its pool elements, a
// session client, ...) at a time, made lazily by the first iteration of the first benchmark that
// asks for it (so `deno bench --filter` starts only what it runs), closed when a benchmark asks
// for another one, and every process still running is killed when the bench process unloads
// (Deno.bench has no teardown hook, and the number of calls per benchmark is n plus its warmups).

import type { Proc } from "../tests/e2e/_session_procs.ts";

const live = new Set<Proc>();
let current: { key: string; value: unknown; close: () => Promise<void> } | undefined;

/**
 * Tracks a process so that it is killed when the bench process unloads.
 *
 * @param proc The process.
 * @returns The same process.
 */
export function track(proc: Proc): Proc {
  live.add(proc);
  proc.exited.then(() => live.delete(proc));
  return proc;
}

/**
 * The fixture with this key: the current one, or a new one after the current one is closed.
 *
 * @param key What the fixture is (benchmarks that pass the same key share it).
 * @param make Starts it; returns its value and how to close it.
 * @returns The fixture's value.
 */
export async function fixture<T>(
  key: string,
  make: () => Promise<{ value: T; close: () => Promise<void> }>,
): Promise<T> {
  if (current?.key === key) return current.value as T;
  if (current !== undefined) {
    const old = current;
    current = undefined;
    await old.close();
  }
  const made = await make();
  current = { key, value: made.value, close: made.close };
  return made.value;
}

/**
 * Rejects when a promise takes longer than `ms` (a benchmark must not hang on a bug).
 *
 * @param p The promise.
 * @param ms The limit.
 * @param what What it waits for, for the error message.
 * @returns Its value.
 */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

globalThis.addEventListener("unload", () => {
  for (const p of live) {
    p.signal("SIGCONT");
    p.signal("SIGKILL");
  }
});
