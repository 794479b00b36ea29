/**
 * The `server` tool: a pool element (PE) running one of the classic example services of
 * RSPLIB's rspserver (echo by default; discard, daytime, chargen, pingpong). It serves pool
 * users over TCP with the framing shim and registers that endpoint in a pool.
 *
 * ```sh
 * deno task server                                   # echo in EchoPool via 127.0.0.1:3863
 * deno task server --pool EchoPool --policy LeastUsed --load 0.25
 * deno task server --service daytime --policy WeightedRandom:5 --registrar 10.0.0.1:3863
 * deno task server --compute --capacity 4 --cookie-key "the compute pool's key"  # ComputePool
 * ```
 *
 * With `--compute` it runs the distributed-computing service instead (README "Distributed
 * computing in 5 minutes"): work units of the compute protocol, `--capacity` at once, each
 * session's progress checkpointed in authenticated cookies so another compute server resumes a
 * unit where a dead one left it, the load (units per slot) reported to the registrar.
 *
 * It runs under Deno (`deno run --allow-net adapters/cli/server.ts`), Bun and Node. Log lines
 * go to standard error; `started` names the PE identifier and the service endpoint,
 * `registered` follows once a registrar accepted the PE. SIGINT or SIGTERM deregister the PE
 * and exit 0.
 *
 * @module
 */

import { currentRuntime } from "../current.ts";
import { Driver, type ListenAddress, type ListenOptions } from "../driver.ts";
import { TransportError } from "../runtime.ts";
import { PoolElement, type PoolElementEvent } from "../../core/asap/pool_element.ts";
import { ASAP_DEFAULTS } from "../../core/asap/defaults.ts";
import { SeededRng } from "../../core/rng.ts";
import type { TransportChoice } from "../../core/role.ts";
import type { PolicyParameter } from "../../core/wire/policy_parameter.ts";
import { policyParameter } from "../../core/wire/policy_parameter.ts";
import { maxId } from "../../core/wire/profile.ts";
import {
  flagMilliseconds,
  type FlagSpec,
  formatEndpoint,
  parseEndpoint,
  type parseFlags,
  parseIdentifier,
  parseMilliseconds,
  parseNumber,
  readCommandLine,
  UsageError,
} from "./_args.ts";
import { LOG_FLAGS, type LogOptions, readLogFlags } from "./_log_flags.ts";
import {
  readRegistrarHuntFlags,
  REGISTRAR_HUNT_FLAGS,
  type RegistrarHuntOptions,
} from "./_announce.ts";
import { listenForAnnounces } from "./_announce.ts";
import { type CliIo, isMainModule, runOnProcess } from "./_io.ts";
import { Logger } from "../log.ts";
import { fractionToU32, parsePolicy, policyHasLoad, policyText } from "./_policy.ts";
import { ServiceRole } from "./_service_role.ts";
import { readTlsFlags, tlsFlags } from "./_tls.ts";
import { type LogLimiter, toolLogLimiter } from "./_log_limiter.ts";
import type { TlsOptions } from "../tls.ts";
import { DEFAULT_POOL, SERVICE_NAMES, SERVICE_PPID, type ServiceName } from "./_services.ts";
import {
  driverTransport,
  readTransportSettings,
  transportFlags,
  type TransportSettings,
} from "./_transport.ts";
import {
  COMPUTE_POOL,
  type ComputeLogEvent,
  type ComputeService,
  startComputeService,
} from "./_compute_service.ts";
import { COMPUTE_PPID } from "../../core/compute/compute_messages.ts";
import process from "node:process";

export type { CliIo, ShutdownSignal } from "./_io.ts";

