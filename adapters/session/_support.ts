// Small helpers of the async session API: address parsing, a cryptographically seeded Rng, a
// typed listener registry, and a queue of received messages for async iteration.

import { type Rng, SeededRng } from "../../core/rng.ts";
import type { TransportAddress } from "../../core/role.ts";
import type { Runtime } from "../runtime.ts";

/** "host:port", "[v6]:port", or an address object → an address object. */
export function toAddress(value: TransportAddress | string, what: string): TransportAddress {
  if (typeof value !== "string") {
    if (value === null || typeof value !== "object" || typeof value.address !== "string") {
      throw new TypeError(`Invalid ${what}: expected "host:port" or { address, port }`);
    }
    checkPort(value.port, what, String(value.address));
    return value;
  }
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:]+):(\d+)$/.exec(value);
  if (m === null) throw new TypeError(`Invalid ${what} "${value}": expected "host:port"`);
  const port = Number(m[2]);
  checkPort(port, what, value);
  return { address: m[1] === "localhost" ? "127.0.0.1" : m[1]!, port };
}

function checkPort(port: number, what: string, text: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`Invalid ${what} "${text}": port ${port} is not in 1..65535`);
  }
}

/** A fast generator seeded from the runtime's cryptographic source. */
export function cryptoSeededRng(runtime: Runtime): Rng {
  const b = runtime.randomBytes(16);
  const v = new DataView(b.buffer, b.byteOffset, 16);
  return new SeededRng([v.getUint32(0), v.getUint32(4), v.getUint32(8), v.getUint32(12)]);
}

/** Listeners by event name; a listener that throws does not stop the others. */
export class Listeners<M> {
  readonly #map = new Map<keyof M, Set<(value: never) => void>>();

  on<K extends keyof M>(type: K, listener: (value: M[K]) => void): () => void {
    if (typeof listener !== "function") throw new TypeError("The listener must be a function");
    let set = this.#map.get(type);
    if (set === undefined) this.#map.set(type, set = new Set());
    set.add(listener as (value: never) => void);
    return () => set.delete(listener as (value: never) => void);
  }

  has(type: keyof M): boolean {
    return (this.#map.get(type)?.size ?? 0) > 0;
  }

  emit<K extends keyof M>(type: K, value: M[K]): void {
    for (const l of this.#map.get(type) ?? []) {
      try {
        (l as (value: M[K]) => void)(value);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}

/** Received messages for `receive()` and `for await`; ends when closed. */
export class Inbox<T> {
  #items: T[] = [];
  #head = 0;
  #waiters: ((value: T | undefined) => void)[] = [];
  #closed = false;

  push(item: T): void {
    if (this.#closed) return;
    const w = this.#waiters.shift();
    if (w !== undefined) w(item);
    else this.#items.push(item);
  }

  close(): void {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w(undefined);
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  receive(): Promise<T | undefined> {
    if (this.#head < this.#items.length) {
      const item = this.#items[this.#head++]!;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      return Promise.resolve(item);
    }
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async *iterate(): AsyncGenerator<T, void, undefined> {
    for (;;) {
      const item = await this.receive();
      if (item === undefined) return;
      yield item;
    }
  }
}

/** Delivers values in order in a later microtask (outside the driver's processing loop). */
export class Deferred<T> {
  readonly #deliver: (value: T) => void;
  #queue: T[] = [];
  #scheduled = false;

  constructor(deliver: (value: T) => void) {
    this.#deliver = deliver;
  }

  push(value: T): void {
    this.#queue.push(value);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      const q = this.#queue;
      this.#queue = [];
      for (const v of q) this.#deliver(v);
    });
  }
}
