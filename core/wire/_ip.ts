// Internal IP address helpers of the wire codec: allocation-free formatting
// and parsing at offsets. The public API is ip_address.ts.

const DEC: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/**
 * Formats 4 bytes as a dotted quad.
 *
 * @param b The bytes.
 * @param o Offset of the first address byte.
 * @returns The dotted quad.
 */
export function formatIpv4At(b: Uint8Array, o: number): string {
  return DEC[b[o]!]! + "." + DEC[b[o + 1]!]! + "." + DEC[b[o + 2]!]! + "." + DEC[b[o + 3]!]!;
}

/**
 * Formats 16 bytes as canonical IPv6 text; an IPv4-mapped address gives its
 * dotted quad.
 *
 * @param b The bytes.
 * @param o Offset of the first address byte.
 * @returns Canonical text.
 */
export function formatIpv6At(b: Uint8Array, o: number): string {
  // IPv4-mapped (::ffff:a.b.c.d) is carried as IPv4.
  let zeros10 = true;
  for (let i = 0; i < 10; i++) {
    if (b[o + i] !== 0) {
      zeros10 = false;
      break;
    }
  }
  if (zeros10 && b[o + 10] === 0xff && b[o + 11] === 0xff) return formatIpv4At(b, o + 12);
  // Longest run of zero groups (length >= 2), first one on a tie.
  let bestStart = -1, bestLen = 1, runStart = -1;
  for (let g = 0; g < 8; g++) {
    const zero = b[o + 2 * g] === 0 && b[o + 2 * g + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = g;
      const len = g - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else runStart = -1;
  }
  let s = "";
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      s += "::";
      g += bestLen - 1;
      continue;
    }
    if (s !== "" && !s.endsWith(":")) s += ":";
    s += ((b[o + 2 * g]! << 8) | b[o + 2 * g + 1]!).toString(16);
  }
  return s;
}

/**
 * Parses IPv4 dotted-quad text into 4 bytes at an offset.
 * Returns false (writing nothing useful) if the text is not a strict dotted
 * quad: four decimal octets 0..255 without leading zeros.
 *
 * @param text The text.
 * @param out Where to write.
 * @param o Offset in `out`.
 * @returns Whether the text was a valid dotted quad.
 */
export function parseIpv4Into(text: string, out: Uint8Array, o: number): boolean {
  const n = text.length;
  if (n < 7 || n > 15) return false;
  let part = 0, value = 0, digits = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part === 3) return false;
      out[o + part] = value;
      part++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return false; // leading zero
      value = value * 10 + (c - 48);
      if (value > 255) return false;
      digits++;
    } else return false;
  }
  if (part !== 3 || digits === 0) return false;
  out[o + 3] = value;
  return true;
}

/**
 * Parses IPv6 text (any RFC 4291 text form, including an embedded dotted quad;
 * no zone index) into 16 bytes at an offset.
 *
 * @param text The text.
 * @param out Where to write.
 * @param o Offset in `out`.
 * @returns Whether the text was a valid IPv6 address.
 */
export function parseIpv6Into(text: string, out: Uint8Array, o: number): boolean {
  const n = text.length;
  if (n < 2 || n > 45) return false;
  const groups: number[] = [];
  let gap = -1; // index in groups where "::" sits
  let i = 0;
  if (text.startsWith("::")) {
    gap = 0;
    i = 2;
    if (n === 2) {
      out.fill(0, o, o + 16);
      return true;
    }
  } else if (text.charCodeAt(0) === 58) return false;
  while (i < n) {
    // Read one group (hex) or a trailing dotted quad.
    let j = i, value = 0;
    while (j < n && j - i < 5) {
      const c = text.charCodeAt(j);
      const d = c >= 48 && c <= 57
        ? c - 48
        : c >= 97 && c <= 102
        ? c - 87
        : c >= 65 && c <= 70
        ? c - 55
        : -1;
      if (d < 0) break;
      value = value * 16 + d;
      j++;
    }
    if (j < n && text.charCodeAt(j) === 46) {
      // Embedded IPv4 in the last 32 bits.
      const quad = new Uint8Array(4);
      if (!parseIpv4Into(text.slice(i), quad, 0)) return false;
      groups.push((quad[0]! << 8) | quad[1]!, (quad[2]! << 8) | quad[3]!);
      i = n;
      break;
    }
    const len = j - i;
    if (len === 0 || len > 4) return false;
    groups.push(value);
    i = j;
    if (i === n) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < n && text.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = groups.length;
      i++;
      if (i === n) break;
    } else if (i === n) return false; // trailing single colon
  }
  if (groups.length > 8) return false;
  if (gap < 0) {
    if (groups.length !== 8) return false;
  } else if (groups.length > 7) return false;
  const fill = 8 - groups.length;
  let g = 0;
  for (let k = 0; k < 8; k++) {
    let v = 0;
    if (gap >= 0 && k >= gap && k < gap + fill) v = 0;
    else v = groups[g++]!;
    out[o + 2 * k] = v >> 8;
    out[o + 2 * k + 1] = v & 0xff;
  }
  return true;
}

/**
 * Whether 16 bytes at an offset hold an IPv4-mapped IPv6 address (`::ffff:0:0/96`).
 *
 * @param b The bytes.
 * @param o Offset of the first address byte.
 * @returns True for an IPv4-mapped address.
 */
export function isIpv4Mapped(b: Uint8Array, o: number): boolean {
  for (let i = 0; i < 10; i++) if (b[o + i] !== 0) return false;
  return b[o + 10] === 0xff && b[o + 11] === 0xff;
}
