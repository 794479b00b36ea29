/**
 * Runs the management app of a registrar: the event feed it publishes the registrar's events
 * into, the handle resolution timer, the HTTP server of the running runtime and the periodic
 * keep-alive pings of the event streams.
 *
 * @module
 */

import type { Registrar } from "../../core/registrar/registrar.ts";
import type { RegistrarEvent } from "../../core/registrar/events.ts";
import type { Role } from "../../core/role.ts";
import { EventFeed } from "../../core/management/event_feed.ts";
import type { NamedEvent } from "../../core/management/event_record.ts";
import { HANDLE_RESOLUTION_BUCKETS, Histogram } from "../../core/management/histogram.ts";
import {
  createManagementApp,
  type ManagementApp,
  type Readiness,
} from "../../core/management/management_app.ts";
import type { PeerSource } from "../../core/management/peer.ts";
import type { HttpServeOptions, HttpServer } from "../http_server.ts";
import { DASHBOARD_HTML } from "./dashboard.ts";
import { DEFAULT_SAMPLE_EVERY, ResolutionTimer } from "./resolution_timer.ts";
import { serveHttp } from "./serve_http.ts";

/** Options of a {@link ManagementServer}. */
export interface ManagementServerOptions {
  /** The registrar. */
  readonly registrar: Registrar;
  /** The monotonic clock the registrar's driver uses (the runtime's `now`). */
  readonly clock: () => number;
  /** Wall-clock time in ms since the epoch (default `Date.now`). */
  readonly wallClock?: () => number;
  /** A name shown in views and on the dashboard. */
  readonly name?: string;
  /** ENRP peers (default none). */
  readonly peers?: PeerSource;
  /** Extra readiness conditions. */
  readonly ready?: () => Readiness;
  /** Host names accepted besides IP literals and `localhost` (see the app's option). */
  readonly allowedHosts?: readonly string[];
  /** Serve the dashboard at `/` (default true). */
  readonly dashboard?: boolean;
  /** Events kept for late subscribers (default 512). */
  readonly eventCapacity?: number;
  /** Interval of keep-alive comments on the event streams in ms (default 15000). */
  readonly pingInterval?: number;
  /** Handle resolutions per timed one (default 8; 1 = all; see {@link ResolutionTimer}). */
  readonly resolutionSampleEvery?: number;
}

/**
 * The management side of a running registrar. Create it before the registrar's driver, run
 * the driver on {@link ManagementServer.role} (the registrar with its handle resolutions
 * timed) and publish the driver's events, then {@link ManagementServer.listen}.
 *
 * @example Serve a registrar's management API on loopback
 * ```ts
 * import { ManagementServer } from "./management_server.ts";
 * import { Driver } from "../driver.ts";
 * import { currentRuntime } from "../current.ts";
 * import { Registrar } from "../../core/registrar/registrar.ts";
 * import { SeededRng } from "../../core/rng.ts";
 * import assert from "node:assert/strict";
 * const runtime = await currentRuntime();
 * const registrar = new Registrar({ rng: new SeededRng(1), id: 5n, announceTargets: [] });
 * const management = new ManagementServer({ registrar, clock: runtime.now });
 * const driver = new Driver(runtime, management.role, { onEvent: (e) => management.publish(e) });
 * await driver.listen("asap", { hostname: "127.0.0.1", port: 0 });
 * driver.flush();
 * const server = await management.listen({ hostname: "127.0.0.1", port: 0 });
 * const body = await (await fetch(`${server.url}/v1/registrar`)).json();
 * assert.equal(body.id, "5");
 * await management.close();
 * await driver.close();
 * ```
 */
export class ManagementServer {
  readonly #feed: EventFeed;
  readonly #histogram = new Histogram(HANDLE_RESOLUTION_BUCKETS);
  readonly #app: ManagementApp;
  readonly #role: Role<RegistrarEvent>;
  readonly #pingInterval: number;
  #server: HttpServer | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  /**
   * Creates the feed, the timer and the app (nothing listens yet).
   *
   * @param options The registrar, the clocks and the optional parts.
   * @throws {RangeError} If the ping interval is not a positive number.
   */
  constructor(options: ManagementServerOptions) {
    const wallClock = options.wallClock ?? Date.now;
    this.#pingInterval = options.pingInterval ?? 15000;
    if (!(this.#pingInterval > 0)) {
      throw new RangeError(`Invalid pingInterval: ${this.#pingInterval} is not a positive number`);
    }
    this.#feed = new EventFeed({
      registrarId: options.registrar.id,
      wallClock,
      ...(options.eventCapacity === undefined ? {} : { capacity: options.eventCapacity }),
    });
    this.#role = new ResolutionTimer(
      options.registrar,
      this.#histogram,
      options.clock,
      options.resolutionSampleEvery === undefined
        ? {}
        : { sampleEvery: options.resolutionSampleEvery },
    );
    this.#app = createManagementApp({
      registrar: options.registrar,
      now: options.clock,
      wallClock,
      feed: this.#feed,
      resolutionDuration: this.#histogram,
      resolutionSampleEvery: options.resolutionSampleEvery ?? DEFAULT_SAMPLE_EVERY,
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(options.peers === undefined ? {} : { peers: options.peers }),
      ...(options.ready === undefined ? {} : { ready: options.ready }),
      ...(options.allowedHosts === undefined ? {} : { allowedHosts: options.allowedHosts }),
      ...((options.dashboard ?? true) ? { dashboard: DASHBOARD_HTML } : {}),
    });
  }

  /** The registrar wrapped to time its handle resolutions: run the driver on this. */
  get role(): Role<RegistrarEvent> {
    return this.#role;
  }

  /** The event feed (also for other subscribers, e.g. a logger). */
  get feed(): EventFeed {
    return this.#feed;
  }

  /** The management app (a fetch handler). */
  get app(): ManagementApp {
    return this.#app;
  }

  /** Handle resolution durations in seconds. */
  get resolutionDuration(): Histogram {
    return this.#histogram;
  }

  /** The base URL once listening. */
  get url(): string | undefined {
    return this.#server?.url;
  }

  /**
   * Publishes one of the registrar's events (call it from the driver's `onEvent`).
   *
   * @param event The event.
   * @returns Its sequence number in the feed.
   */
  publish(event: RegistrarEvent | NamedEvent): number {
    return this.#feed.publish(event);
  }

  /**
   * Serves the app with the running runtime's HTTP server.
   *
   * @param options Address (default 127.0.0.1: read-only and local unless asked) and port.
   * @returns The server.
   * @throws {TypeError} If it is already listening or closed.
   */
  async listen(options: HttpServeOptions): Promise<HttpServer> {
    if (this.#server !== undefined || this.#closed) {
      throw new TypeError("Cannot listen: the management server is already listening or closed");
    }
    const server = await serveHttp(this.#app.fetch, options);
    this.#server = server;
    this.#ping = setInterval(() => this.#feed.ping(), this.#pingInterval);
    return server;
  }

  /**
   * Ends the event streams and closes the server.
   *
   * @returns When closed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ping !== undefined) clearInterval(this.#ping);
    this.#feed.close();
    await this.#server?.close();
  }
}
