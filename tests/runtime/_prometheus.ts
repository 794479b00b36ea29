// A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: it
// fails on anything a Prometheus server would reject (bad names, label syntax, values, a
// sample before its TYPE, duplicate series, histogram buckets that are not cumulative or whose
// +Inf bucket differs from _count).

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  readonly help: string;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function parseValue(text: string, line: number): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    throw new SyntaxError(`line ${line}: bad value "${text}"`);
  }
  return Number(text);
}

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf("=", i);
    if (eq < 0) throw new SyntaxError(`line ${line}: label without "="`);
    const name = text.slice(i, eq);
    if (!LABEL.test(name)) throw new SyntaxError(`line ${line}: bad label name "${name}"`);
    if (text[eq + 1] !== '"') throw new SyntaxError(`line ${line}: label value not quoted`);
    let value = "";
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === "\\") {
        const n = text[++j];
        if (n === "n") value += "\n";
        else if (n === "\\" || n === '"') value += n;
        else throw new SyntaxError(`line ${line}: bad escape "\\${n}"`);
      } else value += text[j];
    }
    if (j >= text.length) throw new SyntaxError(`line ${line}: unterminated label value`);
    if (name in labels) throw new SyntaxError(`line ${line}: duplicate label "${name}"`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ",") i++;
    else if (i < text.length) throw new SyntaxError(`line ${line}: expected "," after label`);
  }
  return labels;
}

function familyOf(sample: string, families: Map<string, Family>): Family | undefined {
  for (const suffix of ["_bucket", "_sum", "_count", ""]) {
    if (suffix !== "" && !sample.endsWith(suffix)) continue;
    const f = families.get(sample.slice(0, sample.length - suffix.length));
    if (f !== undefined && (suffix === "" || f.type === "histogram" || f.type === "summary")) {
      return f;
    }
  }
  return undefined;
}

/** Parses and validates an exposition; throws SyntaxError naming the line on any problem. */
export function parsePrometheus(text: string): Map<string, Family> {
  if (!text.endsWith("\n")) throw new SyntaxError("exposition does not end with a line feed");
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const lines = text.slice(0, -1).split("\n");
  const help = new Map<string, string>();
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw === "") return;
    if (raw.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (m === null) return; // a plain comment
      const [, kind, name, rest] = m;
      if (!NAME.test(name!)) throw new SyntaxError(`line ${line}: bad metric name "${name}"`);
      if (kind === "HELP") help.set(name!, rest!);
      else {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(rest!)) {
          throw new SyntaxError(`line ${line}: bad type "${rest}"`);
        }
        if (families.has(name!)) throw new SyntaxError(`line ${line}: second TYPE for ${name}`);
        families.set(name!, {
          name: name!,
          type: rest as Family["type"],
          help: help.get(name!) ?? "",
          samples: [],
        });
      }
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(raw);
    if (m === null) throw new SyntaxError(`line ${line}: not a sample: "${raw}"`);
    const name = m[1]!;
    const labels = parseLabels(m[3] ?? "", line);
    const value = parseValue(m[4]!, line);
    const family = familyOf(name, families);
    if (family === undefined) throw new SyntaxError(`line ${line}: sample ${name} before its TYPE`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new SyntaxError(`line ${line}: duplicate series ${key}`);
    seen.add(key);
    if (family.type === "counter" && !(value >= 0)) {
      throw new SyntaxError(`line ${line}: counter ${name} is ${value}`);
    }
    family.samples.push({ name, labels, value });
  });
  for (const f of families.values()) {
    if (f.type !== "histogram") continue;
    const buckets = f.samples.filter((s) => s.name === `${f.name}_bucket`);
    let last = -1, lastLe = -Infinity;
    for (const b of buckets) {
      const le = b.labels.le === undefined ? NaN : parseValue(b.labels.le, 0);
      if (!(le > lastLe)) throw new SyntaxError(`${f.name}: bucket bounds are not increasing`);
      if (b.value < last) throw new SyntaxError(`${f.name}: buckets are not cumulative`);
      last = b.value;
      lastLe = le;
    }
    const count = f.samples.find((s) => s.name === `${f.name}_count`)?.value;
    if (lastLe !== Infinity || count !== last) {
      throw new SyntaxError(`${f.name}: the +Inf bucket must exist and equal _count`);
    }
  }
  return families;
}

/** The value of one series, or undefined. */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name !== name) continue;
      if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
