// Internal codec of ENRP message bodies (RFC 5353): the two registrar
// identifiers every message starts with, the fixed fields of some messages and
// the parameter sequence of every message type. The common header is handled
// by _frame.ts (decoding) and wire_encoder.ts (encoding).

import { after, type Reader } from "./_reader.ts";
import { checkU16, type Writer } from "./_writer.ts";
import { readOperationError, writeOperationError } from "./_operation_error_codec.ts";
import {
  readPoolElement,
  readServerInformation,
  writePoolElement,
  writeServerInformation,
} from "./_pool_element_codec.ts";
import {
  readChecksum,
  readPoolHandle,
  writeChecksum,
  writePoolHandle,
} from "./_simple_parameters.ts";
import type { EnrpMessage, HandleTablePool, HandleUpdateAction } from "./enrp_message.ts";
import { ParameterType } from "./parameter_type.ts";
import type { PoolElementParameter, ServerInformationParameter } from "./pool_element_parameter.ts";

const PH = ParameterType.PoolHandle;
const PE = ParameterType.PoolElement;

/** ENRP message names by type code, for error texts. */
export const ENRP_NAMES: readonly string[] = [
  "",
  "Presence",
  "Handle Table Request",
  "Handle Table Response",
  "Handle Update",
  "List Request",
  "List Response",
  "Init Takeover",
  "Init Takeover Ack",
  "Takeover Server",
  "Error",
];

/** Largest ENRP message type code. */
export const ENRP_MAX_TYPE = 0x0a;

/** Reads the body of an ENRP message of a known `type` spanning [0, end). */
export function readEnrp(r: Reader, type: number, flags: number, end: number): EnrpMessage {
  const idLen = r.idLen;
  let fixed = 2 * idLen;
  if (type === 0x04) fixed += 4;
  else if (type >= 0x07 && type <= 0x09) fixed += idLen;
  if (end < 4 + fixed) {
    r.fail(
      "bad-length",
      2,
      `message length ${end} is shorter than its ${4 + fixed}-byte fixed part`,
      0,
      end,
    );
  }
  const senderId = r.id(4);
  const receiverId = r.id(4 + idLen);
  const body = 4 + 2 * idLen;
  switch (type) {
    case 0x01: {
      const replyRequired = (flags & 0x01) !== 0;
      let p = r.expect(body, end, ParameterType.PeChecksum);
      let l = r.l;
      const checksum = readChecksum(r, p, l);
      p = r.next(after(p, l), end);
      if (p < 0) return { type: "presence", replyRequired, senderId, receiverId, checksum };
      if (r.t !== ParameterType.ServerInformation) r.unexpected(p, "a Server Information");
      l = r.l;
      const serverInformation = readServerInformation(r, p, l);
      r.end(after(p, l), end);
      return { type: "presence", replyRequired, senderId, receiverId, checksum, serverInformation };
    }
    case 0x02:
      r.end(body, end);
      return {
        type: "handle-table-request",
        ownChildrenOnly: (flags & 0x01) !== 0,
        senderId,
        receiverId,
      };
    case 0x03: {
      const reject = (flags & 0x01) !== 0;
      const moreToSend = (flags & 0x02) !== 0;
      const pools: HandleTablePool[] = [];
      let p = r.next(body, end);
      while (p >= 0) {
        const t: number = r.t;
        if (t !== PH) r.unexpected(p, "a pool handle");
        let l = r.l;
        const poolHandle = readPoolHandle(r, p, l);
        const at = p;
        const poolElements: PoolElementParameter[] = [];
        p = r.next(after(p, l), end);
        while (p >= 0 && r.t === PE) {
          l = r.l;
          poolElements.push(readPoolElement(r, p, l));
          p = r.next(after(p, l), end);
        }
        if (poolElements.length === 0) {
          r.fail(
            "missing-parameter",
            at,
            `the pool handle at offset ${at} is not followed by a pool element`,
          );
        }
        pools.push({ poolHandle, poolElements });
      }
      return { type: "handle-table-response", reject, moreToSend, senderId, receiverId, pools };
    }
    case 0x04: {
      const takeoverSuggested = (flags & 0x01) !== 0;
      const code = r.u16(body);
      const action: HandleUpdateAction = code === 0 ? "add-pe" : code === 1 ? "del-pe" : code;
      let p = r.expect(body + 4, end, PH);
      let l = r.l;
      const poolHandle = readPoolHandle(r, p, l);
      p = r.expect(after(p, l), end, PE);
      l = r.l;
      const poolElement = readPoolElement(r, p, l);
      r.end(after(p, l), end);
      return {
        type: "handle-update",
        takeoverSuggested,
        senderId,
        receiverId,
        action,
        poolHandle,
        poolElement,
      };
    }
    case 0x05:
      r.end(body, end);
      return { type: "list-request", senderId, receiverId };
    case 0x06: {
      const reject = (flags & 0x01) !== 0;
      const servers: ServerInformationParameter[] = [];
      let p = r.next(body, end);
      while (p >= 0) {
        if (r.t !== ParameterType.ServerInformation) r.unexpected(p, "a Server Information");
        const l = r.l;
        servers.push(readServerInformation(r, p, l));
        p = r.next(after(p, l), end);
      }
      return { type: "list-response", reject, senderId, receiverId, servers };
    }
    case 0x07:
    case 0x08:
    case 0x09: {
      const targetId = r.id(body);
      r.end(body + idLen, end);
      return {
        type: type === 0x07
          ? "init-takeover"
          : type === 0x08
          ? "init-takeover-ack"
          : "takeover-server",
        senderId,
        receiverId,
        targetId,
      };
    }
    default: {
      const p = r.expect(body, end, ParameterType.OperationError);
      const l = r.l;
      const error = readOperationError(r, p, l);
      r.end(after(p, l), end);
      return { type: "enrp-error", senderId, receiverId, error };
    }
  }
}

