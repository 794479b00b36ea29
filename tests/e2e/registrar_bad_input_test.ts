// Bad input against a real registrar process (Deno): garbage, a frame claiming 2 GiB, a
// slowloris peer, thousands of idle associations, a PE registering with another policy than its
// pool's. Each gets the protocol's reaction, and the registrar keeps serving everyone else.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Driver } from "../../adapters/driver.ts";
import { currentRuntime } from "../../adapters/current.ts";
import type { AssociationDown, AssociationId, Role, RoleAction } from "../../core/role.ts";
import { FrameType } from "../../core/transport/frame.ts";
import type { AsapMessage } from "../../core/wire/asap_message.ts";
import { ErrorCause } from "../../core/wire/error_cause.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";
import { killAll, startRegistrar, until } from "./_procs.ts";
import { AbortCause, RawClient } from "./_raw_client.ts";

const pool = new TextEncoder().encode("Steady");

function registration(id: bigint, type: number, port: number): AsapMessage {
  return {
    type: "registration",
    poolHandle: pool,
    poolElement: {
      id,
      homeRegistrarId: 0n,
      registrationLife: 90000,
      userTransport: { protocol: "tcp", port, transportUse: "data", addresses: ["127.0.0.1"] },
      policy: policyParameter(type),
    },
  };
}

/** A PE registered in "Steady" and a PU that checks the registrar still answers. */
async function steadyPool(
  port: number,
): Promise<{ pe: RawClient; pu: RawClient; check: () => Promise<void> }> {
  const pe = await RawClient.connect(port);
  pe.hello();
  const r = await pe.request(registration(7n, PolicyType.RoundRobin, 7000));
  assert.ok(r.type === "registration-response" && !r.reject);
  const pu = await RawClient.connect(port);
  pu.hello();
  const check = async () => {
    const answer = await pu.request({ type: "handle-resolution", poolHandle: pool });
    assert.ok(answer.type === "handle-resolution-response");
    assert.deepEqual(answer.poolElements.map((p) => p.id), [7n]);
  };
  await check();
  return { pe, pu, check };
}

test("registrar: garbage bytes get an ABORT and a close; everyone else is still served", async () => {
  try {
    const pr = await startRegistrar();
    const steady = await steadyPool(pr.asap);
    const bad = await RawClient.connect(pr.asap);
    bad.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: registrar\r\n\r\n"));
    await bad.waitClosed();
    assert.ok(bad.abort() !== undefined, "an ABORT frame came before the close");
    // After a valid handshake, a frame of an unknown type: ABORT Unknown Frame Type.
    const bad2 = await RawClient.connect(pr.asap);
    bad2.hello();
    bad2.write(new Uint8Array([0x7f, 0, 0, 0, 0, 0, 0, 11, 0, 0, 0, 0]));
    await bad2.waitClosed();
    assert.equal(bad2.abort()?.cause, AbortCause.UnknownFrameType);
    await steady.check();
    steady.pe.close();
    steady.pu.close();
  } finally {
    await killAll();
  }
});

test("registrar: a frame header claiming 2 GiB gets ABORT Frame Too Large and a close", async () => {
  try {
    const pr = await startRegistrar();
    const steady = await steadyPool(pr.asap);
    const rssBefore = pr.proc.rssKiB();
    const bad = await RawClient.connect(pr.asap);
    bad.hello();
    bad.write(new Uint8Array([FrameType.Data, 0, 0, 0, 0x4e, 0x47, 0x41, 0x53, 0x80, 0, 0, 0]));
    await bad.waitClosed();
    assert.equal(bad.abort()?.cause, AbortCause.FrameTooLarge);
    assert.ok(pr.proc.rssKiB() - rssBefore < 16 * 1024, "no buffer was allocated for the claim");
    await steady.check();
    steady.pe.close();
    steady.pu.close();
  } finally {
    await killAll();
  }
});