const FLAGS: readonly FlagSpec[] = [
  ...tlsFlags("pe"),
  {
    name: "service",
    kind: "value",
    value: "NAME",
    default: "echo",
    help: "echo, discard, daytime, chargen or pingpong",
  },
  {
    name: "compute",
    kind: "boolean",
    help: "run the compute service (prime-counting work units, cookie checkpoints) in ComputePool",
  },
  {
    name: "capacity",
    kind: "value",
    value: "N",
    default: "1",
    help: "compute: work units computed at once (slots)",
  },
  {
    name: "rate",
    kind: "value",
    value: "N",
    default: "0 (as fast as the processor allows)",
    help: "compute: numbers each slot sieves per second",
  },
  {
    name: "cookie-key",
    kind: "value",
    value: "KEY",
    help: "compute: the pool-wide cookie key (16+ bytes), the same on every compute server",
  },
  {
    name: "pool",
    kind: "value",
    value: "NAME",
    default: "EchoPool (DiscardPool, DaytimePool, CharGenPool, PingPongPool)",
    help: "pool handle to register in",
  },
  {
    name: "policy",
    kind: "value",
    value: "POLICY",
    default: "RoundRobin",
    help:
      "pool policy, RSPLIB syntax: WeightedRandom:5, Priority:3, LeastUsedDegradation:0.01, ...",
  },
  {
    name: "load",
    kind: "value",
    value: "FRACTION",
    default: "0",
    help: "load 0..1 (Least Used policies)",
  },
  {
    name: "load-schedule",
    kind: "value",
    value: "LOAD:MS,...",
    help: "vary the load over time, cycling, e.g. 0.2:5000,0.9:5000",
  },
  {
    name: "load-stdin",
    kind: "boolean",
    help: "read load changes from standard input, one fraction per line",
  },
  ...REGISTRAR_HUNT_FLAGS,
  {
    name: "host",
    kind: "value",
    value: "ADDR",
    default: ":: (all addresses)",
    help: "address the service listens on",
  },
  {
    name: "port",
    kind: "value",
    value: "PORT",
    default: "0 (any)",
    help: "port the service listens on",
  },
  {
    name: "id",
    kind: "value",
    value: "ID",
    default: "random",
    help: "PE identifier (decimal or 0x hex)",
  },
  { name: "profile", kind: "value", value: "rfc|ng", default: "ng", help: "wire profile" },
  {
    name: "rereg-interval",
    kind: "value",
    value: "MS",
    default: String(ASAP_DEFAULTS.reRegistrationInterval.value),
    help: "re-registration interval (registration life = 3 ×)",
  },
  ...LOG_FLAGS,
  ...transportFlags(
    "the service (auto: SCTP over UDP and TCP, registered as SCTP) and the registrar association",
    true,
  ),
];

const SYNOPSIS = `Usage: server [options]

Runs a pool element with an example service and registers it in a pool. Stops on SIGINT/SIGTERM
after deregistering.`;

/** The options of `--compute`. */
interface ComputeFlags {
  capacity: number;
  rate: number;
  cookieKey: string;
}

interface ServerOptions extends RegistrarHuntOptions, LogOptions {
  service: ServiceName;
  compute: ComputeFlags | undefined;
  pool: string;
  policy: PolicyParameter;
  schedule: { load: number; ms: number }[];
  loadStdin: boolean;
  host: string | undefined;
  port: number;
  id: bigint | undefined;
  profile: "rfc" | "ng";
  reregInterval: number;
  tls: TlsOptions | undefined;
  transport: TransportSettings;
}

function readCompute(flags: ReturnType<typeof parseFlags>): ComputeFlags | undefined {
  if (!flags.boolean("compute")) {
    for (const name of ["capacity", "rate", "cookie-key"]) {
      if (flags.has(name)) throw new UsageError(`--${name} needs --compute`);
    }
    return undefined;
  }
  for (const name of ["service", "load", "load-schedule", "load-stdin"]) {
    if (flags.has(name)) {
      throw new UsageError(`--${name} does not go with --compute (its load is measured)`);
    }
  }
  const cookieKey = flags.string("cookie-key");
  if (cookieKey === undefined || new TextEncoder().encode(cookieKey).length < 16) {
    throw new UsageError(
      "--compute needs --cookie-key with at least 16 bytes, the same on every compute server",
    );
  }
  return {
    capacity: flags.number("capacity", 1, { min: 1, max: 1_000_000 }),
    rate: flags.number("rate", 0, { min: 0 }),
    cookieKey,
  };
}

/** The TLS flags; `--compute` serves its pool users over TLS, so it needs a certificate. */
function readComputeTls(
  flags: ReturnType<typeof parseFlags>,
  compute: ComputeFlags | undefined,
): TlsOptions | undefined {
  const tls = readTlsFlags(flags, "pe");
  if (compute !== undefined && tls !== undefined && tls.cert === undefined) {
    throw new UsageError(
      "--compute with --tls-ca needs --tls-cert and --tls-key (pool users connect over TLS)",
    );
  }
  return tls;
}

