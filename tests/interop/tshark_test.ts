// Wireshark conformance: every ASAP and ENRP message type with representative
// parameters (every parameter type, every policy type, every transport, every
// cause code) is encoded in the RFC profile, written into a pcap (IPv4/IPv6 +
// SCTP with PPIDs 11/12 and a correct CRC-32C, UDP for Server Announce and
// multicast Presence, raw ASAP on TCP 3863), dissected by tshark with checksum
// validation on, and checked: no malformed packet, no expert info, and every
// dissected field equal to the value this file expects. The expected fields
// are computed here from the message values, independently of the encoder
// (lengths included). A second test checks that `wire decode --pcap` finds the
// same messages as tshark.
//
// Skips with a reason when tshark is missing, unless RSERPOOL_REQUIRE_SYSTEM_TOOLS=1.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ascii, hex, unhex } from "../_hex.ts";
import { type PacketAddress, PcapWriter } from "../../adapters/pcap/pcap_writer.ts";
import { ASAP_MESSAGE_TYPES, type AsapMessage } from "../../core/wire/asap_message.ts";
import { ENRP_MESSAGE_TYPES, type EnrpMessage } from "../../core/wire/enrp_message.ts";
import { parseIpAddress } from "../../core/wire/ip_address.ts";
import type { OperationErrorCause } from "../../core/wire/operation_error.ts";
import {
  POLICY_TYPES,
  type PolicyParameter,
  policyParameter,
  PolicyType,
} from "../../core/wire/policy_parameter.ts";
import type {
  PoolElementParameter,
  ServerInformationParameter,
} from "../../core/wire/pool_element_parameter.ts";
import type { TransportParameter } from "../../core/wire/transport_parameter.ts";
import { protocolOf, WireEncoder } from "../../core/wire/wire_encoder.ts";

// ---------------------------------------------------------------------------
// tshark availability

function tsharkMissing(): string | undefined {
  const r = spawnSync("tshark", ["--version"], { encoding: "utf8" });
  if (r.error !== undefined || r.status !== 0) return "tshark is not installed";
  return undefined;
}
const missing = tsharkMissing();
const required = process.env.RSERPOOL_REQUIRE_SYSTEM_TOOLS === "1";
const skip = missing !== undefined && !required
  ? `${missing} (install it, e.g. apt-get install tshark; RSERPOOL_REQUIRE_SYSTEM_TOOLS=1 makes this a failure)`
  : false;

// ---------------------------------------------------------------------------
// The messages

const PH_ECHO = ascii("EchoPool");
const PH_CALC = ascii("CalcAppPool"); // 11 bytes: exercises padding
const PR1 = 0x7c5b2e11n, PR2 = 0x3f00aa01n, PR3 = 0x0a0b0c0dn;

const SCTP_MULTI: TransportParameter = {
  protocol: "sctp",
  port: 9000,
  transportUse: "data+control",
  addresses: ["198.51.100.7", "2001:db8::7", "10.1.2.3"],
};
const TRANSPORTS: readonly TransportParameter[] = [
  SCTP_MULTI,
  { protocol: "tcp", port: 7, transportUse: "data", addresses: ["192.0.2.10"] },
  { protocol: "tcp", port: 8, transportUse: "data+control", addresses: ["2001:db8::10"] },
  { protocol: "udp", port: 9, transportUse: "data", addresses: ["192.0.2.11"] },
  { protocol: "udp-lite", port: 10, transportUse: "data", addresses: ["192.0.2.12"] },
  {
    protocol: "dccp",
    port: 11,
    transportUse: "data",
    addresses: ["192.0.2.13"],
    dccpServiceCode: 0x52535030,
  },
];
const ASAP_TRANSPORT: TransportParameter = {
  protocol: "sctp",
  port: 52000,
  transportUse: "data",
  addresses: ["192.0.2.10", "2001:db8::a"],
};

/** A policy of every type in our table with distinct field values, plus unknown types. */
const POLICIES: readonly PolicyParameter[] = [
  ...POLICY_TYPES.map((info) => {
    const values = {
      weight: 5,
      priority: 7,
      load: 0x80000000,
      loadDegradation: 0x10000000,
      loadDpf: 0x00418937,
      weightDpf: 0x00418937,
      distance: 100,
    };
    // Only the policy's own fields are set: the others are not on the wire.
    return policyParameter(info.type, Object.fromEntries(info.fields.map((f) => [f, values[f]])));
  }),
  { ...policyParameter(0x12345678), raw: [1, 0xffffffff] },
  { ...policyParameter(0xb0009999), raw: [] },
];

function pe(
  id: bigint,
  userTransport: TransportParameter,
  policy: PolicyParameter,
  asapTransport?: TransportParameter,
): PoolElementParameter {
  const base = { id, homeRegistrarId: PR1, registrationLife: 90_000, userTransport, policy };
  return asapTransport === undefined ? base : { ...base, asapTransport };
}

