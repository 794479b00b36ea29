// The TLS flags the tools share (--tls-cert, --tls-key, --tls-ca): PEM files read at startup
// into the driver's TlsOptions. Under Deno reading them needs --allow-read. Each flag has an
// environment variable (RSERPOOL_TLS_CERT, RSERPOOL_TLS_KEY, RSERPOOL_TLS_CA) used when the flag
// is absent: a flag wins over its variable. Under Deno the variables are read only with
// --allow-env (the deno tasks grant exactly these three); without it they count as unset.

import { readFileSync } from "node:fs";
import process from "node:process";
import type { TlsOptions } from "../tls.ts";
import { type FlagSpec, type parseFlags, UsageError } from "./_args.ts";

/** The flags, for a tool that serves (registrar) or connects (server, terminal). */
export function tlsFlags(role: "serve" | "connect" | "pe"): FlagSpec[] {
  return [
    {
      name: "tls-cert",
      kind: "value",
      value: "FILE",
      default: "none (plain TCP)",
      help: role === "serve"
        ? "serve ASAP over TLS with this certificate (PEM; needs --tls-key; env RSERPOOL_TLS_CERT)"
        : role === "pe"
        ? "present this certificate to the registrar and, with --compute, serve pool users over TLS with it (PEM; needs --tls-key)"
        : "present this client certificate (PEM; needs --tls-key; env RSERPOOL_TLS_CERT)",
    },
    {
      name: "tls-key",
      kind: "value",
      value: "FILE",
      default: "none",
      help: "private key of --tls-cert (PEM; env RSERPOOL_TLS_KEY)",
    },
    {
      name: "tls-ca",
      kind: "value",
      value: "FILE",
      default: role === "serve" ? "none (no client certificates)" : "none (plain TCP)",
      help: role === "serve"
        ? "require client certificates signed by this CA (mutual authentication; env RSERPOOL_TLS_CA)"
        : role === "pe"
        ? "connect to the registrar over TLS, verifying it against this CA; with --compute, require pool users' certificates from it (env RSERPOOL_TLS_CA)"
        : "connect over TLS, verifying the peer against this CA (env RSERPOOL_TLS_CA)",
    },
  ];
}

/** The environment variable of each TLS flag (used when the flag is absent). */
export const TLS_ENV = {
  "tls-cert": "RSERPOOL_TLS_CERT",
  "tls-key": "RSERPOOL_TLS_KEY",
  "tls-ca": "RSERPOOL_TLS_CA",
} as const;

/** Reads an environment variable; undefined when unset, empty or not readable (Deno without --allow-env). */
export function processEnv(name: string): string | undefined {
  try {
    const v = process.env[name];
    return v === undefined || v === "" ? undefined : v;
  } catch {
    return undefined;
  }
}

/** The TLS options the flags (or their environment variables) ask for, or undefined for plain TCP. */
export function readTlsFlags(
  flags: ReturnType<typeof parseFlags>,
  role: "serve" | "connect" | "pe",
  env: (name: string) => string | undefined = processEnv,
): TlsOptions | undefined {
  return readTlsValues((flag) => flags.string(flag), role, env);
}

/** Like {@link readTlsFlags}, for a tool with its own parser: `flag` gives a flag's value. */
export function readTlsValues(
  flag: (name: keyof typeof TLS_ENV) => string | undefined,
  role: "serve" | "connect" | "pe",
  env: (name: string) => string | undefined = processEnv,
): TlsOptions | undefined {
  const read = (name: keyof typeof TLS_ENV) => flag(name) ?? env(TLS_ENV[name]);
  const cert = read("tls-cert");
  const key = read("tls-key");
  const ca = read("tls-ca");
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError(
      "--tls-cert and --tls-key go together (RSERPOOL_TLS_CERT and RSERPOOL_TLS_KEY)",
    );
  }
  if (role === "serve" && cert === undefined && ca !== undefined) {
    throw new UsageError("--tls-ca needs --tls-cert and --tls-key");
  }
  if (role !== "serve" && ca === undefined && cert !== undefined) {
    throw new UsageError(
      "--tls-cert needs --tls-ca (the CA that signed the registrar's certificate)",
    );
  }
  if (cert === undefined && ca === undefined) return undefined;
  return {
    ...(cert === undefined ? {} : { cert: pem("--tls-cert", cert), key: pem("--tls-key", key!) }),
    ...(ca === undefined ? {} : { ca: pem("--tls-ca", ca) }),
  };
}

function pem(flag: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`${flag} ${file}: ${(e as Error).message}`);
  }
  if (!text.includes("-----BEGIN ")) throw new UsageError(`${flag} ${file}: not a PEM file`);
  return text;
}

/** The environment variable of each ENRP TLS flag (used when the flag is absent). */
export const ENRP_TLS_ENV = {
  "enrp-tls-cert": "RSERPOOL_ENRP_TLS_CERT",
  "enrp-tls-key": "RSERPOOL_ENRP_TLS_KEY",
  "enrp-tls-ca": "RSERPOOL_ENRP_TLS_CA",
} as const;

/**
 * The registrar's ENRP TLS flags: its certificate and key, and the operation scope's CA. With
 * them, the ENRP listener requires a certificate from that CA of every peer registrar (and of
 * monitors such as hsdump), and the registrar's own ENRP associations to its peers present its
 * certificate and verify theirs: only registrars holding a certificate from the scope's CA
 * join the operation scope.
 */
export function enrpTlsFlags(): FlagSpec[] {
  return [
    {
      name: "enrp-tls-cert",
      kind: "value",
      value: "FILE",
      default: "none (ENRP over plain TCP)",
      help:
        "ENRP over TLS with mutual authentication: this registrar's certificate, presented to peers and monitors (PEM; needs --enrp-tls-key and --enrp-tls-ca; env RSERPOOL_ENRP_TLS_CERT)",
    },
    {
      name: "enrp-tls-key",
      kind: "value",
      value: "FILE",
      default: "none",
      help: "private key of --enrp-tls-cert (PEM; env RSERPOOL_ENRP_TLS_KEY)",
    },
    {
      name: "enrp-tls-ca",
      kind: "value",
      value: "FILE",
      default: "none",
      help:
        "the operation scope's CA: peer registrars and monitors need a certificate from it (PEM; env RSERPOOL_ENRP_TLS_CA)",
    },
  ];
}

/** The ENRP TLS options the flags (or their variables) ask for, or undefined for plain TCP. */
export function readEnrpTlsFlags(
  flags: ReturnType<typeof parseFlags>,
  env: (name: string) => string | undefined = processEnv,
): TlsOptions | undefined {
  const read = (name: keyof typeof ENRP_TLS_ENV) => flags.string(name) ?? env(ENRP_TLS_ENV[name]);
  const cert = read("enrp-tls-cert");
  const key = read("enrp-tls-key");
  const ca = read("enrp-tls-ca");
  if (cert === undefined && key === undefined && ca === undefined) return undefined;
  if (cert === undefined || key === undefined || ca === undefined) {
    throw new UsageError(
      "--enrp-tls-cert, --enrp-tls-key and --enrp-tls-ca go together (mutual authentication between registrars)",
    );
  }
  return {
    cert: pem("--enrp-tls-cert", cert),
    key: pem("--enrp-tls-key", key),
    ca: pem("--enrp-tls-ca", ca),
  };
}
