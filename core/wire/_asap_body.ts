// Internal codec of ASAP message bodies (RFC 5352): the parameter sequence of
// every message type, read and written. The common header is handled by
// _frame.ts (decoding) and wire_encoder.ts (encoding).

import { after, type Reader } from "./_reader.ts";
import type { Writer } from "./_writer.ts";
import { readOperationError, writeOperationError } from "./_operation_error_codec.ts";
import { readPolicy, writePolicy } from "./_policy_codec.ts";
import { readPoolElement, writePoolElement } from "./_pool_element_codec.ts";
import {
  readCookie,
  readHrOption,
  readPeIdentifier,
  readPoolHandle,
  writeCookie,
  writeHrOption,
  writePeIdentifier,
  writePoolHandle,
} from "./_simple_parameters.ts";
import { isTransport, readTransport, writeTransport } from "./_transport_codec.ts";
import type { AsapMessage } from "./asap_message.ts";
import type { OperationError } from "./operation_error.ts";
import { ParameterType } from "./parameter_type.ts";
import type { PolicyParameter } from "./policy_parameter.ts";
import type { PoolElementParameter } from "./pool_element_parameter.ts";
import type { TransportParameter } from "./transport_parameter.ts";

const PH = ParameterType.PoolHandle;
const PE = ParameterType.PoolElement;
const PEID = ParameterType.PeIdentifier;
const OPERR = ParameterType.OperationError;
const POLICY = ParameterType.PoolMemberSelectionPolicy;

/** ASAP message names by type code, for error texts. */
export const ASAP_NAMES: readonly string[] = [
  "",
  "Registration",
  "Deregistration",
  "Registration Response",
  "Deregistration Response",
  "Handle Resolution",
  "Handle Resolution Response",
  "Endpoint Keep-Alive",
  "Endpoint Keep-Alive Ack",
  "Endpoint Unreachable",
  "Server Announce",
  "Cookie",
  "Cookie Echo",
  "Business Card",
  "Error",
];

/** Largest ASAP message type code. */
export const ASAP_MAX_TYPE = 0x0e;

/** Fails unless the message is long enough for `n` bytes of fixed fields after the header. */
function fixedPart(r: Reader, end: number, n: number): void {
  if (end < 4 + n) {
    r.fail(
      "bad-length",
      2,
      `message length ${end} is shorter than its ${4 + n}-byte fixed part`,
      0,
      end,
    );
  }
}

/** Reads PH then PEID; returns [poolHandle, id, offset after PEID]. */
function phAndId(r: Reader, end: number): [Uint8Array, bigint, number] {
  let p = r.expect(4, end, PH);
  let l = r.l;
  const poolHandle = readPoolHandle(r, p, l);
  p = r.expect(after(p, l), end, PEID);
  l = r.l;
  return [poolHandle, readPeIdentifier(r, p, l), after(p, l)];
}

