import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseFlags, UsageError } from "./_args.ts";
import { runRegistrar } from "./registrar.ts";
import { TestIo } from "./_testing.ts";
import {
  ENRP_TLS_ENV,
  enrpTlsFlags,
  readEnrpTlsFlags,
  readTlsFlags,
  readTlsValues,
  TLS_ENV,
  tlsFlags,
} from "./_tls.ts";

function pemFiles(): { dir: string; a: string; b: string; c: string } {
  const dir = mkdtempSync(join(tmpdir(), "rserpool-tls-flags-"));
  const files = ["a", "b", "c"].map((n) => {
    const f = join(dir, `${n}.pem`);
    writeFileSync(f, `-----BEGIN ${n.toUpperCase()}-----\n${n}\n-----END-----\n`);
    return f;
  });
  return { dir, a: files[0]!, b: files[1]!, c: files[2]! };
}

test("readTlsFlags() takes certificate, key and CA from RSERPOOL_TLS_* when the flags are absent", () => {
  const f = pemFiles();
  try {
    const env = new Map<string, string>([
      [TLS_ENV["tls-cert"], f.a],
      [TLS_ENV["tls-key"], f.b],
      [TLS_ENV["tls-ca"], f.c],
    ]);
    const flags = parseFlags("server", [], tlsFlags("pe"));
    const tls = readTlsFlags(flags, "pe", (n) => env.get(n));
    assert.match(tls?.cert ?? "", /BEGIN A/);
    assert.match(tls?.key ?? "", /BEGIN B/);
    assert.match(tls?.ca ?? "", /BEGIN C/);
    // Nothing set anywhere: plain TCP.
    assert.equal(readTlsFlags(flags, "pe", () => undefined), undefined);
  } finally {
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test("readTlsFlags() lets each flag win over its environment variable", () => {
  const f = pemFiles();
  try {
    const env = new Map<string, string>([
      [TLS_ENV["tls-cert"], f.a],
      [TLS_ENV["tls-key"], f.b],
      [TLS_ENV["tls-ca"], f.c],
    ]);
    const flags = parseFlags("registrar", ["--tls-ca", f.a], tlsFlags("serve"));
    const tls = readTlsFlags(flags, "serve", (n) => env.get(n));
    assert.match(tls?.ca ?? "", /BEGIN A/);
    assert.match(tls?.cert ?? "", /BEGIN A/);
    // A variable naming no file is a usage error that names the variable's flag.
    assert.throws(
      () =>
        readTlsValues(
          () => undefined,
          "connect",
          (n) => n === TLS_ENV["tls-ca"] ? join(f.dir, "none") : undefined,
        ),
      (e: unknown) => e instanceof UsageError && /--tls-ca/.test(e.message),
    );
    // A certificate without its key, from the environment.
    assert.throws(
      () =>
        readTlsValues(
          () => undefined,
          "connect",
          (n) => n === TLS_ENV["tls-cert"] ? f.a : undefined,
        ),
      (e: unknown) => e instanceof UsageError && /RSERPOOL_TLS_KEY/.test(e.message),
    );
  } finally {
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test("readEnrpTlsFlags() needs certificate, key and CA together, from flags or RSERPOOL_ENRP_TLS_*", () => {
  const f = pemFiles();
  try {
    const none = parseFlags("registrar", [], enrpTlsFlags());
    assert.equal(readEnrpTlsFlags(none, () => undefined), undefined);
    const env = new Map<string, string>([
      [ENRP_TLS_ENV["enrp-tls-cert"], f.a],
      [ENRP_TLS_ENV["enrp-tls-key"], f.b],
      [ENRP_TLS_ENV["enrp-tls-ca"], f.c],
    ]);
    const all = readEnrpTlsFlags(none, (n) => env.get(n));
    assert.match(all?.cert ?? "", /BEGIN A/);
    assert.match(all?.ca ?? "", /BEGIN C/);
    // A flag wins over its variable.
    const flag = parseFlags("registrar", ["--enrp-tls-ca", f.a], enrpTlsFlags());
    assert.match(readEnrpTlsFlags(flag, (n) => env.get(n))?.ca ?? "", /BEGIN A/);
    // A CA alone is not enough: a registrar must present a certificate to its peers.
    assert.throws(
      () => readEnrpTlsFlags(flag, () => undefined),
      (e: unknown) => e instanceof UsageError && /go together/.test(e.message),
    );
  } finally {
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test("runRegistrar() refuses --enrp-tls-* with a transport TLS does not cover, and a half ENRP TLS setting (exit 64)", async () => {
  const f = pemFiles();
  try {
    const tls = ["--enrp-tls-cert", f.a, "--enrp-tls-key", f.b, "--enrp-tls-ca", f.c];
    const io = new TestIo();
    assert.equal(await runRegistrar([...tls, "--transport", "auto"], io), 64);
    assert.match(io.stderr, /--enrp-tls-\* secures TCP only/);
    const half = new TestIo();
    assert.equal(await runRegistrar(["--enrp-tls-ca", f.c], half), 64);
    assert.match(half.stderr, /go together/);
  } finally {
    rmSync(f.dir, { recursive: true, force: true });
  }
});
