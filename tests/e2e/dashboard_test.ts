// The live dashboard end to end in headless Chromium (Debian's chromium, driven by
// playwright-core): a registrar with its management server on loopback, pool elements in
// processes of their own registering over TCP, the page showing pools, PEs with load bars,
// policies, home registrar, peers with their checksum state and the events streaming in; one
// PE process is killed and its row must disappear. Screenshots go to artifacts/.
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

test("Dashboard shows pools, PEs with load bars, peers and live events, and drops a killed PE", {
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
  let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined;
  try {
    const { port } = await driver.listen("asap", { hostname: "127.0.0.1", port: 0 });
    driver.flush();
    const http = await management.listen({ hostname: "127.0.0.1", port: 0 });
    const a = await startPe(port, "EchoPool", "lu", 0.2, 7001);
    const b = await startPe(port, "EchoPool", "lu", 0.75, 7002);
    const c = await startPe(port, "DaytimePool", "rr", 0, 7013);
    pes.push(a.child, b.child, c.child);

    context = await chromium.launchPersistentContext(userDataDir, {
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
    await page.screenshot({ path: join(artifacts, "dashboard.png"), fullPage: true });

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
    await page.screenshot({ path: join(artifacts, "dashboard-after-kill.png"), fullPage: true });
    assert.deepEqual(pageErrors, []);
  } finally {
    await context?.close();
    for (const child of pes) child.kill("SIGKILL");
    await management.close();
    await driver.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
});
