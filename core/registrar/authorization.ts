/**
 * The registrar's per-pool authorization policy: which peers may register PEs into which pool
 * handles, and which may resolve them (and report their PEs unreachable). Peers are named by
 * the identity in their TLS client certificate (subject, common name, subjectAltName) or by
 * their source address.
 *
 * The policy is JSON:
 *
 * ```json
 * {
 *   "rules": [
 *     { "pool": "EchoPool", "register": ["cn:pe-echo-*"], "resolve": ["any"] },
 *     { "pool": "Billing*", "register": ["san:DNS:*.billing.example"], "resolve": ["address:10.1.0.0/16"] }
 *   ],
 *   "default": { "register": ["authenticated"], "resolve": ["any"] }
 * }
 * ```
 *
 * The first rule whose `pool` matches the pool handle decides (`*` matches any run of
 * characters; pool handles that are not UTF-8 text match only `"*"`); without a matching rule
 * `default` decides, and without `default` everything is refused. A principal is one of:
 * `any` (every peer), `authenticated` (any peer with a valid client certificate), `cn:GLOB`,
 * `subject:GLOB` (the subject as `KEY=value` pairs joined by commas, e.g. `O=Example,CN=pe1`),
 * `san:GLOB` (one subjectAltName such as `DNS:pe1.example`, `IP:10.0.0.1`, `URI:spiffe://x`),
 * `fingerprint:HEX` (the certificate's SHA-256 fingerprint) and `address:IP` or
 * `address:IP/PREFIX` (the association's source address).
 *
 * @example Refuse a registration into a pool the peer does not own
 * ```ts
 * import { parseAuthorizationPolicy } from "./authorization.ts";
 * import assert from "node:assert/strict";
 * const policy = parseAuthorizationPolicy(JSON.stringify({
 *   rules: [{ pool: "EchoPool", register: ["cn:pe-echo-*"], resolve: ["any"] }],
 * }));
 * const pool = new TextEncoder().encode("EchoPool");
 * const pe = { address: "10.0.0.5", identity: { subject: "CN=pe-echo-1", commonName: "pe-echo-1", subjectAltNames: [], fingerprint256: "" } };
 * assert.equal(policy.allows("register", pool, pe), true);
 * assert.equal(policy.allows("register", pool, { address: "10.0.0.6", identity: undefined }), false);
 * assert.equal(policy.allows("resolve", pool, { address: "10.0.0.6", identity: undefined }), true);
 * // Address ranges
 * const p = parseAuthorizationPolicy('{"default":{"register":["address:10.0.0.0/8"],"resolve":["any"]}}');
 * assert.equal(p.allows("register", pool, { address: "10.9.8.7", identity: undefined }), true);
 * assert.equal(p.allows("register", pool, { address: "192.0.2.1", identity: undefined }), false);
 * ```
 *
 * @module
 */

import type { PeerIdentity } from "../role.ts";
import { parseIpAddress } from "../wire/ip_address.ts";

/** What a peer asks to do with a pool. */
export type AuthorizationAction = "register" | "resolve";

/** The peer of an association, as the policy sees it. */
export interface AuthorizationPeer {
  /** The association's remote address (IP text). */
  readonly address: string;
  /** The identity of its TLS client certificate, if any. */
  readonly identity: PeerIdentity | undefined;
}

type Principal =
  | { readonly kind: "any" }
  | { readonly kind: "authenticated" }
  | { readonly kind: "cn" | "subject" | "san"; readonly pattern: RegExp }
  | { readonly kind: "fingerprint"; readonly value: string }
  | { readonly kind: "address"; readonly bytes: Uint8Array; readonly prefix: number };

interface Rule {
  readonly pool: RegExp;
  readonly register: readonly Principal[];
  readonly resolve: readonly Principal[];
}

