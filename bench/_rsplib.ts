// The same-window RSPLIB reference of bench/handlespace_table.ts (`--rsplib <harness>`): runs
// the C harness of bench/rsplib/ (RSPLIB's handlespace library, bench-reference.md's workload)
// for one cell at a time, parses its JSON lines, and pairs its figures with ours run by run.
// The harness and how to build it: bench/rsplib/README.md.

import { median } from "./_stats.ts";

/** One JSON line of the harness: a cell's samples (see bench/rsplib/harness.c). */
export interface RsplibLine {
  /** "resolve", "registration", "updateChanged", "updateIdentical", "deregistration", "checksumUpdate", "checksumRecompute", "checksumRead", "checksumBuffer", "random64" or "clockRead". */
  readonly kind: string;
  /** The policy by our name (RoundRobin, ...); the checksum rows name RoundRobin. */
  readonly policy?: string;
  /** Pool size N (absent for checksumBuffer). */
  readonly n?: number;
  /** PEs per handle resolution (resolve only). */
  readonly k?: number;
  /** Buffer size in bytes (checksumBuffer only). */
  readonly bytes?: number;
  /** "Mops", "ns", "us" or "GBps". */
  readonly unit: string;
  /** One figure per sample. */
  readonly samples: readonly number[];
}

/**
 * The key of a harness line in the table's maps: `rsplib/<policy>/<n>/<k>` for resolve (as
 * `ts/<policy>/<n>/<k>` for ours), `<kind>/<policy>/<n>` for lifecycle and checksum rows,
 * `checksumBuffer/<bytes>` for the buffer routine, the kind alone for the host gauges
 * (`random64`, `clockRead`).
 */
export function rsplibKey(line: RsplibLine): string {
  if (line.kind === "resolve") return `rsplib/${line.policy}/${line.n}/${line.k}`;
  if (line.kind === "checksumBuffer") return `checksumBuffer/${line.bytes}`;
  if (line.policy === undefined) return line.kind; // random64, clockRead
  return `${line.kind}/${line.policy}/${line.n}`;
}

/**
 * Parses the harness's standard output: one JSON object per line; the "meta" line and blank
 * lines are skipped. Returns key (see {@link rsplibKey}) → the median of the line's samples.
 * A line that is not a harness cell throws a TypeError naming it.
 */
export function parseRsplibOutput(text: string): Map<string, number> {
  const cells = new Map<string, number>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new TypeError(`Cannot parse RSPLIB harness output: not JSON: ${line}`);
    }
    const v = value as Partial<RsplibLine> & { harness?: unknown };
    if (v.harness !== "rsplib" || typeof v.kind !== "string") {
      throw new TypeError(`Cannot parse RSPLIB harness output: not a harness line: ${line}`);
    }
    if (v.kind === "meta") continue;
    if (
      !Array.isArray(v.samples) || v.samples.length === 0 ||
      !v.samples.every((s) => typeof s === "number" && s > 0 && Number.isFinite(s))
    ) {
      throw new TypeError(`Cannot parse RSPLIB harness output: no positive samples: ${line}`);
    }
    cells.set(rsplibKey(v as RsplibLine), median(v.samples));
  }
  return cells;
}

/** How to run the harness: its path, samples per cell and the clock ("cpu" or "wall"). */
export interface RsplibRunner {
  readonly harness: string;
  readonly samples: number;
  readonly clock: string;
}

/**
 * Runs the harness once, synchronously (the caller's timing is idle meanwhile), for one policy
 * and size and the given operations ("selection", "lifecycle", "checksum"); returns its cells
 * as {@link parseRsplibOutput} does. Throws an Error with the harness's message if it fails.
 */
export function runRsplib(
  runner: RsplibRunner,
  policy: string,
  n: number,
  ops: string,
): Map<string, number> {
  const out = new Deno.Command(runner.harness, {
    args: [
      "--policy",
      policy,
      "--sizes",
      String(n),
      "--ops",
      ops,
      "--samples",
      String(runner.samples),
      "--clock",
      runner.clock === "wall" ? "monotonic" : "cpu",
    ],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const text = new TextDecoder();
  if (!out.success) {
    throw new Error(
      `RSPLIB harness ${runner.harness} failed for ${policy} N = ${n} (${ops}): ${
        text.decode(out.stderr).trim()
      }`,
    );
  }
  return parseRsplibOutput(text.decode(out.stdout));
}

/**
 * bench-reference.md's "other measured costs" measured now by the harness (`--ops costs`): one
 * `random64()` call and one `clock_gettime(CLOCK_MONOTONIC)` read in ns, next to the reference's
 * 43 and 21 ns, as a line of text: a gauge of how fast this host runs code that is not the
 * handlespace's in this window.
 */
export function rsplibGauge(runner: RsplibRunner): string {
  const cells = runRsplib(runner, "RoundRobin", 10, "costs");
  const ns = (kind: string) => cells.get(kind)?.toFixed(1) ?? "?";
  return `random64() ${ns("random64")} ns (bench-reference.md 43), clock_gettime ${
    ns("clockRead")
  } ns (21)`;
}

/**
 * The ratio ours / RSPLIB of one cell measured over several runs: with paired runs (run r of
 * ours next to run r of RSPLIB, both lists as long), the median of the per-run ratios, so that a
 * window that slows both sides of a pair cancels out; otherwise (unpaired lists, for instance
 * the all-policies process against RSPLIB's own-process runs) the ratio of the medians.
 */
export function cellRatio(
  ours: readonly number[],
  rsplib: readonly number[],
  paired: boolean,
): number {
  if (ours.length === 0 || rsplib.length === 0) {
    throw new RangeError("Cannot compute a ratio: a cell has no runs");
  }
  if (!paired) return median(ours) / median(rsplib);
  if (ours.length !== rsplib.length) {
    throw new RangeError(
      `Cannot pair runs: ${ours.length} runs of ours against ${rsplib.length} of RSPLIB`,
    );
  }
  return median(ours.map((x, r) => x / rsplib[r]!));
}
