/**
 * The `compute-client` tool: a pool user that hands a job out to a compute pool. It splits a
 * range into work units (count and sum the primes in each), keeps several sessions open to the
 * pool, gives each session its next unit when the previous one is done (so faster pool elements
 * take more), and assembles the exact result, each unit counted once. A pool element that dies
 * mid-unit costs nothing but time: its session fails over, echoes the last cookie checkpoint to
 * another pool element, which resumes the unit where the checkpoint says.
 *
 * ```sh
 * deno task compute-client --registrar 127.0.0.1:3863 --to 20000000 --units 40 --sessions 4
 * ```
 *
 * It runs under Deno (`deno run --allow-net adapters/cli/compute_client.ts`), Bun
 * (`bun adapters/cli/compute_client.ts`) and Node (`npx tsx adapters/cli/compute_client.ts`).
 * Progress goes to standard error, the result as one JSON object to standard output; the exit
 * status is 0 when the job completed (and matches `--expect`), 1 when it did not, 2 for bad usage.
 * SIGINT or SIGTERM stops the job: the sessions close and the report of the units done so far is
 * printed (exit status 1).
 *
 * @module
 */

import process from "node:process";
import {
  COMPUTE_PPID,
  decodeComputeMessage,
  encodeComputeMessage,
  type WorkUnit,
} from "../../core/compute/compute_messages.ts";
import { JobAssembler, splitJob, type UnitRecord } from "../../core/compute/compute_job.ts";
import type { TransportAddress } from "../../core/role.ts";
import type { FramedAssociationOptions } from "../../core/transport/framed_association.ts";
import type { Runtime } from "../runtime.ts";
import { type Session, SessionClient, SessionError } from "../session/session_client.ts";
import { COMPUTE_POOL } from "./_compute_service.ts";
import { onShutdownSignals } from "./_signals.ts";
import { readTlsValues } from "./_tls.ts";
import type { TlsOptions } from "../tls.ts";

/** Options of {@link runComputeJob}. */
export interface ComputeJobOptions {
  /** Registrars. */
  readonly registrars: readonly (TransportAddress | string)[];
  /** Pool handle (default "ComputePool"). */
  readonly pool?: string;
  /** The job's name (default "job-" and the start time). */
  readonly job?: string;
  /** First number (default 0). */
  readonly from?: number;
  /** End of the range, exclusive. */
  readonly to: number;
  /** Work units (default 40). */
  readonly units?: number;
  /** Sessions kept open at once (default 4). */
  readonly sessions?: number;
  /** Handle resolution cache lifetime (default 1000 ms, so load changes are seen). */
  readonly staleCacheValue?: number;
  /** Failed attempts in a row before a session gives up (default 10). */
  readonly maxAttempts?: number;
  /** Framing shim options (heartbeats notice hung pool elements). */
  readonly association?: FramedAssociationOptions;
  /** TLS on the associations to registrars and pool elements (default plain TCP). */
  readonly tls?: TlsOptions;
  /** The runtime (default the running one's). */
  readonly runtime?: Runtime;
  /** Progress reports. */
  readonly progress?: (line: string) => void;
  /**
   * Stops the job when aborted: the sessions close, units not done stay undone, and the report
   * says what was done (`complete` false unless every unit had finished).
   */
  readonly signal?: AbortSignal;
}

/** A unit that resumed from a checkpoint. */
export interface ResumedUnit {
  /** The unit's number. */
  readonly unit: number;
  /** Its first number. */
  readonly from: number;
  /** Where the checkpoint let it resume. */
  readonly resumedFrom: number;
}

/** A unit the job gave up on. */
export interface FailedUnit {
  /** The unit's number. */
  readonly unit: number;
  /** Its first number. */
  readonly from: number;
  /** Its end, exclusive. */
  readonly to: number;
  /** The pool element's refusal, or why the last session it was sent on gave up. */
  readonly reason: string;
}

/**
 * Sessions that may give up while a unit is outstanding before the job gives up on the unit (a
 * unit that makes every pool element fail would otherwise be sent round the pool for ever).
 */
