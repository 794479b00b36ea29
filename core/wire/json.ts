/**
 * A JSON form of ASAP and ENRP messages, used by the `wire` tool (`wire
 * decode` prints it, `wire encode` reads it) and handy in logs and tests.
 *
 * The JSON form mirrors the message values field by field, with these
 * conversions so it survives `JSON.stringify`/`JSON.parse` unchanged:
 *
 * - Identifiers (`bigint`) are decimal strings: `"439041101"`. On input a
 *   decimal string, a `"0x"` hex string or a safe integer number is accepted.
 * - Byte strings (pool handles, cookies, cause information) are their text
 *   when every byte is printable ASCII (0x20–0x7e) and the text does not start
 *   with `0x`, else `"0x"` followed by lower-case hex; `""` is empty. On input
 *   a string starting with `0x` is hex, any other string is UTF-8 text.
 * - A policy is `{ "type": "<name>", <its wire fields> }` with the name from
 *   the policy table (e.g. `"LeastUsed"`, abbreviations accepted on input);
 *   an unknown policy type is `{ "type": <number>, "raw": [<u32>, ...] }`.
 * - Error causes carry an informative `"name"` (ignored on input).
 *
 * @example Round trip through JSON text
 * ```ts
 * import { messageFromJson, messageToJson } from "./json.ts";
 * import assert from "node:assert/strict";
 * const message = {
 *   type: "endpoint-keep-alive-ack" as const,
 *   poolHandle: new TextEncoder().encode("EchoPool"),
 *   poolElementId: 0x1a2b3c4dn,
 * };
 * const text = JSON.stringify(messageToJson(message));
 * assert.equal(
 *   text,
 *   '{"type":"endpoint-keep-alive-ack","poolHandle":"EchoPool","poolElementId":"439041101"}',
 * );
 * assert.deepEqual(messageFromJson(JSON.parse(text)), message);
 * ```
 *
 * @module
 */

import type { AsapMessage } from "./asap_message.ts";
import type { EnrpMessage, HandleTablePool, HandleUpdateAction } from "./enrp_message.ts";
import { errorCauseName } from "./error_cause.ts";
import type { OperationError } from "./operation_error.ts";
import {
  type PolicyField,
  type PolicyParameter,
  policyTypeByName,
  policyTypeInfo,
} from "./policy_parameter.ts";
import type { PoolElementParameter, ServerInformationParameter } from "./pool_element_parameter.ts";
import type { TransportParameter } from "./transport_parameter.ts";

/** A JSON value. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { readonly [key: string]: JsonValue };

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function bytesToJson(b: Uint8Array): string {
  let printable = true;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c < 0x20 || c > 0x7e) {
      printable = false;
      break;
    }
  }
  if (printable && !(b.length >= 2 && b[0] === 0x30 && (b[1] === 0x78 || b[1] === 0x58))) {
    let text = "";
    for (let i = 0; i < b.length; i++) text += String.fromCharCode(b[i]!);
    return text;
  }
  let s = "0x";
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

function policyToJson(p: PolicyParameter): JsonObject {
  const info = policyTypeInfo(p.type);
  if (info === undefined) return { type: p.type, raw: [...(p.raw ?? [])] };
  const out: Record<string, JsonValue> = { type: info.name };
  for (const f of info.fields) out[f] = p[f];
  return out;
}

function transportToJson(t: TransportParameter): JsonObject {
  const out: Record<string, JsonValue> = {
    protocol: t.protocol,
    port: t.port,
    transportUse: t.transportUse,
    addresses: [...t.addresses],
  };
  if (t.dccpServiceCode !== undefined) out.dccpServiceCode = t.dccpServiceCode;
  return out;
}

function poolElementToJson(pe: PoolElementParameter): JsonObject {
  const out: Record<string, JsonValue> = {
    id: pe.id.toString(),
    homeRegistrarId: pe.homeRegistrarId.toString(),
    registrationLife: pe.registrationLife,
    userTransport: transportToJson(pe.userTransport),
    policy: policyToJson(pe.policy),
  };
  if (pe.asapTransport !== undefined) out.asapTransport = transportToJson(pe.asapTransport);
  return out;
}

function serverToJson(s: ServerInformationParameter): JsonObject {
  return { registrarId: s.registrarId.toString(), transport: transportToJson(s.transport) };
}

function errorToJson(e: OperationError): JsonObject {
  return {
    causes: e.causes.map((c) => ({
      code: c.code,
      name: errorCauseName(c.code),
      info: bytesToJson(c.info),
    })),
  };
}

/**
 * Converts a message to its JSON form (see the module documentation).
 *
 * @param message An ASAP or ENRP message.
 * @returns A JSON-compatible object (no bigint, no Uint8Array).
 * @example Identifiers become decimal strings
 * ```ts
 * import { messageToJson } from "./json.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(
 *   messageToJson({ type: "init-takeover", senderId: 1n, receiverId: 2n, targetId: 2n ** 63n }),
 *   { type: "init-takeover", senderId: "1", receiverId: "2", targetId: "9223372036854775808" },
 * );
 * ```
 */
