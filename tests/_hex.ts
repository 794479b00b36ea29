// Hex helpers for tests.

/** Bytes from hex text (whitespace ignored). */
export function unhex(text: string): Uint8Array {
  const h = text.replace(/\s+/g, "");
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new SyntaxError(`bad hex: ${text}`);
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Lower-case hex of bytes. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** ASCII bytes of a string. */
export function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
