/**
 * The `hsdump` tool: prints a registrar's handlespace. It connects to the registrar's ENRP
 * listener as a monitor (sending identifier 0, accepted from loopback) and asks with a List
 * Request, a Presence with the R flag (for the registrar's ownership checksum) and Handle Table
 * Requests (W = 0, following the M flag until the whole handlespace arrived).
 *
 * ```sh
 * deno task hsdump                          # the registrar at 127.0.0.1:9901
 * deno task hsdump --registrar 127.0.0.1:9901 --json
 * deno task hsdump --scope                  # and every peer: do they agree?
 * ```
 *
 * Text shows the peer table (the registrar itself and the live peers its List Response names,
 * each with its ENRP endpoint and the count and checksum of the PEs it owns), every pool with
 * its PEs (identifier, user transport, policy and its values, home registrar, registration life,
 * ASAP transport), then per home registrar (owner) the count of PEs and their checksum, the
 * value every registrar of the operation scope must agree on, and whether the registrar's
 * reported ownership checksum matches the PEs received. `--scope` also dumps every peer the
 * registrar lists and compares each one's per-owner counts and checksums with the first
 * registrar's. `--json` prints one JSON document (identifiers as decimal strings). Exit codes:
 * 0, 1 when the registrar cannot be reached or does not answer, 2 when `--scope` found
 * registrars that differ (or cannot be reached), 64 for a usage error.
 *
 * @module
 */

import { currentRuntime } from "../current.ts";
import { Driver } from "../driver.ts";
import { Fifo } from "../../core/fifo.ts";
import {
  ChecksumAccumulator,
  partial16,
  partial32,
  wordSum16,
  wordSum32,
} from "../../core/handlespace/checksum.ts";
import type {
  AssociationDown,
  AssociationId,
  Role,
  RoleAction,
  TransportAddress,
} from "../../core/role.ts";
import type { EnrpMessage, HandleTablePool } from "../../core/wire/enrp_message.ts";
import { messageToJson } from "../../core/wire/json.ts";
import type {
  PoolElementParameter,
  ServerInformationParameter,
} from "../../core/wire/pool_element_parameter.ts";
import { ENRP_PORT, enrpPpid, type WireProfile } from "../../core/wire/profile.ts";
import { WireDecoder } from "../../core/wire/wire_decoder.ts";
import { WireEncoder } from "../../core/wire/wire_encoder.ts";
import {
  flagMilliseconds,
  type FlagSpec,
  formatEndpoint,
  parseEndpoint,
  readCommandLine,
} from "./_args.ts";
import { transportText } from "./_format.ts";
import { type CliIo, isMainModule, runOnProcess } from "./_io.ts";
import { poolHandleText as bytesText } from "../../core/management/pool_handle_ref.ts";
import { policyText } from "./_policy.ts";
import { readTlsFlags, tlsFlags } from "./_tls.ts";
import type { TlsOptions } from "../tls.ts";

export type { CliIo, ShutdownSignal } from "./_io.ts";

const FLAGS: readonly FlagSpec[] = [
  {
    name: "registrar",
    kind: "value",
    value: "HOST:PORT",
    default: "127.0.0.1:9901",
    help: "the registrar's ENRP endpoint",
  },
  { name: "profile", kind: "value", value: "rfc|ng", default: "ng", help: "wire profile" },
  { name: "json", kind: "boolean", help: "print JSON (identifiers as decimal strings)" },
  {
    name: "scope",
    kind: "boolean",
    help: "also dump every peer it lists and compare per-owner checksums (exit 2 if they differ)",
  },
  {
    name: "timeout",
    kind: "value",
    value: "MS",
    default: "5000",
    help: "give up when the registrar has not answered by then",
  },
  // A registrar whose ENRP listener runs TLS (--enrp-tls-*) answers monitors with a
  // certificate from the operation scope's CA only.
  ...tlsFlags("connect"),
];

const SYNOPSIS = `Usage: hsdump [options]

Prints a registrar's handlespace: pools, pool elements, policies, home registrars, addresses.`;

/** Everything a registrar told the monitor. */
interface Dump {
  registrarId: bigint;
  checksum: number;
  servers: readonly ServerInformationParameter[];
  pools: HandleTablePool[];
  pages: number;
}

