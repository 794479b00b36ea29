// The monitor CLI against real management servers on loopback: two registrars at once, level
// filter, JSON output, and reconnection with resumption after a server goes away.

import { test } from "node:test";
import assert from "node:assert/strict";
import { type MonitorIo, runMonitor } from "./monitor.ts";
import { ManagementServer } from "../management/management_server.ts";
import { Registrar } from "../../core/registrar/registrar.ts";
import { SeededRng } from "../../core/rng.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`Timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const monitorIo: MonitorIo = {
    fetch: (url, init) => fetch(url, init),
    out: (l) => void out.push(l),
    err: (l) => void err.push(l),
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        const t = setTimeout(resolve, ms);
        signal.addEventListener("abort", () => {
          clearTimeout(t);
          resolve();
        });
      }),
  };
  return { out, err, io: monitorIo };
}

async function server(id: bigint, name: string, port = 0): Promise<ManagementServer> {
  const registrar = new Registrar({ rng: new SeededRng(1), id, announceTargets: [] });
  const m = new ManagementServer({ registrar, clock: () => performance.now(), name });
  await m.listen({ hostname: "127.0.0.1", port });
  return m;
}

const registered = (id: bigint) => ({
  type: "registered",
  poolHandle: new TextEncoder().encode("EchoPool"),
  peId: id,
  assoc: -1,
});

test("monitor follows two registrars and prints one line per event with the registrar's name", async () => {
  const a = await server(10n, "pr-a");
  const b = await server(11n, "pr-b");
  const { out, err, io: monitorIo } = io();
  try {
    const done = runMonitor(
      ["--registrar", a.url!, "--registrar", `${b.url}/`, "--count", "3"],
      monitorIo,
      new AbortController().signal,
    );
    await waitFor(() => err.filter((l) => l.includes("connected")).length === 2, 5000, "both");
    a.publish(registered(1n));
    a.publish({
      type: "re-registered",
      poolHandle: new Uint8Array([65]),
      peId: 1n,
      assoc: -1,
      changed: false,
    }); // debug: hidden
    b.publish({
      type: "keep-alive-timeout",
      poolHandle: new Uint8Array([65]),
      peId: 2n,
      assoc: undefined,
    });
    a.publish({ type: "startup-phase-ended" });
    assert.equal(await done, 0);
    assert.equal(out.length, 3);
    assert.match(
      out.find((l) => l.includes("pr-a(10)") && l.includes(" registered "))!,
      /^\S+Z pr-a\(10\) INFO {2}registered PE 1 registered in pool EchoPool$/,
    );
    assert.match(
      out.find((l) => l.includes("pr-b(11)"))!,
      /WARN {2}keep-alive-timeout PE 2 of pool A missed its keep-alive/,
    );
    assert.ok(out.some((l) => l.endsWith("startup-phase-ended Startup phase ended")));
  } finally {
    await a.close();
    await b.close();
  }
});

test("monitor --json prints the records with their source and stops on the signal", async () => {
  const a = await server(12n, "pr-j");
  const { out, err, io: monitorIo } = io();
  const stop = new AbortController();
  try {
    const done = runMonitor(
      ["--registrar", a.url!, "--json", "--level", "debug"],
      monitorIo,
      stop.signal,
    );
    await waitFor(() => err.some((l) => l.includes("connected")), 5000, "connection");
    a.publish({ type: "announce-sent", targets: 2 });
    await waitFor(() => out.length === 1, 5000, "one line");
    stop.abort();
    assert.equal(await done, 0);
    const r = JSON.parse(out[0]!);
    assert.equal(r.source, a.url);
    assert.equal(r.event, "announce-sent");
    assert.equal(r.level, "debug");
    assert.equal(r.registrarId, "12");
  } finally {
    await a.close();
  }
});

test("monitor reconnects with backoff and resumes after the last event it saw", async () => {
  let a = await server(13n, "pr-r");
  const port = Number(new URL(a.url!).port);
  const { out, err, io: monitorIo } = io();
  const stop = new AbortController();
  const done = runMonitor(
    ["--registrar", a.url!, "--max-backoff", "200"],
    monitorIo,
    stop.signal,
  );
  try {
    await waitFor(() => err.some((l) => l.includes("connected")), 5000, "connection");
    a.publish(registered(1n));
    await waitFor(() => out.length === 1, 5000, "the first event");
    const feed = a.feed;
    await a.close();
    await waitFor(() => err.some((l) => /ended|cannot follow/.test(l)), 5000, "the loss");
    // The same registrar's management comes back (same feed: resumption by Last-Event-ID).
    const registrar = new Registrar({ rng: new SeededRng(1), id: 13n, announceTargets: [] });
    a = new ManagementServer({ registrar, clock: () => performance.now(), name: "pr-r" });
    a.publish(registered(2n));
    a.publish(registered(3n));
    await a.listen({ hostname: "127.0.0.1", port });
    await waitFor(() => out.length === 3, 5000, "the events after the restart");
    assert.ok(out[1]!.includes("PE 2 registered") && out[2]!.includes("PE 3 registered"));
    assert.notEqual(a.feed.epoch, feed.epoch);
  } finally {
    stop.abort();
    await done;
    await a.close();
  }
});