const LU = policyParameter(PolicyType.LeastUsed, { load: 0x40000000 });
const WRAND = policyParameter(PolicyType.WeightedRandom, { weight: 10 });

/** Cause info the test builds by hand, with what Wireshark shows inside it. */
type Embedded =
  | { kind: "none" }
  | { kind: "raw"; bytes: Uint8Array }
  | { kind: "unknown-parameter"; type: number; value: Uint8Array }
  | { kind: "pool-handle"; value: Uint8Array }
  | { kind: "policy"; value: PolicyParameter }
  | { kind: "transport"; value: TransportParameter }
  | { kind: "asap-message"; bytes: Uint8Array }
  | { kind: "enrp-message"; bytes: Uint8Array };

interface TestCause {
  code: number;
  embedded: Embedded;
}

/** Hand-built TLV bytes (independent of the encoder). */
function tlv(type: number, value: Uint8Array): Uint8Array {
  const len = 4 + value.length;
  const out = new Uint8Array((len + 3) & ~3);
  out.set([type >> 8, type & 0xff, len >> 8, len & 0xff]);
  out.set(value, 4);
  return out;
}
function be(v: number | bigint, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = BigInt(v);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}
function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
const TRANSPORT_CODE: Record<string, number> = { dccp: 3, sctp: 4, tcp: 5, udp: 6, "udp-lite": 7 };
function transportBytes(t: TransportParameter): Uint8Array {
  const addrs = t.addresses.map((a) => {
    const b = parseIpAddress(a);
    return tlv(b.length === 4 ? 1 : 2, b);
  });
  const fixed = t.protocol === "dccp"
    ? cat(be(t.port, 2), be(0, 2), be(t.dccpServiceCode ?? 0, 4))
    : cat(be(t.port, 2), be(t.transportUse === "data+control" ? 1 : 0, 2));
  return tlv(TRANSPORT_CODE[t.protocol]!, cat(fixed, ...addrs));
}
function infoOf(e: Embedded): Uint8Array {
  switch (e.kind) {
    case "none":
      return new Uint8Array(0);
    case "raw":
    case "asap-message":
    case "enrp-message":
      return e.bytes;
    case "unknown-parameter":
      return tlv(e.type, e.value).subarray(0, 4 + e.value.length);
    case "pool-handle":
      return tlv(9, e.value).subarray(0, 4 + e.value.length);
    case "policy":
      return tlv(8, cat(be(e.value.type, 4), ...(e.value.raw ?? []).map((v) => be(v, 4))));
    case "transport":
      return transportBytes(e.value);
  }
}
function causes(list: TestCause[]): OperationErrorCause[] {
  return list.map((c) => ({ code: c.code, info: infoOf(c.embedded) }));
}

const ASAP_ERROR_CAUSES: TestCause[] = [
  { code: 0x0, embedded: { kind: "raw", bytes: unhex("abcd") } },
  { code: 0x1, embedded: { kind: "unknown-parameter", type: 0x4123, value: unhex("deadbeef") } },
  { code: 0x2, embedded: { kind: "asap-message", bytes: unhex("0f000004") } },
  { code: 0x3, embedded: { kind: "pool-handle", value: PH_CALC } },
  { code: 0x4, embedded: { kind: "none" } },
  { code: 0x5, embedded: { kind: "policy", value: policyParameter(PolicyType.RoundRobin) } },
  { code: 0x6, embedded: { kind: "none" } },
  { code: 0x7, embedded: { kind: "transport", value: TRANSPORTS[3]! } },
  { code: 0x8, embedded: { kind: "none" } },
  { code: 0x9, embedded: { kind: "none" } },
  { code: 0xa, embedded: { kind: "none" } },
  { code: 0xf002, embedded: { kind: "none" } },
];
const ENRP_ERROR_CAUSES: TestCause[] = [
  { code: 0x2, embedded: { kind: "enrp-message", bytes: unhex("0b00000800000000") } },
  { code: 0x1, embedded: { kind: "unknown-parameter", type: 0xc0ff, value: unhex("01") } },
  { code: 0x6, embedded: { kind: "none" } },
  { code: 0x0011, embedded: { kind: "raw", bytes: unhex("000900050a") } },
];

interface Case {
  name: string;
  message: AsapMessage | EnrpMessage;
  transport: "sctp" | "sctp6" | "udp" | "tcp";
  causes?: TestCause[];
}

