import { test } from "node:test";
import assert from "node:assert/strict";
import { runHsdump } from "./hsdump.ts";
import { runRegistrar } from "./registrar.ts";
import { runServer } from "./server.ts";
import { TestIo } from "./_testing.ts";

async function registrar() {
  const io = new TestIo();
  const done = runRegistrar(
    ["--asap", "127.0.0.1:0", "--enrp", "127.0.0.1:0", "--announce", "off", "--log-format", "json"],
    io,
  );
  const started = await io.waitForLog("started");
  const port = (e: unknown) => (e as string[])[0]!.split(":")[1]!;
  return { io, done, asap: port(started.asap), enrp: port(started.enrp) };
}

async function dump(
  enrp: string,
): Promise<
  {
    pools: {
      poolHandle: string;
      poolElements: { id: string; policy: { type: string; load?: number } }[];
    }[];
  }
> {
  const io = new TestIo();
  assert.equal(await runHsdump(["--registrar", `127.0.0.1:${enrp}`, "--json"], io), 0, io.stderr);
  return JSON.parse(io.stdout);
}

test("runServer() --load-stdin re-registers with the new load", async () => {
  const pr = await registrar();
  const io = new TestIo();
  const done = runServer(
    [
      "--registrar",
      `127.0.0.1:${pr.asap}`,
      "--announce",
      "off",
      "--log-format",
      "json",
      "--policy",
      "LeastUsed",
      "--load",
      "0.5",
      "--load-stdin",
    ],
    io,
  );
  try {
    const pe = (await io.waitForLog("registered")).pe as string;
    const before = await dump(pr.enrp);
    assert.equal(before.pools[0]?.poolElements[0]?.policy.load, Math.round(0.5 * 0xffffffff));
    io.feed("load 0.75");
    await pr.io.waitForLog(
      "re-registered",
      (l) => l.peId === pe && /load=75\.00%/.test(String(l.policy)),
    );
    const after = await dump(pr.enrp);
    assert.equal(after.pools[0]?.poolElements[0]?.policy.load, Math.round(0.75 * 0xffffffff));
  } finally {
    io.signal();
    assert.equal(await done, 0);
    pr.io.signal();
    await pr.done;
  }
});

test("runServer() with another policy than its pool's is refused and the pool keeps its PEs", async () => {
  const pr = await registrar();
  const first = new TestIo();
  const firstDone = runServer([
    "--registrar",
    `127.0.0.1:${pr.asap}`,
    "--announce",
    "off",
    "--log-format",
    "json",
  ], first);
  const pe = (await first.waitForLog("registered")).pe;
  const second = new TestIo();
  const secondDone = runServer(
    [
      "--registrar",
      `127.0.0.1:${pr.asap}`,
      "--announce",
      "off",
      "--log-format",
      "json",
      "--policy",
      "Random",
    ],
    second,
  );
  try {
    const failed = await second.waitForLog("registration-failed");
    assert.equal(failed.cause, "0x5");
    const rejected = await pr.io.waitForLog("registration-rejected");
    assert.equal(rejected.causeName, "Inconsistent Pooling Policy");
    const d = await dump(pr.enrp);
    assert.deepEqual(d.pools[0]?.poolElements.map((p) => [p.id, p.policy.type]), [[
      pe,
      "RoundRobin",
    ]]);
  } finally {
    first.signal();
    second.signal();
    assert.equal(await firstDone, 0);
    assert.equal(await secondDone, 0);
    pr.io.signal();
    await pr.done;
  }
});

test("runServer() deregisters on SIGTERM before it exits 0", async () => {
  const pr = await registrar();
  const io = new TestIo();
  const done = runServer([
    "--registrar",
    `127.0.0.1:${pr.asap}`,
    "--announce",
    "off",
    "--log-format",
    "json",
  ], io);
  const pe = (await io.waitForLog("registered")).pe;
  io.signal("SIGINT");
  assert.equal(await done, 0);
  assert.ok(io.logs().some((l) => l.event === "deregistered" && l.pe === pe));
  assert.ok(pr.io.logs().some((l) => l.event === "deregistered" && l.peId === pe));
  assert.deepEqual((await dump(pr.enrp)).pools, []);
  pr.io.signal();
  await pr.done;
});

test("runHsdump() prints pools, PEs and a consistent ownership checksum as text", async () => {
  const pr = await registrar();
  const io = new TestIo();
  const done = runServer(
    [
      "--registrar",
      `127.0.0.1:${pr.asap}`,
      "--announce",
      "off",
      "--log-format",
      "json",
      "--pool",
      "Calc",
      "--policy",
      "WeightedRandom:5",
    ],
    io,
  );
  try {
    const pe = (await io.waitForLog("registered")).pe;
    const out = new TestIo();
    assert.equal(await runHsdump(["--registrar", `127.0.0.1:${pr.enrp}`], out), 0);
    assert.match(out.stdout, /consistent/);
    assert.match(out.stdout, /Pool "Calc": 1 PE\(s\), policy WeightedRandom/);
    assert.match(
      out.stdout,
      new RegExp(`PE ${pe}  tcp 127\\.0\\.0\\.1:\\d+ data\\+control  WeightedRandom weight=5`),
    );
  } finally {
    io.signal();
    await done;
    pr.io.signal();
    await pr.done;
  }
});

test("runServer() --load-schedule cycles through its loads", async () => {
  const pr = await registrar();
  const io = new TestIo();
  const done = runServer(
    [
      "--registrar",
      `127.0.0.1:${pr.asap}`,
      "--announce",
      "off",
      "--log-format",
      "json",
      "--policy",
      "LeastUsed",
      "--load-schedule",
      "0.2:300,0.8:300",
    ],
    io,
  );
  try {
    const pe = (await io.waitForLog("registered")).pe;
    const seen = (load: string) =>
      pr.io.waitForLog(
        "re-registered",
        (l) => l.peId === pe && String(l.policy) === `LeastUsed load=${load}`,
      );
    await seen("80.00%");
    await seen("20.00%"); // the cycle starts again
    assert.ok(io.logs().filter((l) => l.event === "load-changed").length >= 2);
  } finally {
    io.signal();
    assert.equal(await done, 0);
    pr.io.signal();
    await pr.done;
  }
});