/**
 * Runs the `hsdump` tool.
 *
 * @param argv The arguments after the program name.
 * @param io Output (stdin and signals are not used).
 * @returns The exit code: 0, 1 when the registrar cannot be reached or does not answer, 2 when
 *   `--scope` found registrars whose per-owner checksums differ, 64 for a usage error.
 * @example No registrar listening
 * ```ts
 * import { runHsdump } from "./hsdump.ts";
 * import assert from "node:assert/strict";
 * let err = "";
 * const io = {
 *   out: () => {},
 *   err: (t: string) => void (err += t),
 *   onShutdown: () => () => {},
 *   stdinLines: async function* () {},
 * };
 * assert.equal(await runHsdump(["--registrar", "127.0.0.1:1"], io), 1);
 * assert.match(err, /cannot reach the registrar/);
 * ```
 */
export async function runHsdump(argv: readonly string[], io: CliIo): Promise<number> {
  const o = readCommandLine("hsdump", argv, FLAGS, SYNOPSIS, io, (flags) => ({
    endpoint: parseEndpoint("--registrar", flags.string("registrar") ?? "127.0.0.1", ENRP_PORT),
    profile: flags.choice("profile", ["rfc", "ng"] as const, "ng"),
    json: flags.boolean("json"),
    scope: flags.boolean("scope"),
    timeout: flagMilliseconds(flags, "timeout", 5000),
    tls: readTlsFlags(flags, "connect"),
  }));
  if (typeof o === "number") return o;
  const { endpoint, profile, json, scope, timeout, tls } = o;
  const result = await dumpRegistrar(profile, endpoint, timeout, tls);
  if (typeof result === "string") {
    io.err(`hsdump: cannot reach the registrar at ${formatEndpoint(endpoint)}: ${result}\n`);
    return 1;
  }
  const others = scope ? await dumpScope(result, profile, endpoint, timeout, tls) : undefined;
  const consistent = others === undefined || others.every((o) => o.agrees);
  io.out(
    json
      ? JSON.stringify(
        {
          ...toJson(result, profile, endpoint) as Record<string, unknown>,
          ...(others === undefined ? {} : {
            scope: {
              consistent,
              registrars: others.map((o) => ({
                registrarId: o.registrarId.toString(),
                enrp: formatEndpoint(o.endpoint),
                ...(typeof o.dump === "string" ? { error: o.dump } : {
                  poolElements: o.dump.pools.reduce((n, p) => n + p.poolElements.length, 0),
                  owners: owners(o.dump.pools, profile).map((x) => ({
                    registrarId: x.registrarId.toString(),
                    poolElements: x.count,
                    checksum: x.checksum.value(),
                  })),
                }),
                agrees: o.agrees,
              })),
            },
          }),
        },
        null,
        2,
      ) + "\n"
      : toText(result, profile, endpoint) +
        (others === undefined ? "" : scopeText(others, profile)),
  );
  return consistent ? 0 : 2;
}

