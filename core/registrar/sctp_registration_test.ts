// The registrar over SCTP associations: a PE's ASAP transport reflects the transport it
// registered over (SCTP with every address of a multi-homed peer, or TCP), and the user address
// check takes every address of the association (spec/behaviour.md §4, registrar side, steps 2
// and 3). Runs under Deno, Bun and Node.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "../rng.ts";
import type { AssociationId, RoleAction, TransportKind } from "../role.ts";
import type { AsapMessage } from "../wire/asap_message.ts";
import { decodeAsapMessage } from "../wire/decode.ts";
import { ErrorCause } from "../wire/error_cause.ts";
import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
import { asapPpid } from "../wire/profile.ts";
import type { TransportParameter } from "../wire/transport_parameter.ts";
import { encodeMessage } from "../wire/wire_encoder.ts";
import type { RegistrarConfig } from "./config.ts";
import { Registrar } from "./registrar.ts";

const PH = new TextEncoder().encode("EchoPool");

function newRegistrar(config: Partial<RegistrarConfig> = {}): Registrar {
  return new Registrar({ rng: new SeededRng(9), id: 0x77n, announceTargets: [], ...config });
}

/** Brings up association `assoc` from a PE with these addresses (the first is the primary). */
function up(pr: Registrar, assoc: AssociationId, transport: TransportKind, addresses: string[]) {
  pr.handleAssociationUp(0, assoc, {
    remote: { address: addresses[0]!, port: 5000 },
    local: { address: "127.0.0.1", port: 3863 },
    peerMaxPayload: 65535,
    listener: "asap",
    transport,
    peerAddresses: addresses,
  });
}

function sctp(addresses: string[], port = 7000): TransportParameter {
  return { protocol: "sctp", port, transportUse: "data+control", addresses };
}

/** Sends a Registration of PE `id` and returns the response. */
function register(pr: Registrar, assoc: AssociationId, id: bigint, ut: TransportParameter) {
  pr.handleMessage(
    0,
    assoc,
    asapPpid("ng"),
    0,
    encodeMessage({
      type: "registration",
      poolHandle: PH,
      poolElement: {
        id,
        homeRegistrarId: 0n,
        registrationLife: 90000,
        userTransport: ut,
        policy: policyParameter(PolicyType.RoundRobin),
      },
    }, { profile: "ng" }),
  );
  const sent: AsapMessage[] = [];
  for (let a: RoleAction | undefined; (a = pr.pollTransmit()) !== undefined;) {
    if (a.type !== "send") continue;
    const r = decodeAsapMessage(a.payload, { profile: "ng" });
    if (r.kind === "ok") sent.push(r.message);
  }
  while (pr.pollEvent() !== undefined);
  const response = sent.find((m) => m.type === "registration-response");
  assert.ok(response?.type === "registration-response");
  return response;
}

test("Registrar records an SCTP ASAP transport with every address of a multi-homed PE", () => {
  const pr = newRegistrar();
  up(pr, -1, "sctp-udp", ["127.0.0.1", "127.0.0.2"]);
  const response = register(pr, -1, 1n, sctp(["127.0.0.1", "127.0.0.2"]));
  assert.equal(response.reject, false);
  const entry = pr.handlespace.find(PH, 1n)!;
  assert.deepEqual(entry.userTransport.addresses, ["127.0.0.1", "127.0.0.2"]);
  assert.deepEqual(entry.asapTransport, {
    protocol: "sctp",
    port: 5000,
    transportUse: "data",
    addresses: ["127.0.0.1", "127.0.0.2"],
  });
});

test("Registrar records no ASAP transport for an NG PE registered over TCP that names no listener", () => {
  // Over TCP the association's remote port is ephemeral: nobody can connect to it, so the NG
  // profile records an ASAP transport only when the PE names a listener of its own.
  const pr = newRegistrar();
  up(pr, -1, "tcp", ["127.0.0.1"]);
  assert.equal(register(pr, -1, 2n, sctp(["127.0.0.1"])).reject, false);
  assert.equal(pr.handlespace.find(PH, 2n)!.asapTransport, undefined);
});

test("Registrar keeps only the user addresses that belong to the SCTP association, and refuses none", () => {
  const pr = newRegistrar();
  up(pr, -1, "sctp-udp", ["127.0.0.1", "127.0.0.2"]);
  // 127.0.0.3 is not an address of the association: dropped; the others stay.
  assert.equal(register(pr, -1, 3n, sctp(["127.0.0.2", "127.0.0.3", "127.0.0.1"])).reject, false);
  assert.deepEqual(pr.handlespace.find(PH, 3n)!.userTransport.addresses, [
    "127.0.0.2",
    "127.0.0.1",
  ]);
  // None of the association's addresses: Rejected due to Security Considerations.
  const refused = register(pr, -1, 4n, sctp(["127.0.0.3", "127.0.0.4"]));
  assert.equal(refused.reject, true);
  assert.equal(refused.error?.causes[0]?.code, ErrorCause.RejectedDueToSecurity);
  assert.equal(pr.handlespace.find(PH, 4n), undefined);
});

test("Registrar userAddressCheck 'replace' registers every address of the SCTP association", () => {
  const pr = newRegistrar({ userAddressCheck: "replace" });
  up(pr, -1, "sctp-udp", ["127.0.0.1", "127.0.0.2"]);
  assert.equal(register(pr, -1, 5n, sctp(["192.0.2.9"])).reject, false);
  assert.deepEqual(pr.handlespace.find(PH, 5n)!.userTransport.addresses, [
    "127.0.0.1",
    "127.0.0.2",
  ]);
});

test("Registrar leaves association addresses below minAddressScope out of the ASAP transport", () => {
  const pr = newRegistrar({ minAddressScope: "site-local" });
  up(pr, -1, "sctp-udp", ["10.0.0.1", "127.0.0.1", "192.0.2.1"]);
  assert.equal(register(pr, -1, 6n, sctp(["10.0.0.1", "127.0.0.1", "192.0.2.1"])).reject, false);
  const entry = pr.handlespace.find(PH, 6n)!;
  assert.deepEqual(entry.asapTransport?.addresses, ["10.0.0.1", "192.0.2.1"]);
  assert.deepEqual(entry.userTransport.addresses, ["10.0.0.1", "192.0.2.1"]);
});
