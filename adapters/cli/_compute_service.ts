// The compute pool element: serves the compute protocol (core/compute) on sessions, computes
// work units on `capacity` slots, checkpoints every session's started units in cookies after
// each chunk, resumes units from a Cookie Echo, and reports its load (units per slot) through
// re-registration so Least Used policies see it. Runs on any runtime over servePool.

import type { TransportAddress } from "../../core/role.ts";
import { ComputeEngine, type ComputeStep } from "../../core/compute/compute_engine.ts";
import { computeLoadPolicy } from "../../core/compute/compute_load.ts";
import {
  COMPUTE_PPID,
  type ComputeCheckpoint,
  decodeComputeMessage,
  encodeComputeMessage,
  isComputeCheckpoint,
} from "../../core/compute/compute_messages.ts";
import type { FramedAssociationOptions } from "../../core/transport/framed_association.ts";
import {
  type PolicyParameter,
  policyParameter,
  PolicyType,
} from "../../core/wire/policy_parameter.ts";
import type { WireProfile } from "../../core/wire/profile.ts";
import type { Runtime } from "../runtime.ts";
import type { TlsOptions } from "../tls.ts";
import { currentRuntime } from "../current.ts";
import type { PoolElementEvent } from "../../core/asap/pool_element.ts";
import {
  type PoolServer,
  servePool,
  type ServePoolOptions,
  type ServerSession,
} from "../session/pool_server.ts";

/** The default pool handle of the compute service. */
export const COMPUTE_POOL = "ComputePool";

/** Options of {@link startComputeService}. */
export interface ComputeServiceOptions {
  /** Pool handle (default "ComputePool"). */
  readonly pool?: string;
  /** Registrars. */
  readonly registrars: readonly (TransportAddress | string)[];
  /** The pool-wide cookie key (at least 16 bytes), the same on every compute PE of the pool. */
  readonly cookieKey: string | Uint8Array;
  /** Units computed at once (default 1). */
  readonly capacity?: number;
  /** Numbers per second each slot sieves; 0 = as fast as the processor allows (default 0). */
  readonly rate?: number;
  /** Numbers sieved between checkpoints (default 131072). */
  readonly chunk?: number;
  /**
   * The pool policy (default Least Used with Degradation: every selection adds one unit's share
   * to a PE's key until its next load report, so sessions opened at once spread in proportion to
   * capacity). Its load is kept at units per slot (capped at 1), its weight (weighted policies) at
   * the capacity, its load degradation at one unit's share (1 / capacity).
   */
  readonly policy?: PolicyParameter;
  /** Listen address (default "0.0.0.0"). */
  readonly hostname?: string;
  /** Listen port (default 0: any). */
  readonly port?: number;
  /** PE identifier (default random). */
  readonly id?: bigint;
  /** Wire profile. */
  readonly profile?: WireProfile;
  /** Registers these addresses (default: the address the registrar sees). */
  readonly addresses?: readonly string[];
  /** Further pool element options (re-registration interval, registrar hunt, ...). */
  readonly poolElement?: ServePoolOptions<ComputeCheckpoint>["poolElement"];
  /** Framing shim options (heartbeats). */
  readonly association?: FramedAssociationOptions;
  /** TLS on the session listener and the registrar associations (see `ServePoolOptions.tls`). */
  readonly tls?: TlsOptions;
  /** The runtime (default the running one's). */
  readonly runtime?: Runtime;
  /** Receives one line per notable event (registered, unit done, resumed, cookie rejected). */
  readonly log?: (event: ComputeLogEvent) => void;
}

/** What the compute service reports through `log`. */
export type ComputeLogEvent =
  | {
    readonly type: "started";
    readonly id: bigint;
    readonly port: number;
    readonly capacity: number;
  }
  | { readonly type: "registered"; readonly id: bigint }
  | { readonly type: "pool-element"; readonly event: PoolElementEvent }
  | {
    readonly type: "unit-done";
    readonly job: string;
    readonly unit: number;
    readonly count: number;
    readonly resumedFrom: number;
  }
  | { readonly type: "restored"; readonly session: number; readonly units: number }
  | { readonly type: "cookie-rejected"; readonly reason: string; readonly detail: string }
  | { readonly type: "bad-request"; readonly detail: string }
  | {
    readonly type: "tls-refused";
    readonly detail: string;
    readonly remote: TransportAddress | undefined;
  }
  | { readonly type: "load"; readonly load: number };

/** A running compute pool element. */
export interface ComputeService {
  /** The session server. */
  readonly server: PoolServer<ComputeCheckpoint>;
  /** The scheduler. */
  readonly engine: ComputeEngine;
  /** The port pool users connect to. */
  readonly port: number;
  /** Resolves once registered. */
  readonly registered: Promise<void>;
  /** Deregisters and stops. */
  close(): Promise<void>;
}

/**
 * Starts a compute pool element.
 *
 * @param options Pool, registrars, key, capacity, pacing.
 * @returns The running service.
 */