function cases(): Case[] {
  const out: Case[] = [];
  const add = (
    name: string,
    message: AsapMessage | EnrpMessage,
    transport: Case["transport"] = "sctp",
    c?: TestCause[],
  ) =>
    out.push(
      c === undefined ? { name, message, transport } : { name, message, transport, causes: c },
    );
  for (const t of TRANSPORTS) {
    add(`registration, ${t.protocol} user transport`, {
      type: "registration",
      poolHandle: PH_ECHO,
      poolElement: { ...pe(0x1a2b3c4dn, t, LU), homeRegistrarId: 0n },
    });
  }
  POLICIES.forEach((p, i) =>
    add(`registration, policy 0x${p.type.toString(16)}`, {
      type: "registration",
      poolHandle: PH_ECHO,
      poolElement: pe(0x1a2b3c4dn + BigInt(i), TRANSPORTS[1]!, p),
    })
  );
  add("deregistration", {
    type: "deregistration",
    poolHandle: PH_CALC,
    poolElementId: 0x5e3a9c21n,
  });
  add("registration response, accepted", {
    type: "registration-response",
    reject: false,
    poolHandle: PH_ECHO,
    poolElementId: 0x1a2b3c4dn,
  });
  const reject: TestCause[] = [{
    code: 5,
    embedded: { kind: "policy", value: policyParameter(PolicyType.RoundRobin) },
  }];
  add(
    "registration response, rejected",
    {
      type: "registration-response",
      reject: true,
      poolHandle: PH_ECHO,
      poolElementId: 0x1a2b3c4dn,
      error: { causes: causes(reject) },
    },
    "sctp",
    reject,
  );
  add("deregistration response", {
    type: "deregistration-response",
    reject: false,
    poolHandle: PH_ECHO,
    poolElementId: 0x1a2b3c4dn,
  });
  add("handle resolution", { type: "handle-resolution", poolHandle: PH_CALC });
  add("handle resolution, items 2", { type: "handle-resolution", poolHandle: PH_CALC, items: 2 });
  add("handle resolution over IPv6, items all", {
    type: "handle-resolution",
    poolHandle: PH_ECHO,
    items: 0xffffffff,
  }, "sctp6");
  add("handle resolution response, 3 pool elements", {
    type: "handle-resolution-response",
    poolHandle: PH_CALC,
    policy: WRAND,
    poolElements: [
      pe(0x5e3a9c21n, SCTP_MULTI, WRAND),
      pe(0x2d4f6a80n, TRANSPORTS[2]!, { ...WRAND, weight: 20 }),
      pe(0xfffffffen, TRANSPORTS[5]!, { ...WRAND, weight: 1 }),
    ],
  });
  const unknownPool: TestCause[] = [{ code: 9, embedded: { kind: "none" } }];
  add(
    "handle resolution response, unknown pool",
    {
      type: "handle-resolution-response",
      poolHandle: PH_CALC,
      poolElements: [],
      error: { causes: causes(unknownPool) },
    },
    "sctp",
    unknownPool,
  );
  add("endpoint keep-alive, home, with PE id", {
    type: "endpoint-keep-alive",
    home: true,
    registrarId: PR2,
    poolHandle: PH_ECHO,
    poolElementId: 0x1a2b3c4dn,
  });
  add("endpoint keep-alive", {
    type: "endpoint-keep-alive",
    home: false,
    registrarId: PR3,
    poolHandle: PH_CALC,
  });
  add("endpoint keep-alive ack", {
    type: "endpoint-keep-alive-ack",
    poolHandle: PH_ECHO,
    poolElementId: 0x1a2b3c4dn,
  });
  add("endpoint unreachable", {
    type: "endpoint-unreachable",
    poolHandle: PH_CALC,
    poolElementId: 0x2d4f6a80n,
  });
  add(
    "server announce, id only",
    { type: "server-announce", registrarId: PR1, transports: [] },
    "udp",
  );
  add("server announce, transports", {
    type: "server-announce",
    registrarId: PR1,
    transports: [{ ...SCTP_MULTI, port: 3863, transportUse: "data" }, TRANSPORTS[1]!],
  }, "udp");
  add("cookie", { type: "cookie", cookie: ascii("session-state-0001") });
  add("cookie echo", { type: "cookie-echo", cookie: unhex("00ff00ff01") });
  add("business card", {
    type: "business-card",
    poolHandle: PH_CALC,
    poolElements: [pe(0x5e3a9c21n, SCTP_MULTI, WRAND), pe(0x2d4f6a80n, TRANSPORTS[1]!, WRAND)],
  });
  add("business card with policy", {
    type: "business-card",
    poolHandle: PH_ECHO,
    policy: LU,
    poolElements: [pe(1n, TRANSPORTS[4]!, LU)],
  });
  add(
    "ASAP error, every cause code",
    {
      type: "asap-error",
      error: { causes: causes(ASAP_ERROR_CAUSES) },
    },
    "sctp",
    ASAP_ERROR_CAUSES,
  );
  add("handle resolution over raw TCP", {
    type: "handle-resolution",
    poolHandle: PH_CALC,
    items: 3,
  }, "tcp");

  const server = (registrarId: bigint, addresses: string[]): ServerInformationParameter => ({
    registrarId,
    transport: { protocol: "sctp", port: 9901, transportUse: "data", addresses },
  });
  add("presence, reply required", {
    type: "presence",
    replyRequired: true,
    senderId: PR1,
    receiverId: PR2,
    checksum: 0x2fc3,
    serverInformation: server(PR1, ["192.0.2.1", "192.0.2.2"]),
  });
  add("presence, multicast", {
    type: "presence",
    replyRequired: false,
    senderId: PR1,
    receiverId: 0n,
    checksum: 0xffff,
    serverInformation: server(PR1, ["192.0.2.1"]),
  }, "udp");
  add("handle table request, own children only", {
    type: "handle-table-request",
    ownChildrenOnly: true,
    senderId: PR2,
    receiverId: PR1,
  });
  add("handle table request", {
    type: "handle-table-request",
    ownChildrenOnly: false,
    senderId: PR2,
    receiverId: PR1,
  });
  add("handle table response, more to send, two pools", {
    type: "handle-table-response",
    reject: false,
    moreToSend: true,
    senderId: PR1,
    receiverId: PR2,
    pools: [
      {
        poolHandle: PH_ECHO,
        poolElements: [
          pe(0x1a2b3c4dn, TRANSPORTS[1]!, LU, ASAP_TRANSPORT),
          pe(0x1a2b3c4en, TRANSPORTS[3]!, LU, ASAP_TRANSPORT),
        ],
      },
      { poolHandle: PH_CALC, poolElements: [pe(0x5e3a9c21n, SCTP_MULTI, WRAND, ASAP_TRANSPORT)] },
    ],
  });
  add("handle table response, rejected", {
    type: "handle-table-response",
    reject: true,
    moreToSend: false,
    senderId: PR1,
    receiverId: PR2,
    pools: [],
  });
  add("handle update, add, takeover suggested", {
    type: "handle-update",
    takeoverSuggested: true,
    senderId: PR1,
    receiverId: PR2,
    action: "add-pe",
    poolHandle: PH_ECHO,
    poolElement: pe(0x1a2b3c4dn, TRANSPORTS[1]!, LU, ASAP_TRANSPORT),
  });
  add("handle update, delete", {
    type: "handle-update",
    takeoverSuggested: false,
    senderId: PR1,
    receiverId: PR2,
    action: "del-pe",
    poolHandle: PH_CALC,
    poolElement: pe(0x2d4f6a80n, TRANSPORTS[5]!, WRAND, ASAP_TRANSPORT),
  });
  add("list request", { type: "list-request", senderId: PR2, receiverId: PR1 });
  add("list response", {
    type: "list-response",
    reject: false,
    senderId: PR1,
    receiverId: PR2,
    servers: [server(PR1, ["192.0.2.1", "192.0.2.2"]), server(PR3, ["2001:db8::3"])],
  });
  add("list response, rejected", {
    type: "list-response",
    reject: true,
    senderId: PR1,
    receiverId: PR2,
    servers: [],
  });
  add("init takeover", { type: "init-takeover", senderId: PR2, receiverId: PR3, targetId: PR1 });
  add("init takeover ack", {
    type: "init-takeover-ack",
    senderId: PR3,
    receiverId: PR2,
    targetId: PR1,
  });
  add("takeover server", {
    type: "takeover-server",
    senderId: PR2,
    receiverId: PR3,
    targetId: PR1,
  });
  add(
    "ENRP error",
    {
      type: "enrp-error",
      senderId: PR2,
      receiverId: PR1,
      error: { causes: causes(ENRP_ERROR_CAUSES) },
    },
    "sctp",
    ENRP_ERROR_CAUSES,
  );
  return out;
}

