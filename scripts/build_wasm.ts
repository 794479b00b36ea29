// Builds the WebAssembly modules of asm/ and embeds them in generated TypeScript modules, so every
// runtime (Deno, Bun, Node, browsers through JSR) loads them without file or network access.
//
//   deno run --allow-all scripts/build_wasm.ts            rebuild core/_wasm/<name>_wasm.ts
//   deno run --allow-all scripts/build_wasm.ts --check    rebuild into a temporary directory and
//                                                         exit 1 if a committed module differs
//   deno run --allow-all scripts/build_wasm.ts --debug    also write debug builds (assertions on,
//                                                         .wasm + .wat) into asm/build/
//
// The compiler is `asc` from the npm package assemblyscript (node_modules/.bin/asc), release target
// of asm/asconfig.json. To add a module: put its entry file in asm/assembly/, add a row to MODULES
// below, run `deno task build:wasm` and commit the generated file (see asm/README.md).

/** One WebAssembly module: its entry file and the features it needs beyond WebAssembly 1.0. */
interface ModuleSpec {
  /** Module name: entry `asm/assembly/<name>.ts`, output `core/_wasm/<name>_wasm.ts`. */
  readonly name: string;
  /** Extra `asc` flags, e.g. `["--enable", "simd"]`. */
  readonly flags: readonly string[];
  /** What the module is, for the generated file's doc comment. */
  readonly summary: string;
}

const MODULES: readonly ModuleSpec[] = [
  {
    name: "checksum",
    flags: [],
    summary: "Checksum kernels, scalar build (any WebAssembly 1.0 engine)",
  },
  {
    name: "checksum_simd",
    flags: ["--enable", "simd"],
    summary: "Checksum kernels, SIMD build (needs the WebAssembly simd feature)",
  },
  {
    name: "selection",
    flags: [],
    summary: "Policy selection kernel (prefix-sum tree descent of the weighted-random engine)",
  },
];

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const ASC = `${root}/node_modules/.bin/asc`;
const ASM = `${root}/asm`;
const OUT = `${root}/core/_wasm`;
const BASE64_LINE = 100;

const args = new Set(Deno.args);
for (const arg of args) {
  if (!["--check", "--debug"].includes(arg)) {
    console.error(`Unknown argument ${JSON.stringify(arg)}; use --check or --debug`);
    Deno.exit(2);
  }
}

/** A build failure: reported after the temporary directory is removed. */
class BuildError extends Error {
  override name = "BuildError";
}