export function messageToJson(message: AsapMessage | EnrpMessage): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const [key, v] of Object.entries(message)) {
    out[key] = fieldToJson(key, v);
  }
  return out;
}

function fieldToJson(key: string, v: unknown): JsonValue {
  switch (key) {
    case "poolElement":
      return poolElementToJson(v as PoolElementParameter);
    case "poolElements":
      return (v as PoolElementParameter[]).map(poolElementToJson);
    case "policy":
      return policyToJson(v as PolicyParameter);
    case "error":
      return errorToJson(v as OperationError);
    case "transports":
      return (v as TransportParameter[]).map(transportToJson);
    case "serverInformation":
      return serverToJson(v as ServerInformationParameter);
    case "servers":
      return (v as ServerInformationParameter[]).map(serverToJson);
    case "pools":
      return (v as HandleTablePool[]).map((p) => ({
        poolHandle: bytesToJson(p.poolHandle),
        poolElements: p.poolElements.map(poolElementToJson),
      }));
  }
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return bytesToJson(v);
  return v as JsonValue;
}

// ---------------------------------------------------------------------------
// From JSON

class Path {
  constructor(readonly at: string) {}
  type(detail: string): TypeError {
    return new TypeError(`Cannot read message JSON: ${this.at}: ${detail}`);
  }
  range(detail: string): RangeError {
    return new RangeError(`Cannot read message JSON: ${this.at}: ${detail}`);
  }
  child(key: string | number): Path {
    return new Path(typeof key === "number" ? `${this.at}[${key}]` : `${this.at}.${key}`);
  }
}

function obj(v: unknown, at: Path): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw at.type("expected an object");
  return v as Record<string, unknown>;
}

function arr(v: unknown, at: Path): unknown[] {
  if (!Array.isArray(v)) throw at.type("expected an array");
  return v;
}

function bool(v: unknown, at: Path): boolean {
  if (typeof v !== "boolean") throw at.type("expected true or false");
  return v;
}

function str(v: unknown, at: Path): string {
  if (typeof v !== "string") throw at.type("expected a string");
  return v;
}

function uint(v: unknown, at: Path, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw at.type("expected an integer");
  if (v < 0 || v > max) throw at.range(`${v} is not in 0..${max}`);
  return v;
}

function id(v: unknown, at: Path): bigint {
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw at.range(`${v} is not a safe non-negative integer`);
    }
    return BigInt(v);
  }
  if (typeof v !== "string" || !/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) {
    throw at.type('expected an identifier as a decimal string (or "0x" hex)');
  }
  const n = BigInt(v);
  if (n > 0xffffffffffffffffn) throw at.range(`${v} is wider than 64 bits`);
  return n;
}

function bytes(v: unknown, at: Path): Uint8Array {
  const s = str(v, at);
  if (s.startsWith("0x") || s.startsWith("0X")) {
    const hex = s.slice(2);
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
      throw at.type(`"${s}" is not an even number of hex digits after 0x`);
    }
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  return new TextEncoder().encode(s);
}

const POLICY_FIELDS: readonly PolicyField[] = [
  "weight",
  "priority",
  "load",
  "loadDegradation",
  "loadDpf",
  "weightDpf",
  "distance",
];

function policy(v: unknown, at: Path): PolicyParameter {
  const o = obj(v, at);
  const t = o.type;
  let type: number;
  if (typeof t === "string") {
    const info = policyTypeByName(t);
    if (info === undefined) throw at.child("type").type(`unknown policy "${t}"`);
    type = info.type;
  } else type = uint(t, at.child("type"), 0xffffffff);
  const info = policyTypeInfo(type);
  const fields: Record<PolicyField, number> = {
    weight: 0,
    priority: 0,
    load: 0,
    loadDegradation: 0,
    loadDpf: 0,
    weightDpf: 0,
    distance: 0,
  };
  for (const key of Object.keys(o)) {
    if (key === "type" || (key === "raw" && info === undefined)) continue;
    if (!(info?.fields as readonly string[] | undefined)?.includes(key)) {
      throw at.child(key).type(
        info === undefined
          ? "an unknown policy type carries only raw fields"
          : `policy ${info.name} has no field ${key} (fields: ${info.fields.join(", ") || "none"})`,
      );
    }
  }
  if (info === undefined) {
    const raw = o.raw === undefined
      ? []
      : arr(o.raw, at.child("raw")).map((x, i) => uint(x, at.child("raw").child(i), 0xffffffff));
    return { type, ...fields, raw };
  }
  for (const f of POLICY_FIELDS) {
    if (o[f] !== undefined) fields[f] = uint(o[f], at.child(f), 0xffffffff);
  }
  return { type, ...fields };
}

