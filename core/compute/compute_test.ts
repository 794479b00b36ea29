import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type ComputeCheckpoint,
  decodeComputeMessage,
  encodeComputeMessage,
  isComputeCheckpoint,
} from "./compute_messages.ts";
import { ComputeEngine, type ComputeStep } from "./compute_engine.ts";
import { JobAssembler, splitJob } from "./compute_job.ts";
import { PrimeSieve } from "./primes.ts";
import { CookieCodec } from "../session/cookie_codec.ts";

const sieve = new PrimeSieve();

function drain(engine: ComputeEngine, now = 0): ComputeStep[] {
  const out: ComputeStep[] = [];
  for (let s = engine.step(now); s !== undefined; s = engine.step(now)) out.push(s);
  return out;
}

test("encodeComputeMessage() round-trips every message; bigints of any size survive", () => {
  const unit = { job: "job-1", unit: 3, from: 1000, to: 2000 };
  for (
    const m of [
      { type: "unit", ...unit } as const,
      {
        type: "result",
        ...unit,
        count: 135,
        sum: 2n ** 70n,
        resumedFrom: 1500,
        pe: 2n ** 63n,
      } as const,
      { type: "result", ...unit, count: 0, sum: 0n, resumedFrom: -1, pe: 1n } as const,
      { type: "error", job: "job-1", unit: 3, reason: "bad range" } as const,
    ]
  ) {
    assert.deepEqual(decodeComputeMessage(encodeComputeMessage(m)), { kind: "ok", message: m });
  }
});

test("decodeComputeMessage() refuses garbage and malformed maps without throwing", () => {
  const bad = [
    Uint8Array.of(),
    Uint8Array.of(0xff),
    encodeComputeMessage({ type: "unit", job: "j", unit: 0, from: 0, to: 1 }).subarray(0, 5),
  ];
  for (const b of bad) assert.equal(decodeComputeMessage(b).kind, "malformed");
  for (
    const v of [
      { t: "unit", job: "j", unit: -1, from: 0, to: 1 },
      { t: "unit", job: 5, unit: 0, from: 0, to: 1 },
      { t: "unit", job: "j", from: 0, to: 2 ** 33 },
      { t: "error", job: "j", unit: 0 },
      { t: "nope", job: "j", unit: 0, from: 0, to: 1 },
      [1, 2, 3],
    ]
  ) {
    const bytes = new CookieCodec({
      poolHandle: "P",
      keys: [{ id: 0, secret: new Uint8Array(16) }],
    })
      .seal(v, 0);
    // The CBOR body of a sealed cookie is exactly the value's encoding.
    assert.equal(decodeComputeMessage(bytes.subarray(12, bytes.length - 32)).kind, "malformed");
  }
});

test("decodeComputeMessage() names a unit with a range no pool element computes, so it can be refused", () => {
  const codec = new CookieCodec({ poolHandle: "P", keys: [{ id: 0, secret: new Uint8Array(16) }] });
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ t: "unit", job: "j", unit: 4, from: 5, to: 1 }, /the range \[5, 1\) is not within/],
    [{ t: "unit", job: "j", unit: 4, from: 0, to: 2 ** 33 }, /is not within \[0, \d+\]/],
    [{ t: "unit", job: "j", unit: 4, from: "0", to: 10 }, /the range \[0, 10\)/],
  ];
  for (const [v, detail] of cases) {
    const sealed = codec.seal(v, 0);
    const r = decodeComputeMessage(sealed.subarray(12, sealed.length - 32));
    assert.equal(r.kind, "invalid-unit", JSON.stringify(v));
    if (r.kind !== "invalid-unit") continue;
    assert.equal(r.job, "j");
    assert.equal(r.unit, 4);
    assert.match(r.detail, /^Cannot compute unit 4 of job "j": /);
    assert.match(r.detail, detail);
  }
});

test("encodeComputeMessage() refuses a unit a pool element would refuse, naming the field", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ type: "unit" }, /unit message: the job is not a string/],
    [
      { type: "unit", job: "j", unit: 1.5, from: 0, to: 1 },
      /the unit number is not a whole number/,
    ],
    [{ type: "unit", job: "j", unit: 0, from: 9, to: 1 }, /the range \[9, 1\) is not within/],
    [{ type: "result", job: "x".repeat(257), unit: 0, from: 0, to: 1 }, /result message: the job/],
  ];
  for (const [m, message] of cases) {
    assert.throws(
      () => encodeComputeMessage(m as unknown as Parameters<typeof encodeComputeMessage>[0]),
      (e: unknown) => e instanceof TypeError && message.test(e.message),
    );
  }
});