/** Validates a flag value and returns it. */
function flag(w: Writer, v: unknown, name: string): boolean {
  if (typeof v !== "boolean") throw w.type(`flag ${name} must be a boolean`);
  return v;
}

/** Writes the common header and the two registrar identifiers. */
function header(w: Writer, m: EnrpMessage, type: number, flags: number): void {
  w.ensure(24);
  const b = w.buf;
  b[0] = type;
  b[1] = w.wide ? flags | 0x80 : flags;
  b[2] = 0;
  b[3] = 0;
  w.pos = 4;
  w.id(m.senderId, "sender identifier");
  w.id(m.receiverId, "receiver identifier");
}

/** Writes a whole ENRP message (header with Length 0; the caller backfills it). */
export function writeEnrp(w: Writer, m: EnrpMessage): void {
  switch (m.type) {
    case "presence":
      w.name = "ENRP Presence";
      header(w, m, 0x01, flag(w, m.replyRequired, "replyRequired") ? 0x01 : 0);
      writeChecksum(w, m.checksum);
      if (m.serverInformation !== undefined) writeServerInformation(w, m.serverInformation);
      return;
    case "handle-table-request":
      w.name = "ENRP Handle Table Request";
      header(w, m, 0x02, flag(w, m.ownChildrenOnly, "ownChildrenOnly") ? 0x01 : 0);
      return;
    case "handle-table-response": {
      w.name = "ENRP Handle Table Response";
      const flags = (flag(w, m.reject, "reject") ? 0x01 : 0) |
        (flag(w, m.moreToSend, "moreToSend") ? 0x02 : 0);
      header(w, m, 0x03, flags);
      const pools = m.pools;
      if (!Array.isArray(pools)) throw w.type("pools must be an array");
      for (let i = 0; i < pools.length; i++) {
        const pool = pools[i]!;
        if (pool === null || typeof pool !== "object" || !Array.isArray(pool.poolElements)) {
          throw w.type(`pool ${i} must be an object with a poolElements array`);
        }
        const pes = pool.poolElements;
        if (pes.length === 0) throw w.range(`pool ${i} has no pool element`);
        writePoolHandle(w, pool.poolHandle);
        for (let j = 0; j < pes.length; j++) writePoolElement(w, pes[j]!);
      }
      return;
    }
    case "handle-update": {
      w.name = "ENRP Handle Update";
      header(w, m, 0x04, flag(w, m.takeoverSuggested, "takeoverSuggested") ? 0x01 : 0);
      const a = m.action;
      let code: number;
      if (a === "add-pe") code = 0;
      else if (a === "del-pe") code = 1;
      else if (typeof a === "number") {
        checkU16(w, a, "update action");
        code = a;
      } else throw w.type(`update action "${String(a)}" is not "add-pe", "del-pe" or a u16`);
      w.ensure(4);
      w.u16(code);
      w.u16(0);
      writePoolHandle(w, m.poolHandle);
      writePoolElement(w, m.poolElement);
      return;
    }
    case "list-request":
      w.name = "ENRP List Request";
      header(w, m, 0x05, 0);
      return;
    case "list-response": {
      w.name = "ENRP List Response";
      header(w, m, 0x06, flag(w, m.reject, "reject") ? 0x01 : 0);
      const servers = m.servers;
      if (!Array.isArray(servers)) throw w.type("servers must be an array");
      for (let i = 0; i < servers.length; i++) writeServerInformation(w, servers[i]!);
      return;
    }
    case "init-takeover":
    case "init-takeover-ack":
    case "takeover-server": {
      const code = m.type === "init-takeover" ? 0x07 : m.type === "init-takeover-ack" ? 0x08 : 0x09;
      w.name = `ENRP ${ENRP_NAMES[code]}`;
      header(w, m, code, 0);
      w.ensure(8);
      w.id(m.targetId, "target identifier");
      return;
    }
    case "enrp-error":
      w.name = "ENRP Error";
      header(w, m, 0x0a, 0);
      writeOperationError(w, m.error);
      return;
    default:
      w.name = "ENRP message";
      throw w.type(`unknown ENRP message type "${String((m as { type: unknown }).type)}"`);
  }
}
