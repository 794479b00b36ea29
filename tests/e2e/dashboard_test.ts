// The live dashboard end to end in headless Chromium (Debian's chromium, driven by
// playwright-core). First with the real tools: `registrar --http`, `server` processes registering
// over TCP and `monitor` following the event stream; the page shows pools, PEs with load bars,
// policies, home registrar and the events streaming in, a killed server's row disappears, and
// monitor prints the same events. Then an in-process registrar whose ENRP peers (through the
// management peer interface) show their checksum in sync or not. Screenshots go to artifacts/.
// Skips with a reason when chromium is missing, unless RSERPOOL_REQUIRE_SYSTEM_TOOLS=1.

import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { Driver } from "../../adapters/driver.ts";
import { currentRuntime } from "../../adapters/current.ts";
import { ManagementServer } from "../../adapters/management/management_server.ts";
import { Registrar } from "../../core/registrar/registrar.ts";
import { SeededRng } from "../../core/rng.ts";
import type { ManagementPeer } from "../../core/management/peer.ts";
import { killAll, start, startRegistrar, startServer } from "./_procs.ts";

const CHROMIUM = "/usr/bin/chromium";
const root = fileURLToPath(new URL("../../", import.meta.url));
const deno = join(root, "node_modules", ".bin", "deno");
const artifacts = join(root, "artifacts");