export async function startComputeService(options: ComputeServiceOptions): Promise<ComputeService> {
  const runtime = options.runtime ?? await currentRuntime();
  const capacity = options.capacity ?? 1;
  const engine = new ComputeEngine({
    capacity,
    ...(options.rate === undefined ? {} : { rate: options.rate }),
    ...(options.chunk === undefined ? {} : { chunk: options.chunk }),
  });
  const log = options.log ?? (() => {});
  const basePolicy = options.policy ?? policyParameter(PolicyType.LeastUsedDegradation);
  let reported = computeLoadPolicy(basePolicy, 0, capacity);
  const sessions = new Map<number, ServerSession<ComputeCheckpoint>>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const server = await servePool<ComputeCheckpoint>({
    pool: options.pool ?? COMPUTE_POOL,
    registrars: options.registrars,
    cookieKey: options.cookieKey,
    validate: isComputeCheckpoint,
    policy: reported,
    hostname: options.hostname ?? "0.0.0.0",
    port: options.port ?? 0,
    runtime,
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.association === undefined ? {} : { association: options.association }),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.addresses === undefined ? {} : { addresses: options.addresses }),
    ...(options.poolElement === undefined ? {} : { poolElement: options.poolElement }),
    onSession(s) {
      sessions.set(s.id, s);
      if (s.restored !== undefined) restore(s.id, s.restored);
      s.on("cookie-echo", (e) => restore(s.id, e.state));
      s.on("data", (m) => request(s, m.ppid, m.payload));
      s.on("closed", () => {
        sessions.delete(s.id);
        engine.cancel(s.id);
        reportLoad();
      });
    },
  });
  server.on("cookie-rejected", (r) => log({ type: "cookie-rejected", ...r }));
  server.on("tls-refused", (r) => log({ type: "tls-refused", ...r }));
  server.on("pool-element", (e) => {
    log({ type: "pool-element", event: e });
    if (e.type === "registered") log({ type: "registered", id: server.poolElement.id });
  });
  log({ type: "started", id: server.poolElement.id, port: server.port, capacity });

  function restore(session: number, checkpoint: ComputeCheckpoint): void {
    engine.restore(session, checkpoint);
    log({ type: "restored", session, units: checkpoint.units.length });
  }

  function request(s: ServerSession<ComputeCheckpoint>, ppid: number, payload: Uint8Array): void {
    const r = ppid === COMPUTE_PPID ? decodeComputeMessage(payload) : undefined;
    if (r?.kind === "invalid-unit") {
      // The unit is named: refuse it by name and keep the session (its other units go on).
      log({ type: "bad-request", detail: r.detail });
      s.send(
        encodeComputeMessage({ type: "error", job: r.job, unit: r.unit, reason: r.detail }),
        { ppid: COMPUTE_PPID },
      );
      return;
    }
    if (r === undefined || r.kind !== "ok" || r.message.type !== "unit") {
      const detail = r === undefined
        ? `PPID ${ppid} is not the compute protocol's`
        : r.kind === "malformed"
        ? r.detail
        : `unexpected ${r.message.type}`;
      log({ type: "bad-request", detail });
      s.close(`Bad compute request: ${detail}`);
      return;
    }
    const { job, unit, from, to } = r.message;
    engine.submit(runtime.now(), s.id, { job, unit, from, to });
    reportLoad();
    schedule();
  }

  function reportLoad(): void {
    const next = computeLoadPolicy(basePolicy, engine.active, capacity);
    if (next.load === reported.load && next.weight === reported.weight) return;
    reported = next;
    log({ type: "load", load: engine.load });
    server.updatePolicy(next);
  }

  function handle(step: ComputeStep): void {
    const s = sessions.get(step.session);
    if (step.type === "done") {
      const u = step.unit;
      log({
        type: "unit-done",
        job: u.job,
        unit: u.unit,
        count: step.count,
        resumedFrom: step.resumedFrom,
      });
      s?.send(
        encodeComputeMessage({
          type: "result",
          ...u,
          count: step.count,
          sum: step.sum,
          resumedFrom: step.resumedFrom,
          pe: server.poolElement.id,
        }),
        { ppid: COMPUTE_PPID },
      );
    }
    s?.setCookie(step.checkpoint);
  }

  function schedule(): void {
    if (timer !== undefined || stopped) return;
    const now = runtime.now();
    const at = engine.nextWake(now);
    if (at === undefined) return;
    timer = setTimeout(tick, Math.max(0, at - now));
  }

  /** Works for up to 8 ms, then yields to the event loop (sessions, keep-alives). */
  function tick(): void {
    timer = undefined;
    const start = runtime.now();
    for (let now = start; now - start < 8; now = runtime.now()) {
      const step = engine.step(now);
      if (step === undefined) break;
      handle(step);
    }
    reportLoad();
    schedule();
  }

  return {
    server,
    engine,
    port: server.port,
    registered: server.registered,
    async close() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await server.close();
    },
  };
}