function readOptions(flags: ReturnType<typeof parseFlags>): ServerOptions {
  const compute = readCompute(flags);
  const transport = readTransportSettings(flags);
  if (compute !== undefined && transport.transport !== "tcp") {
    throw new UsageError("--compute runs over TCP only (the session layer); leave out --transport");
  }
  const service = flags.choice("service", SERVICE_NAMES, "echo");
  const profile = flags.choice("profile", ["rfc", "ng"] as const, "ng");
  const load = flags.optionalNumber("load", { min: 0, max: 1, fraction: true });
  // Least Used with Degradation: sessions opened at once spread in proportion to capacity.
  const policy = parsePolicy(
    flags.string("policy") ?? (compute ? "LeastUsedDegradation" : "RoundRobin"),
    load,
  );
  const scheduleText = flags.string("load-schedule");
  const schedule = scheduleText === undefined ? [] : scheduleText.split(",").map((entry) => {
    const [l, ms, extra] = entry.split(":");
    if (l === undefined || ms === undefined || extra !== undefined) {
      throw new UsageError(`--load-schedule entries are LOAD:MS, not "${entry}"`);
    }
    return {
      load: parseNumber("--load-schedule load", l, { min: 0, max: 1, fraction: true }),
      ms: parseMilliseconds("--load-schedule time", ms, 10),
    };
  });
  const loadStdin = flags.boolean("load-stdin");
  if ((schedule.length > 0 || loadStdin) && !policyHasLoad(policy.type)) {
    throw new UsageError("--load-schedule and --load-stdin need a Least Used policy");
  }
  const idText = flags.string("id");
  const hostText = flags.string("host");
  return {
    service,
    compute,
    pool: flags.string("pool") ?? (compute ? COMPUTE_POOL : DEFAULT_POOL[service]),
    policy,
    schedule,
    loadStdin,
    host: hostText === undefined ? undefined : parseEndpoint("--host", hostText, 0).address,
    port: flags.number("port", 0, { min: 0, max: 65535 }),
    id: idText === undefined ? undefined : parseIdentifier("--id", idText, maxId(profile)),
    profile,
    reregInterval: flagMilliseconds(
      flags,
      "rereg-interval",
      ASAP_DEFAULTS.reRegistrationInterval.value,
      10,
    ),
    tls: readComputeTls(flags, compute),
    ...readRegistrarHuntFlags(flags),
    ...readLogFlags(flags),
    transport,
  };
}

/**
 * Runs the `server` tool until a shutdown signal.
 *
 * @param argv The arguments after the program name.
 * @param io Output, signals and input (load changes with `--load-stdin`).
 * @returns The exit code: 0 after a graceful shutdown, 1 when the service cannot listen, 64 for
 *   a usage error.
 * @example Usage errors exit with 64
 * ```ts
 * import { runServer } from "./server.ts";
 * import assert from "node:assert/strict";
 * let err = "";
 * const io = {
 *   out: () => {},
 *   err: (t: string) => void (err += t),
 *   onShutdown: () => () => {},
 *   stdinLines: async function* () {},
 * };
 * assert.equal(await runServer(["--policy", "NoSuchPolicy"], io), 64);
 * assert.match(err, /is not a policy/);
 * ```
 */
export async function runServer(argv: readonly string[], io: CliIo): Promise<number> {
  const options = readCommandLine("server", argv, FLAGS, SYNOPSIS, io, readOptions);
  return typeof options === "number" ? options : await serve(options, io);
}

