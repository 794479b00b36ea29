// Argument checks shared by the checksum modules (misuse of the API throws TypeError/RangeError).

/** Longest pool handle a per-PE partial sum accepts (see MAX_POOL_HANDLE_LENGTH). */
const MAX_HANDLE = 65531;

/** Checks a PE identifier's type and range; `what` is "a 32-bit" or "a 64-bit". */
export function checkId(id: bigint, max: bigint, what: string): void {
  if (typeof id !== "bigint") {
    throw new TypeError(`Cannot sum the PE identifier ${String(id)}: it is not a bigint`);
  }
  if (id < 0n || id > max) {
    throw new RangeError(`Cannot sum the PE identifier ${id}: it is not ${what} unsigned integer`);
  }
}

/**
 * Checks that `bytes` is a Uint8Array and [offset, offset + length) lies inside it; returns the
 * length (default: to the end of `bytes`).
 */
export function checkRange(bytes: Uint8Array, offset: number, length: number | undefined): number {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("Cannot compute the checksum: the bytes are not a Uint8Array");
  }
  if (length === undefined) length = bytes.length - offset;
  if (
    !Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 ||
    offset + length > bytes.length
  ) {
    throw new RangeError(
      `Cannot compute the checksum: range offset ${offset}, length ${length} is outside the ${bytes.length}-byte buffer`,
    );
  }
  return length;
}

/** Checks a pool handle for a per-PE partial sum. */
export function checkPoolHandle(poolHandle: Uint8Array): void {
  if (!(poolHandle instanceof Uint8Array)) {
    throw new TypeError("Cannot compute the per-PE checksum: the pool handle is not a Uint8Array");
  }
  if (poolHandle.length > MAX_HANDLE) {
    throw new RangeError(
      `Cannot compute the per-PE checksum: pool handle of ${poolHandle.length} bytes is longer than ${MAX_HANDLE} bytes`,
    );
  }
}

/** Checks an identifier column for sumIds16/sumIds32. */
export function checkIds(ids: Uint32Array): void {
  if (!(ids instanceof Uint32Array)) {
    throw new TypeError("Cannot sum PE identifiers: they are not a Uint32Array");
  }
}