test("ComputeEngine runs `capacity` units at once and queues the rest; load counts both", () => {
  const engine = new ComputeEngine({ capacity: 2, chunk: 1000 });
  const units = splitJob("j", 0, 30000, 3);
  for (const u of units) assert.equal(engine.submit(0, 1, u), "accepted");
  assert.equal(engine.submit(0, 1, units[0]!), "duplicate");
  assert.equal(engine.active, 3);
  assert.equal(engine.load, 1.5);
  // Only units 0 and 1 have started after the first steps.
  engine.step(0);
  engine.step(0);
  assert.deepEqual(engine.checkpoint(1).units.map((u) => u.unit), [0, 1]);
  const done = drain(engine).filter((s) => s.type === "done");
  assert.deepEqual(done.map((d) => d.unit.unit).sort(), [0, 1, 2]);
  for (const d of done) {
    assert.ok(d.type === "done");
    assert.deepEqual({ count: d.count, sum: d.sum }, sieve.tally(d.unit.from, d.unit.to));
  }
  assert.equal(engine.active, 0);
  assert.equal(engine.nextWake(0), undefined);
  assert.equal(engine.computed, 30000);
});

test("ComputeEngine paces each slot to its rate", () => {
  const engine = new ComputeEngine({ capacity: 1, rate: 10_000, chunk: 1000 }); // 100 ms per chunk
  engine.submit(0, 1, { job: "j", unit: 0, from: 0, to: 5000 });
  const times: number[] = [];
  for (let now = 0; now <= 1000; now += 10) {
    if (engine.step(now) !== undefined) times.push(now);
  }
  assert.deepEqual(times, [0, 100, 200, 300, 400]);
});

test("ComputeEngine paces a slot across units: the next unit waits for the last chunk's time", () => {
  const engine = new ComputeEngine({ capacity: 1, rate: 10_000, chunk: 1000 });
  engine.submit(0, 1, { job: "j", unit: 0, from: 0, to: 2000 });
  engine.submit(0, 1, { job: "j", unit: 1, from: 0, to: 2000 });
  const times: number[] = [];
  for (let now = 0; now <= 1000; now += 10) {
    if (engine.step(now) !== undefined) times.push(now);
  }
  assert.deepEqual(times, [0, 100, 200, 300]); // 4000 numbers at 10000/s: 400 ms of slot time
});

test("ComputeEngine resumes a unit from a checkpoint that went through a cookie, exactly", () => {
  const unit = { job: "j", unit: 4, from: 1_000_000, to: 1_200_000 };
  const a = new ComputeEngine({ capacity: 1, chunk: 30000 });
  a.submit(0, 1, unit);
  a.step(0);
  const progress = a.step(0);
  assert.ok(progress?.type === "progress");
  assert.equal(progress.checkpoint.units[0]?.next, 1_060_000);
  // The checkpoint travels as a cookie (bigints may come back as numbers) to another engine.
  const codec = new CookieCodec<ComputeCheckpoint>({
    poolHandle: "ComputePool",
    keys: [{ id: 0, secret: new TextEncoder().encode("compute pool key") }],
    validate: isComputeCheckpoint,
  });
  const opened = codec.open(codec.seal(progress.checkpoint, 0), 0);
  assert.ok(opened.kind === "ok");
  const b = new ComputeEngine({ capacity: 1, chunk: 30000 });
  b.restore(9, opened.state);
  b.submit(0, 9, unit);
  const steps = drain(b);
  assert.equal(steps.length, 5); // 140000 numbers left, 30000 per step
  const done = steps.at(-1);
  assert.ok(done?.type === "done");
  assert.equal(done.resumedFrom, 1_060_000);
  assert.deepEqual({ count: done.count, sum: done.sum }, sieve.tally(unit.from, unit.to));
  assert.equal(b.computed, 140_000);
  // Another session's unit with the same numbers does not use that checkpoint.
  b.submit(0, 10, unit);
  const other = drain(b).at(-1);
  assert.equal(other?.type === "done" && other.resumedFrom, -1);
});

test("ComputeEngine.cancel() drops a session's units and lets queued ones start", () => {
  const engine = new ComputeEngine({ capacity: 1, chunk: 100 });
  engine.submit(0, 1, { job: "j", unit: 0, from: 0, to: 1000 });
  engine.submit(0, 2, { job: "j", unit: 1, from: 0, to: 1000 });
  engine.step(0);
  engine.cancel(1);
  assert.equal(engine.active, 1);
  const done = drain(engine).filter((s) => s.type === "done");
  assert.deepEqual(done.map((d) => d.session), [2]);
});

test("JobAssembler counts each unit once and refuses results of other jobs or ranges", () => {
  const units = splitJob("j", 0, 1000, 10);
  const job = new JobAssembler(units);
  for (const u of units) {
    assert.equal(
      job.accept({ ...u, ...sieve.tally(u.from, u.to), pe: 1n, resumedFrom: -1 }),
      "new",
    );
  }
  assert.equal(
    job.accept({ ...units[3]!, count: 99, sum: 1n, pe: 2n, resumedFrom: -1 }),
    "duplicate",
  );
  assert.equal(
    job.accept({ ...units[3]!, job: "k", count: 1, sum: 1n, pe: 2n, resumedFrom: -1 }),
    "unknown",
  );
  assert.equal(
    job.accept({ ...units[3]!, to: 7, count: 1, sum: 1n, pe: 2n, resumedFrom: -1 }),
    "unknown",
  );
  assert.ok(job.complete);
  assert.equal(job.count, 168);
  assert.deepEqual(job.missing(), []);
  assert.throws(() => splitJob("j", 5, 5, 1), RangeError);
  assert.throws(() => splitJob("j", 0, 5, 6), RangeError);
});
