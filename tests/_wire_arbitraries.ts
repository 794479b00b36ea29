// fast-check arbitraries of canonical ASAP/ENRP message values, shared by the
// codec's property tests (core/wire/*_test.ts) and the fuzz task
// (scripts/fuzz_wire.ts). "Canonical" means the value a decoder gives back:
// canonical address text, zero policy fields outside the layout, optional
// keys absent rather than undefined.

import fc from "fast-check";
import type { AsapMessage } from "../core/wire/asap_message.ts";
import type { EnrpMessage } from "../core/wire/enrp_message.ts";
import { formatIpAddress } from "../core/wire/ip_address.ts";
import type { OperationError } from "../core/wire/operation_error.ts";
import {
  POLICY_TYPES,
  type PolicyParameter,
  policyTypeInfo,
} from "../core/wire/policy_parameter.ts";
import type {
  PoolElementParameter,
  ServerInformationParameter,
} from "../core/wire/pool_element_parameter.ts";
import { maxId, type WireProfile } from "../core/wire/profile.ts";
import type { TransportParameter } from "../core/wire/transport_parameter.ts";

/** fc.record, always with ordinary prototypes (decoded values are plain objects). */
const rec =
  ((model: Record<string, fc.Arbitrary<unknown>>, constraints?: object) =>
    fc.record(model, { noNullPrototype: true, ...constraints })) as typeof fc.record;

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });

/** Identifiers of a profile (0 included). */
export function idArb(profile: WireProfile): fc.Arbitrary<bigint> {
  return fc.oneof(
    fc.bigInt({ min: 0n, max: maxId(profile) }),
    fc.constantFrom(0n, 1n, maxId(profile)),
  );
}

/** Pool handles: 1..40 bytes, sometimes ASCII. */
export const poolHandleArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 40 }),
  fc.stringMatching(/^[A-Za-z0-9.-]{1,32}$/).map((s) => new TextEncoder().encode(s)),
);

/** Canonical address text (IPv4, IPv6; IPv4-mapped bytes come out as IPv4). */
export const addressArb: fc.Arbitrary<string> = fc.oneof(
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map(formatIpAddress),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map(formatIpAddress),
  // Runs of zero groups exercise "::" placement.
  fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0x2001, 0xdb8), { minLength: 8, maxLength: 8 })
    .map((g) => {
      const b = new Uint8Array(16);
      g.forEach((v, i) => {
        b[2 * i] = v >> 8;
        b[2 * i + 1] = v & 0xff;
      });
      return formatIpAddress(b);
    }),
);

/** Transport parameters of every protocol. */
export const transportArb: fc.Arbitrary<TransportParameter> = fc.oneof(
  rec({
    protocol: fc.constant("sctp" as const),
    port: u16,
    transportUse: fc.constantFrom("data" as const, "data+control" as const),
    addresses: fc.array(addressArb, { minLength: 1, maxLength: 4 }),
  }),
  rec({
    protocol: fc.constant("tcp" as const),
    port: u16,
    transportUse: fc.constantFrom("data" as const, "data+control" as const),
    addresses: fc.tuple(addressArb),
  }),
  rec({
    protocol: fc.constantFrom("udp" as const, "udp-lite" as const),
    port: u16,
    transportUse: fc.constant("data" as const),
    addresses: fc.tuple(addressArb),
  }),
  rec({
    protocol: fc.constant("dccp" as const),
    port: u16,
    transportUse: fc.constant("data" as const),
    addresses: fc.tuple(addressArb),
    dccpServiceCode: u32,
  }),
);

const ZERO = {
  weight: 0,
  priority: 0,
  load: 0,
  loadDegradation: 0,
  loadDpf: 0,
  weightDpf: 0,
  distance: 0,
};

/** Policies: every known type with random layout fields, and unknown types with raw fields. */
export const policyArb: fc.Arbitrary<PolicyParameter> = fc.oneof(
  fc.tuple(fc.constantFrom(...POLICY_TYPES), fc.array(u32, { minLength: 4, maxLength: 4 })).map(
    ([info, values]) => {
      const p: Record<string, number> = { type: info.type, ...ZERO };
      info.fields.forEach((f, i) => p[f] = values[i]!);
      return p as unknown as PolicyParameter;
    },
  ),
  fc.tuple(
    u32.filter((t) => policyTypeInfo(t) === undefined),
    fc.array(u32, { maxLength: 5 }),
  ).map(([type, raw]) => ({ type, ...ZERO, raw })),
);

/** Pool elements; `asap` says whether an ASAP transport is present. */
export function poolElementArb(
  profile: WireProfile,
  asap: boolean | "maybe" = "maybe",
): fc.Arbitrary<PoolElementParameter> {
  const base = rec({
    id: idArb(profile),
    homeRegistrarId: idArb(profile),
    registrationLife: u32,
    userTransport: transportArb,
    policy: policyArb,
  });
  const withAsap = fc.tuple(base, transportArb).map(([b, asapTransport]) => ({
    ...b,
    asapTransport,
  }));
  return asap === true ? withAsap : asap === false ? base : fc.oneof(base, withAsap);
}

/** Server Information values. */
export function serverArb(profile: WireProfile): fc.Arbitrary<ServerInformationParameter> {
  return rec({ registrarId: idArb(profile), transport: transportArb });
}

