// Small helpers shared by the paired A/B tools and probes of bench/: the process's CPU clock,
// medians and geometric means of per-process ratios, and comma-separated integer options.

import process from "node:process";

/** The process's CPU time (user + system) in milliseconds: not counting time other jobs hold the core. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The median of a non-empty list (mean of the two middle values for an even length). */
export function median(list: readonly number[]): number {
  const s = [...list].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** The geometric mean of a non-empty list of positive ratios. */
export function geometricMean(list: readonly number[]): number {
  return Math.exp(list.reduce((sum, v) => sum + Math.log(v), 0) / list.length);
}

/** A command-line option's comma-separated positive integers; a RangeError names the option. */
export function positiveInts(name: string, text: string): number[] {
  const list = text.split(",").map(Number);
  for (const v of list) {
    if (!Number.isInteger(v) || v <= 0) {
      throw new RangeError(`--${name} ${text}: expected positive integers separated by commas`);
    }
  }
  return list;
}
