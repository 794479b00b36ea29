// The authorization policy: parsing (with the path of the first problem), every principal
// kind, first-match order, and the registrar's answers to refused requests (cause 0xa).
// Runs under Deno, Bun and Node.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { PeerIdentity } from "../role.ts";
import { SeededRng } from "../rng.ts";
import type { AsapMessage } from "../wire/asap_message.ts";
import { decodeAsapMessage } from "../wire/decode.ts";
import { ErrorCause } from "../wire/error_cause.ts";
import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
import { asapPpid } from "../wire/profile.ts";
import { encodeMessage } from "../wire/wire_encoder.ts";
import { AuthorizationPolicyError, parseAuthorizationPolicy } from "./authorization.ts";
import { Registrar } from "./registrar.ts";

const enc = (s: string) => new TextEncoder().encode(s);

function identity(cn: string, sans: string[] = [], o = "Example"): PeerIdentity {
  return {
    subject: `O=${o},CN=${cn}`,
    commonName: cn,
    subjectAltNames: sans,
    fingerprint256: "AB:CD:EF",
  };
}

const POLICY = parseAuthorizationPolicy(JSON.stringify({
  rules: [
    { pool: "EchoPool", register: ["cn:pe-echo-*"], resolve: ["any"] },
    { pool: "Billing*", register: ["san:DNS:*.billing.example"], resolve: ["address:10.1.0.0/16"] },
    {
      pool: "Ops",
      register: ["subject:O=Ops,*", "fingerprint:abcdef"],
      resolve: ["authenticated"],
    },
    { pool: "v6", register: ["address:2001:db8::/32"], resolve: [] },
  ],
  default: { register: [], resolve: ["any"] },
}));

test("parseAuthorizationPolicy() matches every principal kind", () => {
  const p = POLICY;
  const at = (address: string, id?: PeerIdentity) => ({ address, identity: id });
  assert.equal(p.allows("register", enc("EchoPool"), at("1.2.3.4", identity("pe-echo-7"))), true);
  assert.equal(p.allows("register", enc("EchoPool"), at("1.2.3.4", identity("pe-other"))), false);
  assert.equal(p.allows("register", enc("EchoPool"), at("1.2.3.4")), false);
  assert.equal(
    p.allows(
      "register",
      enc("Billing-EU"),
      at("1.2.3.4", identity("x", ["DNS:a.billing.example"])),
    ),
    true,
  );
  assert.equal(
    p.allows("register", enc("Billing-EU"), at("1.2.3.4", identity("x", ["DNS:billing.example"]))),
    false,
  );
  assert.equal(p.allows("resolve", enc("Billing-EU"), at("10.1.200.3")), true);
  assert.equal(p.allows("resolve", enc("Billing-EU"), at("10.2.0.1")), false);
  assert.equal(p.allows("register", enc("Ops"), at("1.1.1.1", identity("a", [], "Ops"))), true);
  assert.equal(p.allows("register", enc("Ops"), at("1.1.1.1", identity("a", [], "Dev"))), true); // fingerprint AB:CD:EF
  assert.equal(
    p.allows(
      "register",
      enc("Ops"),
      at("1.1.1.1", { ...identity("a", [], "Dev"), fingerprint256: "00" }),
    ),
    false,
  );
  assert.equal(p.allows("resolve", enc("Ops"), at("1.1.1.1")), false);
  assert.equal(p.allows("resolve", enc("Ops"), at("1.1.1.1", identity("a"))), true);
  assert.equal(p.allows("register", enc("v6"), at("2001:db8:1::5")), true);
  assert.equal(p.allows("register", enc("v6"), at("2001:db9::5")), false);
  assert.equal(p.allows("register", enc("v6"), at("10.0.0.1")), false);
  assert.equal(p.allows("resolve", enc("v6"), at("2001:db8:1::5")), false);
  // No rule matches: the default.
  assert.equal(p.allows("register", enc("Other"), at("1.2.3.4", identity("pe-echo-1"))), false);
  assert.equal(p.allows("resolve", enc("Other"), at("1.2.3.4")), true);
  // A pool handle that is not UTF-8 matches no text rule: the default decides.
  assert.equal(p.allows("resolve", new Uint8Array([0xff, 0xfe]), at("1.2.3.4")), true);
});

test("parseAuthorizationPolicy() uses the first matching rule and refuses everything without a default", () => {
  const p = parseAuthorizationPolicy(JSON.stringify({
    rules: [
      { pool: "A*", register: ["any"] },
      { pool: "AB", register: [] },
    ],
  }));
  const peer = { address: "127.0.0.1", identity: undefined };
  assert.equal(p.allows("register", enc("AB"), peer), true);
  assert.equal(p.allows("resolve", enc("AB"), peer), false);
  assert.equal(p.allows("register", enc("B"), peer), false);
});

