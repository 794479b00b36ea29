import { test } from "node:test";
import assert from "node:assert/strict";
import { runHsdump } from "./hsdump.ts";
import { runRegistrar } from "./registrar.ts";
import { runServer } from "./server.ts";
import { type ComputeJobReport, runComputeJob, UNIT_SESSION_LIMIT } from "./compute_client.ts";
import { servePool, type ServerSession } from "../session/pool_server.ts";
import { SessionClient } from "../session/session_client.ts";
import { COMPUTE_POOL } from "./_compute_service.ts";
import {
  COMPUTE_PPID,
  decodeComputeMessage,
  encodeComputeMessage,
} from "../../core/compute/compute_messages.ts";
import { Encoder } from "cbor-x/encode";
import { TestIo, until, within } from "./_testing.ts";

const KEY = "a compute pool key for tests";
const cbor = new Encoder({ useRecords: false, mapsAsObjects: true });

test("server --compute: flag misuse is a usage error (64) naming the problem", async () => {
  const cases: [string[], RegExp][] = [
    [["--capacity", "2"], /--capacity needs --compute/],
    [["--compute"], /--compute needs --cookie-key with at least 16 bytes/],
    [["--compute", "--cookie-key", "short"], /at least 16 bytes/],
    [
      ["--compute", "--cookie-key", KEY, "--service", "echo"],
      /--service does not go with --compute/,
    ],
    [["--compute", "--cookie-key", KEY, "--load", "0.5"], /--load does not go with --compute/],
    [["--compute", "--cookie-key", KEY, "--capacity", "0"], /--capacity/],
  ];
  for (const [args, message] of cases) {
    const io = new TestIo();
    assert.equal(await runServer(args, io), 64, args.join(" "));
    assert.match(io.stderr, message);
  }
});

/** A registrar and compute servers on loopback, as the tests' pool. */
interface ComputePoolFixture {
  readonly prIo: TestIo;
  readonly asap: string;
  readonly enrp: string;
  readonly servers: readonly { readonly io: TestIo; readonly done: Promise<number> }[];
  /** Stops the servers (each must exit 0) and the registrar. */
  stop(): Promise<void>;
}

/**
 * Starts a registrar and one compute server per entry of `capacities`, with `args` added to
 * every server's command line, and waits until they are registered.
 */
async function startComputePool(
  capacities: readonly number[],
  args: readonly string[] = [],
): Promise<ComputePoolFixture> {
  const prIo = new TestIo();
  const prDone = runRegistrar(
    ["--asap", "127.0.0.1:0", "--enrp", "127.0.0.1:0", "--announce", "off", "--log-format", "json"],
    prIo,
  );
  const started = await prIo.waitForLog("started");
  const port = (e: unknown) => (e as string[])[0]!.split(":")[1]!;
  const asap = `127.0.0.1:${port(started.asap)}`;
  const servers = capacities.map((capacity) => {
    const io = new TestIo();
    const done = runServer([
      "--compute",
      "--capacity",
      String(capacity),
      "--cookie-key",
      KEY,
      "--registrar",
      asap,
      "--host",
      "127.0.0.1",
      "--announce",
      "off",
      "--log-format",
      "json",
      "--log-level",
      "debug",
      ...args,
    ], io);
    return { io, done };
  });
  const stop = async () => {
    for (const s of servers) s.io.signal();
    for (const s of servers) assert.equal(await within(s.done, 15_000, "a server's shutdown"), 0);
    prIo.signal();
    await within(prDone, 15_000, "the registrar's shutdown");
  };
  try {
    for (const s of servers) await s.io.waitForLog("registered");
  } catch (e) {
    await stop();
    throw e;
  }
  return { prIo, asap, enrp: `127.0.0.1:${port(started.enrp)}`, servers, stop };
}

