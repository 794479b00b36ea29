import { test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { runRegistrar } from "./registrar.ts";
import { TestIo } from "./_testing.ts";

const QUIET = ["--enrp", "off", "--announce", "off", "--log-format", "json"];

test("runRegistrar() logs its endpoints on a started line and exits 0 on SIGTERM", async () => {
  const io = new TestIo();
  const run = runRegistrar([
    "--asap",
    "127.0.0.1:0",
    "--enrp",
    "127.0.0.1:0",
    "--announce",
    "off",
    "--log-format",
    "json",
    "--id",
    "42",
  ], io);
  const started = await io.waitForLog("started");
  assert.equal(started.id, "42");
  assert.equal(started.profile, "ng");
  assert.match((started.asap as string[])[0]!, /^127\.0\.0\.1:\d+$/);
  assert.match((started.enrp as string[])[0]!, /^127\.0\.0\.1:\d+$/);
  assert.equal(started.selection, "wasm");
  io.signal("SIGTERM");
  assert.equal(await run, 0);
  assert.ok(io.logs().some((l) => l.event === "stopped"));
});

test("runRegistrar() --wasm off selects in pure TypeScript", async () => {
  const io = new TestIo();
  const run = runRegistrar(
    ["--asap", "127.0.0.1:0", "--enrp", "off", "--announce", "off", "--log-format", "json"]
      .concat(["--wasm", "off"]),
    io,
  );
  assert.equal((await io.waitForLog("started")).selection, "ts");
  io.signal("SIGTERM");
  assert.equal(await run, 0);
});

test("runRegistrar() exits 1 with one line when its port is in use", async () => {
  const first = new TestIo();
  const running = runRegistrar(["--asap", "127.0.0.1:0", ...QUIET], first);
  const port = ((await first.waitForLog("started")).asap as string[])[0]!.split(":")[1];
  const second = new TestIo();
  assert.equal(
    await runRegistrar(
      ["--asap", `127.0.0.1:${port}`, "--enrp", "off", "--announce", "off"],
      second,
    ),
    1,
  );
  assert.equal(
    second.stderr,
    `registrar: cannot open ASAP on 127.0.0.1:${port}: the address is already in use\n`,
  );
  first.signal();
  assert.equal(await running, 0);
});

test("runRegistrar() exits 64 for unknown options and bad values", async () => {
  const io = new TestIo();
  assert.equal(await runRegistrar(["--bogus"], io), 64);
  assert.match(io.stderr, /unknown option --bogus/);
  const io2 = new TestIo();
  assert.equal(await runRegistrar(["--keepalive-interval", "soon"], io2), 64);
  assert.match(io2.stderr, /--keepalive-interval must be milliseconds/);
});

/** A GET with a chosen Host header (fetch may not set one), as status and body. */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => body += c);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("runRegistrar() --http serves the management API with --name, and --http-allow-host widens the host guard", async () => {
  const io = new TestIo();
  const run = runRegistrar([
    "--asap",
    "127.0.0.1:0",
    ...QUIET,
    "--id",
    "4660",
    "--name",
    "pr-unit",
    "--http",
    "127.0.0.1:0",
    "--http-allow-host",
    "pr1.example",
  ], io);
  try {
    const started = await io.waitForLog("started");
    const url = started.http as string;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const info = await (await fetch(`${url}/v1/registrar`)).json();
    assert.equal(info.id, "4660");
    assert.equal(info.name, "pr-unit");
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /^rserpool_registrar_info\{id="4660",profile="ng"\} 1$/m);
    assert.equal((await getWithHost(`${url}/v1/health`, "pr1.example")).status, 200);
    const evil = await getWithHost(`${url}/v1/health`, "evil.example");
    assert.equal(evil.status, 403);
    assert.equal(JSON.parse(evil.body).type, "urn:rserpool-ng:problem:forbidden-host");
  } finally {
    io.signal("SIGTERM");
    assert.equal(await run, 0);
  }
});

test("runRegistrar() serves no management API without --http, binds loopback for a bare --http PORT, and refuses a bad --http", async () => {
  const io = new TestIo();
  const run = runRegistrar(["--asap", "127.0.0.1:0", ...QUIET], io);
  assert.equal((await io.waitForLog("started")).http, "off");
  io.signal("SIGTERM");
  assert.equal(await run, 0);
  for (const port of ["0", ":0"]) {
    const local = new TestIo();
    const running = runRegistrar(["--asap", "127.0.0.1:0", ...QUIET, "--http", port], local);
    const url = (await local.waitForLog("started")).http as string;
    assert.match(url, /^http:\/\/127\.0\.0\.1:[1-9]\d*$/, `--http ${port}`);
    assert.equal((await fetch(`${url}/v1/health`)).status, 200);
    local.signal("SIGTERM");
    assert.equal(await running, 0);
  }
  const bad = new TestIo();
  assert.equal(await runRegistrar(["--http", "nowhere", ...QUIET], bad), 64);
  assert.match(bad.stderr, /--http/);
});