// ---------------------------------------------------------------------------
// What Wireshark should show: field name → values in dissection order.
// Values are the field's bytes as hex (PDML "value"), or "0"/"1" for flag bits.

/** The policy fields Wireshark 4.0 decodes per policy type; other types show raw bytes. */
const WIRESHARK_POLICY_FIELDS: Record<number, readonly (keyof PolicyParameter)[]> = {
  0x00000001: [],
  0x00000002: ["weight"],
  0x00000003: [],
  0x00000004: ["weight"],
  0x00000005: ["priority"],
  0x40000001: ["load"],
  0x40000002: ["load", "loadDegradation"],
  0x40000003: ["load", "loadDegradation"],
  0x40000004: ["load"],
  0xb0002001: ["weight", "weightDpf", "distance"],
  0xb0002002: ["load", "loadDpf", "distance"],
};
const POLICY_FIELD_NAME: Record<string, string> = {
  weight: "pool_member_selection_policy_weight",
  priority: "pool_member_selection_policy_priority",
  load: "pool_member_selection_policy_load",
  loadDegradation: "pool_member_selection_policy_degradation",
  loadDpf: "pool_member_selection_policy_load_dpf",
  weightDpf: "pool_member_selection_policy_weight_dpf",
  distance: "pool_member_selection_policy_distance",
};