test("server --compute serves ComputePool: a job completes exactly, the load policy spreads by capacity", async () => {
  // Paced (10⁶ numbers/s per slot: the job takes ~0.5 s), so load reports, at most one per 250 ms
  // (policyUpdateInterval), reach the registrar while the job runs.
  const pool = await startComputePool([1, 3], ["--rate", "1000000"]);
  const { prIo, asap, servers } = pool;
  try {
    const first = servers[0]!.io.logs()[0]!;
    assert.equal(first.event, "started");
    assert.equal(first.service, "compute");
    assert.equal(first.pool, "ComputePool");
    assert.match(String(first.policy), /^LeastUsedDegradation/);
    // The registrar sees each PE's load degradation as one unit's share of its capacity.
    const dumpIo = new TestIo();
    assert.equal(
      await within(
        runHsdump(["--registrar", pool.enrp, "--json"], dumpIo),
        15_000,
        "hsdump",
      ),
      0,
    );
    const dump = JSON.parse(dumpIo.stdout) as {
      pools: { poolElements: { policy: { loadDegradation?: number } }[] }[];
    };
    const degradations = dump.pools[0]!.poolElements.map((p) => p.policy.loadDegradation).sort();
    assert.deepEqual(degradations, [Math.round(0xffffffff / 3), 0xffffffff].sort());
    // A PE sends at most one policy update per 250 ms (policyUpdateInterval), counted from its
    // registration: a job that starts and ends inside that window (a starved machine runs the
    // paced units back to back) leaves nothing for the registrar to see. Start it after.
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Bounded: a job that stops making progress fails here, telling what the client and the
    // pool elements did, and the abort closes its sessions so the test run can go on.
    const progress: string[] = [];
    const abort = new AbortController();
    const report = await within(
      runComputeJob({
        registrars: [asap],
        to: 2_000_000,
        units: 16,
        sessions: 8, // more than the 4 slots: units queue, the big PE's load stays up meanwhile
        progress: (line) => progress.push(line),
        signal: abort.signal,
      }),
      60_000,
      "the compute job",
      () => {
        abort.abort();
        const pe = servers.map((s) =>
          s.io.logs().filter((l) => l.event !== "re-registered").map((l) => JSON.stringify(l))
        );
        return [`client: ${progress.join(" | ")}`, ...pe.map((l, i) => `PE ${i}: ${l.join(" ")}`)]
          .join("\n");
      },
    );
    assert.equal(report.complete, true);
    assert.equal(report.primes, 148933); // π(2 000 000)
    assert.equal(report.duplicates, 0);
    // Sessions spread by capacity: the capacity-3 server computes most units.
    const [small, big] = servers.map((s) =>
      s.io.logs().filter((l) => l.event === "unit-done").length
    );
    assert.equal(small! + big!, 16);
    assert.ok(big! > small!, `${big} units on the 3-slot server, ${small} on the 1-slot one`);
    // Load reports reach the registrar by re-registration: the 3-slot PE was seen busy (units
    // per slot), then idle again once the sessions closed (within policyUpdateInterval).
    const bigPe = servers[1]!.io.logs()[0]!.pe;
    const loadOf = (l: { readonly [key: string]: unknown }) =>
      /load=([\d.]+)%/.exec(String(l.policy))?.[1];
    await prIo.waitForLog("re-registered", (l) => l.peId === bigPe && loadOf(l) === "0.00");
    const loads = prIo.logs()
      .filter((l) => l.event === "re-registered" && l.peId === bigPe)
      .map((l) => Number(loadOf(l)));
    assert.ok(loads.some((x) => x >= 33), `loads the registrar saw: ${loads.join(", ")}`);
  } finally {
    await pool.stop();
  }
  for (const s of servers) assert.ok(s.io.logs().some((l) => l.event === "deregistered"));
});

test("runComputeJob stops when aborted: sessions close and the report counts the units done", async () => {
  // 250 ms per unit of 250000 numbers: the job would take 4 s.
  const pool = await startComputePool([1], ["--rate", "1000000"]);
  const { asap } = pool;
  const io = pool.servers[0]!.io;
  try {
    const abort = new AbortController();
    const progress: string[] = [];
    const job = runComputeJob({
      registrars: [asap],
      to: 4_000_000,
      units: 16,
      sessions: 2,
      signal: abort.signal,
      progress: (line) => progress.push(line),
    });
    await until(() => progress.some((l) => /^unit \d+ done/.test(l)), 10_000, "a unit's result");
    abort.abort();
    const report = await within(job, 10_000, "the aborted job's report");
    assert.equal(report.complete, false);
    assert.ok(report.done >= 1 && report.done < 16, `${report.done} units done`);
    assert.equal(report.duplicates, 0);
    assert.ok(progress.some((l) => /^stopped: \d+ of 16 units done$/.test(l)), progress.join("\n"));
    // The pool element sees the sessions end and stops computing for them.
    const units = () => io.logs().filter((l) => l.event === "unit-done").length;
    const atAbort = units();
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.ok(units() <= atAbort + 2, `${units() - atAbort} units finished after the abort`);
  } finally {
    await pool.stop();
  }
});

test("runComputeJob with more sessions than units left: sessions opened late send nothing", async () => {
  const pool = await startComputePool([4]);
  const { asap } = pool;
  const io = pool.servers[0]!.io;
  try {
    // Tiny units, computed at once: the first sessions finish them all while the others are
    // still being opened (a session that then sent the unit it found missing hung the job).
    for (let round = 0; round < 3; round++) {
      const report = await within(
        runComputeJob({ registrars: [asap], to: 16_000, units: 16, sessions: 16 }),
        20_000,
        `job ${round}`,
      );
      assert.equal(report.complete, true);
      assert.equal(report.primes, 1862); // π(16 000)
      assert.equal(report.failovers, 0);
    }
    assert.equal(io.logs().filter((l) => l.event === "bad-request").length, 0);
  } finally {
    await pool.stop();
  }
});