/** A parsed authorization policy (see the module documentation for the format). */
export interface AuthorizationPolicy {
  /** How many rules the policy has (without the default). */
  readonly size: number;
  /**
   * Whether a peer may do something with a pool.
   *
   * @param action `"register"` (Registration) or `"resolve"` (Handle Resolution, Endpoint
   *   Unreachable).
   * @param poolHandle The pool handle.
   * @param peer The peer's address and certificate identity.
   * @returns True when the first matching rule (or the default) lists a principal the peer is.
   */
  allows(action: AuthorizationAction, poolHandle: Uint8Array, peer: AuthorizationPeer): boolean;
}

class Policy implements AuthorizationPolicy {
  readonly #rules: readonly Rule[];
  readonly #default: Rule | undefined;
  readonly #decoder = new TextDecoder("utf-8", { fatal: true });

  constructor(rules: readonly Rule[], fallback: Rule | undefined) {
    this.#rules = rules;
    this.#default = fallback;
  }

  get size(): number {
    return this.#rules.length;
  }

  allows(action: AuthorizationAction, poolHandle: Uint8Array, peer: AuthorizationPeer): boolean {
    let text: string | undefined;
    try {
      text = this.#decoder.decode(poolHandle);
    } catch {
      text = undefined;
    }
    let rule = this.#default;
    for (const r of this.#rules) {
      if (text === undefined ? r.pool.source === "^.*$" : r.pool.test(text)) {
        rule = r;
        break;
      }
    }
    if (rule === undefined) return false;
    const principals = action === "register" ? rule.register : rule.resolve;
    for (const p of principals) if (matches(p, peer)) return true;
    return false;
  }
}

function matches(p: Principal, peer: AuthorizationPeer): boolean {
  const id = peer.identity;
  switch (p.kind) {
    case "any":
      return true;
    case "authenticated":
      return id !== undefined;
    case "cn":
      return id?.commonName !== undefined && p.pattern.test(id.commonName);
    case "subject":
      return id !== undefined && p.pattern.test(id.subject);
    case "san":
      return id !== undefined && id.subjectAltNames.some((s) => p.pattern.test(s));
    case "fingerprint":
      return id !== undefined && normalizeFingerprint(id.fingerprint256) === p.value;
    case "address": {
      let bytes: Uint8Array;
      try {
        bytes = parseIpAddress(peer.address);
      } catch {
        return false;
      }
      return inPrefix(bytes, p.bytes, p.prefix);
    }
  }
}

function inPrefix(a: Uint8Array, net: Uint8Array, prefix: number): boolean {
  if (a.length !== net.length) return false;
  let bits = prefix;
  for (let i = 0; i < a.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (net[i]! & mask)) return false;
  }
  return true;
}

function normalizeFingerprint(s: string): string {
  return s.replaceAll(":", "").toLowerCase();
}