async function serve(o: ServerOptions, io: CliIo): Promise<number> {
  if (o.compute !== undefined) return await serveCompute(o, o.compute, io);
  const log = new Logger({
    tool: "server",
    level: o.logLevel,
    format: o.logFormat,
    write: (t) => io.err(t),
  });
  const runtime = await currentRuntime();
  const limiter = toolLogLimiter(log, () => runtime.now());

  // The service: its own driver with one listener for pool users.
  const service = new ServiceRole(o.service);
  const serviceDriver = new Driver(runtime, service, {
    ...driverTransport(o.transport, log, "service"),
    onEvent: (e) => {
      switch (e.type) {
        case "session-up":
          log.info(e.type, { assoc: e.assoc, from: formatEndpoint(e.remote) });
          return;
        case "session-down":
          log.info(e.type, { assoc: e.assoc, reason: e.reason, messages: e.messages });
          return;
        case "session-aborted":
          log.warn(e.type, { assoc: e.assoc, reason: e.reason });
      }
    },
  });
  let bound: ListenAddress;
  try {
    // With a certificate the pool users' associations run TLS too (mutual with --tls-ca).
    bound = await listenService(
      serviceDriver,
      o.host,
      o.port,
      o.transport.transport,
      o.tls?.cert === undefined ? {} : {
        tls: o.tls,
        onTlsRefused: (detail, remote) =>
          limiter.allow("tls-refused") && log.warn("tls-refused", {
            from: remote === undefined ? undefined : formatEndpoint(remote),
            detail,
          }),
      },
    );
  } catch (e) {
    await serviceDriver.close();
    const code = e instanceof TransportError ? e.code : "UNKNOWN";
    const text = `cannot listen on ${formatEndpoint({ address: o.host ?? "::", port: o.port })}: ${
      code === "EADDRINUSE" ? "the address is already in use" : (e as Error).message
    }`;
    if (o.logFormat === "json") log.error("listen-failed", { code }, text);
    else io.err(`server: ${text}\n`);
    return 1;
  }

  // The pool element: registers the service endpoint.
  const seed = new Uint32Array(runtime.randomBytes(16).buffer.slice(0, 16));
  const specific = o.host !== undefined && o.host !== "::" && o.host !== "0.0.0.0";
  const sctp = bound.transports.includes("sctp-udp");
  const pe = new PoolElement({
    rng: new SeededRng([seed[0]!, seed[1]!, seed[2]!, seed[3]!]),
    profile: o.profile,
    poolHandle: o.pool,
    ...(o.id === undefined ? {} : { id: o.id }),
    policy: o.policy,
    // The transport pool users reach the service over: SCTP when it serves SCTP over UDP (with
    // every --sctp-address: a multi-homed PE), else TCP. Without addresses the registrar takes
    // the association's.
    userTransport: {
      protocol: sctp ? "sctp" : "tcp",
      port: bound.port,
      transportUse: "data+control",
      ...(sctp && o.transport.addresses.length > 0
        ? { addresses: o.transport.addresses }
        : specific
        ? { addresses: [o.host!] }
        : {}),
    },
    registrars: o.registrars,
    reRegistrationInterval: o.reregInterval,
    registrarConnectTimeout: o.connectTimeout,
  });
  let closed: () => void = () => {};
  const whenClosed = new Promise<void>((resolve) => (closed = resolve));
  const peDriver: Driver<PoolElementEvent> = new Driver(runtime, pe, {
    ...driverTransport(o.transport, log, "pool-element"),
    ...(o.tls === undefined ? {} : { tls: o.tls }),
    onEvent: (e) => {
      if (e.type === "closed") closed();
      logPeEvent(log, pe, e, peDriver);
    },
  });
  if (o.announce !== undefined) {
    await listenForAnnounces(peDriver, o.announce, log, o.announceInterface);
  }
  log.always("started", {
    pe: pe.id,
    pool: o.pool,
    service: o.service,
    ppid: SERVICE_PPID[o.service],
    listen: formatEndpoint(bound),
    transport: bound.transports.join(","),
    policy: policyText(o.policy),
    registrars: o.registrars.map(formatEndpoint),
    profile: o.profile,
    runtime: runtime.name,
  });
  peDriver.flush();

  // Load changes.
  const setLoad = (load: number, why: string) => {
    const p = o.policy;
    const policy = policyParameter(p.type, {
      weight: p.weight,
      priority: p.priority,
      load: fractionToU32(load),
      loadDegradation: p.loadDegradation,
      loadDpf: p.loadDpf,
      weightDpf: p.weightDpf,
    });
    peDriver.run((now) => pe.updatePolicy(now, policy));
    log.info("load-changed", { pe: pe.id, load, policy: policyText(policy), by: why });
  };
  let scheduleTimer: ReturnType<typeof setTimeout> | undefined;
  if (o.schedule.length > 0) {
    let step = 0;
    const next = () => {
      const entry = o.schedule[step % o.schedule.length]!;
      if (step > 0 || entry.load !== o.policy.load / 0xffffffff) setLoad(entry.load, "schedule");
      step++;
      scheduleTimer = setTimeout(next, entry.ms);
    };
    next();
  }
  let stopping = false;
  if (o.loadStdin) {
    (async () => {
      for await (const line of io.stdinLines()) {
        if (stopping) return;
        const text = line.trim().replace(/^load\s+/i, "");
        if (text === "") continue;
        try {
          setLoad(parseNumber("load", text, { min: 0, max: 1, fraction: true }), "stdin");
        } catch (e) {
          log.warn("bad-input", { line }, (e as Error).message);
        }
      }
    })();
  }

  const signal = await new Promise<string>((resolve) => {
    const off = io.onShutdown((s) => {
      off();
      resolve(s);
    });
  });
  stopping = true;
  if (scheduleTimer !== undefined) clearTimeout(scheduleTimer);
  log.info("stopping", { signal, pe: pe.id });
  let offForce = () => {};
  const forced = new Promise<boolean>((resolve) => {
    offForce = io.onShutdown(() => resolve(true));
  });
  // Deregister first (pool users stop being sent here), then end the sessions.
  peDriver.run((now) => pe.shutdown(now));
  const bound5s = new Promise<void>((r) =>
    setTimeout(r, ASAP_DEFAULTS.responseTimeout.value + 1000)
  );
  let wasForced = await Promise.race([
    whenClosed.then(() => false),
    bound5s.then(() => false),
    forced,
  ]);
  if (!wasForced) {
    service.closeAll();
    serviceDriver.flush();
    wasForced = await Promise.race([
      Promise.all([peDriver.close(), serviceDriver.close()]).then(() => false),
      forced,
    ]);
  }
  offForce();
  log.info("stopped", { pe: pe.id, messages: service.messages });
  return wasForced ? 1 : 0;
}

