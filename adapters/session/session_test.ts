// The async session API over real loopback sockets in this runtime: a session's state moves to
// another pool element when its pool element leaves; business cards go both ways; a forged
// cookie is refused; a session to a pool without pool elements gives up with a SessionError.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Registrar } from "../../core/registrar/mod.ts";
import { SeededRng } from "../../core/rng.ts";
import { CookieCodec } from "../../core/session/cookie_codec.ts";
import { currentRuntime } from "../current.ts";
import { Driver } from "../driver.ts";
import { type PoolServer, servePool } from "./pool_server.ts";
import { SessionClient, SessionError } from "./session_client.ts";

const KEY = "the pool-wide cookie key";
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

async function registrar() {
  const pr = new Driver(
    await currentRuntime(),
    new Registrar({ rng: new SeededRng(1), announceTargets: [] }),
  );
  const { port } = await pr.listen("asap", { hostname: "127.0.0.1", port: 0 });
  return { pr, registrars: [`127.0.0.1:${port}`] };
}

interface Count {
  count: number;
}

/** A counter pool element: "+n" adds n, answers the total, checkpoints it in a cookie. */
function counter(registrars: string[], name: string, served: string[]): Promise<PoolServer<Count>> {
  return servePool<Count>({
    pool: "CounterPool",
    registrars,
    hostname: "127.0.0.1",
    cookieKey: KEY,
    validate: (v): v is Count => typeof (v as Count)?.count === "number",
    onSession(s) {
      let count = s.restored?.count ?? 0;
      s.on("data", (m) => {
        count += Number(text(m.payload));
        served.push(name);
        s.send(String(count));
        s.setCookie({ count });
      });
    },
  });
}

test("Session: the state moves to another pool element when its pool element leaves", async () => {
  const { pr, registrars } = await registrar();
  const served: string[] = [];
  const a = await counter(registrars, "a", served);
  const b = await counter(registrars, "b", served);
  const client = await SessionClient.create({ registrars });
  try {
    await Promise.all([a.registered, b.registered]);
    const session = await client.open("CounterPool");
    const failovers: boolean[] = [];
    session.on("failover", (f) => failovers.push(f.cookieEchoed));
    for (const n of [1, 2, 3]) {
      const id = session.send(String(n), { ack: true });
      assert.equal(text((await session.receive())?.payload), String([1, 3, 6][n - 1]));
      assert.ok(session.acknowledge(id));
    }
    const first = session.poolElement!.id;
    const leaving = a.poolElement.id === first ? a : b;
    await leaving.close(); // deregisters and closes its sessions
    const id = session.send("4", { ack: true });
    assert.equal(text((await session.receive())?.payload), "10");
    session.acknowledge(id);
    assert.deepEqual(failovers, [true]);
    assert.notEqual(session.poolElement!.id, first);
    assert.equal(session.failovers, 1);
    assert.equal(new Set(served).size, 2);
    const end = await session.close();
    assert.equal(end.reason, "closed");
    assert.equal(session.state, "closed");
    assert.equal(await session.receive(), undefined);
  } finally {
    await client.close();
    await a.close();
    await b.close();
    await pr.close();
  }
});

test("Session and ServerSession exchange business cards over the session", async () => {
  const { pr, registrars } = await registrar();
  const fromPu: string[] = [];
  const pe = await servePool<Count>({
    pool: "CounterPool",
    registrars,
    hostname: "127.0.0.1",
    cookieKey: KEY,
    onSession(s) {
      s.on("business-card", (c) => {
        fromPu.push(text(c.poolHandle));
        s.send("card read");
      });
      s.on("data", () => s.sendBusinessCard({ poolHandle: "StandbyPool" }));
    },
  });
  const client = await SessionClient.create({ registrars });
  try {
    await pe.registered;
    const session = await client.open("CounterPool");
    const fromPe = new Promise<string>((resolve) =>
      session.on("business-card", (c) => resolve(text(c.poolHandle)))
    );
    session.send("hello");
    assert.equal(await fromPe, "StandbyPool");
    assert.ok(session.sendBusinessCard({ poolHandle: "ClientPool" }));
    assert.equal(text((await session.receive())?.payload), "card read");
    assert.deepEqual(fromPu, ["ClientPool"]);
    assert.throws(() => session.sendBusinessCard({ poolHandle: "" }), RangeError);
    await session.close();
    assert.equal(session.sendBusinessCard({ poolHandle: "ClientPool" }), false);
  } finally {
    await client.close();
    await pe.close();
    await pr.close();
  }
});

test("servePool: a forged cookie is refused, the pool element keeps serving", async () => {
  const { pr, registrars } = await registrar();
  const served: string[] = [];
  const pe = await counter(registrars, "a", served);
  const rejected: string[] = [];
  pe.on("cookie-rejected", (r) => rejected.push(r.reason));
  const client = await SessionClient.create({ registrars, maxAttempts: 1 });
  try {
    await pe.registered;
    const genuine = new CookieCodec<Count>({
      poolHandle: "CounterPool",
      keys: [{ id: 0, secret: new TextEncoder().encode(KEY) }],
    })
      .seal({ count: 100 }, Date.now());
    const forged = genuine.slice();
    forged[14]! ^= 1; // the CBOR of the count
    const bad = client.openNow("CounterPool", { cookie: forged });
    const end = await bad.closed;
    assert.equal(end.reason, "cookie-rejected");
    assert.deepEqual(rejected, ["forged"]);
    const good = await client.open("CounterPool", { cookie: genuine });
    good.send("1");
    assert.equal(text((await good.receive())?.payload), "101");
  } finally {
    await client.close();
    await pe.close();
    await pr.close();
  }
});

test("SessionClient.open() rejects with a SessionError when no pool element can be found", async () => {
  const { pr, registrars } = await registrar();
  const client = await SessionClient.create({ registrars, maxAttempts: 2, retryDelay: 10 });
  try {
    await assert.rejects(client.open("NoSuchPool"), (e: unknown) => {
      assert.ok(e instanceof SessionError);
      assert.equal(e.reason, "gave-up");
      assert.match(e.message, /unknown-pool/);
      return true;
    });
  } finally {
    await client.close();
    await pr.close();
  }
});