export const UNIT_SESSION_LIMIT = 3;

/** The outcome of a job. */
export interface ComputeJobReport {
  /** The job's name. */
  readonly job: string;
  /** The pool. */
  readonly pool: string;
  /** The range. */
  readonly from: number;
  /** End, exclusive. */
  readonly to: number;
  /** Work units. */
  readonly units: number;
  /** Units with a result. */
  readonly done: number;
  /** Whether every unit has exactly one result. */
  readonly complete: boolean;
  /** Primes in the range. */
  readonly primes: number;
  /** Their sum (decimal string: it may exceed 2^53). */
  readonly sum: string;
  /** Results ignored because their unit had one already (0 when nothing was double-counted). */
  readonly duplicates: number;
  /** Failovers of the sessions. */
  readonly failovers: number;
  /** Units that resumed from a cookie checkpoint after a failover. */
  readonly resumed: readonly ResumedUnit[];
  /** Units given up on: {@link UNIT_SESSION_LIMIT} sessions gave up while each was outstanding. */
  readonly failed: readonly FailedUnit[];
  /** Units computed per pool element (identifier as a decimal string). */
  readonly perPoolElement: Readonly<Record<string, number>>;
  /** Wall-clock time of the job in ms. */
  readonly elapsedMs: number;
}

/**
 * Runs a compute job against a pool.
 *
 * @param options The pool, registrars, range, units, sessions.
 * @returns The report (also when the job could not complete: then `complete` is false).
 */
