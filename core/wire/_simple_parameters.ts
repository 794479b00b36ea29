// Internal codec of the single-value parameters: Pool Handle, PE Identifier,
// Cookie, PE Checksum and the Handle Resolution option.

import type { Reader } from "./_reader.ts";
import { checkBytes, checkU16, checkU32, type Writer } from "./_writer.ts";
import { ParameterType } from "./parameter_type.ts";

/** Reads a Pool Handle parameter at `p` with Length `l` (a copy of its bytes). */
export function readPoolHandle(r: Reader, p: number, l: number): Uint8Array {
  if (l === 4) r.fail("invalid-value", p, `the pool handle at offset ${p} is empty`, p, p + 4);
  return r.copy(p + 4, p + l);
}

/** Writes a Pool Handle parameter. */
export function writePoolHandle(w: Writer, ph: Uint8Array): void {
  checkBytes(w, ph, "pool handle");
  if (ph.length === 0) throw w.range("the pool handle is empty");
  const start = w.begin(ParameterType.PoolHandle);
  w.ensure(ph.length);
  w.bytes(ph);
  w.finish(start);
}

/** Reads a PE Identifier parameter at `p` with Length `l`. */
export function readPeIdentifier(r: Reader, p: number, l: number): bigint {
  if (l !== 4 + r.idLen) {
    r.fail(
      "bad-length",
      p,
      `PE Identifier length ${l} at offset ${p} is not ${4 + r.idLen} (${
        r.wide ? "NG" : "RFC"
      } profile)`,
      p,
      p + l,
    );
  }
  return r.id(p + 4);
}

/** Writes a PE Identifier parameter. */
export function writePeIdentifier(w: Writer, id: bigint): void {
  const start = w.begin(ParameterType.PeIdentifier);
  w.ensure(8);
  w.id(id, "PE identifier");
  w.finish(start);
}

/** Reads a Cookie parameter at `p` with Length `l` (a copy of its bytes). */
export function readCookie(r: Reader, p: number, l: number): Uint8Array {
  if (l === 4) r.fail("invalid-value", p, `the cookie at offset ${p} is empty`, p, p + 4);
  return r.copy(p + 4, p + l);
}

/** Writes a Cookie parameter. */
export function writeCookie(w: Writer, cookie: Uint8Array): void {
  checkBytes(w, cookie, "cookie");
  if (cookie.length === 0) throw w.range("the cookie is empty");
  const start = w.begin(ParameterType.Cookie);
  w.ensure(cookie.length);
  w.bytes(cookie);
  w.finish(start);
}

/** Reads a PE Checksum parameter (u16 in the RFC profile, u32 in NG). */
export function readChecksum(r: Reader, p: number, l: number): number {
  const want = r.wide ? 8 : 6;
  if (l !== want) {
    r.fail(
      "bad-length",
      p,
      `PE Checksum length ${l} at offset ${p} is not ${want} (${r.wide ? "NG" : "RFC"} profile)`,
      p,
      p + l,
    );
  }
  return r.wide ? r.u32(p + 4) : r.u16(p + 4);
}

/** Writes a PE Checksum parameter. */
export function writeChecksum(w: Writer, checksum: number): void {
  if (w.wide) checkU32(w, checksum, "checksum");
  else checkU16(w, checksum, "checksum (Internet-16, RFC profile)");
  const start = w.begin(ParameterType.PeChecksum);
  w.ensure(4);
  if (w.wide) w.u32(checksum);
  else w.u16(checksum);
  w.finish(start);
}

/** Reads a Handle Resolution option parameter: the number of items. */
export function readHrOption(r: Reader, p: number, l: number): number {
  if (l !== 8) {
    r.fail("bad-length", p, `Handle Resolution Option length ${l} is not 8`, p, p + l);
  }
  return r.u32(p + 4);
}

/** Writes a Handle Resolution option parameter. */
export function writeHrOption(w: Writer, items: number): void {
  checkU32(w, items, "handle resolution items");
  const start = w.begin(ParameterType.HandleResolutionOption);
  w.ensure(4);
  w.u32(items);
  w.finish(start);
}
