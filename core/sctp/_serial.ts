// Serial number arithmetic (RFC 1982) for 32-bit TSNs and 16-bit SSNs.

/** `a - b` as a signed 32-bit distance: negative when `a` comes before `b`. */
export function tsnDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** `a` comes strictly before `b`. */
export function tsnLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** `a` comes before or equals `b`. */
export function tsnLte(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/** `a + n` modulo 2^32. */
export function tsnAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** `a - b` as a signed 16-bit distance. */
export function ssnDiff(a: number, b: number): number {
  return ((a - b) << 16) >> 16;
}
