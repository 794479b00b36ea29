// Wire codec throughput: encode and decode of typical messages, each group with
// cbor-x encoding/decoding the very same JS objects as the baseline.
// Run: deno task bench (or deno bench --allow-all bench/wire_bench.ts). Figures: bench/README.md.

import { decode as cborDecode, encode as cborEncode, Encoder as CborEncoder } from "cbor-x";
import type { AsapMessage } from "../core/wire/asap_message.ts";
import { WireDecoder } from "../core/wire/wire_decoder.ts";
import type { EnrpMessage } from "../core/wire/enrp_message.ts";
import { policyParameter, PolicyType } from "../core/wire/policy_parameter.ts";
import type { PoolElementParameter } from "../core/wire/pool_element_parameter.ts";
import type { WireProfile } from "../core/wire/profile.ts";
import type { TransportParameter } from "../core/wire/transport_parameter.ts";
import { protocolOf, WireEncoder } from "../core/wire/wire_encoder.ts";

const ID_NG = [0x9e3779b97f4a7c15n, 0xbf58476d1ce4e5b9n, 0x94d049bb133111ebn];
const ID_RFC = [0x1a2b3c4dn, 0x5e3a9c21n, 0x2d4f6a80n];

function id(profile: WireProfile, i: number): bigint {
  const base = (profile === "ng" ? ID_NG : ID_RFC)[i % 3]!;
  return profile === "ng" ? base ^ BigInt(i) : (base + BigInt(i)) & 0xffffffffn;
}

const LU = policyParameter(PolicyType.LeastUsed, { load: 0x40000000 });
const WRAND = policyParameter(PolicyType.WeightedRandom, { weight: 10 });
const TCP: TransportParameter = {
  protocol: "tcp",
  port: 7,
  transportUse: "data",
  addresses: ["192.0.2.10"],
};
const SCTP2: TransportParameter = {
  protocol: "sctp",
  port: 9000,
  transportUse: "data+control",
  addresses: ["198.51.100.7", "2001:db8::7"],
};

function pe(profile: WireProfile, i: number, user: TransportParameter, asap?: TransportParameter) {
  const p: PoolElementParameter = {
    id: id(profile, i),
    homeRegistrarId: id(profile, 1000),
    registrationLife: 90_000,
    userTransport: user,
    policy: i % 2 ? LU : WRAND,
  };
  return asap === undefined ? p : { ...p, asapTransport: asap };
}

function messages(profile: WireProfile): [string, AsapMessage | EnrpMessage][] {
  const ph = new TextEncoder().encode("EchoPool");
  const asapTransport: TransportParameter = {
    protocol: "sctp",
    port: 52000,
    transportUse: "data",
    addresses: ["192.0.2.10"],
  };
  return [
    ["Registration", { type: "registration", poolHandle: ph, poolElement: pe(profile, 0, TCP) }],
    ["Handle Resolution Response (3 PEs)", {
      type: "handle-resolution-response",
      poolHandle: ph,
      policy: WRAND,
      poolElements: [0, 1, 2].map((i) => pe(profile, i, SCTP2)),
    }],
    ["Handle Update", {
      type: "handle-update",
      takeoverSuggested: false,
      senderId: id(profile, 7),
      receiverId: id(profile, 8),
      action: "add-pe",
      poolHandle: ph,
      poolElement: pe(profile, 3, TCP, asapTransport),
    }],
    ["Handle Table Response (128 PEs)", {
      type: "handle-table-response",
      reject: false,
      moreToSend: true,
      senderId: id(profile, 7),
      receiverId: id(profile, 8),
      pools: [0, 1, 2, 3].map((p) => ({
        poolHandle: new TextEncoder().encode(`Pool-${p}`),
        poolElements: Array.from({ length: 32 }, (_, i) =>
          pe(profile, 32 * p + i, {
            protocol: "sctp",
            port: 10000 + i,
            transportUse: "data",
            addresses: [`10.0.${p}.${i + 1}`],
          }, asapTransport)),
      })),
    }],
  ];
}

let sink = 0;

for (const profile of ["rfc", "ng"] as const) {
  const encoder = new WireEncoder({ profile });
  const decoder = new WireDecoder({ profile });
  for (const [name, message] of messages(profile)) {
    const group = `${name} ${profile}`;
    const wire = encoder.encode(message).slice();
    const cbor = cborEncode(message);
    // cbor-x's fastest mode: record structures shared by one encoder/decoder pair.
    const records = new CborEncoder({ useRecords: true, structures: [] });
    const cborRecords = records.encode(message);
    const asap = protocolOf(message) === "asap";
    Deno.bench({
      name: `encode ${group}: wire`,
      group: `encode ${group}`,
      fn() {
        sink += encoder.encode(message).length;
      },
    });
    Deno.bench({
      name: `encode ${group}: cbor-x`,
      group: `encode ${group}`,
      baseline: true,
      fn() {
        sink += cborEncode(message).length;
      },
    });
    Deno.bench({
      name: `encode ${group}: cbor-x records`,
      group: `encode ${group}`,
      fn() {
        sink += records.encode(message).length;
      },
    });
    Deno.bench({
      name: `decode ${group}: wire`,
      group: `decode ${group}`,
      fn() {
        const r = asap ? decoder.decodeAsap(wire) : decoder.decodeEnrp(wire);
        if (r.kind !== "ok") throw new Error(`${name} does not decode`);
        sink += r.consumed;
      },
    });
    Deno.bench({
      name: `decode ${group}: cbor-x`,
      group: `decode ${group}`,
      baseline: true,
      fn() {
        sink += (cborDecode(cbor) as { type: string }).type.length;
      },
    });
    Deno.bench({
      name: `decode ${group}: cbor-x records`,
      group: `decode ${group}`,
      fn() {
        sink += (records.decode(cborRecords) as { type: string }).type.length;
      },
    });
  }
}

globalThis.addEventListener("unload", () => {
  if (sink === 0.5) console.log(sink); // keep the results alive
});
