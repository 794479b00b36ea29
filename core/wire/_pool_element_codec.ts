// Internal codec of the Pool Element and Server Information parameters.

import { after, type Reader } from "./_reader.ts";
import { checkU32, type Writer } from "./_writer.ts";
import { readPolicy, writePolicy } from "./_policy_codec.ts";
import { isTransport, readTransport, writeTransport } from "./_transport_codec.ts";
import { ParameterType } from "./parameter_type.ts";
import type { PoolElementParameter, ServerInformationParameter } from "./pool_element_parameter.ts";

/** Reads a Pool Element parameter at `p` with Length `l`. */
export function readPoolElement(r: Reader, p: number, l: number): PoolElementParameter {
  const idLen = r.idLen;
  const vs = p + 4, ve = p + l;
  const fixed = 2 * idLen + 4;
  if (l - 4 < fixed) {
    r.fail(
      "bad-length",
      p,
      `Pool Element length ${l} at offset ${p} is shorter than its ${4 + fixed}-byte fixed part`,
      p,
      ve,
    );
  }
  const id = r.id(vs);
  const homeRegistrarId = r.id(vs + idLen);
  const registrationLife = r.u32(vs + 2 * idLen);
  let q = r.next(vs + fixed, ve);
  if (q < 0) {
    r.fail("missing-parameter", p, `the Pool Element at offset ${p} has no user transport`, p, ve);
  }
  if (!isTransport(r.t)) r.unexpected(q, "a user transport parameter");
  let ql = r.l;
  const userTransport = readTransport(r, q, r.t, ql);
  q = r.expect(after(q, ql), ve, ParameterType.PoolMemberSelectionPolicy);
  ql = r.l;
  const policy = readPolicy(r, q, ql);
  q = r.next(after(q, ql), ve);
  if (q < 0) return { id, homeRegistrarId, registrationLife, userTransport, policy };
  if (!isTransport(r.t)) r.unexpected(q, "an ASAP transport parameter");
  ql = r.l;
  const asapTransport = readTransport(r, q, r.t, ql);
  r.end(after(q, ql), ve);
  return { id, homeRegistrarId, registrationLife, userTransport, policy, asapTransport };
}

/** Writes a Pool Element parameter. */
export function writePoolElement(w: Writer, pe: PoolElementParameter): void {
  if (pe === null || typeof pe !== "object") throw w.type("the pool element must be an object");
  const start = w.begin(ParameterType.PoolElement);
  w.ensure(20);
  w.id(pe.id, "PE identifier");
  w.id(pe.homeRegistrarId, "home registrar identifier");
  checkU32(w, pe.registrationLife, "registration life");
  w.u32(pe.registrationLife);
  writeTransport(w, pe.userTransport, "user transport");
  writePolicy(w, pe.policy, "policy");
  if (pe.asapTransport !== undefined) writeTransport(w, pe.asapTransport, "ASAP transport");
  w.finish(start);
}

/** Reads a Server Information parameter at `p` with Length `l`. */
export function readServerInformation(
  r: Reader,
  p: number,
  l: number,
): ServerInformationParameter {
  const vs = p + 4, ve = p + l;
  if (l - 4 < r.idLen) {
    r.fail(
      "bad-length",
      p,
      `Server Information length ${l} at offset ${p} is shorter than ${4 + r.idLen}`,
      p,
      ve,
    );
  }
  const registrarId = r.id(vs);
  const q = r.next(vs + r.idLen, ve);
  if (q < 0) {
    r.fail("missing-parameter", p, `the Server Information at offset ${p} has no transport`, p, ve);
  }
  if (!isTransport(r.t)) r.unexpected(q, "a transport parameter");
  const ql = r.l;
  const transport = readTransport(r, q, r.t, ql);
  r.end(after(q, ql), ve);
  return { registrarId, transport };
}

/** Writes a Server Information parameter. */
export function writeServerInformation(w: Writer, info: ServerInformationParameter): void {
  if (info === null || typeof info !== "object") {
    throw w.type("the server information must be an object");
  }
  const start = w.begin(ParameterType.ServerInformation);
  w.ensure(8);
  w.id(info.registrarId, "server information registrar identifier");
  writeTransport(w, info.transport, "server transport");
  w.finish(start);
}