const TRACKED = [
  "message_type",
  "message_flags",
  "message_length",
  "message_value",
  "parameter_type",
  "parameter_length",
  "parameter_value",
  "pool_handle_pool_handle",
  "pe_identifier",
  "pool_element_pe_identifier",
  "pool_element_home_enrp_server_identifier",
  "pool_element_registration_life",
  "sctp_transport_port",
  "tcp_transport_port",
  "udp_transport_port",
  "udp_transport_reserved",
  "udp_lite_transport_port",
  "udp_lite_transport_reserved",
  "dccp_transport_port",
  "dccp_transport_reserved",
  "dccp_transport_service_code",
  "transport_use",
  "ipv4_address",
  "ipv6_address",
  "pool_member_selection_policy_type",
  "pool_member_selection_policy_value",
  ...Object.values(POLICY_FIELD_NAME),
  "cause_code",
  "cause_length",
  "cause_info",
  "cookie",
  "pe_checksum",
  "hropt_items",
  "server_identifier",
  "server_information_server_identifier",
  "sender_servers_id",
  "receiver_servers_id",
  "target_servers_id",
  "update_action",
  "reserved",
  "r_bit",
  "h_bit",
  "w_bit",
  "m_bit",
  "t_bit",
];

const pad4 = (n: number) => (n + 3) & ~3;

class Expect {
  readonly fields = new Map<string, string[]>();
  constructor(readonly p: "asap" | "enrp") {}
  add(name: string, value: string): void {
    const key = `${this.p}.${name}`;
    const list = this.fields.get(key) ?? [];
    list.push(value);
    this.fields.set(key, list);
  }
  num(name: string, v: number | bigint, bytes: number): void {
    this.add(name, hex(be(v, bytes)));
  }
  bit(name: string, v: boolean): void {
    this.add(name, v ? "1" : "0");
  }
  param(type: number, length: number): void {
    this.num("parameter_type", type, 2);
    this.num("parameter_length", length, 2);
  }
  // Sizes, computed here from the values (independent of the encoder).
  transportLen(t: TransportParameter): number {
    return 4 + (t.protocol === "dccp" ? 8 : 4) +
      t.addresses.reduce((n, a) => n + (parseIpAddress(a).length === 4 ? 8 : 20), 0);
  }
  policyLen(p: PolicyParameter): number {
    const info = POLICY_TYPES.find((i) => i.type === p.type);
    return 8 + 4 * (info !== undefined ? info.fields.length : (p.raw ?? []).length);
  }
  peLen(pe: PoolElementParameter): number {
    return 16 + pad4(this.transportLen(pe.userTransport)) + pad4(this.policyLen(pe.policy)) +
      (pe.asapTransport === undefined ? 0 : pad4(this.transportLen(pe.asapTransport)));
  }
  serverLen(s: ServerInformationParameter): number {
    return 8 + pad4(this.transportLen(s.transport));
  }
  errorLen(c: TestCause[]): number {
    return 4 + c.reduce((n, x) => n + pad4(4 + infoOf(x.embedded).length), 0);
  }
  // Parameters.
  poolHandle(ph: Uint8Array): void {
    this.param(9, 4 + ph.length);
    this.add("pool_handle_pool_handle", hex(ph));
  }
  peId(id: bigint): void {
    this.param(0x0e, 8);
    this.num("pe_identifier", id, 4);
  }
  transport(t: TransportParameter): void {
    this.param(TRANSPORT_CODE[t.protocol]!, this.transportLen(t));
    const port = t.protocol === "udp-lite" ? "udp_lite_transport" : `${t.protocol}_transport`;
    this.num(`${port}_port`, t.port, 2);
    if (t.protocol === "sctp" || t.protocol === "tcp") {
      this.num("transport_use", t.transportUse === "data+control" ? 1 : 0, 2);
    } else this.num(`${port}_reserved`, 0, 2);
    if (t.protocol === "dccp") this.num("dccp_transport_service_code", t.dccpServiceCode ?? 0, 4);
    for (const a of t.addresses) {
      const b = parseIpAddress(a);
      this.param(b.length === 4 ? 1 : 2, 4 + b.length);
      this.add(b.length === 4 ? "ipv4_address" : "ipv6_address", hex(b));
    }
  }
  policy(p: PolicyParameter): void {
    this.param(8, this.policyLen(p));
    this.num("pool_member_selection_policy_type", p.type, 4);
    const info = POLICY_TYPES.find((i) => i.type === p.type);
    const onWire: number[] = info !== undefined ? info.fields.map((f) => p[f]) : [...(p.raw ?? [])];
    const shown = WIRESHARK_POLICY_FIELDS[p.type];
    if (shown !== undefined) {
      for (const f of shown) this.num(POLICY_FIELD_NAME[f]!, p[f] as number, 4);
    } else if (onWire.length > 0) {
      this.add("pool_member_selection_policy_value", onWire.map((v) => hex(be(v, 4))).join(""));
    }
  }
  poolElement(pe: PoolElementParameter): void {
    this.param(0x0a, this.peLen(pe));
    this.num("pool_element_pe_identifier", pe.id, 4);
    this.num("pool_element_home_enrp_server_identifier", pe.homeRegistrarId, 4);
    this.num("pool_element_registration_life", pe.registrationLife, 4);
    this.transport(pe.userTransport);
    this.policy(pe.policy);
    if (pe.asapTransport !== undefined) this.transport(pe.asapTransport);
  }
  server(s: ServerInformationParameter): void {
    this.param(0x0b, this.serverLen(s));
    this.num("server_information_server_identifier", s.registrarId, 4);
    this.transport(s.transport);
  }
  error(list: TestCause[]): void {
    this.param(0x0c, this.errorLen(list));
    for (const c of list) {
      const info = infoOf(c.embedded);
      this.num("cause_code", c.code, 2);
      this.num("cause_length", 4 + info.length, 2);
      const e = c.embedded;
      switch (e.kind) {
        case "none":
          break;
        case "raw":
          this.add("cause_info", hex(e.bytes));
          break;
        case "unknown-parameter":
          this.param(e.type, 4 + e.value.length);
          this.add("parameter_value", hex(e.value));
          break;
        case "pool-handle":
          this.poolHandle(e.value);
          break;
        case "policy":
          this.policy(e.value);
          break;
        case "transport":
          this.transport(e.value);
          break;
        case "asap-message":
        case "enrp-message":
          this.num("message_type", e.bytes[0]!, 1);
          this.num("message_flags", e.bytes[1]!, 1);
          this.add("message_length", hex(e.bytes.subarray(2, 4)));
          if (e.bytes.length > 4) this.add("message_value", hex(e.bytes.subarray(4)));
          break;
      }
    }
  }
}