test("runComputeJob gives a unit up once UNIT_SESSION_LIMIT sessions gave up while it was outstanding", async () => {
  // A pool element that fails on every unit it is given: it closes the association.
  const { report, progress } = await jobAgainstPoolElement(
    (s) => s.on("data", () => s.close("Crashed on this unit")),
    { maxAttempts: 2 },
  );
  assert.equal(report.complete, false);
  assert.equal(report.done, 0);
  assert.deepEqual(report.failed.map((f) => [f.unit, f.from, f.to]), [[0, 0, 1000], [
    1,
    1000,
    2000,
  ]]);
  assert.equal(
    progress.filter((l) => l.startsWith("unit 0 given up after " + UNIT_SESSION_LIMIT)).length,
    1,
  );
});

test("server --compute refuses a unit with an impossible range by name and keeps the session", async () => {
  const pool = await startComputePool([2]);
  const client = await SessionClient.create({ registrars: [pool.asap] });
  try {
    const s = await within(client.open(COMPUTE_POOL), 10_000, "a session");
    // What another build's client might send: a range beyond what this pool element computes.
    s.send(cbor.encode({ t: "unit", job: "j", unit: 7, from: 10, to: 2 ** 40 }), {
      ppid: COMPUTE_PPID,
    });
    const refusal = await within(s.receive(), 10_000, "the refusal");
    const r = decodeComputeMessage(refusal!.payload);
    assert.equal(r.kind, "ok");
    assert.deepEqual(r.kind === "ok" && { ...r.message, reason: "" }, {
      type: "error",
      job: "j",
      unit: 7,
      reason: "",
    });
    assert.match(
      r.kind === "ok" && r.message.type === "error" ? r.message.reason : "",
      /^Cannot compute unit 7 of job "j": the range \[10, 1099511627776\) is not within/,
    );
    // The session goes on: the next unit is computed on it.
    s.send(encodeComputeMessage({ type: "unit", job: "j", unit: 8, from: 0, to: 100 }), {
      ppid: COMPUTE_PPID,
    });
    const result = decodeComputeMessage((await within(s.receive(), 10_000, "a result"))!.payload);
    assert.equal(result.kind === "ok" && result.message.type, "result");
    assert.equal(
      result.kind === "ok" && result.message.type === "result" && result.message.count,
      25,
    );
    assert.equal(s.state, "established");
    const refused = pool.servers[0]!.io.logs().filter((l) => l.event === "bad-request");
    assert.equal(refused.length, 1);
    await s.close();
  } finally {
    await client.close();
    await pool.stop();
  }
});

test("runComputeJob reports the units a pool element refuses and finishes the job without them", async () => {
  // A pool element of another build that computes only ranges below 1000 and refuses the rest.
  const { report, progress } = await jobAgainstPoolElement((s) =>
    s.on("data", (m) => {
      const r = decodeComputeMessage(m.payload);
      if (r.kind !== "ok" || r.message.type !== "unit") return s.close("Not a unit");
      const { job, unit, from, to } = r.message;
      const reply = to > 1000
        ? encodeComputeMessage({ type: "error", job, unit, reason: "ranges end at 1000 here" })
        : encodeComputeMessage({
          type: "result",
          job,
          unit,
          from,
          to,
          count: 168, // π(1000)
          sum: 76127n,
          resumedFrom: -1,
          pe: 1n,
        });
      s.send(reply, { ppid: COMPUTE_PPID });
    })
  );
  assert.equal(report.complete, false);
  assert.equal(report.done, 1);
  assert.deepEqual(report.failed, [{
    unit: 1,
    from: 1000,
    to: 2000,
    reason: "ranges end at 1000 here",
  }]);
  assert.ok(
    progress.includes("unit 1 refused by the pool element: ranges end at 1000 here"),
    progress.join("\n"),
  );
});

/**
 * Runs a job of two units over [0, 2000) with one session against a registrar whose only pool
 * element of ComputePool is a `servePool` one behaving as `onSession` says.
 */
async function jobAgainstPoolElement(
  onSession: (s: ServerSession<unknown>) => void,
  options: { readonly maxAttempts?: number } = {},
): Promise<{ report: ComputeJobReport; progress: string[] }> {
  const pool = await startComputePool([]);
  const server = await servePool({
    pool: "ComputePool",
    registrars: [pool.asap],
    hostname: "127.0.0.1",
    cookieKey: KEY,
    onSession,
  });
  try {
    await within(server.registered, 10_000, "the pool element's registration");
    const progress: string[] = [];
    const report = await within(
      runComputeJob({
        registrars: [pool.asap],
        to: 2000,
        units: 2,
        sessions: 1,
        ...options,
        progress: (line) => progress.push(line),
      }),
      30_000,
      "the job",
      () => progress.join("\n"),
    );
    return { report, progress };
  } finally {
    await within(server.close(), 15_000, "the pool element's shutdown");
    await pool.stop();
  }
}
