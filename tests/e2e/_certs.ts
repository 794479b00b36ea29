// Throwaway certificates for the TLS tests, made at run time with openssl (never committed):
// a CA, certificates it signs (subject CN and subjectAltNames chosen per test), and a rogue CA.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Why the TLS tests cannot run here (openssl missing), or undefined. */
export function opensslMissing(): string | undefined {
  const r = spawnSync("openssl", ["version"], { encoding: "utf8" });
  return r.status === 0 ? undefined : "openssl is not installed (apt-get install openssl)";
}

/** Whether a missing tool must fail the test (CI sets RSERPOOL_REQUIRE_SYSTEM_TOOLS=1). */
export const REQUIRE_SYSTEM_TOOLS = process.env.RSERPOOL_REQUIRE_SYSTEM_TOOLS === "1";

/** Files of one certificate. */
export interface CertFiles {
  readonly cert: string;
  readonly key: string;
}

/** A CA in a temporary folder, issuing certificates. */
export class TestCa {
  readonly dir: string;
  readonly ca: CertFiles;
  readonly #name: string;

  constructor(name = "rserpool-test-ca", dir?: string) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), "rserpool-tls-"));
    this.#name = name;
    this.ca = { cert: join(this.dir, `${name}.pem`), key: join(this.dir, `${name}.key`) };
    openssl([
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      this.ca.key,
      "-out",
      this.ca.cert,
      "-days",
      "1",
      "-subj",
      `/CN=${name}`,
    ]);
  }

  /** Issues a certificate with this common name and subjectAltNames (e.g. "IP:127.0.0.1"). */
  issue(cn: string, altNames: readonly string[] = ["IP:127.0.0.1", "DNS:localhost"]): CertFiles {
    const base = join(this.dir, `${this.#name}-${cn}`);
    const files = { cert: `${base}.pem`, key: `${base}.key` };
    openssl([
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      files.key,
      "-out",
      `${base}.csr`,
      "-subj",
      `/O=rserpool-ng tests/CN=${cn}`,
    ]);
    writeFileSync(`${base}.ext`, `subjectAltName=${altNames.join(",")}\n`);
    openssl([
      "x509",
      "-req",
      "-in",
      `${base}.csr`,
      "-CA",
      this.ca.cert,
      "-CAkey",
      this.ca.key,
      "-CAcreateserial",
      "-out",
      files.cert,
      "-days",
      "1",
      "-extfile",
      `${base}.ext`,
    ]);
    return files;
  }

  /** Deletes the folder. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}