/** Reads the body of an ASAP message of a known `type` spanning [0, end). */
export function readAsap(r: Reader, type: number, flags: number, end: number): AsapMessage {
  switch (type) {
    case 0x01: {
      let p = r.expect(4, end, PH);
      let l = r.l;
      const poolHandle = readPoolHandle(r, p, l);
      p = r.expect(after(p, l), end, PE);
      l = r.l;
      const poolElement = readPoolElement(r, p, l);
      r.end(after(p, l), end);
      return { type: "registration", poolHandle, poolElement };
    }
    case 0x02:
    case 0x08:
    case 0x09: {
      const [poolHandle, poolElementId, q] = phAndId(r, end);
      r.end(q, end);
      return type === 0x02
        ? { type: "deregistration", poolHandle, poolElementId }
        : type === 0x08
        ? { type: "endpoint-keep-alive-ack", poolHandle, poolElementId }
        : { type: "endpoint-unreachable", poolHandle, poolElementId };
    }
    case 0x03:
    case 0x04: {
      const reject = (flags & 0x01) !== 0;
      const [poolHandle, poolElementId, q] = phAndId(r, end);
      const p = r.next(q, end);
      const name = type === 0x03 ? "registration-response" : "deregistration-response";
      if (p < 0) return { type: name, reject, poolHandle, poolElementId };
      if (r.t !== OPERR) r.unexpected(p, "an Operation Error");
      const l = r.l;
      const error = readOperationError(r, p, l);
      r.end(after(p, l), end);
      return { type: name, reject, poolHandle, poolElementId, error };
    }
    case 0x05: {
      r.hrOption = true;
      const p = r.expect(4, end, PH);
      const l = r.l;
      const poolHandle = readPoolHandle(r, p, l);
      const q = r.next(after(p, l), end);
      if (q < 0) return { type: "handle-resolution", poolHandle };
      if (r.t !== ParameterType.HandleResolutionOption) {
        r.unexpected(q, "a Handle Resolution Option");
      }
      const ql = r.l;
      const items = readHrOption(r, q, ql);
      r.end(after(q, ql), end);
      return { type: "handle-resolution", poolHandle, items };
    }
    case 0x06:
    case 0x0d: {
      let p = r.expect(4, end, PH);
      let l = r.l;
      const poolHandle = readPoolHandle(r, p, l);
      let policy: PolicyParameter | undefined;
      const poolElements: PoolElementParameter[] = [];
      let error: OperationError | undefined;
      p = r.next(after(p, l), end);
      if (p >= 0 && r.t === POLICY) {
        l = r.l;
        policy = readPolicy(r, p, l);
        p = r.next(after(p, l), end);
      }
      while (p >= 0 && r.t === PE) {
        l = r.l;
        poolElements.push(readPoolElement(r, p, l));
        p = r.next(after(p, l), end);
      }
      if (type === 0x06 && p >= 0 && r.t === OPERR) {
        l = r.l;
        error = readOperationError(r, p, l);
        p = r.next(after(p, l), end);
      }
      if (p >= 0) {
        r.unexpected(p, type === 0x06 ? "a pool element or an Operation Error" : "a pool element");
      }
      if (type === 0x0d) {
        return policy === undefined
          ? { type: "business-card", poolHandle, poolElements }
          : { type: "business-card", poolHandle, policy, poolElements };
      }
      if (policy === undefined) {
        return error === undefined
          ? { type: "handle-resolution-response", poolHandle, poolElements }
          : { type: "handle-resolution-response", poolHandle, poolElements, error };
      }
      return error === undefined
        ? { type: "handle-resolution-response", poolHandle, policy, poolElements }
        : { type: "handle-resolution-response", poolHandle, policy, poolElements, error };
    }
    case 0x07: {
      fixedPart(r, end, r.idLen);
      const home = (flags & 0x01) !== 0;
      const registrarId = r.id(4);
      let p = r.expect(4 + r.idLen, end, PH);
      let l = r.l;
      const poolHandle = readPoolHandle(r, p, l);
      p = r.next(after(p, l), end);
      if (p < 0) return { type: "endpoint-keep-alive", home, registrarId, poolHandle };
      if (r.t !== PEID) r.unexpected(p, "a PE Identifier");
      l = r.l;
      const poolElementId = readPeIdentifier(r, p, l);
      r.end(after(p, l), end);
      return { type: "endpoint-keep-alive", home, registrarId, poolHandle, poolElementId };
    }
    case 0x0a: {
      fixedPart(r, end, r.idLen);
      const registrarId = r.id(4);
      const transports: TransportParameter[] = [];
      let p = r.next(4 + r.idLen, end);
      while (p >= 0) {
        if (!isTransport(r.t)) r.unexpected(p, "a transport parameter");
        const l = r.l;
        transports.push(readTransport(r, p, r.t, l));
        p = r.next(after(p, l), end);
      }
      return { type: "server-announce", registrarId, transports };
    }
    case 0x0b:
    case 0x0c: {
      const p = r.expect(4, end, ParameterType.Cookie);
      const l = r.l;
      const cookie = readCookie(r, p, l);
      r.end(after(p, l), end);
      return { type: type === 0x0b ? "cookie" : "cookie-echo", cookie };
    }
    default: {
      const p = r.expect(4, end, OPERR);
      const l = r.l;
      const error = readOperationError(r, p, l);
      r.end(after(p, l), end);
      return { type: "asap-error", error };
    }
  }
}

/** Validates a flag value and returns it. */
function flag(w: Writer, v: unknown, name: string): boolean {
  if (typeof v !== "boolean") throw w.type(`flag ${name} must be a boolean`);
  return v;
}

