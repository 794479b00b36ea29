/**
 * Measures how long a registrar takes to answer each Handle Resolution, for the
 * `rserpool_handle_resolution_duration_seconds` histogram.
 *
 * Why here and not in the core: the core has no clock (its `now` is one value per call), so a
 * duration can only be taken around the call, by the adapter. The wrapper times
 * `handleMessage` for ASAP messages of type Handle Resolution (0x05) with the runtime's
 * monotonic clock: decode, policy selection, encode and queueing of the response, which is
 * the registrar's whole share of a resolution's latency (the network's share is the
 * association's round-trip time).
 *
 * A clock read costs 100–150 ns under Deno on the VMs measured (60–80 ns under Node and Bun;
 * bench/README.md, "Management"), so two per resolution would add 15–20 % to a 1.4 µs
 * resolution. The timer therefore measures one resolution in {@link DEFAULT_SAMPLE_EVERY}
 * (8; about 2–3 % then): the histogram's buckets describe a uniform sample of the
 * resolutions and its `_count` counts the sample; `rserpool_handle_resolutions_total` counts
 * them all. `sampleEvery: 1` measures every one.
 *
 * @module
 */

import type {
  AssociationDown,
  AssociationId,
  AssociationInfo,
  Role,
  RoleAction,
  RttSample,
  SendFailure,
  TransportAddress,
} from "../../core/role.ts";
import type { Histogram } from "../../core/management/histogram.ts";

/** ASAP message type of a Handle Resolution (RFC 5352 §2.2). */
const HANDLE_RESOLUTION = 0x05;

/**
 * Handle resolutions per measured one, by default.
 *
 * @see bench/management_bench.ts for the cost of a clock read and of the timer.
 * @example One in eight
 * ```ts
 * import { DEFAULT_SAMPLE_EVERY } from "./resolution_timer.ts";
 * import assert from "node:assert/strict";
 * assert.equal(DEFAULT_SAMPLE_EVERY, 8);
 * ```
 */
export const DEFAULT_SAMPLE_EVERY = 8;

/** Options of a {@link ResolutionTimer}. */
export interface ResolutionTimerOptions {
  /** Measure one Handle Resolution in this many (default {@link DEFAULT_SAMPLE_EVERY}; 1 = all). */
  readonly sampleEvery?: number;
}

/**
 * A {@link Role} that passes everything to a registrar (or any role) and records the duration
 * of every Handle Resolution it handles. Give it to the driver instead of the registrar.
 *
 * @example Time resolutions of a registrar
 * ```ts
 * import { ResolutionTimer } from "./resolution_timer.ts";
 * import { Histogram, HANDLE_RESOLUTION_BUCKETS } from "../../core/management/histogram.ts";
 * import { Registrar } from "../../core/registrar/registrar.ts";
 * import { SeededRng } from "../../core/rng.ts";
 * import { encodeMessage } from "../../core/wire/mod.ts";
 * import assert from "node:assert/strict";
 * const registrar = new Registrar({ rng: new SeededRng(1), announceTargets: [] });
 * const histogram = new Histogram(HANDLE_RESOLUTION_BUCKETS);
 * const role = new ResolutionTimer(registrar, histogram, () => performance.now(), { sampleEvery: 1 });
 * role.handleAssociationUp(0, -1, {
 *   remote: { address: "127.0.0.1", port: 40000 }, local: { address: "127.0.0.1", port: 3863 },
 *   peerMaxPayload: 65535, listener: "asap",
 * });
 * role.handleMessage(0, -1, 0x4e474153, 0, encodeMessage({
 *   type: "handle-resolution", poolHandle: new TextEncoder().encode("NoSuchPool"),
 * }));
 * assert.equal(histogram.count, 1);
 * assert.equal(role.pollTransmit()?.type, "send"); // the answer (Unknown Pool Handle)
 * ```
 */
export class ResolutionTimer<E> implements Role<E> {
  readonly #role: Role<E>;
  readonly #histogram: Histogram;
  readonly #clock: () => number;
  readonly #sampleEvery: number;
  #countdown = 1;

