// Audits the JSR documentation beyond `deno doc --lint`: every entrypoint in deno.json
// `exports` opens with a module doc that has a code example, every exported function and
// class has a titled `@example` with a code block (they run under `deno test --doc`), and
// every exported function and public method (getters aside) has an `@param` per parameter
// and an `@returns` unless it returns nothing.
// Fails (exit 1) listing each symbol that lacks one. Run:
//   deno run --allow-read --allow-run scripts/check_doc_examples.ts

interface JsDocTag {
  readonly kind: string;
  readonly doc?: string;
}
interface JsDoc {
  readonly doc?: string;
  readonly tags?: readonly JsDocTag[];
}
interface FunctionDef {
  readonly params?: readonly unknown[];
  readonly returnType?: { readonly repr?: string };
}
interface Declaration {
  readonly kind: string;
  readonly location: { readonly filename: string; readonly line: number };
  readonly jsDoc?: JsDoc;
  readonly def?: FunctionDef & {
    readonly methods?: readonly {
      readonly name: string;
      readonly kind: string;
      readonly accessibility?: string;
      readonly jsDoc?: JsDoc;
      readonly functionDef: FunctionDef;
    }[];
  };
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

/** Records a missing `@param` or `@returns` of a function or method. */
function checkSignature(what: string, fn: FunctionDef, jsDoc: JsDoc | undefined): void {
  const tags = jsDoc?.tags ?? [];
  const params = fn.params?.length ?? 0;
  const documented = tags.filter((t) => t.kind === "param").length;
  if (documented < params) problems.push(`${what} documents ${documented} of ${params} @param`);
  const returns = fn.returnType?.repr ?? "void";
  if (!/^(void|Promise<void>|never)$/.test(returns) && !tags.some((t) => t.kind === "return")) {
    problems.push(`${what} returns ${returns} without @returns`);
  }
}

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
      if (d.kind === "function" && d.def !== undefined) {
        checkSignature(`${where}: function ${symbol.name}`, d.def, d.jsDoc);
      }
      for (const m of d.def?.methods ?? []) {
        if (m.kind !== "method" || m.accessibility === "private" || m.name.startsWith("#")) {
          continue;
        }
        checkSignature(`${where}: method ${symbol.name}.${m.name}`, m.functionDef, m.jsDoc);
      }
    }
  }
}
if (problems.length > 0) {
  console.error(`${problems.length} documentation problem(s) in the public API:`);
  for (const p of problems) console.error(`  ${p}`);
  Deno.exit(1);
}
console.log(
  `Every entrypoint (${entrypoints.length}) has a module example; every exported function and class (${seen.size}) a titled @example; functions and methods their @param and @returns`,
);