const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed`;
const required = process.env.RSERPOOL_REQUIRE_SYSTEM_TOOLS === "1";
const skip = missing !== undefined && !required
  ? `${missing} (apt-get install chromium; RSERPOOL_REQUIRE_SYSTEM_TOOLS=1 makes this a failure)`
  : false;
if (skip) console.warn(`tests/e2e/dashboard_test.ts: skipped: ${skip}`);

/** Starts a PE process and resolves with it and its identifier once it registered. */
function startPe(
  registrarPort: number,
  poolHandle: string,
  policy: "lu" | "rr",
  load: number,
  userPort: number,
): Promise<{ child: ChildProcess; id: string }> {
  const child = spawn(deno, [
    "run",
    "--allow-all",
    join(root, "tests/e2e/_pool_element_process.ts"),
    String(registrarPort),
    poolHandle,
    policy,
    String(load),
    String(userPort),
  ], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`PE for ${poolHandle} did not register in 20 s`));
    }, 20000);
    child.stdout!.on("data", (chunk: Uint8Array) => {
      out += new TextDecoder().decode(chunk);
      const m = /registered (\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, id: m[1]! });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`PE process exited with ${code} before registering`));
    });
  });
}

type Context = Awaited<ReturnType<typeof chromium.launchPersistentContext>>;

async function browser(userDataDir: string): Promise<Context> {
  return await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 800 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

test(
  "Dashboard of registrar --http shows the servers' pools and PEs, drops a killed server, and monitor follows",
  {
    skip,
    timeout: 120000,
  },
  async () => {
    if (missing !== undefined) assert.fail(`${missing} but RSERPOOL_REQUIRE_SYSTEM_TOOLS=1`);
    const userDataDir = mkdtempSync(join(tmpdir(), "rserpool-chromium-"));
    let context: Context | undefined;
    try {
      const pr = await startRegistrar([
        "--http",
        "127.0.0.1:0",
        "--name",
        "pr-cli",
        "--id",
        "4660",
      ]);
      const url = String((await pr.proc.waitForLog("started")).http);
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const monitor = start("deno", "monitor", ["--registrar", url, "--since", "0"], {
        json: false,
      });
      const a = await startServer("deno", pr.asap, ["--policy", "LeastUsed", "--load", "0.3"]);
      const b = await startServer("bun", pr.asap, ["--policy", "LeastUsed", "--load", "0.85"]);
      const c = await startServer("node", pr.asap, ["--service", "daytime"]);
      context = await browser(userDataDir);
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(String(e)));
      await page.goto(url);
      const echo = page.locator('[data-pool="EchoPool"]');
      await echo.locator(`tr[data-pe="${b.pe}"]`).waitFor({ timeout: 15000 });
      await page.locator(`[data-pool="DaytimePool"] tr[data-pe="${c.pe}"]`).waitFor({
        timeout: 15000,
      });
      assert.equal(await echo.locator("tr[data-pe]").count(), 2);
      assert.match((await echo.locator(`tr[data-pe="${a.pe}"] .load`).textContent())!, /^30\.0 %/);
      assert.match((await echo.locator(`tr[data-pe="${b.pe}"] .load`).textContent())!, /^85\.0 %/);
      assert.match((await echo.locator(`tr[data-pe="${a.pe}"]`).textContent())!, /4660 \(this\)/);
      assert.equal(await page.locator("#name").textContent(), "“pr-cli”");
      assert.match((await page.locator("#peers").textContent())!, /No ENRP peers/);
      await page.locator('#events li[data-event="registered"]').nth(2).waitFor({ timeout: 15000 });
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, "dashboard.png"), fullPage: true });

      b.proc.kill("SIGKILL");
      await echo.locator(`tr[data-pe="${b.pe}"]`).waitFor({ state: "detached", timeout: 15000 });
      assert.equal(await echo.locator(".pe-count").textContent(), "1");
      await page.locator('#events li[data-event="pe-removed-association-down"]').waitFor({
        timeout: 15000,
      });
      await page.screenshot({ path: join(artifacts, "dashboard-after-kill.png"), fullPage: true });
      assert.deepEqual(pageErrors, []);

      // monitor printed the same events, labelled with the registrar's name and identifier.
      for (let i = 0; i < 300 && !monitor.stdout.includes("pe-removed-association-down"); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const lines = monitor.stdout.trim().split("\n");
      assert.equal(
        lines.filter((l) => / pr-cli\(4660\) INFO {2}registered PE \d+/.test(l)).length,
        3,
      );
      assert.ok(
        lines.some((l) =>
          l.includes(`WARN  pe-removed-association-down PE ${b.pe} of pool EchoPool removed`)
        ),
        monitor.stdout,
      );
      assert.match(monitor.stderr, /monitor: connected to registrar pr-cli\(4660\)/);
    } finally {
      await context?.close();
      await killAll();
      rmSync(userDataDir, { recursive: true, force: true });
    }
  },
);

test("Dashboard shows ENRP peers with their checksum in sync or not, and live events", {
  skip,
  timeout: 120000,
}, async () => {
  if (missing !== undefined) assert.fail(`${missing} but RSERPOOL_REQUIRE_SYSTEM_TOOLS=1`);
  const runtime = await currentRuntime();
  const registrar = new Registrar({ rng: new SeededRng(21), id: 0x5eedn, announceTargets: [] });
  // ENRP peers through the management peer interface (ENRP supplies it once it lands): one
  // whose announced checksum matches this registrar's view of its PEs (none), one that differs.
  const peers: ManagementPeer[] = [
    {
      id: 0x1001n,
      addresses: [{ address: "127.0.0.1", port: 9901 }],
      lastHeard: runtime.now(),
      reportedChecksum: registrar.handlespace.ownershipChecksum(0x1001n),
      status: "active",
    },
    {
      id: 0x1002n,
      addresses: [{ address: "127.0.0.2", port: 9901 }],
      lastHeard: runtime.now() - 4000,
      reportedChecksum: 0x12345678,
      status: "active",
    },
  ];
  const management = new ManagementServer({
    registrar,
    clock: runtime.now,
    name: "pr-e2e",
    peers: () => peers,
  });
  const driver = new Driver(runtime, management.role, { onEvent: (e) => management.publish(e) });
  const pes: ChildProcess[] = [];
  const userDataDir = mkdtempSync(join(tmpdir(), "rserpool-chromium-"));
  let context: Context | undefined;
  try {
    const { port } = await driver.listen("asap", { hostname: "127.0.0.1", port: 0 });
    driver.flush();
    const http = await management.listen({ hostname: "127.0.0.1", port: 0 });
    const a = await startPe(port, "EchoPool", "lu", 0.2, 7001);
    const b = await startPe(port, "EchoPool", "lu", 0.75, 7002);
    const c = await startPe(port, "DaytimePool", "rr", 0, 7013);
    pes.push(a.child, b.child, c.child);

    context = await browser(userDataDir);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await page.goto(http.url);
    const echo = page.locator('[data-pool="EchoPool"]');
    await echo.locator(`tr[data-pe="${b.id}"]`).waitFor({ timeout: 15000 });
    await page.locator(`[data-pool="DaytimePool"] tr[data-pe="${c.id}"]`).waitFor({
      timeout: 15000,
    });
    assert.equal(await echo.locator("tr[data-pe]").count(), 2);
    assert.equal(await echo.locator(".pe-count").textContent(), "2");
    assert.match((await echo.locator(".pool-head").textContent())!, /policy LeastUsed/);
    assert.match(
      (await echo.locator(`tr[data-pe="${a.id}"] .load`).textContent())!,
      /^20\.0 %/,
    );
    assert.match(
      (await echo.locator(`tr[data-pe="${b.id}"] .load`).textContent())!,
      /^75\.0 %/,
    );
    assert.match(
      (await echo.locator(`tr[data-pe="${a.id}"]`).textContent())!,
      new RegExp(`${0x5eed} \\(this\\)`),
    );
    assert.match(
      (await page.locator(`[data-pool="DaytimePool"] tr[data-pe="${c.id}"]`).textContent())!,
      /tcp 127\.0\.0\.1:7013/,
    );
    assert.equal(await page.locator("#rid").textContent(), String(0x5eed));
    assert.match((await page.locator(`[data-peer="${0x1001}"]`).textContent())!, /in sync/);
    assert.match((await page.locator(`[data-peer="${0x1002}"]`).textContent())!, /differs/);
    await page.locator('#events li[data-event="registered"]').nth(2).waitFor({ timeout: 15000 });
    assert.equal(await page.locator("#livetext").textContent(), "live");
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, "dashboard-peers.png"), fullPage: true });

    // Kill a PE process: the kernel closes its TCP connection, the registrar removes the PE,
    // and the page must drop its row and show the removal event.
    b.child.kill("SIGKILL");
    await echo.locator(`tr[data-pe="${b.id}"]`).waitFor({ state: "detached", timeout: 15000 });
    assert.equal(await echo.locator("tr[data-pe]").count(), 1);
    assert.equal(await echo.locator(".pe-count").textContent(), "1");
    await page.locator('#events li[data-event="pe-removed-association-down"]').waitFor({
      timeout: 15000,
    });
    assert.match(
      (await page.locator('#events li[data-event="pe-removed-association-down"]').textContent())!,
      new RegExp(`PE ${b.id} of pool EchoPool removed`),
    );
    assert.deepEqual(pageErrors, []);
  } finally {
    await context?.close();
    for (const child of pes) child.kill("SIGKILL");
    await management.close();
    await driver.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
});
