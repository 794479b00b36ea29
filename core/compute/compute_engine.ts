/**
 * The compute pool element's work scheduler, sans-IO: units from many sessions share
 * `capacity` slots (first come, first served; the rest queue), each slot sieving one chunk at a
 * time, optionally paced to a fixed rate so pool elements of different capacities can be
 * modelled on one machine. After every chunk the session's checkpoint (its started units and
 * their partial tallies) is ready to be sealed into a cookie; a unit whose checkpoint came back
 * in a Cookie Echo resumes where the checkpoint says.
 *
 * @module
 */

import type { ComputeCheckpoint, UnitProgress, WorkUnit } from "./compute_messages.ts";
import { PrimeSieve } from "./primes.ts";

/** Options of a {@link ComputeEngine}. */
export interface ComputeEngineOptions {
  /** Units computed at once (slots); more wait. At least 1. */
  readonly capacity: number;
  /** Numbers per second each slot sieves; 0 = as fast as the processor allows (default 0). */
  readonly rate?: number;
  /** Numbers sieved per step (default 131072). */
  readonly chunk?: number;
}

/** What one {@link ComputeEngine.step} did. */
export type ComputeStep =
  | {
    /** A chunk of a unit was sieved. */
    readonly type: "progress";
    /** The session. */
    readonly session: number;
    /** The unit. */
    readonly unit: WorkUnit;
    /** The session's checkpoint after it. */
    readonly checkpoint: ComputeCheckpoint;
  }
  | {
    /** A unit finished. */
    readonly type: "done";
    /** The session. */
    readonly session: number;
    /** The unit. */
    readonly unit: WorkUnit;
    /** Primes in the unit's range. */
    readonly count: number;
    /** Their sum. */
    readonly sum: bigint;
    /** Where it resumed from a checkpoint, or -1. */
    readonly resumedFrom: number;
    /** The session's checkpoint after it (without this unit). */
    readonly checkpoint: ComputeCheckpoint;
  };

interface Task {
  readonly session: number;
  readonly unit: WorkUnit;
  next: number;
  count: number;
  sum: bigint;
  resumedFrom: number;
  readyAt: number;
  started: boolean;
}

const key = (u: WorkUnit) => `${u.job}\u0000${u.unit}\u0000${u.from}\u0000${u.to}`;

/**
 * Schedules and computes work units.
 *
 * @example Two units on one slot; the second resumes from a checkpoint
 * ```ts
 * import { ComputeEngine } from "./compute_engine.ts";
 * import assert from "node:assert/strict";
 * const engine = new ComputeEngine({ capacity: 1, chunk: 50 });
 * engine.restore(7, { v: 1, units: [{ job: "j", unit: 1, from: 100, to: 200, next: 150, count: 10, sum: 1231n }] });
 * engine.submit(0, 7, { job: "j", unit: 1, from: 100, to: 200 });
 * let last;
 * while (engine.nextWake(0) !== undefined) last = engine.step(0);
 * assert.equal(last?.type, "done");
 * assert.equal(last?.type === "done" && last.count, 21); // primes in [100, 200)
 * assert.equal(last?.type === "done" && last.resumedFrom, 150);
 * ```
 */
export class ComputeEngine {
  readonly #capacity: number;
  readonly #rate: number;
  readonly #chunk: number;
  readonly #sieve = new PrimeSieve();
  readonly #running: Task[] = [];
  readonly #queued: Task[] = [];
  readonly #restored = new Map<number, Map<string, UnitProgress>>();
  #computed = 0;