/** `server --compute`: the compute service until a shutdown signal. */
async function serveCompute(o: ServerOptions, c: ComputeFlags, io: CliIo): Promise<number> {
  const log = new Logger({
    tool: "server",
    level: o.logLevel,
    format: o.logFormat,
    write: (t) => io.err(t),
  });
  const runtime = await currentRuntime();
  // Clients failing the TLS handshake can come at any rate: at most 10 lines a second.
  const limiter = toolLogLimiter(log, () => runtime.now());
  // The service's events wait until `started` is out (it is every tool's first line).
  let held: ComputeLogEvent[] | undefined = [];
  const report = (e: ComputeLogEvent) =>
    held === undefined
      ? logComputeEvent(log, limiter, service.server.poolElement, e)
      : held.push(e);
  const specific = o.host !== undefined && o.host !== "::" && o.host !== "0.0.0.0";
  const start = (hostname: string) =>
    startComputeService({
      pool: o.pool,
      registrars: o.registrars,
      cookieKey: c.cookieKey,
      capacity: c.capacity,
      rate: c.rate,
      policy: o.policy,
      hostname,
      port: o.port,
      profile: o.profile,
      runtime,
      ...(o.id === undefined ? {} : { id: o.id }),
      ...(specific ? { addresses: [o.host!] } : {}),
      poolElement: {
        reRegistrationInterval: o.reregInterval,
        registrarConnectTimeout: o.connectTimeout,
      },
      ...(o.tls === undefined ? {} : { tls: o.tls }),
      log: report,
    });
  let service: ComputeService;
  let hostname = o.host ?? "::";
  try {
    try {
      service = await start(hostname);
    } catch (e) {
      if (o.host !== undefined || (e instanceof TransportError && e.code === "EADDRINUSE")) throw e;
      hostname = "0.0.0.0";
      service = await start(hostname);
    }
  } catch (e) {
    const code = e instanceof TransportError ? e.code : "UNKNOWN";
    const text = `cannot listen on ${formatEndpoint({ address: o.host ?? "::", port: o.port })}: ${
      code === "EADDRINUSE" ? "the address is already in use" : (e as Error).message
    }`;
    if (o.logFormat === "json") log.error("listen-failed", { code }, text);
    else io.err(`server: ${text}\n`);
    return 1;
  }
  if (o.announce !== undefined) {
    await listenForAnnounces(service.server.driver, o.announce, log, o.announceInterface);
  }
  const pe = service.server.poolElement;
  log.always("started", {
    pe: pe.id,
    pool: o.pool,
    service: "compute",
    ppid: COMPUTE_PPID,
    capacity: c.capacity,
    rate: c.rate,
    listen: formatEndpoint({ address: hostname, port: service.port }),
    policy: policyText(pe.policy),
    registrars: o.registrars.map(formatEndpoint),
    profile: o.profile,
    runtime: runtime.name,
    pid: process.pid,
  });
  for (const e of held) logComputeEvent(log, limiter, pe, e);
  held = undefined;

  const signal = await new Promise<string>((resolve) => {
    const off = io.onShutdown((s) => {
      off();
      resolve(s);
    });
  });
  log.info("stopping", { signal, pe: pe.id });
  let offForce = () => {};
  const forced = new Promise<boolean>((resolve) => {
    offForce = io.onShutdown(() => resolve(true));
  });
  // Deregisters first (pool users stop being sent here), then ends the sessions.
  const wasForced = await Promise.race([service.close().then(() => false), forced]);
  offForce();
  log.info("stopped", { pe: pe.id, computed: service.engine.computed });
  return wasForced ? 1 : 0;
}

