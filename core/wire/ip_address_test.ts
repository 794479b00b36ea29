import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { canonicalIpAddress, formatIpAddress, parseIpAddress } from "./ip_address.ts";

test("canonicalIpAddress() follows RFC 5952", () => {
  const cases: [string, string][] = [
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // first of two equal runs
    ["2001:db8:0:0:0:1:0:0", "2001:db8::1:0:0"], // longest run wins
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // a single zero group stays
    ["0:0:0:0:0:0:0:0", "::"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["1:0:0:0:0:0:0:0", "1::"],
    ["FE80::ABCD", "fe80::abcd"],
    ["::ffff:192.0.2.1", "192.0.2.1"],
    ["::192.0.2.1", "::c000:201"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
    ["192.0.2.255", "192.0.2.255"],
  ];
  for (const [input, want] of cases) assert.equal(canonicalIpAddress(input), want, input);
});

test("parseIpAddress() rejects text that is not an address", () => {
  for (
    const bad of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "01.2.3.4",
      "256.1.1.1",
      "1.2.3.4 ",
      ":::",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7",
      "12345::",
      "fe80::1%eth0",
      ":1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:",
      "::1.2.3",
      "g::",
      "1:2:3:4:5:6:1.2.3.4:8",
    ]
  ) assert.throws(() => parseIpAddress(bad), SyntaxError, JSON.stringify(bad));
});

test("formatIpAddress() and parseIpAddress() round-trip any address bytes", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
      ),
      (b) => {
        const text = formatIpAddress(b);
        const mapped = b.length === 16 && b.subarray(0, 10).every((x) => x === 0) &&
          b[10] === 0xff && b[11] === 0xff;
        assert.deepEqual(parseIpAddress(text), mapped ? b.slice(12) : b);
      },
    ),
    { numRuns: 3000, seed: 9 },
  );
  assert.throws(() => formatIpAddress(new Uint8Array(5)), RangeError);
});