function glob(pattern: string): RegExp {
  const body = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`);
}

/**
 * An authorization policy file that cannot be used; `path` says where in the JSON.
 *
 * @example Where the error is
 * ```ts
 * import { AuthorizationPolicyError, parseAuthorizationPolicy } from "./authorization.ts";
 * import assert from "node:assert/strict";
 * assert.throws(
 *   () => parseAuthorizationPolicy('{"rules":[{"pool":"A","register":["cn"]}]}'),
 *   (e: unknown) => e instanceof AuthorizationPolicyError && e.path === "rules[0].register[0]",
 * );
 * ```
 */
export class AuthorizationPolicyError extends SyntaxError {
  /** Where: e.g. `rules[2].register[0]`. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param path Where in the policy.
   * @param message What is wrong.
   */
  constructor(path: string, message: string) {
    super(`Cannot read authorization policy: ${path === "" ? "" : `${path}: `}${message}`);
    this.name = "AuthorizationPolicyError";
    this.path = path;
  }
}

/**
 * Parses an authorization policy (JSON text, see the module documentation).
 *
 * @param text The JSON text.
 * @returns The policy.
 * @throws {AuthorizationPolicyError} (a SyntaxError) naming the path of the first problem.
 * @example Unknown principals are refused at load time
 * ```ts
 * import { parseAuthorizationPolicy } from "./authorization.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => parseAuthorizationPolicy('{"rules":[{"pool":"A","register":["everyone"]}]}'), SyntaxError);
 * assert.equal(parseAuthorizationPolicy('{"rules":[]}').size, 0);
 * ```
 */
export function parseAuthorizationPolicy(text: string): AuthorizationPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AuthorizationPolicyError("", `not JSON (${(e as Error).message})`);
  }
  if (!isObject(json)) throw new AuthorizationPolicyError("", "the policy must be an object");
  for (const key of Object.keys(json)) {
    if (key !== "rules" && key !== "default") {
      throw new AuthorizationPolicyError(key, `unknown key (expected "rules" and "default")`);
    }
  }
  const rulesJson = json.rules ?? [];
  if (!Array.isArray(rulesJson)) throw new AuthorizationPolicyError("rules", "must be an array");
  const rules = rulesJson.map((r, i) => rule(`rules[${i}]`, r, true));
  const fallback = json.default === undefined ? undefined : rule("default", json.default, false);
  return new Policy(rules, fallback);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function rule(path: string, v: unknown, needsPool: boolean): Rule {
  if (!isObject(v)) throw new AuthorizationPolicyError(path, "must be an object");
  for (const key of Object.keys(v)) {
    if (key !== "register" && key !== "resolve" && !(needsPool && key === "pool")) {
      throw new AuthorizationPolicyError(`${path}.${key}`, "unknown key");
    }
  }
  let pool = /^.*$/;
  if (needsPool) {
    if (typeof v.pool !== "string" || v.pool.length === 0) {
      throw new AuthorizationPolicyError(`${path}.pool`, "must be a non-empty string");
    }
    pool = v.pool === "*" ? /^.*$/ : glob(v.pool);
  }
  return {
    pool,
    register: principals(`${path}.register`, v.register),
    resolve: principals(`${path}.resolve`, v.resolve),
  };
}

function principals(path: string, v: unknown): Principal[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new AuthorizationPolicyError(path, "must be an array");
  return v.map((p, i) => principal(`${path}[${i}]`, p));
}

function principal(path: string, v: unknown): Principal {
  if (typeof v !== "string") throw new AuthorizationPolicyError(path, "must be a string");
  if (v === "any") return { kind: "any" };
  if (v === "authenticated") return { kind: "authenticated" };
  const colon = v.indexOf(":");
  const kind = colon < 0 ? v : v.slice(0, colon);
  const arg = colon < 0 ? "" : v.slice(colon + 1);
  if (arg === "") {
    throw new AuthorizationPolicyError(
      path,
      `"${v}" is not a principal (any, authenticated, cn:, subject:, san:, fingerprint:, address:)`,
    );
  }
  switch (kind) {
    case "cn":
    case "subject":
    case "san":
      return { kind, pattern: glob(arg) };
    case "fingerprint":
      return { kind, value: normalizeFingerprint(arg) };
    case "address": {
      const slash = arg.indexOf("/");
      const ip = slash < 0 ? arg : arg.slice(0, slash);
      let bytes: Uint8Array;
      try {
        bytes = parseIpAddress(ip);
      } catch {
        throw new AuthorizationPolicyError(path, `"${ip}" is not an IP address`);
      }
      const max = bytes.length * 8;
      const prefix = slash < 0 ? max : Number(arg.slice(slash + 1));
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
        throw new AuthorizationPolicyError(path, `prefix length of "${arg}" is not in 0..${max}`);
      }
      return { kind, bytes, prefix };
    }
    default:
      throw new AuthorizationPolicyError(
        path,
        `"${v}" is not a principal (any, authenticated, cn:, subject:, san:, fingerprint:, address:)`,
      );
  }
}