function transport(v: unknown, at: Path): TransportParameter {
  const o = obj(v, at);
  const protocol = str(o.protocol, at.child("protocol"));
  if (!["sctp", "tcp", "udp", "udp-lite", "dccp"].includes(protocol)) {
    throw at.child("protocol").type(`"${protocol}" is not sctp, tcp, udp, udp-lite or dccp`);
  }
  const use = o.transportUse ?? "data";
  if (use !== "data" && use !== "data+control") {
    throw at.child("transportUse").type('expected "data" or "data+control"');
  }
  const addresses = arr(o.addresses, at.child("addresses")).map((a, i) =>
    str(a, at.child("addresses").child(i))
  );
  const base = {
    protocol: protocol as TransportParameter["protocol"],
    port: uint(o.port, at.child("port"), 0xffff),
    transportUse: use as TransportParameter["transportUse"],
    addresses,
  };
  if (protocol === "dccp") {
    return {
      ...base,
      dccpServiceCode: o.dccpServiceCode === undefined
        ? 0
        : uint(o.dccpServiceCode, at.child("dccpServiceCode"), 0xffffffff),
    };
  }
  return base;
}

function poolElement(v: unknown, at: Path): PoolElementParameter {
  const o = obj(v, at);
  const base = {
    id: id(o.id, at.child("id")),
    homeRegistrarId: id(o.homeRegistrarId ?? "0", at.child("homeRegistrarId")),
    registrationLife: uint(o.registrationLife, at.child("registrationLife"), 0xffffffff),
    userTransport: transport(o.userTransport, at.child("userTransport")),
    policy: policy(o.policy, at.child("policy")),
  };
  return o.asapTransport === undefined
    ? base
    : { ...base, asapTransport: transport(o.asapTransport, at.child("asapTransport")) };
}

function server(v: unknown, at: Path): ServerInformationParameter {
  const o = obj(v, at);
  return {
    registrarId: id(o.registrarId, at.child("registrarId")),
    transport: transport(o.transport, at.child("transport")),
  };
}

function operationError(v: unknown, at: Path): OperationError {
  const o = obj(v, at);
  const causes = arr(o.causes, at.child("causes")).map((c, i) => {
    const p = at.child("causes").child(i);
    const co = obj(c, p);
    return {
      code: uint(co.code, p.child("code"), 0xffff),
      info: co.info === undefined ? new Uint8Array(0) : bytes(co.info, p.child("info")),
    };
  });
  return { causes };
}

function action(v: unknown, at: Path): HandleUpdateAction {
  if (v === "add-pe" || v === "del-pe") return v;
  if (typeof v === "number") return uint(v, at, 0xffff);
  throw at.type('expected "add-pe", "del-pe" or a number');
}

/** Sets optional keys only when present, so values match decoded ones exactly. */
function withOptional<T extends object>(base: T, extra: Record<string, unknown>): T {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
  return out as T;
}

/**
 * Reads a message from its JSON form (see the module documentation),
 * validating types and ranges. Missing booleans (flags) default to false.
 *
 * @param json A parsed JSON value (an object with a `type`).
 * @returns The message value, ready for a {@link WireEncoder}.
 * @throws {TypeError} If a field is missing or of the wrong type (the message names the path).
 * @throws {RangeError} If a number is out of range.
 * @example From JSON text
 * ```ts
 * import { messageFromJson } from "./json.ts";
 * import assert from "node:assert/strict";
 * const m = messageFromJson({ type: "handle-resolution", poolHandle: "EchoPool", items: 3 });
 * assert.equal(m.type, "handle-resolution");
 * assert.throws(() => messageFromJson({ type: "handle-resolution" }), TypeError);
 * ```
 */
