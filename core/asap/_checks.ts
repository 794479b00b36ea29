// Option checks and small helpers shared by the pool element and the pool user.

import type { AsapMessage } from "../wire/asap_message.ts";
import { asapPpid, type WireProfile } from "../wire/profile.ts";
import type { WireDecoder } from "../wire/wire_decoder.ts";

const UTF8 = new TextEncoder();

/** A pool handle from bytes or text (UTF-8), 1..65000 bytes; a copy. */
export function checkPoolHandle(role: string, value: Uint8Array | string): Uint8Array {
  const bytes = typeof value === "string"
    ? UTF8.encode(value)
    : value instanceof Uint8Array
    ? value.slice()
    : undefined;
  if (bytes === undefined) {
    throw new TypeError(`Cannot create ${role}: the pool handle must be a Uint8Array or a string`);
  }
  if (bytes.length === 0 || bytes.length > 65000) {
    throw new RangeError(
      `Cannot create ${role}: pool handle length ${bytes.length} is not in 1..65000`,
    );
  }
  return bytes;
}

/** A time or count option: a finite number of at least `min`. */
export function checkTime(role: string, option: string, v: number, min: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min) {
    throw new RangeError(
      `Cannot create ${role}: ${option} ${v} is not a number of at least ${min}`,
    );
  }
  return v;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A Map key for a pool handle (one char per byte). */
export function handleKey(handle: Uint8Array): string {
  let s = "";
  for (let i = 0; i < handle.length; i++) s += String.fromCharCode(handle[i]!);
  return s;
}

/**
 * An ASAP message a role received: decoded, or the detail of the protocol error it is (a PPID of
 * another protocol or profile, a truncated or malformed message).
 */
export function receivedAsap(
  decoder: WireDecoder,
  profile: WireProfile,
  ppid: number,
  payload: Uint8Array,
): AsapMessage | string {
  if (ppid !== asapPpid(profile)) {
    return `PPID ${ppid} is not ASAP of the ${profile.toUpperCase()} profile`;
  }
  const r = decoder.decodeAsap(payload);
  if (r.kind === "ok") return r.message;
  return r.kind === "malformed" ? r.detail : "Cannot decode ASAP message: it is truncated";
}
