// IP address text <-> bytes for the address parameters of INIT and INIT-ACK, and the canonical
// text the engine uses as a path's identity (dotted quad; RFC 5952 for IPv6; IPv4-mapped IPv6
// addresses become their dotted quad). Never throws on peer bytes.

/** Parses IPv4 or IPv6 text into 4 or 16 bytes, or `undefined` when it is neither. */
export function parseAddress(text: string): Uint8Array | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return v4;
  const v6 = parseV6(text);
  if (v6 === undefined) return undefined;
  if (isMapped(v6)) return v6.slice(12);
  return v6;
}

/** Canonical text of 4 or 16 address bytes. */
export function formatAddress(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (isMapped(b)) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  let bestAt = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(":");
  if (bestAt < 0) return hex(groups);
  return `${hex(groups.slice(0, bestAt))}::${hex(groups.slice(bestAt + bestLen))}`;
}

/** Canonical text of an address text, or `undefined` when it is not an address. */
export function canonicalAddressText(text: string): string | undefined {
  const b = parseAddress(text);
  return b === undefined ? undefined : formatAddress(b);
}

function isMapped(b: Uint8Array): boolean {
  if (b.length !== 16 || b[10] !== 0xff || b[11] !== 0xff) return false;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return true;
}

function parseV4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

function parseV6(text: string): Uint8Array | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  let tail4: Uint8Array | undefined;
  let body = text;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    tail4 = parseV4(text.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    body = text.slice(0, lastColon + 1) + "0:0";
  }
  const halves = body.split("::");
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === "") return [];
    const out: number[] = [];
    for (const g of s.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === undefined || rest === undefined) return undefined;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...rest];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[i * 2] = groups[i]! >>> 8;
    out[i * 2 + 1] = groups[i]! & 0xff;
  }
  if (tail4 !== undefined) out.set(tail4, 12);
  return out;
}
