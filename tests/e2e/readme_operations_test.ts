// The README's "Operations" section against the code: its example program runs under Deno,
// Node and Bun and prints what its comments say; the routes table is the app's routes, each
// answering; the metrics table is what a registrar exposes (names, types, labels and label
// values); the event record, monitor lines and log lines are what the code produces; the log
// events table names every known event with its level.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ManagementServer } from "../../adapters/management/management_server.ts";
import { type MonitorIo, runMonitor } from "../../adapters/cli/monitor.ts";
import { Logger } from "../../adapters/log.ts";
import { MANAGEMENT_ROUTES } from "../../core/management/management_app.ts";
import { eventLevel, eventRecord, KNOWN_EVENTS } from "../../core/management/event_record.ts";
import type { ManagementPeer } from "../../core/management/peer.ts";
import { Registrar } from "../../core/registrar/registrar.ts";
import { SeededRng } from "../../core/rng.ts";
import { encodeMessage } from "../../core/wire/wire_encoder.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const readme = readFileSync(join(root, "README.md"), "utf8");
const ECHO = new TextEncoder().encode("EchoPool");

/** The text of a `###` section of "## Operations" (up to the next heading). */
function section(title: string): string {
  const ops = readme.slice(readme.indexOf("\n## Operations\n"));
  const start = ops.indexOf(`\n### ${title}\n`);
  assert.ok(start >= 0, `README has "### ${title}" under "## Operations"`);
  const rest = ops.slice(start + title.length + 6);
  const end = rest.search(/\n##+ /);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The code blocks of a language in a section. */
function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);
}

/** The rows of the first table in a section, as cells. */
function tableRows(text: string): string[][] {
  return text.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("|---"))
    .slice(1) // header
    .map((l) => l.slice(1, -1).split("|").map((c) => c.trim()));
}