export async function runComputeJob(options: ComputeJobOptions): Promise<ComputeJobReport> {
  const pool = options.pool ?? COMPUTE_POOL;
  const job = options.job ?? `job-${Date.now()}`;
  const from = options.from ?? 0;
  const units = splitJob(job, from, options.to, options.units ?? 40);
  const assembler = new JobAssembler(units);
  const progress = options.progress ?? (() => {});
  const client = await SessionClient.create({
    registrars: options.registrars,
    staleCacheValue: options.staleCacheValue ?? 1000,
    // Ask for up to 32 PEs per resolution, so the cache (and the policy's choice in it) covers
    // the pool, not only the registrar's default 3.
    candidates: 32,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.association === undefined ? {} : { association: options.association }),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
  });
  const queue: WorkUnit[] = [...units];
  const resumed: ResumedUnit[] = [];
  const failed: FailedUnit[] = [];
  const gaveUp = new Map<number, number>();
  const perPe = new Map<string, number>();
  let failovers = 0;
  const started = Date.now();
  const signal = options.signal;
  const aborted = () => signal?.aborted === true;
  const stop = () => {
    progress(`stopped: ${assembler.done} of ${units.length} units done`);
    void client.close();
  };
  signal?.addEventListener("abort", stop, { once: true });

  async function openSession(worker: number): Promise<Session | undefined> {
    for (let tries = 0; tries < 3 && !aborted(); tries++) {
      try {
        const s = await client.open(pool);
        s.on(
          "failover-started",
          (f) =>
            progress(`session ${worker}: lost PE ${f.poolElementId} (${f.reason}), failing over`),
        );
        s.on("failover", (f) => {
          failovers++;
          progress(
            `session ${worker}: failover to PE ${f.poolElement.id} after ${f.attempts} attempt(s)` +
              `${f.cookieEchoed ? ", cookie echoed" : ""}, ${f.resent} unit(s) resent`,
          );
        });
        return s;
      } catch (e) {
        progress(`session ${worker}: ${(e as Error).message}`);
        if (aborted()) return undefined;
        if (!(e instanceof SessionError)) throw e;
      }
    }
    return undefined;
  }

  /**
   * The result of a unit on a session, the pool element's reason when it refused the unit, or
   * undefined when the session ended first.
   */
  async function resultOf(
    s: Session,
    u: WorkUnit,
  ): Promise<(WorkUnit & UnitRecord) | string | undefined> {
    for (;;) {
      const m = await s.receive();
      if (m === undefined) return undefined;
      const r = m.ppid === COMPUTE_PPID ? decodeComputeMessage(m.payload) : undefined;
      if (r?.kind !== "ok") continue;
      const msg = r.message;
      if (msg.job !== u.job || msg.unit !== u.unit) continue;
      if (msg.type === "error") return msg.reason;
      if (msg.type === "result") return msg;
    }
  }

  async function worker(n: number): Promise<void> {
    let s: Session | undefined;
    while (queue.length > 0 && !aborted()) {
      if (s === undefined || s.state === "closed") {
        s = await openSession(n);
        if (s === undefined) return;
      }
      // Other sessions may have taken the last units while this one was being opened.
      const u = queue.shift();
      if (u === undefined) break;
      const id = s.send(encodeComputeMessage({ type: "unit", ...u }), {
        ack: true,
        ppid: COMPUTE_PPID,
      });
      const r = await resultOf(s, u);
      if (r === undefined) {
        const end = await s.closed;
        s = undefined;
        const times = (gaveUp.get(u.unit) ?? 0) + (end.reason === "gave-up" ? 1 : 0);
        gaveUp.set(u.unit, times);
        if (times >= UNIT_SESSION_LIMIT && !aborted()) {
          failed.push({ unit: u.unit, from: u.from, to: u.to, reason: end.detail });
          progress(
            `unit ${u.unit} given up after ${times} sessions gave up; the last: ${end.detail}`,
          );
          continue;
        }
        queue.unshift(u); // the session ended: another session (or a new one) takes the unit
        continue;
      }
      s.acknowledge(id);
      if (typeof r === "string") {
        // Refused by name: another pool element of the same build would refuse it too.
        failed.push({ unit: u.unit, from: u.from, to: u.to, reason: r });
        progress(`unit ${u.unit} refused by the pool element: ${r}`);
        continue;
      }
      if (assembler.accept(r) === "new") {
        const pe = r.pe.toString();
        perPe.set(pe, (perPe.get(pe) ?? 0) + 1);
        progress(`unit ${r.unit} done on PE ${pe} (${assembler.done} of ${units.length})`);
        if (r.resumedFrom >= 0) {
          resumed.push({ unit: r.unit, from: r.from, resumedFrom: r.resumedFrom });
          progress(
            `unit ${r.unit} resumed at ${r.resumedFrom} of [${r.from}, ${r.to}) on PE ${pe}`,
          );
        }
      }
    }
    await s?.close();
  }

  try {
    const count = Math.max(1, Math.min(options.sessions ?? 4, units.length));
    if (!aborted()) {
      await Promise.all(Array.from({ length: count }, (_, i) => worker(i + 1)));
    }
  } finally {
    signal?.removeEventListener("abort", stop);
    await client.close();
  }
  return {
    job,
    pool,
    from,
    to: options.to,
    units: units.length,
    done: assembler.done,
    complete: assembler.complete,
    primes: assembler.count,
    sum: assembler.sum.toString(),
    duplicates: assembler.duplicates,
    failovers,
    resumed,
    failed,
    perPoolElement: Object.fromEntries(perPe),
    elapsedMs: Date.now() - started,
  };
}

const USAGE = `Usage: compute-client [options]
  --registrar HOST:PORT   registrar (repeatable; default 127.0.0.1:3863)
  --pool NAME             pool handle (default ComputePool)
  --from N                first number (default 0)
  --to N                  end of the range, exclusive (default 20000000)
  --units N               work units (default 40)
  --sessions N            sessions at once (default 4)
  --job NAME              job name (default job-<time>)
  --expect N              exit 1 unless the prime count is N
  --stale-cache MS        handle resolution cache lifetime (default 1000)
  --heartbeat MS          heartbeat interval and timeout of the associations (default 2000/3000)
  --tls-ca FILE           connect over TLS, verifying registrar and pool elements against this
                          CA (PEM; env RSERPOOL_TLS_CA; default plain TCP)
  --tls-cert FILE         present this client certificate (PEM; needs --tls-key and --tls-ca;
                          env RSERPOOL_TLS_CERT)
  --tls-key FILE          private key of --tls-cert (PEM; env RSERPOOL_TLS_KEY)
  --quiet                 no progress on standard error`;