const CODE: Record<string, number> = Object.fromEntries([
  ...ASAP_MESSAGE_TYPES,
  ...ENRP_MESSAGE_TYPES,
]);

function expected(c: Case): Map<string, string[]> {
  const m = c.message;
  const x = new Expect(protocolOf(m));
  const params: (() => void)[] = [];
  let fixed = 0, flags = 0, bodyLen = 0;
  const ph = (v: Uint8Array) => {
    bodyLen += pad4(4 + v.length);
    params.push(() => x.poolHandle(v));
  };
  const peid = (v: bigint) => {
    bodyLen += 8;
    params.push(() => x.peId(v));
  };
  const pe = (v: PoolElementParameter) => {
    bodyLen += pad4(x.peLen(v));
    params.push(() => x.poolElement(v));
  };
  const err = () => {
    bodyLen += pad4(x.errorLen(c.causes!));
    params.push(() => x.error(c.causes!));
  };
  const pol = (v: PolicyParameter) => {
    bodyLen += pad4(x.policyLen(v));
    params.push(() => x.policy(v));
  };
  const tr = (v: TransportParameter) => {
    bodyLen += pad4(x.transportLen(v));
    params.push(() => x.transport(v));
  };
  const bits: [string, boolean][] = [];
  const head: (() => void)[] = [];
  switch (m.type) {
    case "registration":
      ph(m.poolHandle);
      pe(m.poolElement);
      break;
    case "deregistration":
    case "endpoint-keep-alive-ack":
    case "endpoint-unreachable":
      ph(m.poolHandle);
      peid(m.poolElementId);
      break;
    case "registration-response":
    case "deregistration-response":
      flags = m.reject ? 1 : 0;
      // Wireshark decodes the R bit of the Registration Response only.
      if (m.type === "registration-response") bits.push(["r_bit", m.reject]);
      ph(m.poolHandle);
      peid(m.poolElementId);
      if (m.error !== undefined) err();
      break;
    case "handle-resolution":
      ph(m.poolHandle);
      if (m.items !== undefined) {
        bodyLen += 8;
        const items = m.items;
        params.push(() => {
          x.param(0x803f, 8);
          x.num("hropt_items", items, 4);
        });
      }
      break;
    case "handle-resolution-response":
    case "business-card":
      ph(m.poolHandle);
      if (m.policy !== undefined) pol(m.policy);
      for (const p of m.poolElements) pe(p);
      if (m.type === "handle-resolution-response" && m.error !== undefined) err();
      break;
    case "endpoint-keep-alive":
      flags = m.home ? 1 : 0;
      bits.push(["h_bit", m.home]);
      fixed = 4;
      head.push(() => x.num("server_identifier", m.registrarId, 4));
      ph(m.poolHandle);
      if (m.poolElementId !== undefined) peid(m.poolElementId);
      break;
    case "server-announce":
      fixed = 4;
      head.push(() => x.num("server_identifier", m.registrarId, 4));
      for (const t of m.transports) tr(t);
      break;
    case "cookie":
    case "cookie-echo": {
      const cookie = m.cookie;
      bodyLen += pad4(4 + cookie.length);
      params.push(() => {
        x.param(0x0d, 4 + cookie.length);
        x.add("cookie", hex(cookie));
      });
      break;
    }
    case "asap-error":
      err();
      break;
    default: {
      // ENRP: the two registrar identifiers first.
      fixed = 8;
      head.push(() => {
        x.num("sender_servers_id", m.senderId, 4);
        x.num("receiver_servers_id", m.receiverId, 4);
      });
      switch (m.type) {
        case "presence":
          flags = m.replyRequired ? 1 : 0;
          bits.push(["r_bit", m.replyRequired]);
          bodyLen += 8;
          params.push(() => {
            x.param(0x0f, 6);
            x.num("pe_checksum", m.checksum, 2);
          });
          if (m.serverInformation !== undefined) {
            const s = m.serverInformation;
            bodyLen += pad4(x.serverLen(s));
            params.push(() => x.server(s));
          }
          break;
        case "handle-table-request":
          flags = m.ownChildrenOnly ? 1 : 0;
          bits.push(["w_bit", m.ownChildrenOnly]);
          break;
        case "handle-table-response":
          flags = (m.reject ? 1 : 0) | (m.moreToSend ? 2 : 0);
          bits.push(["m_bit", m.moreToSend], ["r_bit", m.reject]);
          for (const pool of m.pools) {
            ph(pool.poolHandle);
            for (const p of pool.poolElements) pe(p);
          }
          break;
        case "handle-update":
          flags = m.takeoverSuggested ? 1 : 0;
          bits.push(["t_bit", m.takeoverSuggested]);
          fixed += 4;
          head.push(() => {
            x.num(
              "update_action",
              m.action === "add-pe" ? 0 : m.action === "del-pe" ? 1 : m.action,
              2,
            );
            x.num("reserved", 0, 2);
          });
          ph(m.poolHandle);
          pe(m.poolElement);
          break;
        case "list-request":
          break;
        case "list-response":
          flags = m.reject ? 1 : 0;
          bits.push(["r_bit", m.reject]);
          for (const s of m.servers) {
            bodyLen += pad4(x.serverLen(s));
            params.push(() => x.server(s));
          }
          break;
        case "init-takeover":
        case "init-takeover-ack":
        case "takeover-server":
          fixed += 4;
          head.push(() => x.num("target_servers_id", m.targetId, 4));
          break;
        case "enrp-error":
          err();
          break;
      }
    }
  }
  x.num("message_type", CODE[m.type]!, 1);
  x.num("message_flags", flags, 1);
  for (const [name, v] of bits) x.bit(name, v);
  x.num("message_length", 4 + fixed + bodyLen, 2);
  for (const h of head) h();
  for (const p of params) p();
  return x.fields;
}