/** Dumps one registrar: the monitor's exchange over one ENRP association. */
async function dumpRegistrar(
  profile: WireProfile,
  endpoint: TransportAddress,
  timeout: number,
  tls: TlsOptions | undefined,
): Promise<Dump | string> {
  const runtime = await currentRuntime();
  const monitor = new MonitorRole(profile, endpoint);
  const driver = new Driver<never>(runtime, monitor, {
    connectTimeout: timeout,
    ...(tls === undefined ? {} : { tls }),
  });
  driver.flush();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = await Promise.race([
    monitor.result,
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no answer within ${timeout} ms`), timeout);
    }),
  ]);
  clearTimeout(timer);
  monitor.finish();
  driver.flush();
  await driver.close();
  return result;
}

/** One registrar of the operation scope as `--scope` saw it. */
interface ScopeMember {
  readonly registrarId: bigint;
  readonly endpoint: TransportAddress;
  readonly dump: Dump | string;
  /** Same PE count and the same per-owner counts and checksums as the first registrar. */
  readonly agrees: boolean;
}

/** Dumps every other registrar the first one's List Response names and compares them with it. */
async function dumpScope(
  first: Dump,
  profile: WireProfile,
  endpoint: TransportAddress,
  timeout: number,
  tls: TlsOptions | undefined,
): Promise<ScopeMember[]> {
  const key = (d: Dump) =>
    owners(d.pools, profile).map((o) => `${o.registrarId}:${o.count}:${o.checksum.value()}`)
      .join(",");
  const reference = key(first);
  const out: ScopeMember[] = [{
    registrarId: first.registrarId,
    endpoint,
    dump: first,
    agrees: true,
  }];
  for (const s of first.servers) {
    const address = s.transport.addresses[0];
    if (s.registrarId === first.registrarId || address === undefined) continue;
    const at = { address, port: s.transport.port };
    const dump = await dumpRegistrar(profile, at, timeout, tls);
    out.push({
      registrarId: s.registrarId,
      endpoint: at,
      dump,
      agrees: typeof dump !== "string" && key(dump) === reference,
    });
  }
  return out;
}

function scopeText(members: readonly ScopeMember[], profile: WireProfile): string {
  const lines = [
    "",
    `Operation scope (${members.length} registrar(s), per-owner checksums compared with the first):`,
  ];
  for (const m of members) {
    const head = `  ${m.registrarId} at ${formatEndpoint(m.endpoint)}: `;
    if (typeof m.dump === "string") {
      lines.push(`${head}cannot reach it: ${m.dump}`);
      continue;
    }
    const list = owners(m.dump.pools, profile);
    const total = list.reduce((n, o) => n + o.count, 0);
    lines.push(
      `${head}${total} PE(s), owners ${
        list.map((o) => `${o.registrarId}=${o.count}/${hex(o.checksum.value(), profile)}`).join(" ")
      }${m.agrees ? "" : "  DIFFERENT"}`,
    );
  }
  const ok = members.every((m) => m.agrees);
  lines.push(ok ? "  consistent" : "  NOT consistent (exit 2)");
  return lines.join("\n") + "\n";
}

/** The monitor's side of the ENRP association. */
class MonitorRole implements Role<never> {
  readonly #profile: WireProfile;
  readonly #ppid: number;
  readonly #encoder: WireEncoder;
  readonly #decoder: WireDecoder;
  readonly #actions = new Fifo<RoleAction>();
  readonly #dump: Dump = { registrarId: 0n, checksum: 0, servers: [], pools: [], pages: 0 };
  #listDone = false;
  #presenceDone = false;
  #tableDone = false;
  #finished = false;
  #resolve!: (r: Dump | string) => void;
  /** The dump, or why there is none. */
  readonly result: Promise<Dump | string>;

  constructor(profile: WireProfile, endpoint: TransportAddress) {
    this.#profile = profile;
    this.#ppid = enrpPpid(profile);
    this.#encoder = new WireEncoder({ profile });
    this.#decoder = new WireDecoder({ profile });
    this.result = new Promise((resolve) => (this.#resolve = resolve));
    this.#actions.push({ type: "connect", assoc: 1, endpoints: [endpoint] });
  }

  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#actions.push({ type: "close", assoc: 1, abort: false, reason: "Done" });
  }

  #send(message: EnrpMessage): void {
    const payload = this.#encoder.encodeEnrp(message).slice();
    this.#actions.push({ type: "send", assoc: 1, ppid: this.#ppid, stream: 0, payload });
  }

  #tableRequest(): void {
    this.#send({
      type: "handle-table-request",
      ownChildrenOnly: false,
      senderId: 0n,
      receiverId: 0n,
    });
  }

  handleAssociationUp(): void {
    this.#send({ type: "list-request", senderId: 0n, receiverId: 0n });
    this.#send({
      type: "presence",
      replyRequired: true,
      senderId: 0n,
      receiverId: 0n,
      checksum: this.#profile === "rfc" ? 0xffff : 0xffffffff,
    });
    this.#tableRequest();
  }

  handleMessage(
    _now: number,
    _assoc: AssociationId,
    ppid: number,
    _s: number,
    payload: Uint8Array,
  ) {
    if (this.#finished) return;
    if (ppid !== this.#ppid) {
      return this.#fail(`it sent PPID ${ppid}, not ENRP of the ${this.#profile} profile`);
    }
    const r = this.#decoder.decodeEnrp(payload);
    if (r.kind !== "ok") {
      return this.#fail(r.kind === "malformed" ? r.detail : "it sent a truncated ENRP message");
    }
    const m = r.message;
    const d = this.#dump;
    switch (m.type) {
      case "list-response":
        if (m.reject) {
          return this.#fail(
            "it rejected the List Request (monitors are accepted from loopback only)",
          );
        }
        d.servers = m.servers;
        this.#listDone = true;
        break;
      case "presence":
        d.registrarId = m.senderId;
        d.checksum = m.checksum;
        this.#presenceDone = true;
        break;
      case "handle-table-response":
        if (m.reject) return this.#fail("it rejected the Handle Table Request");
        d.pages++;
        d.registrarId = m.senderId;
        for (const pool of m.pools) {
          const last = d.pools.at(-1);
          if (last !== undefined && sameBytes(last.poolHandle, pool.poolHandle)) {
            d.pools[d.pools.length - 1] = {
              poolHandle: last.poolHandle,
              poolElements: [...last.poolElements, ...pool.poolElements],
            };
          } else d.pools.push(pool);
        }
        if (m.moreToSend) this.#tableRequest();
        else this.#tableDone = true;
        break;
      case "enrp-error":
        return this.#fail(
          `it sent an ENRP Error (cause 0x${(m.error.causes[0]?.code ?? 0).toString(16)})`,
        );
      default:
        break;
    }
    if (this.#listDone && this.#presenceDone && this.#tableDone) this.#resolve(d);
  }

  #fail(reason: string): void {
    this.#resolve(reason);
    this.finish();
  }

  handleAssociationDown(_now: number, _assoc: AssociationId, down: AssociationDown): void {
    this.#resolve(down.detail === "" ? down.reason : down.detail);
  }

  handleDatagram(): void {}

  handleTimeout(): void {}

  pollTransmit(): RoleAction | undefined {
    return this.#actions.shift();
  }

  pollTimeout(): number | undefined {
    return undefined;
  }

  pollEvent(): never | undefined {
    return undefined;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface Owner {
  readonly registrarId: bigint;
  count: number;
  readonly checksum: ChecksumAccumulator;
}

/** PE counts and checksums per home registrar, computed from the PEs received. */
function owners(pools: readonly HandleTablePool[], profile: WireProfile): Owner[] {
  const byId = new Map<bigint, Owner>();
  for (const pool of pools) {
    const handleSum = profile === "rfc" ? wordSum16(pool.poolHandle) : wordSum32(pool.poolHandle);
    for (const pe of pool.poolElements) {
      let o = byId.get(pe.homeRegistrarId);
      if (o === undefined) {
        o = {
          registrarId: pe.homeRegistrarId,
          count: 0,
          checksum: new ChecksumAccumulator(profile === "rfc" ? 16 : 32),
        };
        byId.set(pe.homeRegistrarId, o);
      }
      o.count++;
      o.checksum.add(profile === "rfc" ? partial16(handleSum, pe.id) : partial32(handleSum, pe.id));
    }
  }
  return [...byId.values()].sort((a, b) => (a.registrarId < b.registrarId ? -1 : 1));
}

function hex(v: number, profile: WireProfile): string {
  return `0x${v.toString(16).padStart(profile === "rfc" ? 4 : 8, "0")}`;
}

function ownChecksum(d: Dump, list: readonly Owner[], profile: WireProfile): number {
  return list.find((o) => o.registrarId === d.registrarId)?.checksum.value() ??
    (profile === "rfc" ? 0xffff : 0xffffffff);
}

/** One row of the peer table: a registrar the List Response named, with the PEs it owns. */
interface PeerRow {
  readonly registrarId: bigint;
  readonly enrp: string;
  readonly self: boolean;
  readonly poolElements: number;
  readonly checksum: number;
}

/** The List Response's registrars (this one first) with their PE counts and checksums. */
function peerRows(d: Dump, list: readonly Owner[], profile: WireProfile): PeerRow[] {
  const empty = profile === "rfc" ? 0xffff : 0xffffffff;
  return d.servers.map((s) => {
    const o = list.find((x) => x.registrarId === s.registrarId);
    return {
      registrarId: s.registrarId,
      enrp: transportText(s.transport),
      self: s.registrarId === d.registrarId,
      poolElements: o?.count ?? 0,
      checksum: o?.checksum.value() ?? empty,
    };
  });
}

function toText(d: Dump, profile: WireProfile, endpoint: TransportAddress): string {
  const list = owners(d.pools, profile);
  const own = ownChecksum(d, list, profile);
  const total = d.pools.reduce((n, p) => n + p.poolElements.length, 0);
  const lines: string[] = [];
  lines.push(
    `Registrar ${d.registrarId} (${profile.toUpperCase()} profile) at ${formatEndpoint(endpoint)}`,
  );
  lines.push(
    `Ownership checksum ${hex(d.checksum, profile)} reported, ${
      hex(own, profile)
    } computed from its PEs: ${own === d.checksum ? "consistent" : "DIFFERENT"}`,
  );
  const rows = peerRows(d, list, profile);
  lines.push("");
  lines.push(`Peer table (${rows.length - (rows.some((r) => r.self) ? 1 : 0)} live peer(s)):`);
  const idWidth = Math.max(
    2,
    ...rows.map((r) => `${r.registrarId}${r.self ? " (self)" : ""}`.length),
  );
  const epWidth = Math.max(4, ...rows.map((r) => r.enrp.length));
  lines.push(
    `  ${"ID".padEnd(idWidth)}  ${"ENRP".padEnd(epWidth)}  ${"PEs".padStart(7)}  CHECKSUM`,
  );
  for (const r of rows) {
    lines.push(
      `  ${`${r.registrarId}${r.self ? " (self)" : ""}`.padEnd(idWidth)}  ${
        r.enrp.padEnd(epWidth)
      }  ${String(r.poolElements).padStart(7)}  ${hex(r.checksum, profile)}`,
    );
  }
  lines.push("");
  lines.push(`Handlespace: ${d.pools.length} pool(s), ${total} pool element(s)`);
  for (const pool of d.pools) {
    const first = pool.poolElements[0];
    lines.push("");
    lines.push(
      `Pool ${JSON.stringify(bytesText(pool.poolHandle))}: ${pool.poolElements.length} PE(s)${
        first === undefined ? "" : `, policy ${policyText(first.policy).split(" ")[0]}`
      }`,
    );
    for (const pe of pool.poolElements) lines.push(peLine(pe));
  }
  if (list.length > 0) {
    lines.push("");
    lines.push("Home registrars (PEs each owns and their checksum, computed from the table):");
    for (const o of list) {
      const listed = d.servers.some((s) => s.registrarId === o.registrarId);
      lines.push(
        `  ${o.registrarId}: ${o.count} PE(s), checksum ${hex(o.checksum.value(), profile)}${
          listed ? "" : " (not a live peer: takeover pending)"
        }`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

function peLine(pe: PoolElementParameter): string {
  const parts = [
    `  PE ${pe.id}`,
    transportText(pe.userTransport),
    policyText(pe.policy),
    `home ${pe.homeRegistrarId}`,
    `life ${pe.registrationLife} ms`,
  ];
  if (pe.asapTransport !== undefined) parts.push(`ASAP ${transportText(pe.asapTransport)}`);
  return parts.join("  ");
}

function toJson(d: Dump, profile: WireProfile, endpoint: TransportAddress): unknown {
  const list = owners(d.pools, profile);
  const own = ownChecksum(d, list, profile);
  // The codec's JSON form renders pools and PEs (identifiers as decimal strings).
  const tables = messageToJson({
    type: "handle-table-response",
    reject: false,
    moreToSend: false,
    senderId: d.registrarId,
    receiverId: 0n,
    pools: d.pools,
  }) as { pools: unknown[] };
  const servers = messageToJson({
    type: "list-response",
    reject: false,
    senderId: d.registrarId,
    receiverId: 0n,
    servers: d.servers,
  }) as { servers: unknown[] };
  return {
    registrar: { id: d.registrarId.toString(), profile, enrp: formatEndpoint(endpoint) },
    checksum: { reported: d.checksum, computed: own, consistent: own === d.checksum },
    servers: servers.servers,
    pools: tables.pools,
    peers: peerRows(d, list, profile).map((r) => ({
      registrarId: r.registrarId.toString(),
      enrp: r.enrp,
      self: r.self,
      poolElements: r.poolElements,
      checksum: r.checksum,
    })),
    owners: list.map((o) => ({
      registrarId: o.registrarId.toString(),
      poolElements: o.count,
      checksum: o.checksum.value(),
      live: d.servers.some((s) => s.registrarId === o.registrarId),
    })),
    poolElements: d.pools.reduce((n, p) => n + p.poolElements.length, 0),
  };
}

if (isMainModule(import.meta)) runOnProcess(runHsdump);
