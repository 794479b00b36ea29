// Runs one of bench/'s tools as a developer would (`deno run --allow-all bench/<tool>.ts ...`),
// for the end-to-end tests of those tools.

/** What a run of a bench tool printed, and whether it exited 0. */
export interface BenchToolRun {
  readonly ok: boolean;
  readonly out: string;
  readonly err: string;
}

/** The project's root directory (a checkout the paired tools can compare against). */
export const ROOT = new URL("../..", import.meta.url).pathname;

/** Runs `bench/<tool>` with `args` under this Deno and collects its output. */
export async function runBenchTool(tool: string, args: readonly string[]): Promise<BenchToolRun> {
  const script = new URL(`../../bench/${tool}`, import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", script, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { ok: out.success, out: text.decode(out.stdout), err: text.decode(out.stderr) };
}