function logComputeEvent(
  log: Logger,
  limiter: LogLimiter,
  pe: PoolElement,
  e: ComputeLogEvent,
): void {
  switch (e.type) {
    case "pool-element":
      logPeEvent(log, pe, e.event);
      return;
    case "unit-done":
      log.debug(e.type, {
        job: e.job,
        unit: e.unit,
        primes: e.count,
        resumedFrom: e.resumedFrom < 0 ? undefined : e.resumedFrom,
      });
      return;
    case "restored":
      log.info("cookie-echo", { session: e.session, units: e.units });
      return;
    case "cookie-rejected":
      log.warn(e.type, { reason: e.reason }, e.detail);
      return;
    case "bad-request":
      log.warn(e.type, {}, e.detail);
      return;
    case "tls-refused":
      if (!limiter.allow(e.type)) return;
      log.warn(e.type, {
        from: e.remote === undefined ? undefined : formatEndpoint(e.remote),
        detail: e.detail,
      });
      return;
    case "load":
      log.debug("load-changed", { pe: pe.id, load: Number(e.load.toFixed(3)) });
      return;
    case "started":
    case "registered":
      return;
  }
}

/** Listens on the given host, or on every address (`::`, else `0.0.0.0` without IPv6). */
async function listenService<E>(
  driver: Driver<E>,
  host: string | undefined,
  port: number,
  transport: TransportChoice,
  secure: Pick<ListenOptions, "tls" | "onTlsRefused">,
): Promise<ListenAddress> {
  if (host !== undefined) {
    return await driver.listen("service", { hostname: host, port, transport, ...secure });
  }
  try {
    return await driver.listen("service", { hostname: "::", port, transport, ...secure });
  } catch (e) {
    if (e instanceof TransportError && e.code === "EADDRINUSE") throw e;
    return await driver.listen("service", { hostname: "0.0.0.0", port, transport, ...secure });
  }
}

/**
 * Logs a pool element's event. `driver` carries its registrar association and names the
 * registrar's address; under `--compute` the associations are the session acceptor's and it is
 * left out.
 */
function logPeEvent(
  log: Logger,
  pe: PoolElement,
  e: PoolElementEvent,
  driver?: Driver<PoolElementEvent>,
): void {
  switch (e.type) {
    case "registered": {
      const remote = driver?.status(e.assoc)?.remote;
      log.info(e.type, {
        pool: pe.poolHandle,
        pe: pe.id,
        registrar: e.registrarId === 0n ? undefined : e.registrarId,
        via: remote === undefined ? undefined : formatEndpoint(remote),
        policy: policyText(pe.policy),
      });
      return;
    }
    case "re-registered":
      log.debug(e.type, { pe: pe.id, registrar: e.registrarId, policy: policyText(pe.policy) });
      return;
    case "registration-failed":
      log.warn(e.type, { pe: pe.id, cause: `0x${e.cause.toString(16)}`, reason: e.reason });
      return;
    case "home-changed":
      log.info(e.type, { pe: pe.id, from: e.from, to: e.to, reason: e.reason });
      return;
    case "registrar-lost":
      log.warn(e.type, { pe: pe.id, registrar: e.registrarId, reason: e.reason });
      return;
    case "registrar-hunt-failed":
      log.warn(e.type, { pe: pe.id, round: e.round }, "no registrar reachable; still trying");
      return;
    case "deregistered":
      log.info(e.type, { pool: pe.poolHandle, pe: pe.id });
      return;
    case "peer-protocol-error":
      log.warn(e.type, { assoc: e.assoc, detail: e.detail });
      return;
    case "closed":
      log.debug(e.type, { pe: pe.id });
      return;
  }
}

if (isMainModule(import.meta)) runOnProcess(runServer);
