// The variable-length parameters of INIT and INIT-ACK (RFC 9260 section 3.3.2): addresses, the
// state cookie, supported address types, and the handling of unknown parameters by their two
// high bits (RFC 9260 section 3.2.1).

import { formatAddress, parseAddress } from "./_address.ts";

/** Parameter types. */
export const ParamType = {
  HeartbeatInfo: 1,
  Ipv4Address: 5,
  Ipv6Address: 6,
  StateCookie: 7,
  UnrecognizedParameter: 8,
  CookiePreservative: 9,
  HostNameAddress: 11,
  SupportedAddressTypes: 12,
} as const;

/** What the parameters of an INIT or INIT-ACK say. */
export interface InitParameters {
  /** Addresses listed (canonical text). */
  readonly addresses: string[];
  /** The state cookie (INIT-ACK). */
  cookie: Uint8Array | undefined;
  /** A Host Name Address parameter was present (unsupported: answered with an ABORT). */
  hostName: boolean;
  /** The address families the sender accepts (5 = IPv4, 6 = IPv6), when it said so. */
  supportedAddressTypes: number[] | undefined;
  /** Unknown parameters to report, whole (type, length, value, unpadded). */
  readonly unrecognized: Uint8Array[];
  /** A parameter length was invalid; parsing stopped there. */
  malformed: boolean;
}

/** Parses INIT or INIT-ACK parameters. Never throws. */
export function decodeInitParameters(bytes: Uint8Array, initAck: boolean): InitParameters {
  const out: InitParameters = {
    addresses: [],
    cookie: undefined,
    hostName: false,
    supportedAddressTypes: undefined,
    unrecognized: [],
    malformed: false,
  };
  let at = 0;
  while (at + 4 <= bytes.length) {
    const type = (bytes[at]! << 8) | bytes[at + 1]!;
    const len = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (len < 4 || at + len > bytes.length) {
      out.malformed = true;
      return out;
    }
    const value = bytes.subarray(at + 4, at + len);
    switch (type) {
      case ParamType.Ipv4Address:
      case ParamType.Ipv6Address:
        if (value.length !== (type === ParamType.Ipv4Address ? 4 : 16)) {
          out.malformed = true;
          return out;
        }
        out.addresses.push(formatAddress(value));
        break;
      case ParamType.StateCookie:
        if (initAck) out.cookie = value;
        break;
      case ParamType.HostNameAddress:
        out.hostName = true;
        break;
      case ParamType.SupportedAddressTypes: {
        const types: number[] = [];
        for (let i = 0; i + 1 < value.length; i += 2) types.push((value[i]! << 8) | value[i + 1]!);
        out.supportedAddressTypes = types;
        break;
      }
      case ParamType.CookiePreservative:
      case ParamType.UnrecognizedParameter:
        break;
      default: {
        const bits = type >>> 14;
        if (bits === 1 || bits === 3) out.unrecognized.push(bytes.subarray(at, at + len));
        if (bits < 2) return out; // 00, 01: stop processing the parameters of this chunk
      }
    }
    at += (len + 3) & ~3;
  }
  if (at < bytes.length) out.malformed = true;
  return out;
}

/** What to put in the parameters of an INIT or INIT-ACK. */
export interface InitParametersToSend {
  /** Our addresses to list (none when we have one address: the peer uses the source address). */
  readonly addresses: readonly string[];
  /** The state cookie (INIT-ACK only). */
  readonly cookie?: Uint8Array;
  /** Unknown parameters of the peer's INIT to report (INIT-ACK only). */
  readonly unrecognized?: readonly Uint8Array[];
  /** Announce the address families we accept (INIT only). */
  readonly supportedAddressTypes?: readonly number[];
}

/** Encodes INIT or INIT-ACK parameters. */
export function encodeInitParameters(p: InitParametersToSend): Uint8Array {
  const parts: [number, Uint8Array][] = [];
  if (p.cookie !== undefined) parts.push([ParamType.StateCookie, p.cookie]);
  for (const a of p.addresses) {
    const b = parseAddress(a);
    if (b === undefined) throw new RangeError(`Invalid address: "${a}" is not IPv4 or IPv6`);
    parts.push([b.length === 4 ? ParamType.Ipv4Address : ParamType.Ipv6Address, b]);
  }
  for (const u of p.unrecognized ?? []) parts.push([ParamType.UnrecognizedParameter, u]);
  if (p.supportedAddressTypes !== undefined) {
    const v = new Uint8Array(p.supportedAddressTypes.length * 2);
    p.supportedAddressTypes.forEach((t, i) => {
      v[2 * i] = t >>> 8;
      v[2 * i + 1] = t & 0xff;
    });
    parts.push([ParamType.SupportedAddressTypes, v]);
  }
  let size = 0;
  for (const [, v] of parts) size += (4 + v.length + 3) & ~3;
  const out = new Uint8Array(size);
  let at = 0;
  for (const [type, v] of parts) {
    const len = 4 + v.length;
    out[at] = type >>> 8;
    out[at + 1] = type & 0xff;
    out[at + 2] = len >>> 8;
    out[at + 3] = len & 0xff;
    out.set(v, at + 4);
    at += (len + 3) & ~3;
  }
  return out;
}