/** Operation Error values (1..3 causes, any code, short info). */
export const operationErrorArb: fc.Arbitrary<OperationError> = rec({
  causes: fc.array(rec({ code: u16, info: fc.uint8Array({ maxLength: 24 }) }), {
    minLength: 1,
    maxLength: 3,
  }),
});

/** Every ASAP message type, canonical values of a profile. */
export function asapMessageArb(profile: WireProfile): fc.Arbitrary<AsapMessage> {
  const id = idArb(profile);
  const ph = poolHandleArb;
  const pe = poolElementArb(profile, false);
  const arbs: fc.Arbitrary<AsapMessage>[] = [
    rec({ type: fc.constant("registration" as const), poolHandle: ph, poolElement: pe }),
    rec({
      type: fc.constantFrom(
        "deregistration" as const,
        "endpoint-keep-alive-ack" as const,
        "endpoint-unreachable" as const,
      ),
      poolHandle: ph,
      poolElementId: id,
    }),
    rec({
      type: fc.constantFrom("registration-response" as const, "deregistration-response" as const),
      reject: fc.boolean(),
      poolHandle: ph,
      poolElementId: id,
      error: operationErrorArb,
    }, { requiredKeys: ["type", "reject", "poolHandle", "poolElementId"] }),
    rec({ type: fc.constant("handle-resolution" as const), poolHandle: ph, items: u32 }, {
      requiredKeys: ["type", "poolHandle"],
    }),
    rec({
      type: fc.constant("handle-resolution-response" as const),
      poolHandle: ph,
      policy: policyArb,
      poolElements: fc.array(pe, { maxLength: 4 }),
      error: operationErrorArb,
    }, { requiredKeys: ["type", "poolHandle", "poolElements"] }),
    rec({
      type: fc.constant("endpoint-keep-alive" as const),
      home: fc.boolean(),
      registrarId: id,
      poolHandle: ph,
      poolElementId: id,
    }, { requiredKeys: ["type", "home", "registrarId", "poolHandle"] }),
    rec({
      type: fc.constant("server-announce" as const),
      registrarId: id,
      transports: fc.array(transportArb, { maxLength: 3 }),
    }),
    rec({
      type: fc.constantFrom("cookie" as const, "cookie-echo" as const),
      cookie: fc.uint8Array({ minLength: 1, maxLength: 64 }),
    }),
    rec({
      type: fc.constant("business-card" as const),
      poolHandle: ph,
      policy: policyArb,
      poolElements: fc.array(pe, { maxLength: 3 }),
    }, { requiredKeys: ["type", "poolHandle", "poolElements"] }),
    rec({ type: fc.constant("asap-error" as const), error: operationErrorArb }),
  ];
  return fc.oneof(...arbs);
}

/** Every ENRP message type, canonical values of a profile. */
export function enrpMessageArb(profile: WireProfile): fc.Arbitrary<EnrpMessage> {
  const id = idArb(profile);
  const checksum = profile === "rfc" ? u16 : u32;
  const arbs: fc.Arbitrary<EnrpMessage>[] = [
    rec({
      type: fc.constant("presence" as const),
      replyRequired: fc.boolean(),
      senderId: id,
      receiverId: id,
      checksum,
      serverInformation: serverArb(profile),
    }, { requiredKeys: ["type", "replyRequired", "senderId", "receiverId", "checksum"] }),
    rec({
      type: fc.constant("handle-table-request" as const),
      ownChildrenOnly: fc.boolean(),
      senderId: id,
      receiverId: id,
    }),
    rec({
      type: fc.constant("handle-table-response" as const),
      reject: fc.boolean(),
      moreToSend: fc.boolean(),
      senderId: id,
      receiverId: id,
      pools: fc.array(
        rec({
          poolHandle: poolHandleArb,
          poolElements: fc.array(poolElementArb(profile, "maybe"), { minLength: 1, maxLength: 3 }),
        }),
        { maxLength: 3 },
      ),
    }),
    rec({
      type: fc.constant("handle-update" as const),
      takeoverSuggested: fc.boolean(),
      senderId: id,
      receiverId: id,
      action: fc.oneof(
        fc.constantFrom("add-pe" as const, "del-pe" as const),
        fc.integer({ min: 2, max: 0xffff }),
      ),
      poolHandle: poolHandleArb,
      poolElement: poolElementArb(profile, true),
    }),
    rec({ type: fc.constant("list-request" as const), senderId: id, receiverId: id }),
    rec({
      type: fc.constant("list-response" as const),
      reject: fc.boolean(),
      senderId: id,
      receiverId: id,
      servers: fc.array(serverArb(profile), { maxLength: 3 }),
    }),
    rec({
      type: fc.constantFrom(
        "init-takeover" as const,
        "init-takeover-ack" as const,
        "takeover-server" as const,
      ),
      senderId: id,
      receiverId: id,
      targetId: id,
    }),
    rec({
      type: fc.constant("enrp-error" as const),
      senderId: id,
      receiverId: id,
      error: operationErrorArb,
    }),
  ];
  return fc.oneof(...arbs);
}

/** A message of either protocol with its protocol name. */
export function anyMessageArb(
  profile: WireProfile,
): fc.Arbitrary<{ protocol: "asap" | "enrp"; message: AsapMessage | EnrpMessage }> {
  return fc.oneof(
    asapMessageArb(profile).map((message) => ({ protocol: "asap" as const, message })),
    enrpMessageArb(profile).map((message) => ({ protocol: "enrp" as const, message })),
  );
}
