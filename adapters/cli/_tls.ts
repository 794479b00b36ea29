// The TLS flags the tools share (--tls-cert, --tls-key, --tls-ca): PEM files read at startup
// into the driver's TlsOptions. Under Deno reading them needs --allow-read.

import { readFileSync } from "node:fs";
import type { TlsOptions } from "../tls.ts";
import { type FlagSpec, type parseFlags, UsageError } from "./_args.ts";

/** The flags, for a tool that serves (registrar) or connects (server, terminal). */
export function tlsFlags(role: "serve" | "connect"): FlagSpec[] {
  return [
    {
      name: "tls-cert",
      kind: "value",
      value: "FILE",
      default: "none (plain TCP)",
      help: role === "serve"
        ? "serve ASAP over TLS with this certificate (PEM; needs --tls-key)"
        : "present this client certificate to the registrar (PEM; needs --tls-key)",
    },
    {
      name: "tls-key",
      kind: "value",
      value: "FILE",
      default: "none",
      help: "private key of --tls-cert (PEM)",
    },
    {
      name: "tls-ca",
      kind: "value",
      value: "FILE",
      default: role === "serve" ? "none (no client certificates)" : "none (plain TCP)",
      help: role === "serve"
        ? "require client certificates signed by this CA (mutual authentication)"
        : "connect to the registrar over TLS, verifying it against this CA",
    },
  ];
}

/** The TLS options the flags ask for, or undefined for plain TCP. */
export function readTlsFlags(
  flags: ReturnType<typeof parseFlags>,
  role: "serve" | "connect",
): TlsOptions | undefined {
  const cert = flags.string("tls-cert");
  const key = flags.string("tls-key");
  const ca = flags.string("tls-ca");
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError("--tls-cert and --tls-key go together");
  }
  if (role === "serve" && cert === undefined && ca !== undefined) {
    throw new UsageError("--tls-ca needs --tls-cert and --tls-key");
  }
  if (role === "connect" && ca === undefined && cert !== undefined) {
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
