/**
 * Registrar events as records for operators: the same stable kebab-case event name the
 * registrar raises (`registered`, `keep-alive-timeout`, ...), a level, a one-line message and
 * the event's fields as JSON scalars (identifiers as decimal strings, pool handles as display
 * text, addresses as `address:port`). The server-sent event stream, the structured logs and the
 * `monitor` CLI all show these records.
 *
 * @module
 */

import { errorCauseName } from "../wire/error_cause.ts";
import { poolHandleRef, poolHandleText } from "./pool_handle_ref.ts";

/** Log and event levels, least severe first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * The levels in order of severity.
 *
 * @example Compare severities
 * ```ts
 * import { LOG_LEVELS } from "./event_record.ts";
 * import assert from "node:assert/strict";
 * assert.ok(LOG_LEVELS.indexOf("warn") > LOG_LEVELS.indexOf("info"));
 * assert.equal(LOG_LEVELS[0], "debug");
 * ```
 */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** A JSON scalar field value of an {@link EventRecord}. */
export type EventField = string | number | boolean | null;

/** Any event with a `type` name: a registrar event, or a future one (ENRP) shown generically. */
export interface NamedEvent {
  /** The stable event name. */
  readonly type: string;
  /** The event's fields. */
  readonly [field: string]: unknown;
}

/**
 * One event for operators. The fixed fields are below; the event's own fields follow flat
 * (`poolHandle`, `poolHandleRef`, `peId`, `assoc`, `reason`, `cause`, `causeName`, ...).
 */
export interface EventRecord {
  /** Sequence number within the registrar's feed (1, 2, ...); `Last-Event-ID` of the stream. */
  readonly seq: number;
  /** Wall-clock time, ISO 8601 UTC. */
  readonly time: string;
  /** The registrar's identifier (decimal). */
  readonly registrarId: string;
  /** The stable event name. */
  readonly event: string;
  /** Its level. */
  readonly level: LogLevel;
  /** One line for people. */
  readonly message: string;
  /** The event's own fields. */
  readonly [field: string]: EventField;
}

const LEVELS: { readonly [type: string]: LogLevel } = {
  "registered": "info",
  "re-registered": "debug",
  "registration-rejected": "warn",
  "deregistered": "info",
  "keep-alive-timeout": "warn",
  "unreachable-report": "info",
  "unreachable-confirming": "info",
  "unreachable-refuted": "warn",
  "pe-removed-unreachable": "warn",
  "pe-removed-association-down": "warn",
  "pe-expired": "info",
  "rate-limited": "warn",
  "authorization-refused": "warn",
  "peer-protocol-error": "warn",
  "association-aborted": "warn",
  "enrp-request-rejected": "warn",
  "startup-phase-ended": "info",
  "handle-resolution": "debug",
  "association-up": "debug",
  "association-down": "debug",
  "announce-sent": "debug",
  // ENRP (RFC 5353): peers, mentor synchronisation, audits and takeovers.
  "peer-up": "info",
  "peer-silent": "warn",
  "peer-removed": "warn",
  "mentor-selected": "info",
  "mentor-sync-finished": "info",
  "audit-mismatch": "warn",
  "audit-finished": "info",
  "takeover-started": "warn",
  "takeover-completed": "warn",
  "takeover-cancelled": "info",
  "takeover-expired": "warn",
  "takeover-acknowledged": "info",
  "taken-over-by-peer": "warn",
};

/**
 * The event names this version knows (their levels and messages are defined here).
 *
 * @example Known events
 * ```ts
 * import { KNOWN_EVENTS } from "./event_record.ts";
 * import assert from "node:assert/strict";
 * assert.ok(KNOWN_EVENTS.includes("keep-alive-timeout"));
 * assert.ok(!KNOWN_EVENTS.includes("keepalive-timeout"));
 * ```
 */
export const KNOWN_EVENTS: readonly string[] = Object.keys(LEVELS);

/**
 * The level of an event: `warn` for PEs lost and peers misbehaving, `debug` for per-request
 * and periodic events (a re-registration that changed nothing), `info` otherwise (also for a
 * re-registration that changed the PE, e.g. its load, and for names this version does not
 * know).
 *
 * @param type The event name.
 * @param changed For `re-registered`: whether the PE changed.
 * @returns The level.
 * @example Levels
 * ```ts
 * import { eventLevel } from "./event_record.ts";
 * import assert from "node:assert/strict";
 * assert.equal(eventLevel("keep-alive-timeout"), "warn");
 * assert.equal(eventLevel("registered"), "info");
 * assert.equal(eventLevel("handle-resolution"), "debug");
 * assert.equal(eventLevel("re-registered", true), "info");
 * ```
 */
