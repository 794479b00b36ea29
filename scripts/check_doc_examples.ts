// Audits the JSR documentation beyond `deno doc --lint`: every entrypoint in deno.json
// `exports` opens with a module doc that has a code example, and every exported function and
// class has a titled `@example` with a code block (they run under `deno test --doc`).
// Fails (exit 1) listing each symbol that lacks one. Run:
//   deno run --allow-read --allow-run scripts/check_doc_examples.ts

interface JsDocTag {
  readonly kind: string;
  readonly doc?: string;
}
interface Declaration {
  readonly kind: string;
  readonly location: { readonly filename: string; readonly line: number };
  readonly jsDoc?: { readonly doc?: string; readonly tags?: readonly JsDocTag[] };
}
interface DocNode {
  readonly module_doc?: { readonly doc?: string };
  readonly symbols: readonly { readonly name: string; readonly declarations: Declaration[] }[];
}

const config = JSON.parse(await Deno.readTextFile("deno.json")) as {
  exports: Record<string, string>;
};
const entrypoints = Object.values(config.exports);
const deno = Deno.execPath();
const out = await new Deno.Command(deno, {
  args: ["doc", "--json", ...entrypoints],
  stdout: "piped",
  stderr: "inherit",
}).output();
if (!out.success) Deno.exit(1);
const nodes = (JSON.parse(new TextDecoder().decode(out.stdout)) as {
  nodes: Record<string, DocNode>;
}).nodes;

const cwd = `file://${Deno.cwd()}/`;
const problems: string[] = [];
const seen = new Set<string>();
for (const [module, node] of Object.entries(nodes)) {
  const path = module.replace(cwd, "");
  if (!(node.module_doc?.doc ?? "").includes("```")) {
    problems.push(`${path}: the module doc has no code example`);
  }
  for (const symbol of node.symbols) {
    for (const d of symbol.declarations) {
      if (d.kind !== "function" && d.kind !== "class") continue;
      const where = `${d.location.filename.replace(cwd, "")}:${d.location.line}`;
      if (seen.has(`${symbol.name}@${where}`)) continue;
      seen.add(`${symbol.name}@${where}`);
      const examples = (d.jsDoc?.tags ?? []).filter((t) => t.kind === "example");
      const titled = examples.some((t) => {
        const doc = t.doc ?? "";
        return doc.includes("```") && !doc.trimStart().startsWith("```");
      });
      if (!titled) problems.push(`${where}: ${d.kind} ${symbol.name} has no titled @example`);
    }
  }
}
if (problems.length > 0) {
  console.error(`${problems.length} public export(s) without an example:`);
  for (const p of problems) console.error(`  ${p}`);
  Deno.exit(1);
}
console.log(
  `Every entrypoint (${entrypoints.length}) has a module example and every exported function and class a titled @example (${seen.size})`,
);
