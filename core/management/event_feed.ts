/**
 * The registrar's event feed: turns each event into an {@link EventRecord} with a sequence
 * number and a time, keeps the most recent records in a ring (for late subscribers and
 * `Last-Event-ID` resumption) and hands every new record to the subscribers (the server-sent
 * event streams of the management app). Sans-IO: the wall clock is injected, and keep-alive
 * pings are sent when the adapter calls {@link EventFeed.ping}.
 *
 * @module
 */

import { type EventRecord, eventRecord, type NamedEvent } from "./event_record.ts";

/** Something that receives the feed: a server-sent event stream, a logger, a test. */
export interface EventSubscriber {
  /**
   * A new record.
   *
   * @param record The record.
   */
  record(record: EventRecord): void;
  /** A keep-alive tick (streams send a comment so idle connections stay open). */
  ping(): void;
  /** The feed closed (the server shuts down); no call follows. */
  close(): void;
}

/** Options of an {@link EventFeed}. */
export interface EventFeedOptions {
  /** The registrar's identifier, stamped on every record. */
  readonly registrarId: bigint;
  /** Wall-clock time in ms since the epoch (records carry it as ISO text). */
  readonly wallClock: () => number;
  /** Records kept for late subscribers (default 512). */
  readonly capacity?: number;
  /**
   * Names this feed in event ids (`<epoch>-<seq>`), so a client resuming with the
   * `Last-Event-ID` of an earlier feed (a registrar that restarted) is told apart; default the
   * registrar identifier and the creation time in base 36.
   */
  readonly epoch?: string;
}

interface Slot {
  readonly seq: number;
  readonly time: number;
  readonly event: NamedEvent;
  record: EventRecord | undefined;
}

/** What {@link EventFeed.since} returns. */
export interface RecentRecords {
  /** The records after the given sequence number that are still in the ring, oldest first. */
  readonly records: EventRecord[];
  /** How many records after the given sequence number are no longer in the ring (0 = none lost). */
  readonly missed: number;
}

/**
 * The event feed of one registrar.
 *
 * @example Publish, replay and subscribe
 * ```ts
 * import { EventFeed } from "./event_feed.ts";
 * import type { EventRecord } from "./event_record.ts";
 * import assert from "node:assert/strict";
 * const feed = new EventFeed({ registrarId: 1n, wallClock: () => 0, capacity: 2 });
 * feed.publish({ type: "startup-phase-ended" });
 * const seen: EventRecord[] = [];
 * const unsubscribe = feed.subscribe({ record: (r) => seen.push(r), ping() {}, close() {} });
 * feed.publish({ type: "announce-sent", targets: 1 });
 * feed.publish({ type: "announce-sent", targets: 2 });
 * unsubscribe();
 * assert.deepEqual(seen.map((r) => r.seq), [2, 3]);
 * assert.deepEqual(feed.since(0), { records: feed.since(1).records, missed: 1 });
 * ```
 */
export class EventFeed {
  readonly #registrarId: bigint;
  readonly #wallClock: () => number;
  /** The kept events; records are built when first read (publishing stays cheap). */
  readonly #ring: (Slot | undefined)[];
  readonly #subscribers = new Set<EventSubscriber>();
  readonly #epoch: string;
  #seq = 0;
  #closed = false;

  /**
   * Creates a feed.
   *
   * @param options Registrar identifier, wall clock and ring capacity.
   * @throws {RangeError} If the capacity is not a positive integer.
   */
  constructor(options: EventFeedOptions) {
    const capacity = options.capacity ?? 512;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Invalid capacity: ${capacity} is not a positive integer`);
    }
    this.#registrarId = options.registrarId;
    this.#wallClock = options.wallClock;
    this.#ring = new Array(capacity).fill(undefined);
    this.#epoch = options.epoch ??
      `${options.registrarId.toString(36)}.${Math.floor(options.wallClock()).toString(36)}`;
    if (!/^[0-9A-Za-z._]+$/.test(this.#epoch)) {
      throw new TypeError(`Invalid epoch "${this.#epoch}": use letters, digits, "." and "_"`);
    }
  }

  /** The feed's name in event ids. */
  get epoch(): string {
    return this.#epoch;
  }

  /**
   * The event id of a record of this feed: `<epoch>-<seq>`.
   *
   * @param seq The record's sequence number.
   * @returns The id.
   */
  eventId(seq: number): string {
    return `${this.#epoch}-${seq}`;
  }

  /**
   * Where to resume for a client's `Last-Event-ID`: the sequence number when the id is one of
   * this feed's, else 0 (an id of another feed, e.g. before a restart: replay all kept).
   *
   * @param lastEventId The header's value.
   * @returns The sequence number to replay after.
   */
  resumeAfter(lastEventId: string): number {
    const dash = lastEventId.lastIndexOf("-");
    if (dash < 0 || lastEventId.slice(0, dash) !== this.#epoch) return 0;
    const seq = lastEventId.slice(dash + 1);
    return /^\d+$/.test(seq) ? Math.min(Number(seq), this.#seq) : 0;
  }

  /** The sequence number of the last record (0 before the first). */
  get lastSeq(): number {
    return this.#seq;
  }

  /** Subscribers now. */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /**
   * Records an event and hands its record to every subscriber. Cheap when nobody watches: the
   * record (text fields, message) is built only when a subscriber or a replay reads it, so
   * keep the event's values unchanged (the registrar's events are never changed).
   *
   * @param event A registrar event (or any event with a stable `type` name).
   * @returns Its sequence number.
   */
  publish(event: NamedEvent): number {
    const seq = ++this.#seq;
    const slot: Slot = { seq, time: this.#wallClock(), event, record: undefined };
    this.#ring[seq % this.#ring.length] = slot;
    if (this.#subscribers.size > 0) {
      const record = this.#record(slot);
      for (const s of [...this.#subscribers]) s.record(record);
    }
    return seq;
  }

  #record(slot: Slot): EventRecord {
    return slot.record ??= eventRecord(slot.event, {
      seq: slot.seq,
      time: slot.time,
      registrarId: this.#registrarId,
    });
  }

  /**
   * The records after a sequence number that the ring still holds.
   *
   * @param seq A sequence number (0 = from the start).
   * @returns The records, oldest first, and how many were lost.
   */
  since(seq: number): RecentRecords {
    const last = this.#seq;
    const first = Math.max(1, last - this.#ring.length + 1);
    const from = Math.max(first, Math.floor(seq) + 1);
    const records: EventRecord[] = [];
    for (let i = from; i <= last; i++) {
      records.push(this.#record(this.#ring[i % this.#ring.length]!));
    }
    const missed = seq >= last ? 0 : Math.max(0, first - Math.max(0, Math.floor(seq)) - 1);
    return { records, missed };
  }

  /**
   * Adds a subscriber for the records published from now on.
   *
   * @param subscriber The subscriber.
   * @returns A function that removes it.
   */
  subscribe(subscriber: EventSubscriber): () => void {
    if (this.#closed) {
      subscriber.close();
      return () => {};
    }
    this.#subscribers.add(subscriber);
    return () => void this.#subscribers.delete(subscriber);
  }

  /** Sends a keep-alive tick to every subscriber (the adapter calls this periodically). */
  ping(): void {
    for (const s of [...this.#subscribers]) s.ping();
  }

  /** Closes every subscriber; later subscribers are closed at once. */
  close(): void {
    this.#closed = true;
    const all = [...this.#subscribers];
    this.#subscribers.clear();
    for (const s of all) s.close();
  }
}
