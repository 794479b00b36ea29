/**
 * The registrar's metrics in the Prometheus text exposition format (version 0.0.4): counters
 * and gauges named after the RSerPool terms, per-pool series, ENRP peers by status, and the
 * handle resolution duration histogram.
 *
 * @module
 */

import type { Registrar } from "../registrar/registrar.ts";
import type { Histogram } from "./histogram.ts";
import type { PeerView } from "./views.ts";
import { poolHandleText } from "./pool_handle_ref.ts";

/**
 * The `Content-Type` of the exposition format.
 *
 * @example Text format 0.0.4
 * ```ts
 * import { PROMETHEUS_CONTENT_TYPE } from "./metrics.ts";
 * import assert from "node:assert/strict";
 * assert.match(PROMETHEUS_CONTENT_TYPE, /^text\/plain; version=0\.0\.4/);
 * ```
 */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** What {@link renderMetrics} reads. */
export interface MetricsInput {
  /** The registrar. */
  readonly registrar: Registrar;
  /** The ENRP peers (views). */
  readonly peers: readonly PeerView[];
  /** Handle resolution durations in seconds, if measured. */
  readonly resolutionDuration?: Histogram | undefined;
  /** One resolution in how many the histogram measures (default 1). */
  readonly resolutionSampleEvery?: number;
  /** Wall-clock start time (ms since the epoch). */
  readonly startedAt: number;
  /** Event stream clients connected now. */
  readonly eventStreamClients?: number;
  /** Most pools given per-pool series (the largest first; default 1000). */
  readonly perPoolLimit?: number;
}

/**
 * Escapes a label value (backslash, double quote, line feed).
 *
 * @param value The value.
 * @returns The escaped text (without quotes).
 * @example Escape
 * ```ts
 * import { escapeLabelValue } from "./metrics.ts";
 * import assert from "node:assert/strict";
 * assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
 * ```
 */
export function escapeLabelValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function num(v: number): string {
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (Number.isNaN(v)) return "NaN";
  return String(v);
}

class Exposition {
  #out: string[] = [];

  family(name: string, type: "counter" | "gauge" | "histogram", help: string): void {
    const text = help.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
    this.#out.push("# HELP " + name + " " + text);
    this.#out.push(`# TYPE ${name} ${type}`);
  }

  sample(name: string, value: number, labels: { readonly [k: string]: string } = {}): void {
    const keys = Object.keys(labels);
    const pairs = keys.map((k) => k + '="' + escapeLabelValue(labels[k]!) + '"');
    const l = keys.length === 0 ? "" : "{" + pairs.join(",") + "}";
    this.#out.push(name + l + " " + num(value));
  }

  one(
    name: string,
    type: "counter" | "gauge",
    help: string,
    value: number,
  ): void {
    this.family(name, type, help);
    this.sample(name, value);
  }

  text(): string {
    return `${this.#out.join("\n")}\n`;
  }
}

/**
 * Renders the metrics.
 *
 * Families: `rserpool_registrar_info`, `rserpool_registrar_start_time_seconds`,
 * `rserpool_registrar_registrations_total`, `..._reregistrations_total`,
 * `..._registrations_rejected_total`, `..._deregistrations_total`,
 * `rserpool_handle_resolutions_total{result}`, `rserpool_keep_alives_sent_total`,
 * `rserpool_keep_alive_acks_total`, `rserpool_keep_alive_timeouts_total`,
 * `rserpool_endpoint_unreachable_reports_total`, `rserpool_pool_elements_removed_total{reason}`,
 * `rserpool_rate_limited_requests_total{kind}`, `rserpool_protocol_errors_total`,
 * `rserpool_errors_sent_total`, `rserpool_errors_received_total`,
 * `rserpool_associations_aborted_total`, `rserpool_send_failures_total`,
 * `rserpool_server_announces_sent_total`, `rserpool_enrp_requests_total{request}`,
 * `rserpool_local_changes_total`, gauges `rserpool_associations`, `rserpool_pools`,
 * `rserpool_handlespace_pool_elements`, `rserpool_handlespace_owned_pool_elements`,
 * `rserpool_peers{status}`, `rserpool_peer_checksum_in_sync{peer}`,
 * `rserpool_management_event_stream_clients`, per pool
 * `rserpool_pool_pool_elements{pool}`, `rserpool_pool_registrations_total{pool}`,
 * `rserpool_pool_handle_resolutions_total{pool}`,
 * `rserpool_pool_endpoint_unreachable_reports_total{pool}`, and the histogram
 * `rserpool_handle_resolution_duration_seconds`.
 *
 * @param input The registrar and what else is measured.
 * @returns The exposition text, ending with a line feed.
 * @example Counters of a fresh registrar
 * ```ts
 * import { renderMetrics } from "./metrics.ts";
 * import { Registrar } from "../registrar/registrar.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pr = new Registrar({ rng: new SeededRng(1), id: 7n, announceTargets: [] });
 * const text = renderMetrics({ registrar: pr, peers: [], startedAt: 0 });
 * assert.match(text, /^# TYPE rserpool_registrar_registrations_total counter$/m);
 * assert.match(text, /^rserpool_registrar_registrations_total 0$/m);
 * assert.match(text, /^rserpool_registrar_info\{id="7",profile="ng"\} 1$/m);
 * ```
 */