/** The identifiers quoted in backticks in a cell. */
const ticked = (cell: string) => [...cell.matchAll(/`([^`]*)`/g)].map((m) => m[1]!);

/** A registrar with PEs 1 and 2 in EchoPool (a Least Used pool) and one handle resolution. */
function registrarWithPool(): Registrar {
  const pr = new Registrar({ rng: new SeededRng(4), id: 24301n, announceTargets: [] });
  for (const assoc of [-1, -2]) {
    pr.handleAssociationUp(0, assoc, {
      remote: { address: "127.0.0.1", port: 40000 - assoc },
      local: { address: "127.0.0.1", port: 3863 },
      peerMaxPayload: 65535,
      listener: "asap",
    });
  }
  const send = (assoc: number, m: Parameters<typeof encodeMessage>[0]) => {
    pr.handleMessage(0, assoc, 0x4e474153, 0, encodeMessage(m));
    while (pr.pollTransmit() !== undefined);
    while (pr.pollEvent() !== undefined);
  };
  for (const id of [1n, 2n]) {
    send(-1, {
      type: "registration",
      poolHandle: ECHO,
      poolElement: {
        id,
        homeRegistrarId: 0n,
        registrationLife: 90000,
        userTransport: { protocol: "tcp", port: 7, transportUse: "data", addresses: ["127.0.0.1"] },
        policy: policyParameter(PolicyType.LeastUsed, { load: 0x40000000 }),
      },
    });
  }
  send(-2, { type: "handle-resolution", poolHandle: ECHO });
  pr.endStartupPhase(0);
  return pr;
}

const peers: ManagementPeer[] = [{
  id: 0x1001n,
  addresses: [{ address: "127.0.0.1", port: 9901 }],
  lastHeard: 0,
  reportedChecksum: 0,
  status: "active",
}];

// The example program, its "@rserpool/ng" specifiers mapped to the files deno.json exports.
const exports = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")).exports as Record<
  string,
  string
>;
const example = blocks(section("Management API"), "ts")[0] ?? "";
const exampleFile = join(root, "artifacts", "readme-example", "operations.ts");
mkdirSync(join(root, "artifacts", "readme-example"), { recursive: true });
writeFileSync(
  exampleFile,
  example.replace(/"@rserpool\/ng(\/[a-z-/]+)?"/g, (_all, sub: string | undefined) => {
    const target = exports[`.${sub ?? ""}`];
    assert.ok(target, `deno.json exports @rserpool/ng${sub ?? ""}`);
    return JSON.stringify(join("..", "..", target));
  }),
);
/** What the example prints: the comments of its console.log lines. */
const expected = example.split("\n").filter((l) => l.startsWith("console.log("))
  .map((l) => {
    const m = /\); \/\/ (.*)$/.exec(l);
    assert.ok(m, `README example line has the output as a comment: ${l}`);
    return `${m[1]}\n`;
  }).join("");

for (
  const [runtime, cmd, args] of [
    ["Deno", bin("deno"), ["run", "--check", "--allow-all", exampleFile]],
    ["Node", bin("tsx"), [exampleFile]],
    ["Bun", bin("bun"), [exampleFile]],
  ] as const
) {
  // (Deno's console.log colors a number argument when FORCE_COLOR is set, as test_all sets it:
  // the example prints numbers inside template strings.)
  test(`README "Operations" ManagementServer example prints what its comments say under ${runtime}`, () => {
    assert.ok(expected.split("\n").length > 3, "the example prints several lines");
    const r = spawnSync(cmd, [...args], { cwd: root, encoding: "utf8", timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, expected);
  });
}

test("README routes table lists exactly the management routes, and each answers 200", async () => {
  const rows = tableRows(section("Management API"));
  const routes = rows.map((r) => /^`GET (\S+)`$/.exec(r[0]!)?.[1]);
  assert.ok(routes.every((r) => r !== undefined), `every row is a GET route: ${routes}`);
  assert.deepEqual([...routes].sort(), ["/", "/v1", ...MANAGEMENT_ROUTES].sort());
  const management = new ManagementServer({
    registrar: registrarWithPool(),
    clock: () => 0,
    peers: () => peers,
  });
  try {
    for (const route of routes) {
      const path = route!.replace("{handle}", "EchoPool").replace(/\?.*$/, "");
      // The event stream is infinite: HEAD answers its headers without subscribing.
      const method = path === "/v1/events" ? "HEAD" : "GET";
      const r = await management.app.request(`http://127.0.0.1${path}`, { method });
      assert.equal(r.status, 200, `${method} ${path}`);
      await r.body?.cancel();
    }
  } finally {
    await management.close();
  }
});

test("README metrics table is what /metrics exposes: names, types, labels and label values", async () => {
  const rows = tableRows(section("Metrics"));
  assert.ok(rows.length > 30, "the table lists the metrics");
  const management = new ManagementServer({
    registrar: registrarWithPool(),
    clock: () => 0,
    peers: () => peers,
  });
  const text = await (await management.app.request("http://127.0.0.1/metrics")).text();
  await management.close();
  const types = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1]!, m[2]!);
  const labels = new Map<string, Map<string, Set<string>>>();
  for (const m of text.matchAll(/^([a-z_]+)(?:\{(.*)\})? \S+$/gm)) {
    const family = [...types.keys()].find((f) =>
      m[1] === f ||
      (types.get(f) === "histogram" && /^_(bucket|sum|count)$/.test(m[1]!.slice(f.length)) &&
        m[1]!.startsWith(f))
    );
    assert.ok(family, `sample ${m[1]} belongs to a family`);
    const byKey = labels.get(family) ?? new Map<string, Set<string>>();
    labels.set(family, byKey);
    for (const l of (m[2] ?? "").matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) {
      const values = byKey.get(l[1]!) ?? new Set<string>();
      byKey.set(l[1]!, values.add(l[2]!));
    }
  }
  const documented = rows.map((r) => ticked(r[0]!)[0]!);
  assert.deepEqual([...documented].sort(), [...types.keys()].sort());
  for (const [name, type, labelCell] of rows) {
    const metric = ticked(name!)[0]!;
    assert.equal(type, types.get(metric), `type of ${metric}`);
    // "`key`" or "`key`: `v1`, `v2`" (the values the registrar always exposes).
    const cell = labelCell!.replace(/\(.*\)/, "");
    const [keys, values] = cell.includes(":") ? cell.split(":") : [cell, undefined];
    const exposed = labels.get(metric) ?? new Map<string, Set<string>>();
    assert.deepEqual(ticked(keys!).sort(), [...exposed.keys()].sort(), `labels of ${metric}`);
    if (values !== undefined) {
      assert.deepEqual(
        ticked(values).sort(),
        [...exposed.get(ticked(keys!)[0]!)!].sort(),
        `label values of ${metric}`,
      );
    }
  }
});