/** Runs `asc` with the given arguments; exits the script with asc's output if it fails. */
async function asc(argv: readonly string[]): Promise<void> {
  const out = await new Deno.Command(ASC, {
    args: [...argv],
    cwd: ASM,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    throw new BuildError(`asc ${argv.join(" ")} failed (exit ${out.code}):\n${text}`);
  }
}

async function ascVersion(): Promise<string> {
  const out = await new Deno.Command(ASC, { args: ["--version"], stdout: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  const m = /(\d+\.\d+\.\d+\S*)/.exec(text);
  if (!out.success || !m) {
    console.error(`Cannot run ${ASC}: run \`npm ci\` first (assemblyscript is a devDependency)`);
    Deno.exit(1);
  }
  return m[1]!;
}

/** Sorted paths (relative to asm/) of every input that can change the compiled bytes. */
async function sourceFiles(): Promise<string[]> {
  const files: string[] = ["asconfig.json"];
  const walk = async (dir: string, rel: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = `${dir}/${e.name}`;
      const r = `${rel}${e.name}`;
      if (e.isDirectory) await walk(p, `${r}/`);
      else if (e.name.endsWith(".ts")) files.push(r);
    }
  };
  await walk(`${ASM}/assembly`, "assembly/");
  return files.sort();
}

/** sha256 over the compiler version, the module's flags and every source file (path + bytes). */
async function sourceHash(spec: ModuleSpec, version: string, files: readonly string[]) {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [enc.encode(`assemblyscript ${version}\0${spec.flags.join(" ")}\0`)];
  for (const f of files) {
    parts.push(enc.encode(`${f}\0`), await Deno.readFile(`${ASM}/${f}`), enc.encode("\0"));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** The generated TypeScript module that embeds one compiled module. */
function render(spec: ModuleSpec, bytes: Uint8Array, hash: string, version: string): string {
  const b64 = base64(bytes);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += BASE64_LINE) lines.push(b64.slice(i, i + BASE64_LINE));
  const body = lines.length === 0 ? '""' : lines.map((l) => `"${l}"`).join(" +\n  ");
  const flags = spec.flags.length > 0 ? ` ${spec.flags.join(" ")}` : "";
  return `// Generated by scripts/build_wasm.ts from asm/assembly/${spec.name}.ts: DO NOT EDIT.
// deno-fmt-ignore-file
// Rebuild with \`deno task build:wasm\`; CI rebuilds and fails if this file differs.
// asc --config asconfig.json --target release${flags} (assemblyscript ${version})
// sha256 of compiler version, flags and asm/ sources: ${hash}

/** ${spec.summary}: size of the module in bytes. */
export const WASM_BYTE_LENGTH: number = ${bytes.length};

/** ${spec.summary}: sha256 of the compiler version, flags and asm/ sources it was built from. */
export const WASM_SOURCE_HASH: string = "${hash}";

/** ${spec.summary}: the module bytes, base64-encoded. */
export const WASM_BASE64: string =
  ${body};
`;
}

/** Compiles one module in release mode into `dir`; returns the generated TypeScript text. */
async function build(
  spec: ModuleSpec,
  dir: string,
  version: string,
  files: readonly string[],
): Promise<string> {
  const wasm = `${dir}/${spec.name}.wasm`;
  await asc([
    `assembly/${spec.name}.ts`,
    "--config",
    "asconfig.json",
    "--target",
    "release",
    ...spec.flags,
    "--outFile",
    wasm,
  ]);
  const bytes = await Deno.readFile(wasm);
  if (!WebAssembly.validate(bytes)) {
    throw new BuildError(`asc produced an invalid module for ${spec.name}`);
  }
  const module = new WebAssembly.Module(bytes);
  const imports = WebAssembly.Module.imports(module);
  if (imports.length > 0) {
    const names = imports.map((i) => `${i.module}.${i.name}`).join(", ");
    throw new BuildError(
      `Module ${spec.name} must be import-free in release builds: imports ${names}`,
    );
  }
  return render(spec, bytes, await sourceHash(spec, version, files), version);
}

const version = await ascVersion();
const files = await sourceFiles();
const tmp = await Deno.makeTempDir({ prefix: "rserpool-wasm-" });
let failure: string | undefined;
try {
  await Deno.mkdir(OUT, { recursive: true });
  const stale: string[] = [];
  for (const spec of MODULES) {
    const text = await build(spec, tmp, version, files);
    const target = `${OUT}/${spec.name}_wasm.ts`;
    let committed: string | undefined;
    try {
      committed = await Deno.readTextFile(target);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    if (args.has("--check")) {
      if (committed !== text) stale.push(`core/_wasm/${spec.name}_wasm.ts`);
    } else if (committed !== text) {
      await Deno.writeTextFile(target, text);
      console.log(`wrote core/_wasm/${spec.name}_wasm.ts`);
    } else {
      console.log(`core/_wasm/${spec.name}_wasm.ts is up to date`);
    }
    if (args.has("--debug")) {
      await Deno.mkdir(`${ASM}/build`, { recursive: true });
      await asc([
        `assembly/${spec.name}.ts`,
        "--config",
        "asconfig.json",
        "--target",
        "debug",
        ...spec.flags,
        "--outFile",
        `build/${spec.name}.debug.wasm`,
        "--textFile",
        `build/${spec.name}.debug.wat`,
      ]);
      console.log(`wrote asm/build/${spec.name}.debug.wasm and .wat`);
    }
  }
  // A generated module whose entry is gone from MODULES is stale too.
  const known = new Set(MODULES.map((m) => `${m.name}_wasm.ts`));
  for await (const e of Deno.readDir(OUT)) {
    if (e.name.endsWith("_wasm.ts") && !known.has(e.name)) {
      if (args.has("--check")) stale.push(`core/_wasm/${e.name}`);
      else console.warn(`core/_wasm/${e.name} has no entry in MODULES: delete it`);
    }
  }
  if (args.has("--check")) {
    if (stale.length > 0) {
      failure = `The embedded WebAssembly is out of date with asm/: ${stale.join(", ")} ` +
        "differ(s) from a fresh build or has no module entry. " +
        "Run `deno task build:wasm` and commit the result.";
    } else {
      console.log(`embedded WebAssembly is up to date (${MODULES.length} modules, asc ${version})`);
    }
  }
} catch (e) {
  if (!(e instanceof BuildError)) throw e;
  failure = e.message;
} finally {
  await Deno.remove(tmp, { recursive: true });
}
if (failure !== undefined) {
  console.error(failure);
  Deno.exit(1);
}