// ---------------------------------------------------------------------------
// Running tshark and reading PDML

interface Packet {
  protos: Set<string>;
  fields: Map<string, string[]>;
  experts: string[];
}

function unescapeXml(s: string): string {
  return s.replace(
    /&(#x[0-9a-fA-F]+|#[0-9]+|quot|amp|lt|gt|apos);/g,
    (_, e: string) =>
      e === "quot"
        ? '"'
        : e === "amp"
        ? "&"
        : e === "lt"
        ? "<"
        : e === "gt"
        ? ">"
        : e === "apos"
        ? "'"
        : String.fromCodePoint(
          e.startsWith("#x") ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10),
        ),
  );
}

function parsePdml(xml: string): Packet[] {
  const packets: Packet[] = [];
  for (const m of xml.matchAll(/<packet>([\s\S]*?)<\/packet>/g)) {
    const p: Packet = { protos: new Set(), fields: new Map(), experts: [] };
    for (const tag of m[1]!.matchAll(/<(proto|field)\s([^>]*?)\/?>/g)) {
      const attrs: Record<string, string> = {};
      for (const a of tag[2]!.matchAll(/([\w.-]+)="([^"]*)"/g)) attrs[a[1]!] = unescapeXml(a[2]!);
      const name = attrs.name ?? "";
      if (tag[1] === "proto") p.protos.add(name);
      if (name === "_ws.malformed" || name === "_ws.expert") p.experts.push(attrs.showname ?? name);
      if (tag[1] !== "field") continue;
      const v = name.endsWith("_bit") ? attrs.show ?? "" : attrs.value ?? "";
      const list = p.fields.get(name) ?? [];
      list.push(v);
      p.fields.set(name, list);
    }
    packets.push(p);
  }
  return packets;
}

const TSHARK_PREFS = [
  "-o",
  "sctp.checksum:CRC-32C",
  "-o",
  "ip.check_checksum:TRUE",
  "-o",
  "udp.check_checksum:TRUE",
  "-o",
  "tcp.check_checksum:TRUE",
];