  /**
   * Wraps a role.
   *
   * @param role The registrar.
   * @param histogram Receives each measured duration in seconds.
   * @param clock A monotonic clock in ms (the runtime's `now`).
   * @param options How many resolutions per measured one.
   * @throws {RangeError} If `sampleEvery` is not a positive integer.
   */
  constructor(
    role: Role<E>,
    histogram: Histogram,
    clock: () => number,
    options: ResolutionTimerOptions = {},
  ) {
    const every = options.sampleEvery ?? DEFAULT_SAMPLE_EVERY;
    if (!Number.isInteger(every) || every < 1) {
      throw new RangeError(`Invalid sampleEvery: ${every} is not a positive integer`);
    }
    this.#role = role;
    this.#histogram = histogram;
    this.#clock = clock;
    this.#sampleEvery = every;
  }

  /** Handle resolutions per measured one. */
  get sampleEvery(): number {
    return this.#sampleEvery;
  }

  /**
   * See {@link Role.handleAssociationUp}.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param info Its addresses and listener.
   */
  handleAssociationUp(now: number, assoc: AssociationId, info: AssociationInfo): void {
    this.#role.handleAssociationUp(now, assoc, info);
  }

  /**
   * See {@link Role.handleMessage}; times one Handle Resolution in `sampleEvery`.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param ppid Its PPID.
   * @param stream Its stream.
   * @param payload The message.
   */
  handleMessage(
    now: number,
    assoc: AssociationId,
    ppid: number,
    stream: number,
    payload: Uint8Array,
  ): void {
    if (payload[0] !== HANDLE_RESOLUTION || --this.#countdown > 0) {
      this.#role.handleMessage(now, assoc, ppid, stream, payload);
      return;
    }
    this.#countdown = this.#sampleEvery;
    const t0 = this.#clock();
    this.#role.handleMessage(now, assoc, ppid, stream, payload);
    this.#histogram.observe((this.#clock() - t0) / 1000);
  }

  /**
   * See {@link Role.handleAssociationDown}.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param down Why.
   */
  handleAssociationDown(now: number, assoc: AssociationId, down: AssociationDown): void {
    this.#role.handleAssociationDown(now, assoc, down);
  }

  /**
   * See {@link Role.handleDatagram}.
   *
   * @param now The current time.
   * @param channel The channel.
   * @param from The sender.
   * @param payload The datagram.
   */
  handleDatagram(now: number, channel: string, from: TransportAddress, payload: Uint8Array): void {
    this.#role.handleDatagram(now, channel, from, payload);
  }

  /**
   * See {@link Role.handleTimeout}.
   *
   * @param now The current time.
   */
  handleTimeout(now: number): void {
    this.#role.handleTimeout(now);
  }

  /**
   * See {@link Role.handleSendFailed}.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param failure Why.
   * @param payload The message.
   */
  handleSendFailed(
    now: number,
    assoc: AssociationId,
    failure: SendFailure,
    payload: Uint8Array,
  ): void {
    this.#role.handleSendFailed?.(now, assoc, failure, payload);
  }

  /**
   * See {@link Role.handleWritable}.
   *
   * @param now The current time.
   * @param assoc The association.
   */
  handleWritable(now: number, assoc: AssociationId): void {
    this.#role.handleWritable?.(now, assoc);
  }

  /**
   * See {@link Role.handleRttSample}.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param sample The sample.
   */
  handleRttSample(now: number, assoc: AssociationId, sample: RttSample): void {
    this.#role.handleRttSample?.(now, assoc, sample);
  }

  /**
   * See {@link Role.pollTransmit}.
   *
   * @returns The next action.
   */
  pollTransmit(): RoleAction | undefined {
    return this.#role.pollTransmit();
  }

  /**
   * See {@link Role.pollTimeout}.
   *
   * @returns The next deadline.
   */
  pollTimeout(): number | undefined {
    return this.#role.pollTimeout();
  }

  /**
   * See {@link Role.pollEvent}.
   *
   * @returns The next event.
   */
  pollEvent(): E | undefined {
    return this.#role.pollEvent();
  }
}