export function messageFromJson(json: unknown): AsapMessage | EnrpMessage {
  const at = new Path("message");
  const o = obj(json, at);
  const c = (k: string) => at.child(k);
  const flagOf = (k: string) => o[k] === undefined ? false : bool(o[k], c(k));
  const ph = () => bytes(o.poolHandle, c("poolHandle"));
  const peid = () => id(o.poolElementId, c("poolElementId"));
  const ids = () => ({
    senderId: id(o.senderId, c("senderId")),
    receiverId: id(o.receiverId ?? "0", c("receiverId")),
  });
  const err = () => o.error === undefined ? undefined : operationError(o.error, c("error"));
  const pol = () => o.policy === undefined ? undefined : policy(o.policy, c("policy"));
  const pes = () =>
    arr(o.poolElements ?? [], c("poolElements")).map((x, i) =>
      poolElement(x, c("poolElements").child(i))
    );
  const type = str(o.type, c("type"));
  switch (type) {
    case "registration":
      return { type, poolHandle: ph(), poolElement: poolElement(o.poolElement, c("poolElement")) };
    case "deregistration":
    case "endpoint-keep-alive-ack":
    case "endpoint-unreachable":
      return { type, poolHandle: ph(), poolElementId: peid() };
    case "registration-response":
    case "deregistration-response":
      return withOptional(
        { type, reject: flagOf("reject"), poolHandle: ph(), poolElementId: peid() },
        { error: err() },
      );
    case "handle-resolution":
      return withOptional({ type, poolHandle: ph() }, {
        items: o.items === undefined ? undefined : uint(o.items, c("items"), 0xffffffff),
      });
    case "handle-resolution-response": {
      const poolHandle = ph(), p = pol(), poolElements = pes(), error = err();
      return withOptional({ type, poolHandle, poolElements }, { policy: p, error });
    }
    case "business-card": {
      const poolHandle = ph(), p = pol(), poolElements = pes();
      return withOptional({ type, poolHandle, poolElements }, { policy: p });
    }
    case "endpoint-keep-alive":
      return withOptional({
        type,
        home: flagOf("home"),
        registrarId: id(o.registrarId, c("registrarId")),
        poolHandle: ph(),
      }, {
        poolElementId: o.poolElementId === undefined ? undefined : peid(),
      });
    case "server-announce":
      return {
        type,
        registrarId: id(o.registrarId, c("registrarId")),
        transports: arr(o.transports ?? [], c("transports")).map((t, i) =>
          transport(t, c("transports").child(i))
        ),
      };
    case "cookie":
    case "cookie-echo":
      return { type, cookie: bytes(o.cookie, c("cookie")) };
    case "asap-error":
      return { type, error: operationError(o.error, c("error")) };
    case "presence":
      return withOptional({
        type,
        replyRequired: flagOf("replyRequired"),
        ...ids(),
        checksum: uint(o.checksum, c("checksum"), 0xffffffff),
      }, {
        serverInformation: o.serverInformation === undefined
          ? undefined
          : server(o.serverInformation, c("serverInformation")),
      });
    case "handle-table-request":
      return { type, ownChildrenOnly: flagOf("ownChildrenOnly"), ...ids() };
    case "handle-table-response":
      return {
        type,
        reject: flagOf("reject"),
        moreToSend: flagOf("moreToSend"),
        ...ids(),
        pools: arr(o.pools ?? [], c("pools")).map((p, i) => {
          const pa = c("pools").child(i);
          const po = obj(p, pa);
          return {
            poolHandle: bytes(po.poolHandle, pa.child("poolHandle")),
            poolElements: arr(po.poolElements, pa.child("poolElements")).map((x, j) =>
              poolElement(x, pa.child("poolElements").child(j))
            ),
          };
        }),
      };
    case "handle-update":
      return {
        type,
        takeoverSuggested: flagOf("takeoverSuggested"),
        ...ids(),
        action: action(o.action, c("action")),
        poolHandle: ph(),
        poolElement: poolElement(o.poolElement, c("poolElement")),
      };
    case "list-request":
      return { type, ...ids() };
    case "list-response":
      return {
        type,
        reject: flagOf("reject"),
        ...ids(),
        servers: arr(o.servers ?? [], c("servers")).map((s, i) => server(s, c("servers").child(i))),
      };
    case "init-takeover":
    case "init-takeover-ack":
    case "takeover-server":
      return { type, ...ids(), targetId: id(o.targetId, c("targetId")) };
    case "enrp-error":
      return { type, ...ids(), error: operationError(o.error, c("error")) };
    default:
      throw c("type").type(`"${type}" is not an ASAP or ENRP message type`);
  }
}