  /**
   * Creates an engine.
   *
   * @param options Capacity, rate and chunk size.
   * @throws {RangeError} For a capacity below 1, a negative rate or a chunk below 1.
   */
  constructor(options: ComputeEngineOptions) {
    const capacity = options.capacity;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot create compute engine: capacity ${capacity} is not an integer ≥ 1`,
      );
    }
    const rate = options.rate ?? 0;
    if (typeof rate !== "number" || !(rate >= 0) || !Number.isFinite(rate)) {
      throw new RangeError(`Cannot create compute engine: rate ${rate} is not a number ≥ 0`);
    }
    const chunk = options.chunk ?? 131072;
    if (!Number.isInteger(chunk) || chunk < 1) {
      throw new RangeError(`Cannot create compute engine: chunk ${chunk} is not an integer ≥ 1`);
    }
    this.#capacity = capacity;
    this.#rate = rate;
    this.#chunk = chunk;
  }

  /** Slots. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Units running or waiting. */
  get active(): number {
    return this.#running.length + this.#queued.length;
  }

  /** Load: units running or waiting per slot (1 = every slot busy; above 1 = a queue). */
  get load(): number {
    return this.active / this.#capacity;
  }

  /** Numbers sieved so far (the work done, for statistics). */
  get computed(): number {
    return this.#computed;
  }

  /**
   * Takes a session's checkpoint from a Cookie Echo: units of it submitted later resume there.
   *
   * @param session The session.
   * @param checkpoint The checkpoint.
   */
  restore(session: number, checkpoint: ComputeCheckpoint): void {
    const m = new Map<string, UnitProgress>();
    for (const p of checkpoint.units) {
      m.set(key(p), { ...p, sum: BigInt(p.sum) });
    }
    this.#restored.set(session, m);
  }

  /**
   * Accepts a unit of a session; it starts when a slot is free.
   *
   * @param now The current time (ms).
   * @param session The session.
   * @param unit The unit.
   * @returns `"accepted"`, or `"duplicate"` when the session has that unit already.
   */
  submit(now: number, session: number, unit: WorkUnit): "accepted" | "duplicate" {
    const k = key(unit);
    for (const t of [...this.#running, ...this.#queued]) {
      if (t.session === session && key(t.unit) === k) return "duplicate";
    }
    const restored = this.#restored.get(session)?.get(k);
    const task: Task = restored === undefined
      ? {
        session,
        unit,
        next: unit.from,
        count: 0,
        sum: 0n,
        resumedFrom: -1,
        readyAt: now,
        started: false,
      }
      : {
        session,
        unit,
        next: restored.next,
        count: restored.count,
        sum: restored.sum,
        resumedFrom: restored.next,
        readyAt: now,
        started: true,
      };
    this.#restored.get(session)?.delete(k);
    if (this.#running.length < this.#capacity) this.#running.push(task);
    else this.#queued.push(task);
    return "accepted";
  }

  /**
   * Forgets a session (it closed): its units stop, its restored checkpoint is dropped.
   *
   * @param session The session.
   */
  cancel(session: number): void {
    this.#restored.delete(session);
    const keep = (t: Task) => t.session !== session;
    const running = this.#running.filter(keep);
    const queued = this.#queued.filter(keep);
    this.#running.length = 0;
    this.#queued.length = 0;
    this.#running.push(...running);
    this.#queued.push(...queued);
    this.#fill(-Infinity);
  }

  /**
   * The checkpoint of a session: its started, unfinished units with their partial tallies.
   *
   * @param session The session.
   * @returns The checkpoint.
   */
  checkpoint(session: number): ComputeCheckpoint {
    const units: UnitProgress[] = [];
    for (const t of [...this.#running, ...this.#queued]) {
      if (t.session !== session || !t.started) continue;
      units.push({ ...t.unit, next: t.next, count: t.count, sum: t.sum });
    }
    return { v: 1, units };
  }

  /**
   * When {@link step} has work: now or a paced slot's next turn; `undefined` when idle.
   *
   * @param now The current time.
   * @returns A time in ms, or `undefined`.
   */
  nextWake(now: number): number | undefined {
    let at = Infinity;
    for (const t of this.#running) if (t.readyAt < at) at = t.readyAt;
    return at === Infinity ? undefined : Math.max(at, now);
  }

  /**
   * Sieves one chunk of the running unit whose turn is earliest (if its turn has come).
   *
   * @param now The current time (ms).
   * @returns What happened, or `undefined` when no unit's turn has come.
   */
  step(now: number): ComputeStep | undefined {
    let best: Task | undefined;
    for (const t of this.#running) if (best === undefined || t.readyAt < best.readyAt) best = t;
    if (best === undefined || best.readyAt > now) return undefined;
    const t = best;
    t.started = true;
    // To the back of the line: slots whose turn has come take turns (round robin).
    this.#running.splice(this.#running.indexOf(t), 1);
    this.#running.push(t);
    const end = Math.min(t.unit.to, t.next + this.#chunk);
    const tally = this.#sieve.tally(t.next, end);
    this.#computed += end - t.next;
    if (this.#rate > 0) t.readyAt = Math.max(now, t.readyAt + ((end - t.next) * 1000) / this.#rate);
    else t.readyAt = now;
    t.next = end;
    t.count += tally.count;
    t.sum += tally.sum;
    if (end < t.unit.to) {
      return {
        type: "progress",
        session: t.session,
        unit: t.unit,
        checkpoint: this.checkpoint(t.session),
      };
    }
    this.#running.splice(this.#running.indexOf(t), 1);
    // The slot is busy until the paced end of this chunk: the next unit starts then.
    this.#fill(t.readyAt);
    return {
      type: "done",
      session: t.session,
      unit: t.unit,
      count: t.count,
      sum: t.sum,
      resumedFrom: t.resumedFrom,
      checkpoint: this.checkpoint(t.session),
    };
  }

  /** Starts waiting units on free slots, none before `at`. */
  #fill(at: number): void {
    while (this.#running.length < this.#capacity && this.#queued.length > 0) {
      const t = this.#queued.shift()!;
      t.readyAt = Math.max(t.readyAt, at);
      this.#running.push(t);
    }
  }
}