test("README event record example is the record of a registration", () => {
  const [block] = blocks(section("Event stream"), "json");
  assert.ok(block !== undefined);
  const record = eventRecord(
    { type: "registered", poolHandle: ECHO, peId: 5n, assoc: -1 },
    { seq: 12, time: Date.parse("2026-11-21T07:00:00.000Z"), registrarId: 24301n },
  );
  assert.deepEqual(JSON.parse(block), record);
});

test("README monitor lines are what monitor prints for a registration and a keep-alive timeout", async () => {
  const [block] = blocks(section("Monitor"), "text");
  assert.ok(block !== undefined);
  let wall = Date.parse("2026-11-21T07:00:00.000Z");
  const management = new ManagementServer({
    registrar: new Registrar({ rng: new SeededRng(1), id: 24301n, announceTargets: [] }),
    clock: () => 0,
    wallClock: () => wall,
    name: "pr1",
  });
  const out: string[] = [];
  const err: string[] = [];
  const io: MonitorIo = {
    fetch: (url, init) => fetch(url, init),
    out: (l) => void out.push(l),
    err: (l) => void err.push(l),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
  try {
    const { url } = await management.listen({ hostname: "127.0.0.1", port: 0 });
    const done = runMonitor(
      ["--registrar", url, "--count", "2", "--no-color"],
      io,
      new AbortController().signal,
    );
    for (let i = 0; i < 500 && !err.some((l) => l.includes("connected")); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(err.some((l) => l.includes("connected")), err.join("\n"));
    management.publish({ type: "registered", poolHandle: ECHO, peId: 5n, assoc: -1 });
    wall = Date.parse("2026-11-21T07:00:09.120Z");
    management.publish({ type: "keep-alive-timeout", poolHandle: ECHO, peId: 5n, assoc: -1 });
    assert.equal(await done, 0);
    assert.deepEqual(out, block.trimEnd().split("\n"));
  } finally {
    await management.close();
  }
});

test("README log lines are what the registrar tool's Logger writes, as JSON and as text", () => {
  const text = section("Log events");
  const [json] = blocks(text, "json");
  const [line] = blocks(text, "text");
  assert.ok(json !== undefined && line !== undefined);
  const written: string[] = [];
  for (const format of ["json", "text"] as const) {
    new Logger({
      tool: "registrar",
      format,
      write: (l) => void written.push(l),
      clock: () => Date.parse("2026-11-21T07:00:09.120Z"),
    }).event({ type: "keep-alive-timeout", poolHandle: ECHO, peId: 5n, assoc: 3 });
  }
  assert.equal(written[0], json);
  assert.equal(written[1], line);
});

test("README log events table names every known event with its level", () => {
  const rows = tableRows(section("Log events"));
  const names = rows.map((r) => ticked(r[0]!)[0]!);
  assert.deepEqual([...names].sort(), [...KNOWN_EVENTS].sort());
  for (const [name, level] of rows) {
    const event = ticked(name!)[0]!;
    assert.equal(level!.split(" ")[0], eventLevel(event), `level of ${event}`);
    if (event === "re-registered") assert.match(level!, new RegExp(eventLevel(event, true)));
  }
});