export function renderMetrics(input: MetricsInput): string {
  const pr = input.registrar;
  const s = pr.stats();
  const x = new Exposition();
  x.family("rserpool_registrar_info", "gauge", "The registrar's identifier and wire profile.");
  x.sample("rserpool_registrar_info", 1, { id: pr.id.toString(), profile: pr.profile });
  x.one(
    "rserpool_registrar_start_time_seconds",
    "gauge",
    "Start time of the registrar since the Unix epoch in seconds.",
    input.startedAt / 1000,
  );
  x.one(
    "rserpool_registrar_registrations_total",
    "counter",
    "New pool elements registered (this registrar became their home).",
    s.registrations,
  );
  x.one(
    "rserpool_registrar_reregistrations_total",
    "counter",
    "Re-registrations of known pool elements.",
    s.reRegistrations,
  );
  x.one(
    "rserpool_registrar_registrations_rejected_total",
    "counter",
    "Registrations refused (Registration Response with the R flag).",
    s.registrationsRejected,
  );
  x.one(
    "rserpool_registrar_deregistrations_total",
    "counter",
    "Deregistrations of known pool elements.",
    s.deregistrations,
  );
  x.family(
    "rserpool_handle_resolutions_total",
    "counter",
    "Handle resolutions answered, by result.",
  );
  x.sample("rserpool_handle_resolutions_total", s.handleResolutions, { result: "ok" });
  x.sample("rserpool_handle_resolutions_total", s.handleResolutionsUnknownPool, {
    result: "unknown-pool",
  });
  x.sample("rserpool_handle_resolutions_total", s.handleResolutionsRateLimited, {
    result: "rate-limited",
  });
  x.one(
    "rserpool_keep_alives_sent_total",
    "counter",
    "Endpoint Keep-Alives sent to pool elements.",
    s.keepAlivesSent,
  );
  x.one(
    "rserpool_keep_alive_acks_total",
    "counter",
    "Endpoint Keep-Alive Acks received from known pool elements.",
    s.keepAliveAcks,
  );
  x.one(
    "rserpool_keep_alive_timeouts_total",
    "counter",
    "Pool elements removed because a Keep-Alive Ack was missing.",
    s.keepAliveTimeouts,
  );
  x.one(
    "rserpool_endpoint_unreachable_reports_total",
    "counter",
    "Endpoint Unreachable reports counted.",
    s.unreachableReports,
  );
  x.family(
    "rserpool_pool_elements_removed_total",
    "counter",
    "Pool elements removed other than by deregistration, by reason.",
  );
  x.sample("rserpool_pool_elements_removed_total", s.keepAliveTimeouts, {
    reason: "keep-alive-timeout",
  });
  x.sample("rserpool_pool_elements_removed_total", s.removedUnreachable, {
    reason: "unreachable",
  });
  x.sample("rserpool_pool_elements_removed_total", s.removedAssociationDown, {
    reason: "association-down",
  });
  x.sample("rserpool_pool_elements_removed_total", s.expired, { reason: "expired" });
  x.family(
    "rserpool_rate_limited_requests_total",
    "counter",
    "Requests refused or dropped by a per-association rate limit, by kind.",
  );
  x.sample("rserpool_rate_limited_requests_total", s.handleResolutionsRateLimited, {
    kind: "handle-resolution",
  });
  x.sample("rserpool_rate_limited_requests_total", s.unreachableReportsRateLimited, {
    kind: "endpoint-unreachable",
  });
  x.one(
    "rserpool_protocol_errors_total",
    "counter",
    "Malformed or unexpected messages received.",
    s.protocolErrors,
  );
  x.one(
    "rserpool_errors_sent_total",
    "counter",
    "ASAP and ENRP Error messages sent.",
    s.errorsSent,
  );
  x.one(
    "rserpool_errors_received_total",
    "counter",
    "ASAP and ENRP Error messages received.",
    s.errorsReceived,
  );
  x.one(
    "rserpool_associations_aborted_total",
    "counter",
    "Associations aborted by the registrar.",
    s.associationsAborted,
  );
  x.one(
    "rserpool_send_failures_total",
    "counter",
    "Messages the transport could not send.",
    s.sendFailures,
  );
  x.one(
    "rserpool_server_announces_sent_total",
    "counter",
    "Server Announces sent (one per target).",
    s.announcesSent,
  );
  x.family("rserpool_enrp_requests_total", "counter", "ENRP requests answered or refused.");
  x.sample("rserpool_enrp_requests_total", s.listRequests, { request: "list" });
  x.sample("rserpool_enrp_requests_total", s.handleTableResponses, {
    request: "handle-table",
  });
  x.sample("rserpool_enrp_requests_total", s.presenceReplies, { request: "presence" });
  x.sample("rserpool_enrp_requests_total", s.enrpRequestsRejected, { request: "rejected" });
  x.one(
    "rserpool_local_changes_total",
    "counter",
    "Changes of pool elements this registrar is home of (what ENRP announces).",
    s.localChanges,
  );
  x.one("rserpool_associations", "gauge", "Associations up.", s.associations);
  x.one("rserpool_pools", "gauge", "Pools in the handlespace.", s.pools);
  x.one(
    "rserpool_handlespace_pool_elements",
    "gauge",
    "Pool elements in the handlespace.",
    s.poolElements,
  );
  x.one(
    "rserpool_handlespace_owned_pool_elements",
    "gauge",
    "Pool elements whose home is this registrar.",
    s.ownedPoolElements,
  );
  const byStatus = new Map<string, number>();
  for (const p of input.peers) byStatus.set(p.status, (byStatus.get(p.status) ?? 0) + 1);
  x.family("rserpool_peers", "gauge", "ENRP peers, by status.");
  if (byStatus.size === 0) x.sample("rserpool_peers", 0, { status: "active" });
  for (const [status, n] of byStatus) x.sample("rserpool_peers", n, { status });
  x.family(
    "rserpool_peer_checksum_in_sync",
    "gauge",
    "1 when a peer's announced ownership checksum equals this registrar's, 0 when not.",
  );
  for (const p of input.peers) {
    if (p.inSync !== null) {
      x.sample("rserpool_peer_checksum_in_sync", p.inSync ? 1 : 0, { peer: p.id.toString() });
    }
  }
  if (input.eventStreamClients !== undefined) {
    x.one(
      "rserpool_management_event_stream_clients",
      "gauge",
      "Clients following the management event stream.",
      input.eventStreamClients,
    );
  }
  perPool(x, pr, input.perPoolLimit ?? 1000);
  const h = input.resolutionDuration;
  if (h !== undefined) {
    const name = "rserpool_handle_resolution_duration_seconds";
    const every = input.resolutionSampleEvery ?? 1;
    x.family(
      name,
      "histogram",
      "Time the registrar spent answering a Handle Resolution (decode, selection, encode)" +
        (every > 1 ? `, measured for one resolution in ${every}.` : "."),
    );
    const counts = h.cumulativeCounts();
    const bounds = h.bounds;
    for (let i = 0; i < bounds.length; i++) {
      x.sample(`${name}_bucket`, counts[i]!, { le: num(bounds[i]!) });
    }
    x.sample(`${name}_bucket`, counts[bounds.length]!, { le: "+Inf" });
    x.sample(`${name}_sum`, h.sum);
    x.sample(`${name}_count`, h.count);
  }
  return x.text();
}

