// The parent side of the paired A/B tools (bench/paired_ab.ts, bench/paired_lifecycle.ts): the
// checkout to compare with, and the child processes that time both trees, every other one with
// --swap so that the order of the trees is counterbalanced across processes.

/**
 * The --base option: the other checkout's path without trailing slashes; a TypeError when it is
 * missing.
 */
export function baseDir(base: string | undefined): string {
  if (base === undefined) {
    throw new TypeError("--base is required: the path of the other checkout (e.g. /tmp/main-base)");
  }
  return base.replace(/\/+$/, "");
}

/**
 * Runs `script` `processes` times as a child (`--child` plus this process's arguments, `--swap`
 * in every other), one after the other, and hands each JSON line a child prints to `record`;
 * progress goes to standard error as "<tool>: process i of n done".
 */
export async function runPairedChildren<T>(
  tool: string,
  script: string,
  processes: number,
  record: (line: T) => void,
): Promise<void> {
  for (let i = 0; i < processes; i++) {
    const args = ["run", "--allow-all", script, "--child", ...Deno.args];
    if (i % 2 === 1) args.push("--swap");
    const out = await new Deno.Command(Deno.execPath(), {
      args,
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`${tool} process ${i + 1} of ${processes} failed`);
    for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
      if (line.trim() !== "") record(JSON.parse(line) as T);
    }
    console.error(`${tool}: process ${i + 1} of ${processes} done`);
  }
}
