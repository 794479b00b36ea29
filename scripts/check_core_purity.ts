// Holds the sans-IO line: core/ uses only the language and a few universal globals.
// Fails (exit 1) listing every runtime API, clock, timer, random source or console call in
// non-test core/ code, and every import from outside core/ other than the allowed packages.
// Comments are ignored, so JSDoc examples may import "node:assert/strict".

const ALLOWED_PACKAGES = new Set(["cbor-x", "hono"]);
const FORBIDDEN: readonly [RegExp, string][] = [
  [/\bDeno\./, "Deno API"],
  [/\bBun\./, "Bun API"],
  [/\bprocess\.(env|exit|on|hrtime|stdout|stderr|argv)\b/, "Node process"],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\s*\(/, "timer"],
  [/\bDate\.now\s*\(/, "wall clock"],
  [/\bnew Date\s*\(\s*\)/, "wall clock"],
  [/\bperformance\.now\s*\(/, "clock"],
  [/\bMath\.random\s*\(/, "random source"],
  [/\bcrypto\.getRandomValues\s*\(/, "random source"],
  [/\bconsole\./, "console"],
  [/\brequire\s*\(/, "require"],
  [/\bawait\b/, "await (core calls are synchronous)"],
];

/** Removes comments, keeping strings and line structure. */
function stripComments(src: string): string {
  let out = "";
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const n = src[i + 1];
    if (c === "/" && n === "/") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && n === "*") {
      i += 2;
      while (i < src.length && !(src[i] === "*" && src[i + 1] === "/")) {
        if (src[i] === "\n") out += "\n";
        i++;
      }
      i += 2;
    } else if (c === '"' || c === "'" || c === "`") {
      const q = c;
      out += c;
      i++;
      while (i < src.length && src[i] !== q) {
        if (src[i] === "\\") {
          out += src[i]!;
          i++;
        }
        out += src[i] ?? "";
        i++;
      }
      out += q;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) yield* walk(p);
    else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) yield p;
  }
}

const problems: string[] = [];
for await (const file of walk("core")) {
  if (file.startsWith("core/_wasm/")) continue;
  const code = stripComments(await Deno.readTextFile(file));
  code.split("\n").forEach((line, i) => {
    for (const [re, what] of FORBIDDEN) {
      if (re.test(line)) problems.push(`${file}:${i + 1}: ${what}: ${line.trim()}`);
    }
    const m = /\b(?:from|import)\s*\(?\s*["']([^"']+)["']/.exec(line);
    if (m) {
      const spec = m[1]!;
      const ok = spec.startsWith(".") || ALLOWED_PACKAGES.has(spec.split("/")[0]!);
      if (!ok) problems.push(`${file}:${i + 1}: import from outside core: ${spec}`);
    }
  });
}
if (problems.length > 0) {
  console.error(`core/ must stay sans-IO; ${problems.length} problem(s):`);
  for (const p of problems) console.error(`  ${p}`);
  Deno.exit(1);
}
console.log("core/ is sans-IO: no runtime APIs, clocks, timers, random sources or console");
