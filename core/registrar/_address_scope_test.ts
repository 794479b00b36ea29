import { test } from "node:test";
import assert from "node:assert/strict";
import { addressScopeRank, SCOPE_RANK } from "./_address_scope.ts";

test("addressScopeRank() orders loopback < link-local < site-local < global and refuses the rest", () => {
  const cases: [string, number][] = [
    ["127.0.0.1", SCOPE_RANK.loopback],
    ["::1", SCOPE_RANK.loopback],
    ["169.254.1.1", SCOPE_RANK["link-local"]],
    ["fe80::1", SCOPE_RANK["link-local"]],
    ["10.1.2.3", SCOPE_RANK["site-local"]],
    ["172.16.0.1", SCOPE_RANK["site-local"]],
    ["172.32.0.1", SCOPE_RANK.global],
    ["192.168.1.1", SCOPE_RANK["site-local"]],
    ["100.64.0.1", SCOPE_RANK["site-local"]],
    ["fd00::1", SCOPE_RANK["site-local"]],
    ["192.0.2.1", SCOPE_RANK.global],
    ["2001:db8::1", SCOPE_RANK.global],
    ["::ffff:127.0.0.1", SCOPE_RANK.loopback],
    ["0.0.0.0", -1],
    ["::", -1],
    ["239.0.0.50", -1],
    ["ff02::1", -1],
    ["255.255.255.255", -1],
    ["fe80::1%eth0", -1],
    ["not an address", -1],
  ];
  for (const [address, rank] of cases) assert.equal(addressScopeRank(address), rank, address);
});
