/**
 * The one-timer and clock pieces that every runtime shares: `performance.now()` and
 * `setTimeout` behave alike in Deno, Bun and Node.
 *
 * @module
 */

import type { RuntimeTimer } from "./runtime.ts";

/** Longest delay `setTimeout` accepts (2^31 - 1 ms); later deadlines are re-armed on firing. */
const MAX_DELAY = 0x7fffffff;

/**
 * The monotonic clock of all three runtimes.
 *
 * @returns Milliseconds since the process started.
 */
export function monotonicNow(): number {
  return performance.now();
}

/**
 * A re-armable timer over `setTimeout`, on the clock {@link monotonicNow}.
 *
 * @param callback What to run when the timer fires.
 * @returns The timer.
 */
export function createTimeoutTimer(callback: () => void): RuntimeTimer {
  let handle: ReturnType<typeof setTimeout> | undefined;
  let deadline = Infinity;
  const fire = (): void => {
    handle = undefined;
    const now = monotonicNow();
    if (now < deadline) {
      // Fired early (timer granularity) or the deadline was beyond MAX_DELAY: wait the rest.
      handle = setTimeout(fire, Math.min(MAX_DELAY, Math.ceil(deadline - now)));
      return;
    }
    deadline = Infinity;
    callback();
  };
  return {
    set(at: number): void {
      if (handle !== undefined) clearTimeout(handle);
      deadline = at;
      const delay = Math.max(0, Math.min(MAX_DELAY, Math.ceil(at - monotonicNow())));
      handle = setTimeout(fire, delay);
    },
    clear(): void {
      if (handle !== undefined) clearTimeout(handle);
      handle = undefined;
      deadline = Infinity;
    },
  };
}

/**
 * Random bytes from `crypto.getRandomValues` (present in all three runtimes).
 *
 * @param length How many bytes.
 * @returns The bytes.
 */
export function cryptoRandomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += 65536) {
    crypto.getRandomValues(out.subarray(at, Math.min(length, at + 65536)));
  }
  return out;
}