test("registrar: a slowloris peer sending a frame byte by byte is closed by --frame-timeout; others are unaffected", async () => {
  try {
    const pr = await startRegistrar(["--frame-timeout", "1000"]);
    const steady = await steadyPool(pr.asap);
    const slow = await RawClient.connect(pr.asap);
    slow.hello();
    const frame = new Uint8Array([FrameType.Data, 0, 0, 0, 0x4e, 0x47, 0x41, 0x53, 0, 0, 0, 64]);
    const started = Date.now();
    let sent = 0;
    const trickle = setInterval(() => {
      if (sent < frame.length) slow.write(frame.subarray(sent, ++sent));
      else slow.write(new Uint8Array([0]));
    }, 100);
    try {
      // While it trickles, the others are answered.
      for (let i = 0; i < 5; i++) await steady.check();
      await slow.waitClosed(5000);
    } finally {
      clearInterval(trickle);
    }
    const took = Date.now() - started;
    assert.ok(took >= 900 && took < 3000, `closed after ${took} ms`);
    assert.equal(slow.abort()?.cause, AbortCause.Timeout);
    await steady.check();
    steady.pe.close();
    steady.pu.close();
  } finally {
    await killAll();
  }
});

/** Opens many associations from one driver and keeps them idle (the shim answers heartbeats). */
class IdleCrowd implements Role<never> {
  readonly #actions: RoleAction[] = [];
  up = 0;
  refused = 0;
  otherDown = 0;

  constructor(port: number, count: number) {
    for (let i = 1; i <= count; i++) {
      this.#actions.push({
        type: "connect",
        assoc: i,
        endpoints: [{ address: "127.0.0.1", port }],
      });
    }
  }

  closeAll(count: number): void {
    for (let i = 1; i <= count; i++) {
      this.#actions.push({ type: "close", assoc: i, abort: false, reason: "done" });
    }
  }

  handleAssociationUp(): void {
    this.up++;
  }
  handleMessage(): void {}
  handleAssociationDown(_now: number, _assoc: AssociationId, down: AssociationDown): void {
    if (down.cause === AbortCause.TooManyAssociations) this.refused++;
    else this.otherDown++;
  }
  handleDatagram(): void {}
  handleTimeout(): void {}
  pollTransmit(): RoleAction | undefined {
    return this.#actions.shift();
  }
  pollTimeout(): number | undefined {
    return undefined;
  }
  pollEvent(): never | undefined {
    return undefined;
  }
}

test("registrar: 3000 idle associations, 2500 allowed: the rest are refused with an ABORT, memory stays bounded, resolutions stay fast", async () => {
  let driver: Driver<never> | undefined;
  try {
    const pr = await startRegistrar(["--max-associations", "2500"]);
    const steady = await steadyPool(pr.asap); // two of the 2500
    const rssBefore = pr.proc.rssKiB();
    const crowd = new IdleCrowd(pr.asap, 3000);
    driver = new Driver<never>(await currentRuntime(), crowd);
    driver.flush();
    await until(
      () => crowd.up + crowd.refused + crowd.otherDown >= 3000,
      60000,
      "3000 associations up or refused",
    );
    assert.equal(crowd.up, 2498);
    assert.equal(crowd.refused, 502);
    assert.equal(crowd.otherDown, 0);
    // Resolutions with the crowd connected: 500 in a row.
    const times: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t0 = performance.now();
      await steady.check();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const p50 = times[250]!, p99 = times[495]!;
    assert.ok(
      p50 < 5 && p99 < 50,
      `handle resolution p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`,
    );
    const perAssociation = (pr.proc.rssKiB() - rssBefore) / 2498;
    assert.ok(
      perAssociation < 64,
      `${perAssociation.toFixed(1)} KiB of registrar RSS per idle association`,
    );
    // Still idle and alive after the shim's heartbeat interval has passed a few times.
    await new Promise((r) => setTimeout(r, 4500));
    assert.equal(crowd.otherDown, 0);
    await steady.check();
    crowd.closeAll(3000);
    driver.flush();
    steady.pe.close();
    steady.pu.close();
  } finally {
    await driver?.close();
    await killAll();
  }
});

test("registrar: a PE registering with another policy than its pool's gets R flag and cause 0x5; the pool keeps its PEs", async () => {
  try {
    const pr = await startRegistrar();
    const steady = await steadyPool(pr.asap);
    const other = await RawClient.connect(pr.asap);
    other.hello();
    const r = await other.request(registration(8n, PolicyType.Random, 7001));
    assert.ok(r.type === "registration-response");
    assert.equal(r.reject, true);
    assert.equal(r.error?.causes[0]?.code, ErrorCause.InconsistentPoolingPolicy);
    await steady.check(); // still exactly PE 7
    const rejected = await pr.proc.waitForLog("registration-rejected");
    assert.equal(rejected.peId, "8");
    other.close();
    steady.pe.close();
    steady.pu.close();
  } finally {
    await killAll();
  }
});