/** Writes the common header (Length backfilled by the caller) and returns nothing. */
function header(w: Writer, type: number, flags: number): void {
  w.ensure(16);
  const b = w.buf;
  b[0] = type;
  b[1] = w.wide ? flags | 0x80 : flags;
  b[2] = 0;
  b[3] = 0;
  w.pos = 4;
}

/** Writes a whole ASAP message (header with Length 0; the caller backfills it). */
export function writeAsap(w: Writer, m: AsapMessage): void {
  switch (m.type) {
    case "registration":
      w.name = "ASAP Registration";
      header(w, 0x01, 0);
      writePoolHandle(w, m.poolHandle);
      writePoolElement(w, m.poolElement);
      return;
    case "deregistration":
      w.name = "ASAP Deregistration";
      header(w, 0x02, 0);
      writePoolHandle(w, m.poolHandle);
      writePeIdentifier(w, m.poolElementId);
      return;
    case "registration-response":
    case "deregistration-response": {
      const reg = m.type === "registration-response";
      w.name = reg ? "ASAP Registration Response" : "ASAP Deregistration Response";
      header(w, reg ? 0x03 : 0x04, flag(w, m.reject, "reject") ? 0x01 : 0);
      writePoolHandle(w, m.poolHandle);
      writePeIdentifier(w, m.poolElementId);
      if (m.error !== undefined) writeOperationError(w, m.error);
      return;
    }
    case "handle-resolution":
      w.name = "ASAP Handle Resolution";
      header(w, 0x05, 0);
      writePoolHandle(w, m.poolHandle);
      if (m.items !== undefined) writeHrOption(w, m.items);
      return;
    case "handle-resolution-response":
    case "business-card": {
      const hr = m.type === "handle-resolution-response";
      w.name = hr ? "ASAP Handle Resolution Response" : "ASAP Business Card";
      header(w, hr ? 0x06 : 0x0d, 0);
      writePoolHandle(w, m.poolHandle);
      if (m.policy !== undefined) writePolicy(w, m.policy, "policy");
      const pes = m.poolElements;
      if (!Array.isArray(pes)) throw w.type("poolElements must be an array");
      for (let i = 0; i < pes.length; i++) writePoolElement(w, pes[i]!);
      if (hr && m.error !== undefined) writeOperationError(w, m.error);
      return;
    }
    case "endpoint-keep-alive":
      w.name = "ASAP Endpoint Keep-Alive";
      header(w, 0x07, flag(w, m.home, "home") ? 0x01 : 0);
      w.id(m.registrarId, "registrar identifier");
      writePoolHandle(w, m.poolHandle);
      if (m.poolElementId !== undefined) writePeIdentifier(w, m.poolElementId);
      return;
    case "endpoint-keep-alive-ack":
      w.name = "ASAP Endpoint Keep-Alive Ack";
      header(w, 0x08, 0);
      writePoolHandle(w, m.poolHandle);
      writePeIdentifier(w, m.poolElementId);
      return;
    case "endpoint-unreachable":
      w.name = "ASAP Endpoint Unreachable";
      header(w, 0x09, 0);
      writePoolHandle(w, m.poolHandle);
      writePeIdentifier(w, m.poolElementId);
      return;
    case "server-announce": {
      w.name = "ASAP Server Announce";
      header(w, 0x0a, 0);
      w.id(m.registrarId, "registrar identifier");
      const ts = m.transports;
      if (!Array.isArray(ts)) throw w.type("transports must be an array");
      for (let i = 0; i < ts.length; i++) writeTransport(w, ts[i]!, "transport");
      return;
    }
    case "cookie":
    case "cookie-echo":
      w.name = m.type === "cookie" ? "ASAP Cookie" : "ASAP Cookie Echo";
      header(w, m.type === "cookie" ? 0x0b : 0x0c, 0);
      writeCookie(w, m.cookie);
      return;
    case "asap-error":
      w.name = "ASAP Error";
      header(w, 0x0e, 0);
      writeOperationError(w, m.error);
      return;
    default:
      w.name = "ASAP message";
      throw w.type(`unknown ASAP message type "${String((m as { type: unknown }).type)}"`);
  }
}