function writeCapture(list: Case[]): Uint8Array {
  const enc = new WireEncoder({ profile: "rfc" });
  const w = new PcapWriter();
  let tcpSeq = 1000;
  for (const c of list) {
    const asap = protocolOf(c.message) === "asap";
    const port = asap ? 3863 : 9901;
    const bytes = enc.encode(c.message).slice();
    const v4: PacketAddress = { src: "192.0.2.1", dst: "192.0.2.2", srcPort: port, dstPort: port };
    switch (c.transport) {
      case "sctp":
        w.addSctp(v4, [{ ppid: asap ? 11 : 12, payload: bytes }]);
        break;
      case "sctp6":
        w.addSctp({ ...v4, src: "2001:db8::1", dst: "2001:db8::2" }, [{
          ppid: asap ? 11 : 12,
          payload: bytes,
        }]);
        break;
      case "udp":
        w.addUdp({ ...v4, dst: asap ? "239.0.0.50" : "239.0.0.51" }, bytes);
        break;
      case "tcp":
        w.addTcp({ ...v4, srcPort: 40000 }, tcpSeq, bytes);
        tcpSeq += bytes.length;
        break;
    }
  }
  return w.bytes();
}

const CASES = cases();

/** Writes the conformance capture into a fresh temporary folder, runs `fn`, removes the folder. */
function withCapture<T>(fn: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "rserpool-tshark-"));
  try {
    const file = join(dir, "conformance.pcap");
    writeFileSync(file, writeCapture(CASES));
    return fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (skip) console.warn(`tests/interop/tshark_test.ts: skipped: ${skip}`);

test(
  "tshark dissects every ASAP/ENRP message type, parameter, policy, transport and cause cleanly and field by field",
  { skip },
  () => {
    if (missing !== undefined) assert.fail(`${missing} but RSERPOOL_REQUIRE_SYSTEM_TOOLS=1`);
    // Coverage of the case list itself.
    const types = new Set(CASES.map((c) => c.message.type));
    for (const [name] of [...ASAP_MESSAGE_TYPES, ...ENRP_MESSAGE_TYPES]) {
      assert.ok(
        types.has(name),
        name,
      );
    }
    const r = withCapture((file) =>
      spawnSync("tshark", [...TSHARK_PREFS, "-r", file, "-T", "pdml"], {
        encoding: "utf8",
        maxBuffer: 256 << 20,
      })
    );
    assert.equal(r.status, 0, r.stderr);
    const packets = parsePdml(r.stdout);
    assert.equal(packets.length, CASES.length);
    const problems: string[] = [];
    packets.forEach((p, i) => {
      const c = CASES[i]!;
      const proto = protocolOf(c.message);
      const where = `frame ${i + 1} (${c.name})`;
      if (!p.protos.has(proto)) problems.push(`${where}: no ${proto} layer`);
      for (const e of p.experts) problems.push(`${where}: ${e}`);
      const want = expected(c);
      for (const name of TRACKED) {
        const key = `${proto}.${name}`;
        const got = p.fields.get(key) ?? [];
        const exp = want.get(key) ?? [];
        if (JSON.stringify(got) !== JSON.stringify(exp)) {
          problems.push(
            `${where}: ${key} is ${JSON.stringify(got)}, expected ${JSON.stringify(exp)}`,
          );
        }
      }
    });
    assert.deepEqual(problems, []);
  },
);

test(
  "wire decode --pcap finds the same messages as tshark in the conformance capture",
  { skip },
  () => {
    if (missing !== undefined) assert.fail(`${missing} but RSERPOOL_REQUIRE_SYSTEM_TOOLS=1`);
    const [ts, cli] = withCapture((file) => [
      spawnSync("tshark", [
        ...TSHARK_PREFS,
        "-r",
        file,
        "-T",
        "fields",
        "-e",
        "frame.number",
        "-e",
        "asap.message_type",
        "-e",
        "enrp.message_type",
      ], { encoding: "utf8" }),
      spawnSync(process.execPath, [
        "run",
        "--allow-read",
        join(import.meta.dirname!, "../../adapters/cli/wire.ts"),
        "decode",
        "--pcap",
        file,
      ], { encoding: "utf8" }),
    ]);
    assert.equal(ts.status, 0, ts.stderr);
    // Outer message type of each frame that tshark dissected as ASAP or ENRP (the first value;
    // messages embedded in an Error's cause come after it).
    const theirs = ts.stdout.trim().split("\n").map((line) => {
      const [frame, asap, enrp] = line.split("\t");
      const type = (asap || enrp || "").split(",")[0]!;
      return [Number(frame), asap ? "asap" : enrp ? "enrp" : "", Number(type)];
    }).filter(([, proto]) => proto !== "");
    assert.equal(cli.status, 0, cli.stderr);
    const ours = cli.stdout.trim().split("\n").map((l) => JSON.parse(l)).map((o) => [
      o.frame,
      o.protocol,
      CODE[o.message.type],
    ]);
    assert.equal(ours.length, CASES.length);
    assert.deepEqual(ours, theirs);
  },
);
