import { test } from "node:test";
import assert from "node:assert/strict";
import {
  parseEndpoint,
  parseFlags,
  parseIdentifier,
  parseMilliseconds,
  usage,
  UsageError,
} from "./_args.ts";

const SPECS = [
  { name: "registrar", kind: "list", value: "HOST:PORT", help: "r" },
  { name: "pool", kind: "value", value: "NAME", default: "EchoPool", help: "p" },
  { name: "json", kind: "boolean", help: "j" },
] as const;

test("parseFlags() takes --name value, --name=value, repeated and comma-separated lists", () => {
  const f = parseFlags("t", [
    "--pool",
    "A",
    "--registrar=127.0.0.1:1",
    "--registrar",
    "[::1]:2,10.0.0.1",
    "--json",
    "--pool=B",
  ], SPECS);
  assert.equal(f.string("pool"), "B");
  assert.deepEqual(f.list("registrar"), ["127.0.0.1:1", "[::1]:2", "10.0.0.1"]);
  assert.equal(f.boolean("json"), true);
  assert.equal(f.boolean("help"), false);
});

test("parseFlags() refuses unknown flags, missing values and values on booleans", () => {
  assert.throws(() => parseFlags("t", ["--nope"], SPECS), /unknown option --nope/);
  assert.throws(() => parseFlags("t", ["--pool"], SPECS), /--pool needs a value/);
  assert.throws(() => parseFlags("t", ["--json=1"], SPECS), UsageError);
});

test("Flags.number() and choice() check their values", () => {
  const f = parseFlags("t", ["--pool", "x"], SPECS);
  assert.throws(() => f.choice("pool", ["a", "b"], "a"), /--pool must be a, b/);
  const g = parseFlags("t", ["--pool", "3.5"], SPECS);
  assert.throws(() => g.number("pool", 0, { min: 0 }), /an integer/);
  assert.equal(g.number("pool", 0, { fraction: true }), 3.5);
});

test("parseEndpoint() reads IPv4, bracketed IPv6, bare IPv6 and localhost, with default ports", () => {
  assert.deepEqual(parseEndpoint("x", "127.0.0.1:3863", 1), { address: "127.0.0.1", port: 3863 });
  assert.deepEqual(parseEndpoint("x", "[::1]:9901", 1), { address: "::1", port: 9901 });
  assert.deepEqual(parseEndpoint("x", "::1", 3863), { address: "::1", port: 3863 });
  assert.deepEqual(parseEndpoint("x", "localhost", 7), { address: "127.0.0.1", port: 7 });
  assert.throws(() => parseEndpoint("--asap", "example.org:1", 1), /is not an IP address/);
  assert.throws(() => parseEndpoint("--asap", "127.0.0.1:70000", 1), /port must be an integer/);
  assert.throws(() => parseEndpoint("--asap", "127.0.0.1", undefined), /needs a :PORT/);
});

test("parseMilliseconds() and parseIdentifier() accept the documented forms", () => {
  assert.equal(parseMilliseconds("t", "1500"), 1500);
  assert.equal(parseMilliseconds("t", "2s"), 2000);
  assert.throws(() => parseMilliseconds("t", "0", 1), /in 1\.\./);
  assert.equal(parseIdentifier("--id", "0x10", 0xffffffffn), 16n);
  assert.throws(() => parseIdentifier("--id", "0", 0xffffffffn), UsageError);
  assert.throws(() => parseIdentifier("--id", "0x100000000", 0xffffffffn), UsageError);
});

test("usage() lists every flag with its default", () => {
  const text = usage("Usage: t", SPECS);
  assert.match(text, /--pool NAME\s+p \(default EchoPool\)/);
  assert.match(text, /--registrar HOST:PORT\s+r; repeatable/);
  assert.match(text, /--help/);
});
