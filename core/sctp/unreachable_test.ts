// Path errors and ICMP-driven failure: the engine reports every path error (so an adapter that
// can see ICMP may probe), and a closed UDP port reported by the adapter fails the path at once
// and ends the association when no other path is left. On the simulated network.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SimNet } from "./_sim.ts";

const PORT = 3863;

function pair(seed: number) {
  const net = new SimNet(seed);
  const a = net.add(["10.0.0.1"], 9899);
  const b = net.add(["10.0.0.2"], 9899);
  b.endpoint.listen(PORT);
  const assoc = a.endpoint.connect(net.now, [b.address], PORT);
  assert.ok(net.run(() => a.of("established").length > 0 && b.of("established").length > 0));
  return { net, a, b, assoc };
}

test("SctpAssociation reports a path-error with the path's UDP address for each T3 expiry", () => {
  const { net, a, b, assoc } = pair(1);
  net.advance(3000);
  net.remove(b); // the peer's process is gone: nothing answers
  a.endpoint.send(net.now, assoc.id, 1, 0, new Uint8Array(10));
  assert.ok(net.run(() => a.of("path-error").length >= 2, 10_000));
  const [first, second] = a.of("path-error");
  assert.deepEqual(first!.remote, { address: "10.0.0.2", port: 9899 });
  assert.equal(first!.errors, 1);
  assert.equal(second!.errors, 2);
  assert.equal(a.of("closed").length, 0, "errors alone do not end it before maxRetransmissions");
});

test("SctpEndpoint.handleUnreachable() ends a single-path association at once as peer-dead", () => {
  const { net, a, b, assoc } = pair(2);
  net.advance(1000);
  net.remove(b);
  a.endpoint.send(net.now, assoc.id, 1, 0, new Uint8Array(10));
  assert.ok(net.run(() => a.of("path-error").length === 1, 10_000));
  const at = net.now;
  a.endpoint.handleUnreachable(net.now, assoc.id, { address: "10.0.0.2", port: 9899 }, "ICMP");
  net.flush();
  const closed = a.of("closed")[0];
  assert.equal(closed?.reason, "peer-dead");
  assert.match(closed!.detail, /Peer unreachable: ICMP/);
  assert.equal(net.now, at);
});

test("SctpEndpoint.handleUnreachable() ignores another UDP port than the path's and unknown associations", () => {
  const { net, a, assoc } = pair(3);
  a.endpoint.handleUnreachable(net.now, assoc.id, { address: "10.0.0.2", port: 9898 }, "stale");
  a.endpoint.handleUnreachable(net.now, 999, { address: "10.0.0.2", port: 9899 }, "unknown");
  net.flush();
  assert.equal(a.of("closed").length, 0);
  assert.equal(a.endpoint.association(assoc.id)!.state, "established");
});

test("SctpEndpoint.handleUnreachable() fails only that path of a multi-homed association", () => {
  const net = new SimNet(4);
  const a = net.add(["10.0.0.1"], 9899);
  const b = net.add(["10.0.0.2", "10.0.1.2"], 9899, { localAddresses: ["10.0.0.2", "10.0.1.2"] });
  b.endpoint.listen(PORT);
  const assoc = a.endpoint.connect(net.now, [b.address], PORT);
  assert.ok(
    net.run(() => a.of("path").some((p) => p.address === "10.0.1.2" && p.state === "confirmed")),
  );
  a.endpoint.handleUnreachable(net.now, assoc.id, { address: "10.0.0.2", port: 9899 }, "ICMP");
  net.flush();
  assert.equal(a.of("closed").length, 0);
  assert.ok(a.of("path").some((p) => p.address === "10.0.0.2" && p.state === "inactive"));
  // Data still flows, over the other path.
  a.endpoint.send(net.now, assoc.id, 1, 0, new Uint8Array([7]));
  assert.ok(net.run(() => b.messages().length === 1, 5000));
});
