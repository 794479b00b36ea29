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
  assert.equal(started.selection, "ts");
  io.signal("SIGTERM");
  assert.equal(await run, 0);
  assert.ok(io.logs().some((l) => l.event === "stopped"));
});

test("runRegistrar() --wasm on selects with the WebAssembly kernel", async () => {
  const io = new TestIo();
  const run = runRegistrar(
    ["--asap", "127.0.0.1:0", "--enrp", "off", "--announce", "off", "--log-format", "json"]
      .concat(["--wasm", "on"]),
    io,
  );
  assert.equal((await io.waitForLog("started")).selection, "wasm");
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

test("runRegistrar() with --peer peers with another registrar: both log peer-up with the other's identifier", async () => {
  const timers = [
    "--peer-heartbeat-cycle",
    "200",
    "--mentor-discovery-timeout",
    "300",
    "--asap",
    "127.0.0.1:0",
    "--enrp",
    "127.0.0.1:0",
    "--announce",
    "off",
    "--log-format",
    "json",
  ];
  const a = new TestIo();
  // Port 1: a static peer that never answers (stays "gone"); A peers and accepts B.
  const runA = runRegistrar(
    [...timers, "--id", "11", "--peer", "127.0.0.1:1", "--http", "127.0.0.1:0"],
    a,
  );
  const startedA = await a.waitForLog("started");
  assert.deepEqual(startedA.peers, ["127.0.0.1:1"]);
  const b = new TestIo();
  const runB = runRegistrar(
    [...timers, "--id", "12", "--peer", (startedA.enrp as string[])[0]!],
    b,
  );
  const upAtB = await b.waitForLog("peer-up");
  assert.equal(upAtB.peerId, "11");
  assert.equal(upAtB.endpoint, (startedA.enrp as string[])[0]);
  assert.equal((await a.waitForLog("peer-up")).peerId, "12");
  // A's management API lists B, in sync once B's Presence announced its (empty) ownership
  // checksum; the silent static peer is not listed until it answers.
  type PeerItem = { id: string; reportedChecksum: number | null; inSync: boolean | null };
  let peerB: PeerItem | undefined;
  for (let i = 0; i < 60 && peerB?.inSync !== true; i++) {
    const body = await (await fetch(`${startedA.http}/v1/peers`)).json() as { items: PeerItem[] };
    peerB = body.items.find((p) => p.id === "12");
    if (peerB?.inSync !== true) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(peerB?.inSync, true, JSON.stringify(peerB));
  assert.equal(typeof peerB?.reportedChecksum, "number");
  a.signal();
  b.signal();
  assert.deepEqual(await Promise.all([runA, runB]), [0, 0]);
});

test("runRegistrar() refuses ENRP peering flags it cannot honour (exit 64)", async () => {
  const cases: [string[], RegExp][] = [
    [["--enrp", "off", "--peer", "127.0.0.1:9902"], /--peer needs the ENRP listener/],
    [["--enrp-announce", "239.0.0.51:0"], /--enrp-announce needs a port other than 0/],
    [["--peer", "127.0.0.1:9902", "--takeover-expiry", "0"], /--takeover-expiry/],
    [["--peer", "127.0.0.1:9902", "--takeover-keepalive", "maybe"], /probe, home/],
    [["--max-elements-per-table-request", "0"], /--max-elements-per-table-request/],
  ];
  for (const [args, message] of cases) {
    const io = new TestIo();
    assert.equal(await runRegistrar(args, io), 64, args.join(" "));
    assert.match(io.stderr, message);
  }
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