/** Parsed command line. */
interface Args {
  readonly options: ComputeJobOptions;
  readonly expect: number | undefined;
  readonly quiet: boolean;
}

function parseArgs(argv: readonly string[]): Args | string {
  const registrars: string[] = [];
  const v: Record<string, string> = {};
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") return USAGE;
    if (a === "--quiet") {
      quiet = true;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (m === null) return `compute-client: unexpected argument "${a}"\n${USAGE}`;
    const value = m[2] ?? argv[++i];
    if (value === undefined) return `compute-client: --${m[1]} needs a value`;
    if (m[1] === "registrar") registrars.push(value);
    else if (
      [
        "pool",
        "from",
        "to",
        "units",
        "sessions",
        "job",
        "expect",
        "stale-cache",
        "heartbeat",
        "tls-cert",
        "tls-key",
        "tls-ca",
      ].includes(m[1]!)
    ) {
      v[m[1]!] = value;
    } else return `compute-client: unknown option --${m[1]}\n${USAGE}`;
  }
  const num = (name: string, dflt: number | undefined): number | undefined => {
    const s = v[name];
    if (s === undefined) return dflt;
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new RangeError(`--${name} ${s} is not a whole number`);
    }
    return n;
  };
  try {
    const heartbeat = num("heartbeat", undefined);
    const tls = readTlsValues((name) => v[name], "connect");
    return {
      options: {
        registrars: registrars.length > 0 ? registrars : ["127.0.0.1:3863"],
        ...(v.pool === undefined ? {} : { pool: v.pool }),
        ...(v.job === undefined ? {} : { job: v.job }),
        from: num("from", 0)!,
        to: num("to", 20_000_000)!,
        units: num("units", 40)!,
        sessions: num("sessions", 4)!,
        staleCacheValue: num("stale-cache", 1000)!,
        ...(heartbeat === undefined
          ? {}
          : { association: { heartbeatInterval: heartbeat, heartbeatTimeout: heartbeat } }),
        ...(tls === undefined ? {} : { tls }),
      },
      expect: num("expect", undefined),
      quiet,
    };
  } catch (e) {
    return `compute-client: ${(e as Error).message}`;
  }
}

/**
 * The command line entry: parses arguments, runs the job, prints the report.
 *
 * @param argv The arguments (without the program name).
 * @returns The exit status.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === "string") {
    (args === USAGE ? process.stdout : process.stderr).write(args + "\n");
    return args === USAGE ? 0 : 2;
  }
  const progress = args.quiet
    ? undefined
    : (line: string) => process.stderr.write(`compute-client: ${line}\n`);
  let report: ComputeJobReport;
  // SIGINT / SIGTERM stop the job; the report of what was done is still printed.
  const abort = new AbortController();
  const unsubscribe = onShutdownSignals(() => abort.abort());
  try {
    report = await runComputeJob({
      ...args.options,
      ...(progress === undefined ? {} : { progress }),
      signal: abort.signal,
    });
  } catch (e) {
    process.stderr.write(`compute-client: ${(e as Error).message}\n`);
    return 1;
  } finally {
    unsubscribe();
  }
  process.stdout.write(JSON.stringify(report) + "\n");
  if (!report.complete) {
    process.stderr.write(
      `compute-client: job incomplete: ${report.done} of ${report.units} units` +
        (report.failed.length > 0 ? ` (${report.failed.length} given up)\n` : "\n"),
    );
    return 1;
  }
  if (args.expect !== undefined && report.primes !== args.expect) {
    process.stderr.write(`compute-client: ${report.primes} primes, expected ${args.expect}\n`);
    return 1;
  }
  return 0;
}

if ((import.meta as { main?: boolean }).main || isNodeMain()) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

function isNodeMain(): boolean {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno !== undefined || g.Bun !== undefined) return false;
  const script = process.argv[1] ?? "";
  return script.endsWith("compute_client.ts") || script.endsWith("compute_client.js");
}
