// Internal codec of the transport parameters (SCTP, TCP, UDP, UDP-Lite, DCCP)
// and the address parameters inside them.

import { formatIpv4At, formatIpv6At, isIpv4Mapped, parseIpv4Into, parseIpv6Into } from "./_ip.ts";
import { after, type Reader } from "./_reader.ts";
import { checkU16, checkU32, type Writer } from "./_writer.ts";
import { ParameterType } from "./parameter_type.ts";
import type { TransportParameter, TransportProtocol } from "./transport_parameter.ts";

const PROTOCOL_OF: readonly (TransportProtocol | undefined)[] = [
  undefined,
  undefined,
  undefined,
  "dccp",
  "sctp",
  "tcp",
  "udp",
  "udp-lite",
];

const CODE_OF: Readonly<Record<string, number>> = {
  dccp: ParameterType.DccpTransport,
  sctp: ParameterType.SctpTransport,
  tcp: ParameterType.TcpTransport,
  udp: ParameterType.UdpTransport,
  "udp-lite": ParameterType.UdpLiteTransport,
};

const NAME_OF: Readonly<Record<string, string>> = {
  dccp: "DCCP",
  sctp: "SCTP",
  tcp: "TCP",
  udp: "UDP",
  "udp-lite": "UDP-Lite",
};

/** Is `t` a transport parameter type (0x0003..0x0007)? */
export function isTransport(t: number): boolean {
  return t >= ParameterType.DccpTransport && t <= ParameterType.UdpLiteTransport;
}

/** Reads a transport parameter of type `t` at `p` with Length `l`. */
export function readTransport(r: Reader, p: number, t: number, l: number): TransportParameter {
  const protocol = PROTOCOL_OF[t]!;
  const fixed = t === ParameterType.DccpTransport ? 8 : 4;
  const vs = p + 4, ve = p + l;
  if (l - 4 < fixed) {
    r.fail(
      "bad-length",
      p,
      `${NAME_OF[protocol]} Transport length ${l} at offset ${p} is shorter than its ${
        4 + fixed
      }-byte fixed part`,
      p,
      ve,
    );
  }
  const port = r.u16(vs);
  const use = r.u16(vs + 2);
  let transportUse: "data" | "data+control" = "data";
  if (t === ParameterType.SctpTransport || t === ParameterType.TcpTransport) {
    if (use > 1) {
      r.fail(
        "invalid-value",
        vs + 2,
        `transport use ${use} at offset ${vs + 2} is neither 0 (data) nor 1 (data plus control)`,
        p,
        ve,
      );
    }
    if (use === 1) transportUse = "data+control";
  }
  const addresses: string[] = [];
  const b = r.b;
  let q = r.next(vs + fixed, ve);
  while (q >= 0) {
    const at = r.t, al = r.l;
    if (at === ParameterType.Ipv4Address) {
      if (al !== 8) {
        r.fail("bad-length", q, `IPv4 Address length ${al} at offset ${q} is not 8`, q, q + al);
      }
      addresses.push(formatIpv4At(b, q + 4));
    } else if (at === ParameterType.Ipv6Address) {
      if (al !== 20) {
        r.fail("bad-length", q, `IPv6 Address length ${al} at offset ${q} is not 20`, q, q + al);
      }
      addresses.push(formatIpv6At(b, q + 4));
    } else r.unexpected(q, "an address parameter");
    q = r.next(after(q, al), ve);
  }
  const n = addresses.length;
  if (t === ParameterType.SctpTransport ? n === 0 : n !== 1) {
    r.fail(
      "invalid-value",
      p,
      `${NAME_OF[protocol]} Transport at offset ${p} carries ${n} addresses (${
        t === ParameterType.SctpTransport ? "at least 1" : "exactly 1"
      } required)`,
      p,
      ve,
    );
  }
  if (t === ParameterType.DccpTransport) {
    return { protocol, port, transportUse, addresses, dccpServiceCode: r.u32(vs + 4) };
  }
  return { protocol, port, transportUse, addresses };
}

/** Writes one address parameter (IPv4, or IPv6; IPv4-mapped IPv6 is written as IPv4). */
function writeAddress(w: Writer, text: unknown, what: string): void {
  if (typeof text !== "string") throw w.type(`${what} address must be a string`);
  w.ensure(20);
  const b = w.buf, p = w.pos;
  if (parseIpv4Into(text, b, p + 4)) {
    b[p] = 0;
    b[p + 1] = ParameterType.Ipv4Address;
    b[p + 2] = 0;
    b[p + 3] = 8;
    w.pos = p + 8;
    return;
  }
  if (!parseIpv6Into(text, b, p + 4)) {
    throw w.type(`${what} address "${text}" is not an IPv4 or IPv6 address`);
  }
  if (isIpv4Mapped(b, p + 4)) {
    b.copyWithin(p + 4, p + 16, p + 20);
    b[p] = 0;
    b[p + 1] = ParameterType.Ipv4Address;
    b[p + 2] = 0;
    b[p + 3] = 8;
    w.pos = p + 8;
    return;
  }
  b[p] = 0;
  b[p + 1] = ParameterType.Ipv6Address;
  b[p + 2] = 0;
  b[p + 3] = 20;
  w.pos = p + 20;
}

/** Writes a transport parameter; validates protocol, port, use and the address count. */
export function writeTransport(w: Writer, t: TransportParameter, what: string): void {
  if (t === null || typeof t !== "object") throw w.type(`${what} must be a transport object`);
  const code = CODE_OF[t.protocol];
  if (code === undefined) throw w.type(`${what} protocol "${String(t.protocol)}" is unknown`);
  checkU16(w, t.port, `${what} port`);
  const addresses = t.addresses;
  if (!Array.isArray(addresses)) throw w.type(`${what} addresses must be an array`);
  const n = addresses.length;
  if (code === ParameterType.SctpTransport ? n === 0 : n !== 1) {
    throw w.range(
      `a ${NAME_OF[t.protocol]} ${what} carries ${
        code === ParameterType.SctpTransport ? "at least one address" : "exactly one address"
      }, got ${n}`,
    );
  }
  let use = 0;
  if (t.transportUse === "data+control") {
    if (code !== ParameterType.SctpTransport && code !== ParameterType.TcpTransport) {
      throw w.range(`${what}: transport use "data+control" is defined for SCTP and TCP only`);
    }
    use = 1;
  } else if (t.transportUse !== "data") {
    throw w.type(
      `${what} transport use "${String(t.transportUse)}" is not "data" or "data+control"`,
    );
  }
  const start = w.begin(code);
  w.ensure(8);
  w.u16(t.port);
  w.u16(use);
  if (code === ParameterType.DccpTransport) {
    const sc = t.dccpServiceCode ?? 0;
    checkU32(w, sc, `${what} DCCP service code`);
    w.u32(sc);
  } else if (t.dccpServiceCode !== undefined) {
    throw w.type(`${what}: a DCCP service code is only defined for DCCP`);
  }
  for (let i = 0; i < n; i++) writeAddress(w, addresses[i], what);
  w.finish(start);
}
