// The tools together in one process (registrar, servers, terminal), on loopback, under every
// runtime: what a user sees on the terminal's standard output.

import { test } from "node:test";
import assert from "node:assert/strict";
import { runRegistrar } from "./registrar.ts";
import { runServer } from "./server.ts";
import { runTerminal } from "./terminal.ts";
import { TestIo, until } from "./_testing.ts";

const JSON_LOG = ["--log-format", "json"];

interface Running {
  readonly io: TestIo;
  readonly done: Promise<number>;
}

async function registrar(): Promise<Running & { port: string }> {
  const io = new TestIo();
  const done = runRegistrar([
    "--asap",
    "127.0.0.1:0",
    "--enrp",
    "off",
    "--announce",
    "off",
    ...JSON_LOG,
  ], io);
  const started = await io.waitForLog("started");
  return { io, done, port: (started.asap as string[])[0]!.split(":")[1]! };
}

async function server(port: string, ...args: string[]): Promise<Running & { pe: string }> {
  const io = new TestIo();
  const done = runServer([
    "--registrar",
    `127.0.0.1:${port}`,
    "--announce",
    "off",
    ...JSON_LOG,
    ...args,
  ], io);
  const registered = await io.waitForLog("registered");
  return { io, done, pe: registered.pe as string };
}

function terminal(port: string, ...args: string[]): Running {
  const io = new TestIo();
  const done = runTerminal([
    "--registrar",
    `127.0.0.1:${port}`,
    "--announce",
    "off",
    ...JSON_LOG,
    ...args,
  ], io);
  return { io, done };
}

async function stop(...all: Running[]): Promise<void> {
  for (const r of all) r.io.signal("SIGTERM");
  for (const r of all) assert.equal(await r.done, 0, r.io.stderr);
}

test("runTerminal() sends each input line to the pool and prints the echo", async () => {
  const pr = await registrar();
  const pe = await server(pr.port);
  try {
    const t = terminal(pr.port);
    t.io.feed("hello");
    t.io.feed("");
    t.io.feed("world");
    t.io.endInput();
    assert.equal(await t.done, 0, t.io.stderr);
    assert.equal(t.io.stdout, "hello\nworld\n");
    const connected = t.io.logs().find((l) => l.event === "connected");
    assert.equal(connected?.pe, pe.pe);
  } finally {
    await stop(pe, pr);
  }
});

test("runTerminal() --new-session-per-line spreads lines over a round robin pool", async () => {
  const pr = await registrar();
  const pes = [await server(pr.port), await server(pr.port), await server(pr.port)];
  try {
    const t = terminal(pr.port, "--new-session-per-line", "--stale-cache", "0");
    for (let i = 0; i < 6; i++) t.io.feed(`line ${i}`);
    t.io.endInput();
    assert.equal(await t.done, 0, t.io.stderr);
    const order = t.io.logs().filter((l) => l.event === "connected").map((l) => l.pe);
    assert.equal(order.length, 6);
    assert.deepEqual(new Set(order), new Set(pes.map((p) => p.pe)));
    assert.deepEqual(order.slice(3), order.slice(0, 3)); // the same cycle again
  } finally {
    await stop(...pes, pr);
  }
});

test("runTerminal() fails over when its PE goes away and loses no line", async () => {
  const pr = await registrar();
  const a = await server(pr.port);
  const b = await server(pr.port);
  const t = terminal(pr.port);
  try {
    t.io.feed("first");
    await until(() => t.io.stdout === "first\n", 10000, "the first reply");
    const used = t.io.logs().find((l) => l.event === "connected")!.pe;
    const [gone, other] = used === a.pe ? [a, b] : [b, a];
    gone.io.signal("SIGTERM"); // deregisters and closes its sessions
    assert.equal(await gone.done, 0);
    t.io.feed("second");
    t.io.feed("third");
    t.io.endInput();
    assert.equal(await t.done, 0, t.io.stderr);
    assert.equal(t.io.stdout, "first\nsecond\nthird\n");
    const failover = t.io.logs().find((l) => l.event === "failover");
    assert.equal(failover?.pe, used);
    assert.equal(t.io.logs().filter((l) => l.event === "connected").at(-1)?.pe, other.pe);
    await stop(other);
  } finally {
    await stop(pr);
  }
});

test("runTerminal() speaks daytime, chargen and pingpong with their servers", async () => {
  const pr = await registrar();
  const servers = [
    await server(pr.port, "--service", "daytime"),
    await server(pr.port, "--service", "chargen"),
    await server(pr.port, "--service", "pingpong"),
  ];
  try {
    const day = terminal(pr.port, "--service", "daytime");
    day.io.feed("now?");
    day.io.endInput();
    assert.equal(await day.done, 0, day.io.stderr);
    assert.match(
      day.io.stdout,
      /^[A-Z][a-z]+day, \d\d-[A-Z][a-z]+-\d{4} \d\d:\d\d:\d\d\.\d{3} UTC\n$/,
    );
    const gen = terminal(pr.port, "--service", "chargen");
    gen.io.feed("3");
    gen.io.endInput();
    assert.equal(await gen.done, 0, gen.io.stderr);
    assert.equal(gen.io.stdout.split("\r\n").length, 4);
    const ping = terminal(pr.port, "--service", "pingpong");
    ping.io.feed("a");
    ping.io.feed("b");
    ping.io.endInput();
    assert.equal(await ping.done, 0, ping.io.stderr);
    assert.equal(ping.io.stdout, "Pong 1 (reply 1): a\nPong 2 (reply 2): b\n");
  } finally {
    await stop(...servers, pr);
  }
});

test("runTerminal() exits 1 when the pool has no PE before --wait ends", async () => {
  const pr = await registrar();
  try {
    const t = terminal(pr.port, "--pool", "NoSuchPool", "--wait", "600");
    t.io.feed("anyone?");
    t.io.endInput();
    assert.equal(await t.done, 1);
    assert.equal(t.io.stdout, "");
    assert.ok(
      t.io.logs().some((l) => l.event === "resolution-failed" && l.reason === "unknown-pool"),
    );
  } finally {
    await stop(pr);
  }
});