export function eventLevel(type: string, changed?: unknown): LogLevel {
  if (type === "re-registered" && changed === true) return "info";
  return Object.hasOwn(LEVELS, type) ? LEVELS[type]! : "info";
}

/** Names of the fixed fields of a record, which event fields never overwrite. */
const RESERVED = new Set(["seq", "time", "registrarId", "event", "level", "message"]);

function addressText(a: { address: string; port: number }): string {
  return a.address.includes(":") ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

function isAddress(v: object): v is { address: string; port: number } {
  const o = v as { address?: unknown; port?: unknown };
  return typeof o.address === "string" && typeof o.port === "number";
}

/**
 * The fields of an event as JSON scalars: `bigint` as decimal text, a pool handle as display
 * text (plus `poolHandleRef` for URLs), other bytes as `0x` hex, an address as `address:port`,
 * a `cause` code with its `causeName`. Arrays of such values are joined with commas; other
 * objects are left out.
 *
 * @param event The event.
 * @returns The fields, without `type`.
 * @example A registration
 * ```ts
 * import { eventFields } from "./event_record.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(
 *   eventFields({ type: "registered", poolHandle: new TextEncoder().encode("EchoPool"), peId: 5n, assoc: -1 }),
 *   { poolHandle: "EchoPool", poolHandleRef: "EchoPool", peId: "5", assoc: -1 },
 * );
 * ```
 */
export function eventFields(event: NamedEvent): { [field: string]: EventField } {
  const out: { [field: string]: EventField } = {};
  for (const [k, v] of Object.entries(event)) {
    if (k === "type" || RESERVED.has(k)) continue;
    const f = fieldValue(v);
    if (f === undefined) continue;
    out[k] = f;
    if (k === "poolHandle" && v instanceof Uint8Array) {
      out.poolHandle = poolHandleText(v);
      out.poolHandleRef = poolHandleRef(v);
    } else if (k === "cause" && typeof v === "number" && v !== 0) {
      out.causeName = errorCauseName(v);
    }
  }
  return out;
}

function fieldValue(v: unknown): EventField | undefined {
  switch (typeof v) {
    case "string":
    case "number":
    case "boolean":
      return v;
    case "bigint":
      return v.toString();
    case "object":
      if (v === null) return null;
      if (v instanceof Uint8Array) return poolHandleText(v);
      if (isAddress(v)) return addressText(v);
      if (Array.isArray(v)) {
        const parts = v.map(fieldValue).filter((x) => x !== undefined && x !== null);
        return parts.join(",");
      }
      return undefined;
    default:
      return undefined;
  }
}

/** A checksum field as `0x` hex (as it was given when not a number). */
function hex(v: EventField | undefined): string {
  return typeof v === "number" ? `0x${v.toString(16)}` : String(v);
}

/**
 * The one-line message of an event record, for people (logs, the monitor, the dashboard).
 *
 * @param event The event name.
 * @param f Its fields (from {@link eventFields}).
 * @returns The message.
 * @example A keep-alive timeout
 * ```ts
 * import { eventMessage } from "./event_record.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   eventMessage("keep-alive-timeout", { poolHandle: "EchoPool", peId: "5" }),
 *   "PE 5 of pool EchoPool missed its keep-alive and was removed",
 * );
 * ```
 */
export function eventMessage(event: string, f: { readonly [field: string]: EventField }): string {
  const pe = `PE ${f.peId}`;
  const pool = `pool ${f.poolHandle}`;
  const cause = f.causeName === undefined ? "" : ` (${f.causeName})`;
  switch (event) {
    case "registered":
      return `${pe} registered in ${pool}`;
    case "re-registered":
      return `${pe} re-registered in ${pool}${f.changed === true ? " with changes" : ""}`;
    case "registration-rejected":
      return `Registration of ${pe} in ${pool} rejected: ${f.reason}${cause}`;
    case "deregistered":
      return `${pe} deregistered from ${pool}`;
    case "keep-alive-timeout":
      return `${pe} of ${pool} missed its keep-alive and was removed`;
    case "unreachable-report":
      return `Endpoint unreachable report ${f.reports} for ${pe} of ${pool}`;
    case "unreachable-confirming":
      return `${pe} of ${pool} reported unreachable ${f.reports} times: confirming by keep-alive`;
    case "unreachable-refuted":
      return `${pe} of ${pool} answered the confirming keep-alive: the reports are cleared`;
    case "pe-removed-unreachable":
      return `${pe} of ${pool} removed: reported unreachable and no keep-alive answer`;
    case "pe-removed-association-down":
      return `${pe} of ${pool} removed: its association went down (${f.reason})`;
    case "pe-expired":
      return `${pe} of ${pool} expired`;
    case "rate-limited":
      return `Association ${f.assoc} is rate-limited (${f.request})`;
    case "authorization-refused":
      return `Authorization refused: ${f.remote}${
        f.identity === undefined ? "" : ` (${f.identity})`
      } may not ${f.action} in ${pool}`;
    case "peer-protocol-error":
      return `Protocol error on association ${f.assoc}: ${f.detail}${cause}`;
    case "association-aborted":
      return `Association ${f.assoc} aborted: ${f.reason}`;
    case "enrp-request-rejected":
      return `ENRP ${f.request} from registrar ${f.senderId} rejected: ${f.reason}`;
    case "startup-phase-ended":
      return "Startup phase ended";
    case "handle-resolution":
      return `Handle resolution of ${pool}: ${f.returned} of ${f.requested} PEs${cause}`;
    case "association-up":
      return `Association ${f.assoc} up from ${f.remote}${
        f.listener === undefined ? "" : ` on listener ${f.listener}`
      }`;
    case "association-down":
      return `Association ${f.assoc} down (${f.reason})`;
    case "announce-sent":
      return `Server Announce sent to ${f.targets} target(s)`;
    case "peer-up":
      return `Peer registrar ${f.peerId} is up${f.endpoint == null ? "" : ` at ${f.endpoint}`}`;
    case "peer-silent":
      return `Peer registrar ${f.peerId} is silent: probing it`;
    case "peer-removed":
      return `Peer registrar ${f.peerId} removed (${f.reason})`;
    case "mentor-selected":
      return `Registrar ${f.peerId} chosen as mentor: downloading its handlespace`;
    case "mentor-sync-finished":
      return `Handlespace of mentor ${f.peerId} downloaded (${f.poolElements} PEs)`;
    case "audit-mismatch":
      return `Checksum of peer registrar ${f.peerId} differs (theirs ${hex(f.theirs)}, ours ${
        hex(f.ours)
      }): resynchronising`;
    case "audit-finished":
      return `PEs of peer registrar ${f.peerId} resynchronised (${f.poolElements} received, ${f.purged} purged)`;
    case "takeover-started":
      return `Takeover of silent registrar ${f.targetId} started (awaiting ${
        f.awaiting || "no one"
      })`;
    case "takeover-completed":
      return `Took over registrar ${f.targetId}: now home of its ${f.poolElements} PEs`;
    case "takeover-cancelled":
      return `Takeover of registrar ${f.targetId} cancelled (${f.reason})`;
    case "takeover-expired":
      return `Takeover of registrar ${f.targetId} expired: no ack from ${f.missing}`;
    case "takeover-acknowledged":
      return `Acknowledged the takeover of registrar ${f.targetId} by ${f.initiatorId}`;
    case "taken-over-by-peer":
      return `Registrar ${f.byId} took over registrar ${f.targetId} (${f.poolElements} PEs moved)`;
    default: {
      const rest = Object.entries(f)
        .filter(([k]) => k !== "poolHandleRef")
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
      return rest === "" ? event : `${event}: ${rest}`;
    }
  }
}

/**
 * Builds the record of an event.
 *
 * @param event The event.
 * @param context Sequence number, wall-clock time (ms since the epoch) and registrar identifier.
 * @returns The record.
 * @example Record a deregistration
 * ```ts
 * import { eventRecord } from "./event_record.ts";
 * import assert from "node:assert/strict";
 * const r = eventRecord(
 *   { type: "deregistered", poolHandle: new TextEncoder().encode("EchoPool"), peId: 7n, assoc: -3 },
 *   { seq: 1, time: 0, registrarId: 42n },
 * );
 * assert.equal(r.time, "1970-01-01T00:00:00.000Z");
 * assert.equal(r.event, "deregistered");
 * assert.equal(r.message, "PE 7 deregistered from pool EchoPool");
 * assert.equal(r.registrarId, "42");
 * ```
 */
export function eventRecord(
  event: NamedEvent,
  context: { readonly seq: number; readonly time: number; readonly registrarId: bigint },
): EventRecord {
  const fields = eventFields(event);
  return {
    seq: context.seq,
    time: new Date(context.time).toISOString(),
    registrarId: context.registrarId.toString(),
    event: event.type,
    level: eventLevel(event.type, event.changed),
    message: eventMessage(event.type, fields),
    ...fields,
  };
}