test("parseAuthorizationPolicy() names the path of the first problem", () => {
  const bad: [string, string][] = [
    ["[]", ""],
    ['{"rule":[]}', "rule"],
    ['{"rules":{}}', "rules"],
    ['{"rules":[{"register":["any"]}]}', "rules[0].pool"],
    ['{"rules":[{"pool":"A","register":"any"}]}', "rules[0].register"],
    ['{"rules":[{"pool":"A","resolve":["address:10.0.0.0/33"]}]}', "rules[0].resolve[0]"],
    ['{"rules":[{"pool":"A","resolve":["address:nope"]}]}', "rules[0].resolve[0]"],
    ['{"default":{"register":["cn:"]}}', "default.register[0]"],
    ['{"default":{"pool":"A"}}', "default.pool"],
    ["{", ""],
  ];
  for (const [text, path] of bad) {
    assert.throws(
      () => parseAuthorizationPolicy(text),
      (e: unknown) =>
        e instanceof AuthorizationPolicyError && e instanceof SyntaxError && e.path === path,
      text,
    );
  }
});

function up(pr: Registrar, assoc: number, address: string, id?: PeerIdentity) {
  pr.handleAssociationUp(0, assoc, {
    remote: { address, port: 40000 - assoc },
    local: { address: "127.0.0.1", port: 3863 },
    peerMaxPayload: 65535,
    listener: "asap",
    ...(id === undefined ? {} : { peerIdentity: id }),
  });
}

function send(pr: Registrar, assoc: number, m: AsapMessage) {
  pr.handleMessage(0, assoc, asapPpid(pr.profile), 0, encodeMessage(m, { profile: pr.profile }));
}

function replies(pr: Registrar, assoc: number): AsapMessage[] {
  const out: AsapMessage[] = [];
  for (let a = pr.pollTransmit(); a !== undefined; a = pr.pollTransmit()) {
    if (a.type !== "send" || a.assoc !== assoc) continue;
    const r = decodeAsapMessage(a.payload, { profile: pr.profile });
    if (r.kind === "ok") out.push(r.message);
  }
  return out;
}

function registration(pool: string, id: bigint, address: string): AsapMessage {
  return {
    type: "registration",
    poolHandle: enc(pool),
    poolElement: {
      id,
      homeRegistrarId: 0n,
      registrationLife: 90000,
      userTransport: { protocol: "tcp", port: 7, transportUse: "data", addresses: [address] },
      policy: policyParameter(PolicyType.RoundRobin),
    },
  };
}

test("Registrar with an authorization policy rejects registrations and resolutions of other peers' pools with cause 0xa and drops their unreachable reports", () => {
  const pr = new Registrar({
    rng: new SeededRng(3),
    id: 9n,
    announceTargets: [],
    authorization: POLICY,
  });
  up(pr, -1, "127.0.0.1", identity("pe-echo-1"));
  up(pr, -2, "127.0.0.2", identity("pe-rogue"));
  up(pr, -3, "127.0.0.3");
  send(pr, -1, registration("EchoPool", 1n, "127.0.0.1"));
  const [ok] = replies(pr, -1);
  assert.ok(ok?.type === "registration-response" && !ok.reject);
  send(pr, -2, registration("EchoPool", 2n, "127.0.0.2"));
  const [refused] = replies(pr, -2);
  assert.ok(refused?.type === "registration-response" && refused.reject);
  assert.equal(refused.error?.causes[0]?.code, ErrorCause.RejectedDueToSecurity);
  // Everyone may resolve EchoPool; only authenticated peers Ops.
  send(pr, -3, { type: "handle-resolution", poolHandle: enc("EchoPool") });
  const [hr] = replies(pr, -3);
  assert.ok(hr?.type === "handle-resolution-response" && hr.poolElements.length === 1);
  send(pr, -3, { type: "handle-resolution", poolHandle: enc("Ops") });
  const [hr2] = replies(pr, -3);
  assert.ok(hr2?.type === "handle-resolution-response");
  assert.equal(hr2.error?.causes[0]?.code, ErrorCause.RejectedDueToSecurity);
  // Unreachable reports about Billing PEs from outside 10.1/16 are dropped.
  const billing = new Registrar({
    rng: new SeededRng(4),
    id: 10n,
    announceTargets: [],
    authorization: POLICY,
  });
  up(billing, -1, "127.0.0.1", identity("b", ["DNS:pe.billing.example"]));
  send(billing, -1, registration("Billing", 5n, "127.0.0.1"));
  assert.equal(billing.handlespace.size, 1);
  up(billing, -4, "127.0.0.9");
  for (let i = 0; i < 5; i++) {
    send(billing, -4, {
      type: "endpoint-unreachable",
      poolHandle: enc("Billing"),
      poolElementId: 5n,
    });
  }
  assert.equal(billing.handlespace.find(enc("Billing"), 5n)?.unreachableReports, 0);
  assert.equal(billing.stats().authorizationRefusals, 5);
  assert.equal(pr.handlespace.size, 1);
  assert.equal(pr.stats().authorizationRefusals, 2);
});