function perPool(x: Exposition, pr: Registrar, limit: number): void {
  let pools = pr.handlespace.pools();
  if (pools.length > limit) pools = pools.sort((a, b) => b.size - a.size).slice(0, limit);
  const rows = pools.map((p) => ({
    label: poolHandleText(p.poolHandle),
    size: p.size,
    stats: pr.poolStats(p.poolHandle),
  }));
  const families: [string, string, "counter" | "gauge", (r: typeof rows[number]) => number][] = [
    ["rserpool_pool_pool_elements", "Pool elements of a pool.", "gauge", (r) => r.size],
    [
      "rserpool_pool_registrations_total",
      "New pool elements registered into a pool since it was created.",
      "counter",
      (r) => r.stats?.registrations ?? 0,
    ],
    [
      "rserpool_pool_handle_resolutions_total",
      "Handle resolutions answered with pool elements of a pool since it was created.",
      "counter",
      (r) => r.stats?.handleResolutions ?? 0,
    ],
    [
      "rserpool_pool_endpoint_unreachable_reports_total",
      "Endpoint Unreachable reports for pool elements of a pool since it was created.",
      "counter",
      (r) => r.stats?.unreachableReports ?? 0,
    ],
    [
      "rserpool_pool_keep_alive_timeouts_total",
      "Pool elements of a pool removed for a missing Keep-Alive Ack since the pool was created.",
      "counter",
      (r) => r.stats?.keepAliveTimeouts ?? 0,
    ],
    [
      "rserpool_pool_rate_limited_requests_total",
      "Handle Resolutions and Endpoint Unreachable reports naming a pool refused by a rate limit.",
      "counter",
      (r) => r.stats?.rateLimitedRequests ?? 0,
    ],
  ];
  for (const [name, help, type, value] of families) {
    x.family(name, type, help);
    for (const r of rows) x.sample(name, value(r), { pool: r.label });
  }
}
